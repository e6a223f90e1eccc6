/* ntptime: NTP time formats and their conversions; see ntptime.h. Pure functions. */
#include "core/ntptime.h"

#include <math.h>
#include <stdio.h>

#define NS_PER_S 1000000000LL
#define TWO_POW_32 4294967296.0              /* 2^32, as a double */
#define SHORT_MAX_S (4294967295.0 / 65536.0) /* largest short-format value, s */

/* Fraction in 2^-32 s units -> nanoseconds, rounded to nearest (may return 1e9). */
static int64_t frac_to_ns(uint32_t frac)
{
	return (int64_t)(((uint64_t)frac * NS_PER_S + (1ULL << 31)) >> 32);
}

/* Nanoseconds [0, 1e9) -> fraction in 2^-32 s units, rounded to nearest. Never overflows:
 * 999999999 ns gives 0xfffffffc. */
static uint32_t ns_to_frac(int64_t ns)
{
	return (uint32_t)((((uint64_t)ns << 32) + NS_PER_S / 2) / NS_PER_S);
}

/* Unix seconds -> NTP seconds modulo 2^32 (era dropped); unsigned arithmetic, so negative
 * Unix times (before 1970) wrap correctly. */
static uint32_t unix_to_era_sec(int64_t unix_s)
{
	return (uint32_t)((uint64_t)unix_s + (uint64_t)NTP_UNIX_OFFSET);
}

/* Signed offset in s from the pivot to the era-resolved value of the wire seconds sec:
 * in [-2^31, 2^31). */
static int64_t era_delta(uint32_t sec, int64_t pivot_unix)
{
	uint32_t d = sec - unix_to_era_sec(pivot_unix);

	return d >= 0x80000000u ? (int64_t)d - (1LL << 32) : (int64_t)d;
}

static ntp_ts_t make_ts(uint32_t sec, uint32_t frac)
{
	ntp_ts_t ts = ((ntp_ts_t)sec << 32) | frac;

	return ts == 0 ? 1 : ts; /* 0 means "not set" on the wire */
}

ntp_ts_t ntp_ts_from_timespec(const struct timespec *ts)
{
	int64_t sec = ts->tv_sec;
	int64_t ns = ts->tv_nsec;

	sec += ns / NS_PER_S;
	ns %= NS_PER_S;
	if (ns < 0) {
		ns += NS_PER_S;
		sec--;
	}
	return make_ts(unix_to_era_sec(sec), ns_to_frac(ns));
}

struct timespec ntp_ts_to_timespec(ntp_ts_t ts, int64_t pivot_unix)
{
	int64_t sec = pivot_unix + era_delta((uint32_t)(ts >> 32), pivot_unix);
	int64_t ns = frac_to_ns((uint32_t)ts);
	struct timespec out;

	if (ns >= NS_PER_S) {
		ns -= NS_PER_S;
		sec++;
	}
	out.tv_sec = (time_t)sec;
	out.tv_nsec = (long)ns;
	return out;
}

double ntp_ts_to_unix_double(ntp_ts_t ts, int64_t pivot_unix)
{
	int64_t sec = pivot_unix + era_delta((uint32_t)(ts >> 32), pivot_unix);

	return (double)sec + (double)(uint32_t)ts / TWO_POW_32;
}

/* Seconds (any sign, finite) -> whole seconds modulo 2^32 and a fraction in 2^-32 s units,
 * packed as a 64-bit increment modulo 2^64. */
static uint64_t seconds_to_fixed(double seconds)
{
	double whole = floor(seconds);
	double frac = seconds - whole; /* [0, 1) */

	whole = fmod(whole, TWO_POW_32);
	if (whole < 0)
		whole += TWO_POW_32;
	/* frac * 2^32 may round up to 2^32: the addition then carries into the seconds. */
	return ((uint64_t)whole << 32) + (uint64_t)llround(ldexp(frac, 32));
}

ntp_ts_t ntp_ts_from_unix_double(double unix_s)
{
	uint64_t v;

	if (!isfinite(unix_s))
		return 0;
	v = seconds_to_fixed(unix_s) + ((uint64_t)NTP_UNIX_OFFSET << 32);
	return v == 0 ? 1 : v;
}

double ntp_ts_diff(ntp_ts_t a, ntp_ts_t b)
{
	return ldexp((double)(int64_t)(a - b), -32);
}

ntp_ts_t ntp_ts_add(ntp_ts_t ts, double seconds)
{
	if (!isfinite(seconds))
		return ts;
	return ts + seconds_to_fixed(seconds);
}

double ntp_short_to_double(ntp_short_t s)
{
	return (double)s / 65536.0;
}

ntp_short_t ntp_short_from_double(double seconds)
{
	if (isnan(seconds) || seconds <= 0.0)
		return 0;
	if (seconds >= SHORT_MAX_S)
		return 0xffffffffu;
	return (ntp_short_t)llround(seconds * 65536.0);
}

double ntp_exp2(int exp)
{
	return ldexp(1.0, exp);
}

void ntp_ts_format_hex(ntp_ts_t ts, char *buf, unsigned long len)
{
	if (len == 0)
		return;
	snprintf(buf, len, "0x%08x.%08x", (unsigned)(ts >> 32), (unsigned)(uint32_t)ts);
}

void ntp_ts_format_iso(ntp_ts_t ts, int64_t pivot_unix, char *buf, unsigned long len)
{
	struct timespec t;
	struct tm tm;
	time_t sec;

	if (len == 0)
		return;
	if (ts == 0) {
		snprintf(buf, len, "-");
		return;
	}
	/* Truncated (not rounded) to the nanosecond, as Wireshark displays timestamps. */
	t.tv_sec = (time_t)(pivot_unix + era_delta((uint32_t)(ts >> 32), pivot_unix));
	t.tv_nsec = (long)(((uint64_t)(uint32_t)ts * NS_PER_S) >> 32);
	sec = t.tv_sec;
	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t.tv_nsec);
}
