/* Unit tests for core/discipline: the slew / step / refuse policy and the bookkeeping of
 * corrections on the raw timescale. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "core/discipline.h"
#include "check_run.h"

static struct discipline_config cfg(void)
{
	struct discipline_config c = {
	        .makestep_threshold = 1.0,
	        .makestep_limit = 3,
	        .panic_threshold = 1000.0,
	        .allow_first_panic = false,
	        .max_slew = 0.083333,
	        .max_freq = 500e-6,
	        .slew_time = 1.0,
	        .initial_freq = 0.0,
	};
	return c;
}

START_TEST(decide_policy)
{
	struct discipline_config c = cfg();
	ck_assert_int_eq(discipline_decide(&c, 0, false, 0.5), DISCIPLINE_SLEW);
	ck_assert_int_eq(discipline_decide(&c, 0, false, -1.5), DISCIPLINE_STEP);
	ck_assert_int_eq(discipline_decide(&c, 2, false, 1.5), DISCIPLINE_STEP);
	ck_assert_int_eq(discipline_decide(&c, 3, false, 1.5), DISCIPLINE_SLEW);
	ck_assert_int_eq(discipline_decide(&c, 0, false, 2000.0), DISCIPLINE_REFUSE);
	ck_assert_int_eq(discipline_decide(&c, 0, false, -1000.5), DISCIPLINE_REFUSE);
	ck_assert_int_eq(discipline_decide(&c, 0, false, NAN), DISCIPLINE_REFUSE);
	c.makestep_limit = -1;
	ck_assert_int_eq(discipline_decide(&c, 100000, false, 1.5), DISCIPLINE_STEP);
	c.allow_first_panic = true;
	ck_assert_int_eq(discipline_decide(&c, 0, false, 2000.0), DISCIPLINE_STEP);
	ck_assert_int_eq(discipline_decide(&c, 0, true, 2000.0), DISCIPLINE_REFUSE);
	ck_assert_int_eq(discipline_decide(&c, 1, false, 2000.0), DISCIPLINE_REFUSE);
	c.panic_threshold = 0; /* disabled */
	c.allow_first_panic = false;
	ck_assert_int_eq(discipline_decide(&c, 0, false, 2000.0), DISCIPLINE_STEP);
}
END_TEST

START_TEST(correction_grows_with_rate)
{
	struct discipline_config c = cfg();
	c.initial_freq = 100e-6;
	struct discipline d;
	discipline_init(&d, &c, 10.0);
	ck_assert_double_eq_tol(d.rate, 100e-6, 1e-15);
	/* Over 1000 local seconds at rate r, C = 1000 r / (1 + r). */
	double want = 1000.0 * 100e-6 / (1 + 100e-6);
	ck_assert_double_eq_tol(discipline_correction(&d, 1010.0), want, 1e-15);
	discipline_advance(&d, 1010.0);
	ck_assert_double_eq_tol(d.corr, want, 1e-15);
	ck_assert_double_eq_tol(discipline_correction(&d, 1010.0), want, 1e-15);
}
END_TEST

START_TEST(initial_freq_clamped)
{
	struct discipline_config c = cfg();
	c.initial_freq = 900e-6;
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	ck_assert_double_eq_tol(d.drift, 500e-6, 1e-15);
	c.initial_freq = NAN;
	discipline_init(&d, &c, 0.0);
	ck_assert_double_eq(d.drift, 0.0);
}
END_TEST

START_TEST(slew_applies_exactly_the_offset)
{
	struct discipline_config c = cfg();
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	struct discipline_out out;
	discipline_update(&d, 5.0, 0.25, true, -20e-6, &out);
	ck_assert_int_eq(out.decision, DISCIPLINE_SLEW);
	ck_assert(out.set_rate);
	ck_assert(!out.step);
	ck_assert(out.rate > 0.08 && out.rate < 0.084); /* 0.25 s at the maximum slew rate */
	ck_assert(isfinite(d.slew_end) && d.slew_end > 5.0);
	double rate = 0;
	ck_assert(!discipline_tick(&d, d.slew_end - 0.5, &rate));
	double end = d.slew_end;
	ck_assert(discipline_tick(&d, end, &rate));
	ck_assert_double_eq_tol(rate, -20e-6, 1e-15);
	/* C gained the offset plus what the drift alone gives over the same interval. */
	double drift_part = (end - 5.0) * -20e-6 / (1 - 20e-6);
	ck_assert_double_eq_tol(d.corr, 0.25 + drift_part, 1e-12);
	ck_assert(!discipline_tick(&d, end + 10, &rate));
}
END_TEST

