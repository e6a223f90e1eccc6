/* sync_priv: what sync.c, sync_report.c and sync_leap.c share. Not for other modules. */
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
	bool falseticker[ENGINE_MAX_SOURCES];       /* last reported as a falseticker */
	char host[ENGINE_MAX_SOURCES][64];          /* configured name, "" if the address */
	int minpoll[ENGINE_MAX_SOURCES];
	char machine[32], system[96]; /* uname, read once at start (ntpq) */
	struct statsfile *stats;      /* NULL: no statistics files */
	unsigned long stats_updates;  /* clock updates already in loopstats */
};

/* Debug line for the sample just accepted from source id. */
void sync_report_sample(struct sync *s, int id, bool kernel_ts);
/* Log sources that became, or stopped being, falsetickers since the last call. */
void sync_report_falsetickers(struct sync *s);
/* Rewrite the STATUS= line from the system state (notify sends only changes). */
void sync_report_status(struct sync *s);

/* Statistics files from c (a new set on reload); a loopstats line after a clock update. */
void sync_stats_configure(struct sync *s, const struct conf *c);
void sync_stats_loop(struct sync *s);

/* Read the leap-seconds.list at path (NULL: none) and hand it to the engine; a file that
 * cannot be read or fails its checks is logged and not used. */
void sync_load_leaplist(struct sync *s, const char *path);

#endif
