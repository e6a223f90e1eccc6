/* Unit tests for src/core/ntptime.c: conversions, era resolution, short format, formatting. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ntptime.h"
#include "check_run.h"

#define TS(sec, frac) (((ntp_ts_t)(sec) << 32) | (uint32_t)(frac))
#define UNIX_2026 1795910400LL    /* 2026-11-29 00:00:00 UTC */
#define UNIX_2100 4102444800LL    /* 2100-01-01 00:00:00 UTC */
#define UNIX_1900 (-2208988800LL) /* 1900-01-01 00:00:00 UTC: NTP era 0 second 0 */
#define UNIX_1968 (-61505152LL)   /* 1968-01-20 03:14:08 UTC: NTP era 0 second 2^31 */
#define YEARS_60 1893456000LL     /* 60 * 365.25 days, s */
#define RANDOM_SEED 20261129u
#define RANDOM_N 200000

static struct timespec mkts(int64_t sec, long nsec)
{
	struct timespec t = {.tv_sec = (time_t)sec, .tv_nsec = nsec};

	return t;
}

START_TEST(test_unix_epoch)
{
	struct timespec t = mkts(0, 0);
	struct timespec back;

	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0x83aa7e80u, 0));
	ck_assert_uint_eq(NTP_UNIX_OFFSET, 0x83aa7e80u);
	back = ntp_ts_to_timespec(TS(0x83aa7e80u, 0x80000000u), UNIX_2026);
	ck_assert_int_eq(back.tv_sec, 0);
	ck_assert_int_eq(back.tv_nsec, 500000000);
}
END_TEST

START_TEST(test_era1_wrap)
{
	struct timespec t = mkts(NTP_ERA1_UNIX, 500000000);
	struct timespec back;

	ck_assert_int_eq(NTP_ERA1_UNIX, (1LL << 32) - NTP_UNIX_OFFSET);
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0, 0x80000000u));
	t = mkts(NTP_ERA1_UNIX - 1, 0);
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0xffffffffu, 0));
	back = ntp_ts_to_timespec(TS(0, 0x80000000u), UNIX_2026);
	ck_assert_int_eq(back.tv_sec, NTP_ERA1_UNIX);
	ck_assert_int_eq(back.tv_nsec, 500000000);
}
END_TEST

START_TEST(test_never_zero)
{
	struct timespec wrap = mkts(NTP_ERA1_UNIX, 0);
	struct timespec epoch = mkts(UNIX_1900, 0);
	struct timespec wrap2 = mkts(NTP_ERA1_UNIX + (1LL << 32), 0); /* era 2 starts */

	ck_assert_uint_eq(ntp_ts_from_timespec(&wrap), 1);
	ck_assert_uint_eq(ntp_ts_from_timespec(&epoch), 1);
	ck_assert_uint_eq(ntp_ts_from_timespec(&wrap2), 1);
	ck_assert_uint_eq(ntp_ts_from_unix_double((double)NTP_ERA1_UNIX), 1);
	ck_assert_uint_eq(ntp_ts_from_unix_double(NAN), 0);
}
END_TEST

START_TEST(test_from_timespec_rounding)
{
	struct timespec t = mkts(0, 1);

	/* 1 ns = 4.29 units of 2^-32 s -> 4 */
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0x83aa7e80u, 4));
	/* 999999999 ns = 4294967291.7 units -> 0xfffffffc, no carry */
	t = mkts(0, 999999999);
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0x83aa7e80u, 0xfffffffcu));
	/* unnormalised: -1 ns is the last nanosecond of 1969 */
	t = mkts(0, -1);
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0x83aa7e7fu, 0xfffffffcu));
	t = mkts(0, 1500000000);
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0x83aa7e81u, 0x80000000u));
	t = mkts(10, -2500000000L);
	ck_assert_uint_eq(ntp_ts_from_timespec(&t), TS(0x83aa7e87u, 0x80000000u));
}
END_TEST

START_TEST(test_to_timespec_carry)
{
	/* 0xffffffff units = 999999999.77 ns rounds up to the next second */
	struct timespec t = ntp_ts_to_timespec(TS(0x83aa7e80u, 0xffffffffu), UNIX_2026);

	ck_assert_int_eq(t.tv_sec, 1);
	ck_assert_int_eq(t.tv_nsec, 0);
}
END_TEST

