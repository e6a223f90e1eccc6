/* control_json: building replies. See control_json.h. */
#include "config.h"

#include "daemon/control_json.h"

#include <math.h>
#include <string.h>

#include "clock/clock.h"
#include "core/engine.h"
#include "core/ntptime.h"
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
	static const char *const keys[] = {"reference_time",  "offset",      "rms_offset",
	                                   "frequency_ppm",   "skew_ppm",    "root_delay",
	                                   "root_dispersion", "error_bound", "uptime"};
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
	                    y.root_delay,
	                    y.root_disp,
	                    y.error_bound,
	                    clock_monotonic_s(env->clock) - env->started};
	put_reals(o, keys, v, sizeof(v) / sizeof(v[0]));
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
	return o;
}

static json_t *sources(const struct control_env *env)
{
	json_t *arr = json_array();
	struct engine_source_info si;

	for (int i = 0; arr && i < ENGINE_MAX_SOURCES; i++) {
		if (sync_source(env->sync, i, &si) < 0)
			continue;
		json_t *o = source(&si, clock_monotonic_s(env->clock));
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr ? json_pack("{s:o}", "sources", arr) : NULL;
}

static json_t *serverstats(const struct control_env *env)
{
	struct serve_counters c = {0};
	struct serve *s = env->serve ? *env->serve : NULL;

	if (s)
		serve_get_counters(s, &c);
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "serving",
	                 s && serve_listening(s) > 0, "received", (json_int_t)c.received,
	                 "answered", (json_int_t)c.answered, "denied", (json_int_t)c.denied,
	                 "rate_limited", (json_int_t)c.limited, "kod_sent", (json_int_t)c.kod_sent,
	                 "malformed", (json_int_t)c.malformed, "not_client",
	                 (json_int_t)c.not_client, "send_errors", (json_int_t)c.send_errors);
}

json_t *control_json_handle(const struct control_env *env, const char *line, size_t len)
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
	else if (strcmp(cmd, "status") == 0)
		reply = ok(status(env));
	else if (strcmp(cmd, "sources") == 0)
		reply = ok(sources(env));
	else if (strcmp(cmd, "serverstats") == 0)
		reply = ok(serverstats(env));
	else
		reply = control_json_error("unknown command");
	json_decref(req);
	return reply;
}
