/* simclock: the simulated client clock (kernel-like) and true-time timestamps.
 *
 * True time t: double seconds from 0, a uniform timescale (no leap seconds). The NTP
 * timestamp of epoch + x seconds is computed from an integer epoch plus the small double x,
 * so no precision is lost (a double of a full NTP time would keep only ~0.2 us).
 *
 * Client clock: local(t) = t + phase(t), phase in s (positive = client ahead of true time).
 *   d phase / dt = osc + cmd   (s/s; positive = client runs fast)
 *   osc  oscillator frequency error; a random walk: at every whole simulated second it gets
 *        an N(0, wander) increment (wander in s/s per step, 1e-9 by default)
 *   cmd  the frequency correction the engine commanded, as Linux applies it: a tick change
 *        in whole 100-ppm units (tick in us per 10 ms at HZ = 100, within +-10 %) plus
 *        ADJ_FREQUENCY in 2^-16 ppm (within +-500 ppm). Positive ppm = runs faster.
 * Steps change phase at once. A leap second armed by a status update (as STA_INS / STA_DEL)
 * is applied like the kernel does: at the local clock's next UTC midnight the clock goes
 * back 1 s (insert), or at 23:59:59 forward 1 s (delete).
 */
#ifndef STRATA_SIM_SIMCLOCK_H
#define STRATA_SIM_SIMCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ntptime.h"
#include "rng.h"

#define SIM_TICK_US 10000L        /* nominal tick at HZ = 100, us */
#define SIM_TICK_MAX_DELTA 1000L  /* +-10 % of the tick, us (1 us = 100 ppm) */
#define SIM_ADJ_FREQ_MAX_PPM 500L /* ADJ_FREQUENCY limit, ppm */

/* NTP timestamp of epoch_ntp (NTP era-0 seconds) + x seconds (x may be negative). */
ntp_ts_t sim_ts(int64_t epoch_ntp, double x);

struct sim_clock {
	double t;           /* true time reached, s */
	double phase;       /* local minus true time, s */
	double osc;         /* oscillator frequency error, s/s (positive = fast) */
	double cmd;         /* applied frequency correction, s/s (positive = faster) */
	double wander;      /* sd of the per-second random-walk step of osc, s/s */
	double next_wander; /* true time of the next random-walk step, s */
	int64_t epoch_ntp;  /* NTP seconds of t = 0 (for the kernel's midnight) */
	long tick_delta_us; /* applied tick change, us per tick */
	long freq_scaled;   /* applied ADJ_FREQUENCY, 2^-16 ppm */
	int leap_dir;       /* armed leap: -1 insert, +1 delete, 0 none */
	double leap_local;  /* local time (s from epoch) at which the armed leap fires */
	int leap;           /* last published enum ntp_leap */
	bool synced;        /* last published sync state */
	unsigned long leaps_applied;
	double last_leap_t; /* true time of the last leap applied, s */
	struct sim_rng rng; /* wander only */
};

void sim_clock_init(struct sim_clock *c, int64_t epoch_ntp, double phase0, double osc0,
                    double wander, uint64_t seed);

/* Advance to true time t (>= c->t), applying wander steps and an armed leap on the way. */
void sim_clock_advance(struct sim_clock *c, double t);

/* Local clock now, as seconds from the epoch and as an NTP timestamp. */
double sim_clock_local(const struct sim_clock *c);
ntp_ts_t sim_clock_now(const struct sim_clock *c);

/* Set the frequency correction to ppm (positive = faster); returns the ppm applied after
 * the Linux-like tick + frequency split and its limits. A non-finite value is ignored. */
double sim_clock_set_frequency(struct sim_clock *c, double ppm);

/* Step the clock by s seconds (positive = forward). */
void sim_clock_step(struct sim_clock *c, double s);

/* Publish leap (enum ntp_leap) and sync state; arms or disarms the leap second. */
void sim_clock_status(struct sim_clock *c, int leap, bool synced);

/* Actual frequency error now: osc + cmd, ppm. */
double sim_clock_freq_error_ppm(const struct sim_clock *c);

#endif