/* Vector timestamp eeb732e6.b7f26a21 = 2026-11-29 23:25:26.7185427029 UTC (era 0). */
START_TEST(test_era_pivots_2026)
{
	const ntp_ts_t ts = TS(0xeeb732e6u, 0xb7f26a21u);
	const int64_t want = 1795994726LL;
	const int64_t pivots[] = {0, UNIX_2026, NTP_ERA1_UNIX, 3786912000LL /* 2090 */,
	                          -315619200LL /* 1960 */};

	for (size_t i = 0; i < sizeof(pivots) / sizeof(pivots[0]); i++) {
		struct timespec t = ntp_ts_to_timespec(ts, pivots[i]);

		ck_assert_int_eq(t.tv_sec, want);
		ck_assert_int_eq(t.tv_nsec, 718542703);
	}
	/* 74 years away from the pivot: resolved into era 1 (2163), as documented */
	ck_assert_int_eq(ntp_ts_to_timespec(ts, UNIX_2100).tv_sec, want + (1LL << 32));
}
END_TEST

/* chronyd-client.hex random xmt 0d1c15f2: Wireshark shows Jan 26, 2043 (era 1). */
START_TEST(test_era_pivots_2043)
{
	const ntp_ts_t ts = TS(0x0d1c15f2u, 0x22852cc3u);

	ck_assert_int_eq(ntp_ts_to_timespec(ts, UNIX_2026).tv_sec, 2305922930LL);
	ck_assert_int_eq(ntp_ts_to_timespec(ts, NTP_ERA1_UNIX - 1).tv_sec, 2305922930LL);
	ck_assert_int_eq(ntp_ts_to_timespec(ts, UNIX_2100).tv_sec, 2305922930LL);
	/* pivot 1960: 1906-12-21 (era 0) is closer than 2043 */
	ck_assert_int_eq(ntp_ts_to_timespec(ts, -315619200LL).tv_sec, -1989044366LL);
}
END_TEST

START_TEST(test_era_edges_1900_1968)
{
	/* Pivot at the NTP prime epoch: a small value is just after it, a large one is in era -1.
	 */
	ck_assert_int_eq(ntp_ts_to_timespec(TS(16, 0), UNIX_1900).tv_sec, UNIX_1900 + 16);
	ck_assert_int_eq(ntp_ts_to_timespec(TS(0xf0000000u, 0), UNIX_1900).tv_sec,
	                 UNIX_1900 - 0x10000000LL);
	/* Pivot 1970: seconds 2^31 is 1968-01-20 03:14:08, seconds 2^31 - 1 one second earlier */
	ck_assert_int_eq(ntp_ts_to_timespec(TS(0x80000000u, 0), 0).tv_sec, UNIX_1968);
	ck_assert_int_eq(ntp_ts_to_timespec(TS(0x7fffffffu, 0), 0).tv_sec, UNIX_1968 - 1);
	/* Pivot exactly at the 2036 wrap: the half-era boundary goes to the past */
	ck_assert_int_eq(ntp_ts_to_timespec(TS(0x80000000u, 0), NTP_ERA1_UNIX).tv_sec, UNIX_1968);
	ck_assert_int_eq(ntp_ts_to_timespec(TS(0x7fffffffu, 0), NTP_ERA1_UNIX).tv_sec,
	                 NTP_ERA1_UNIX + 0x7fffffffLL);
}
END_TEST

START_TEST(test_era_both_sides_of_2036)
{
	const ntp_ts_t before = TS(0xfffffff0u, 0); /* 16 s before the wrap */
	const ntp_ts_t after = TS(0x00000010u, 0);  /* 16 s after */
	const int64_t pivots[] = {NTP_ERA1_UNIX - 86400 * 365LL, NTP_ERA1_UNIX - 1, NTP_ERA1_UNIX,
	                          NTP_ERA1_UNIX + 86400 * 365LL};

	for (size_t i = 0; i < sizeof(pivots) / sizeof(pivots[0]); i++) {
		ck_assert_int_eq(ntp_ts_to_timespec(before, pivots[i]).tv_sec, NTP_ERA1_UNIX - 16);
		ck_assert_int_eq(ntp_ts_to_timespec(after, pivots[i]).tv_sec, NTP_ERA1_UNIX + 16);
	}
}
END_TEST

