/* poller: drives one core/source for one resolved server address on libevent.
 *
 * A timer fires at source_next_poll(); each request goes out from a fresh connected socket
 * with a new random source port (RFC 9109) and a random origin cookie. The socket stays
 * open until an accepted reply, a kiss-o'-death, a receive error, the reply timeout
 * (min(2^poll, 8) s) or the next request, whichever comes first. Every datagram's verdict
 * and every sample are logged at debug level; socket and send errors are warnings, at most
 * one a minute per source, and never fatal.
 * Ownership: poller_new() allocates and starts polling; poller_free() closes everything
 * (NULL is a no-op). The env is copied; what it points to must outlive the poller.
 */
#ifndef STRATA_DAEMON_POLLER_H
#define STRATA_DAEMON_POLLER_H

#include "common/udp.h"
#include "core/source.h"
#include "daemon/conf.h"

struct clock;
struct event_base;
struct log;
struct poller;

struct poller_env {
	struct event_base *base;
	struct clock *clock;
	struct log *log;
	/* Called after every accepted sample (may be NULL); must not free the poller. */
	void (*on_sample)(void *arg, struct poller *p, const struct source_sample *s);
	void *arg;
};

/* Poll addr with the settings of cs. 0, -EINVAL (bad poll settings) or -ENOMEM. */
int poller_new(const struct poller_env *env, const struct conf_source *cs,
               const struct udp_addr *addr, struct poller **ret);
void poller_free(struct poller *p);

/* "192.0.2.1" for port 123, "192.0.2.1:12345" or "[2001:db8::1]:12345" otherwise. */
const char *poller_name(const struct poller *p);
void poller_get_status(const struct poller *p, struct source_status *st);
/* One line "NAME reach 377 offset +0.000012 s delay 0.000045 s" at level info. */
void poller_log_summary(const struct poller *p);

#endif
