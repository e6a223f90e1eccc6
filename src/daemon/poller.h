/* poller: the network side of one engine source (one resolved server address).
 *
 * The engine decides when to poll and builds every request; the poller only carries it:
 * poller_send() sends the request from a fresh connected socket with a new random source
 * port (RFC 9109), and hands each datagram that arrives on that socket, with its kernel
 * receive timestamp, to env->on_datagram. The socket stays open until the callback says the
 * request is finished (reply accepted, kiss-o'-death), a receive error, the reply timeout
 * or the next request, whichever comes first. Socket and send errors are warnings, at most
 * one a minute per source, and never fatal.
 * Ownership: poller_new() allocates; poller_free() closes everything (NULL is a no-op). The
 * env is copied; what it points to must outlive the poller.
 */
#ifndef STRATA_DAEMON_POLLER_H
#define STRATA_DAEMON_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/udp.h"

struct clock;
struct event_base;
struct log;
struct poller;

struct poller_env {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	/* A datagram for source id, received at rx (kernel timestamp when kernel_ts, else the
	 * clock read just before). Returns true when the request is finished. Must not free
	 * the poller. */
	bool (*on_datagram)(void *arg, int id, const uint8_t *buf, size_t len,
	                    const struct timespec *rx, bool kernel_ts);
	void *arg;
};

/* Carry requests of engine source id to addr. 0 or -ENOMEM. */
int poller_new(const struct poller_env *env, const struct udp_addr *addr, int id,
               struct poller **ret);
void poller_free(struct poller *p);

/* The source id passed to on_datagram (set once the engine has assigned it). */
void poller_set_id(struct poller *p, int id);

/* Close any open request, send buf[0..len) from a new socket and wait up to timeout s. */
void poller_send(struct poller *p, const uint8_t *buf, size_t len, double timeout);

/* "192.0.2.1" for port 123, "192.0.2.1:12345" or "[2001:db8::1]:12345" otherwise. */
const char *poller_name(const struct poller *p);
const struct udp_addr *poller_addr(const struct poller *p);

#endif
