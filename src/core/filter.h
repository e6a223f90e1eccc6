/* filter: the per-source estimate of offset and frequency from its recent samples.
 *
 * Samples are kept on the "raw" timescale of the free-running local oscillator (local clock
 * minus every correction the discipline applied; see discipline.h), so the discipline's own
 * slews, frequency changes and steps never disturb them, and the rate of the raw offset is
 * the oscillator's frequency error.
 *
 * Method (default FILTER_KALMAN, filter_kalman.c): a two-state Kalman filter (offset, rate)
 * whose process noise is the oscillator's frequency wander and whose measurement variance
 * comes from each sample's delay: with queueing e above the minimum delay, the offset error
 * is within +-e/2 (uniform there for exponential queueing), variance (e + q)^2 / 12 where q is
 * the queueing still hidden in the minimum. A set-membership bound (the intersection of
 * those +-e/2 intervals carried to now) clamps the state. Outliers beyond 5 standard
 * deviations are dropped; three in a row re-initialise the offset (the server stepped).
 * The wander itself is learnt: it starts at FILTER_DEFAULT_WANDER and is nudged by the
 * lag-1 correlation of the normalised innovations (white when the wander is right). With
 * a fixed wander, ten times the simulated one made the Kalman filter worse than the
 * regression (jitter1ms-poll6: 549 us against 278 us); learning it fixed that.
 *
 * Then the line hull (filter_hull.c): once 16 samples of the last 4200 s bound it, the
 * offset and rate are the centroid of the (offset, rate) lines that pass every recent
 * sample's +-e/2 band (widened by the wander), i.e. lie between the forward and backward
 * one-way minimum-delay envelopes; it is used when within 5 sd of the Kalman state. With
 * exponential queueing its width shrinks like 1/n, faster than any weighted average.
 *
 * Why, by measurement: tests/sim, medians of seeds 1-5, RMS offset after the first hour
 * (`strata-sim --filter kalman|regression`):
 *
 *   scenario                      kalman+hull  kalman  regression (chrony-like, 64 samples)
 *   lan-poll6                     13.1 us      14.6 us  27.8 us
 *   lan-poll6-falseticker          8.3 us       9.3 us  24.8 us
 *   iburst-default                39.7 us      39.6 us  223 us  (poll adapted up to 1024 s)
 *   jitter1ms-poll6               52.9 us      65.1 us  83.5 us
 *   jitter1ms-poll6-falseticker   34.3 us      42.4 us  52.4 us
 * The hull over the whole window (64 samples at any poll) cost adaptive-poll runs up to
 * 30 % (iburst-default 47.9 us, loss30 48.7 us against 36.6): the wander over hours of long
 * polls bends the line; a 1100 s span lost the jitter gain (117 us), 3000 s gave 55.0 us.
 * Without the 5 sd gate a pinched polygon now and then made 500 us spikes.
 * With ten times the wander (--wander 1e-8): lan-poll6 32.0 us (Kalman alone 30.8 us, the
 * regression 85.4 us), jitter1ms-poll6 143.5 us (157 us, 278 us).
 *
 * The regression with a fixed window must choose between averaging noise (long windows) and
 * following the wander (short ones): 24 samples are best on the LAN, 64 with 1 ms jitter,
 * and the runs test is too weak to tell the two apart when the noise is larger than the
 * wander's curvature. The Kalman filter weighs the same two effects explicitly, per sample.
 * An RFC 5905 8-stage minimum-delay filter was not implemented: it keeps one sample in
 * eight and estimates no frequency, leaving both to a PLL. The regression stays available
 * (FILTER_REGRESSION) for comparison.
 *
 * Units: seconds; frequency as a dimensionless rate (s/s; multiply by 1e6 for ppm).
 * Signs: offset = server minus raw local clock (positive = local behind); freq = d offset / dt
 * (negative when the local oscillator runs fast).
 * No allocation; a struct filter is a plain value owned by its source.
 */
#ifndef STRATA_CORE_FILTER_H
#define STRATA_CORE_FILTER_H

#include <stdbool.h>