START_TEST(test_unix_double)
{
	ck_assert_uint_eq(ntp_ts_from_unix_double(0.0), TS(0x83aa7e80u, 0));
	ck_assert_uint_eq(ntp_ts_from_unix_double(0.5), TS(0x83aa7e80u, 0x80000000u));
	ck_assert_uint_eq(ntp_ts_from_unix_double(-0.25), TS(0x83aa7e7fu, 0xc0000000u));
	ck_assert_uint_eq(ntp_ts_from_unix_double((double)NTP_ERA1_UNIX + 0.5), TS(0, 0x80000000u));
	ck_assert_double_eq(ntp_ts_to_unix_double(TS(0x83aa7e80u, 0x80000000u), UNIX_2026), 0.5);
	ck_assert_double_eq(ntp_ts_to_unix_double(TS(0, 0x40000000u), UNIX_2026),
	                    (double)NTP_ERA1_UNIX + 0.25);
	ck_assert_double_eq_tol(ntp_ts_to_unix_double(TS(0xeeb732e6u, 0xb7f26a21u), UNIX_2026),
	                        1795994726.718542703, 1e-6);
}
END_TEST

START_TEST(test_diff)
{
	ck_assert_double_eq(ntp_ts_diff(TS(10, 0x80000000u), TS(10, 0)), 0.5);
	ck_assert_double_eq(ntp_ts_diff(TS(10, 0), TS(10, 0x80000000u)), -0.5);
	/* across the 2036 rollover */
	ck_assert_double_eq(ntp_ts_diff(TS(1, 0), TS(0xffffffffu, 0)), 2.0);
	ck_assert_double_eq(ntp_ts_diff(TS(0xffffffffu, 0), TS(1, 0)), -2.0);
	ck_assert_double_eq(ntp_ts_diff(TS(0, 0x40000000u), TS(0xffffffffu, 0xc0000000u)), 0.5);
	/* one era-half: the most negative difference */
	ck_assert_double_eq(ntp_ts_diff(TS(0x80000000u, 0), TS(0, 0)), -2147483648.0);
	ck_assert_double_eq(ntp_ts_diff(TS(0x7fffffffu, 0), TS(0, 0)), 2147483647.0);
	ck_assert_double_eq(ntp_ts_diff(TS(5, 1), TS(5, 0)), ldexp(1.0, -32));
}
END_TEST

START_TEST(test_add)
{
	ck_assert_uint_eq(ntp_ts_add(TS(0xffffffffu, 0x80000000u), 1.0), TS(0, 0x80000000u));
	ck_assert_uint_eq(ntp_ts_add(TS(1, 0), -1.5), TS(0xffffffffu, 0x80000000u));
	ck_assert_uint_eq(ntp_ts_add(TS(7, 0), 0.0), TS(7, 0));
	ck_assert_uint_eq(ntp_ts_add(TS(7, 0), 0.25), TS(7, 0x40000000u));
	ck_assert_uint_eq(ntp_ts_add(TS(7, 0), -0.25), TS(6, 0xc0000000u));
	/* a whole era wraps back to the same value */
	ck_assert_uint_eq(ntp_ts_add(TS(7, 3), 4294967296.0), TS(7, 3));
	ck_assert_uint_eq(ntp_ts_add(TS(7, 3), -3.0 * 4294967296.0), TS(7, 3));
	/* a fraction rounding up to a whole second carries */
	ck_assert_uint_eq(ntp_ts_add(TS(7, 0), 1.0 - ldexp(1.0, -40)), TS(8, 0));
	ck_assert_uint_eq(ntp_ts_add(TS(7, 3), NAN), TS(7, 3));
	ck_assert_double_eq(ntp_ts_diff(ntp_ts_add(TS(100, 0), 12345.678), TS(100, 0)),
	                    ldexp(round(ldexp(12345.678, 32)), -32));
}
END_TEST

