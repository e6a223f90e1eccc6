/* libstrata hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva, Leone, 2014).
 *
 * A timestamp is (wall, logical): wall is the largest physical time seen, in ns since 1970,
 * logical counts events within one wall value. If a happened before b, a < b; and wall stays
 * within the clock error of physical time, so timestamps read like time. The physical time
 * comes from strata_now() (the local clock); a remote timestamp further ahead of our latest
 * possible true time than max_ahead is refused, so one bad clock cannot drag every HLC of a
 * system into the future. */
#ifndef STRATA_HLC_H
#define STRATA_HLC_H

#include "strata/base.h"
#include "strata/now.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct strata_hlc_ts {
	int64_t wall;     /* ns since 1970, >= 0 */
	uint32_t logical; /* events at this wall value */
} strata_hlc_ts_t;

/* Where physical time comes from: fills *out like strata_clock_now; 0 or negative errno. */
typedef int (*strata_time_fn)(void *ctx, strata_interval_t *out);

typedef struct strata_hlc {
	strata_hlc_ts_t last; /* the latest timestamp issued or received */
	int64_t max_ahead_ns; /* refuse remote stamps ahead of latest true time by more */
	strata_time_fn now;   /* physical time */
	void *now_ctx;
} strata_hlc_t;

/* now NULL means strata_clock_now on the strata_clock_t given as ctx (ctx NULL: strata_now).
 * max_ahead_ns >= 0. */
void strata_hlc_init(strata_hlc_t *h, int64_t max_ahead_ns, strata_time_fn now, void *ctx);
/* A local or send event: the new timestamp in *out. -EOVERFLOW when logical would wrap. */
int strata_hlc_now(strata_hlc_t *h, strata_hlc_ts_t *out);
/* A message stamped m arrived: the receive event's timestamp in *out. -ERANGE (and h
 * unchanged) when m is more than max_ahead_ns past the latest possible true time (or past
 * the local clock when not synchronised). */
int strata_hlc_receive(strata_hlc_t *h, const strata_hlc_ts_t *m, strata_hlc_ts_t *out);
/* By (wall, logical): BEFORE, AFTER or EQUAL. Timestamps alone cannot show concurrency. */
enum strata_order strata_hlc_compare(const strata_hlc_ts_t *a, const strata_hlc_ts_t *b);
size_t strata_hlc_encode(const strata_hlc_ts_t *t, uint8_t *buf, size_t cap);
int strata_hlc_decode(strata_hlc_ts_t *out, const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
