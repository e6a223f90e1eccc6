/* timeshare: stratad's side of the bounded-time file libstrata reads (src/lib/timefile.h
 * has the format). Opened before privileges are dropped, written through a shared mapping
 * afterwards (no system call per update), marked "not running" at exit.
 * Owns its mapping; the daemon owns the timeshare. */
#ifndef STRATA_DAEMON_TIMESHARE_H
#define STRATA_DAEMON_TIMESHARE_H

#include <stdbool.h>
#include <stddef.h>

#include "clock/clock.h"
#include "core/engine.h"

struct timeshare;

/* Create path (mode 0644) or reuse a valid one (readers keep their mapping across a
 * restart); anything else at path (wrong size, links) is replaced. 0 or a negative errno
 * with a message in err. */
int timeshare_open(const char *path, struct timeshare **ret, char *err, size_t errlen);

struct timeshare_params {
	bool clock_controlled; /* false with -x: the offset and frequency stay uncorrected */
	double max_age;        /* s after which readers call an entry stale */
};

/* Publish the engine's state read now from clk, when it changed since the last call
 * (a clock update, or the sync state, stratum or leap). */
void timeshare_update(struct timeshare *t, const struct engine_system *y, struct clock *clk,
                      const struct timeshare_params *p);

/* The error bound and its growth rate as published (for tests): s and s/s. */
void timeshare_bound(const struct engine_system *y, bool clock_controlled, double age,
                     double *error, double *rate);

/* Mark the entry "not running", unmap, close; NULL is a no-op. */
void timeshare_close(struct timeshare *t);

#endif
