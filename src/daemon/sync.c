/* sync: engine timer, actions, datagrams and the drift file. See sync.h.
 * Reports (summary lines, STATUS=) are in sync_report.c. */
#include "daemon/sync_priv.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/util.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "clock/clock.h"
#include "core/packet.h"
#include "daemon/driftfile.h"
#include "daemon/log.h"
#include "daemon/statsfile.h"

#define SYNC_MAX_TIMEOUT 8.0 /* s, longest wait for a reply */

static struct timeval sync_tv(double s)
{
	struct timeval tv;

	if (!(s > 0.0))
		s = 0.0;
	if (s > 86400.0)
		s = 86400.0;
	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* 64 bits from libevent's CSPRNG (seeded from the kernel). */
static uint64_t sync_rng(void *ctx)
{
	uint64_t r;

	(void)ctx;
	evutil_secure_rng_get_bytes(&r, sizeof(r));
	return r;
}

static ntp_ts_t sync_now_real(struct sync *s)
{
	struct timespec ts;

	clock_realtime(s->env.clock, &ts);
	return ntp_ts_from_timespec(&ts);
}

static void sync_do_send(struct sync *s, const struct engine_action *a)
{
	struct engine_source_info si;
	struct poller *p =
	        a->source >= 0 && a->source < ENGINE_MAX_SOURCES ? s->pollers[a->source] : NULL;

	if (!p || engine_get_source(s->engine, a->source, &si) < 0)
		return;
	log_debug(s->env.log, "request to %s (poll %d, reach %03o)", poller_name(p), si.src.poll,
	          si.src.reach);
	poller_send(p, a->buf, a->len, fmin(ldexp(1.0, si.src.poll), SYNC_MAX_TIMEOUT));
}

static void sync_do_clock(struct sync *s, const struct engine_action *a)
{
	struct clock *c = s->env.clock;
	int r = 0;

	if (a->type == ENGINE_ACT_FREQUENCY) {
		r = c->ops->set_frequency(c, a->value);
	} else if (a->type == ENGINE_ACT_STEP) {
		r = c->ops->step(c, a->value);
	} else {
		r = c->ops->set_sync_status(c, a->leap, a->max_error, a->est_error, a->synced);
	}
	if (r < 0)
		log_err(s->env.log, "clock driver %s: %s failed: %s", c->ops->name,
		        a->type == ENGINE_ACT_FREQUENCY ? "setting the frequency"
		        : a->type == ENGINE_ACT_STEP    ? "stepping the clock"
		                                        : "setting the kernel sync status",
		        strerror(-r));
}

static void sync_do_action(struct sync *s, const struct engine_action *a)
{
	switch (a->type) {
	case ENGINE_ACT_SEND:
		sync_do_send(s, a);
		break;
	case ENGINE_ACT_FREQUENCY:
	case ENGINE_ACT_STEP:
	case ENGINE_ACT_STATUS:
		if (s->env.control_clock)
			sync_do_clock(s, a);
		break;
	case ENGINE_ACT_LOG:
		log_msg(s->env.log, (enum conf_log_level)a->level, "%s", a->text);
		break;
	}
}

/* Carry out everything queued, re-arm the engine timer, refresh STATUS=. */
static void sync_drain(struct sync *s)
{
	struct engine_action a;
	struct timeval tv;
	double next;

	while (engine_next_action(s->engine, &a))
		sync_do_action(s, &a);
	next = engine_next_timer(s->engine);
	if (isinf(next)) {
		evtimer_del(s->timer);
	} else {
		tv = sync_tv(next - clock_monotonic_s(s->env.clock));
		evtimer_add(s->timer, &tv);
	}
	sync_report_falsetickers(s);
	sync_report_status(s);
	sync_stats_loop(s);
	if (s->env.changed)
		s->env.changed(s->env.changed_arg);
}

static void sync_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sync *s = arg;

	(void)fd;
	(void)what;
	engine_tick(s->engine, clock_monotonic_s(s->env.clock), sync_now_real(s));
	sync_drain(s);
}

