/* Unit tests for core/select: gates, intersection, clustering, system peer, combining. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/select.h"
#include "check_run.h"

#define SEED 20260611u
#define RANDOM_TRIALS 20000

/* A fit stratum-2 candidate with the given offset and root distance (s). */
static struct select_candidate cand(double offset, double root_distance)
{
	return (struct select_candidate){.offset = offset,
	                                 .root_distance = root_distance,
	                                 .jitter = 1e-4,
	                                 .stratum = 2,
	                                 .leap = 0,
	                                 .reachable = true};
}

static struct select_params params(void)
{
	struct select_params p;
	select_params_default(&p);
	return p;
}

static void run(const struct select_candidate *c, size_t n, const struct select_params *p,
                struct select_result *r)
{
	ck_assert_int_eq(select_run(c, n, p, r), 0);
}

static bool used(enum select_status s)
{
	return s == SELECT_SELECTED || s == SELECT_COMBINED;
}

static bool truechimer(enum select_status s)
{
	return used(s) || s == SELECT_CANDIDATE;
}

/* The status a single candidate gets when run alone. */
static enum select_status alone(struct select_candidate c, const struct select_params *p)
{
	struct select_result r;
	run(&c, 1, p, &r);
	ck_assert_int_eq(r.synchronised, r.status[0] == SELECT_SELECTED);
	return r.status[0];
}

START_TEST(defaults_and_names)
{
	struct select_params p = params();
	ck_assert_double_eq(p.max_distance, 1.5);
	ck_assert_int_eq(p.max_stratum, 15);
	ck_assert_int_eq(p.min_sources, 1);
	ck_assert_int_eq(p.min_cluster, 3);
	ck_assert_int_eq(p.system_peer, -1);
	ck_assert_str_eq(select_status_str(SELECT_SELECTED), "selected");
	ck_assert_str_eq(select_status_str(SELECT_COMBINED), "combined");
	ck_assert_str_eq(select_status_str(SELECT_FALSETICKER), "falseticker");
	ck_assert_str_eq(select_status_str(SELECT_TOO_FAR), "too far");
	ck_assert_str_eq(select_status_str((enum select_status)99), "unknown");
	/* Every status has its own name. */
	for (int a = SELECT_SELECTED; a <= SELECT_TOO_FEW; a++)
		for (int b = a + 1; b <= SELECT_TOO_FEW; b++)
			ck_assert_str_ne(select_status_str((enum select_status)a),
			                 select_status_str((enum select_status)b));
}
END_TEST

START_TEST(each_gate)
{
	struct select_params p = params();
	struct select_candidate c = cand(0.01, 0.05);
	ck_assert_int_eq(alone(c, &p), SELECT_SELECTED);

	c = cand(0.01, 0.05), c.reachable = false;
	ck_assert_int_eq(alone(c, &p), SELECT_UNREACHABLE);
	c = cand(0.01, 0.05), c.leap = 3;
	ck_assert_int_eq(alone(c, &p), SELECT_UNSYNC);
	c = cand(0.01, 0.05), c.leap = 7;
	ck_assert_int_eq(alone(c, &p), SELECT_UNSYNC);
	c = cand(0.01, 0.05), c.leap = 1; /* a leap warning is not a gate */
	ck_assert_int_eq(alone(c, &p), SELECT_SELECTED);
	c = cand(0.01, 0.05), c.stratum = 0;
	ck_assert_int_eq(alone(c, &p), SELECT_BAD_STRATUM);
	c = cand(0.01, 0.05), c.stratum = 16;
	ck_assert_int_eq(alone(c, &p), SELECT_BAD_STRATUM);
	c = cand(0.01, 0.05), c.stratum = 15;
	ck_assert_int_eq(alone(c, &p), SELECT_SELECTED);
	c = cand(0.01, 0.05), c.root_distance = 1.6;
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
	c = cand(0.01, 0.05), c.root_distance = 1.5; /* the limit itself is accepted */
	ck_assert_int_eq(alone(c, &p), SELECT_SELECTED);
	c = cand(0.01, 0.05), c.loop = true;
	ck_assert_int_eq(alone(c, &p), SELECT_LOOP);
	c = cand(0.01, 0.05), c.noselect = true;
	ck_assert_int_eq(alone(c, &p), SELECT_NOSELECT);

	/* Configured limits. */
	p.max_stratum = 3;
	c = cand(0.01, 0.05), c.stratum = 4;
	ck_assert_int_eq(alone(c, &p), SELECT_BAD_STRATUM);
	p.max_stratum = 99; /* acts as 15: stratum 16 is never usable */
	c.stratum = 16;
	ck_assert_int_eq(alone(c, &p), SELECT_BAD_STRATUM);
	p = params();
	p.max_distance = 0.01;
	c = cand(0.01, 0.05);
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
}
END_TEST

