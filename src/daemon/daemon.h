/* daemon: the stratad context. It owns the configuration, the logger, the clock driver, the
 * event_base (created here and nowhere else), the resolver, the signal events, the sd_notify
 * state, the time engine (sync.h) and the configured sources (sources.h). There are no
 * globals: everything the daemon knows hangs off struct daemon.
 *
 * Lifecycle: daemon_new() initialises in dependency order (log, clock, event loop, signals,
 * resolver, notify, engine, sources); daemon_run() runs the loop until SIGTERM or SIGINT;
 * daemon_free() tears down in reverse (NULL is a no-op).
 */
#ifndef STRATA_DAEMON_DAEMON_H
#define STRATA_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/conf.h"

struct daemon;

struct daemon_opts {
	const char *conf_path;    /* re-read on SIGHUP; not copied, must outlive the daemon */
	bool foreground;          /* -n: log to stderr instead of syslog */
	bool null_clock;          /* -x: null clock driver, the clock is never adjusted */
	const char *clock_socket; /* -k: the clock helper's socket (clock_remote), or NULL */
	bool debug;               /* -d: log level debug, whatever the configuration says */
	bool allow_first_panic;   /* -g: allow one first correction beyond the panic threshold */
	const char *user;         /* -u: overrides the configuration's user; NULL: use that */
};

/* Takes ownership of conf (also on failure). Returns 0 and sets *ret, or -1 with a one-line
 * reason in err (also sent to syslog when not in the foreground). */
int daemon_new(const struct daemon_opts *opts, struct conf *conf, struct daemon **ret, char *err,
               size_t errlen);

/* Announce readiness and run until SIGTERM or SIGINT. Returns the exit status (0 for a
 * clean shutdown, 1 if the event loop failed). */
int daemon_run(struct daemon *d);

void daemon_free(struct daemon *d);

#endif