START_TEST(test_short)
{
	ck_assert_double_eq(ntp_short_to_double(0x00010000u), 1.0);
	ck_assert_double_eq(ntp_short_to_double(0x0000000bu), 11.0 / 65536.0);
	ck_assert_double_eq(ntp_short_to_double(0xffffffffu), 4294967295.0 / 65536.0);
	ck_assert_uint_eq(ntp_short_from_double(0.0), 0);
	ck_assert_uint_eq(ntp_short_from_double(1.0), 0x00010000u);
	ck_assert_uint_eq(ntp_short_from_double(0.5), 0x00008000u);
	ck_assert_uint_eq(ntp_short_from_double(1.0 / 65536.0), 1);
	/* rounding to the nearest 2^-16 s */
	ck_assert_uint_eq(ntp_short_from_double(0.49 / 65536.0), 0);
	ck_assert_uint_eq(ntp_short_from_double(0.51 / 65536.0), 1);
	ck_assert_uint_eq(ntp_short_from_double(2.4 / 65536.0), 2);
	ck_assert_uint_eq(ntp_short_from_double(2.6 / 65536.0), 3);
	/* saturation and NaN */
	ck_assert_uint_eq(ntp_short_from_double(-1.0), 0);
	ck_assert_uint_eq(ntp_short_from_double(-INFINITY), 0);
	ck_assert_uint_eq(ntp_short_from_double(NAN), 0);
	ck_assert_uint_eq(ntp_short_from_double(65535.99998), 0xffffffffu);
	ck_assert_uint_eq(ntp_short_from_double(65536.0), 0xffffffffu);
	ck_assert_uint_eq(ntp_short_from_double(1e12), 0xffffffffu);
	ck_assert_uint_eq(ntp_short_from_double(INFINITY), 0xffffffffu);
	ck_assert_uint_eq(ntp_short_from_double(65535.0), 0xffff0000u);
}
END_TEST

START_TEST(test_exp2)
{
	ck_assert_double_eq(ntp_exp2(0), 1.0);
	ck_assert_double_eq(ntp_exp2(6), 64.0);
	ck_assert_double_eq(ntp_exp2(17), 131072.0);
	ck_assert_double_eq(ntp_exp2(-20), 1.0 / 1048576.0);
	ck_assert_double_eq(ntp_exp2(-25), ldexp(1.0, -25));
}
END_TEST

START_TEST(test_format_hex)
{
	char buf[32];

	ntp_ts_format_hex(TS(0x83aa7e80u, 0), buf, sizeof(buf));
	ck_assert_str_eq(buf, "0x83aa7e80.00000000");
	ntp_ts_format_hex(TS(0xeeb732e6u, 0xb7f26a21u), buf, 20);
	ck_assert_str_eq(buf, "0xeeb732e6.b7f26a21");
	ntp_ts_format_hex(TS(0xeeb732e6u, 0xb7f26a21u), buf, 5);
	ck_assert_str_eq(buf, "0xee");
}
END_TEST

