/* libFuzzer target: the control socket's request handler (control_json_handle) on a real
 * time engine (sync, null clock, no sources), with every command, read and write: each
 * input line gets a JSON reply, never a crash. The first byte chooses whether the client
 * may write. The event loop never runs and no socket is opened, so nothing leaves the
 * process; reload, add and remove reach stubs that refuse or accept without acting. */
#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "daemon/conf.h"
#include "daemon/control.h"
#include "daemon/control_json.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "daemon/sync.h"
#include "fuzz.h"

struct world {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	struct notify *notify;
	struct conf *conf;
	struct sync *sync;
	struct serve *serve; /* none: the handler must cope */
	struct control_env env;
};

static int stub_reload(void *arg, char *err, size_t errlen)
{
	(void)arg;
	snprintf(err, errlen, "reload is not available in the fuzzer");
	return -1;
}

static const char *stub_reload_error(void *arg)
{
	(void)arg;
	return "";
}

static int stub_add(void *arg, const struct conf_source *cs, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	return cs->name && *cs->name ? 0 : -1;
}

static int stub_remove(void *arg, const char *name, int port, char *err, size_t errlen)
{
	(void)arg;
	(void)port;
	snprintf(err, errlen, "no source %s", name);
	return -1;
}

static struct world *world_get(void)
{
	static struct world *w; /* libFuzzer's process: built once, reused by every input */
	char err[256];

	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->base = event_base_new()) || clock_null_new(&w->clock) < 0 ||
	    log_new(true, CONF_LOG_ERR, &w->log) < 0 || notify_new(&w->notify) < 0 ||
	    conf_load_string("driftfile = \"\"\ninclude_dir = \"\"\n", "fuzz.conf", &w->conf, err,
	                     sizeof(err)) < 0)
		abort();
	struct sync_env se = {
	        .base = w->base, .clock = w->clock, .log = w->log, .notify = w->notify};
	if (sync_new(&se, w->conf, &w->sync) < 0)
		abort();
	w->env = (struct control_env){.base = w->base,
	                              .log = w->log,
	                              .sync = w->sync,
	                              .serve = &w->serve,
	                              .clock = w->clock,
	                              .started = clock_monotonic_s(w->clock),
	                              .ops = {.reload = stub_reload,
	                                      .reload_error = stub_reload_error,
	                                      .add_source = stub_add,
	                                      .remove_source = stub_remove}};
	return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = world_get();
	bool may_write = size > 0 && (data[0] & 1);
	const char *p = (const char *)data + (size > 0), *end = (const char *)data + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *reply = control_json_handle(&w->env, may_write, p, len);
		if (!reply)
			abort(); /* only when out of memory, which the fuzzer's limits do not reach
			          */
		char *text = json_dumps(reply, JSON_COMPACT);
		if (!text || !json_is_object(reply) || !json_object_get(reply, "ok"))
			abort(); /* every reply is an object with "ok" */
		free(text);
		json_decref(reply);
		p += len + 1;
	}
	return 0;
}
