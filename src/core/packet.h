/* packet: the NTPv4 48-byte header and RFC 7822 extension fields (RFC 5905 section 7.3).
 *
 * Parsing and serialising only, no policy: what a field means for a client or a server is
 * decided in source.c and server.c. All multi-byte fields are in host byte order in
 * struct ntp_packet; the functions here convert to and from network byte order.
 * Ownership: the caller owns every buffer; nothing here allocates.
 */
#ifndef STRATA_CORE_PACKET_H
#define STRATA_CORE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ntptime.h"

#define NTP_HEADER_LEN 48
#define NTP_PORT 123
#define NTP_VERSION 4
#define NTP_MAX_STRATUM 16 /* internal "unsynchronised"; sent as 0 */
#define NTP_EXT_MIN_LEN 16 /* RFC 5905 7.5: smallest extension field */

enum ntp_leap {
	NTP_LEAP_NONE = 0,
	NTP_LEAP_INSERT = 1, /* last minute of the day has 61 s */
	NTP_LEAP_DELETE = 2, /* last minute of the day has 59 s */
	NTP_LEAP_ALARM = 3,  /* clock unsynchronised */
};

enum ntp_mode {
	NTP_MODE_RESERVED = 0,
	NTP_MODE_SYMMETRIC_ACTIVE = 1,
	NTP_MODE_SYMMETRIC_PASSIVE = 2,
	NTP_MODE_CLIENT = 3,
	NTP_MODE_SERVER = 4,
	NTP_MODE_BROADCAST = 5,
	NTP_MODE_CONTROL = 6,
	NTP_MODE_PRIVATE = 7,
};

struct ntp_packet {
	uint8_t leap;           /* enum ntp_leap, 0..3 */
	uint8_t version;        /* 0..7 as received; we send 4 */
	uint8_t mode;           /* enum ntp_mode */
	uint8_t stratum;        /* as on the wire: 0 = unspecified / kiss-o'-death */
	int8_t poll;            /* log2 s */
	int8_t precision;       /* log2 s */
	ntp_short_t root_delay; /* short format, s */
	ntp_short_t root_disp;  /* short format, s */
	uint32_t refid;         /* host order: 0x52415445 is "RATE", 0x7f000001 is 127.0.0.1 */
	ntp_ts_t ref;           /* reference timestamp */
	ntp_ts_t org;           /* origin (T1 as echoed by a server) */
	ntp_ts_t rec;           /* receive (T2) */
	ntp_ts_t xmt;           /* transmit (T3) */
};

enum ntp_parse_result {
	NTP_PARSE_OK = 0,
	NTP_PARSE_SHORT,       /* fewer than 48 bytes */
	NTP_PARSE_BAD_VERSION, /* version 0 or above 4 */
	NTP_PARSE_BAD_EXT,     /* malformed extension fields / MAC layout (v4 only) */
};

/* Decode the header of buf[0..len). Checks the length, the version (1..4) and, for
 * version 4, that what follows the header is a valid sequence of extension fields
 * optionally followed by a MAC or crypto-NAK (see ntp_ext_walk). Returns a result code;
 * out is filled whenever at least 48 bytes were given. */
enum ntp_parse_result ntp_packet_parse(const uint8_t *buf, size_t len, struct ntp_packet *out);

/* Encode the 48-byte header into buf (cap >= 48). Returns 48, or 0 when cap is too small.
 * Fields out of range (leap > 3, version > 7, mode > 7) are masked to their bit width. */
size_t ntp_packet_serialize(const struct ntp_packet *pkt, uint8_t *buf, size_t cap);

/* Kiss code in the refid as 4 ASCII characters plus NUL; non-printable bytes become '?'.
 * Returns true if pkt is a kiss-o'-death (mode 4, stratum 0). */
bool ntp_packet_kiss_code(const struct ntp_packet *pkt, char code[5]);

/* One extension field (RFC 7822): type, total length (header included, multiple of 4,
 * >= 16) and a pointer into the caller's buffer to its value (length - 4 bytes). */
struct ntp_ext {
	uint16_t type;
	uint16_t length;
	const uint8_t *value;
};

/* Iterator over what follows the 48-byte header. */
struct ntp_ext_iter {
	const uint8_t *buf;
	size_t len;     /* whole packet length */
	size_t pos;     /* offset of the next field */
	size_t mac_len; /* 0, or the length of the trailing MAC / crypto-NAK once detected */
};

enum ntp_ext_result {
	NTP_EXT_FIELD = 0, /* *out holds the next field */
	NTP_EXT_END,       /* no more fields (a MAC, if any, is described by mac_len) */
	NTP_EXT_MALFORMED, /* truncated field, bad length or alignment */
};

void ntp_ext_iter_init(struct ntp_ext_iter *it, const uint8_t *buf, size_t len);
/* Next field. A remainder of 4 bytes is a crypto-NAK, of 20 or 24 bytes a legacy MAC
 * (key id + MD5 / SHA-1 digest); both end the walk with mac_len set. */
enum ntp_ext_result ntp_ext_next(struct ntp_ext_iter *it, struct ntp_ext *out);

/* Walks every field; returns true if the whole tail is well formed. */
bool ntp_ext_walk(const uint8_t *buf, size_t len, size_t *n_fields, size_t *mac_len);

/* Name of a parse result, for logs. */
const char *ntp_parse_result_str(enum ntp_parse_result r);

#endif
