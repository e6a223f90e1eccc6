/* select: gates, intersection (ntpd overlap variant), clustering, combining; see select.h. */
#include "core/select.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SELECT_STRATUM_LIMIT 15 /* stratum 16 and above is unsynchronised on the wire */

/* One end of a correctness interval. */
struct endpoint {
	double value; /* s */
	int type;     /* -1 = low end (an interval opens), +1 = high end (it closes) */
};

/* Working state of one run; lives on the caller's stack. */
struct work {
	const struct select_candidate *c;
	const struct select_params *p;
	struct select_result *out;
	int fit[SELECT_MAX_CANDIDATES];  /* indices of fit candidates */
	int m;                           /* number of fit candidates */
	int surv[SELECT_MAX_CANDIDATES]; /* indices of survivors, best ranked first */
	int ns;                          /* number of survivors */
	double psi_s;                    /* s, final largest selection jitter */
};

void select_params_default(struct select_params *p)
{
	p->max_distance = SELECT_DEFAULT_MAX_DISTANCE;
	p->max_stratum = SELECT_DEFAULT_MAX_STRATUM;
	p->min_sources = SELECT_DEFAULT_MIN_SOURCES;
	p->min_cluster = SELECT_DEFAULT_MIN_CLUSTER;
	p->system_peer = -1;
}

const char *select_status_str(enum select_status s)
{
	switch (s) {
	case SELECT_SELECTED:
		return "selected";
	case SELECT_COMBINED:
		return "combined";
	case SELECT_CANDIDATE:
		return "candidate";
	case SELECT_FALSETICKER:
		return "falseticker";
	case SELECT_TOO_FAR:
		return "too far";
	case SELECT_BAD_STRATUM:
		return "bad stratum";
	case SELECT_UNSYNC:
		return "unsynchronised";
	case SELECT_UNREACHABLE:
		return "unreachable";
	case SELECT_LOOP:
		return "loop";
	case SELECT_NOSELECT:
		return "noselect";
	case SELECT_NO_MAJORITY:
		return "no majority";
	case SELECT_TOO_FEW:
		return "too few";
	}
	return "unknown";
}

static void result_clear(struct select_result *out)
{
	memset(out, 0, sizeof(*out));
	out->synchronised = false;
	out->system_peer = -1;
	for (size_t i = 0; i < SELECT_MAX_CANDIDATES; i++)
		out->status[i] = SELECT_UNREACHABLE;
}

/* A distance, offset or jitter the selection can work with. */
static bool valid_number(double x, bool nonneg)
{
	return isfinite(x) && (!nonneg || x >= 0.0);
}

/* Stage 1: the first failing gate, or SELECT_SELECTED meaning "fit". */
static enum select_status gate(const struct select_candidate *c, const struct select_params *p)
{
	int max_stratum =
	        p->max_stratum < SELECT_STRATUM_LIMIT ? p->max_stratum : SELECT_STRATUM_LIMIT;
	if (!c->reachable)
		return SELECT_UNREACHABLE;
	if (c->leap < 0 || c->leap >= 3)
		return SELECT_UNSYNC;
	if (c->stratum < 1 || c->stratum > max_stratum)
		return SELECT_BAD_STRATUM;
	if (!valid_number(c->offset, false) || !valid_number(c->root_distance, true) ||
	    !valid_number(c->jitter, true) || c->root_distance > p->max_distance)
		return SELECT_TOO_FAR;
	if (c->loop)
		return SELECT_LOOP;
	if (c->noselect)
		return SELECT_NOSELECT;
	return SELECT_SELECTED;
}

static void run_gates(struct work *w, size_t n)
{
	w->m = 0;
	for (size_t i = 0; i < n; i++) {
		enum select_status st = gate(&w->c[i], w->p);
		w->out->status[i] = st;
		if (st == SELECT_SELECTED)
			w->fit[w->m++] = (int)i;
	}
	w->out->n_fit = w->m;
}

/* Ascending by value; at equal values lows first, so touching closed intervals overlap. */
static int endpoint_cmp(const void *a, const void *b)
{
	const struct endpoint *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->type - y->type;
}

/* Lowest point covered by at least need intervals (upward scan), or NAN. */
static double scan_up(const struct endpoint *e, int ne, int need)
{
	int open = 0;
	for (int i = 0; i < ne; i++) {
		open -= e[i].type;
		if (open >= need)
			return e[i].value;
	}
	return NAN;
}

/* Highest point covered by at least need intervals (downward scan), or NAN. */
static double scan_down(const struct endpoint *e, int ne, int need)
{
	int open = 0;
	for (int i = ne - 1; i >= 0; i--) {
		open += e[i].type;
		if (open >= need)
			return e[i].value;
	}
	return NAN;
}

/* Stage 2: find [l, u] for the smallest f < m / 2. Returns false if there is no majority. */
static bool intersect(const struct work *w, double *l, double *u)
{
	struct endpoint e[2 * SELECT_MAX_CANDIDATES];
	int ne = 0;
	for (int k = 0; k < w->m; k++) {
		const struct select_candidate *c = &w->c[w->fit[k]];
		e[ne++] = (struct endpoint){c->offset - c->root_distance, -1};
		e[ne++] = (struct endpoint){c->offset + c->root_distance, +1};
	}
	if (ne == 0)
		return false;
	qsort(e, (size_t)ne, sizeof(e[0]), endpoint_cmp);
	for (int f = 0; 2 * f < w->m; f++) {
		*l = scan_up(e, ne, w->m - f);
		*u = scan_down(e, ne, w->m - f);
		if (!isnan(*l) && !isnan(*u) && *l <= *u)
			return true;
	}
	return false;
}

