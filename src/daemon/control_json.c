/* control_json: building replies. See control_json.h. */
#include "config.h"

#include "daemon/control_json.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "clock/clock.h"
#include "core/addrkey.h"
#include "core/clientlog.h"
#include "core/engine.h"
#include "core/ntptime.h"
#include "core/source.h"
#include "daemon/serve.h"
#include "daemon/sync.h"

static const char *leap_name(int leap)
{
	static const char *const names[] = {"none", "insert", "delete", "unsynchronised"};
	return names[leap & 3];
}

/* NTP timestamp to Unix seconds (0 stays 0: never). */
static double unix_seconds(ntp_ts_t t)
{
	if (!t)
		return 0;
	struct timespec ts = ntp_ts_to_timespec(t, ENGINE_ERA_PIVOT);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

json_t *control_json_error(const char *msg)
{
	return json_pack("{s:i, s:b, s:s}", "version", CONTROL_PROTOCOL_VERSION, "ok", 0, "error",
	                 msg);
}

static json_t *ok(json_t *result)
{
	return result ? json_pack("{s:i, s:b, s:o}", "version", CONTROL_PROTOCOL_VERSION, "ok", 1,
	                          "result", result)
	              : control_json_error("out of memory");
}

/* A number, or null when it is not finite (jansson refuses NaN and infinities, and an
 * estimate not yet made is "unknown", not a number). */
static void put_real(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, isfinite(v) ? json_real(v) : json_null());
}

static void put_reals(json_t *o, const char *const *keys, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_real(o, keys[i], v[i]);
}

static json_t *status(const struct control_env *env)
{
	static const char *const keys[] = {
	        "reference_time",  "offset",          "rms_offset",
	        "frequency_ppm",   "skew_ppm",        "residual_freq_ppm",
	        "root_delay",      "root_dispersion", "error_bound",
	        "update_interval", "uptime"};
	struct engine_system y;
	char refid[16];

	sync_system(env->sync, &y);
	sync_refid_text(y.refid, (unsigned)y.stratum, refid, sizeof(refid));
	json_t *o = json_pack("{s:b, s:i, s:s, s:s, s:I, s:I, s:s}", "synchronised", y.synced,
	                      "stratum", y.stratum, "refid", y.synced ? refid : "", "leap",
	                      y.synced ? leap_name(y.leap) : "unsynchronised", "updates",
	                      (json_int_t)y.updates, "steps", (json_int_t)y.steps, "unsync_reason",
	                      y.synced ? "" : y.unsync_reason);
	if (!o)
		return NULL;
	const double v[] = {unix_seconds(y.ref_time),
	                    y.offset,
	                    y.rms_offset,
	                    y.frequency,
	                    y.freq_error,
	                    y.residual_freq,
	                    y.root_delay,
	                    y.root_disp,
	                    y.error_bound,
	                    y.update_interval,
	                    clock_monotonic_s(env->clock) - env->started};
	put_reals(o, keys, v, sizeof(v) / sizeof(v[0]));
	const char *rerr = env->ops.reload_error ? env->ops.reload_error(env->ops.arg) : "";
	json_object_set_new(o, "reload_error", json_string(rerr ? rerr : ""));
	json_object_set_new(o, "system_peer",
	                    y.synced ? json_string(sync_name(env->sync, y.system_peer))
	                             : json_null());
	return o;
}

