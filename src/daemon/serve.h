/* serve: answering NTP clients on the configured listen addresses (conf listen, allow, deny).
 *
 * One non-blocking UDP socket per listen address, read on libevent until empty (at most
 * SERVE_RX_BATCH datagrams per wake-up). Each request is judged by the access list
 * (core/acl: nothing is served until an allow rule exists) and answered by core/server
 * with the state the get_state callback returns, the receive timestamp from the kernel and
 * the transmit timestamp read just before the send. Counters say what happened to every
 * datagram. Ownership: serve_new() allocates, serve_free() releases (NULL is a no-op); env
 * is copied and what it points to must outlive the serve.
 */
#ifndef STRATA_DAEMON_SERVE_H
#define STRATA_DAEMON_SERVE_H

#include <stddef.h>

#include "core/server.h"
#include "daemon/conf.h"

#define SERVE_RX_BATCH 64 /* datagrams read per wake-up before yielding to the loop */
#define SERVE_MAX_LISTEN 16

struct clock;
struct event_base;
struct log;
struct serve;

struct serve_env {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	void (*get_state)(void *arg, struct server_state *out);
	void *arg;
};

struct serve_counters {
	unsigned long received; /* datagrams read */
	unsigned long answered; /* replies sent */
	unsigned long denied;   /* dropped by the access list */
	unsigned long malformed;
	unsigned long not_client;  /* other modes, dropped */
	unsigned long send_errors; /* replies the kernel refused */
};

/* Open every listen address of c and build the access list. 0, or a negative errno with
 * the reason in err ("cannot listen on ADDR: ..."). */
int serve_new(const struct serve_env *env, const struct conf *c, struct serve **ret, char *err,
              size_t errlen);
void serve_free(struct serve *s);

/* Reload: the new access list applies at once; listen addresses that stay are kept, new ones
 * opened, dropped ones closed. 0 or a negative errno (err says which address failed; the
 * others are applied). */
int serve_reconfigure(struct serve *s, const struct conf *c, char *err, size_t errlen);

void serve_get_counters(const struct serve *s, struct serve_counters *out);
size_t serve_listening(const struct serve *s); /* sockets open */

#endif
