/* Unit tests for core/filter: the delay-weighted regression of offset against raw time. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/filter.h"
#include "check_run.h"
#include "rng_check.h"

#define SEED 20261202u

static void add(struct filter *f, double t, double off, double delay)
{
	struct filter_sample s = {.t = t, .offset = off, .delay = delay, .dispersion = 1e-6};
	filter_add(f, &s);
}

START_TEST(single_sample)
{
	struct filter f;
	filter_init(&f, 64);
	ck_assert(!filter_get(&f)->valid);
	double sd;
	filter_offset_at(&f, 0, 0, &sd);
	ck_assert(isinf(sd));
	add(&f, 10.0, 0.25, 0.001);
	const struct filter_estimate *e = filter_get(&f);
	ck_assert(e->valid);
	ck_assert_int_eq(e->n, 1);
	ck_assert(!e->freq_valid);
	ck_assert_double_eq_tol(e->offset, 0.25, 1e-12);
	/* With no frequency of its own, the fallback extrapolates. */
	ck_assert_double_eq_tol(filter_offset_at(&f, 20.0, -1e-4, NULL), 0.25 - 1e-3, 1e-12);
}
END_TEST

START_TEST(exact_line)
{
	struct filter f;
	filter_init(&f, 64);
	for (int i = 0; i < 20; i++)
		add(&f, 64.0 * i, 0.1 - 100e-6 * 64.0 * i, 0.0003);
	const struct filter_estimate *e = filter_get(&f);
	ck_assert(e->freq_valid);
	ck_assert_double_eq_tol(e->freq, -100e-6, 1e-12);
	ck_assert_double_eq_tol(e->offset, 0.1 - 100e-6 * 64 * 19, 1e-10);
	ck_assert_double_eq_tol(filter_offset_at(&f, 64.0 * 20, 0, NULL), 0.1 - 100e-6 * 64 * 20,
	                        1e-10);
	ck_assert_int_eq(e->n, 20);
	ck_assert_double_eq_tol(e->span, 64.0 * 19, 1e-9);
}
END_TEST

START_TEST(two_samples_give_frequency)
{
	struct filter f;
	filter_init(&f, 64);
	add(&f, 0.0, 0.0, 0.0002);
	add(&f, 2.0, 0.0002, 0.0002);
	const struct filter_estimate *e = filter_get(&f);
	ck_assert(e->freq_valid);
	/* The Kalman filter's prior pulls the rate a little toward 0; the regression is exact. */
	ck_assert_double_eq_tol(e->freq, 1e-4, 1e-7);
	filter_init(&f, 64);
	filter_set_method(&f, FILTER_REGRESSION, 0);
	add(&f, 0.0, 0.0, 0.0002);
	add(&f, 2.0, 0.0002, 0.0002);
	ck_assert_double_eq_tol(filter_get(&f)->freq, 1e-4, 1e-12);
}
END_TEST

/* Exponential queueing in both directions: the delay-weighted estimate beats a plain mean. */
START_TEST(delay_weighting_helps)
{
	uint64_t s = SEED;
	printf("filter: seed %u\n", SEED);
	double err_w = 0, err_plain = 0;
	int trials = 200;
	for (int k = 0; k < trials; k++) {
		struct filter f;
		filter_init(&f, 32);
		filter_set_method(&f, (enum filter_method)_i, 0);
		double sum = 0;
		for (int i = 0; i < 32; i++) {
			double a = test_rng_expo(&s, 100e-6), b = test_rng_expo(&s, 100e-6);
			double off = (a - b) / 2, delay = 200e-6 + a + b;
			add(&f, 64.0 * i, off, delay);
			sum += off;
		}
		double est = filter_get(&f)->offset;
		err_w += est * est;
		err_plain += (sum / 32) * (sum / 32);
	}
	double rms_w = sqrt(err_w / trials), rms_plain = sqrt(err_plain / trials);
	printf("filter: %s: rms error %.2f us, plain mean %.2f us\n",
	       _i == FILTER_KALMAN ? "kalman" : "regression", rms_w * 1e6, rms_plain * 1e6);
	/* Per-sample error is ~70 us; the endpoint of a line fit of 32 is ~25 us. */
	ck_assert(rms_w < 20e-6);
	ck_assert(rms_w < rms_plain);
}
END_TEST

START_TEST(spike_rejected_and_path_change_accepted)
{
	struct filter f;
	filter_init(&f, 64);
	for (int i = 0; i < 10; i++)
		add(&f, i, 0.0, 0.0002 + 1e-6 * (i % 3));
	struct filter_sample spike = {.t = 10, .offset = 0.05, .delay = 0.1};
	ck_assert(!filter_add(&f, &spike));
	ck_assert_int_eq(f.rejected_spikes, 1);
	ck_assert_double_eq_tol(filter_get(&f)->offset, 0.0, 1e-9);
	/* The path really changed: after a few rejections the filter starts over. */
	bool accepted = false;
	for (int i = 11; i < 20 && !accepted; i++) {
		struct filter_sample s2 = {.t = i, .offset = 0.001, .delay = 0.1};
		accepted = filter_add(&f, &s2);
	}
	ck_assert(accepted);
	ck_assert_double_eq_tol(filter_get(&f)->offset, 0.001, 1e-9);
}
END_TEST

