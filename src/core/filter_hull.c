/* filter_hull: the (offset, rate) lines every recent sample allows; see filter_priv.h.
 *
 * A sample with queueing e above the minimum delay says the raw offset at its time lay
 * within +-(e + q)/2 of its measurement (q: the queueing still hidden in the minimum), i.e.
 * between the backward one-way bound T3 - T4 and the forward one T2 - T1. A line
 * offset(t') = a + b (t' - t) through the last FILTER_HULL_SPAN seconds must pass every such
 * band, widened by FILTER_HULL_WANDER_SIGMAS standard deviations of the wander's departure
 * from a line. The bands cut a convex polygon out of the (a, b) plane; its centroid is the
 * estimate. For exponential queueing the polygon's width shrinks like 1/n (the minimum of n
 * one-way delays), faster than the 1/sqrt(n) of any weighted average. No allocation.
 */
#include <math.h>

#include "core/filter_priv.h"

#define HULL_MAX_V (8 + 2 * FILTER_MAX_SAMPLES)
#define HULL_RATE_SCALE 1e3 /* b is kept in s per 1000 s, near a's scale */

struct hull_pt {
	double a, b;
};

/* Clip the convex polygon p (n vertices) to c0 a + c1 b <= c2; returns the vertex count. */
static int hull_clip(struct hull_pt *p, int n, double c0, double c1, double c2)
{
	struct hull_pt out[HULL_MAX_V];
	int m = 0;
	for (int i = 0; i < n && m < HULL_MAX_V - 1; i++) {
		const struct hull_pt *u = &p[i], *v = &p[(i + 1) % n];
		double du = c0 * u->a + c1 * u->b - c2, dv = c0 * v->a + c1 * v->b - c2;
		if (du <= 0)
			out[m++] = *u;
		if ((du < 0 && dv > 0) || (du > 0 && dv < 0)) {
			double s = du / (du - dv);
			out[m++] = (struct hull_pt){u->a + s * (v->a - u->a),
			                            u->b + s * (v->b - u->b)};
		}
	}
	for (int i = 0; i < m; i++)
		p[i] = out[i];
	return m;
}

/* The centroid of polygon p (n >= 3 vertices); false if it has no area. */
static bool hull_centroid(const struct hull_pt *p, int n, double *a, double *b)
{
	double area = 0, ca = 0, cb = 0;
	for (int i = 0; i < n; i++) {
		const struct hull_pt *u = &p[i], *v = &p[(i + 1) % n];
		double cr = u->a * v->b - v->a * u->b;
		area += cr;
		ca += (u->a + v->a) * cr;
		cb += (u->b + v->b) * cr;
	}
	if (!(fabs(area) > 0) || !isfinite(area))
		return false;
	*a = ca / (3 * area);
	*b = cb / (3 * area);
	return true;
}

/* Samples of the window no older than FILTER_HULL_SPAN at t. */
static int hull_recent(const struct filter *f, double t)
{
	int used = 0;
	for (int i = 0; i < f->n; i++)
		if (t - f->s[(f->head + i) % FILTER_MAX_SAMPLES].t <= FILTER_HULL_SPAN)
			used++;
	return used;
}

bool filter_hull_estimate(const struct filter *f, double t, double x0, double f0, double *offset,
                          double *rate)
{
	double mind = filter_min_delay(f, 0);
	double q = filter_queue_left(filter_median_excess(f, 0, mind), mind);
	double b0 = f0 * HULL_RATE_SCALE;
	struct hull_pt p[HULL_MAX_V] = {
	        {x0 - 1, b0 - 1}, {x0 + 1, b0 - 1}, {x0 + 1, b0 + 1}, {x0 - 1, b0 + 1}};
	int n = 4;

	if (hull_recent(f, t) < FILTER_HULL_MIN)
		return false;
	for (int i = 0; i < f->n && n >= 3; i++) {
		const struct filter_sample *s = &f->s[(f->head + i) % FILTER_MAX_SAMPLES];
		double age = t - s->t;
		if (age > FILTER_HULL_SPAN)
			continue;
		double tau = -age / HULL_RATE_SCALE;
		double half = (s->delay - mind + q) / 2 +
		              FILTER_HULL_WANDER_SIGMAS * sqrt(f->wander * age * age * age / 3);
		n = hull_clip(p, n, 1, tau, s->offset + half);
		if (n >= 3)
			n = hull_clip(p, n, -1, -tau, half - s->offset);
	}
	double a, b;
	if (n < 3 || !hull_centroid(p, n, &a, &b))
		return false;
	*offset = a;
	*rate = b / HULL_RATE_SCALE;
	return true;
}
