/* metrics: Prometheus text exposition on evhttp. See metrics.h. */
#include "config.h"

#include "daemon/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "core/engine.h"
#include "daemon/conf.h"
#include "daemon/conf_util.h"
#include "daemon/log.h"
#include "daemon/serve.h"
#include "daemon/sync.h"

struct metrics {
	struct control_env env;
	struct evhttp *http;
};

/* "# HELP" and "# TYPE" of a family. */
static void family(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void value(struct evbuffer *b, double v)
{
	if (isnan(v))
		evbuffer_add_printf(b, " NaN\n");
	else if (isinf(v))
		evbuffer_add_printf(b, " %sInf\n", v > 0 ? "+" : "-");
	else
		evbuffer_add_printf(b, " %.17g\n", v);
}

/* A label value with \, " and newlines escaped, as the format requires. */
static void label(struct evbuffer *b, const char *key, const char *v)
{
	evbuffer_add_printf(b, "%s=\"", key);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add_printf(b, "\\n");
		else
			evbuffer_add(b, v, 1);
	}
	evbuffer_add(b, "\"", 1);
}

/* A family with one unlabelled sample. */
static void single(struct evbuffer *b, const char *name, const char *type, const char *help,
                   double v)
{
	family(b, name, type, help);
	evbuffer_add_printf(b, "%s", name);
	value(b, v);
}

static void system_metrics(struct metrics *m, struct evbuffer *b)
{
	struct engine_system y;
	sync_system(m->env.sync, &y);
	static const struct {
		const char *name, *type, *help;
	} f[] = {
	        {"strata_synchronised", "gauge", "1 when following a system peer within policy"},
	        {"strata_stratum", "gauge", "stratum served (16: unsynchronised)"},
	        {"strata_offset_seconds", "gauge",
	         "last combined offset, servers minus local clock"},
	        {"strata_rms_offset_seconds", "gauge", "RMS of recent combined offsets"},
	        {"strata_frequency_ppm", "gauge", "frequency correction of the local clock"},
	        {"strata_skew_ppm", "gauge", "estimated error of the frequency"},
	        {"strata_residual_frequency_ppm", "gauge",
	         "last update's frequency estimate minus the correction it replaced"},
	        {"strata_root_delay_seconds", "gauge", "root delay through the system peer"},
	        {"strata_root_dispersion_seconds", "gauge",
	         "root dispersion through the system peer"},
	        {"strata_root_distance_seconds", "gauge",
	         "error bound: root delay / 2 + root dispersion"},
	        {"strata_update_interval_seconds", "gauge", "time between the last two updates"},
	        {"strata_leap", "gauge",
	         "leap indicator served: 0 none, 1 insert, 2 delete, 3 alarm"},
	        {"strata_clock_updates_total", "counter", "clock updates made"},
	        {"strata_clock_steps_total", "counter", "clock steps made"},
	        {"strata_uptime_seconds", "gauge", "seconds since the daemon started"},
	};
	const double v[] = {y.synced,
	                    y.stratum,
	                    y.offset,
	                    y.rms_offset,
	                    y.frequency,
	                    y.freq_error,
	                    y.residual_freq,
	                    y.root_delay,
	                    y.root_disp,
	                    y.error_bound,
	                    y.update_interval,
	                    y.synced ? y.leap : 3,
	                    (double)y.updates,
	                    (double)y.steps,
	                    clock_monotonic_s(m->env.clock) - m->env.started};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		single(b, f[i].name, f[i].type, f[i].help, v[i]);
	family(b, "strata_build_info", "gauge", "the daemon's version, as a label");
	evbuffer_add_printf(b, "strata_build_info{");
	label(b, "version", PACKAGE_VERSION);
	evbuffer_add_printf(b, "} 1\n");
}

/* One value of a source, by family index. */
static double source_value(const struct engine_source_info *si, int k)
{
	bool have = si->src.have_sample;
	switch (k) {
	case 0:
		return have ? si->offset : NAN;
	case 1:
		return have ? si->delay : NAN;
	case 2:
		return have ? si->jitter : NAN;
	case 3:
		return have ? si->root_distance : NAN;
	case 4:
		return si->src.reach;
	case 5:
		return have ? si->src.last.stratum : NAN;
	case 6:
		return si->src.poll;
	case 7:
		return si->n_samples;
	default:
		return (double)si->src.tx;
	}
}

