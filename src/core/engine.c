/* engine: sources, timers, the action queue and the public API; see engine.h.
 * Selection, combining and the discipline live in engine_update.c. */
#include "core/engine_priv.h"

#define ENGINE_POLL_GAIN 0.5      /* prediction error allowed, in measurement noises */
#define ENGINE_POLL_MIN_SAMPLES 8 /* samples before the poll may grow */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void engine_config_default(struct engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->makestep_threshold = 1.0;
	cfg->makestep_limit = 3;
	cfg->panic_threshold = 1000.0;
	cfg->allow_first_panic = false;
	cfg->max_slew_ppm = 83333.333;
	cfg->max_freq_ppm = 500.0;
	cfg->min_sources = 1;
	cfg->initial_freq_ppm = NAN;
	cfg->local_precision = -20;
	cfg->control_clock = true;
	cfg->slew_time = 1.0;
}

/* The discipline's policy from the engine's configuration. */
static void discipline_config_of(const struct engine_config *cfg, struct discipline_config *dc)
{
	*dc = (struct discipline_config){
	        .makestep_threshold = cfg->makestep_threshold,
	        .makestep_limit = cfg->makestep_limit,
	        .panic_threshold = cfg->panic_threshold,
	        .allow_first_panic = cfg->allow_first_panic,
	        .max_slew = cfg->max_slew_ppm * 1e-6,
	        .max_freq = cfg->max_freq_ppm * 1e-6,
	        .slew_time = cfg->slew_time,
	        .initial_freq =
	                isfinite(cfg->initial_freq_ppm) ? cfg->initial_freq_ppm * 1e-6 : 0.0,
	};
}

int engine_new(const struct engine_config *cfg, struct engine **ret)
{
	if (!cfg || !ret || !cfg->rng || !(cfg->makestep_threshold > 0) || !(cfg->max_slew_ppm > 0))
		return -EINVAL;
	struct engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->last_step_mono = -INFINITY;
	e->last_panic_log = -INFINITY;
	e->first_answer_mono = NAN;
	e->last_update_mono = NAN;
	e->sys.residual_freq = NAN;
	e->sys.update_interval = NAN;
	e->leap_done_until = -INFINITY;
	e->sys.system_peer = -1;
	e->sys.stratum = NTP_MAX_STRATUM;
	e->sys.leap = NTP_LEAP_ALARM;
	snprintf(e->sys.unsync_reason, sizeof(e->sys.unsync_reason), "no valid samples yet");
	struct discipline_config dc;
	discipline_config_of(cfg, &dc);
	discipline_init(&e->disc, &dc, 0.0);
	e->sys.frequency = e->disc.drift * 1e6;
	*ret = e;
	return 0;
}

int engine_set_policy(struct engine *e, const struct engine_config *cfg)
{
	if (!cfg || !(cfg->makestep_threshold > 0) || !(cfg->max_slew_ppm > 0) ||
	    !(cfg->max_freq_ppm > 0) || cfg->min_sources < 1)
		return -EINVAL;
	e->cfg.makestep_threshold = cfg->makestep_threshold;
	e->cfg.makestep_limit = cfg->makestep_limit;
	e->cfg.panic_threshold = cfg->panic_threshold;
	e->cfg.max_slew_ppm = cfg->max_slew_ppm;
	e->cfg.max_freq_ppm = cfg->max_freq_ppm;
	e->cfg.min_sources = cfg->min_sources;
	e->cfg.slew_time = cfg->slew_time;
	e->cfg.leap_mode = cfg->leap_mode;
	/* The start-up-only parts (the -g allowance, the drift file's frequency) stay. */
	struct discipline_config dc;
	discipline_config_of(cfg, &dc);
	dc.allow_first_panic = e->disc.cfg.allow_first_panic;
	dc.initial_freq = e->disc.cfg.initial_freq;
	e->disc.cfg = dc;
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++)
		source_free(e->srcs[i].src);
	free(e);
}

struct engine_action *engine_queue_push(struct engine *e, enum engine_action_type type)
{
	if (e->q_len == ENGINE_QUEUE_LEN) {
		/* Full: only a log line may be lost, never a send or a clock action. */
		if (type == ENGINE_ACT_LOG)
			return NULL;
		e->q_head = (e->q_head + 1) % ENGINE_QUEUE_LEN;
		e->q_len--;
	}
	struct engine_action *a = &e->queue[(e->q_head + e->q_len) % ENGINE_QUEUE_LEN];
	e->q_len++;
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->source = -1;
	return a;
}

void engine_queue_log(struct engine *e, int level, const char *fmt, ...)
{
	struct engine_action *a = engine_queue_push(e, ENGINE_ACT_LOG);
	if (!a)
		return;
	a->level = level;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->text, sizeof(a->text), fmt, ap);
	va_end(ap);
}

