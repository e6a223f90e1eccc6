/* resolve: evdns lookups with numeric bypass, lazy evdns start and retry back-off.
 * See resolve.h.
 *
 * Cancelling an evdns lookup is asynchronous: libevent later runs our callback with
 * EVUTIL_EAI_CANCEL. A cancelled request therefore stays allocated (a "zombie") until that
 * callback frees it; resolve_free() runs the loop briefly to let the last ones finish.
 */
#include "daemon/resolve.h"

#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

#define RESOLVE_RETRY_MIN 60.0   /* s, first retry after a failed lookup */
#define RESOLVE_RETRY_MAX 3600.0 /* s, longest retry interval */
#define RESOLVE_MAX_ADDRS 16
#define RESOLVE_FLUSH_ROUNDS 100 /* loop passes resolve_free() spends on zombies */

struct resolve {
	struct event_base *base;
	struct log *log;
	struct evdns_base *dns; /* created on the first non-numeric lookup */
	char *resolv_conf;      /* read then */
	unsigned zombies;       /* cancelled requests waiting for their callback */
};

struct resolve_req {
	struct resolve *r;
	char *name;
	char port[8]; /* service string for evdns */
	uint16_t portnum;
	size_t max;
	resolve_cb cb;
	void *arg;
	struct event *timer; /* first attempt (0 s) and retries */
	struct evdns_getaddrinfo_request *dns_req;
	bool in_flight; /* evdns has our callback pending */
	bool cancelled; /* zombie: free when the callback comes */
	double retry;   /* s, delay before the next retry */
};

int resolve_new(struct event_base *base, struct log *lg, const char *resolv_conf,
                struct resolve **ret)
{
	struct resolve *r = calloc(1, sizeof(*r));

	if (r && !(r->resolv_conf = strdup(resolv_conf ? resolv_conf : "/etc/resolv.conf"))) {
		free(r);
		r = NULL;
	}
	if (!r)
		return -ENOMEM;
	r->base = base;
	r->log = lg;
	*ret = r;
	return 0;
}

void resolve_free(struct resolve *r)
{
	if (!r)
		return;
	for (int i = 0; r->zombies > 0 && i < RESOLVE_FLUSH_ROUNDS; i++)
		event_base_loop(r->base, EVLOOP_NONBLOCK);
	if (r->zombies > 0)
		log_debug(r->log, "%u cancelled DNS lookups still pending at exit", r->zombies);
	if (r->dns)
		evdns_base_free(r->dns, 0);
	free(r->resolv_conf);
	free(r);
}

bool resolve_dns_active(const struct resolve *r)
{
	return r->dns != NULL;
}

static void resolve_arm(struct resolve_req *req, double delay)
{
	struct timeval tv = {.tv_sec = (time_t)delay,
	                     .tv_usec = (suseconds_t)((delay - (double)(time_t)delay) * 1e6)};

	evtimer_add(req->timer, &tv);
}

static void resolve_retry_later(struct resolve_req *req, const char *why)
{
	log_warning(req->r->log, "cannot resolve %s: %s; retrying in %.0f s", req->name, why,
	            req->retry);
	resolve_arm(req, req->retry);
	req->retry *= 2;
	if (req->retry > RESOLVE_RETRY_MAX)
		req->retry = RESOLVE_RETRY_MAX;
}

/* Append a to addrs[0..*n) unless it is there already or not IPv4/IPv6. */
static void resolve_add_addr(struct udp_addr *addrs, size_t *n, const struct sockaddr *sa,
                             socklen_t len)
{
	struct udp_addr a;

	if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) || len > sizeof(a.ss))
		return;
	memset(&a, 0, sizeof(a));
	memcpy(&a.ss, sa, len);
	a.len = len;
	for (size_t i = 0; i < *n; i++)
		if (udp_addr_equal(&addrs[i], &a))
			return;
	addrs[(*n)++] = a;
}

static void resolve_deliver(struct resolve_req *req, const struct udp_addr *addrs, size_t n)
{
	req->retry = RESOLVE_RETRY_MIN;
	req->cb(req->arg, addrs, n);
}