static void source_metrics(struct metrics *m, struct evbuffer *b)
{
	static const struct {
		const char *name, *type, *help;
	} f[] = {
	        {"strata_source_offset_seconds", "gauge", "filtered offset, server minus local"},
	        {"strata_source_delay_seconds", "gauge", "round-trip delay"},
	        {"strata_source_jitter_seconds", "gauge", "jitter of the samples"},
	        {"strata_source_root_distance_seconds", "gauge", "root distance of the source"},
	        {"strata_source_reach", "gauge", "reach register (8 bits, 255 = last 8 answered)"},
	        {"strata_source_stratum", "gauge", "stratum of the last sample"},
	        {"strata_source_poll_exponent", "gauge", "poll interval, log2 seconds"},
	        {"strata_source_samples", "gauge", "samples in the filter"},
	        {"strata_source_requests_total", "counter", "requests sent"},
	};
	struct engine_source_info *si = calloc(ENGINE_MAX_SOURCES, sizeof(*si));
	int n = 0;
	for (int id = 0; si && id < ENGINE_MAX_SOURCES; id++)
		if (sync_source(m->env.sync, id, &si[n]) == 0)
			n++;
	for (size_t k = 0; si && k < sizeof(f) / sizeof(f[0]); k++) {
		family(b, f[k].name, f[k].type, f[k].help);
		for (int i = 0; i < n; i++) {
			evbuffer_add_printf(b, "%s{", f[k].name);
			label(b, "source", si[i].name);
			evbuffer_add_printf(b, "}");
			value(b, source_value(&si[i], (int)k));
		}
	}
	family(b, "strata_source_state", "gauge",
	       "1, with the selection state (selected, candidate, falseticker, ...) as a label");
	for (int i = 0; i < n; i++) {
		evbuffer_add_printf(b, "strata_source_state{");
		label(b, "source", si[i].name);
		evbuffer_add_printf(b, ",");
		label(b, "state", si[i].select_status);
		evbuffer_add_printf(b, "} 1\n");
	}
	free(si);
}

static void server_metrics(struct metrics *m, struct evbuffer *b)
{
	struct serve_counters c = {0};
	struct serve *s = m->env.serve ? *m->env.serve : NULL;
	if (s)
		serve_get_counters(s, &c);
	single(b, "strata_serving", "gauge", "1 when the NTP server listens",
	       s && serve_listening(s) > 0);
	static const struct {
		const char *name, *help;
	} f[] = {
	        {"strata_server_requests_total", "requests received"},
	        {"strata_server_answered_total", "datagrams sent back, kisses included"},
	        {"strata_server_denied_total", "requests refused by the access list"},
	        {"strata_server_rate_limited_total", "requests over the rate limit"},
	        {"strata_server_kod_sent_total", "kisses-o'-death sent"},
	        {"strata_server_malformed_total", "malformed requests"},
	        {"strata_server_not_client_total", "requests not in client mode"},
	        {"strata_server_send_errors_total", "replies the kernel refused"},
	        {"strata_server_control_total", "ntpq (mode 6) requests answered"},
	};
	const unsigned long v[] = {c.received,  c.answered,   c.denied,      c.limited, c.kod_sent,
	                           c.malformed, c.not_client, c.send_errors, c.control};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		single(b, f[i].name, "counter", f[i].help, (double)v[i]);
}

static void on_metrics(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, "only GET and HEAD");
		return;
	}
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	system_metrics(m, b);
	source_metrics(m, b);
	server_metrics(m, b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void on_other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics is here");
}

int metrics_new(const struct control_env *env, const char *listen, struct metrics **ret, char *err,
                size_t errlen)
{
	struct conf_listen l;
	char host[INET6_ADDRSTRLEN];
	const char *why = conf_parse_endpoint(listen, CONF_DEFAULT_METRICS_PORT, &l);
	if (why || !inet_ntop(l.family, l.addr, host, sizeof(host))) {
		snprintf(err, errlen, "metrics listen \"%s\": %s", listen,
		         why ? why : "bad address");
		return -EINVAL;
	}
	struct metrics *m = calloc(1, sizeof(*m));
	if (m)
		m->http = evhttp_new(env->base);
	if (!m || !m->http) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->env = *env;
	/* Other methods reach the handler, which answers 405 (evhttp itself would say 501). */
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 1024);
	evhttp_set_timeout(m->http, METRICS_TIMEOUT);
	evhttp_set_gencb(m->http, on_other, m);
	if (evhttp_set_cb(m->http, "/metrics", on_metrics, m) != 0 ||
	    evhttp_bind_socket(m->http, host, l.port) != 0) {
		snprintf(err, errlen, "cannot listen for metrics on %s: %s", listen,
		         strerror(errno));
		evhttp_free(m->http);
		free(m);
		return -EADDRNOTAVAIL;
	}
	log_info(env->log, "Prometheus metrics on http://%s/metrics", listen);
	*ret = m;
	return 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	evhttp_free(m->http);
	free(m);
}