bool engine_next_action(struct engine *e, struct engine_action *out)
{
	if (e->q_len == 0)
		return false;
	*out = e->queue[e->q_head];
	e->q_head = (e->q_head + 1) % ENGINE_QUEUE_LEN;
	e->q_len--;
	return true;
}

double engine_local(const struct engine *e, ntp_ts_t t)
{
	return ntp_ts_diff(t, e->epoch);
}

static void note_time(struct engine *e, ntp_ts_t now_real)
{
	if (!e->have_epoch) {
		e->epoch = now_real;
		e->have_epoch = true;
		e->disc.corr_local = 0.0;
	}
	e->now_local = engine_local(e, now_real);
}

int engine_add_source(struct engine *e, const struct source_config *cfg, const char *name,
                      uint32_t refid, double now_mono)
{
	int id = -1;
	for (int i = 0; i < ENGINE_MAX_SOURCES && id < 0; i++)
		if (!e->srcs[i].used)
			id = i;
	if (id < 0)
		return -ENOSPC;
	struct engine_src *s = &e->srcs[id];
	int r = source_new(cfg, &s->src);
	if (r < 0)
		return r;
	s->used = true;
	s->scfg = *cfg;
	s->refid = refid;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "?");
	filter_init(&s->filt, FILTER_MAX_SAMPLES);
	filter_set_method(&s->filt, (enum filter_method)e->cfg.filter_method, 0);
	s->sel_status = "unreachable";
	s->offset_sd = INFINITY;
	source_start(s->src, now_mono, (double)(e->cfg.rng(e->cfg.rng_ctx) >> 11) * 0x1p-53 * 0.1);
	return id;
}

void engine_remove_source(struct engine *e, int id)
{
	if (id < 0 || id >= ENGINE_MAX_SOURCES || !e->srcs[id].used)
		return;
	source_free(e->srcs[id].src);
	memset(&e->srcs[id], 0, sizeof(e->srcs[id]));
	if (e->sys.system_peer == id)
		e->sys.system_peer = -1;
}

static double rand01(struct engine *e)
{
	return (double)(e->cfg.rng(e->cfg.rng_ctx) >> 11) * 0x1p-53;
}

int engine_burst(struct engine *e, double now_mono, int count)
{
	int n = 0;
	count = count < 1 ? 1 : count > SOURCE_IBURST_COUNT ? SOURCE_IBURST_COUNT : count;
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++) {
		if (!e->srcs[i].used || !isfinite(source_next_poll(e->srcs[i].src)))
			continue;
		source_burst(e->srcs[i].src, now_mono, rand01(e) * 0.1, count);
		n++;
	}
	engine_queue_log(e, 2, "burst: %d source%s will send %d request%s each", n,
	                 n == 1 ? "" : "s", count, count == 1 ? "" : "s");
	return n;
}

int engine_makestep(struct engine *e, bool accept_insane)
{
	if (!e->cfg.control_clock)
		return -EPERM;
	e->disc.step_armed = true;
	if (accept_insane)
		e->disc.insane_armed = true;
	engine_queue_log(e, 2, "makestep: the next clock update steps the clock%s",
	                 accept_insane ? ", even beyond the panic threshold" : "");
	return 0;
}

double engine_next_timer(const struct engine *e)
{
	double t = e->next_status;
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++)
		if (e->srcs[i].used)
			t = fmin(t, source_next_poll(e->srcs[i].src));
	if (isfinite(e->disc.slew_end)) {
		/* slew_end is local time; local runs at mono's rate to well within 10 %. */
		double dt = e->disc.slew_end - e->now_local;
		t = fmin(t, e->last_input_mono + (dt > 0 ? dt : 0));
	}
	return fmin(t, engine_leap_timer(e));
}

static void poll_sources(struct engine *e, double now_mono, ntp_ts_t now_real)
{
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++) {
		struct engine_src *s = &e->srcs[i];
		if (!s->used || source_next_poll(s->src) > now_mono)
			continue;
		uint64_t cookie = e->cfg.rng(e->cfg.rng_ctx);
		struct engine_action a0;
		size_t n = source_transmit(s->src, now_mono, now_real, cookie ? cookie : 1,
		                           rand01(e), a0.buf, sizeof(a0.buf));
		if (n == 0)
			continue;
		struct engine_action *a = engine_queue_push(e, ENGINE_ACT_SEND);
		memcpy(a->buf, a0.buf, n);
		a->len = n;
		a->source = i;
	}
}

/* A source that was reachable at the last selection and no longer is (8 polls without a
 * reply): select again without waiting for a sample, which may never come. */
static void reselect_if_lost(struct engine *e, double now_mono)
{
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++) {
		if (!e->srcs[i].used || !e->srcs[i].was_reachable)
			continue;
		struct source_status st;
		source_get_status(e->srcs[i].src, &st);
		if (st.reach == 0) {
			engine_update(e, now_mono);
			return;
		}
	}
}