START_TEST(invalid_numbers_are_too_far)
{
	struct select_params p = params();
	struct select_candidate c = cand(NAN, 0.05);
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
	c = cand(INFINITY, 0.05);
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
	c = cand(0.0, NAN);
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
	c = cand(0.0, -0.01);
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
	c = cand(0.0, 0.05), c.jitter = NAN;
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
}
END_TEST

START_TEST(first_failing_gate_wins)
{
	struct select_params p = params();
	struct select_candidate c = cand(0.0, 9.0);
	c.reachable = false, c.leap = 3, c.stratum = 16, c.loop = true, c.noselect = true;
	ck_assert_int_eq(alone(c, &p), SELECT_UNREACHABLE);
	c.reachable = true;
	ck_assert_int_eq(alone(c, &p), SELECT_UNSYNC);
	c.leap = 0;
	ck_assert_int_eq(alone(c, &p), SELECT_BAD_STRATUM);
	c.stratum = 2;
	ck_assert_int_eq(alone(c, &p), SELECT_TOO_FAR);
	c.root_distance = 0.1;
	ck_assert_int_eq(alone(c, &p), SELECT_LOOP);
	c.loop = false;
	ck_assert_int_eq(alone(c, &p), SELECT_NOSELECT);
	c.noselect = false;
	ck_assert_int_eq(alone(c, &p), SELECT_SELECTED);
}
END_TEST

START_TEST(unfit_candidates_do_not_vote)
{
	/* Two agreeing fit sources and three unfit ones that would outvote them. */
	struct select_candidate c[5] = {cand(0.0, 0.01), cand(0.005, 0.01), cand(1.0, 0.01),
	                                cand(1.0, 0.01), cand(1.0, 0.01)};
	c[2].reachable = false, c[3].loop = true, c[4].stratum = 16;
	struct select_params p = params();
	struct select_result r;
	run(c, 5, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.n_fit, 2);
	ck_assert_int_eq(r.n_truechimers, 2);
	ck_assert_int_eq(r.status[2], SELECT_UNREACHABLE);
	ck_assert_int_eq(r.status[3], SELECT_LOOP);
	ck_assert_int_eq(r.status[4], SELECT_BAD_STRATUM);
	ck_assert(used(r.status[0]) && used(r.status[1]));
}
END_TEST

START_TEST(one_source)
{
	struct select_candidate c = cand(-0.25, 0.03);
	c.jitter = 2e-3;
	struct select_params p = params();
	struct select_result r;
	run(&c, 1, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.system_peer, 0);
	ck_assert_int_eq(r.status[0], SELECT_SELECTED);
	ck_assert_int_eq(r.n_fit, 1);
	ck_assert_int_eq(r.n_truechimers, 1);
	ck_assert_int_eq(r.n_survivors, 1);
	ck_assert_double_eq_tol(r.offset, -0.25, 1e-15);
	ck_assert_double_eq_tol(r.root_distance, 0.03, 1e-15);
	ck_assert_double_eq_tol(r.jitter, 0.0, 1e-15); /* no spread between sources */
	ck_assert_double_eq_tol(r.low, -0.28, 1e-12);
	ck_assert_double_eq_tol(r.high, -0.22, 1e-12);
	ck_assert_int_eq(r.status[1], SELECT_UNREACHABLE); /* beyond n */
}
END_TEST

