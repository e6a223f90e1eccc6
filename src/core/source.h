/* source: one upstream NTP association in client mode, sans I/O.
 *
 * The shell (daemon/ or stratactl query) owns sockets and clocks. It asks this module when
 * the next request is due (source_next_poll), lets it build each request (source_transmit),
 * hands it every datagram that came back from the server's address and port
 * (source_receive) and gets a verdict and, for a valid reply, a sample. Nothing here reads
 * a clock, draws random numbers or allocates after source_new.
 *
 * Times:
 *   now_mono  monotonic seconds (any origin), for scheduling.
 *   ntp_ts_t  local realtime readings as NTP timestamps (T1 at transmit, T4 at receipt).
 * Signs: offset = server clock minus local clock (RFC 5905 theta): positive means the local
 * clock is behind the server and must be moved forward. This is the ntpq / ntpdate sign.
 *
 * Security (RFC 5905 section 8, RFC 9109, draft data minimisation): every request carries a
 * random 64-bit transmit timestamp (the origin cookie) supplied by the caller; the real T1
 * stays here. A reply is accepted only if its origin equals the cookie of the one
 * outstanding request; after one accepted reply the cookie is forgotten, so a duplicate or
 * replay is rejected (at most one reply per request). Kiss-o'-death codes act only after
 * that origin check.
 */
#ifndef STRATA_CORE_SOURCE_H
#define STRATA_CORE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ntptime.h"
#include "core/packet.h"

#define SOURCE_MINPOLL_LIMIT 1  /* 2 s: smallest poll exponent accepted (own LAN servers) */
#define SOURCE_MAXPOLL_LIMIT 17 /* 36.4 h */
#define SOURCE_DEFAULT_MINPOLL 6
#define SOURCE_DEFAULT_MAXPOLL 10
#define SOURCE_IBURST_COUNT 6    /* requests in an initial burst */
#define SOURCE_BURST_SPACING 2.0 /* s between burst requests */
#define SOURCE_PHI 15e-6         /* frequency tolerance, s/s (RFC 5905) */
#define SOURCE_MAXDISP 16.0      /* s */

struct source_config {
	int minpoll;            /* log2 s, SOURCE_MINPOLL_LIMIT..SOURCE_MAXPOLL_LIMIT */
	int maxpoll;            /* log2 s, >= minpoll */
	bool iburst;            /* burst of SOURCE_IBURST_COUNT requests while unreachable */
	int8_t local_precision; /* log2 s of our clock reading, for the sample dispersion */
};

enum source_state {
	SOURCE_STATE_ACTIVE = 0, /* polling */
	SOURCE_STATE_DENIED,     /* a validated KoD DENY or RSTR stopped polling (RFC 5905 7.4) */
};

/* What became of one received datagram. One value per reason, as chrony does. */
enum source_rx_verdict {
	SOURCE_RX_SAMPLE = 0,     /* valid reply: *sample is filled */
	SOURCE_RX_MALFORMED,      /* short, bad version or extension fields, not mode 4 */
	SOURCE_RX_UNEXPECTED,     /* no request outstanding: late, duplicate or replayed reply */
	SOURCE_RX_DUPLICATE,      /* test 1: transmit timestamp equal to the last one accepted */
	SOURCE_RX_BOGUS,          /* test 2: origin differs from our cookie (spoofed or stale) */
	SOURCE_RX_ZERO_TIMESTAMP, /* test 3: receive or transmit timestamp is zero */
	SOURCE_RX_UNSYNC,         /* test 6: LI=3, or stratum 0 (no kiss code) or >= 16 */
	SOURCE_RX_BAD_HEADER,     /* test 7: root delay/2 + root dispersion >= 16 s */
	SOURCE_RX_BAD_DELAY,      /* server hold time negative or > 4 s, or round trip > 16 s */
	SOURCE_RX_KOD_RATE,       /* validated RATE: poll interval increased */
	SOURCE_RX_KOD_DENY,       /* validated DENY or RSTR: polling stopped */
	SOURCE_RX_KOD_OTHER,      /* validated kiss code we only note */
	SOURCE_RX_STOPPED,        /* source is denied: datagram ignored */
	SOURCE_RX__COUNT
};

