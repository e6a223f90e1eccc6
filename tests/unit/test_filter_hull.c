/* Unit tests for core/filter_hull: the (offset, rate) centroid of the lines every recent
 * sample's delay band allows. Deterministic (splitmix64, fixed seed, printed). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check_run.h"
#include "rng_check.h"
#include "core/filter_priv.h"

#define SEED 20261204u

/* n samples every dt s ending at t = 0, on the line 1 ms + 2 ppm * t, with 100 us each way
 * plus exponential queueing of mean 1 ms each way: the offset error is half the
 * difference of the two one-way delays. */
static void fill(struct filter *f, int n, double dt, uint64_t *rng)
{
	filter_init(f, 64);
	for (int i = 0; i < n; i++) {
		double t = -(n - 1 - i) * dt;
		double d1 = 100e-6 + test_rng_expo(rng, 1e-3),
		       d2 = 100e-6 + test_rng_expo(rng, 1e-3);
		struct filter_sample s = {.t = t,
		                          .offset = 1e-3 + 2e-6 * t + (d1 - d2) / 2,
		                          .delay = d1 + d2,
		                          .dispersion = 1e-6};
		filter_add(f, &s);
	}
}

START_TEST(recovers_the_line)
{
	uint64_t rng = SEED;
	double se = 0, se_rate = 0, se_last = 0;
	int trials = 40, found = 0;

	printf("test_filter_hull: seed %u\n", SEED);
	for (int k = 0; k < trials; k++) {
		struct filter f;
		double a, b;
		fill(&f, 48, 64.0, &rng);
		if (!filter_hull_estimate(&f, 0.0, f.kf.x, f.kf.f, &a, &b))
			continue;
		found++;
		se += (a - 1e-3) * (a - 1e-3);
		se_rate += (b - 2e-6) * (b - 2e-6);
		const struct filter_sample *last = &f.s[(f.head + f.n - 1) % FILTER_MAX_SAMPLES];
		se_last += (last->offset - 1e-3) * (last->offset - 1e-3);
	}
	printf("test_filter_hull: %d of %d windows bounded a line\n", found, trials);
	ck_assert_int_ge(found, trials * 3 / 4);
	double rms = sqrt(se / found), rms_rate = sqrt(se_rate / found);
	double rms_one = sqrt(se_last / found);
	printf("test_filter_hull: rms offset error %.1f us (one sample: %.1f us), rate %.3f ppm\n",
	       rms * 1e6, rms_one * 1e6, rms_rate * 1e6);
	/* One sample errs by ~700 us; the minimum of 48 one-way delays by ~20 us. */
	ck_assert_double_lt(rms, 60e-6);
	ck_assert_double_lt(rms, rms_one / 8);
	ck_assert_double_lt(rms_rate, 0.1e-6);
}
END_TEST

START_TEST(needs_sixteen_recent_samples)
{
	uint64_t rng = SEED;
	struct filter f;
	double a, b;

	fill(&f, FILTER_HULL_MIN - 1, 64.0, &rng);
	ck_assert(!filter_hull_estimate(&f, 0.0, f.kf.x, f.kf.f, &a, &b));
	fill(&f, FILTER_HULL_MIN, 64.0, &rng);
	ck_assert(filter_hull_estimate(&f, 0.0, f.kf.x, f.kf.f, &a, &b));
	/* 40 samples 300 s apart: only 15 lie within FILTER_HULL_SPAN. */
	fill(&f, 40, 300.0, &rng);
	ck_assert(filter_hull_estimate(&f, 0.0, f.kf.x, f.kf.f, &a, &b) ==
	          (floor(FILTER_HULL_SPAN / 300.0) + 1 >= FILTER_HULL_MIN));
}
END_TEST

START_TEST(contradicting_samples_give_none)
{
	struct filter f;
	double a, b;

	filter_init(&f, 64);
	/* Every sample at the minimum delay (a band of +-q/2 only), half of them 20 ms away:
	 * no line passes them all. */
	for (int i = 0; i < 32; i++) {
		struct filter_sample s = {.t = i * 64.0,
		                          .offset = (i % 2) ? 0.02 : 0.0,
		                          .delay = 200e-6,
		                          .dispersion = 1e-6};
		f.s[(f.head + f.n) % FILTER_MAX_SAMPLES] = s;
		f.n++;
	}
	ck_assert(!filter_hull_estimate(&f, 31 * 64.0, 0.01, 0.0, &a, &b));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filter_hull");
	TCase *tc = tcase_create("hull");
	tcase_add_test(tc, recovers_the_line);
	tcase_add_test(tc, needs_sixteen_recent_samples);
	tcase_add_test(tc, contradicting_samples_give_none);
	suite_add_tcase(s, tc);
	return check_run(s);
}
