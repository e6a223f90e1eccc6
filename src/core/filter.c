/* filter: weighted linear regression of offset against raw time; see filter.h. */
#include "core/filter.h"
#include "core/filter_priv.h"

#include <math.h>
#include <string.h>

#define FILTER_DEFAULT_SPIKE_RATIO 8.0
#define FILTER_SPIKE_MIN_SAMPLES 4
#define FILTER_SPIKE_RESET 4 /* consecutive spikes taken as a path change */

struct fit {
	int first; /* index (0 = oldest) of the first sample used */
	double a, b, var_a, var_b, jitter;
	int runs;
};

static const struct filter_sample *sample_at(const struct filter *f, int i)
{
	return &f->s[(f->head + i) % FILTER_MAX_SAMPLES];
}

void filter_init(struct filter *f, int max_samples)
{
	memset(f, 0, sizeof(*f));
	if (max_samples < 2 || max_samples > FILTER_MAX_SAMPLES)
		max_samples = FILTER_MAX_SAMPLES;
	f->max_samples = max_samples;
	f->spike_ratio = FILTER_DEFAULT_SPIKE_RATIO;
	f->method = FILTER_KALMAN;
	f->wander = FILTER_DEFAULT_WANDER;
}

void filter_set_method(struct filter *f, enum filter_method m, double wander)
{
	f->method = m;
	f->wander = wander > 0 ? wander : FILTER_DEFAULT_WANDER;
}

