/* poller: one source's request socket and reply reading. See poller.h. */
#include "daemon/poller.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock/clock.h"
#include "core/packet.h"
#include "daemon/log.h"

#define POLLER_WARN_INTERVAL 60.0 /* s, at most one warning per source this often */
#define POLLER_RX_BUF 2048        /* bytes; longer datagrams are truncated and dropped */
#define POLLER_RX_BATCH 8         /* datagrams read per wake-up */

struct poller {
	struct poller_env env;
	struct udp_addr addr;
	int id;
	char name[64];
	struct event *rx;         /* reply or timeout on fd; NULL when no request is open */
	int fd;                   /* request socket, -1 when none */
	double deadline;          /* monotonic s: give up waiting for the reply */
	double last_warn;         /* monotonic s of the last warning */
	bool warned;              /* last_warn is valid */
	unsigned long suppressed; /* warnings dropped since last_warn */
};

static struct timeval poller_tv(double s)
{
	struct timeval tv;

	if (!(s > 0.0))
		s = 0.0;
	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* A warning at most once per POLLER_WARN_INTERVAL; the rest go to debug. */
static void poller_warn(struct poller *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void poller_warn(struct poller *p, const char *fmt, ...)
{
	double now = clock_monotonic_s(p->env.clock);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->warned && now - p->last_warn < POLLER_WARN_INTERVAL) {
		p->suppressed++;
		log_debug(p->env.log, "%s", msg);
		return;
	}
	if (p->suppressed)
		log_warning(p->env.log, "%s (%lu similar messages suppressed)", msg, p->suppressed);
	else
		log_warning(p->env.log, "%s", msg);
	p->warned = true;
	p->last_warn = now;
	p->suppressed = 0;
}

static void poller_close(struct poller *p)
{
	if (p->rx) {
		event_free(p->rx);
		p->rx = NULL;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
}

/* Read what is waiting; true when the request is finished. */
static bool poller_read(struct poller *p)
{
	uint8_t buf[POLLER_RX_BUF];
	struct timespec rx_ts, fallback;
	bool kernel_ts, truncated;
	long n;

	for (int i = 0; i < POLLER_RX_BATCH; i++) {
		clock_realtime(p->env.clock, &fallback);
		n = udp_recv(p->fd, buf, sizeof(buf), NULL, &rx_ts, &fallback, &kernel_ts,
		             &truncated);
		if (n == -EAGAIN || n == -EWOULDBLOCK || n == -EINTR)
			return false;
		if (n < 0) {
			poller_warn(p, "no reply possible from %s: %s", p->name, strerror((int)-n));
			return true;
		}
		if (truncated) {
			log_debug(p->env.log, "datagram from %s longer than %d bytes dropped",
			          p->name, POLLER_RX_BUF);
			continue;
		}
		if (p->env.on_datagram(p->env.arg, p->id, buf, (size_t)n, &rx_ts, kernel_ts))
			return true;
	}
	return false;
}

static void poller_on_rx(evutil_socket_t fd, short what, void *arg)
{
	struct poller *p = arg;
	double left;
	struct timeval tv;

	(void)fd;
	if ((what & EV_READ) && poller_read(p)) {
		poller_close(p);
		return;
	}
	left = p->deadline - clock_monotonic_s(p->env.clock);
	if (!(what & EV_READ) || left <= 0.0) {
		log_debug(p->env.log, "no reply from %s", p->name);
		poller_close(p);
		return;
	}
	tv = poller_tv(left);
	event_add(p->rx, &tv);
}

void poller_send(struct poller *p, const uint8_t *buf, size_t len, double timeout)
{
	struct timeval tv;
	long sent;
	int fd;

	if (p->fd >= 0)
		log_debug(p->env.log, "no reply from %s before the next request", p->name);
	poller_close(p); /* the previous request's socket goes before the next one opens */
	fd = udp_client_socket(&p->addr);
	if (fd < 0) {
		poller_warn(p, "cannot open a socket for %s: %s", p->name, strerror(-fd));
		return;
	}
	sent = udp_send(fd, buf, len, NULL);
	if (sent < 0) {
		poller_warn(p, "cannot send to %s: %s", p->name, strerror((int)-sent));
		close(fd);
		return;
	}
	p->rx = event_new(p->env.base, fd, EV_READ, poller_on_rx, p);
	if (!p->rx) {
		close(fd);
		return;
	}
	p->fd = fd;
	p->deadline = clock_monotonic_s(p->env.clock) + timeout;
	tv = poller_tv(timeout);
	event_add(p->rx, &tv);
}

static void poller_make_name(struct poller *p)
{
	char host[INET6_ADDRSTRLEN + 8];
	uint16_t port = udp_addr_port(&p->addr);

	udp_addr_str(&p->addr, host, sizeof(host));
	if (port == NTP_PORT)
		snprintf(p->name, sizeof(p->name), "%s", host);
	else if (p->addr.ss.ss_family == AF_INET6)
		snprintf(p->name, sizeof(p->name), "[%s]:%u", host, port);
	else
		snprintf(p->name, sizeof(p->name), "%s:%u", host, port);
}

int poller_new(const struct poller_env *env, const struct udp_addr *addr, int id,
               struct poller **ret)
{
	struct poller *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->env = *env;
	p->addr = *addr;
	p->id = id;
	p->fd = -1;
	poller_make_name(p);
	*ret = p;
	return 0;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	poller_close(p);
	free(p);
}

void poller_set_id(struct poller *p, int id)
{
	p->id = id;
}

const char *poller_name(const struct poller *p)
{
	return p->name;
}

const struct udp_addr *poller_addr(const struct poller *p)
{
	return &p->addr;
}