static bool overlaps(const struct select_candidate *c, double l, double u)
{
	return c->offset + c->root_distance >= l && c->offset - c->root_distance <= u;
}

static double rank_metric(const struct work *w, int i)
{
	return w->c[i].stratum * w->p->max_distance + w->c[i].root_distance;
}

/* Insert candidate i into the survivor list, keeping it sorted by metric (stable). */
static void rank_insert(struct work *w, int i)
{
	int k = w->ns++;
	while (k > 0 && rank_metric(w, w->surv[k - 1]) > rank_metric(w, i)) {
		w->surv[k] = w->surv[k - 1];
		k--;
	}
	w->surv[k] = i;
}

/* Stages 2 and 3: mark truechimers and falsetickers; collect the ranked survivors. */
static bool classify(struct work *w)
{
	struct select_result *out = w->out;
	double l, u;
	if (!intersect(w, &l, &u)) {
		for (int k = 0; k < w->m; k++)
			out->status[w->fit[k]] = SELECT_NO_MAJORITY;
		return false;
	}
	out->low = l;
	out->high = u;
	w->ns = 0;
	for (int k = 0; k < w->m; k++) {
		int i = w->fit[k];
		if (overlaps(&w->c[i], l, u)) {
			out->status[i] = SELECT_COMBINED;
			rank_insert(w, i);
		} else {
			out->status[i] = SELECT_FALSETICKER;
		}
	}
	out->n_truechimers = w->ns;
	int min_sources = w->p->min_sources > 1 ? w->p->min_sources : 1;
	if (w->ns >= min_sources)
		return true;
	for (int k = 0; k < w->ns; k++)
		out->status[w->surv[k]] = SELECT_TOO_FEW;
	return false;
}

/* Selection jitter of survivor k: RMS offset difference to the other survivors, s. */
static double selection_jitter(const struct work *w, int k)
{
	double sum = 0.0, x = w->c[w->surv[k]].offset;
	if (w->ns < 2)
		return 0.0;
	for (int j = 0; j < w->ns; j++) {
		double d = x - w->c[w->surv[j]].offset;
		sum += d * d;
	}
	return sqrt(sum / (w->ns - 1));
}

/* One clustering round: returns the index in surv[] to drop, or -1 to stop. */
static int cluster_round(struct work *w, int min_cluster)
{
	double psi_max = -1.0, psi_min = INFINITY;
	int worst = -1;
	for (int k = 0; k < w->ns; k++) {
		double s = selection_jitter(w, k);
		if (s >= psi_max) { /* >=: among ties, drop the worse ranked */
			psi_max = s;
			worst = k;
		}
		psi_min = fmin(psi_min, w->c[w->surv[k]].jitter);
	}
	w->psi_s = psi_max > 0.0 ? psi_max : 0.0;
	if (w->ns <= min_cluster || psi_max <= psi_min)
		return -1;
	return worst;
}

/* Stage 4: drop outliers while the cluster is wider than its best member's own noise. */
static void cluster(struct work *w)
{
	int min_cluster = w->p->min_cluster > 1 ? w->p->min_cluster : 1;
	int k;
	while ((k = cluster_round(w, min_cluster)) >= 0) {
		w->out->status[w->surv[k]] = SELECT_CANDIDATE;
		memmove(&w->surv[k], &w->surv[k + 1], (size_t)(w->ns - k - 1) * sizeof(w->surv[0]));
		w->ns--;
	}
	w->out->n_survivors = w->ns;
}

/* Stage 5: the first ranked survivor, or the current peer if it survived at that stratum. */
static int pick_peer(const struct work *w, size_t n)
{
	int best = w->surv[0], cur = w->p->system_peer;
	if (cur < 0 || (size_t)cur >= n || w->out->status[cur] != SELECT_COMBINED)
		return best;
	return w->c[cur].stratum == w->c[best].stratum ? cur : best;
}

/* Stage 6: weighted offset and system jitter of the survivors. */
static void combine(struct work *w, int peer)
{
	double sw = 0.0, so = 0.0, sj = 0.0, x0 = w->c[peer].offset;
	for (int k = 0; k < w->ns; k++) {
		const struct select_candidate *c = &w->c[w->surv[k]];
		double wt = 1.0 / fmax(c->root_distance, SELECT_MIN_WEIGHT_DISTANCE);
		double d = c->offset - x0;
		sw += wt;
		so += wt * c->offset;
		sj += wt * d * d;
	}
	w->out->offset = so / sw;
	w->out->jitter = sqrt(w->psi_s * w->psi_s + sj / sw);
}

int select_run(const struct select_candidate *c, size_t n, const struct select_params *p,
               struct select_result *out)
{
	if (out)
		result_clear(out);
	if (!out || !p || (!c && n > 0) || n > SELECT_MAX_CANDIDATES ||
	    !(isfinite(p->max_distance) && p->max_distance > 0.0))
		return -EINVAL;
	struct work w = {.c = c, .p = p, .out = out};
	run_gates(&w, n);
	if (!classify(&w))
		return 0;
	cluster(&w);
	int peer = pick_peer(&w, n);
	out->status[peer] = SELECT_SELECTED;
	out->system_peer = peer;
	out->synchronised = true;
	out->root_distance = c[peer].root_distance;
	combine(&w, peer);
	return 0;
}
