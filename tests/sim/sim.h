/* sim: one simulation run, the context that ties the real engine to the simulated world.
 *
 * The engine (src/core/engine.h) is driven exactly as the daemon's shell drives it:
 * engine_tick() when engine_next_timer() is due, engine_receive() for each reply that
 * arrives, and every queued action carried out at once. Monotonic time given to the
 * engine is true time t (fine for scheduling: the simulated monotonic clock is perfect);
 * realtime is the simulated client clock at that true instant.
 */
#ifndef STRATA_SIM_SIM_H
#define STRATA_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"
#include "evq.h"
#include "link.h"
#include "metrics.h"
#include "rng.h"
#include "scenario.h"
#include "server.h"
#include "simclock.h"

struct sim_source_track {
	int id;               /* engine source id */
	unsigned long used_s; /* seconds with select_status "selected" or "combined" */
	unsigned long peer_s; /* seconds as the system peer */
};

struct sim {
	struct sim_scenario sc;
	uint64_t seed;
	bool verbose; /* print engine LOG actions and simulator events to stderr */
	double t_end; /* s */
	double t;     /* true time of the last event handled, s */
	long next_sample_s;
	struct engine *engine;
	struct sim_rng engine_rng; /* the engine's rng callback context */
	struct sim_clock clock;
	struct sim_evq evq;
	struct sim_link link[SIM_MAX_SERVERS];
	struct sim_server server[SIM_MAX_SERVERS];
	struct sim_source_track track[SIM_MAX_SERVERS];
	struct sim_metrics metrics;
	unsigned long packets_sent; /* SEND actions */
	unsigned long steps;        /* STEP actions */
	double step_total;          /* s, sum of the steps */
	unsigned long freq_actions; /* FREQUENCY actions */
	double last_freq_ppm;       /* last commanded, ppm */
	double applied_freq_ppm;    /* last applied after the tick/freq split, ppm */
	unsigned long status_actions;
	unsigned long log_actions;
	unsigned long dropped_sends; /* SEND for an unknown source id */
};

/* Set up a run: hours > 0 overrides the scenario's length. Returns 0 or a negative errno. */
int sim_new(const struct sim_scenario *sc, uint64_t seed, double hours, bool verbose,
            struct sim **ret);
void sim_free(struct sim *s); /* NULL is a no-op */

/* Run to the end. Returns 0, or a negative errno (out of memory, engine stuck). */
int sim_run(struct sim *s);

/* Carry out every action the engine has queued (sim_actions.c). */
int sim_drain_actions(struct sim *s);

/* Deliver one datagram event (sim_actions.c). */
int sim_deliver(struct sim *s, const struct sim_event *ev);

/* With --verbose: one line "TIME WHAT TEXT" on stderr, TIME in simulated s. */
void sim_vlog(const struct sim *s, const char *what, const char *text);

/* Client minus UTC at the current time, s. */
double sim_offset(const struct sim *s);

#endif
