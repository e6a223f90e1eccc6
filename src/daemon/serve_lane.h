/* serve_lane: the server's hot path, one per thread that answers (see serve.h).
 *
 * A lane owns what answering needs and nothing is shared between lanes: its batch buffers
 * (common/udpbatch), its rate limit table (core/ratelimit), its client log (core/clientlog)
 * and its counters. The access
 * list and the clock are read only. serve_lane_drain() reads a socket until it is empty (at
 * most SERVE_LANE_ROUNDS batches of UDPB_MAX), and for each batch takes the server state
 * once from get_state, judges every request (access list, then rate limit, then
 * core/server) and sends the replies in one sendmmsg, stamped with one transmit time read
 * just before it. Ownership: serve_lane_init() allocates, serve_lane_fini() releases.
 */
#ifndef STRATA_DAEMON_SERVE_LANE_H
#define STRATA_DAEMON_SERVE_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/server.h"
#include "daemon/conf.h"
#include "daemon/serve.h"

#define SERVE_LANE_ROUNDS 4 /* batches per wake-up before yielding */

struct acl;
struct clientlog;
struct clock;
struct ratelimit;
struct udpb;

struct serve_lane {
	struct clock *clock;
	const struct acl *acl;
	struct udpb *batch;
	struct ratelimit *rl; /* NULL: no rate limiting */
	struct conf_ratelimit rl_conf;
	bool deny_kod;
	struct clientlog *log; /* NULL: conf clientlog = 0 */
	int log_size;
	struct serve_counters cnt;
};

typedef void (*serve_state_fn)(void *arg, struct server_state *out);

/* 0 or -ENOMEM. */
int serve_lane_init(struct serve_lane *l, struct clock *clock, const struct acl *acl);
void serve_lane_fini(struct serve_lane *l);

/* Apply the ratelimit section, clientlog and deny_kod of c: a new table only when its
 * setting changed (an unchanged one keeps its clients). 0 or -ENOMEM (then no rate limit
 * or no client log). */
int serve_lane_configure(struct serve_lane *l, const struct conf *c);

void serve_lane_drain(struct serve_lane *l, int fd, serve_state_fn get_state, void *arg);

#endif