static bool sync_on_datagram(void *arg, int id, const uint8_t *buf, size_t len,
                             const struct timespec *rx, bool kernel_ts)
{
	struct sync *s = arg;
	enum source_rx_verdict v;

	v = engine_receive(s->engine, id, buf, len, ntp_ts_from_timespec(rx),
	                   clock_monotonic_s(s->env.clock));
	if (v == SOURCE_RX_SAMPLE)
		sync_report_sample(s, id, kernel_ts);
	else
		log_debug(s->env.log, "datagram from %s (%zu bytes): %s", sync_name(s, id), len,
		          source_rx_verdict_str(v));
	sync_drain(s);
	return v == SOURCE_RX_SAMPLE || v == SOURCE_RX_KOD_RATE || v == SOURCE_RX_KOD_DENY ||
	       v == SOURCE_RX_KOD_OTHER;
}

/* --- drift file ------------------------------------------------------------------------- */

static double sync_read_drift(struct sync *s)
{
	double freq, skew;
	char err[256];
	int r;

	if (!s->driftfile)
		return NAN;
	r = driftfile_read(s->driftfile, &freq, &skew, err, sizeof(err));
	if (r == 0) {
		log_info(s->env.log, "frequency %+.3f ppm (error %.3f ppm) from the drift file %s",
		         freq, skew, s->driftfile);
		return freq;
	}
	if (r == -ENOENT)
		log_info(s->env.log, "no drift file %s yet: frequency unknown", s->driftfile);
	else if (r == -EINVAL)
		log_warning(s->env.log, "drift file ignored: %s", err);
	else
		log_warning(s->env.log, "cannot read the drift file %s: %s", s->driftfile,
		            strerror(-r));
	return NAN;
}

static void sync_write_drift(struct sync *s)
{
	struct engine_system y;
	int r;

	engine_get_system(s->engine, &y);
	if (!s->driftfile || !s->env.control_clock || y.updates == 0)
		return;
	r = driftfile_write(s->driftfile, y.frequency,
	                    isfinite(y.freq_error) ? fmin(y.freq_error, DRIFTFILE_MAX_PPM) : 0.0);
	if (r < 0)
		log_warning(s->env.log, "cannot write the drift file %s: %s", s->driftfile,
		            strerror(-r));
	else
		log_debug(s->env.log, "drift file %s: %+.3f ppm", s->driftfile, y.frequency);
}

static void sync_on_drift_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sync_write_drift(arg);
}

/* --- life cycle ------------------------------------------------------------------------- */

static void sync_engine_config(const struct sync *s, const struct conf *c, double freq,
                               struct engine_config *ec)
{
	engine_config_default(ec);
	ec->makestep_threshold = c->makestep_threshold;
	ec->makestep_limit = c->makestep_limit;
	ec->panic_threshold = c->panic_threshold;
	ec->allow_first_panic = s->env.allow_first_panic;
	ec->max_slew_ppm = c->max_slew_ppm;
	ec->min_sources = c->min_sources;
	ec->initial_freq_ppm = freq;
	ec->local_precision = SYNC_LOCAL_PRECISION;
	ec->control_clock = s->env.control_clock;
	ec->leap_mode = c->leap_slew ? ENGINE_LEAP_SLEW : ENGINE_LEAP_SYSTEM;
	ec->rng = sync_rng;
	ec->rng_ctx = NULL;
}

