/* sync_priv: what sync.c and sync_report.c share. Not for other modules. */
#ifndef STRATA_DAEMON_SYNC_PRIV_H
#define STRATA_DAEMON_SYNC_PRIV_H

#include "daemon/poller.h"
#include "daemon/sync.h"

struct event;

struct sync {
	struct sync_env env;
	struct poller_env penv;
	struct engine *engine;
	struct poller *pollers[ENGINE_MAX_SOURCES]; /* by engine source id */
	struct event *timer;                        /* engine_next_timer() */
	struct event *drift_timer;                  /* every SYNC_DRIFT_INTERVAL */
	char *driftfile;                            /* NULL: none */
};

/* Debug line for the sample just accepted from source id. */
void sync_report_sample(struct sync *s, int id, bool kernel_ts);
/* Rewrite the STATUS= line from the system state (notify sends only changes). */
void sync_report_status(struct sync *s);

#endif
