/* Unit tests of the clock drivers.
 *
 * The null driver is exercised for real (it only reads clocks). The system driver is ONLY
 * ever built over fake_kernel(), which records the struct timex it is given and returns a
 * scripted result: no test reaches the kernel's clock-setting call.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "clock/clock.h"
#include "check_run.h"

#define FAKE_MAX_CALLS 8

/* The recorder of the fake kernel call. The call signature has no context pointer, so this
 * one file-scope struct (reset before every test) is the only way to observe it. */
static struct {
	int calls;
	clockid_t clk[FAKE_MAX_CALLS];
	struct timex tx[FAKE_MAX_CALLS];
	int fail_errno; /* when non-zero: return -1 with this errno */
	long read_freq; /* timex.freq reported to a read (modes == 0) */
	long read_tick; /* timex.tick reported to a read; 0 = nominal 10000 */
} fake;

static int fake_kernel(clockid_t clk, struct timex *tx)
{
	if (fake.calls < FAKE_MAX_CALLS) {
		fake.clk[fake.calls] = clk;
		fake.tx[fake.calls] = *tx;
	}
	fake.calls++;
	if (fake.fail_errno) {
		errno = fake.fail_errno;
		return -1;
	}
	if (tx->modes == 0) {
		tx->freq = fake.read_freq;
		tx->tick = fake.read_tick ? fake.read_tick : 10000;
	}
	return TIME_ERROR; /* a clock state, not a failure */
}

static struct clock *fake_system(void)
{
	struct clock *c = NULL;

	memset(&fake, 0, sizeof(fake));
	ck_assert_int_eq(clock_system_new_with(fake_kernel, &c), 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->ops->name, "system");
	return c;
}

