/* metrics: per-second samples of the client clock; see metrics.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "metrics.h"

void sim_metrics_init(struct sim_metrics *m)
{
	*m = (struct sim_metrics){.last_bad_s = -1, .last_s = -1};
}

void sim_metrics_free(struct sim_metrics *m)
{
	free(m->abs_off);
	m->abs_off = NULL;
	m->n = m->cap = 0;
}

static int window_add(struct sim_metrics *m, double v)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 4096;
		double *p = realloc(m->abs_off, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		m->abs_off = p;
		m->cap = cap;
	}
	m->abs_off[m->n++] = v;
	return 0;
}

int sim_metrics_sample(struct sim_metrics *m, long sec, double offset, double freq_err_ppm)
{
	double a = fabs(offset);

	m->last_s = sec;
	m->last_offset = offset;
	if (!(a < SIM_CONV_LIMIT)) /* NaN counts as bad */
		m->last_bad_s = sec;
	if ((double)sec < SIM_SETTLE_S)
		return 0;
	m->sum_sq_off += a * a;
	if (!(a <= m->max_abs_off))
		m->max_abs_off = a;
	m->sum_sq_freq += freq_err_ppm * freq_err_ppm;
	return window_add(m, a);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

void sim_metrics_result(struct sim_metrics *m, struct sim_result *r)
{
	*r = (struct sim_result){.final_offset_s = m->last_offset};
	if (m->last_bad_s < 0)
		r->t_conv_1ms_s = 0;
	else if (m->last_bad_s >= m->last_s)
		r->t_conv_1ms_s = -1;
	else
		r->t_conv_1ms_s = m->last_bad_s + 1;
	if (m->n == 0) { /* run shorter than the settling time: no window */
		r->rms_offset_s = r->max_abs_offset_s = r->p99_abs_offset_s = NAN;
		r->rms_freq_ppm = NAN;
		return;
	}
	qsort(m->abs_off, m->n, sizeof(double), cmp_double);
	r->rms_offset_s = sqrt(m->sum_sq_off / (double)m->n);
	r->max_abs_offset_s = m->max_abs_off;
	r->rms_freq_ppm = sqrt(m->sum_sq_freq / (double)m->n);
	r->p99_abs_offset_s = m->abs_off[(size_t)ceil(0.99 * (double)m->n) - 1];
}