void engine_tick(struct engine *e, double now_mono, ntp_ts_t now_real)
{
	note_time(e, now_real);
	e->last_input_mono = now_mono;
	poll_sources(e, now_mono, now_real);
	reselect_if_lost(e, now_mono);
	double rate;
	if (e->cfg.control_clock && discipline_tick(&e->disc, e->now_local, &rate)) {
		struct engine_action *a = engine_queue_push(e, ENGINE_ACT_FREQUENCY);
		a->value = rate * 1e6;
	}
	engine_leap_tick(e, now_mono);
	if (now_mono >= e->next_status)
		engine_publish_status(e, now_mono);
}

/* Poll adaptation: the longest interval over which the frequency uncertainty and the
 * oscillator's wander keep the prediction error below ENGINE_POLL_GAIN times the noise of a
 * typical measurement, so polling more often would not make the estimate better. Moves by
 * at most one step per sample, within minpoll..maxpoll. */
static void adapt_poll(struct engine_src *s)
{
	const struct filter_estimate *fe = filter_get(&s->filt);
	if (!fe->freq_valid || fe->n < ENGINE_POLL_MIN_SAMPLES)
		return;
	double budget = ENGINE_POLL_GAIN * fmax(fe->meas_sd > 0 ? fe->meas_sd : fe->jitter, 1e-7);
	double q = s->filt.wander, fsd = fe->freq_sd;
	int target = s->scfg.minpoll;
	while (target < s->scfg.maxpoll) {
		double t = ntp_exp2(target + 1);
		if (q * t * t * t / 3 + fsd * fsd * t * t > budget * budget)
			break;
		target++;
	}
	struct source_status st;
	source_get_status(s->src, &st);
	int poll = st.poll;
	if (target > poll)
		poll++;
	else if (target < poll)
		poll--;
	source_set_poll(s->src, poll);
}

enum source_rx_verdict engine_receive(struct engine *e, int id, const uint8_t *buf, size_t len,
                                      ntp_ts_t t4, double now_mono)
{
	if (id < 0 || id >= ENGINE_MAX_SOURCES || !e->srcs[id].used)
		return SOURCE_RX_UNEXPECTED;
	note_time(e, t4);
	e->last_input_mono = now_mono;
	struct engine_src *s = &e->srcs[id];
	struct source_sample smp;
	enum source_rx_verdict v = source_receive(s->src, buf, len, t4, now_mono, &smp);
	if (v == SOURCE_RX_KOD_DENY)
		engine_queue_log(e, 1, "%s: kiss-o'-death DENY/RSTR: polling stopped", s->name);
	else if (v == SOURCE_RX_KOD_RATE)
		engine_queue_log(e, 2, "%s: kiss-o'-death RATE: polling less often", s->name);
	if (v == SOURCE_RX_UNSYNC && !s->unsync) {
		s->unsync = true; /* it lost its own sources: select without it at once */
		engine_update(e, now_mono);
	}
	if (v != SOURCE_RX_SAMPLE)
		return v;
	s->unsync = false;
	/* A request sent before a step measured the old clock: its sample is meaningless. */
	if (now_mono - (engine_local(e, t4) - engine_local(e, smp.t1)) <= e->last_step_mono)
		return v;
	double mid = engine_local(e, smp.t1) + 0.5 * ntp_ts_diff(t4, smp.t1);
	double c_mid = e->cfg.control_clock ? discipline_correction(&e->disc, mid) : 0.0;
	struct filter_sample fs = {
	        .t = mid - c_mid,
	        .offset = smp.offset + c_mid,
	        .delay = smp.delay,
	        .dispersion = smp.dispersion,
	};
	if (!filter_add(&s->filt, &fs))
		engine_queue_log(e, 4, "%s: sample rejected by the filter (delay spike or outlier)",
		                 s->name);
	else
		adapt_poll(s);
	engine_update(e, now_mono);
	return v;
}

void engine_get_system(const struct engine *e, struct engine_system *out)
{
	*out = e->sys;
}

int engine_get_source(const struct engine *e, int id, struct engine_source_info *out)
{
	if (id < 0 || id >= ENGINE_MAX_SOURCES || !e->srcs[id].used)
		return -ENOENT;
	const struct engine_src *s = &e->srcs[id];
	const struct filter_estimate *fe = filter_get(&s->filt);
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", s->name);
	source_get_status(s->src, &out->src);
	out->select_status = s->sel_status;
	out->offset = s->offset;
	out->delay = fe->valid ? fe->min_delay : 0.0;
	out->jitter = fe->jitter;
	out->root_distance = s->root_distance;
	out->freq = fe->freq_valid ? fe->freq * 1e6 : 0.0;
	out->freq_sd = fe->freq_valid ? fe->freq_sd * 1e6 : NAN;
	out->offset_sd = fe->valid ? fe->offset_sd : NAN;
	out->span = fe->valid ? fe->span : 0.0;
	out->n_samples = fe->n;
	return 0;
}