START_TEST(two_agreeing)
{
	/* 0 +- 1 and 1.5 +- 1: neither midpoint is inside the other's interval (the RFC
	 * midpoint rule would find no majority) but they share [0.5, 1]. */
	struct select_candidate c[2] = {cand(0.0, 1.0), cand(1.5, 1.0)};
	struct select_params p = params();
	struct select_result r;
	run(c, 2, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.n_truechimers, 2);
	ck_assert_int_eq(r.n_survivors, 2);
	ck_assert_int_eq(r.system_peer, 0); /* equal metric: lower index first */
	ck_assert_int_eq(r.status[0], SELECT_SELECTED);
	ck_assert_int_eq(r.status[1], SELECT_COMBINED);
	ck_assert_double_eq_tol(r.low, 0.5, 1e-15);
	ck_assert_double_eq_tol(r.high, 1.0, 1e-15);
	ck_assert_double_eq_tol(r.offset, 0.75, 1e-15);

	/* Touching closed intervals agree: the intersection is one point. */
	struct select_candidate t[2] = {cand(0.0, 0.5), cand(1.0, 0.5)};
	run(t, 2, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.n_truechimers, 2);
	ck_assert_double_eq(r.low, 0.5);
	ck_assert_double_eq(r.high, 0.5);
}
END_TEST

START_TEST(two_disagreeing)
{
	struct select_candidate c[2] = {cand(0.0, 0.01), cand(0.1, 0.01)};
	struct select_params p = params();
	struct select_result r;
	run(c, 2, &p, &r);
	ck_assert(!r.synchronised);
	ck_assert_int_eq(r.system_peer, -1);
	ck_assert_int_eq(r.n_fit, 2);
	ck_assert_int_eq(r.n_truechimers, 0);
	ck_assert_int_eq(r.n_survivors, 0);
	ck_assert_int_eq(r.status[0], SELECT_NO_MAJORITY);
	ck_assert_int_eq(r.status[1], SELECT_NO_MAJORITY);
	ck_assert_double_eq(r.offset, 0.0);
}
END_TEST

START_TEST(three_one_falseticker)
{
	struct select_candidate c[3] = {cand(0.002, 0.01), cand(0.5, 0.01), cand(-0.001, 0.01)};
	struct select_params p = params();
	struct select_result r;
	run(c, 3, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.status[1], SELECT_FALSETICKER);
	ck_assert(used(r.status[0]) && used(r.status[2]));
	ck_assert_int_eq(r.n_truechimers, 2);
	ck_assert_double_eq_tol(r.offset, 0.0005, 1e-15);
	ck_assert(r.low <= r.high && r.low >= -0.011 && r.high <= 0.012);
}
END_TEST

START_TEST(four_first_one_second_off)
{
	/* lan-poll6-falseticker: srv0 1.0 s off and the tightest, so it would rank first. */
	struct select_candidate c[4] = {cand(1.0, 0.002), cand(0.0001, 0.003), cand(-0.0002, 0.003),
	                                cand(0.0003, 0.004)};
	struct select_params p = params();
	struct select_result r;
	for (int peer = -1; peer < 4; peer++) {
		p.system_peer = peer; /* even as the current system peer */
		run(c, 4, &p, &r);
		ck_assert(r.synchronised);
		ck_assert_int_eq(r.status[0], SELECT_FALSETICKER);
		ck_assert_int_ne(r.system_peer, 0);
		ck_assert_int_eq(r.n_truechimers, 3);
		ck_assert_int_eq(r.n_survivors, 3);
		ck_assert(fabs(r.offset) < 1e-3);
	}
	p.system_peer = -1;
	run(c, 4, &p, &r);
	ck_assert_int_eq(r.system_peer, 1);
}
END_TEST

