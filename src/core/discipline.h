/* discipline: the clock-correction state machine, sans I/O.
 *
 * It keeps the cumulative correction C applied to the local clock, so that every
 * measurement can be put on the "raw" timescale of the free-running oscillator:
 *     raw = local - C
 * C grows at the commanded rate r while a frequency correction is in force: over a local
 * interval L it grows by L * r / (1 + r) (the clock runs at (1 + osc)(1 + r), raw at
 * (1 + osc)); a step of s adds s to C and to the local time alike, leaving raw untouched.
 *
 * On each update the engine gives the combined offset (server minus local) and frequency
 * estimate; the pure policy discipline_decide() chooses:
 *   REFUSE  |offset| > panic threshold ("insane time"): never applied on the network's word,
 *           except once at start when allow_first_panic is set (like ntpd -g).
 *   STEP    |offset| > makestep threshold during the first makestep_limit updates (or always
 *           with limit -1).
 *   SLEW    otherwise: the frequency is set to the drift estimate plus offset / T for T
 *           seconds, T = max(|offset| / max_slew, slew_time), then back to the drift.
 * Units: seconds; rates as s/s (1e-6 = 1 ppm); positive rate = clock runs faster; positive
 * step = clock moved forward. Local times are seconds since an epoch the engine chooses.
 */
#ifndef STRATA_CORE_DISCIPLINE_H
#define STRATA_CORE_DISCIPLINE_H

#include <stdbool.h>

enum discipline_decision {
	DISCIPLINE_SLEW = 0,
	DISCIPLINE_STEP,
	DISCIPLINE_REFUSE,
};

struct discipline_config {
	double makestep_threshold; /* s, > 0 */
	int makestep_limit;        /* updates; -1 = always */
	double panic_threshold;    /* s; 0 = no limit */
	bool allow_first_panic;    /* one correction beyond panic at start */
	double max_slew;           /* s/s, largest offset-correcting rate */
	double max_freq;           /* s/s, largest drift correction */
	double slew_time;          /* s, shortest time over which an offset is slewed */
	double initial_freq;       /* s/s drift correction at start (drift file), 0 if unknown */
};

struct discipline {
	struct discipline_config cfg;
	double corr;       /* C at corr_local, s */
	double corr_local; /* local time at which corr is up to date, s */
	double rate;       /* commanded rate now: drift + slew, s/s */
	double drift;      /* drift correction without the slew part, s/s */
	double slew_end;   /* local time the slew part ends, INFINITY if none */
	unsigned long updates;
	unsigned long steps;
	bool panic_used;   /* the one allowed panic correction is spent */
	bool step_armed;   /* operator's makestep: the next update steps, whatever the offset */
	bool insane_armed; /* operator's accept: the next update may exceed the panic threshold */
	bool started;
};

void discipline_init(struct discipline *d, const struct discipline_config *cfg, double now_local);

/* The pure policy: what to do with offset after `updates` clock updates. */
enum discipline_decision discipline_decide(const struct discipline_config *cfg,
                                           unsigned long updates, bool panic_used, double offset);

/* The decision for offset now: discipline_decide with the operator's one-shot overrides
 * (step_armed turns any finite offset into a STEP; insane_armed lets one offset beyond the
 * panic threshold through). discipline_update clears an override once it has been used. */
enum discipline_decision discipline_next(const struct discipline *d, double offset);

/* C at local time t (t >= corr_local), s. */
double discipline_correction(const struct discipline *d, double t);

/* Bring C up to date at local time t. */
void discipline_advance(struct discipline *d, double t);

struct discipline_out {
	enum discipline_decision decision;
	bool set_rate; /* new rate to command */
	double rate;   /* s/s */
	bool step;     /* step the clock by step_offset */
	double step_offset;
};

/* An update at local time t with the combined offset (server minus local) and, when
 * freq_valid, the drift estimate freq (the rate that cancels the oscillator's error). */
void discipline_update(struct discipline *d, double t, double offset, bool freq_valid, double freq,
                       struct discipline_out *out);

/* Called at local time t >= slew_end: ends the slew. Returns true and the new rate if the
 * rate changed. */
bool discipline_tick(struct discipline *d, double t, double *rate);

#endif
