/* action_cmds: the stratactl commands that ask the running stratad to do something (reload,
 * burst, makestep) or wait for it (waitsync). See ctl/daemon_cmds.h.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_conn.h"
#include "ctl/daemon_cmds.h"
#include "daemon/conf.h"

#define USAGE_SOCKET                                                                               \
	"  --socket PATH  the control socket (default $STRATA_CONTROL_SOCKET, "                    \
	"else " CONF_DEFAULT_CONTROL_SOCKET ")\n"                                                  \
	"  --json         the daemon's reply as JSON\n"

/* Send req (consumed); print the result as JSON, or what(result) for people. */
static int ctl_act(const struct ctl_opts *o, json_t *req, void (*what)(json_t *res))
{
	json_t *reply = ctl_request(o->socket, req, false), *res = reply ? ctl_result(reply) : NULL;
	if (res && o->json)
		ctl_print_json(res);
	else if (res)
		what(res);
	json_decref(reply);
	return res ? 0 : 1;
}

void reload_usage(FILE *out)
{
	fputs("Usage: stratactl reload [--socket PATH] [--json]\n"
	      "Make stratad re-read its configuration file and include directory. Unchanged\n"
	      "sources keep their samples; a broken file keeps the running configuration and\n"
	      "the error is shown here and by 'stratactl status'. Needs root, the daemon's user\n"
	      "or the control group.\n" USAGE_SOCKET,
	      out);
}

static void said_reloaded(json_t *res)
{
	(void)res;
	puts("configuration reloaded");
}

int reload_main(int argc, char **argv)
{
	struct ctl_opts o = {0};
	int rc = ctl_parse(argc, argv, &o, NULL, 0, reload_usage);
	return rc >= 0 ? rc : ctl_act(&o, ctl_command("reload"), said_reloaded);
}

void burst_usage(FILE *out)
{
	fputs("Usage: stratactl burst [--count N] [--socket PATH] [--json]\n"
	      "Make every source send N requests (1..6, default 4) 2 s apart now, for fresh\n"
	      "samples. Needs root, the daemon's user or the control group.\n" USAGE_SOCKET,
	      out);
}

static void said_burst(json_t *res)
{
	printf("burst: %.0f sources, %.0f requests each\n", ctl_num(res, "sources"),
	       ctl_num(res, "count"));
}

int burst_main(int argc, char **argv)
{
	struct ctl_opts o = {0};
	double count = 4;
	const struct ctl_opt x[] = {{"count", &count, 1, 6, NULL, 0}};
	int rc = ctl_parse(argc, argv, &o, x, 1, burst_usage);
	if (rc >= 0)
		return rc;
	if (count != floor(count)) {
		fprintf(stderr, "stratactl: --count must be a whole number\n");
		return 2;
	}
	json_t *req = ctl_command("burst");
	if (req)
		json_object_set_new(req, "count", json_integer((json_int_t)count));
	return ctl_act(&o, req, said_burst);
}

void makestep_usage(FILE *out)
{
	fputs("Usage: stratactl makestep [--accept-insane] [--socket PATH] [--json]\n"
	      "Make the next clock update step the clock by the whole offset, whatever the\n"
	      "makestep threshold and limit. --accept-insane also lets that one correction go\n"
	      "beyond the panic threshold (to accept an offset stratad refused as insane).\n"
	      "Needs root, the daemon's user or the control group.\n" USAGE_SOCKET,
	      out);
}

static void said_armed(json_t *res)
{
	printf("the next clock update steps the clock%s\n",
	       json_is_true(json_object_get(res, "accept_insane"))
	               ? ", even beyond the panic threshold"
	               : "");
}

int makestep_main(int argc, char **argv)
{
	struct ctl_opts o = {0};
	bool insane = false;
	const struct ctl_opt x[] = {{"accept-insane", NULL, 0, 0, &insane, 0}};
	int rc = ctl_parse(argc, argv, &o, x, 1, makestep_usage);
	if (rc >= 0)
		return rc;
	json_t *req = ctl_command("makestep");
	if (req && insane)
		json_object_set_new(req, "accept_insane", json_true());
	return ctl_act(&o, req, said_armed);
}