START_TEST(five_two_falsetickers)
{
	struct select_params p = params();
	struct select_result r;
	/* Opposite sides. */
	struct select_candidate a[5] = {cand(-0.3, 0.01), cand(0.001, 0.01), cand(0.3, 0.01),
	                                cand(0.0, 0.01), cand(-0.002, 0.01)};
	run(a, 5, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.status[0], SELECT_FALSETICKER);
	ck_assert_int_eq(r.status[2], SELECT_FALSETICKER);
	ck_assert(used(r.status[1]) && used(r.status[3]) && used(r.status[4]));
	ck_assert_int_eq(r.n_truechimers, 3);
	/* Same side, agreeing with each other: two against three. */
	struct select_candidate b[5] = {cand(0.3, 0.01), cand(0.001, 0.01), cand(0.305, 0.01),
	                                cand(0.0, 0.01), cand(-0.002, 0.01)};
	run(b, 5, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.status[0], SELECT_FALSETICKER);
	ck_assert_int_eq(r.status[2], SELECT_FALSETICKER);
	ck_assert(used(r.status[1]) && used(r.status[3]) && used(r.status[4]));
	ck_assert(fabs(r.offset) < 0.002);
	/* Three falsetickers agreeing outvote two: the majority wins whatever it says. */
	b[1].offset = 0.31;
	run(b, 5, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.status[3], SELECT_FALSETICKER);
	ck_assert_int_eq(r.status[4], SELECT_FALSETICKER);
	ck_assert(r.offset > 0.29);
}
END_TEST

START_TEST(no_majority_among_many)
{
	/* Four sources, each disagreeing with all others. */
	struct select_candidate c[4] = {cand(0.0, 0.01), cand(0.1, 0.01), cand(0.2, 0.01),
	                                cand(0.3, 0.01)};
	struct select_params p = params();
	struct select_result r;
	run(c, 4, &p, &r);
	ck_assert(!r.synchronised);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(r.status[i], SELECT_NO_MAJORITY);
	/* Two pairs: two is not more than half of four. */
	c[1].offset = 0.0, c[3].offset = 0.2;
	run(c, 4, &p, &r);
	ck_assert(!r.synchronised);
	ck_assert_int_eq(r.status[0], SELECT_NO_MAJORITY);
}
END_TEST

