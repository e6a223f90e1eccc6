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
#define SERVE_CTL_BURST 128 /* mode 6 requests: ntpq -p asks 1 + one per source */

struct acl;
struct clientlog;
struct mode6_reply;
struct mode6_view;
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
	struct clientlog *log;     /* NULL: conf clientlog = 0 */
	const struct acl *ctl_acl; /* allow_control: who may send mode 6 (ntpq) */
	struct ratelimit *ctl_rl;  /* mode 6 requests per client */
	struct mode6_view *view;   /* filled by get_view for each mode 6 request */
	struct mode6_reply *m6;
	void (*get_view)(void *arg, struct mode6_view *out); /* NULL: mode 6 not answered */
	void *view_arg;
	int log_size;
	struct serve_counters cnt;
};

typedef void (*serve_state_fn)(void *arg, struct server_state *out);

/* acl: who is served time; ctl_acl: who may send control (mode 6) requests, answered from
 * what get_view gives (set it with serve_lane_set_view; until then they are dropped).
 * Mode 6 is rate limited per client to SERVE_CTL_BURST requests back to back, then 16 a
 * second. 0 or -ENOMEM. */
int serve_lane_init(struct serve_lane *l, struct clock *clock, const struct acl *acl,
                    const struct acl *ctl_acl);
void serve_lane_set_view(struct serve_lane *l, void (*get_view)(void *arg, struct mode6_view *out),
                         void *arg);
void serve_lane_fini(struct serve_lane *l);

/* Apply the ratelimit section, clientlog and deny_kod of c: a new table only when its
 * setting changed (an unchanged one keeps its clients). 0 or -ENOMEM (then no rate limit
 * or no client log). */
int serve_lane_configure(struct serve_lane *l, const struct conf *c);

void serve_lane_drain(struct serve_lane *l, int fd, serve_state_fn get_state, void *arg);

#endif
