/* daemon: context, signals, reload and the summary timer. See daemon.h. */
#include "config.h"

#include "daemon/daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/util.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "daemon/privs.h"
#include "daemon/sandbox.h"
#include "daemon/resolve.h"
#include "daemon/control.h"
#include "daemon/metrics.h"
#include "daemon/serve.h"
#include "daemon/sources.h"
#include "daemon/sync.h"
#include "daemon/timesync.h"
#include "daemon/timeshare.h"

#define DAEMON_LOCAL_REFID 0x7f7f0101 /* 127.127.1.1, as chronyd's and ntpd's local clock */
#define DAEMON_SUMMARY_INTERVAL SOURCES_CHECK_INTERVAL /* s between per-source info lines */

struct daemon {
	struct daemon_opts opts;
	struct conf *conf;
	struct log *log;
	struct clock *clock;
	struct event_base *base;
	struct event *sig_term, *sig_int, *sig_hup;
	struct event *summary; /* every DAEMON_SUMMARY_INTERVAL s */
	struct resolve *resolve;
	struct notify *notify;
	struct sync *sync;
	struct sources *sources;
	struct serve *serve;
	struct control *control;        /* NULL: the control socket could not be opened */
	struct metrics *metrics;        /* NULL: none configured, or it could not listen */
	struct event *reopen_control;   /* deferred: a reload may come from the control itself */
	char reload_error[512];         /* why the last reload failed, "" if it worked */
	double started;                 /* monotonic s */
	struct serve_counters last_cnt; /* at the previous summary */
	bool stopping;                  /* teardown started: ignore signals */
	bool timesync_marked;           /* timesync_file created (or tried) */
	struct timeshare *timeshare;    /* the bounded-time file; NULL: none */
	struct event *watchdog;         /* WATCHDOG=1 at half systemd's interval; NULL: none */
	int exit_status;
};

static enum conf_log_level daemon_level(const struct daemon *d)
{
	return d->opts.debug ? CONF_LOG_DEBUG : d->conf->log_level;
}

static const char *daemon_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* The server counters c minus p, after what ("last 64 s", "since start"). */
static void daemon_log_counters(struct daemon *d, const struct serve_counters *c,
                                const struct serve_counters *p, const char *what)
{
	log_info(d->log,
	         "clients: %lu requests, %lu answered, %lu denied, %lu rate limited, %lu KoD sent, "
	         "%lu malformed, %lu not client mode, %lu send errors, %lu ntpq (%s)",
	         c->received - p->received, c->answered - p->answered, c->denied - p->denied,
	         c->limited - p->limited, c->kod_sent - p->kod_sent, c->malformed - p->malformed,
	         c->not_client - p->not_client, c->send_errors - p->send_errors,
	         c->control - p->control, what);
}

/* What the server did since the previous summary, if it saw anything. */
static void daemon_log_clients(struct daemon *d)
{
	struct serve_counters c, *p = &d->last_cnt;
	char what[32];

	serve_get_counters(d->serve, &c);
	snprintf(what, sizeof(what), "last %d s", DAEMON_SUMMARY_INTERVAL);
	if (c.received != p->received)
		daemon_log_counters(d, &c, p, what);
	*p = c;
}

static void daemon_on_summary(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	sync_log_summary(d->sync);
	sources_check(d->sources);
	daemon_log_clients(d);
}

/* After a reload: a new socket path (or none open) reopens the control socket a little
 * later, so that the reply to a `stratactl reload` still goes out on the old one; a new
 * group or write policy applies in place. */
static void daemon_control_reload(struct daemon *d, bool new_socket)
{
	struct timeval soon = {0, 200000};
	char why[300];

	if (new_socket || !d->control)
		evtimer_add(d->reopen_control, &soon);
	else if (control_set_policy(d->control, d->conf->control_group, d->conf->control_write_root,
	                            why, sizeof(why)) < 0)
		log_err(d->log, "%s", why);
}

static int daemon_reload_cb(void *arg, char *err, size_t errlen);
static const char *daemon_reload_error(void *arg);
static int daemon_add_source(void *arg, const struct conf_source *cs, char *err, size_t errlen);
static int daemon_remove_source(void *arg, const char *name, int port, char *err, size_t errlen);

