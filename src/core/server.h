/* server: the answer to an NTP client request, sans I/O.
 *
 * Only client-mode (3) requests of versions 1 to 4 are answered, with a 48-byte server-mode
 * (4) reply: never longer than the request, whatever extension fields it carried (they are
 * ignored). The reply echoes the request's version and poll, and carries the transmit
 * timestamp of the request as its origin (RFC 5905 section 9.2). While synchronised it
 * carries the published system state: leap, stratum, refid, reference time, root delay and
 * root dispersion (aged by PHI = 15 ppm since the reference time, plus our precision);
 * unsynchronised it says so as NTPsec does: LI 3, stratum 0, refid "INIT", reference time 0.
 * Units: seconds; timestamps are NTP timestamps of the local realtime clock.
 */
#ifndef STRATA_CORE_SERVER_H
#define STRATA_CORE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ntptime.h"

#define SERVER_PHI 15e-6             /* s/s: frequency tolerance (RFC 5905) */
#define SERVER_REFID_INIT 0x494e4954 /* "INIT" */
#define SERVER_KISS_RATE 0x52415445  /* "RATE": slow down */
#define SERVER_KISS_DENY 0x44454e59  /* "DENY": access denied */

/* What the server tells clients: the engine's published state, plus our clock precision. */
struct server_state {
	bool synced;
	int stratum;       /* ours, 1..15 while synced */
	int leap;          /* enum ntp_leap while synced */
	uint32_t refid;    /* system peer's refid value */
	ntp_ts_t ref_time; /* last clock update */
	double root_delay; /* s */
	double root_disp;  /* s, at ref_time */
	int8_t precision;  /* log2 s */
};

enum server_verdict {
	SERVER_REPLY = 0,     /* answer with the reply built */
	SERVER_MALFORMED,     /* short, bad version or malformed extension fields */
	SERVER_NOT_CLIENT,    /* not a client-mode request (mode 6 and 7 are not served here) */
	SERVER_VERDICT__COUNT /* for counter arrays */
};

const char *server_verdict_str(enum server_verdict v);

/* Build the reply to req[0..len), received at rx; tx is the transmit timestamp to write (read
 * as late as possible). out must hold NTP_HEADER_LEN bytes; *out_len is set on SERVER_REPLY. */
enum server_verdict server_respond(const struct server_state *st, const uint8_t *req, size_t len,
                                   ntp_ts_t rx, ntp_ts_t tx, uint8_t *out, size_t *out_len);

/* A kiss-o'-death for req[0..len) as NTPsec sends it: LI 3, stratum 0, the kiss code as
 * refid, version, poll and precision copied from the request, and origin = receive =
 * transmit = the request's transmit timestamp, so that it tells nothing of our clock and is
 * never longer than the request. SERVER_MALFORMED and SERVER_NOT_CLIENT as server_respond. */
enum server_verdict server_kiss(uint32_t code, const uint8_t *req, size_t len, uint8_t *out,
                                size_t *out_len);

#endif
