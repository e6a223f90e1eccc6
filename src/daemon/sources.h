/* sources: the configured servers and pools, turned into engine sources.
 *
 * A server gives one engine source for the first address its name resolves to. A pool
 * keeps up to maxsources members, each a distinct address of its name. Every
 * SOURCES_CHECK_INTERVAL s (sources_check) a member is replaced when it is unreachable (no
 * reply to its last 8 requests), stopped by a kiss-o'-death DENY/RSTR, or a falseticker at
 * SOURCES_FALSE_CHECKS checks in a row: it is removed, its address is not taken again while
 * it is among the pool's last SOURCES_BANNED removals, and the name is looked up again to
 * find a new one. A pool that has fewer members than maxsources looks its name up again
 * every SOURCES_REFILL_DELAY s.
 *
 * sources_apply() is used at start and on reload: a configured source equal to a running
 * one (same type, name, port and polling settings) keeps its members and their state;
 * removed ones stop; new ones start.
 * Ownership: sources_new() allocates; sources_free() stops everything (NULL is a no-op).
 * The resolver, sync and log are not owned. The conf given to sources_apply must stay
 * alive until the next sources_apply or sources_free.
 */
#ifndef STRATA_DAEMON_SOURCES_H
#define STRATA_DAEMON_SOURCES_H

#include <stddef.h>

#include "daemon/conf.h"

#define SOURCES_CHECK_INTERVAL 64  /* s between member checks (the daemon's summary timer) */
#define SOURCES_FALSE_CHECKS 4     /* checks as falseticker before a pool member is replaced */
#define SOURCES_BANNED 16          /* recently removed pool addresses not taken again */
#define SOURCES_REFILL_DELAY 300.0 /* s between lookups of a pool that is not full */

struct log;
struct resolve;
struct sources;
struct sync;

int sources_new(struct resolve *r, struct sync *s, struct log *lg, struct sources **ret);
void sources_free(struct sources *ss);

/* Make the running sources those of c. 0 or -ENOMEM (the sources that could be started
 * run). */
int sources_apply(struct sources *ss, const struct conf *c);

/* Pool upkeep; see above. */
void sources_check(struct sources *ss);

/* Configured sources (servers and pools) and engine sources running. */
size_t sources_configured(const struct sources *ss);
size_t sources_running(const struct sources *ss);

#endif