struct source_sample {
	double offset;     /* s, server minus local (positive = local clock behind) */
	double delay;      /* s, round trip minus server hold time, at least 2^local_precision */
	double dispersion; /* s, 2^server_prec + 2^local_prec + PHI * (T4 - T1) */
	double root_delay; /* s, as advertised by the server */
	double root_disp;  /* s, as advertised by the server */
	uint8_t stratum;   /* 1..15 */
	uint8_t leap;      /* enum ntp_leap, never NTP_LEAP_ALARM in a sample */
	uint8_t version;
	int8_t poll;      /* server's poll field, log2 s */
	int8_t precision; /* server's precision, log2 s */
	uint32_t refid;
	ntp_ts_t ref; /* server's reference timestamp */
	ntp_ts_t t1, t2, t3,
	        t4;     /* local transmit, server receive, server transmit, local receive */
	double rx_mono; /* monotonic time of receipt, s */
};

struct source_status {
	enum source_state state;
	uint8_t reach;    /* 8-bit reach register: bit 0 = last request answered */
	int poll;         /* current poll exponent, log2 s */
	bool have_sample; /* last is valid */
	struct source_sample last;
	char kiss[5];                       /* last validated kiss code, "" if none */
	unsigned long tx;                   /* requests built */
	unsigned long rx[SOURCE_RX__COUNT]; /* datagrams by verdict */
};

struct source;

/* Allocate a source; returns 0 or -EINVAL for a bad config, -ENOMEM. */
int source_new(const struct source_config *cfg, struct source **ret);
void source_free(struct source *src); /* NULL is a no-op */

/* Start (or restart) polling at now_mono; rand01 in [0,1) spreads the first request over
 * the first second so that many sources do not fire at once. Resets poll to minpoll (also
 * undoing RATE kisses), forgets any outstanding request and lifts a DENY (a restart is the
 * caller's explicit decision); keeps reach, the counters and the last sample. With iburst
 * and reach == 0 the first SOURCE_IBURST_COUNT requests are SOURCE_BURST_SPACING s apart.
 * Before the first source_start, source_next_poll is INFINITY. */
void source_start(struct source *src, double now_mono, double rand01);

/* Send count requests SOURCE_BURST_SPACING s apart, the first at now_mono + rand01 s (an
 * operator's "burst"; count 1..SOURCE_IBURST_COUNT, clamped). Does nothing to a source a
 * KoD DENY stopped. Poll interval, reach and samples are kept. */
void source_burst(struct source *src, double now_mono, double rand01, int count);

/* Ask for a poll exponent (clamped to minpoll..maxpoll and to any RATE floor). Used by
 * the engine's poll adaptation; takes effect from the next request (the unreach back-off
 * still raises it while the source does not answer). */
void source_set_poll(struct source *src, int poll);

/* Monotonic time at which the next request is due; INFINITY when polling stopped. */
double source_next_poll(const struct source *src);

/* Build the next request into buf (cap >= 48) and schedule the one after it.
 *   t1_local  the local realtime about to be used for sending (kept as T1)
 *   cookie    64 random bits: the transmit timestamp sent, never 0
 *   rand01    in [0,1): jitter for the next poll time (+-2 %)
 * Shifts the reach register. An earlier request still unanswered is forgotten (a late reply
 * to it is BOGUS). Returns the request length (48) or 0 if cap < 48 or the source is
 * stopped; on 0 nothing changes. */
size_t source_transmit(struct source *src, double now_mono, ntp_ts_t t1_local, uint64_t cookie,
                       double rand01, uint8_t *buf, size_t cap);

/* Judge a datagram that arrived from the server's address and port.
 *   t4_local  local realtime of receipt (kernel timestamp when available)
 * On SOURCE_RX_SAMPLE fills *sample (may be NULL) and marks the source reachable. */
enum source_rx_verdict source_receive(struct source *src, const uint8_t *buf, size_t len,
                                      ntp_ts_t t4_local, double now_mono,
                                      struct source_sample *sample);

void source_get_status(const struct source *src, struct source_status *st);

/* Short lowercase name of a verdict ("sample", "bogus", ...), for logs and JSON. */
const char *source_rx_verdict_str(enum source_rx_verdict v);

/* The on-wire calculation (RFC 5905 section 8) from four timestamps. offset and delay in
 * s; delay is clamped up to min_delay (the local precision) when it comes out smaller. */
void source_onwire(ntp_ts_t t1, ntp_ts_t t2, ntp_ts_t t3, ntp_ts_t t4, double min_delay,
                   double *offset, double *delay);

#endif
