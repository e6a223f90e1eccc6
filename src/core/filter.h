/* filter: the per-source estimate of offset and frequency from its recent samples.
 *
 * Method: a weighted linear regression of the source's offset against time over up to
 * FILTER_MAX_SAMPLES samples, on the "raw" timescale of the free-running local oscillator
 * (local clock minus every correction the discipline applied; see discipline.h). Because the
 * samples are kept on the raw timescale, the discipline's own slews, frequency changes and
 * steps never disturb them, and the slope of the fit is the oscillator's frequency error.
 *
 * Why this method, by measurement in the simulator (tests/sim, see README):
 *   - An RFC 5905 8-stage minimum-delay filter keeps one sample of eight: it discards most of
 *     the information and estimates no frequency, so its output must be integrated by a PLL
 *     whose time constant sets both convergence and noise (slow convergence, ~ 100 s of
 *     samples to reach 1 ms from a 100 ppm error at poll 6).
 *   - A Kalman filter (ntpd-rs) needs a noise model it cannot observe directly; the
 *     regression gives the same linear estimator for a linear clock model without tuning one.
 *   - The regression (chrony's approach) uses every sample, estimates frequency directly
 *     (two samples already give it), and its residuals tell how many old samples are still
 *     consistent with a linear model (a runs test on residual signs).
 * On top of chrony's scheme, samples are weighted by their round-trip delay: with queueing
 * delay x above the minimum, the offset error is bounded by x / 2 (and is uniform within
 * it for exponential queueing), so weight = 1 / (x^2 / 12 + floor^2). Samples far above the
 * minimum delay (spikes) are rejected outright.
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
