/* clock: the only door to the local clock.
 *
 * Everything in the daemon reads time and (later) corrects the clock through a struct
 * clock, never through clock_gettime or the kernel directly. Drivers:
 *   clock_null    reads CLOCK_REALTIME / CLOCK_MONOTONIC, keeps every correction in memory
 *                 and never touches the kernel (stratad -x, tests, monitoring).
 *   clock_system  Linux clock_adjtime on CLOCK_REALTIME: the ONLY source file that may call a
 *                 clock-setting function (a make check test enforces it).
 *   clock_remote  reads the clocks like clock_null; every correction is a request to
 *                 strata-clockd, the clock helper, which applies it with its own driver
 *                 (clockmsg.h: the wire format; stratad -k).
 *
 * Units and signs:
 *   frequency  ppm; positive = the driver makes the clock run faster (gain time).
 *   offset     seconds; positive = the clock is moved forward (later).
 * Every function returns 0 or a negative errno value.
 * Ownership: clock_free() releases the driver; the ops table is static.
 */
#ifndef STRATA_CLOCK_CLOCK_H
#define STRATA_CLOCK_CLOCK_H

#include <stdbool.h>
#include <time.h>

struct clock;

/* Largest frequency correction a driver accepts, ppm: the system driver reaches it by
 * changing the kernel tick (+-10 %) on top of ADJ_FREQUENCY (+-500 ppm). */
#define CLOCK_MAX_PPM 100000.0

struct clock_ops {
	const char *name;
	int (*read_realtime)(struct clock *c, struct timespec *out);
	int (*read_monotonic)(struct clock *c, struct timespec *out);
	/* Current frequency correction, ppm (positive = clock sped up). */
	int (*get_frequency)(struct clock *c, double *ppm);
	int (*set_frequency)(struct clock *c, double ppm);
	/* Step the clock by offset seconds at once. */
	int (*step)(struct clock *c, double offset);
	/* Tell the kernel (or keep in memory) the sync state: leap = enum ntp_leap,
	 * max_error and est_error in seconds, synced = false sets "unsynchronised". */
	int (*set_sync_status)(struct clock *c, int leap, double max_error, double est_error,
	                       bool synced);
	void (*destroy)(struct clock *c);
};

struct clock {
	const struct clock_ops *ops;
	void *priv; /* driver state */
};

/* Drivers. Each returns 0 and sets *ret, or a negative errno value. */
int clock_null_new(struct clock **ret);
int clock_system_new(struct clock **ret);
/* Connect to the clock helper's socket at path (SOCK_SEQPACKET). Errors: those of socket()
 * and connect() (-ENOENT: no helper there, -EACCES, -ECONNREFUSED), -ENAMETOOLONG. */
int clock_remote_new(const char *path, struct clock **ret);

/* The system driver over an injected kernel call with the clock_adjtime signature and
 * convention (returns the clock state >= 0, or -1 with errno set). clock_system_new passes
 * the real one; unit tests pass a fake that records the struct timex and never reaches the
 * kernel. struct timex stays opaque here: <sys/timex.h> is only needed by whoever defines fn. */
struct timex;
typedef int (*clock_adjtime_fn)(clockid_t clk, struct timex *tx);
int clock_system_new_with(clock_adjtime_fn fn, struct clock **ret);

/* What the null driver has been told, for stratad -x and tests. frequency in ppm (last value
 * set), stepped = sum of every step offset in s (positive = forward), steps = their count;
 * leap, max_error and est_error (s) and synced as last given to set_sync_status (initially
 * NTP_LEAP_ALARM, 16 s, 16 s, false). Returns -EINVAL if c is not a null driver. */
struct clock_null_state {
	double frequency;
	double stepped;
	unsigned long steps;
	int leap;
	double max_error;
	double est_error;
	bool synced;
};
int clock_null_get_state(const struct clock *c, struct clock_null_state *out);

void clock_free(struct clock *c); /* NULL is a no-op */

/* Convenience: realtime / monotonic readings, aborting nothing; on failure the timespec is
 * zeroed and the error returned. */
int clock_realtime(struct clock *c, struct timespec *out);
int clock_monotonic(struct clock *c, struct timespec *out);
/* Monotonic seconds as a double (scheduling). */
double clock_monotonic_s(struct clock *c);

#endif
