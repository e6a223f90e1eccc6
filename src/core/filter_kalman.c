/* filter_kalman: a two-state (offset, frequency) Kalman filter over the raw timescale.
 *
 * Model: the raw offset x grows at rate f; f does a random walk with variance `wander` per
 * second (the oscillator's frequency wander). A measurement z of x has variance
 *     R = e^2 / 12 + floor^2,   e = delay - minimum delay in the window,
 * since with queueing delay e above the minimum the offset error lies within +-e/2 and is
 * uniform there for exponential queueing. Innovations beyond FILTER_KF_GATE standard
 * deviations are rejected as outliers; FILTER_KF_RESET of them in a row mean the source's
 * time really moved (a server step), and the offset is re-initialised from the sample.
 */
#include <math.h>

#include "core/filter_priv.h"

#define FILTER_KF_F0_SD 1e-3  /* s/s: prior frequency uncertainty (the kernel allows 500 ppm) */
#define FILTER_KF_GATE 5.0    /* innovation gate, standard deviations */
#define FILTER_KF_RESET 3     /* consecutive outliers that re-initialise the offset */
#define FILTER_KF_MIN_GATED 4 /* samples absorbed before the gate applies */
#define FILTER_KF_JIT_WEIGHT 0.125
#define FILTER_KF_ADAPT_AFTER 8    /* samples before the wander is adapted */
#define FILTER_KF_RHO_WEIGHT 0.05  /* weight of one product in the mean correlation */
#define FILTER_KF_ADAPT_GAIN 0.05  /* log change of the wander per unit of correlation */
#define FILTER_KF_WANDER_MIN 1e-22 /* (s/s)^2 per s */
#define FILTER_KF_WANDER_MAX 1e-14
#define FILTER_KF_BOUND_SIGMAS 3.0 /* margin of the set-membership bound */
#define FILTER_KF_RESET_F_SD 10e-6 /* s/s: frequency uncertainty after a reset */
#define FILTER_KF_HULL_GATE 5.0    /* the hull's estimate is used within this many sd */

static double measurement_var(const struct filter *f, const struct filter_sample *s)
{
	/* The minimum delay in the window still holds some queueing (filter_queue_left). */
	double mind = filter_min_delay(f, 0);
	double q = filter_queue_left(filter_median_excess(f, 0, mind), mind);
	double e = s->delay - mind + q;
	return e * e / 12.0 + FILTER_FLOOR_ABS * FILTER_FLOOR_ABS;
}

static void predict(struct filter_kalman *k, double t, double q)
{
	double dt = t - k->t;
	if (dt <= 0)
		return;
	k->x += k->f * dt;
	k->p00 += 2 * dt * k->p01 + dt * dt * k->p11 + q * dt * dt * dt / 3;
	k->p01 += dt * k->p11 + q * dt * dt / 2;
	k->p11 += q * dt;
	k->t = t;
}

/* Adapt the wander: the innovations of a filter whose process noise is right are white. If
 * they are positively correlated the state lags the oscillator (wander too small); if
 * negatively, it chases the noise (too large). Nudge it by the mean lag-1 correlation. */
static void adapt_wander(struct filter *f, double u)
{
	struct filter_kalman *k = &f->kf;
	if (k->count >= FILTER_KF_ADAPT_AFTER) {
		k->rho += FILTER_KF_RHO_WEIGHT * (u * k->u_prev - k->rho);
		f->wander *= exp(FILTER_KF_ADAPT_GAIN * k->rho);
		f->wander = fmin(fmax(f->wander, FILTER_KF_WANDER_MIN), FILTER_KF_WANDER_MAX);
	}
	k->u_prev = u;
}

static void correct(struct filter_kalman *k, double z, double r)
{
	double s = k->p00 + r;
	double nu = z - k->x;
	double k0 = k->p00 / s, k1 = k->p01 / s;
	k->x += k0 * nu;
	k->f += k1 * nu;
	double p00 = k->p00, p01 = k->p01;
	k->p00 = (1 - k0) * p00;
	k->p01 = (1 - k0) * p01;
	k->p11 -= k1 * p01;
	if (k->p11 < 0)
		k->p11 = 0;
	k->jit2 += FILTER_KF_JIT_WEIGHT * (nu * nu - k->jit2);
	k->count++;
}