/* What the control socket and the metrics see of the daemon. */
static struct control_env daemon_env(struct daemon *d)
{
	return (struct control_env){.base = d->base,
	                            .log = d->log,
	                            .sync = d->sync,
	                            .serve = &d->serve,
	                            .clock = d->clock,
	                            .started = d->started,
	                            .group = d->conf->control_group,
	                            .write_root_only = d->conf->control_write_root,
	                            .ops = {.arg = d,
	                                    .reload = daemon_reload_cb,
	                                    .reload_error = daemon_reload_error,
	                                    .add_source = daemon_add_source,
	                                    .remove_source = daemon_remove_source}};
}

/* The Prometheus listener, when configured; like the control socket, failing to open it
 * is an error in the log, not a reason to stop serving time. */
static void daemon_open_metrics(struct daemon *d)
{
	struct control_env env = daemon_env(d);
	char why[300];

	metrics_free(d->metrics);
	d->metrics = NULL;
	if (d->conf->metrics_listen &&
	    metrics_new(&env, d->conf->metrics_listen, &d->metrics, why, sizeof(why)) < 0)
		log_err(d->log, "metrics disabled: %s", why);
}

/* The control socket; failing to open it is an error in the log, not a reason to stop
 * serving time. */
static void daemon_open_control(struct daemon *d)
{
	struct control_env env = daemon_env(d);
	char why[300];

	control_free(d->control);
	d->control = NULL;
	if (control_new(&env, d->conf->control_socket, &d->control, why, sizeof(why)) < 0)
		log_err(d->log, "control socket disabled: %s", why);
}

/* --- signals and reload ------------------------------------------------------------------ */

/* Re-read the configuration (why: "SIGHUP", "stratactl reload"). 0, or -1 with the reason
 * in err (and in reload_error, for stratactl status) and the old configuration kept. */
static int daemon_reload(struct daemon *d, const char *why, char *err, size_t errlen)
{
	struct conf *nc;

	log_notice(d->log, "%s: reloading the configuration from %s", why, d->opts.conf_path);
	notify_reloading(d->notify, clock_monotonic_s(d->clock));
	if (conf_load(d->opts.conf_path, &nc, err, errlen) < 0) {
		log_err(d->log, "%s", err);
		log_err(d->log, "configuration not reloaded, still running with the previous one");
		snprintf(d->reload_error, sizeof(d->reload_error), "%s", err);
		notify_ready(d->notify);
		return -1;
	}
	d->reload_error[0] = '\0';
	if (sync_reconfigure(d->sync, nc) < 0 || sources_apply(d->sources, nc) < 0)
		log_err(d->log, "out of memory applying the new configuration");
	if (serve_reconfigure(d->serve, nc, err, errlen) < 0)
		log_err(d->log, "%s", err);
	bool new_socket = strcmp(nc->control_socket, d->conf->control_socket) != 0;
	bool new_metrics = !conf_str_same(nc->metrics_listen, d->conf->metrics_listen);
	conf_free(d->conf);
	d->conf = nc;
	daemon_control_reload(d, new_socket);
	if (new_metrics)
		daemon_open_metrics(d);
	log_set_level(d->log, daemon_level(d));
	log_notice(d->log, "configuration reloaded: %zu source%s, log level %s",
	           sources_configured(d->sources), daemon_plural(sources_configured(d->sources)),
	           conf_log_level_str(log_get_level(d->log)));
	sync_log_summary(d->sync);
	notify_ready(d->notify);
	return 0;
}

static int daemon_reload_cb(void *arg, char *err, size_t errlen)
{
	return daemon_reload(arg, "stratactl reload", err, errlen);
}

static const char *daemon_reload_error(void *arg)
{
	const struct daemon *d = arg;
	return d->reload_error;
}

/* The running configuration with one source added or removed, applied like a reload of
 * the sources alone (the others keep their state). */
static int daemon_change_sources(struct daemon *d, const struct conf_source *add, int remove,
                                 char *err, size_t errlen)
{
	struct conf *nc = conf_with_source(d->conf, add, remove);
	if (!nc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sources_apply(d->sources, nc) < 0)
		log_err(d->log, "out of memory applying the new sources");
	conf_free(d->conf);
	d->conf = nc;
	return 0;
}

