/* poller: the I/O of one engine source (one resolved server address) on libevent.
 *
 * poller_new() adds the source to the engine (which schedules its requests); for every
 * SEND action the daemon calls poller_send(), which opens a fresh connected socket with a
 * new random source port (RFC 9109), sends the request the engine built and waits for the
 * reply. The socket stays open until an accepted reply, a kiss-o'-death, a receive error,
 * the reply timeout (min(2^poll, 8) s) or the next request, whichever comes first. Each
 * datagram goes to engine_receive() with its kernel receive timestamp; then env.on_input
 * lets the daemon carry out what the engine queued. Every datagram's verdict and every
 * sample are logged at debug level; socket and send errors are warnings, at most one a
 * minute per source, and never fatal.
 * Ownership: poller_new() allocates and adds the engine source; poller_free() closes
 * everything and removes the engine source (NULL is a no-op). The env is copied; what it
 * points to must outlive the poller.
 */
#ifndef STRATA_DAEMON_POLLER_H
#define STRATA_DAEMON_POLLER_H

#include <stddef.h>
#include <stdint.h>

#include "common/udp.h"
#include "daemon/conf.h"

struct clock;
struct engine;
struct event_base;
struct log;
struct poller;

struct poller_env {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	struct engine *engine;
	/* Called after datagrams were handed to the engine; must not free the poller. */
	void (*on_input)(void *arg);
	void *arg;
};

/* Poll addr with the settings of cs. 0, -EINVAL (bad poll settings), -ENOSPC (engine
 * full) or -ENOMEM. */
int poller_new(const struct poller_env *env, const struct conf_source *cs,
               const struct udp_addr *addr, struct poller **ret);
void poller_free(struct poller *p);

/* The engine source id. */
int poller_id(const struct poller *p);
/* "192.0.2.1" for port 123, "192.0.2.1:12345" or "[2001:db8::1]:12345" otherwise. */
const char *poller_name(const struct poller *p);

/* Carry out a SEND action: close any open request, send buf[0..len) from a new socket. */
void poller_send(struct poller *p, const uint8_t *buf, size_t len);

/* One line at level info: "NAME selected reach 377 poll 6 offset +0.000012 s
 * delay 0.000045 s jitter 0.000003 s" (or "... no sample yet", "... stopped by
 * kiss-o'-death DENY"). */
void poller_log_summary(const struct poller *p);

#endif
