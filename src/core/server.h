/* server: stateless answers to NTP client requests (RFC 5905 section 9.2 FXMIT), sans I/O.
 *
 * The shell receives a datagram, records its receive time (T2, kernel timestamp when
 * available), asks server_respond for a verdict and a reply, then reads the clock as late
 * as possible and stamps the reply with server_set_transmit right before sending it.
 * Access control and rate limiting (acl.h, ratelimit.h) are the caller's business and
 * come before this; when the rate limiter says so, server_kod builds a kiss-o'-death.
 *
 * Rules (see also docs in server.c):
 *   - The mode is looked at first: mode 6 -> SERVER_CONTROL (the control module parses it;
 *     nothing else is checked here, a mode 6 header is only 12 bytes), mode 7 ->
 *     SERVER_DROP_MODE7 (never answered, CVE-2013-5211). Empty datagram -> malformed.
 *   - Otherwise fewer than 48 bytes, version 0 or 5..7, or (version 4) malformed extension
 *     fields after the header -> SERVER_DROP_MALFORMED. Well-formed extension fields and
 *     any MAC are ignored: no authentication here, the reply is never authenticated.
 *   - Only mode 3 (client) is answered; mode 0 of an NTPv1 packet counts as client (as
 *     ntpd and chrony do). Modes 1, 2, 4, 5 (and 0 above v1) -> SERVER_DROP_MODE.
 *   - The reply is always exactly 48 bytes, so never longer than the request.
 *
 * Reply fields: LI = sys->leap (3 when unsynchronised), version = the request's, mode 4,
 * stratum = sys->stratum (16 or more, or unsynchronised, goes out as 0), poll = the
 * request's poll echoed verbatim (as chronyd does, see tests/vectors/ntpdig-client.hex: the
 * field is advisory and clamping it would only change what the client sent us), precision,
 * root delay and dispersion (short format, saturated), refid, reference time from sys;
 * origin = the request's transmit timestamp copied verbatim (it may be a random cookie),
 * receive = rx_time, transmit = set by server_set_transmit (provisionally rx_time).
 *
 * Nothing here allocates, reads a clock or keeps state: safe on the per-packet path.
 */
#ifndef STRATA_CORE_SERVER_H
#define STRATA_CORE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/ntptime.h"
#include "core/packet.h"

#define SERVER_REPLY_LEN NTP_HEADER_LEN /* every reply is exactly 48 bytes */
#define SERVER_XMT_OFFSET 40            /* offset of the transmit timestamp in a reply */

/* Kiss codes for server_kod (host order, as struct ntp_packet.refid). */
#define SERVER_KISS_RATE 0x52415445u /* "RATE": rate exceeded, client must back off */
#define SERVER_KISS_DENY 0x44454e59u /* "DENY": access denied */
#define SERVER_KISS_RSTR 0x52535452u /* "RSTR": access denied by local policy */

/* What a reply carries from the daemon's published system state. */
struct server_system {
	uint8_t leap;      /* enum ntp_leap 0..3; 3 = unsynchronised (forces stratum 0 out) */
	uint8_t stratum;   /* 1..16, 16 = unsynchronised (sent as 0, LI forced to 3); 0 = 16 */
	int8_t precision;  /* log2 s, e.g. -20 */
	double root_delay; /* s, >= 0; saturated to the short format */
	double root_disp;  /* s, >= 0; saturated to the short format */
	uint32_t refid;    /* host order: IPv4 address of the system peer, or 4 ASCII bytes */
	ntp_ts_t ref_time; /* when the clock was last set or corrected; 0 = never */
};

enum server_verdict {
	SERVER_REPLY = 0,      /* reply[0..*reply_len) is ready; stamp it, then send it */
	SERVER_DROP_MALFORMED, /* empty/short, bad version or malformed extension fields */
	SERVER_DROP_MODE,      /* a mode we do not answer (1, 2, 4, 5, 0) */
	SERVER_CONTROL,        /* mode 6: hand the datagram to the control protocol */
	SERVER_DROP_MODE7,     /* mode 7 (ntpdc private): never answered */
	SERVER_ERR_BUFFER,     /* caller error: sys/reply NULL or cap < 48; nothing built */
};

/* Judge the request req[0..req_len) received at rx_time (our clock, T2) and, on
 * SERVER_REPLY, build the 48-byte reply into reply (cap >= 48) and set *reply_len = 48.
 * The transmit field is provisionally rx_time: call server_set_transmit before sending.
 * On any other verdict *reply_len is 0 and reply is unspecified. */
enum server_verdict server_respond(const struct server_system *sys, const uint8_t *req,
                                   size_t req_len, ntp_ts_t rx_time, uint8_t *reply, size_t cap,
                                   size_t *reply_len);

/* Write tx_time (T3, read as late as possible) into the transmit field of a reply built by
 * server_respond (reply_len >= 48). A zero tx_time is sent as 1 (2^-32 s later): 0 on the
 * wire means "not set". Do not call it on a KoD reply: its transmit field must stay the
 * client's own timestamp. */
void server_set_transmit(uint8_t *reply, size_t reply_len, ntp_ts_t tx_time);

/* Build a kiss-o'-death for the same requests server_respond would answer (same verdicts
 * otherwise): LI 3, version echoed, mode 4, stratum 0, poll = max(request poll, minpoll),
 * precision copied from the request, root delay/dispersion and reference time 0,
 * refid = kiss (SERVER_KISS_*), and origin = receive = transmit = the request's transmit
 * timestamp, as ntpd and NTPsec send it: it passes the client's origin check but carries no
 * server time. 48 bytes, complete: no server_set_transmit. */
enum server_verdict server_kod(const uint8_t *req, size_t req_len, uint32_t kiss, int8_t minpoll,
                               uint8_t *reply, size_t cap, size_t *reply_len);

/* Name of a verdict, for logs and counters ("reply", "malformed", ...). */
const char *server_verdict_str(enum server_verdict v);

#endif