static int daemon_add_source(void *arg, const struct conf_source *cs, char *err, size_t errlen)
{
	struct daemon *d = arg;
	if (conf_find_source(d->conf, cs->name, cs->port) >= 0) {
		snprintf(err, errlen, "%s port %u is already a source", cs->name, cs->port);
		return -1;
	}
	if (d->conf->n_sources >= CONF_MAX_SOURCES) {
		snprintf(err, errlen, "already %d sources", CONF_MAX_SOURCES);
		return -1;
	}
	log_notice(d->log, "stratactl add: %s %s port %u",
	           cs->type == CONF_POOL ? "pool" : "server", cs->name, cs->port);
	return daemon_change_sources(d, cs, -1, err, errlen);
}

static int daemon_remove_source(void *arg, const char *name, int port, char *err, size_t errlen)
{
	struct daemon *d = arg;
	int i = conf_find_source(d->conf, name, port);
	if (i < 0) {
		snprintf(err, errlen, "no source %s%s", name, port > 0 ? " on that port" : "");
		return -1;
	}
	log_notice(d->log, "stratactl remove: %s port %u", d->conf->sources[i].name,
	           d->conf->sources[i].port);
	return daemon_change_sources(d, NULL, i, err, errlen);
}

static void daemon_on_reopen_control(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_open_control(arg);
}

static void daemon_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (d->stopping)
		return;
	if (sig == SIGHUP) {
		char err[512];
		(void)daemon_reload(d, "SIGHUP", err, sizeof(err));
		return;
	}
	log_notice(d->log, "%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	event_base_loopbreak(d->base);
}

static int daemon_add_signal(struct daemon *d, int sig, struct event **ev)
{
	*ev = evsignal_new(d->base, sig, daemon_on_signal, d);
	if (!*ev || evsignal_add(*ev, NULL) < 0)
		return -1;
	return 0;
}

/* --- life cycle -------------------------------------------------------------------------- */

static int daemon_fail(struct daemon *d, char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int daemon_fail(struct daemon *d, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (d->log && !d->opts.foreground)
		log_err(d->log, "%s", err); /* main prints err on stderr as well */
	daemon_free(d);
	return -1;
}

static struct event_base *daemon_new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (!cfg)
		return NULL;
	/* One thread. No EVENT_BASE_FLAG_PRECISE_TIMER: with epoll it arms a timerfd on every
	 * loop iteration, 10 % of the CPU under a flood (measured with perf); timers only pace
	 * polls, so millisecond (CLOCK_MONOTONIC_COARSE) resolution is plenty, and every
	 * timestamp that matters comes from the kernel or the clock driver. The backend stays
	 * libevent's choice, so EVENT_NOEPOLL / EVENT_NOPOLL still work. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

static int daemon_open_clock(struct daemon *d)
{
	int r = d->opts.null_clock     ? clock_null_new(&d->clock)
	        : d->opts.clock_socket ? clock_remote_new(d->opts.clock_socket, &d->clock)
	                               : clock_system_new(&d->clock);

	if (r == 0)
		log_set_clock(d->log, d->clock);
	return r;
}

static int daemon_init_loop(struct daemon *d, char *err, size_t errlen)
{
	struct timeval every = {.tv_sec = DAEMON_SUMMARY_INTERVAL};

	if (evutil_secure_rng_init() < 0)
		return daemon_fail(d, err, errlen, "cannot seed the random number generator");
	d->base = daemon_new_base();
	if (!d->base)
		return daemon_fail(d, err, errlen, "cannot create the event loop");
	if (daemon_add_signal(d, SIGTERM, &d->sig_term) < 0 ||
	    daemon_add_signal(d, SIGINT, &d->sig_int) < 0 ||
	    daemon_add_signal(d, SIGHUP, &d->sig_hup) < 0)
		return daemon_fail(d, err, errlen, "cannot install signal handlers");
	d->summary = event_new(d->base, -1, EV_PERSIST, daemon_on_summary, d);
	if (!d->summary || evtimer_add(d->summary, &every) < 0)
		return daemon_fail(d, err, errlen, "cannot create the summary timer");
	d->reopen_control = event_new(d->base, -1, 0, daemon_on_reopen_control, d);
	if (!d->reopen_control)
		return daemon_fail(d, err, errlen, "out of memory");
	return 0;
}

static void daemon_mode6_view(void *arg, struct mode6_view *out)
{
	struct daemon *d = arg;
	sync_mode6_view(d->sync, out);
}

static void daemon_server_state(void *arg, struct server_state *out)
{
	struct daemon *d = arg;
	struct engine_system y;

	sync_system(d->sync, &y);
	if (!y.synced && d->conf->local_stratum > 0) {
		/* Isolated network: our own clock, at the configured stratum. */
		struct timespec now;
		clock_realtime(d->clock, &now);
		*out = (struct server_state){.synced = true,
		                             .stratum = d->conf->local_stratum,
		                             .leap = 0,
		                             .refid = DAEMON_LOCAL_REFID,
		                             .ref_time = ntp_ts_from_timespec(&now),
		                             .precision = SYNC_LOCAL_PRECISION};
		return;
	}
	*out = (struct server_state){.synced = y.synced,
	                             .stratum = y.stratum,
	                             .leap = y.leap,
	                             .refid = y.refid,
	                             .ref_time = y.ref_time,
	                             .root_delay = y.root_delay,
	                             .root_disp = y.root_disp,
	                             .precision = SYNC_LOCAL_PRECISION};
}