START_TEST(ties_and_equal_offsets)
{
	struct select_candidate c[3] = {cand(0.01, 0.02), cand(0.01, 0.02), cand(0.01, 0.02)};
	struct select_params p = params();
	struct select_result r;
	run(c, 3, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.system_peer, 0); /* full tie: lowest index */
	ck_assert_int_eq(r.n_survivors, 3);
	ck_assert_double_eq_tol(r.offset, 0.01, 1e-15);
	ck_assert_double_eq_tol(r.jitter, 0.0, 1e-15);
	ck_assert_double_eq_tol(r.low, -0.01, 1e-15);
	ck_assert_double_eq_tol(r.high, 0.03, 1e-15);
	/* Equal offsets, the lower stratum ranks first even with a larger distance. */
	c[2].stratum = 1, c[2].root_distance = 0.5;
	run(c, 3, &p, &r);
	ck_assert_int_eq(r.system_peer, 2);
	/* Zero-width intervals at the same point still agree. */
	struct select_candidate z[2] = {cand(0.25, 0.0), cand(0.25, 0.0)};
	run(z, 2, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_double_eq(r.offset, 0.25);
	ck_assert(isfinite(r.jitter));
}
END_TEST

START_TEST(min_sources_too_few)
{
	struct select_candidate c[3] = {cand(0.0, 0.01), cand(0.002, 0.01), cand(0.5, 0.01)};
	struct select_params p = params();
	struct select_result r;
	p.min_sources = 3;
	run(c, 3, &p, &r);
	ck_assert(!r.synchronised);
	ck_assert_int_eq(r.system_peer, -1);
	ck_assert_int_eq(r.n_truechimers, 2);
	ck_assert_int_eq(r.status[0], SELECT_TOO_FEW);
	ck_assert_int_eq(r.status[1], SELECT_TOO_FEW);
	ck_assert_int_eq(r.status[2], SELECT_FALSETICKER);
	p.min_sources = 2;
	run(c, 3, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.status[2], SELECT_FALSETICKER);
}
END_TEST

START_TEST(clustering_drops_noisy_outlier)
{
	/* Four truechimers; the fourth is far from the others but its wide interval still
	 * overlaps theirs. */
	struct select_candidate c[4] = {cand(0.0010, 0.01), cand(0.0012, 0.01), cand(0.0008, 0.01),
	                                cand(0.0500, 0.06)};
	for (int i = 0; i < 4; i++)
		c[i].jitter = 1e-3;
	struct select_params p = params();
	struct select_result r;
	run(c, 4, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.n_truechimers, 4);
	ck_assert_int_eq(r.n_survivors, 3);
	ck_assert_int_eq(r.status[3], SELECT_CANDIDATE);
	ck_assert(used(r.status[0]) && used(r.status[1]) && used(r.status[2]));
	ck_assert_double_eq_tol(r.offset, 0.0010, 1e-12);
	/* If the cluster is no wider than the best peer jitter, nothing is dropped. */
	for (int i = 0; i < 4; i++)
		c[i].jitter = 0.05;
	run(c, 4, &p, &r);
	ck_assert_int_eq(r.n_survivors, 4);
	/* Never below min_cluster: with min_cluster 4 the outlier stays. */
	for (int i = 0; i < 4; i++)
		c[i].jitter = 1e-3;
	p.min_cluster = 4;
	run(c, 4, &p, &r);
	ck_assert_int_eq(r.n_survivors, 4);
	/* With min_cluster 1 and tiny peer jitters, clustering goes on to the best alone (among
	 * equal selection jitters the worse ranked goes first). */
	for (int i = 0; i < 4; i++)
		c[i].jitter = 1e-6;
	p.min_cluster = 1;
	run(c, 4, &p, &r);
	ck_assert_int_eq(r.n_survivors, 1);
	ck_assert_int_eq(r.system_peer, 0);
	ck_assert_int_eq(r.status[1], SELECT_CANDIDATE);
	ck_assert_int_eq(r.status[2], SELECT_CANDIDATE);
	ck_assert_int_eq(r.status[3], SELECT_CANDIDATE);
	ck_assert_double_eq(r.offset, 0.0010);
	ck_assert_double_eq(r.jitter, 0.0);
}
END_TEST

START_TEST(anti_clockhop)
{
	struct select_candidate c[3] = {cand(0.0010, 0.010), cand(0.0011, 0.020),
	                                cand(0.0009, 0.030)};
	struct select_params p = params();
	struct select_result r;
	run(c, 3, &p, &r);
	ck_assert_int_eq(r.system_peer, 0);
	/* The current peer survives at the best's stratum: keep it. */
	p.system_peer = 2;
	run(c, 3, &p, &r);
	ck_assert_int_eq(r.system_peer, 2);
	ck_assert_int_eq(r.status[2], SELECT_SELECTED);
	ck_assert_int_eq(r.status[0], SELECT_COMBINED);
	ck_assert_double_eq_tol(r.root_distance, 0.030, 1e-15);
	/* A better stratum appears: switch. */
	c[1].stratum = 1;
	run(c, 3, &p, &r);
	ck_assert_int_eq(r.system_peer, 1);
	c[1].stratum = 2;
	/* The current peer becomes a falseticker: switch. */
	c[2].offset = 0.2;
	run(c, 3, &p, &r);
	ck_assert_int_eq(r.status[2], SELECT_FALSETICKER);
	ck_assert_int_eq(r.system_peer, 0);
	/* ... or is dropped by clustering. */
	struct select_candidate d[4] = {cand(0.0010, 0.01), cand(0.0012, 0.01), cand(0.0008, 0.01),
	                                cand(0.0500, 0.06)};
	for (int i = 0; i < 4; i++)
		d[i].jitter = 1e-3;
	p.system_peer = 3;
	run(d, 4, &p, &r);
	ck_assert_int_eq(r.status[3], SELECT_CANDIDATE);
	ck_assert_int_eq(r.system_peer, 0);
	/* An out-of-range current peer is ignored. */
	p.system_peer = 40;
	run(d, 4, &p, &r);
	ck_assert_int_eq(r.system_peer, 0);
}
END_TEST

START_TEST(combined_offset_weighted_mean)
{
	struct select_candidate c[3] = {cand(0.010, 0.02), cand(0.012, 0.04), cand(0.015, 0.05)};
	struct select_params p = params();
	struct select_result r;
	run(c, 3, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.n_survivors, 3);
	ck_assert_int_eq(r.system_peer, 0);
	/* Weights 50, 25, 20 (1/s): (0.5 + 0.3 + 0.3) / 95. */
	ck_assert_double_eq_tol(r.offset, 1.1 / 95.0, 1e-15);
	/* PSI_s: the largest selection jitter, that of 0.015: sqrt((25e-6 + 9e-6) / 2).
	 * PSI_p relative to the peer 0.010: sqrt((25 * 4e-6 + 20 * 25e-6) / 95). */
	double psi_s2 = 17e-6, psi_p2 = 600e-6 / 95.0;
	ck_assert_double_eq_tol(r.jitter, sqrt(psi_s2 + psi_p2), 1e-15);
	ck_assert_double_eq_tol(r.root_distance, 0.02, 1e-15);
	ck_assert_double_eq_tol(r.low, -0.010, 1e-15);
	ck_assert_double_eq_tol(r.high, 0.030, 1e-15);
}
END_TEST

START_TEST(empty_and_invalid_arguments)
{
	struct select_params p = params();
	struct select_result r;
	memset(&r, 0x5a, sizeof(r));
	ck_assert_int_eq(select_run(NULL, 0, &p, &r), 0);
	ck_assert(!r.synchronised);
	ck_assert_int_eq(r.system_peer, -1);
	ck_assert_int_eq(r.n_fit, 0);
	ck_assert_int_eq(r.n_survivors, 0);
	ck_assert_double_eq(r.offset, 0.0);

	struct select_candidate c[SELECT_MAX_CANDIDATES + 1];
	for (int i = 0; i <= SELECT_MAX_CANDIDATES; i++)
		c[i] = cand(0.001 * i, 0.5);
	ck_assert_int_eq(select_run(c, SELECT_MAX_CANDIDATES + 1, &p, &r), -EINVAL);
	ck_assert(!r.synchronised);
	ck_assert_int_eq(r.system_peer, -1);
	ck_assert_int_eq(select_run(NULL, 1, &p, &r), -EINVAL);
	ck_assert_int_eq(select_run(c, 1, NULL, &r), -EINVAL);
	ck_assert_int_eq(select_run(c, 1, &p, NULL), -EINVAL);
	p.max_distance = NAN;
	ck_assert_int_eq(select_run(c, 1, &p, &r), -EINVAL);
	p.max_distance = 0.0;
	ck_assert_int_eq(select_run(c, 1, &p, &r), -EINVAL);
	/* The maximum itself works. */
	p = params();
	run(c, SELECT_MAX_CANDIDATES, &p, &r);
	ck_assert(r.synchronised);
	ck_assert_int_eq(r.n_fit, SELECT_MAX_CANDIDATES);
}
END_TEST

/* splitmix64: a small deterministic generator for the tests. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(next(s) >> 11) * 0x1p-53);
}

static int pick(uint64_t *s, int lo, int hi)
{
	return lo + (int)(next(s) % (uint64_t)(hi - lo + 1));
}

#define RND_MAX_TRUE_DIST 0.1 /* s, the widest truechimer half-width */
#define RND_MARGIN 0.25       /* s, > 2 * RND_MAX_TRUE_DIST: falsetickers overlap no truechimer */

/* A random candidate set: k of m fit ones contain the true value t (true_[i] = 1), the other
 * fit ones miss it by more than RND_MARGIN (true_[i] = 0); unfit extras get wild values. */
static size_t random_set(uint64_t *s, struct select_candidate *c, int *true_, double *t)
{
	int m = pick(s, 1, 15), k = pick(s, m / 2 + 1, m), extra = pick(s, 0, 3);
	*t = uniform(s, -2.0, 2.0);
	for (int i = 0; i < m; i++) {
		double lam = uniform(s, 1e-4, RND_MAX_TRUE_DIST);
		double off = *t + uniform(s, -lam, lam);
		if (i >= k) {
			double gap = RND_MARGIN + uniform(s, 0.0, 1.0);
			off = *t + (next(s) & 1 ? 1 : -1) * (gap + lam);
		}
		c[i] = cand(off, lam);
		c[i].stratum = pick(s, 1, 4);
		c[i].jitter = uniform(s, 1e-6, lam);
		true_[i] = i < k;
	}
	for (int i = m; i < m + extra; i++) {
		c[i] = cand(*t + uniform(s, -5.0, 5.0), uniform(s, 1e-4, 0.01));
		c[i].reachable = false;
		true_[i] = -1; /* unfit */
	}
	/* Shuffle, so position carries no information. */
	for (int i = m + extra - 1; i > 0; i--) {
		int j = pick(s, 0, i);
		struct select_candidate tc = c[i];
		int tt = true_[i];
		c[i] = c[j], true_[i] = true_[j];
		c[j] = tc, true_[j] = tt;
	}
	return (size_t)(m + extra);
}

static void check_random_result(const struct select_candidate *c, const int *true_, size_t n,
                                double t, const struct select_result *r)
{
	ck_assert(r->synchronised);
	ck_assert_int_eq(true_[r->system_peer], 1);
	ck_assert(fabs(c[r->system_peer].offset - t) <= c[r->system_peer].root_distance);
	/* The true value lies in the intersection [l, u]. */
	ck_assert(r->low <= t && t <= r->high);
	double inv = 0.0, lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (true_[i] == 0)
			ck_assert_int_eq(r->status[i], SELECT_FALSETICKER);
		if (true_[i] == 1)
			ck_assert(truechimer(r->status[i]));
		if (true_[i] == -1)
			ck_assert_int_eq(r->status[i], SELECT_UNREACHABLE);
		if (used(r->status[i])) {
			inv += 1.0 / c[i].root_distance;
			lo = fmin(lo, c[i].offset);
			hi = fmax(hi, c[i].offset);
		}
	}
	/* The combined offset is a mean of the survivors and, as they all contain t, it is
	 * within the harmonic mean of their root distances of t. */
	ck_assert(r->offset >= lo - 1e-12 && r->offset <= hi + 1e-12); /* rounding */
	ck_assert(fabs(r->offset - t) <= r->n_survivors / inv + 1e-12);
}

