/* serve_workers: extra server threads on SO_REUSEPORT sockets (conf server_threads).
 *
 * Each worker thread opens its own socket on every listen address (SO_REUSEPORT, sharing
 * the address with the main thread's socket, so the kernel spreads clients over the
 * threads by address and port) and answers on them with a lane of its own (serve_lane.h):
 * its own batch buffers, rate limit table and counters. Workers never call into the rest
 * of the daemon: the server state comes from a snapshot the main thread publishes
 * (serve_workers_publish, under a mutex), and they read the clock driver, whose reads are
 * stateless. Workers block every signal. Stopping wakes them through an eventfd and joins
 * them. The client side of the daemon stays single-threaded on the main loop.
 * Ownership: serve_workers_start() allocates, serve_workers_stop() joins and frees.
 */
#ifndef STRATA_DAEMON_SERVE_WORKERS_H
#define STRATA_DAEMON_SERVE_WORKERS_H

#include <stddef.h>

#include "common/udp.h"
#include "core/server.h"
#include "daemon/conf.h"
#include "daemon/serve.h"

struct acl;
struct clock;
struct serve_workers;

/* Start n threads serving addrs[0..n_addrs) with the access list acl (copied) and the
 * ratelimit and deny_kod settings of c, the state st until the first publish. 0, or a
 * negative errno with the reason in err (nothing is left running then). */
int serve_workers_start(int n, const struct udp_addr *addrs, size_t n_addrs, const struct acl *acl,
                        const struct acl *ctl_acl, const struct conf *c, struct clock *clock,
                        const struct server_state *st, struct serve_workers **ret, char *err,
                        size_t errlen);

/* The server state the workers answer with from now on. */
void serve_workers_publish(struct serve_workers *w, const struct server_state *st);

struct mode6_view;
/* The ntpq view the workers answer mode 6 requests from from now on (copied). */
void serve_workers_publish_view(struct serve_workers *w, const struct mode6_view *v);

/* Add every worker's counters (as of its last batch) to *sum. */
void serve_workers_add_counters(struct serve_workers *w, struct serve_counters *sum);

struct clientlog_entry;
/* Merge every worker's busiest max clients into out[0..*n) (clientlog_merge); scratch
 * holds max entries. */
void serve_workers_add_clients(struct serve_workers *w, struct clientlog_entry *out, size_t *n,
                               size_t max, struct clientlog_entry *scratch);

/* Stop, join and free (NULL is a no-op). */
void serve_workers_stop(struct serve_workers *w);

#endif