/* First synchronised with the clock under control: tell systemd (timesync.h), once. */
static void daemon_mark_timesync(struct daemon *d)
{
	struct engine_system y;
	char why[300];

	if (d->timesync_marked || d->opts.null_clock || !d->conf->timesync_file)
		return;
	sync_system(d->sync, &y);
	if (!y.synced)
		return;
	d->timesync_marked = true;
	if (timesync_mark(d->conf->timesync_file, why, sizeof(why)) < 0)
		log_warning(d->log, "time-sync.target not reached: %s", why);
	else
		log_info(d->log, "clock synchronised: created %s", d->conf->timesync_file);
}

/* Readers call an entry stale after four of the longest poll intervals. */
static double daemon_time_file_age(const struct daemon *d)
{
	int maxpoll = 10;
	for (size_t i = 0; i < d->conf->n_sources; i++)
		if (d->conf->sources[i].maxpoll > maxpoll)
			maxpoll = d->conf->sources[i].maxpoll;
	return 4.0 * (double)(1L << maxpoll);
}

/* The bounded-time file for libstrata (timeshare.h). With -x only when named: a monitoring
 * daemon must not replace what a disciplining one publishes at the default path. */
static void daemon_open_timeshare(struct daemon *d)
{
	char why[300];
	const char *path = d->conf->time_file;

	if (!path || (d->opts.null_clock && !d->conf->time_file_named))
		return;
	if (timeshare_open(path, &d->timeshare, why, sizeof(why)) < 0)
		log_warning(d->log, "time_file: %s: libstrata readers will see no daemon", why);
	else
		log_info(d->log, "publishing the error bound in %s", path);
}

/* The system state may have changed: the server threads answer with it at once, and the
 * time file tells applications. */
static void daemon_sync_changed(void *arg)
{
	struct daemon *d = arg;
	serve_publish(d->serve);
	if (!d->sync)
		return;
	daemon_mark_timesync(d);
	if (d->timeshare) {
		struct engine_system y;
		struct timeshare_params p = {.clock_controlled = !d->opts.null_clock,
		                             .max_age = daemon_time_file_age(d)};
		sync_system(d->sync, &y);
		timeshare_update(d->timeshare, &y, d->clock, &p);
	}
}

static void daemon_on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	notify_watchdog(d->notify);
}

/* With WatchdogSec= in the unit, WATCHDOG=1 from the event loop at half the interval: a
 * loop that stops turning stops the pings and systemd restarts the daemon. No timer (no
 * wake-ups) without it. */