START_TEST(test_format_iso)
{
	char buf[40];

	ntp_ts_format_iso(TS(0xeeb732e6u, 0xb7f26a21u), UNIX_2026, buf, 32);
	ck_assert_str_eq(buf, "2026-11-29T23:25:26.718542702Z");
	ntp_ts_format_iso(0, UNIX_2026, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	ntp_ts_format_iso(TS(0x83aa7e80u, 0x80000000u), UNIX_2026, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.500000000Z");
	ntp_ts_format_iso(TS(0, 1), UNIX_2026, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2036-02-07T06:28:16.000000000Z");
	ntp_ts_format_iso(TS(0xffffffffu, 0xffffffffu), UNIX_2026, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2036-02-07T06:28:15.999999999Z");
	ntp_ts_format_iso(TS(0x0d1c15f2u, 0x22852cc3u), UNIX_2026, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2043-01-26T22:08:50.134844586Z");
	ntp_ts_format_iso(TS(16, 0), UNIX_1900, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1900-01-01T00:00:16.000000000Z");
	ntp_ts_format_iso(TS(0xeeb732e6u, 0), UNIX_2026, buf, 11);
	ck_assert_str_eq(buf, "2026-11-29");
}
END_TEST

/* splitmix64: a fixed, libc-independent generator so the sequence is the same everywhere. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t rng_range(uint64_t *state, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(state) % (uint64_t)(hi - lo));
}

START_TEST(test_random_round_trip)
{
	uint64_t state = RANDOM_SEED;

	printf("test_random_round_trip: seed %u, %d samples\n", RANDOM_SEED, RANDOM_N);
	for (int i = 0; i < RANDOM_N; i++) {
		struct timespec t = mkts(rng_range(&state, 0, UNIX_2100),
		                         (long)rng_range(&state, 0, 1000000000));
		int64_t pivot = t.tv_sec + rng_range(&state, -YEARS_60, YEARS_60 + 1);
		ntp_ts_t ts = ntp_ts_from_timespec(&t);
		struct timespec back = ntp_ts_to_timespec(ts, pivot);
		int64_t err_ns = ((int64_t)back.tv_sec - t.tv_sec) * 1000000000LL +
		                 (back.tv_nsec - t.tv_nsec);

		/* both directions round to nearest: the round trip is exact (brief: <= 1 ns) */
		ck_assert_msg(err_ns == 0, "sample %d: %lld.%09ld pivot %lld -> err %lld ns", i,
		              (long long)t.tv_sec, t.tv_nsec, (long long)pivot, (long long)err_ns);
		ck_assert_int_ge(back.tv_nsec, 0);
		ck_assert_int_lt(back.tv_nsec, 1000000000);
		ck_assert_uint_ne(ts, 0);
	}
}
END_TEST

START_TEST(test_random_diff)
{
	uint64_t state = RANDOM_SEED + 1;

	printf("test_random_diff: seed %u, %d samples\n", RANDOM_SEED + 1, RANDOM_N);
	for (int i = 0; i < RANDOM_N; i++) {
		struct timespec a = mkts(rng_range(&state, 0, UNIX_2100),
		                         (long)rng_range(&state, 0, 1000000000));
		struct timespec b = mkts(a.tv_sec + rng_range(&state, -YEARS_60, YEARS_60 + 1),
		                         (long)rng_range(&state, 0, 1000000000));
		double want = (double)(a.tv_sec - b.tv_sec) + (a.tv_nsec - b.tv_nsec) * 1e-9;
		double got = ntp_ts_diff(ntp_ts_from_timespec(&a), ntp_ts_from_timespec(&b));

		ck_assert_double_eq_tol(got, want, 1e-6);
	}
}
END_TEST

static Suite *ntptime_suite(void)
{
	Suite *s = suite_create("ntptime");
	TCase *conv = tcase_create("conversions");
	TCase *era = tcase_create("era");
	TCase *fmt = tcase_create("formats");
	TCase *rnd = tcase_create("random");

	tcase_add_test(conv, test_unix_epoch);
	tcase_add_test(conv, test_era1_wrap);
	tcase_add_test(conv, test_never_zero);
	tcase_add_test(conv, test_from_timespec_rounding);
	tcase_add_test(conv, test_to_timespec_carry);
	tcase_add_test(conv, test_unix_double);
	tcase_add_test(conv, test_diff);
	tcase_add_test(conv, test_add);
	tcase_add_test(era, test_era_pivots_2026);
	tcase_add_test(era, test_era_pivots_2043);
	tcase_add_test(era, test_era_edges_1900_1968);
	tcase_add_test(era, test_era_both_sides_of_2036);
	tcase_add_test(fmt, test_short);
	tcase_add_test(fmt, test_exp2);
	tcase_add_test(fmt, test_format_hex);
	tcase_add_test(fmt, test_format_iso);
	tcase_add_test(rnd, test_random_round_trip);
	tcase_add_test(rnd, test_random_diff);
	suite_add_tcase(s, conv);
	suite_add_tcase(s, era);
	suite_add_tcase(s, fmt);
	suite_add_tcase(s, rnd);
	return s;
}

int main(void)
{
	return check_run(ntptime_suite());
}