static json_t *source(const struct engine_source_info *si, double now)
{
	static const char *const keys[] = {"offset", "delay", "jitter", "root_distance",
	                                   "last_rx_ago"};
	char refid[16] = "";
	const struct source_sample *l = &si->src.last;
	bool have = si->src.have_sample;

	if (have)
		sync_refid_text(l->refid, l->stratum, refid, sizeof(refid));
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:i, s:s, s:I}", "name",
	                      si->name, "state", si->select_status, "kiss", si->src.kiss, "stratum",
	                      have ? l->stratum : 0, "poll", si->src.poll, "reach", si->src.reach,
	                      "have_sample", have, "samples", si->n_samples, "refid", refid,
	                      "requests", (json_int_t)si->src.tx);
	if (!o)
		return NULL;
	const double v[] = {si->offset, si->delay, si->jitter, si->root_distance,
	                    have ? now - l->rx_mono : NAN};
	put_reals(o, keys, v, sizeof(v) / sizeof(v[0]));
	json_t *rx = json_object();
	for (int k = 0; rx && k < SOURCE_RX__COUNT; k++)
		json_object_set_new(rx, source_rx_verdict_str((enum source_rx_verdict)k),
		                    json_integer((json_int_t)si->src.rx[k]));
	json_object_set_new(o, "received", rx ? rx : json_null());
	return o;
}

/* {"sources": [one(si) for every source]} */
static json_t *each_source(const struct control_env *env,
                           json_t *(*one)(const struct engine_source_info *si, double now))
{
	json_t *arr = json_array();
	struct engine_source_info si;

	for (int i = 0; arr && i < ENGINE_MAX_SOURCES; i++) {
		if (sync_source(env->sync, i, &si) < 0)
			continue;
		json_t *o = one(&si, clock_monotonic_s(env->clock));
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr ? json_pack("{s:o}", "sources", arr) : NULL;
}

static json_t *sources(const struct control_env *env)
{
	return each_source(env, source);
}

static json_t *sourcestat(const struct engine_source_info *si, double now)
{
	static const char *const keys[] = {"span",   "frequency_ppm", "skew_ppm",
	                                   "offset", "offset_sd",     "jitter"};
	(void)now;
	json_t *o = json_pack("{s:s, s:i}", "name", si->name, "samples", si->n_samples);
	if (!o)
		return NULL;
	bool have = si->n_samples > 0;
	const double v[] = {si->span,      si->n_samples > 1 ? si->freq : NAN,
	                    si->freq_sd,   have ? si->offset : NAN,
	                    si->offset_sd, have ? si->jitter : NAN};
	put_reals(o, keys, v, sizeof(v) / sizeof(v[0]));
	return o;
}

static json_t *sourcestats(const struct control_env *env)
{
	return each_source(env, sourcestat);
}

static json_t *serverstats(const struct control_env *env)
{
	struct serve_counters c = {0};
	struct serve *s = env->serve ? *env->serve : NULL;

	if (s)
		serve_get_counters(s, &c);
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "serving",
	                 s && serve_listening(s) > 0, "received", (json_int_t)c.received,
	                 "answered", (json_int_t)c.answered, "denied", (json_int_t)c.denied,
	                 "rate_limited", (json_int_t)c.limited, "kod_sent", (json_int_t)c.kod_sent,
	                 "malformed", (json_int_t)c.malformed, "not_client",
	                 (json_int_t)c.not_client, "send_errors", (json_int_t)c.send_errors,
	                 "control", (json_int_t)c.control);
}

static json_t *reload(const struct control_env *env, json_t *req, char *err, size_t errlen)
{
	(void)req;
	if (!env->ops.reload) {
		snprintf(err, errlen, "reload is not available");
		return NULL;
	}
	if (env->ops.reload(env->ops.arg, err, errlen) < 0)
		return NULL;
	return json_pack("{s:b}", "reloaded", 1);
}

static json_t *burst(const struct control_env *env, json_t *req, char *err, size_t errlen)
{
	json_t *cv = json_object_get(req, "count");
	json_int_t count = SOURCE_IBURST_COUNT / 2 + 1;
	if (cv && (!json_is_integer(cv) || json_integer_value(cv) < 1 ||
	           json_integer_value(cv) > SOURCE_IBURST_COUNT)) {
		snprintf(err, errlen, "\"count\" must be an integer 1..%d", SOURCE_IBURST_COUNT);
		return NULL;
	}
	if (cv)
		count = json_integer_value(cv);
	int n = sync_burst(env->sync, (int)count);
	return json_pack("{s:i, s:I}", "sources", n, "count", count);
}

