/* ntptime: NTP time formats and their conversions (RFC 5905 section 6).
 *
 * Pure functions, no clock reads. Units:
 *   ntp_ts_t    64-bit NTP timestamp as on the wire: high 32 bits = seconds since the
 *               start of the era (era 0 starts 1900-01-01 00:00:00 UTC), low 32 bits =
 *               fraction of a second in units of 2^-32 s. The wire carries no era.
 *   ntp_short_t 32-bit NTP short format: 16-bit seconds, 16-bit fraction (2^-16 s).
 *   double      seconds.
 *   timespec    Unix time (seconds since 1970-01-01 UTC) and nanoseconds.
 *
 * The value 0 means "unknown / not set" on the wire; ntp_ts_from_timespec never returns 0
 * for a real time (it nudges the fraction to 1 in that 2^-32 s wide case).
 */
#ifndef STRATA_CORE_NTPTIME_H
#define STRATA_CORE_NTPTIME_H

#include <stdint.h>
#include <time.h>

typedef uint64_t ntp_ts_t;
typedef uint32_t ntp_short_t;

/* Seconds from the NTP prime epoch (1900) to the Unix epoch (1970). */
#define NTP_UNIX_OFFSET 2208988800LL
/* Unix time of the era 0 -> era 1 rollover: 2036-02-07 06:28:16 UTC. */
#define NTP_ERA1_UNIX 2085978496LL

/* Unix timespec -> wire timestamp (era dropped). Nanoseconds are rounded to the nearest
 * 2^-32 s. A negative or unnormalised tv_nsec is normalised first. */
ntp_ts_t ntp_ts_from_timespec(const struct timespec *ts);

/* Wire timestamp -> Unix timespec, the era chosen so that the result is the one closest to
 * pivot (a Unix time in seconds, e.g. the local clock or a build-time constant). Correct
 * while the true time is within 68 years of the pivot. The fraction is rounded to the nearest
 * nanosecond, so timespec -> ntp_ts_t -> timespec gives back the same value. */
struct timespec ntp_ts_to_timespec(ntp_ts_t ts, int64_t pivot_unix);

/* Wire timestamp -> Unix seconds as a double, era resolved around pivot_unix as above.
 * A double only keeps ~0.24 us at today's Unix times: use it for display, not arithmetic. */
double ntp_ts_to_unix_double(ntp_ts_t ts, int64_t pivot_unix);

/* Unix seconds (double) -> wire timestamp. */
ntp_ts_t ntp_ts_from_unix_double(double unix_s);

/* a - b in seconds, by two's-complement subtraction: correct while |a - b| < 68 years,
 * across an era rollover too. Positive when a is later than b. */
double ntp_ts_diff(ntp_ts_t a, ntp_ts_t b);

/* Add a signed number of seconds to a timestamp (wraps modulo the era). */
ntp_ts_t ntp_ts_add(ntp_ts_t ts, double seconds);

/* Short format <-> seconds. ntp_short_from_double saturates to [0, 65535.99998] and
 * rounds to the nearest 2^-16 s; NaN gives 0. */
double ntp_short_to_double(ntp_short_t s);
ntp_short_t ntp_short_from_double(double seconds);

/* log2 exponent (poll, precision) -> seconds: 2^exp. */
double ntp_exp2(int exp);

/* Format a timestamp as "0x%08x.%08x" (as ntpq does) into buf (at least 20 bytes). */
void ntp_ts_format_hex(ntp_ts_t ts, char *buf, unsigned long len);

/* Format a wire timestamp as ISO 8601 UTC with nanoseconds ("2026-11-29T23:25:26.718542702Z")
 * into buf (at least 32 bytes), era resolved around pivot_unix, the fraction truncated to the
 * nanosecond as Wireshark shows it. 0 prints as "-". */
void ntp_ts_format_iso(ntp_ts_t ts, int64_t pivot_unix, char *buf, unsigned long len);

#endif
