/* metrics: what the simulator measures about the client clock.
 *
 * One sample per simulated second k (taken at t = k + 0.5 s, after every event due by then):
 * the offset local - UTC (s; positive = client ahead) and the actual frequency error
 * osc + cmd (ppm; positive = client fast). A window with no sample gives NaN.
 *   t_conv_1ms_s      first whole second from which |offset| < 1 ms holds to the end (0 if
 *                     always; -1 if the last sample is not below 1 ms)
 *   rms / max / p99   of |offset| over samples at t >= SIM_SETTLE_S (p99 by sorting)
 *   rms_freq_ppm      RMS of the frequency error over t >= SIM_SETTLE_S
 */
#ifndef STRATA_SIM_METRICS_H
#define STRATA_SIM_METRICS_H

#include <stddef.h>

#define SIM_SETTLE_S 3600.0 /* s, start of the steady-state window */
#define SIM_CONV_LIMIT 1e-3 /* s, threshold of t_conv_1ms_s */

struct sim_metrics {
	double *abs_off; /* |offset| of samples in the window, s */
	size_t n, cap;
	double sum_sq_off;  /* s^2 */
	double max_abs_off; /* s */
	double sum_sq_freq; /* ppm^2 */
	long last_bad_s;    /* last second with |offset| >= limit; -1 if none */
	long last_s;        /* last second sampled; -1 before the first */
	double last_offset; /* s */
};

struct sim_result {
	long t_conv_1ms_s;
	double rms_offset_s;
	double max_abs_offset_s;
	double p99_abs_offset_s;
	double rms_freq_ppm;
	double final_offset_s;
};

void sim_metrics_init(struct sim_metrics *m);
void sim_metrics_free(struct sim_metrics *m);

/* Record the sample of second sec. Returns 0 or -ENOMEM. */
int sim_metrics_sample(struct sim_metrics *m, long sec, double offset, double freq_err_ppm);

/* Compute the results (sorts the window's samples in place). */
void sim_metrics_result(struct sim_metrics *m, struct sim_result *r);

#endif