START_TEST(small_offset_slews_over_slew_time)
{
	struct discipline_config c = cfg();
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	struct discipline_out out;
	discipline_update(&d, 0.0, -1e-4, false, 0, &out);
	ck_assert_double_eq_tol(out.rate, -1e-4, 1e-9); /* over slew_time = 1 s */
	ck_assert_double_eq_tol(d.slew_end, 1.0, 1e-3);
}
END_TEST

START_TEST(step_keeps_raw_time)
{
	struct discipline_config c = cfg();
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	struct discipline_out out;
	discipline_update(&d, 100.0, -5.0, false, 0, &out);
	ck_assert_int_eq(out.decision, DISCIPLINE_STEP);
	ck_assert(out.step);
	ck_assert_double_eq(out.step_offset, -5.0);
	ck_assert_int_eq(d.steps, 1);
	/* After the step the local clock reads 95: raw = local - C is still 100. */
	ck_assert_double_eq_tol(95.0 - discipline_correction(&d, 95.0), 100.0, 1e-12);
	ck_assert_int_eq(d.updates, 1);
}
END_TEST

START_TEST(refuse_changes_nothing)
{
	struct discipline_config c = cfg();
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	struct discipline_out out;
	discipline_update(&d, 1.0, 2000.0, true, 1e-5, &out);
	ck_assert_int_eq(out.decision, DISCIPLINE_REFUSE);
	ck_assert(!out.set_rate && !out.step);
	ck_assert_int_eq(d.updates, 0);
	ck_assert_double_eq(d.drift, 0.0);
	ck_assert_double_eq(discipline_correction(&d, 50.0), 0.0);
}
END_TEST

START_TEST(first_panic_once)
{
	struct discipline_config c = cfg();
	c.allow_first_panic = true;
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	struct discipline_out out;
	discipline_update(&d, 1.0, 2000.0, false, 0, &out);
	ck_assert_int_eq(out.decision, DISCIPLINE_STEP);
	ck_assert(d.panic_used);
	discipline_update(&d, 2001.0, -2000.0, false, 0, &out);
	ck_assert_int_eq(out.decision, DISCIPLINE_REFUSE);
}
END_TEST

START_TEST(operator_overrides_once)
{
	struct discipline_config c = cfg();
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	d.updates = 10; /* past the makestep limit: small and large offsets slew */
	struct discipline_out out;
	ck_assert_int_eq(discipline_next(&d, 0.002), DISCIPLINE_SLEW);
	ck_assert_int_eq(discipline_next(&d, 5.0), DISCIPLINE_SLEW);
	d.step_armed = true; /* makestep: any finite offset steps, once */
	ck_assert_int_eq(discipline_next(&d, 0.002), DISCIPLINE_STEP);
	ck_assert_int_eq(discipline_next(&d, 2000.0), DISCIPLINE_REFUSE);
	ck_assert_int_eq(discipline_next(&d, NAN), DISCIPLINE_REFUSE);
	discipline_update(&d, 1.0, 0.002, false, 0, &out);
	ck_assert(out.step && !d.step_armed);
	ck_assert_double_eq(out.step_offset, 0.002);
	ck_assert_int_eq(discipline_next(&d, 0.002), DISCIPLINE_SLEW);
	/* accept insane: one correction beyond the panic threshold */
	d.insane_armed = true;
	ck_assert_int_eq(discipline_next(&d, 0.5), DISCIPLINE_SLEW);
	discipline_update(&d, 2.0, -2000.0, false, 0, &out);
	ck_assert(out.step && !d.insane_armed);
	ck_assert_double_eq(out.step_offset, -2000.0);
	ck_assert_int_eq(discipline_next(&d, 2000.0), DISCIPLINE_REFUSE);
}
END_TEST

START_TEST(drift_follows_estimate_within_limit)
{
	struct discipline_config c = cfg();
	struct discipline d;
	discipline_init(&d, &c, 0.0);
	struct discipline_out out;
	discipline_update(&d, 1.0, 0.0, true, -100e-6, &out);
	ck_assert_double_eq_tol(d.drift, -100e-6, 1e-15);
	discipline_update(&d, 2.0, 0.0, true, -0.01, &out);
	ck_assert_double_eq_tol(d.drift, -500e-6, 1e-15);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("discipline");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, decide_policy);
	tcase_add_test(tc, correction_grows_with_rate);
	tcase_add_test(tc, initial_freq_clamped);
	tcase_add_test(tc, slew_applies_exactly_the_offset);
	tcase_add_test(tc, small_offset_slews_over_slew_time);
	tcase_add_test(tc, step_keeps_raw_time);
	tcase_add_test(tc, refuse_changes_nothing);
	tcase_add_test(tc, first_panic_once);
	tcase_add_test(tc, drift_follows_estimate_within_limit);
	tcase_add_test(tc, operator_overrides_once);
	suite_add_tcase(s, tc);
	return check_run(s);
}