static int daemon_start_watchdog(struct daemon *d)
{
	double every = notify_watchdog_interval(d->notify) / 2;
	struct timeval tv;

	if (every <= 0)
		return 0;
	tv.tv_sec = (time_t)every;
	tv.tv_usec = (suseconds_t)((every - (double)tv.tv_sec) * 1e6);
	d->watchdog = event_new(d->base, -1, EV_PERSIST, daemon_on_watchdog, d);
	if (!d->watchdog || evtimer_add(d->watchdog, &tv) < 0)
		return -1;
	log_info(d->log, "systemd watchdog: WATCHDOG=1 every %.1f s", every);
	return 0;
}

static int daemon_start_sync(struct daemon *d)
{
	struct sync_env env = {.base = d->base,
	                       .clock = d->clock,
	                       .log = d->log,
	                       .notify = d->notify,
	                       .control_clock = !d->opts.null_clock,
	                       .allow_first_panic = d->opts.allow_first_panic,
	                       .changed = daemon_sync_changed,
	                       .changed_arg = d};
	int r = sync_new(&env, d->conf, &d->sync);

	if (r == 0)
		r = sources_new(d->resolve, d->sync, d->log, &d->sources);
	if (r == 0)
		r = sources_apply(d->sources, d->conf);
	return r;
}

/* A configured listen port below 1024: a reload or a new server thread may have to bind it
 * again after the user switch. */
static bool daemon_needs_bind(const struct conf *c)
{
	for (size_t i = 0; i < c->n_listen; i++)
		if (c->listen[i].port < 1024)
			return true;
	return false;
}

/* The system clock driver, the one that makes clock-setting calls itself (neither -x nor
 * the clock helper of -k). */
static bool daemon_system_clock(const struct daemon *d)
{
	return !d->opts.null_clock && !d->opts.clock_socket;
}

/* Who the daemon will run as and what it keeps (privs.h). */
static struct privs_opts daemon_privs(const struct daemon *d)
{
	return (struct privs_opts){.user = d->opts.user ? d->opts.user : d->conf->user,
	                           .keep_sys_time = daemon_system_clock(d),
	                           .keep_bind = daemon_needs_bind(d->conf)};
}

/* The listen sockets, owned by the user the daemon will run as (privs.h). */
static int daemon_open_serve(struct daemon *d, char *err, size_t errlen)
{
	struct serve_env senv = {.base = d->base,
	                         .clock = d->clock,
	                         .log = d->log,
	                         .get_state = daemon_server_state,
	                         .get_view = daemon_mode6_view,
	                         .arg = d};
	struct privs_opts po = daemon_privs(d);

	if (privs_socket_owner_begin(&po, err, errlen) < 0)
		return -1;
	int r = serve_new(&senv, d->conf, &d->serve, err, errlen);
	privs_socket_owner_end();
	return r < 0 ? -1 : 0;
}

/* Everything is open: give up the user, the capabilities and the system calls not needed
 * from now on (privs.h, sandbox.h). */
static int daemon_confine(struct daemon *d, char *err, size_t errlen)
{
	struct privs_opts po = daemon_privs(d);
	struct privs_result pr;

	if (privs_drop(&po, &pr, err, errlen) < 0)
		return -1;
	log_info(d->log, "running as uid %u gid %u%s, capabilities: %s", (unsigned)pr.uid,
	         (unsigned)pr.gid, pr.switched ? " (switched from root)" : "", pr.caps);
	if (!d->conf->seccomp) {
		log_notice(d->log, "seccomp filter off (seccomp = false)");
		return 0;
	}
	if (sandbox_under_valgrind()) {
		log_notice(d->log, "seccomp filter off: valgrind cannot run it");
		return 0;
	}
	struct sandbox_opts so = {.clock_control = daemon_system_clock(d),
	                          .log_only = sandbox_sanitized()};
	if (sandbox_seccomp(&so, err, errlen) < 0)
		return -1;
	log_info(d->log, "seccomp filter on%s%s",
	         so.clock_control ? "" : ": clock adjustment calls are forbidden",
	         so.log_only ? " (sanitizer build: logged, not enforced)" : "");
	return 0;
}