static double ts_s(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

/* --- null driver ------------------------------------------------------------------------- */

START_TEST(null_readings_advance)
{
	struct clock *c = NULL;
	struct timespec r1, r2, m1, m2;

	ck_assert_int_eq(clock_null_new(&c), 0);
	ck_assert_str_eq(c->ops->name, "null");
	ck_assert_int_eq(clock_realtime(c, &r1), 0);
	ck_assert_int_eq(clock_monotonic(c, &m1), 0);
	/* Busy-wait until the monotonic clock has moved by at least 1 ms. */
	do {
		ck_assert_int_eq(clock_monotonic(c, &m2), 0);
	} while (ts_s(&m2) - ts_s(&m1) < 1e-3);
	ck_assert_int_eq(clock_realtime(c, &r2), 0);
	ck_assert(ts_s(&r1) > 1.5e9); /* after 2017 */
	ck_assert(ts_s(&r2) > ts_s(&r1));
	ck_assert(m2.tv_nsec >= 0 && m2.tv_nsec < 1000000000L);
	ck_assert(clock_monotonic_s(c) >= ts_s(&m2));
	clock_free(c);
}
END_TEST

START_TEST(null_keeps_corrections_in_memory)
{
	struct clock *c = NULL;
	struct clock_null_state st;
	double ppm = 1.0;

	ck_assert_int_eq(clock_null_new(&c), 0);
	ck_assert_int_eq(clock_null_get_state(c, &st), 0);
	ck_assert(st.frequency == 0.0 && st.stepped == 0.0 && st.steps == 0);
	ck_assert_int_eq(st.leap, 3);
	ck_assert(!st.synced);

	ck_assert_int_eq(c->ops->get_frequency(c, &ppm), 0);
	ck_assert(ppm == 0.0);
	ck_assert_int_eq(c->ops->set_frequency(c, -12.5), 0);
	ck_assert_int_eq(c->ops->get_frequency(c, &ppm), 0);
	ck_assert(ppm == -12.5);
	ck_assert_int_eq(c->ops->set_frequency(c, 100000.1), -ERANGE);
	ck_assert_int_eq(c->ops->set_frequency(c, NAN), -EINVAL);
	ck_assert_int_eq(c->ops->get_frequency(c, &ppm), 0);
	ck_assert(ppm == -12.5); /* unchanged by the refused values */

	ck_assert_int_eq(c->ops->step(c, 1.5), 0);
	ck_assert_int_eq(c->ops->step(c, -0.25), 0);
	ck_assert_int_eq(c->ops->step(c, INFINITY), -EINVAL);
	ck_assert_int_eq(c->ops->set_sync_status(c, 1, 0.5, 0.001, true), 0);
	ck_assert_int_eq(c->ops->set_sync_status(c, 4, 0.5, 0.001, true), -EINVAL);
	ck_assert_int_eq(clock_null_get_state(c, &st), 0);
	ck_assert_double_eq_tol(st.stepped, 1.25, 1e-12);
	ck_assert_uint_eq(st.steps, 2);
	ck_assert(st.frequency == -12.5);
	ck_assert_int_eq(st.leap, 1);
	ck_assert(st.max_error == 0.5 && st.est_error == 0.001 && st.synced);
	clock_free(c);
}
END_TEST

START_TEST(null_state_refuses_other_drivers)
{
	struct clock *c = fake_system();
	struct clock_null_state st;

	ck_assert_int_eq(clock_null_get_state(c, &st), -EINVAL);
	ck_assert_int_eq(clock_null_get_state(NULL, &st), -EINVAL);
	clock_free(c);
	clock_free(NULL); /* no-op */
	ck_assert_int_eq(fake.calls, 0);
}
END_TEST

START_TEST(readings_fail_cleanly_without_driver)
{
	struct timespec ts = {.tv_sec = 7, .tv_nsec = 7};

	ck_assert_int_eq(clock_realtime(NULL, &ts), -EINVAL);
	ck_assert(ts.tv_sec == 0 && ts.tv_nsec == 0);
	ck_assert(clock_monotonic_s(NULL) == 0.0);
}
END_TEST

/* --- system driver over the fake ------------------------------------------------------------ */

static const struct {
	double ppm;
	long freq; /* remainder ppm * 2^16 */
	long tick; /* us per tick at HZ 100; 10000 nominal, 1 us = 100 ppm */
} freq_cases[] = {
        {0.0, 0, 10000},
        {1.0, 65536, 10000},
        {-1.0, -65536, 10000},
        {12.5, 819200, 10000},
        {-0.001, -66, 10000}, /* -65.536 rounds to -66 */
        {500.0, 32768000, 10000},
        {-500.0, -32768000, 10000},
        {500.5, 32768, 10005},        /* beyond 500 ppm the tick carries whole 100s */
        {-83333.333, -2184511, 9167}, /* -33.333 ppm remain in freq */
        {100000.0, 0, 11000},
        {-100000.0, 0, 9000},
};

START_TEST(system_set_frequency)
{
	struct clock *c = fake_system();

	ck_assert_int_eq(c->ops->set_frequency(c, freq_cases[_i].ppm), 0);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_int_eq(fake.clk[0], CLOCK_REALTIME);
	ck_assert_uint_eq(fake.tx[0].modes, ADJ_FREQUENCY | ADJ_TICK);
	ck_assert_int_eq(fake.tx[0].freq, freq_cases[_i].freq);
	ck_assert_int_eq(fake.tx[0].tick, freq_cases[_i].tick);
	/* Reading it back gives the value set, to the kernel's resolution. */
	double back = 0;
	fake.read_freq = fake.tx[0].freq;
	fake.read_tick = fake.tx[0].tick;
	ck_assert_int_eq(c->ops->get_frequency(c, &back), 0);
	ck_assert_double_eq_tol(back, freq_cases[_i].ppm, 1e-4);
	clock_free(c);
}
END_TEST

START_TEST(system_frequency_range)
{
	struct clock *c = fake_system();

	ck_assert_int_eq(c->ops->set_frequency(c, 100000.0001), -ERANGE);
	ck_assert_int_eq(c->ops->set_frequency(c, -100001.0), -ERANGE);
	ck_assert_int_eq(c->ops->set_frequency(c, INFINITY), -EINVAL);
	ck_assert_int_eq(c->ops->set_frequency(c, NAN), -EINVAL);
	ck_assert_int_eq(fake.calls, 0); /* refused before the kernel */
	clock_free(c);
}
END_TEST

START_TEST(system_get_frequency)
{
	struct clock *c = fake_system();
	double ppm = 0.0;

	fake.read_freq = -1638400; /* -25 ppm */
	ck_assert_int_eq(c->ops->get_frequency(c, &ppm), 0);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_uint_eq(fake.tx[0].modes, 0); /* read only */
	ck_assert(ppm == -25.0);
	clock_free(c);
}
END_TEST

static const struct {
	double offset;
	long sec;
	long nsec;
} step_cases[] = {
        {1.5, 1, 500000000},  {-0.25, -1, 750000000},    {-2.000000001, -3, 999999999},
        {0.0, 0, 0},          {3600.000000002, 3600, 2}, {-1.0, -1, 0},
        {0.9999999999, 1, 0}, /* rounds up to a whole second */
};

START_TEST(system_step)
{
	struct clock *c = fake_system();

	ck_assert_int_eq(c->ops->step(c, step_cases[_i].offset), 0);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_int_eq(fake.clk[0], CLOCK_REALTIME);
	ck_assert_uint_eq(fake.tx[0].modes, ADJ_SETOFFSET | ADJ_NANO);
	ck_assert_int_eq(fake.tx[0].time.tv_sec, step_cases[_i].sec);
	ck_assert_int_eq(fake.tx[0].time.tv_usec, step_cases[_i].nsec);
	ck_assert(fake.tx[0].time.tv_usec >= 0 && fake.tx[0].time.tv_usec < 1000000000L);
	clock_free(c);
}
END_TEST

START_TEST(system_step_range)
{
	struct clock *c = fake_system();

	ck_assert_int_eq(c->ops->step(c, NAN), -EINVAL);
	ck_assert_int_eq(c->ops->step(c, -INFINITY), -EINVAL);
	ck_assert_int_eq(c->ops->step(c, 4e9), -ERANGE);
	ck_assert_int_eq(fake.calls, 0);
	clock_free(c);
}
END_TEST

START_TEST(system_kernel_error_is_returned)
{
	struct clock *c = fake_system();
	double ppm = 3.0;

	fake.fail_errno = EPERM;
	ck_assert_int_eq(c->ops->set_frequency(c, 10.0), -EPERM);
	ck_assert_int_eq(c->ops->step(c, 0.5), -EPERM);
	ck_assert_int_eq(c->ops->get_frequency(c, &ppm), -EPERM);
	ck_assert(ppm == 3.0); /* untouched on failure */
	ck_assert_int_eq(c->ops->set_sync_status(c, 0, 0.1, 0.1, true), -EPERM);
	ck_assert_int_eq(fake.calls, 4);
	clock_free(c);
}
END_TEST

static const struct {
	int leap;
	bool synced;
	int status;
} status_cases[] = {
        {0, true, 0},
        {1, true, STA_INS},
        {2, true, STA_DEL},
        {0, false, STA_UNSYNC},
        {1, false, STA_INS | STA_UNSYNC},
        {3, true, STA_UNSYNC}, /* alarm: unsynchronised whatever synced says */
};

START_TEST(system_sync_status)
{
	struct clock *c = fake_system();

	ck_assert_int_eq(c->ops->set_sync_status(c, status_cases[_i].leap, 0.25, 0.000123,
	                                         status_cases[_i].synced),
	                 0);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_uint_eq(fake.tx[0].modes, ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR);
	ck_assert_int_eq(fake.tx[0].status, status_cases[_i].status);
	ck_assert_int_eq(fake.tx[0].status & STA_PLL, 0);
	ck_assert_int_eq(fake.tx[0].maxerror, 250000); /* us */
	ck_assert_int_eq(fake.tx[0].esterror, 123);
	clock_free(c);
}
END_TEST

START_TEST(system_sync_status_limits)
{
	struct clock *c = fake_system();

	ck_assert_int_eq(c->ops->set_sync_status(c, 0, 100.0, 17.0, false), 0);
	ck_assert_int_eq(fake.tx[0].maxerror, 16000000); /* clamped to 16 s */
	ck_assert_int_eq(fake.tx[0].esterror, 16000000);
	ck_assert_int_eq(c->ops->set_sync_status(c, 4, 0.1, 0.1, true), -EINVAL);
	ck_assert_int_eq(c->ops->set_sync_status(c, -1, 0.1, 0.1, true), -EINVAL);
	ck_assert_int_eq(c->ops->set_sync_status(c, 0, -0.1, 0.1, true), -EINVAL);
	ck_assert_int_eq(c->ops->set_sync_status(c, 0, 0.1, NAN, true), -EINVAL);
	ck_assert_int_eq(fake.calls, 1);
	clock_free(c);
}
END_TEST

START_TEST(system_new_arguments)
{
	struct clock *c = NULL;

	ck_assert_int_eq(clock_system_new_with(NULL, &c), -EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(clock_system_new_with(fake_kernel, NULL), -EINVAL);
}
END_TEST

static Suite *clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tn = tcase_create("null");
	TCase *ts = tcase_create("system");

	tcase_add_test(tn, null_readings_advance);
	tcase_add_test(tn, null_keeps_corrections_in_memory);
	tcase_add_test(tn, null_state_refuses_other_drivers);
	tcase_add_test(tn, readings_fail_cleanly_without_driver);
	suite_add_tcase(s, tn);

	tcase_add_loop_test(ts, system_set_frequency, 0,
	                    (int)(sizeof(freq_cases) / sizeof(freq_cases[0])));
	tcase_add_test(ts, system_frequency_range);
	tcase_add_test(ts, system_get_frequency);
	tcase_add_loop_test(ts, system_step, 0, (int)(sizeof(step_cases) / sizeof(step_cases[0])));
	tcase_add_test(ts, system_step_range);
	tcase_add_test(ts, system_kernel_error_is_returned);
	tcase_add_loop_test(ts, system_sync_status, 0,
	                    (int)(sizeof(status_cases) / sizeof(status_cases[0])));
	tcase_add_test(ts, system_sync_status_limits);
	tcase_add_test(ts, system_new_arguments);
	suite_add_tcase(s, ts);
	return s;
}

int main(void)
{
	return check_run(clock_suite());
}
