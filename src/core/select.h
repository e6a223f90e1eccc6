/* select: source selection, sans I/O. A pure function of the current estimate of every
 * source: which are truechimers, which are falsetickers, which is the system peer, and the
 * combined offset (RFC 5905 section 11.2, with ntpd's overlap rule in the intersection).
 *
 * Stages:
 *  1. Gates. Each candidate is checked in this order and the FIRST failing gate is its
 *     status: UNREACHABLE, UNSYNC (leap 3), BAD_STRATUM (outside 1..min(max_stratum, 15)),
 *     TOO_FAR (root distance > max_distance, or offset/distance/jitter not finite or
 *     negative: an unknown distance is an unbounded one), LOOP, NOSELECT. The rest are "fit".
 *  2. Intersection over the m fit candidates. Each one is the closed correctness interval
 *     [offset - root_distance, offset + root_distance]. For f = 0, 1, ... while f < m / 2:
 *     scan the sorted low/high endpoints upwards until m - f intervals are open (that point
 *     is l) and downwards likewise (u); stop at the first f with l <= u. This is the RFC
 *     5905 section 11.2.1 loop in the ntpd 4.2.8 variant: midpoints are NOT counted, and a
 *     truechimer is any fit candidate whose interval overlaps [l, u]; the others are
 *     FALSETICKERs. [l, u] spans the points covered by the most intervals, and success means
 *     that more than m / 2 intervals share a point (a majority clique, as in chrony).
 *     Why not the RFC midpoint rule: it also demands that at most f midpoints lie outside
 *     [l, u], so two sources that agree but are not within each other's error bars
 *     (0 +- 1 s and 1.5 +- 1 s: they share [0.5, 1]) would have no majority; with the
 *     overlap rule they are both truechimers. Intervals are closed: touching ones agree.
 *     If no f succeeds, every fit candidate is NO_MAJORITY and nothing is selected.
 *  3. min_sources: fewer truechimers than that -> they are all TOO_FEW, nothing selected.
 *  4. Clustering (section 11.2.2) over the truechimers, ranked by the metric
 *     stratum * max_distance + root_distance (ties: lower index first). The selection
 *     jitter of a survivor s is sqrt(sum_j (offset_s - offset_j)^2 / (n - 1)) over the n
 *     survivors. While more than min_cluster survive and the largest selection jitter
 *     exceeds the smallest peer jitter, the survivor with the largest one (ties: the worse
 *     ranked) is dropped as CANDIDATE (an outlier, but not a falseticker). PSI_s is the
 *     final largest selection jitter (0 with one survivor).
 *  5. System peer: the first ranked survivor, unless the current system peer
 *     (params.system_peer) survived with the same stratum as the first (anti-clockhop).
 *     It is SELECTED; the other survivors are COMBINED.
 *  6. Combining (section 11.2.3) over the survivors with weights w = 1 / root_distance
 *     (a root distance below SELECT_MIN_WEIGHT_DISTANCE counts as that):
 *       offset = sum w_i offset_i / sum w_i
 *       PSI_p  = sqrt(sum w_i (offset_i - offset_peer)^2 / sum w_i)
 *       jitter = sqrt(PSI_s^2 + PSI_p^2)
 *     The combined offset is not clamped to [l, u]: it can lie outside it when wide
 *     intervals far from the intersection carry enough weight. It lies within the harmonic
 *     mean of the survivors' root distances of any value all survivors' intervals contain.
 *
 * Small numbers of sources:
 *   - one fit source: a majority of one; it is SELECTED (if min_sources <= 1). Nothing
 *     can tell whether it is a falseticker.
 *   - two whose intervals overlap: both truechimers, both used.
 *   - two that disagree: no majority, both NO_MAJORITY, unsynchronised: there is no way to
 *     tell which one is wrong.
 *   - three: one falseticker is outvoted, but once any one source is lost the remaining two
 *     cannot resolve a disagreement. Hence four sources are recommended (RFC 8633): one
 *     falseticker is still outvoted with one other source unreachable.
 *
 * Units: seconds. Signs: offset = server minus local (positive = local clock behind).
 * No allocation, no globals; the caller provides the arrays (at most SELECT_MAX_CANDIDATES).
 */
