/* sim: set-up and main loop of one run; see sim.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define RNG_ENGINE 0x656e67696e65ull /* "engine" */
#define RNG_LINK 0x6c696e6b00ull     /* "link" + server index */
#define MAX_SAME_TIME_TICKS 100000   /* engine ticks at one instant before we call it stuck */
/* Second k is sampled at t = k + SIM_SAMPLE_PHASE: never at an instant where UTC, a server
 * or the clock jumps (leap seconds and scheduled steps fall on whole seconds). */
#define SIM_SAMPLE_PHASE 0.5

static int add_sources(struct sim *s)
{
	for (int i = 0; i < s->sc.n_servers; i++) {
		char name[16];
		int id;

		snprintf(name, sizeof(name), "srv%d", i);
		id = engine_add_source(s->engine, &s->sc.source, name, 0x7f000001u + (uint32_t)i,
		                       0.0);
		if (id < 0)
			return id;
		s->track[i].id = id;
	}
	return 0;
}

static void init_world(struct sim *s)
{
	const struct sim_scenario *sc = &s->sc;

	sim_clock_init(&s->clock, sc->utc.epoch_ntp, sc->phase0, sc->osc0, sc->wander, s->seed);
	sim_evq_init(&s->evq);
	sim_metrics_init(&s->metrics);
	for (int i = 0; i < sc->n_servers; i++) {
		sim_link_init(&s->link[i], &sc->link[i], s->seed, RNG_LINK + (uint64_t)i);
		sim_server_init(&s->server[i], &sc->server[i]);
	}
}

int sim_new(const struct sim_scenario *sc, uint64_t seed, double hours, bool verbose,
            struct sim **ret)
{
	struct engine_config cfg;
	struct sim *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->sc = *sc;
	if (hours > 0.0)
		s->sc.hours = hours;
	s->seed = seed;
	s->verbose = verbose;
	s->t_end = s->sc.hours * 3600.0;
	init_world(s);
	sim_rng_init(&s->engine_rng, seed, RNG_ENGINE);

	engine_config_default(&cfg);
	cfg.local_precision = -20;
	cfg.control_clock = true; /* the simulated clock is ours to steer */
	cfg.leap_mode = (enum engine_leap_mode)s->sc.leap_mode;
	cfg.filter_method = s->sc.filter_method;
	cfg.rng = sim_rng_callback;
	cfg.rng_ctx = &s->engine_rng;
	r = engine_new(&cfg, &s->engine);
	if (r == 0)
		r = add_sources(s);
	if (r < 0) {
		sim_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	engine_free(s->engine);
	sim_evq_free(&s->evq);
	sim_metrics_free(&s->metrics);
	free(s);
}

double sim_offset(const struct sim *s)
{
	return s->clock.phase - sim_utc_offset(&s->sc.utc, s->clock.t);
}

void sim_vlog(const struct sim *s, const char *what, const char *text)
{
	if (s->verbose)
		fprintf(stderr, "%12.6f %-6s %s\n", s->t, what, text);
}

/* Advance the client clock to s->t, noting a leap second the kernel applied on the way. */
static void advance(struct sim *s)
{
	unsigned long leaps = s->clock.leaps_applied;

	sim_clock_advance(&s->clock, s->t);
	if (s->clock.leaps_applied != leaps) {
		char text[80];

		snprintf(text, sizeof(text), "kernel applied a leap second at t=%.6f",
		         s->clock.last_leap_t);
		sim_vlog(s, "LEAP", text);
	}
}

/* A status under which the source's offset steers the clock (see select.h). */
static bool is_used(const char *status)
{
	return status && (strcmp(status, "selected") == 0 || strcmp(status, "combined") == 0);
}

static void track_sources(struct sim *s)
{
	struct engine_system sys;

	engine_get_system(s->engine, &sys);
	for (int i = 0; i < s->sc.n_servers; i++) {
		struct engine_source_info info;

		if (sys.system_peer == s->track[i].id)
			s->track[i].peer_s++;
		if (engine_get_source(s->engine, s->track[i].id, &info) == 0 &&
		    is_used(info.select_status))
			s->track[i].used_s++;
	}
}

static int take_sample(struct sim *s)
{
	long sec = s->next_sample_s++;

	s->t = (double)sec + SIM_SAMPLE_PHASE;
	advance(s);
	track_sources(s);
	return sim_metrics_sample(&s->metrics, sec, sim_offset(s),
	                          sim_clock_freq_error_ppm(&s->clock));
}

static int tick(struct sim *s, double t, int *same_time)
{
	if (t < s->t)
		t = s->t; /* a timer in the past is due now */
	*same_time = (t == s->t) ? *same_time + 1 : 0;
	if (*same_time > MAX_SAME_TIME_TICKS) {
		fprintf(stderr, "strata-sim: engine timer stuck at t=%.6f\n", t);
		return -ELOOP;
	}
	s->t = t;
	advance(s);
	engine_tick(s->engine, t, sim_clock_now(&s->clock));
	return sim_drain_actions(s);
}

static int deliver_next(struct sim *s)
{
	struct sim_event ev;

	sim_evq_pop(&s->evq, &ev);
	if (ev.t > s->t)
		s->t = ev.t;
	advance(s);
	return sim_deliver(s, &ev);
}

int sim_run(struct sim *s)
{
	int same_time = 0, r = sim_drain_actions(s);

	while (r == 0 && (double)s->next_sample_s < s->t_end) {
		double t_timer = engine_next_timer(s->engine);
		double t_ev = sim_evq_peek_time(&s->evq);
		double t_sample = (double)s->next_sample_s + SIM_SAMPLE_PHASE;

		if (t_ev <= t_sample && t_ev <= t_timer)
			r = deliver_next(s);
		else if (t_timer <= t_sample)
			r = tick(s, t_timer, &same_time);
		else
			r = take_sample(s);
	}
	return r;
}