static void init_from(struct filter_kalman *k, const struct filter_sample *s, double r,
                      bool keep_freq)
{
	k->t = s->t;
	k->x = s->offset;
	k->p00 = r;
	k->p01 = 0;
	if (keep_freq && k->p11 < FILTER_KF_RESET_F_SD * FILTER_KF_RESET_F_SD)
		k->p11 = FILTER_KF_RESET_F_SD * FILTER_KF_RESET_F_SD;
	if (!keep_freq || !k->init) {
		k->f = 0;
		k->p11 = FILTER_KF_F0_SD * FILTER_KF_F0_SD;
		k->count = 0;
		k->jit2 = r;
	}
	k->init = true;
	k->count++;
	k->outliers = 0;
}

/* Set-membership bound: each sample with excess delay e says the raw offset at its time was
 * within +-(e + queueing left in the minimum) / 2 of its measurement. Carried to t with the
 * filter's frequency (widened by its uncertainty and the wander), their intersection bounds
 * the offset at t. Returns false when the intersection is empty (the bounds were too
 * optimistic), in which case nothing is clamped. */
static bool sample_bounds(const struct filter *f, double t, double *lo, double *hi)
{
	const struct filter_kalman *k = &f->kf;
	double mind = filter_min_delay(f, 0);
	double q = filter_queue_left(filter_median_excess(f, 0, mind), mind);
	double fsd = sqrt(k->p11);
	*lo = -INFINITY, *hi = INFINITY;
	for (int i = 0; i < f->n; i++) {
		const struct filter_sample *s = &f->s[(f->head + i) % FILTER_MAX_SAMPLES];
		double a = t - s->t;
		double half = (s->delay - mind + q) / 2 +
		              FILTER_KF_BOUND_SIGMAS *
		                      sqrt(fsd * fsd * a * a + f->wander * a * a * a / 3);
		double c = s->offset + k->f * a;
		*lo = fmax(*lo, c - half);
		*hi = fmin(*hi, c + half);
	}
	return *lo <= *hi;
}

/* Once enough recent samples bound it, the hull's line replaces the state's offset and
 * rate (filter_hull.c), unless it lies beyond FILTER_KF_HULL_GATE standard deviations of
 * the state (a polygon pinched by a sample the wander margin did not cover). The
 * covariance is kept: it still paces how the next samples are weighed. */
static void use_hull(struct filter *f)
{
	struct filter_kalman *k = &f->kf;
	double x, r;
	if (k->count < FILTER_HULL_MIN || !filter_hull_estimate(f, k->t, k->x, k->f, &x, &r))
		return;
	if (fabs(x - k->x) > FILTER_KF_HULL_GATE * sqrt(k->p00) ||
	    fabs(r - k->f) > FILTER_KF_HULL_GATE * sqrt(k->p11))
		return;
	k->x = x;
	k->f = r;
}

static void publish(struct filter *f, const struct filter_sample *last)
{
	const struct filter_kalman *k = &f->kf;
	struct filter_estimate *e = &f->est;
	double mind = filter_min_delay(f, 0);
	e->valid = true;
	e->n = k->count > FILTER_MAX_SAMPLES ? FILTER_MAX_SAMPLES : (int)k->count;
	e->t_ref = k->t;
	e->offset = k->x;
	e->freq = k->f;
	e->freq_valid = k->count >= 2;
	e->offset_sd = sqrt(k->p00);
	e->freq_sd = e->freq_valid ? sqrt(k->p11) : INFINITY;
	e->min_delay = mind;
	e->delay = last->delay;
	e->jitter = sqrt(k->jit2);
	e->dispersion = last->dispersion;
	e->span = last->t - f->s[f->head].t;
	double med = filter_median_excess(f, 0, mind);
	double q = filter_queue_left(med, mind);
	e->meas_sd = (med + q) / sqrt(12.0);
}

bool filter_kalman_update(struct filter *f, const struct filter_sample *s)
{
	struct filter_kalman *k = &f->kf;
	double r = measurement_var(f, s);
	if (!k->init) {
		init_from(k, s, r, false);
		publish(f, s);
		return true;
	}
	predict(k, s->t, f->wander);
	double nu = s->offset - k->x, sd = sqrt(k->p00 + r);
	if (k->count >= FILTER_KF_MIN_GATED && fabs(nu) > FILTER_KF_GATE * sd) {
		f->rejected_outliers++;
		if (++k->outliers < FILTER_KF_RESET) {
			publish(f, s);
			return false;
		}
		init_from(k, s, r, true); /* the source's time moved: follow it */
		publish(f, s);
		return true;
	}
	k->outliers = 0;
	adapt_wander(f, nu / sd);
	correct(k, s->offset, r);
	double lo, hi;
	if (k->count >= FILTER_KF_MIN_GATED && sample_bounds(f, k->t, &lo, &hi))
		k->x = fmin(fmax(k->x, lo), hi);
	use_hull(f);
	publish(f, s);
	return true;
}
