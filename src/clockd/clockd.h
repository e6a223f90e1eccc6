/* clockd: what strata-clockd, the clock helper, does with one request (clockmsg.h).
 *
 * The helper is the only process of a hardened installation that may set the clock: stratad
 * talks to the network with no privilege at all and sends its corrections here. This module
 * is the helper's whole decision, kept apart from its sockets so that it is unit-tested and
 * fuzzed: decode the request, apply the policy, call the clock driver, encode the reply.
 * Ownership: the caller owns the clock, the policy and the counters.
 */
#ifndef STRATA_CLOCKD_CLOCKD_H
#define STRATA_CLOCKD_CLOCKD_H

#include <stddef.h>
#include <stdint.h>

#include "clock/clock.h"

struct clockd_policy {
	double max_step; /* s: a larger |step| is refused with -EPERM; 0 = no limit */
};

struct clockd_counters {
	unsigned long requests;  /* well-formed requests */
	unsigned long malformed; /* requests that did not decode (the connection is closed) */
	unsigned long refused;   /* steps beyond max_step */
	unsigned long failed;    /* requests the driver returned an error for */
	unsigned long steps;     /* steps applied */
};

/* What the log should say about one request. */
enum clockd_note {
	CLOCKD_QUIET,     /* a routine request done (logged only at debug level) */
	CLOCKD_STEPPED,   /* a step applied: notice */
	CLOCKD_REFUSED,   /* a step beyond max_step: error */
	CLOCKD_FAILED,    /* the driver failed: error */
	CLOCKD_MALFORMED, /* no reply; close the connection: warning */
};

/* Handle the len bytes of one request on clk. Writes the reply into out (at least
 * CLOCKMSG_REP_LEN bytes) and returns its length, or 0 for a malformed request. what
 * (whatlen bytes) receives one line for the log; the return of *note says how to log it. */
size_t clockd_handle(struct clock *clk, const struct clockd_policy *pol,
                     struct clockd_counters *cnt, const uint8_t *in, size_t len, uint8_t *out,
                     enum clockd_note *note, char *what, size_t whatlen);

#endif
