/* poller: one engine source's request socket and reply handling. See poller.h. */
#include "daemon/poller.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock/clock.h"
#include "core/engine.h"
#include "daemon/log.h"

#define POLLER_LOCAL_PRECISION (-20) /* log2 s: ~1 us, clock_gettime on current Linux */
#define POLLER_MAX_TIMEOUT 8.0       /* s, longest wait for a reply */
#define POLLER_WARN_INTERVAL 60.0    /* s, at most one warning per source this often */
#define POLLER_RX_BUF 2048           /* bytes; longer datagrams are truncated and dropped */
#define POLLER_RX_BATCH 8            /* datagrams read per wake-up */

struct poller {
	struct poller_env env;
	int id; /* engine source id */
	struct udp_addr addr;
	char name[64];
	struct event *rx;      /* reply or timeout on fd; NULL when no request is open */
	int fd;                /* request socket, -1 when none */
	double deadline;       /* monotonic s: give up waiting for the reply */
	struct log_limit warn; /* socket and send errors */
	bool had_sample;       /* the first-sample summary was logged */
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

static double poller_now(const struct poller *p)
{
	return clock_monotonic_s(p->env.clock);
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

static void poller_info(const struct poller *p, struct engine_source_info *info)
{
	if (engine_get_source(p->env.engine, p->id, info) < 0)
		memset(info, 0, sizeof(*info));
}

/* True if refid reads as 1..4 printable ASCII characters, NUL-padded on the right. */
static bool poller_refid_is_ascii(uint32_t refid)
{
	bool end = false;

	for (int i = 0; i < 4; i++) {
		unsigned c = (refid >> (24 - 8 * i)) & 0xff;

		if (c == 0)
			end = true;
		else if (end || c < 0x20 || c >= 0x7f)
			return false;
	}
	return (refid >> 24) != 0;
}

/* Refid for display: 4 ASCII characters for stratum 0/1 (kiss codes, reference clock
 * names), dotted IPv4 otherwise and for a stratum 1 refid that is not text (chronyd's
 * local clock sends 127.127.1.1). */
static void poller_refid_str(uint32_t refid, unsigned stratum, char *buf, size_t len)
{
	if (stratum <= 1 && poller_refid_is_ascii(refid)) {
		char txt[5] = {(char)(refid >> 24), (char)(refid >> 16), (char)(refid >> 8),
		               (char)refid, '\0'};

		snprintf(buf, len, "%s", txt);
		return;
	}
	snprintf(buf, len, "%u.%u.%u.%u", refid >> 24, (refid >> 16) & 0xff, (refid >> 8) & 0xff,
	         refid & 0xff);
}

static void poller_log_sample(struct poller *p)
{
	struct engine_source_info info;
	const struct source_sample *s = &info.src.last;
	char refid[20];

	if (!log_enabled(p->env.log, CONF_LOG_DEBUG))
		return;
	poller_info(p, &info);
	poller_refid_str(s->refid, s->stratum, refid, sizeof(refid));
	log_debug(p->env.log,
	          "sample from %s: offset %+.9f s delay %.9f s disp %.9f s stratum %u refid %s "
	          "reach %03o, %s",
	          p->name, s->offset, s->delay, s->dispersion, s->stratum, refid, info.src.reach,
	          info.select_status ? info.select_status : "?");
}

/* Judge one datagram; true when the request is finished (reply accepted or KoD). */
static bool poller_handle(struct poller *p, const uint8_t *buf, long len,
                          const struct timespec *rx_ts, bool kernel_ts)
{
	enum source_rx_verdict v;

	v = engine_receive(p->env.engine, p->id, buf, (size_t)len, ntp_ts_from_timespec(rx_ts),
	                   poller_now(p));
	if (v != SOURCE_RX_SAMPLE)
		log_debug(p->env.log, "datagram from %s (%ld bytes): %s", p->name, len,
		          source_rx_verdict_str(v));
	switch (v) {
	case SOURCE_RX_SAMPLE:
		if (!kernel_ts)
			log_debug(p->env.log,
			          "no kernel receive timestamp from %s, clock read instead",
			          p->name);
		poller_log_sample(p);
		if (!p->had_sample) {
			p->had_sample = true;
			poller_log_summary(p);
		}
		return true;
	case SOURCE_RX_KOD_OTHER:
		log_info(p->env.log, "%s sent a kiss-o'-death: noted, polling continues", p->name);
		return true;
	case SOURCE_RX_KOD_RATE:
	case SOURCE_RX_KOD_DENY: /* the engine logs these */
		return true;
	default:
		return false;
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
			log_limited(p->env.log, &p->warn, poller_now(p), POLLER_WARN_INTERVAL,
			            CONF_LOG_WARNING, "no reply possible from %s: %s", p->name,
			            strerror((int)-n));
			return true;
		}
		if (truncated) {
			log_debug(p->env.log, "datagram from %s longer than %d bytes dropped",
			          p->name, POLLER_RX_BUF);
			continue;
		}
		if (poller_handle(p, buf, n, &rx_ts, kernel_ts))
			return true;
	}
	return false;
}

static void poller_on_rx(evutil_socket_t fd, short what, void *arg)
{
	struct poller *p = arg;
	bool done = false;
	struct timeval tv;
	double left;

	(void)fd;
	if (what & EV_READ)
		done = poller_read(p);
	left = p->deadline - poller_now(p);
	if (!done && (!(what & EV_READ) || left <= 0.0)) {
		log_debug(p->env.log, "no reply from %s", p->name);
		done = true;
	}
	if (done) {
		poller_close(p);
	} else {
		tv = poller_tv(left);
		event_add(p->rx, &tv);
	}
	if ((what & EV_READ) && p->env.on_input)
		p->env.on_input(p->env.arg); /* last: it may send this poller's next request */
}

void poller_send(struct poller *p, const uint8_t *buf, size_t len)
{
	struct engine_source_info info;
	struct timeval tv;
	double now;
	long sent;
	int fd;

	if (p->fd >= 0)
		log_debug(p->env.log, "no reply from %s before the next request", p->name);
	poller_close(p); /* the previous request's socket goes before the next one opens */
	now = poller_now(p);
	fd = udp_client_socket(&p->addr);
	if (fd < 0) {
		log_limited(p->env.log, &p->warn, now, POLLER_WARN_INTERVAL, CONF_LOG_WARNING,
		            "cannot open a socket for %s: %s", p->name, strerror(-fd));
		return;
	}
	sent = udp_send(fd, buf, len, NULL);
	if (sent < 0) {
		log_limited(p->env.log, &p->warn, now, POLLER_WARN_INTERVAL, CONF_LOG_WARNING,
		            "cannot send to %s: %s", p->name, strerror((int)-sent));
		close(fd);
		return;
	}
	poller_info(p, &info);
	log_debug(p->env.log, "request to %s (poll %d, reach %03o)", p->name, info.src.poll,
	          info.src.reach);
	p->rx = event_new(p->env.base, fd, EV_READ, poller_on_rx, p);
	if (!p->rx) {
		close(fd);
		return;
	}
	p->fd = fd;
	p->deadline = now + fmin(ldexp(1.0, info.src.poll), POLLER_MAX_TIMEOUT);
	tv = poller_tv(p->deadline - now);
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

/* The refid a downstream server carries for this source: the IPv4 address, or for IPv6
 * (for now) the first 4 bytes of the address rather than of its MD5 hash. */
static uint32_t poller_refid(const struct udp_addr *a)
{
	const uint8_t *b;

	if (a->ss.ss_family == AF_INET)
		return ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr);
	b = ((const struct sockaddr_in6 *)&a->ss)->sin6_addr.s6_addr;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int poller_new(const struct poller_env *env, const struct conf_source *cs,
               const struct udp_addr *addr, struct poller **ret)
{
	struct source_config sc = {.minpoll = cs->minpoll,
	                           .maxpoll = cs->maxpoll,
	                           .iburst = cs->iburst,
	                           .local_precision = POLLER_LOCAL_PRECISION};
	struct poller *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->env = *env;
	p->addr = *addr;
	p->fd = -1;
	poller_make_name(p);
	p->id = engine_add_source(env->engine, &sc, p->name, poller_refid(addr),
	                          clock_monotonic_s(env->clock));
	if (p->id < 0) {
		int r = p->id;

		free(p);
		return r;
	}
	*ret = p;
	return 0;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	poller_close(p);
	engine_remove_source(p->env.engine, p->id);
	free(p);
}

int poller_id(const struct poller *p)
{
	return p->id;
}

const char *poller_name(const struct poller *p)
{
	return p->name;
}

void poller_log_summary(const struct poller *p)
{
	struct engine_source_info info;
	const char *sel;

	poller_info(p, &info);
	sel = info.select_status ? info.select_status : "?";
	if (info.src.state == SOURCE_STATE_DENIED)
		log_info(p->env.log, "%s %s reach %03o stopped by kiss-o'-death %s", p->name, sel,
		         info.src.reach, info.src.kiss);
	else if (!info.src.have_sample)
		log_info(p->env.log, "%s %s reach %03o poll %d no sample yet", p->name, sel,
		         info.src.reach, info.src.poll);
	else
		log_info(p->env.log,
		         "%s %s reach %03o poll %d offset %+.6f s delay %.6f s jitter %.6f s",
		         p->name, sel, info.src.reach, info.src.poll, info.offset, info.delay,
		         info.jitter);
}
