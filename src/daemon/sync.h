/* sync: the time engine (core/engine) on libevent.
 *
 * It owns the engine, one timer for engine_next_timer(), one poller per engine source and the
 * drift file. Every engine call is followed by carrying out the queued actions: requests go
 * to the source's poller; frequency, step and kernel status go to the clock driver (only
 * when the clock is controlled, never with -x); log lines go to the logger; and the
 * sd_notify STATUS= line is rewritten from the published system state.
 *
 * Drift file (conf driftfile): read once in sync_new (a missing file is normal, a corrupt
 * one is ignored with a warning); written atomically every SYNC_DRIFT_INTERVAL s and by
 * sync_free, only while the clock is controlled and after at least one clock update.
 * Ownership: sync_new() allocates; sync_free() releases (NULL is a no-op). env is copied;
 * what it points to must outlive the sync.
 */
#ifndef STRATA_DAEMON_SYNC_H
#define STRATA_DAEMON_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/udp.h"
#include "core/engine.h"
#include "daemon/conf.h"

#define SYNC_DRIFT_INTERVAL 3600.0 /* s between drift file writes */
#define SYNC_LOCAL_PRECISION (-20) /* log2 s: ~1 us, clock_gettime on current Linux */

struct clock;
struct event_base;
struct log;
struct notify;
struct sync;

struct sync_env {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	struct notify *notify;
	bool control_clock;     /* false with -x: measure and decide, never touch the clock */
	bool allow_first_panic; /* -g: one first correction beyond the panic threshold */
	/* Called after every engine step (sample or timer), when the system state may have
	 * changed; NULL: none. */
	void (*changed)(void *arg);
	void *changed_arg;
};

/* Returns 0 and sets *ret, or -ENOMEM / -EINVAL. */
int sync_new(const struct sync_env *env, const struct conf *c, struct sync **ret);
void sync_free(struct sync *s);

/* Reload: new policy (makestep, panic, maxslewrate, minsources, leapsecmode) and drift
 * file path from c; sources, samples and the frequency estimate are kept. 0 or -ENOMEM. */
int sync_reconfigure(struct sync *s, const struct conf *c);

/* Poll addr with the settings of cs (name = the configured name, for messages). Returns the
 * source id (>= 0) or a negative errno (-ENOSPC: ENGINE_MAX_SOURCES reached). */
int sync_add(struct sync *s, const struct conf_source *cs, const struct udp_addr *addr);
void sync_remove(struct sync *s, int id);

/* Refid for display: 4 ASCII characters for stratum 0/1 (kiss codes, reference clock names),
 * dotted IPv4 otherwise. */
void sync_refid_text(uint32_t refid, unsigned stratum, char *buf, size_t len);

/* Display name of a source ("192.0.2.1", "127.0.0.1:12345"); "" for an unknown id. */
const char *sync_name(const struct sync *s, int id);
/* 0, or -ENOENT for an unknown id. */
int sync_source(const struct sync *s, int id, struct engine_source_info *out);
void sync_system(const struct sync *s, struct engine_system *out);

/* Operator requests (stratactl burst / makestep), see engine_burst and engine_makestep:
 * the number of sources that burst; 0 or -EPERM (clock not controlled, -x). */
int sync_burst(struct sync *s, int count);
int sync_makestep(struct sync *s, bool accept_insane);

struct mode6_view;
/* What ntpq sees (mode 6): the system state and every source, with its address and port,
 * configured name, the smallest minpoll, uname and the version. */
void sync_mode6_view(const struct sync *s, struct mode6_view *out);

/* One info line per source and the STATUS= line refreshed. */
void sync_log_summary(struct sync *s);

/* The refid a downstream server carries for addr: the IPv4 address, or the first four
 * octets of the MD5 of the IPv6 address (RFC 5905 section 7.3). */
uint32_t sync_refid_of(const struct udp_addr *addr);

#endif