void waitsync_usage(FILE *out)
{
	fputs("Usage: stratactl waitsync [--timeout S] [--max-offset S] [--interval S]\n"
	      "                          [--socket PATH] [--json]\n"
	      "Wait until stratad is synchronised (and, with --max-offset, its last offset is\n"
	      "within S seconds); exit 0 then, 1 when --timeout S passes first (default 0: wait\n"
	      "for ever). Asks every --interval S (default 1). A daemon not yet running is waited\n"
	      "for too.\n" USAGE_SOCKET,
	      out);
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when res says synchronised within max_offset (NAN: any), else 0. */
static int synced_within(json_t *res, double max_offset)
{
	if (!json_is_true(json_object_get(res, "synchronised")))
		return 0;
	return isnan(max_offset) || fabs(ctl_num(res, "offset")) <= max_offset;
}

int waitsync_main(int argc, char **argv)
{
	struct ctl_opts o = {0};
	double timeout = 0, max_offset = NAN, interval = 1;
	const struct ctl_opt x[] = {{"timeout", &timeout, 0, 1e9, NULL, 0},
	                            {"max-offset", &max_offset, 0, 1e9, NULL, 0},
	                            {"interval", &interval, 0.01, 3600, NULL, 0}};
	int rc = ctl_parse(argc, argv, &o, x, 3, waitsync_usage);
	if (rc >= 0)
		return rc;
	double end = now_mono() + timeout;
	for (;;) {
		json_t *reply = ctl_request(o.socket, ctl_command("status"), true);
		json_t *res = json_is_true(json_object_get(reply, "ok"))
		                      ? json_object_get(reply, "result")
		                      : NULL;
		if (res && synced_within(res, max_offset)) {
			if (o.json)
				ctl_print_json(res);
			else
				printf("synchronised to %s, offset %+.9f s\n",
				       ctl_str(res, "system_peer"), ctl_num(res, "offset"));
			json_decref(reply);
			return 0;
		}
		json_decref(reply);
		if (timeout > 0 && now_mono() + interval > end) {
			fprintf(stderr, "stratactl: not synchronised%s after %g s\n",
			        isnan(max_offset) ? "" : " within the offset bound", timeout);
			return 1;
		}
		struct timespec ts = {(time_t)interval, (long)((interval - floor(interval)) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

void add_usage(FILE *out)
{
	fputs("Usage: stratactl add server|pool NAME [--port N] [--iburst] [--minpoll N]\n"
	      "                     [--maxpoll N] [--maxsources N] [--socket PATH] [--json]\n"
	      "Make stratad poll one more source now, with the settings of a server or pool\n"
	      "entry of strata.conf(5). It lasts until the next reload or restart: add it to\n"
	      "the configuration to keep it. Needs root, the daemon's user or the control "
	      "group.\n" USAGE_SOCKET,
	      out);
}

static void said_added(json_t *res)
{
	printf("added %s %s port %.0f\n", ctl_str(res, "type"), ctl_str(res, "added"),
	       ctl_num(res, "port"));
}

/* --port and the poll settings, when given, into req. */
static void put_given(json_t *req, const char *k, double v)
{
	if (!isnan(v))
		json_object_set_new(req, k, json_integer((json_int_t)v));
}

int add_main(int argc, char **argv)
{
	struct ctl_opts o = {.max_args = 2};
	double port = NAN, minpoll = NAN, maxpoll = NAN, maxsources = NAN;
	bool iburst = false;
	const struct ctl_opt x[] = {{"port", &port, 1, 65535, NULL, 0},
	                            {"minpoll", &minpoll, 1, 17, NULL, 0},
	                            {"maxpoll", &maxpoll, 1, 17, NULL, 0},
	                            {"maxsources", &maxsources, 1, 16, NULL, 0},
	                            {"iburst", NULL, 0, 0, &iburst, 0}};
	int rc = ctl_parse(argc, argv, &o, x, 5, add_usage);
	if (rc >= 0)
		return rc;
	if (o.n_args != 2 || (strcmp(o.args[0], "server") != 0 && strcmp(o.args[0], "pool") != 0)) {
		add_usage(stderr);
		return 2;
	}
	json_t *req = ctl_command("add");
	if (req) {
		json_object_set_new(req, "type", json_string(o.args[0]));
		json_object_set_new(req, "name", json_string(o.args[1]));
		json_object_set_new(req, "iburst", json_boolean(iburst));
		put_given(req, "port", port);
		put_given(req, "minpoll", minpoll);
		put_given(req, "maxpoll", maxpoll);
		put_given(req, "maxsources", maxsources);
	}
	return ctl_act(&o, req, said_added);
}

void remove_usage(FILE *out)
{
	fputs("Usage: stratactl remove NAME [--port N] [--socket PATH] [--json]\n"
	      "Stop polling the source (server or pool) configured or added as NAME (on port N\n"
	      "when several share the name), until the next reload or restart. Needs root, the\n"
	      "daemon's user or the control group.\n" USAGE_SOCKET,
	      out);
}

static void said_removed(json_t *res)
{
	printf("removed %s\n", ctl_str(res, "removed"));
}

int remove_main(int argc, char **argv)
{
	struct ctl_opts o = {.max_args = 1};
	double port = NAN;
	const struct ctl_opt x[] = {{"port", &port, 1, 65535, NULL, 0}};
	int rc = ctl_parse(argc, argv, &o, x, 1, remove_usage);
	if (rc >= 0)
		return rc;
	if (o.n_args != 1) {
		remove_usage(stderr);
		return 2;
	}
	json_t *req = ctl_command("remove");
	if (req) {
		json_object_set_new(req, "name", json_string(o.args[0]));
		put_given(req, "port", port);
	}
	return ctl_act(&o, req, said_removed);
}