START_TEST(random_majority_property)
{
	uint64_t s = SEED;
	printf("test_select: random property seed %u, %d trials\n", SEED, RANDOM_TRIALS);
	struct select_params p = params();
	int inside = 0;
	for (int trial = 0; trial < RANDOM_TRIALS; trial++) {
		struct select_candidate c[SELECT_MAX_CANDIDATES];
		int true_[SELECT_MAX_CANDIDATES];
		double t;
		size_t n = random_set(&s, c, true_, &t);
		p.system_peer = pick(&s, -1, (int)n - 1); /* exercise anti-clockhop too */
		struct select_result r;
		run(c, n, &p, &r);
		check_random_result(c, true_, n, t, &r);
		inside += r.offset >= r.low && r.offset <= r.high;
	}
	printf("test_select: combined offset inside [l, u] in %d of %d trials\n", inside,
	       RANDOM_TRIALS);
	ck_assert_int_gt(inside, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, defaults_and_names);
	tcase_add_test(tc, each_gate);
	tcase_add_test(tc, invalid_numbers_are_too_far);
	tcase_add_test(tc, first_failing_gate_wins);
	tcase_add_test(tc, unfit_candidates_do_not_vote);
	tcase_add_test(tc, one_source);
	tcase_add_test(tc, two_agreeing);
	tcase_add_test(tc, two_disagreeing);
	tcase_add_test(tc, three_one_falseticker);
	tcase_add_test(tc, four_first_one_second_off);
	tcase_add_test(tc, five_two_falsetickers);
	tcase_add_test(tc, no_majority_among_many);
	tcase_add_test(tc, ties_and_equal_offsets);
	tcase_add_test(tc, min_sources_too_few);
	tcase_add_test(tc, clustering_drops_noisy_outlier);
	tcase_add_test(tc, anti_clockhop);
	tcase_add_test(tc, combined_offset_weighted_mean);
	tcase_add_test(tc, empty_and_invalid_arguments);
	tcase_add_test(tc, random_majority_property);
	suite_add_tcase(s, tc);
	return check_run(s);
}
