/* libstrata bounded time: "now, give or take", from the error bound stratad publishes.
 *
 * stratad writes, at each clock update, an entry to a small memory-mapped file (default
 * STRATA_TIME_FILE; the `time_file` option of strata.conf(5)): the local clock's error bound
 * at that moment (root distance to the reference clocks plus the offset not yet corrected)
 * and how fast it may grow afterwards (the frequency error). strata_now() reads the local
 * clock and returns the interval that holds true time if that bound holds:
 *     earliest = local - error, latest = local + error,
 *     error = bound at the update + rate x time since the update.
 * It reports "not synchronised" with an unbounded interval when no daemon runs, the daemon is
 * not synchronised or stopped updating, or someone stepped the clock since the entry.
 */
#ifndef STRATA_NOW_H
#define STRATA_NOW_H

#include "strata/base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_TIME_FILE "/run/strata/time"

typedef struct strata_interval {
	int64_t local_ns;    /* the local clock (CLOCK_REALTIME), ns since 1970 */
	int64_t earliest_ns; /* true time is not before this (INT64_MIN when unbounded) */
	int64_t latest_ns;   /* true time is not after this (INT64_MAX when unbounded) */
	int64_t error_ns;    /* latest - local = local - earliest; INT64_MAX when unbounded */
	int synchronised;    /* 1 when the interval is bounded */
	int stratum;         /* stratad's stratum (16 when not synchronised) */
	int leap;            /* 0 none, 1 insert, 2 delete at the end of the day, 3 unknown */
	char reason[256];    /* when not synchronised: why, in words; else "" */
} strata_interval_t;

/* A reader of the time file; open once, read from any number of threads. */
typedef struct strata_clock strata_clock_t;

/* path NULL means STRATA_TIME_FILE. The file need not exist yet (each read retries).
 * Returns NULL only when memory runs out. */
strata_clock_t *strata_clock_open(const char *path);
/* Fills *out; 0, or a negative errno when the local clock cannot be read. Not being
 * synchronised is not an error: out->synchronised says it. */
int strata_clock_now(strata_clock_t *c, strata_interval_t *out);
void strata_clock_close(strata_clock_t *c); /* NULL is a no-op */

/* One-shot strata_clock_now on STRATA_TIME_FILE (opens and maps the file each call: for
 * frequent reads keep a strata_clock_t). */
int strata_now(strata_interval_t *out);

#ifdef __cplusplus
}
#endif
#endif
