/* serve_lane: answering a batch of requests. See serve_lane.h. */
#include "config.h"

#include "daemon/serve_lane.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock/clock.h"
#include "common/udpbatch.h"
#include "core/acl.h"
#include "core/packet.h"
#include "core/clientlog.h"
#include "core/mode6.h"
#include "core/ratelimit.h"

#define NTP_XMT_OFFSET 40

/* What one batch shares: the server state and clock readings taken once for all of it. */
struct serve_round {
	struct server_state st;
	struct timespec rt; /* realtime after the receive: fallback receive timestamp */
	int64_t mono_ns;
	int fd;
	bool patch[UDPB_MAX]; /* queued reply k gets the transmit timestamp at flush */
};

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Queue out[0..len) to the sender of datagram i; patch: write the transmit time at flush. */
static void serve_queue(struct serve_lane *s, struct serve_round *r, int i, const uint8_t *out,
                        size_t len, bool patch)
{
	uint8_t *slot = udpb_queue(s->batch, i, len);
	if (!slot) {
		s->cnt.send_errors++;
		return;
	}
	memcpy(slot, out, len);
	r->patch[s->batch->n_tx - 1] = patch;
}

static void serve_kiss(struct serve_lane *s, struct serve_round *r, int i, uint32_t code)
{
	uint8_t out[NTP_HEADER_LEN];
	size_t len = 0;
	if (server_kiss(code, udpb_data(s->batch, i), udpb_len(s->batch, i), out, &len) !=
	    SERVER_REPLY) {
		s->cnt.malformed++;
		return;
	}
	s->cnt.kod_sent++;
	serve_queue(s, r, i, out, len, false);
}

static const uint8_t *serve_addr_bytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

static enum clientlog_what serve_judge(struct serve_lane *s, struct serve_round *r, int i,
                                       int family, const uint8_t *addr);

/* A mode 6 request (ntpq): allow_control, its own rate limit, then the fragments of the
 * answer, sent at once (rare and small: not through the batch). */
static void serve_control(struct serve_lane *s, struct serve_round *r, int i, int family,
                          const uint8_t *addr)
{
	const struct sockaddr_storage *from = udpb_from(s->batch, i);
	if (!s->get_view || !acl_allows(s->ctl_acl, family, addr)) {
		s->cnt.denied++;
		return;
	}
	if (ratelimit_check(s->ctl_rl, family, addr, r->mono_ns) != RATELIMIT_PASS) {
		s->cnt.limited++;
		return;
	}
	s->get_view(s->view_arg, s->view);
	s->view->now = ntp_ts_from_timespec(&r->rt);
	if (!mode6_respond(s->view, udpb_data(s->batch, i), udpb_len(s->batch, i), s->m6)) {
		s->cnt.malformed++;
		return;
	}
	socklen_t alen =
	        family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	for (int k = 0; k < s->m6->n; k++) {
		if (sendto(r->fd, s->m6->frag[k], s->m6->len[k], 0, (const struct sockaddr *)from,
		           alen) < 0)
			s->cnt.send_errors++;
		else
			s->cnt.answered++;
	}
	s->cnt.control++;
}

/* Judge request i and note its client. */
static void serve_one(struct serve_lane *s, struct serve_round *r, int i)
{
	const struct sockaddr_storage *from = udpb_from(s->batch, i);
	const uint8_t *addr = serve_addr_bytes(from);
	if (mode6_is_control(udpb_data(s->batch, i), udpb_len(s->batch, i))) {
		serve_control(s, r, i, from->ss_family, addr);
		return;
	}
	enum clientlog_what what = serve_judge(s, r, i, from->ss_family, addr);
	if (s->log)
		clientlog_note(s->log, from->ss_family, addr, r->mono_ns, what);
}

/* Access list, then rate limit, then the answer: what became of request i. */
static enum clientlog_what serve_judge(struct serve_lane *s, struct serve_round *r, int i,
                                       int family, const uint8_t *addr)
{
	enum ratelimit_verdict rv = RATELIMIT_PASS;
	bool allowed = acl_allows(s->acl, family, addr);

	if (!allowed)
		s->cnt.denied++;
	if (!allowed && !s->deny_kod)
		return CLIENTLOG_DROPPED; /* cheapest drop: no bucket, never answered */
	if (s->rl)
		rv = ratelimit_check(s->rl, family, addr, r->mono_ns);
	if (!allowed && rv == RATELIMIT_DROP)
		return CLIENTLOG_DROPPED;
	if (!allowed) {
		serve_kiss(s, r, i, SERVER_KISS_DENY);
		return CLIENTLOG_KOD;
	}
	if (rv != RATELIMIT_PASS)
		s->cnt.limited++;
	if (rv == RATELIMIT_DROP)
		return CLIENTLOG_DROPPED;
	if (rv == RATELIMIT_LEAK && s->rl_conf.kod) {
		serve_kiss(s, r, i, SERVER_KISS_RATE);
		return CLIENTLOG_KOD;
	}
	struct timespec rx = r->rt;
	(void)udpb_rx_time(s->batch, i, &rx);
	uint8_t out[NTP_HEADER_LEN];
	size_t out_len = 0;
	ntp_ts_t rx_ts = ntp_ts_from_timespec(&rx);
	enum server_verdict v = server_respond(&r->st, udpb_data(s->batch, i),
	                                       udpb_len(s->batch, i), rx_ts, rx_ts, out, &out_len);
	if (v == SERVER_MALFORMED)
		s->cnt.malformed++;
	else if (v == SERVER_NOT_CLIENT)
		s->cnt.not_client++;
	else
		serve_queue(s, r, i, out, out_len, true);
	return v == SERVER_MALFORMED || v == SERVER_NOT_CLIENT ? CLIENTLOG_DROPPED
	                                                       : CLIENTLOG_ANSWERED;
}