static json_t *makestep(const struct control_env *env, json_t *req, char *err, size_t errlen)
{
	json_t *av = json_object_get(req, "accept_insane");
	if (av && !json_is_boolean(av)) {
		snprintf(err, errlen, "\"accept_insane\" must be true or false");
		return NULL;
	}
	if (sync_makestep(env->sync, json_is_true(av)) < 0) {
		snprintf(err, errlen, "the clock is not controlled (-x): nothing to step");
		return NULL;
	}
	return json_pack("{s:b, s:b}", "armed", 1, "accept_insane", json_is_true(av));
}

static json_t *client(const struct clientlog_entry *c, double now)
{
	char text[INET6_ADDRSTRLEN] = "?";
	bool v4 = addrkey_is_v4(c->addr);
	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? c->addr + 12 : c->addr, text, sizeof(text));
	double first = (double)c->first_ns / 1e9, last = (double)c->last_ns / 1e9;
	json_t *o = json_pack("{s:s, s:I, s:I, s:I}", "address", text, "requests",
	                      (json_int_t)c->requests, "dropped", (json_int_t)c->dropped, "kod",
	                      (json_int_t)c->kod);
	if (!o)
		return NULL;
	put_real(o, "last_rx_ago", now - last);
	put_real(o, "interval", c->requests > 1 ? (last - first) / (double)(c->requests - 1) : NAN);
	return o;
}

static json_t *clients(const struct control_env *env)
{
	struct serve *s = env->serve ? *env->serve : NULL;
	struct clientlog_entry *e = calloc(CONTROL_MAX_CLIENTS_SHOWN, sizeof(*e));
	json_t *arr = e ? json_array() : NULL;
	int n = s && e ? serve_clients(s, e, CONTROL_MAX_CLIENTS_SHOWN) : 0;
	double now = clock_monotonic_s(env->clock);

	for (int i = 0; arr && i < n; i++) {
		json_t *o = client(&e[i], now);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	free(e);
	return arr && n >= 0 ? json_pack("{s:o}", "clients", arr) : NULL;
}

struct command {
	const char *name;
	json_t *(*read)(const struct control_env *env);
	json_t *(*write)(const struct control_env *env, json_t *req, char *err, size_t errlen);
};

static const struct command commands[] = {
        {"status", status, NULL},
        {"sources", sources, NULL},
        {"sourcestats", sourcestats, NULL},
        {"serverstats", serverstats, NULL},
        {"clients", clients, NULL},
        {"reload", NULL, reload},
        {"burst", NULL, burst},
        {"makestep", NULL, makestep},
        {"add", NULL, control_add},
        {"remove", NULL, control_remove},
};

static json_t *run(const struct control_env *env, bool may_write, const char *cmd, json_t *req)
{
	char err[512] = "";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		if (strcmp(cmd, c->name) != 0)
			continue;
		if (c->read)
			return ok(c->read(env));
		if (!may_write)
			return control_json_error(
			        "permission denied: changing the daemon needs root, "
			        "its own user or the control group");
		json_t *res = c->write(env, req, err, sizeof(err));
		return res ? ok(res) : control_json_error(*err ? err : "out of memory");
	}
	return control_json_error("unknown command");
}

json_t *control_json_handle(const struct control_env *env, bool may_write, const char *line,
                            size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr), *reply;
	const char *cmd = NULL;
	json_int_t version = 0;

	if (!req || !json_is_object(req))
		reply = control_json_error("malformed request: not a JSON object");
	else if (json_unpack(req, "{s:I, s:s}", "version", &version, "command", &cmd) < 0)
		reply = control_json_error("malformed request: needs \"version\" and \"command\"");
	else if (version != CONTROL_PROTOCOL_VERSION)
		reply = control_json_error("unsupported protocol version (this daemon speaks 1)");
	else
		reply = run(env, may_write, cmd, req);
	json_decref(req);
	return reply;
}
