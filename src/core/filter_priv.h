/* filter_priv: shared between filter.c (sample window, regression) and filter_kalman.c. */
#ifndef STRATA_CORE_FILTER_PRIV_H
#define STRATA_CORE_FILTER_PRIV_H

#include <math.h>

#include "core/filter.h"

#define FILTER_FLOOR_ABS 1e-7        /* s: no sample is trusted beyond 100 ns */
#define FILTER_FLOOR_MEDIAN_FRAC 0.1 /* regression: floor = this fraction of the median excess */
#define FILTER_DELTA_MEDIAN_FRAC 0.1 /* Kalman: queueing left in the minimum delay, ... */
#define FILTER_DELTA_MIN_DELAY 0.2   /* ... as fractions of the median excess and min delay */

double filter_min_delay(const struct filter *f, int first);
double filter_median_excess(const struct filter *f, int first, double min_delay);

/* The queueing still hidden in the window's minimum delay, s: a fraction of the median
 * excess (for exponential queueing the minimum of 64 samples lies near a tenth of it), and
 * of the minimum delay itself while the window is too small to tell. */
static inline double filter_queue_left(double median_excess, double min_delay)
{
	return fmax(FILTER_DELTA_MEDIAN_FRAC * median_excess, FILTER_DELTA_MIN_DELAY * min_delay);
}
/* filter_hull.c: the centroid (offset at t, rate) of the lines every sample of the last
 * FILTER_HULL_SPAN seconds allows, given the Kalman state (x0, f0) to centre the search;
 * false with fewer than FILTER_HULL_MIN such samples or when no line fits them all. */
#define FILTER_HULL_MIN 16            /* recent samples the polygon needs */
#define FILTER_HULL_SPAN 4200.0       /* s: 64 samples at poll 6; longer spans lost */
#define FILTER_HULL_WANDER_SIGMAS 2.0 /* the wander's margin around a line */
bool filter_hull_estimate(const struct filter *f, double t, double x0, double f0, double *offset,
                          double *rate);
/* Absorb the newest sample (already in the window); false if it was an outlier. */
bool filter_kalman_update(struct filter *f, const struct filter_sample *s);

#endif