START_TEST(old_or_bad_samples_ignored)
{
	struct filter f;
	filter_init(&f, 64);
	add(&f, 10.0, 0.0, 0.001);
	struct filter_sample old = {.t = 5.0, .offset = 1.0, .delay = 0.001};
	ck_assert(!filter_add(&f, &old));
	struct filter_sample nan = {.t = 11.0, .offset = NAN, .delay = 0.001};
	ck_assert(!filter_add(&f, &nan));
	ck_assert_int_eq(filter_get(&f)->n, 1);
}
END_TEST

START_TEST(runs_test_drops_stale_samples)
{
	struct filter f;
	filter_init(&f, 64);
	filter_set_method(&f, FILTER_REGRESSION, 0);
	/* 40 samples on one line, then the frequency changes by 10 ppm. */
	for (int i = 0; i < 40; i++)
		add(&f, 64.0 * i, 1e-6 * ((i * 7) % 5 - 2), 0.0002);
	ck_assert_int_eq(filter_get(&f)->n, 40);
	double base = 0;
	for (int i = 40; i < 60; i++) {
		base += 10e-6 * 64.0;
		add(&f, 64.0 * i, base + 1e-6 * ((i * 7) % 5 - 2), 0.0002);
	}
	const struct filter_estimate *e = filter_get(&f);
	ck_assert_int_lt(e->n, 60);
	ck_assert(f.dropped_runs > 0);
	ck_assert_double_eq_tol(e->freq, 10e-6, 0.5e-6);
}
END_TEST

START_TEST(capacity_bounded)
{
	struct filter f;
	filter_init(&f, 8);
	filter_set_method(&f, FILTER_REGRESSION, 0);
	for (int i = 0; i < 100; i++)
		add(&f, i, 0.0, 0.0002);
	ck_assert_int_eq(filter_get(&f)->n, 8);
	filter_init(&f, 1000); /* out of range: the maximum is used */
	ck_assert_int_eq(f.max_samples, FILTER_MAX_SAMPLES);
}
END_TEST

START_TEST(runs_critical_values)
{
	/* Expected runs for n residuals split evenly is n/2 + 1; the 5 % limit is below it. */
	ck_assert_int_le(filter_runs_critical(2), 2);
	int c20 = filter_runs_critical(20);
	ck_assert(c20 >= 6 && c20 <= 8);
	int c64 = filter_runs_critical(64);
	ck_assert(c64 >= 24 && c64 <= 28);
}
END_TEST

/* The Kalman filter: a server that steps is followed after a few samples, a single
 * outlier is not. */
START_TEST(kalman_outlier_and_step)
{
	struct filter f;
	filter_init(&f, 64);
	for (int i = 0; i < 20; i++)
		add(&f, 64.0 * i, 1e-6 * ((i * 7) % 5 - 2), 0.0002);
	ck_assert_double_eq_tol(filter_get(&f)->offset, 0.0, 5e-6);
	struct filter_sample out = {.t = 64.0 * 20, .offset = 0.5, .delay = 0.0002};
	ck_assert(!filter_add(&f, &out));
	ck_assert_int_eq(f.rejected_outliers, 1);
	ck_assert_double_eq_tol(filter_get(&f)->offset, 0.0, 5e-6);
	int accepted_at = -1;
	for (int i = 21; i < 30 && accepted_at < 0; i++) {
		struct filter_sample st = {.t = 64.0 * i, .offset = 0.5, .delay = 0.0002};
		if (filter_add(&f, &st))
			accepted_at = i;
	}
	ck_assert_int_eq(accepted_at, 22); /* the third outlier in a row re-initialises */
	ck_assert_double_eq_tol(filter_get(&f)->offset, 0.5, 1e-6);
}
END_TEST

/* The frequency follows a change; its standard error shrinks with samples. */
START_TEST(kalman_tracks_frequency)
{
	struct filter f;
	filter_init(&f, 64);
	double x = 0.0;
	for (int i = 0; i < 200; i++) {
		x += -100e-6 * 16.0;
		add(&f, 16.0 * i, x, 0.0002);
	}
	const struct filter_estimate *e = filter_get(&f);
	ck_assert(e->freq_valid);
	ck_assert_double_eq_tol(e->freq, -100e-6, 1e-8);
	ck_assert(e->freq_sd < 1e-7);
	ck_assert(e->offset_sd < 2e-5);
	double sd;
	double ahead = filter_offset_at(&f, e->t_ref + 100, 0, &sd);
	ck_assert_double_eq_tol(ahead, x - 100e-6 * 100, 1e-6);
	ck_assert(sd > e->offset_sd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, single_sample);
	tcase_add_test(tc, exact_line);
	tcase_add_test(tc, two_samples_give_frequency);
	tcase_add_loop_test(tc, delay_weighting_helps, FILTER_KALMAN, FILTER_REGRESSION + 1);
	tcase_add_test(tc, spike_rejected_and_path_change_accepted);
	tcase_add_test(tc, old_or_bad_samples_ignored);
	tcase_add_test(tc, runs_test_drops_stale_samples);
	tcase_add_test(tc, capacity_bounded);
	tcase_add_test(tc, runs_critical_values);
	tcase_add_test(tc, kalman_outlier_and_step);
	tcase_add_test(tc, kalman_tracks_frequency);
	suite_add_tcase(s, tc);
	return check_run(s);
}