static void resolve_done(int result, struct evutil_addrinfo *res, void *arg)
{
	struct resolve_req *req = arg;
	struct udp_addr addrs[RESOLVE_MAX_ADDRS];
	size_t n = 0;

	if (req->cancelled) {
		req->r->zombies--;
		if (res)
			evutil_freeaddrinfo(res);
		free(req->name);
		free(req);
		return;
	}
	req->in_flight = false;
	req->dns_req = NULL;
	if (result != 0) {
		resolve_retry_later(req, evutil_gai_strerror(result));
		return;
	}
	for (struct evutil_addrinfo *ai = res; ai && n < req->max; ai = ai->ai_next)
		resolve_add_addr(addrs, &n, ai->ai_addr, (socklen_t)ai->ai_addrlen);
	evutil_freeaddrinfo(res);
	if (n == 0) {
		resolve_retry_later(req, "no IPv4 or IPv6 address");
		return;
	}
	log_info(req->r->log, "resolved %s to %zu address%s", req->name, n, n == 1 ? "" : "es");
	resolve_deliver(req, addrs, n);
}

static bool resolve_ensure_dns(struct resolve *r)
{
	if (r->dns)
		return true;
	r->dns = evdns_base_new(r->base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (!r->dns)
		return false;
	/* libevent falls back to a name server on 127.0.0.1 when the file is unusable. */
	int e = evdns_base_resolv_conf_parse(r->dns, DNS_OPTIONS_ALL, r->resolv_conf);
	if (e == 0)
		log_debug(r->log, "DNS resolver started from %s", r->resolv_conf);
	else
		log_warning(r->log, "DNS: %s %s: asking 127.0.0.1", r->resolv_conf,
		            e == 6 ? "names no name server" : "cannot be read");
	return true;
}

static void resolve_attempt(evutil_socket_t fd, short what, void *arg)
{
	struct resolve_req *req = arg;
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *h;
	struct udp_addr addr;

	(void)fd;
	(void)what;
	/* Numeric addresses never reach DNS. */
	if (udp_addr_parse(req->name, req->portnum, &addr) == 0) {
		resolve_deliver(req, &addr, 1);
		return;
	}
	if (!resolve_ensure_dns(req->r)) {
		resolve_retry_later(req, "DNS resolver could not be initialised");
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	req->in_flight = true;
	log_debug(req->r->log, "looking up %s", req->name);
	h = evdns_getaddrinfo(req->r->dns, req->name, req->port, &hints, resolve_done, req);
	/* The callback may already have run (answer from /etc/hosts, immediate failure). */
	if (req->in_flight)
		req->dns_req = h;
}

int resolve_start(struct resolve *r, const char *name, uint16_t port, size_t max, resolve_cb cb,
                  void *arg, struct resolve_req **ret)
{
	struct resolve_req *req = calloc(1, sizeof(*req));

	if (!req)
		return -ENOMEM;
	req->r = r;
	req->name = strdup(name);
	req->timer = evtimer_new(r->base, resolve_attempt, req);
	if (!req->name || !req->timer) {
		if (req->timer)
			event_free(req->timer);
		free(req->name);
		free(req);
		return -ENOMEM;
	}
	snprintf(req->port, sizeof(req->port), "%u", (unsigned)port);
	req->portnum = port;
	req->max = max < 1 ? 1 : max > RESOLVE_MAX_ADDRS ? RESOLVE_MAX_ADDRS : max;
	req->cb = cb;
	req->arg = arg;
	req->retry = RESOLVE_RETRY_MIN;
	resolve_arm(req, 0.0);
	*ret = req;
	return 0;
}

void resolve_again(struct resolve_req *req, double delay)
{
	if (req->in_flight || evtimer_pending(req->timer, NULL))
		return;
	resolve_arm(req, delay > 0 ? delay : 0.0);
}

void resolve_cancel(struct resolve_req *req)
{
	if (!req)
		return;
	event_free(req->timer);
	req->timer = NULL;
	if (req->in_flight && req->dns_req) {
		req->cancelled = true;
		req->r->zombies++;
		evdns_getaddrinfo_cancel(req->dns_req);
		return; /* req may be gone now */
	}
	free(req->name);
	free(req);
}
