/* poller: one source's timer, request socket and reply handling. See poller.h. */
#include "daemon/poller.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/util.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock/clock.h"
#include "daemon/log.h"

#define POLLER_LOCAL_PRECISION (-20) /* log2 s: ~1 us, clock_gettime on current Linux */
#define POLLER_MAX_TIMEOUT 8.0       /* s, longest wait for a reply */
#define POLLER_WARN_INTERVAL 60.0    /* s, at most one warning per source this often */
#define POLLER_RX_BUF 2048           /* bytes; longer datagrams are truncated and dropped */
#define POLLER_RX_BATCH 8            /* datagrams read per wake-up */

struct poller {
	struct poller_env env;
	struct source *src;
	struct udp_addr addr;
	char name[64];
	struct event *timer;      /* next request */
	struct event *rx;         /* reply or timeout on fd; NULL when no request is open */
	int fd;                   /* request socket, -1 when none */
	double deadline;          /* monotonic s: give up waiting for the reply */
	double last_warn;         /* monotonic s of the last warning */
	bool warned;              /* last_warn is valid */
	unsigned long suppressed; /* warnings dropped since last_warn */
	bool had_sample;          /* the first-sample summary was logged */
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

/* 64 bits from libevent's CSPRNG (seeded from the kernel). */
static uint64_t poller_rand64(void)
{
	uint64_t r;

	evutil_secure_rng_get_bytes(&r, sizeof(r));
	return r;
}

/* Uniform in [0, 1). */
static double poller_rand01(void)
{
	return (double)(poller_rand64() >> 11) * 0x1p-53;
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

/* Arm the request timer for source_next_poll(); stop it when polling stopped. */
static void poller_schedule(struct poller *p)
{
	double next = source_next_poll(p->src);
	struct timeval tv;

	if (isinf(next)) {
		evtimer_del(p->timer);
		return;
	}
	tv = poller_tv(next - clock_monotonic_s(p->env.clock));
	evtimer_add(p->timer, &tv);
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

static void poller_log_sample(struct poller *p, const struct source_sample *s)
{
	struct source_status st;
	char refid[20];

	if (!log_enabled(p->env.log, CONF_LOG_DEBUG))
		return;
	source_get_status(p->src, &st);
	poller_refid_str(s->refid, s->stratum, refid, sizeof(refid));
	log_debug(p->env.log,
	          "sample from %s: offset %+.9f s delay %.9f s disp %.9f s stratum %u refid %s "
	          "reach %03o",
	          p->name, s->offset, s->delay, s->dispersion, s->stratum, refid, st.reach);
}

static void poller_on_kod(struct poller *p, enum source_rx_verdict v)
{
	struct source_status st;

	source_get_status(p->src, &st);
	if (v == SOURCE_RX_KOD_RATE)
		log_notice(p->env.log, "%s sent kiss-o'-death RATE: poll interval now %.0f s",
		           p->name, ldexp(1.0, st.poll));
	else if (v == SOURCE_RX_KOD_DENY)
		log_warning(p->env.log, "%s sent kiss-o'-death %s: polling of this source stopped",
		            p->name, st.kiss);
	else
		log_info(p->env.log, "%s sent kiss-o'-death %s: noted, polling continues", p->name,
		         st.kiss);
}

/* Judge one datagram; true when the request is finished (reply accepted or KoD). */
static bool poller_handle(struct poller *p, const uint8_t *buf, long len,
                          const struct timespec *rx_ts, bool kernel_ts)
{
	struct source_sample s;
	enum source_rx_verdict v;

	v = source_receive(p->src, buf, (size_t)len, ntp_ts_from_timespec(rx_ts),
	                   clock_monotonic_s(p->env.clock), &s);
	if (v != SOURCE_RX_SAMPLE)
		log_debug(p->env.log, "datagram from %s (%ld bytes): %s", p->name, len,
		          source_rx_verdict_str(v));
	switch (v) {
	case SOURCE_RX_SAMPLE:
		if (!kernel_ts)
			log_debug(p->env.log,
			          "no kernel receive timestamp from %s, clock read instead",
			          p->name);
		poller_log_sample(p, &s);
		if (!p->had_sample) {
			p->had_sample = true;
			poller_log_summary(p);
		}
		if (p->env.on_sample)
			p->env.on_sample(p->env.arg, p, &s);
		return true;
	case SOURCE_RX_KOD_RATE:
	case SOURCE_RX_KOD_DENY:
	case SOURCE_RX_KOD_OTHER:
		poller_on_kod(p, v);
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
			poller_warn(p, "no reply possible from %s: %s", p->name, strerror((int)-n));
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
	double left;
	struct timeval tv;

	(void)fd;
	if (what & EV_READ) {
		if (poller_read(p)) {
			poller_close(p);
			poller_schedule(p); /* a KoD may have changed or stopped polling */
			return;
		}
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

/* Open the request socket, build and send one request, wait for the reply. */
static void poller_send(struct poller *p)
{
	uint8_t buf[NTP_HEADER_LEN];
	struct source_status st;
	struct timespec t1;
	struct timeval tv;
	uint64_t cookie;
	double now;
	size_t len;
	long sent;
	int fd;

	fd = udp_client_socket(&p->addr);
	do
		cookie = poller_rand64();
	while (cookie == 0);
	clock_realtime(p->env.clock, &t1);
	now = clock_monotonic_s(p->env.clock);
	/* Built even without a socket: it advances the schedule and the reach register. */
	len = source_transmit(p->src, now, ntp_ts_from_timespec(&t1), cookie, poller_rand01(), buf,
	                      sizeof(buf));
	if (fd < 0) {
		poller_warn(p, "cannot open a socket for %s: %s", p->name, strerror(-fd));
		return;
	}
	if (len == 0) {
		close(fd);
		return;
	}
	sent = udp_send(fd, buf, len, NULL);
	if (sent < 0) {
		poller_warn(p, "cannot send to %s: %s", p->name, strerror((int)-sent));
		close(fd);
		return;
	}
	source_get_status(p->src, &st);
	log_debug(p->env.log, "request to %s (poll %d, reach %03o)", p->name, st.poll, st.reach);
	p->rx = event_new(p->env.base, fd, EV_READ, poller_on_rx, p);
	if (!p->rx) {
		close(fd);
		return;
	}
	p->fd = fd;
	p->deadline = now + fmin(ldexp(1.0, st.poll), POLLER_MAX_TIMEOUT);
	tv = poller_tv(p->deadline - now);
	event_add(p->rx, &tv);
}

static void poller_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct poller *p = arg;

	(void)fd;
	(void)what;
	if (p->fd >= 0)
		log_debug(p->env.log, "no reply from %s before the next request", p->name);
	poller_close(p); /* the previous request's socket goes before the next one opens */
	poller_send(p);
	poller_schedule(p);
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

int poller_new(const struct poller_env *env, const struct conf_source *cs,
               const struct udp_addr *addr, struct poller **ret)
{
	struct source_config sc = {.minpoll = cs->minpoll,
	                           .maxpoll = cs->maxpoll,
	                           .iburst = cs->iburst,
	                           .local_precision = POLLER_LOCAL_PRECISION};
	struct poller *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	p->env = *env;
	p->addr = *addr;
	p->fd = -1;
	poller_make_name(p);
	r = source_new(&sc, &p->src);
	if (r < 0) {
		free(p);
		return r;
	}
	p->timer = evtimer_new(env->base, poller_on_timer, p);
	if (!p->timer) {
		poller_free(p);
		return -ENOMEM;
	}
	source_start(p->src, clock_monotonic_s(env->clock), poller_rand01());
	poller_schedule(p);
	*ret = p;
	return 0;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	poller_close(p);
	if (p->timer)
		event_free(p->timer);
	source_free(p->src);
	free(p);
}

const char *poller_name(const struct poller *p)
{
	return p->name;
}

void poller_get_status(const struct poller *p, struct source_status *st)
{
	source_get_status(p->src, st);
}

void poller_log_summary(const struct poller *p)
{
	struct source_status st;

	source_get_status(p->src, &st);
	if (st.state == SOURCE_STATE_DENIED)
		log_info(p->env.log, "%s reach %03o stopped by kiss-o'-death %s", p->name, st.reach,
		         st.kiss);
	else if (!st.have_sample)
		log_info(p->env.log, "%s reach %03o no sample yet", p->name, st.reach);
	else
		log_info(p->env.log, "%s reach %03o offset %+.6f s delay %.6f s", p->name, st.reach,
		         st.last.offset, st.last.delay);
}
