/* serve: answering NTP clients on the configured listen addresses (conf listen, allow, deny).
 *
 * One non-blocking UDP socket per listen address, read on libevent in batches (recvmmsg,
 * common/udpbatch: up to 4 x 64 datagrams per wake-up, then the loop gets its turn). Each
 * request is judged by the access list (core/acl: nothing is served until an allow rule
 * exists; denied clients are dropped, or answered KoD DENY with deny_kod), then by the rate
 * limiter when a ratelimit section is configured (core/ratelimit: over the limit, dropped
 * but one in leak, answered KoD RATE with kod), and answered by core/server. The server
 * state (get_state) and the clocks are read once per batch; the receive timestamp is the
 * kernel's; the replies of a batch leave in one sendmmsg, all stamped with one transmit
 * time read just before it. No allocation per packet. Counters say what happened to every
 * datagram. Ownership: serve_new() allocates, serve_free() releases (NULL is a no-op); env
 * is copied and what it points to must outlive the serve.
 */
#ifndef STRATA_DAEMON_SERVE_H
#define STRATA_DAEMON_SERVE_H

#include <stddef.h>

#include "core/server.h"
#include "daemon/conf.h"

#define SERVE_MAX_LISTEN 16

struct clock;
struct event_base;
struct log;
struct serve;

struct mode6_view;

struct serve_env {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	void (*get_state)(void *arg, struct server_state *out);
	/* What ntpq sees (mode 6): called on the main thread for each control request, and
	 * after every engine step when server threads need a copy. */
	void (*get_view)(void *arg, struct mode6_view *out);
	void *arg;
};

struct serve_counters {
	unsigned long received; /* datagrams read */
	unsigned long answered; /* datagrams sent back: replies and kisses-o'-death */
	unsigned long denied;   /* refused by the access list (dropped, or a KoD DENY) */
	unsigned long limited;  /* over the rate limit (dropped, or 1 in leak answered) */
	unsigned long kod_sent; /* KoD RATE and DENY among the answered */
	unsigned long malformed;
	unsigned long not_client;  /* other modes, dropped */
	unsigned long send_errors; /* replies the kernel refused */
	unsigned long control;     /* mode 6 (ntpq) requests answered */
};

/* Open every listen address of c and build the access list. 0, or a negative errno with
 * the reason in err ("cannot listen on ADDR: ..."). */
int serve_new(const struct serve_env *env, const struct conf *c, struct serve **ret, char *err,
              size_t errlen);
void serve_free(struct serve *s);

/* Start the server_threads - 1 server threads; serve_new() holds them back so that the
 * daemon can change its user and capabilities while it is still a single thread (glibc
 * changes the uid of every thread at once, and aborts if one of them cannot follow). 0 or
 * a negative errno with the reason in err. */
int serve_start_threads(struct serve *s, const struct conf *c, char *err, size_t errlen);

/* Reload: the new access list applies at once; listen addresses that stay are kept, new ones
 * opened, dropped ones closed. 0 or a negative errno (err says which address failed; the
 * others are applied). */
int serve_reconfigure(struct serve *s, const struct conf *c, char *err, size_t errlen);

/* Hand the current server state to the server threads now (no-op without them). */
void serve_publish(struct serve *s);

void serve_get_counters(const struct serve *s, struct serve_counters *out);

struct clientlog_entry;
/* The busiest clients of every thread, merged by address, most requests first: up to max
 * into out. Returns how many, or -ENOMEM. */
int serve_clients(const struct serve *s, struct clientlog_entry *out, size_t max);
void serve_counters_add(struct serve_counters *sum, const struct serve_counters *c);
size_t serve_listening(const struct serve *s); /* sockets open */

#endif