/* Answer the n datagrams received: the replies go out together, each stamped with one
 * transmit time read just before the send. */
static void serve_batch(struct serve_lane *s, int fd, int n, serve_state_fn get_state, void *arg)
{
	struct serve_round r;
	struct timespec mono, tx;

	get_state(arg, &r.st);
	clock_realtime(s->clock, &r.rt);
	clock_monotonic(s->clock, &mono);
	r.mono_ns = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
	r.fd = fd;
	for (int i = 0; i < n; i++) {
		s->cnt.received++;
		if (udpb_truncated(s->batch, i))
			s->cnt.malformed++;
		else
			serve_one(s, &r, i);
	}
	int queued = s->batch->n_tx;
	if (!queued)
		return;
	clock_realtime(s->clock, &tx);
	ntp_ts_t xmt = ntp_ts_from_timespec(&tx);
	for (int k = 0; k < queued; k++)
		if (r.patch[k])
			put_be64(s->batch->tx_buf[k] + NTP_XMT_OFFSET, xmt);
	int sent = udpb_flush(fd, s->batch, &s->cnt.send_errors);
	s->cnt.answered += (unsigned long)sent;
}

void serve_lane_drain(struct serve_lane *s, int fd, serve_state_fn get_state, void *arg)
{
	for (int round = 0; round < SERVE_LANE_ROUNDS; round++) {
		int n = udpb_recv(fd, s->batch, UDPB_MAX);
		if (n <= 0)
			return; /* drained; errors (ICMP reports) are not ours to fix */
		serve_batch(s, fd, n, get_state, arg);
		if (n < UDPB_MAX)
			return;
	}
}

static uint64_t lane_key(const struct serve_lane *s)
{
	uint64_t key = 0;
	if (getrandom(&key, sizeof(key), GRND_NONBLOCK) != (ssize_t)sizeof(key))
		key ^= (uint64_t)(uintptr_t)s ^ (uint64_t)getpid() << 32; /* no entropy yet */
	return key;
}

int serve_lane_init(struct serve_lane *l, struct clock *clock, const struct acl *acl,
                    const struct acl *ctl_acl)
{
	struct ratelimit_config rc;
	memset(l, 0, sizeof(*l));
	l->clock = clock;
	l->acl = acl;
	l->ctl_acl = ctl_acl;
	l->batch = calloc(1, sizeof(*l->batch));
	l->view = calloc(1, sizeof(*l->view));
	l->m6 = calloc(1, sizeof(*l->m6));
	ratelimit_config_default(&rc);
	rc.interval = RATELIMIT_MIN_INTERVAL;
	rc.burst = SERVE_CTL_BURST;
	rc.leak = 0;
	rc.kod = false;
	rc.prefix6 = 128;
	rc.clients = RATELIMIT_MIN_CLIENTS;
	l->ctl_rl = ratelimit_new(&rc, lane_key(l));
	if (l->batch && l->view && l->m6 && l->ctl_rl)
		return 0;
	serve_lane_fini(l);
	return -ENOMEM;
}

void serve_lane_set_view(struct serve_lane *l, void (*get_view)(void *arg, struct mode6_view *out),
                         void *arg)
{
	l->get_view = get_view;
	l->view_arg = arg;
}

void serve_lane_fini(struct serve_lane *l)
{
	ratelimit_free(l->rl);
	ratelimit_free(l->ctl_rl);
	clientlog_free(l->log);
	free(l->batch);
	free(l->view);
	free(l->m6);
	l->rl = NULL;
	l->ctl_rl = NULL;
	l->log = NULL;
	l->view = NULL;
	l->m6 = NULL;
	l->batch = NULL;
}

/* A new client log when its size changed. */
static int lane_configure_log(struct serve_lane *s, int size)
{
	if (size == s->log_size && (s->log || size == 0))
		return 0;
	clientlog_free(s->log);
	s->log = NULL;
	s->log_size = size;
	if (size == 0)
		return 0;
	s->log = clientlog_new((size_t)size, lane_key(s));
	return s->log ? 0 : -ENOMEM;
}

static int lane_configure_rl(struct serve_lane *s, const struct conf *c);

int serve_lane_configure(struct serve_lane *s, const struct conf *c)
{
	s->deny_kod = c->deny_kod;
	int r = lane_configure_log(s, c->clientlog);
	int q = lane_configure_rl(s, c);
	return r < 0 ? r : q;
}

/* A new table when the ratelimit section changed (the counts of an unchanged one stay). */
static int lane_configure_rl(struct serve_lane *s, const struct conf *c)
{
	const struct conf_ratelimit *n = &c->ratelimit;
	if (conf_ratelimit_equal(n, &s->rl_conf) && (s->rl || !n->enabled))
		return 0;
	ratelimit_free(s->rl);
	s->rl = NULL;
	s->rl_conf = *n;
	if (!n->enabled)
		return 0;
	struct ratelimit_config rc = {.interval = n->interval,
	                              .burst = n->burst,
	                              .leak = n->leak,
	                              .kod = n->kod,
	                              .prefix4 = n->ipv4_prefix,
	                              .prefix6 = n->ipv6_prefix,
	                              .clients = (size_t)n->clients};
	s->rl = ratelimit_new(&rc, lane_key(s));
	if (!s->rl) {
		s->rl_conf.enabled = false;
		return -ENOMEM;
	}
	return 0;
}