void filter_reset(struct filter *f)
{
	unsigned long spikes = f->rejected_spikes, dropped = f->dropped_runs;
	unsigned long outl = f->rejected_outliers;
	enum filter_method m = f->method;
	double w = f->wander;
	filter_init(f, f->max_samples);
	filter_set_method(f, m, w);
	f->rejected_spikes = spikes;
	f->dropped_runs = dropped;
	f->rejected_outliers = outl;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of the excess delays (delay - minimum) of samples first..n-1. */
double filter_median_excess(const struct filter *f, int first, double min_delay)
{
	double x[FILTER_MAX_SAMPLES];
	int m = 0;
	for (int i = first; i < f->n; i++)
		x[m++] = sample_at(f, i)->delay - min_delay;
	if (m == 0)
		return 0.0;
	/* insertion sort: m <= 64 */
	for (int i = 1; i < m; i++)
		for (int j = i; j > 0 && cmp_double(&x[j - 1], &x[j]) > 0; j--) {
			double t = x[j];
			x[j] = x[j - 1];
			x[j - 1] = t;
		}
	return (m % 2) ? x[m / 2] : 0.5 * (x[m / 2 - 1] + x[m / 2]);
}

double filter_min_delay(const struct filter *f, int first)
{
	double m = INFINITY;
	for (int i = first; i < f->n; i++)
		m = fmin(m, sample_at(f, i)->delay);
	return m;
}

/* Inverse-variance weight of a sample with excess delay x. */
static double weight(double x, double floor_sd)
{
	return 1.0 / (x * x / 12.0 + floor_sd * floor_sd);
}

static int count_runs(const double *r, int n, int *npos, int *nneg)
{
	int runs = 0, prev = 0;
	*npos = *nneg = 0;
	for (int i = 0; i < n; i++) {
		int s = r[i] >= 0 ? 1 : -1;
		if (s > 0)
			(*npos)++;
		else
			(*nneg)++;
		if (s != prev)
			runs++;
		prev = s;
	}
	return runs;
}

/* Weighted least squares over samples first..n-1, time relative to the last sample. */
static void fit_from(const struct filter *f, int first, struct fit *out)
{
	double mind = filter_min_delay(f, first);
	double fl = fmax(FILTER_FLOOR_ABS,
	                 FILTER_FLOOR_MEDIAN_FRAC * filter_median_excess(f, first, mind));
	double tl = sample_at(f, f->n - 1)->t;
	double S = 0, St = 0, So = 0, Stt = 0, Sto = 0;
	int m = f->n - first;
	for (int i = first; i < f->n; i++) {
		const struct filter_sample *s = sample_at(f, i);
		double w = weight(s->delay - mind, fl), t = s->t - tl;
		S += w, St += w * t, So += w * s->offset, Stt += w * t * t,
		        Sto += w * t * s->offset;
	}
	double D = S * Stt - St * St;
	out->first = first;
	if (m < 2 || D <= 0 || !(D > 1e-30 * S * Stt)) {
		out->b = 0, out->a = So / S, out->var_a = 1.0 / S, out->var_b = INFINITY;
	} else {
		out->b = (S * Sto - St * So) / D;
		out->a = (So - out->b * St) / S;
		out->var_a = Stt / D, out->var_b = S / D;
	}
	double r[FILTER_MAX_SAMPLES], wr2 = 0, r2 = 0;
	for (int i = first; i < f->n; i++) {
		const struct filter_sample *s = sample_at(f, i);
		double t = s->t - tl, res = s->offset - (out->a + out->b * t);
		r[i - first] = res;
		wr2 += weight(s->delay - mind, fl) * res * res;
		r2 += res * res;
	}
	/* Scale the model variances by the observed residual variance once it is measurable. */
	double k = m > 3 ? fmax(wr2 / (m - 2), 0.25) : 1.0;
	out->var_a *= k, out->var_b *= k;
	out->jitter = m > 1 ? sqrt(r2 / (m - 1)) : 0.0;
	int np, nn;
	out->runs = count_runs(r, m, &np, &nn);
}

/* Minimum number of runs at the 5 % level for np positive and nn negative residuals. */
static int runs_critical(int np, int nn)
{
	int n = np + nn;
	if (np == 0 || nn == 0 || n < 2)
		return 1;
	double mean = 2.0 * np * nn / n + 1.0;
	double var = 2.0 * np * nn * (2.0 * np * nn - n) / ((double)n * n * (n - 1));
	double c = mean - 1.645 * sqrt(fmax(var, 0.0));
	return c < 1.0 ? 1 : (int)floor(c);
}

int filter_runs_critical(int n)
{
	return runs_critical(n / 2, n - n / 2);
}

static bool runs_ok(const struct filter *f, const struct fit *ft)
{
	int m = f->n - ft->first;
	if (m < FILTER_MIN_RUNS_SAMPLES || ft->jitter < FILTER_FLOOR_ABS)
		return true; /* too few residuals, or a fit within the noise floor */
	double tl = sample_at(f, f->n - 1)->t;
	int np = 0, nn = 0;
	for (int i = ft->first; i < f->n; i++) {
		const struct filter_sample *s = sample_at(f, i);
		if (s->offset - (ft->a + ft->b * (s->t - tl)) >= 0)
			np++;
		else
			nn++;
	}
	return ft->runs >= runs_critical(np, nn);
}

static void drop_oldest(struct filter *f, int k)
{
	f->head = (f->head + k) % FILTER_MAX_SAMPLES;
	f->n -= k;
}

static void recompute(struct filter *f)
{
	struct fit ft;
	int first = 0;
	fit_from(f, first, &ft);
	/* Drop old samples while the residuals show a trend a line does not explain. */
	while (!runs_ok(f, &ft) && f->n - first > FILTER_MIN_RUNS_SAMPLES) {
		int step = (f->n - first) / 4;
		first += step < 1 ? 1 : step;
		if (f->n - first < FILTER_MIN_RUNS_SAMPLES)
			first = f->n - FILTER_MIN_RUNS_SAMPLES;
		fit_from(f, first, &ft);
	}
	if (first > 0) {
		f->dropped_runs += (unsigned long)first;
		drop_oldest(f, first);
		ft.first = 0;
	}
	struct filter_estimate *e = &f->est;
	const struct filter_sample *last = sample_at(f, f->n - 1);
	double mind = filter_min_delay(f, 0);
	e->valid = true;
	e->n = f->n;
	e->t_ref = last->t;
	e->offset = ft.a;
	e->freq = ft.b;
	e->span = last->t - sample_at(f, 0)->t;
	e->freq_valid = f->n >= 2 && e->span > 0 && isfinite(ft.var_b);
	e->offset_sd = sqrt(ft.var_a);
	e->freq_sd = e->freq_valid ? sqrt(ft.var_b) : INFINITY;
	e->min_delay = mind;
	e->delay = last->delay;
	e->jitter = ft.jitter;
	e->dispersion = last->dispersion;
	for (int i = 0; i < f->n; i++)
		if (sample_at(f, i)->delay == mind)
			e->dispersion = sample_at(f, i)->dispersion;
}

static bool is_spike(struct filter *f, const struct filter_sample *s)
{
	if (f->n < FILTER_SPIKE_MIN_SAMPLES)
		return false;
	double mind = filter_min_delay(f, 0);
	double med = filter_median_excess(f, 0, mind);
	double limit = f->spike_ratio * fmax(med, FILTER_FLOOR_ABS);
	return s->delay - mind > limit;
}

bool filter_add(struct filter *f, const struct filter_sample *s)
{
	if (!isfinite(s->t) || !isfinite(s->offset) || !isfinite(s->delay))
		return false;
	if (is_spike(f, s)) {
		f->rejected_spikes++;
		/* Several spikes in a row: the path changed; start over from this sample. */
		if (++f->spike_run < FILTER_SPIKE_RESET)
			return false;
		filter_reset(f);
	}
	f->spike_run = 0;
	if (f->n > 0 && s->t <= sample_at(f, f->n - 1)->t)
		return false; /* never older than the last used sample (RFC 5905 10) */
	if (f->n == f->max_samples)
		drop_oldest(f, 1);
	f->s[(f->head + f->n) % FILTER_MAX_SAMPLES] = *s;
	f->n++;
	if (f->method == FILTER_KALMAN)
		return filter_kalman_update(f, s);
	recompute(f);
	return true;
}

void filter_shift(struct filter *f, double delta)
{
	for (int i = 0; i < f->n; i++)
		f->s[(f->head + i) % FILTER_MAX_SAMPLES].offset += delta;
	f->kf.x += delta;
	if (f->est.valid)
		f->est.offset += delta;
}

const struct filter_estimate *filter_get(const struct filter *f)
{
	return &f->est;
}

double filter_offset_at(const struct filter *f, double t, double fallback_freq, double *sd)
{
	const struct filter_estimate *e = &f->est;
	if (!e->valid) {
		if (sd)
			*sd = INFINITY;
		return 0.0;
	}
	double dt = t - e->t_ref;
	double fr = e->freq_valid ? e->freq : fallback_freq;
	if (sd) {
		double fsd = e->freq_valid ? e->freq_sd : 0.0;
		*sd = sqrt(e->offset_sd * e->offset_sd + dt * dt * fsd * fsd);
	}
	return e->offset + fr * dt;
}