#define FILTER_MAX_SAMPLES 64
#define FILTER_MIN_RUNS_SAMPLES 6 /* never drop below this many samples on a failed runs test */

struct filter_sample {
	double t;          /* raw time of the measurement (midpoint of T1 and T4), s */
	double offset;     /* raw offset, s */
	double delay;      /* round-trip delay, s */
	double dispersion; /* sample dispersion at measurement, s */
};

struct filter_estimate {
	bool valid;        /* at least one sample */
	int n;             /* samples used */
	double t_ref;      /* raw time the estimate refers to (last sample), s */
	double offset;     /* raw offset at t_ref, s */
	double freq;       /* d offset / dt, s/s (0 with a single sample) */
	bool freq_valid;   /* n >= 2 over a non-zero span */
	double offset_sd;  /* standard error of offset at t_ref, s */
	double freq_sd;    /* standard error of freq, s/s */
	double min_delay;  /* smallest delay in the window, s */
	double delay;      /* delay of the most recent sample, s */
	double jitter;     /* RMS residual of the fit (unweighted), s */
	double dispersion; /* dispersion of the best (smallest delay) sample, s */
	double span;       /* time covered by the samples, s */
	double meas_sd;    /* standard deviation of a typical (median-delay) measurement, s */
};

enum filter_method {
	FILTER_KALMAN = 0, /* default: see the header comment */
	FILTER_REGRESSION, /* chrony-like weighted regression with a runs test */
};

/* Default frequency wander of the local oscillator for the Kalman filter: the variance a
 * random-walk frequency gains per second, (s/s)^2 / s. 1e-18 is a frequency random walk of
 * 1e-9 per square-root second, typical of an uncompensated crystal at room temperature. */
#define FILTER_DEFAULT_WANDER 1e-18

struct filter_kalman {
	bool init;
	double t;             /* raw time of the state, s */
	double x, f;          /* raw offset (s) and its rate (s/s) at t */
	double p00, p01, p11; /* covariance */
	unsigned long count;  /* samples absorbed */
	double jit2;          /* exponential mean of innovation^2, s^2 */
	int outliers;         /* consecutive innovations beyond the gate */
	double u_prev;        /* previous normalised innovation */
	double rho;           /* exponential mean of u * u_prev: lag-1 autocorrelation */
};

struct filter {
	struct filter_sample s[FILTER_MAX_SAMPLES]; /* ring, oldest at head */
	enum filter_method method;
	double wander; /* (s/s)^2 per s, Kalman process noise */
	struct filter_kalman kf;
	unsigned long rejected_outliers;
	int head;
	int n;
	int max_samples;    /* <= FILTER_MAX_SAMPLES */
	double spike_ratio; /* reject a sample whose excess delay exceeds this times the median
	                       excess */
	struct filter_estimate est;
	unsigned long rejected_spikes;
	unsigned long dropped_runs; /* samples dropped by the runs test */
	int spike_run;              /* consecutive spikes rejected */
};

void filter_init(struct filter *f, int max_samples);
/* Choose the estimator (and the wander for the Kalman filter; <= 0 keeps the default). */
void filter_set_method(struct filter *f, enum filter_method m, double wander);
void filter_reset(struct filter *f);
/* The reference timescale jumped by `delta` s (a leap second: -1 for an insertion): shift
 * every stored offset and the estimate so the jump is not taken for a change of the source. */
void filter_shift(struct filter *f, double delta);

/* Add a sample; returns false if it was rejected as a delay spike (the estimate is kept). */
bool filter_add(struct filter *f, const struct filter_sample *s);

/* The current estimate (recomputed by filter_add). */
const struct filter_estimate *filter_get(const struct filter *f);

/* Extrapolate the estimate to raw time t: offset and its standard error, given a fallback
 * frequency for when the filter has none (e.g. the system's estimate). */
double filter_offset_at(const struct filter *f, double t, double fallback_freq, double *sd);

/* Number of runs a run-test needs at least for n residuals at the 5 % level (n >= 2). */
int filter_runs_critical(int n);

#endif