#ifndef STRATA_CORE_SELECT_H
#define STRATA_CORE_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#define SELECT_MAX_CANDIDATES 64
#define SELECT_DEFAULT_MAX_DISTANCE 1.5 /* s, ntpd's tos maxdist (RFC 5905: 1 s) */
#define SELECT_DEFAULT_MAX_STRATUM 15   /* highest usable stratum */
#define SELECT_DEFAULT_MIN_SOURCES 1    /* RFC 5905 CMIN / ntpd minsane / chrony minsources */
#define SELECT_DEFAULT_MIN_CLUSTER 3    /* RFC 5905 NMIN / ntpd minclock */
#define SELECT_MIN_WEIGHT_DISTANCE 1e-9 /* s, floor of the root distance in the weights */

/* Filled by the caller from a source's filter estimate. root_distance is lambda: half the
 * root delay + root dispersion + our delay / 2 + dispersion + jitter; it is the half-width of
 * the source's correctness interval [offset - root_distance, offset + root_distance]. */
struct select_candidate {
	double offset;        /* s, server minus local (positive = local clock behind) */
	double root_distance; /* s, lambda, >= 0 */
	double jitter;        /* s, the source's own (peer) jitter, >= 0 */
	int stratum;          /* 1..15 for a usable source; 0 or >= 16 = unsynchronised */
	int leap;             /* 0..3 (3 = alarm: the source is not synchronised) */
	bool reachable;       /* reach register != 0 */
	bool loop;            /* its refid is us / our system refid (synchronised to us) */
	bool noselect;        /* configured not to be selected */
};

struct select_params {
	double max_distance; /* s, > 0: candidates with a larger root distance are "too far" */
	int max_stratum;     /* highest acceptable stratum (values above 15 act as 15) */
	int min_sources;     /* fewer truechimers than this -> no selection (< 1 acts as 1) */
	int min_cluster;     /* clustering never drops below this many survivors (< 1 acts as 1) */
	int system_peer;     /* index of the current system peer, or -1 (out of range = none) */
};

enum select_status {
	SELECT_SELECTED,    /* the system peer */
	SELECT_COMBINED,    /* another survivor of clustering, used in the combined offset */
	SELECT_CANDIDATE,   /* truechimer dropped by clustering (an outlier), not used */
	SELECT_FALSETICKER, /* fit, but its interval misses the majority's intersection */
	SELECT_TOO_FAR,     /* root distance above max_distance (or not a valid number) */
	SELECT_BAD_STRATUM, /* stratum outside 1..max_stratum */
	SELECT_UNSYNC,      /* leap indicator 3 (alarm) or not a valid leap value */
	SELECT_UNREACHABLE, /* reach register is zero (also: status[i] for i >= n) */
	SELECT_LOOP,        /* synchronised to us: using it would form a timing loop */
	SELECT_NOSELECT,    /* configured noselect */
	SELECT_NO_MAJORITY, /* fit, but no point is shared by more than half of the fit ones */
	SELECT_TOO_FEW,     /* truechimer, but there are fewer truechimers than min_sources */
};

struct select_result {
	bool synchronised;    /* a system peer was chosen */
	int system_peer;      /* index into the candidates, -1 if none */
	double offset;        /* s, combined offset of the survivors (weights 1 / root_distance) */
	double jitter;        /* s, system jitter sqrt(PSI_s^2 + PSI_p^2) */
	double root_distance; /* s, of the system peer (0 if none) */
	double low, high;     /* s, the intersection [l, u] (both 0 if no majority) */
	int n_fit;            /* candidates that passed every gate */
	int n_truechimers;    /* fit candidates overlapping [l, u] (0 if no majority) */
	int n_survivors;      /* survivors of clustering: SELECTED + COMBINED (0 if none) */
	enum select_status status[SELECT_MAX_CANDIDATES]; /* per candidate */
};

/* Defaults: max_distance 1.5 s, max_stratum 15, min_sources 1, min_cluster 3, no peer. */
void select_params_default(struct select_params *p);

/* Run selection over c[0..n-1]. Returns 0, or -EINVAL if n > SELECT_MAX_CANDIDATES, p or out
 * is NULL, c is NULL with n > 0, or p->max_distance is not a positive finite number. On
 * -EINVAL a non-NULL out is still filled as "unsynchronised, every status UNREACHABLE". */
int select_run(const struct select_candidate *c, size_t n, const struct select_params *p,
               struct select_result *out);

/* A short lower-case name: "selected", "combined", "falseticker", "too far", ... */
const char *select_status_str(enum select_status s);

#endif