int sync_new(const struct sync_env *env, const struct conf *c, struct sync **ret)
{
	struct timeval every = sync_tv(SYNC_DRIFT_INTERVAL);
	struct engine_config ec;
	struct sync *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->env = *env;
	s->penv = (struct poller_env){.base = env->base,
	                              .clock = env->clock,
	                              .log = env->log,
	                              .on_datagram = sync_on_datagram,
	                              .arg = s};
	if (c->driftfile && !(s->driftfile = strdup(c->driftfile))) {
		sync_free(s);
		return -ENOMEM;
	}
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(s->machine, sizeof(s->machine), "%.31s", u.machine);
		snprintf(s->system, sizeof(s->system), "%.30s/%.60s", u.sysname, u.release);
	}
	sync_stats_configure(s, c);
	sync_engine_config(s, c, sync_read_drift(s), &ec);
	r = engine_new(&ec, &s->engine);
	if (r == 0)
		sync_load_leaplist(s, c->leapseclist);
	s->timer = evtimer_new(env->base, sync_on_timer, s);
	s->drift_timer = event_new(env->base, -1, EV_PERSIST, sync_on_drift_timer, s);
	if (r < 0 || !s->timer || !s->drift_timer || evtimer_add(s->drift_timer, &every) < 0) {
		sync_free(s);
		return r < 0 ? r : -ENOMEM;
	}
	*ret = s;
	return 0;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	if (s->engine)
		sync_write_drift(s);
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++)
		poller_free(s->pollers[i]);
	if (s->drift_timer)
		event_free(s->drift_timer);
	if (s->timer)
		event_free(s->timer);
	engine_free(s->engine);
	statsfile_free(s->stats);
	free(s->driftfile);
	free(s);
}

int sync_reconfigure(struct sync *s, const struct conf *c)
{
	struct engine_config ec;
	char *path = NULL;
	int r;

	if (c->driftfile && !(path = strdup(c->driftfile)))
		return -ENOMEM;
	free(s->driftfile);
	s->driftfile = path;
	sync_stats_configure(s, c);
	sync_engine_config(s, c, NAN, &ec);
	r = engine_set_policy(s->engine, &ec);
	if (r == 0)
		sync_load_leaplist(s, c->leapseclist);
	return r;
}

int sync_add(struct sync *s, const struct conf_source *cs, const struct udp_addr *addr)
{
	struct source_config sc = {.minpoll = cs->minpoll,
	                           .maxpoll = cs->maxpoll,
	                           .iburst = cs->iburst,
	                           .local_precision = SYNC_LOCAL_PRECISION};
	struct poller *p;
	int id, r;

	r = poller_new(&s->penv, addr, -1, &p);
	if (r < 0)
		return r;
	id = engine_add_source(s->engine, &sc, poller_name(p), sync_refid_of(addr),
	                       clock_monotonic_s(s->env.clock));
	if (id < 0) {
		poller_free(p);
		return id;
	}
	poller_free(s->pollers[id]);
	poller_set_id(p, id);
	s->pollers[id] = p;
	char text[64];
	udp_addr_str(addr, text, sizeof(text));
	snprintf(s->host[id], sizeof(s->host[id]), "%s", strcmp(cs->name, text) ? cs->name : "");
	s->minpoll[id] = cs->minpoll;
	sync_drain(s);
	return id;
}

void sync_remove(struct sync *s, int id)
{
	if (id < 0 || id >= ENGINE_MAX_SOURCES || !s->pollers[id])
		return;
	engine_remove_source(s->engine, id);
	poller_free(s->pollers[id]);
	s->pollers[id] = NULL;
	s->falseticker[id] = false;
	sync_drain(s);
}

const char *sync_name(const struct sync *s, int id)
{
	if (id < 0 || id >= ENGINE_MAX_SOURCES || !s->pollers[id])
		return "";
	return poller_name(s->pollers[id]);
}

int sync_source(const struct sync *s, int id, struct engine_source_info *out)
{
	return engine_get_source(s->engine, id, out);
}

void sync_system(const struct sync *s, struct engine_system *out)
{
	engine_get_system(s->engine, out);
}

int sync_burst(struct sync *s, int count)
{
	int n = engine_burst(s->engine, clock_monotonic_s(s->env.clock), count);
	sync_drain(s);
	return n;
}

int sync_makestep(struct sync *s, bool accept_insane)
{
	int r = engine_makestep(s->engine, accept_insane);
	sync_drain(s);
	return r;
}