int daemon_new(const struct daemon_opts *opts, struct conf *conf, struct daemon **ret, char *err,
               size_t errlen)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		conf_free(conf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->opts = *opts;
	d->conf = conf;
	if (log_new(opts->foreground, daemon_level(d), &d->log) < 0)
		return daemon_fail(d, err, errlen, "out of memory");
	r = daemon_open_clock(d);
	if (r < 0)
		return daemon_fail(d, err, errlen, "cannot open the %s clock driver%s%s: %s%s",
		                   opts->null_clock     ? "null"
		                   : opts->clock_socket ? "helper"
		                                        : "system",
		                   opts->clock_socket ? " at " : "",
		                   opts->clock_socket ? opts->clock_socket : "", strerror(-r),
		                   opts->null_clock     ? ""
		                   : opts->clock_socket ? " (is strata-clockd running?)"
		                                        : " (use -x to run without clock control)");
	d->started = clock_monotonic_s(d->clock);
	if (daemon_init_loop(d, err, errlen) < 0)
		return -1;
	if (resolve_new(d->base, d->log, d->conf->resolv_conf, &d->resolve) < 0 ||
	    notify_new(&d->notify) < 0)
		return daemon_fail(d, err, errlen, "out of memory");
	r = daemon_start_sync(d);
	if (r < 0)
		return daemon_fail(d, err, errlen, "cannot start the time engine: %s",
		                   strerror(-r));
	char why[256];
	if (daemon_open_serve(d, why, sizeof(why)) < 0)
		return daemon_fail(d, err, errlen, "%s", why);
	daemon_open_control(d);
	daemon_open_metrics(d);
	daemon_open_timeshare(d);
	if (daemon_confine(d, why, sizeof(why)) < 0)
		return daemon_fail(d, err, errlen, "%s", why);
	if (serve_start_threads(d->serve, d->conf, why, sizeof(why)) < 0)
		return daemon_fail(d, err, errlen, "%s", why);
	if (daemon_start_watchdog(d) < 0)
		return daemon_fail(d, err, errlen, "cannot start the watchdog timer");
	*ret = d;
	return 0;
}

int daemon_run(struct daemon *d)
{
	log_notice(d->log,
	           "stratad %s started: %zu source%s configured, clock driver %s, event backend %s",
	           PACKAGE_VERSION, sources_configured(d->sources),
	           daemon_plural(sources_configured(d->sources)), d->clock->ops->name,
	           event_base_get_method(d->base));
	if (d->opts.null_clock)
		log_notice(d->log, "monitor only (-x): offsets are measured, the clock is never "
		                   "adjusted");
	notify_ready(d->notify);
	sync_log_summary(d->sync);
	if (event_base_dispatch(d->base) < 0) {
		log_err(d->log, "event loop failed");
		d->exit_status = 1;
	}
	return d->exit_status;
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	d->stopping = true;
	if (d->notify)
		notify_stopping(d->notify);
	if (d->serve) {
		struct serve_counters c, zero = {0};
		serve_get_counters(d->serve, &c);
		if (c.received)
			daemon_log_counters(d, &c, &zero, "since start");
	}
	control_free(d->control);
	d->control = NULL;
	metrics_free(d->metrics);
	d->metrics = NULL;
	serve_free(d->serve);
	d->serve = NULL; /* sync_free below may still report a change */
	sources_free(d->sources);
	sync_free(d->sync); /* writes the drift file */
	d->sync = NULL;
	timeshare_close(d->timeshare);
	if (d->summary)
		event_free(d->summary);
	if (d->reopen_control)
		event_free(d->reopen_control);
	if (d->watchdog)
		event_free(d->watchdog);
	resolve_free(d->resolve); /* may run the loop once more to finish cancelled lookups */
	notify_free(d->notify);
	if (d->sig_hup)
		event_free(d->sig_hup);
	if (d->sig_int)
		event_free(d->sig_int);
	if (d->sig_term)
		event_free(d->sig_term);
	if (d->base)
		event_base_free(d->base);
	if (d->log && d->clock)
		log_info(d->log, "stopped");
	if (d->log)
		log_set_clock(d->log, NULL);
	clock_free(d->clock);
	conf_free(d->conf);
	log_free(d->log);
	free(d);
}
