/* serve: NTP server sockets on libevent. See serve.h. */
#include "config.h"

#include "daemon/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock/clock.h"
#include "common/udp.h"
#include "common/udpbatch.h"
#include "core/acl.h"
#include "core/ratelimit.h"
#include "core/packet.h"
#include "daemon/log.h"

#define SERVE_ROUNDS 4 /* batches per wake-up before yielding to the loop */
#define NTP_XMT_OFFSET 40

struct serve_sock {
	struct serve *owner;
	struct udp_addr addr;
	char text[64]; /* as configured */
	int fd;
	struct event *ev;
};

struct serve {
	struct serve_env env;
	struct acl acl;
	struct serve_sock *socks[SERVE_MAX_LISTEN]; /* each allocated: events point at them */
	size_t n_socks;
	struct udpb *batch;   /* every buffer of the hot path, allocated once */
	struct ratelimit *rl; /* NULL: no rate limiting */
	struct conf_ratelimit rl_conf;
	bool deny_kod;
	struct serve_counters cnt;
};

/* What one batch shares: the server state and clock readings taken once for all of it. */
struct serve_round {
	struct server_state st;
	struct timespec rt; /* realtime after the receive: fallback receive timestamp */
	int64_t mono_ns;
	bool patch[UDPB_MAX]; /* queued reply k gets the transmit timestamp at flush */
};

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Queue out[0..len) to the sender of datagram i; patch: write the transmit time at flush. */
static void serve_queue(struct serve *s, struct serve_round *r, int i, const uint8_t *out,
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

static void serve_kiss(struct serve *s, struct serve_round *r, int i, uint32_t code)
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

/* Access list, then rate limit, then the answer. */
static void serve_one(struct serve *s, struct serve_round *r, int i)
{
	const struct sockaddr_storage *from = udpb_from(s->batch, i);
	const uint8_t *addr = serve_addr_bytes(from);
	enum ratelimit_verdict rv = RATELIMIT_PASS;
	bool allowed = acl_allows(&s->acl, from->ss_family, addr);

	if (!allowed)
		s->cnt.denied++;
	if (!allowed && !s->deny_kod)
		return; /* the cheapest drop: no table entry for what we never answer */
	if (s->rl)
		rv = ratelimit_check(s->rl, from->ss_family, addr, r->mono_ns);
	if (!allowed) {
		if (rv != RATELIMIT_DROP)
			serve_kiss(s, r, i, SERVER_KISS_DENY);
		return;
	}
	if (rv != RATELIMIT_PASS)
		s->cnt.limited++;
	if (rv == RATELIMIT_DROP)
		return;
	if (rv == RATELIMIT_LEAK && s->rl_conf.kod) {
		serve_kiss(s, r, i, SERVER_KISS_RATE);
		return;
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
}

/* Answer the n datagrams received: the replies go out together, each stamped with one
 * transmit time read just before the send. */
static void serve_batch(struct serve *s, int fd, int n)
{
	struct serve_round r;
	struct timespec mono, tx;

	s->env.get_state(s->env.arg, &r.st);
	clock_realtime(s->env.clock, &r.rt);
	clock_monotonic(s->env.clock, &mono);
	r.mono_ns = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
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
	clock_realtime(s->env.clock, &tx);
	ntp_ts_t xmt = ntp_ts_from_timespec(&tx);
	for (int k = 0; k < queued; k++)
		if (r.patch[k])
			put_be64(s->batch->tx_buf[k] + NTP_XMT_OFFSET, xmt);
	int sent = udpb_flush(fd, s->batch, &s->cnt.send_errors);
	s->cnt.answered += (unsigned long)sent;
}

static void serve_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct serve_sock *k = arg;
	struct serve *s = k->owner;

	(void)what;
	for (int round = 0; round < SERVE_ROUNDS; round++) {
		int n = udpb_recv(fd, s->batch, UDPB_MAX);
		if (n <= 0)
			return; /* drained; errors (ICMP reports) are not ours to fix */
		serve_batch(s, fd, n);
		if (n < UDPB_MAX)
			return;
	}
}

/* The socket address of a listen entry. */
static int serve_addr(const struct conf_listen *l, struct udp_addr *a)
{
	char host[64];
	if (!inet_ntop(l->family, l->addr, host, sizeof(host)))
		return -EINVAL;
	return udp_addr_parse(host, l->port, a);
}

static int serve_open(struct serve *s, const struct conf_listen *l, struct serve_sock **ret)
{
	struct udp_addr a;
	int r = serve_addr(l, &a);

	if (r < 0)
		return r;
	struct serve_sock *k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->owner = s;
	k->addr = a;
	snprintf(k->text, sizeof(k->text), "%s", l->text);
	k->fd = udp_bound_socket(&a);
	if (k->fd < 0) {
		r = k->fd;
		free(k);
		return r;
	}
	k->ev = event_new(s->env.base, k->fd, EV_READ | EV_PERSIST, serve_on_read, k);
	if (!k->ev || event_add(k->ev, NULL) < 0) {
		if (k->ev)
			event_free(k->ev);
		close(k->fd);
		free(k);
		return -ENOMEM;
	}
	log_info(s->env.log, "serving NTP on %s", l->text);
	*ret = k;
	return 0;
}

static void serve_close(struct serve_sock *k)
{
	event_free(k->ev);
	close(k->fd);
	free(k);
}

static int serve_build_acl(struct serve *s, const struct conf *c)
{
	acl_init(&s->acl);
	for (size_t i = 0; i < c->n_allow; i++)
		if (acl_add(&s->acl, c->allow[i].family, c->allow[i].addr, c->allow[i].prefix_len,
		            true) < 0)
			return -ENOSPC;
	for (size_t i = 0; i < c->n_deny; i++)
		if (acl_add(&s->acl, c->deny[i].family, c->deny[i].addr, c->deny[i].prefix_len,
		            false) < 0)
			return -ENOSPC;
	return 0;
}

/* Index of the open socket bound where l says, or -1. */
static int serve_find(const struct serve *s, const struct conf_listen *l)
{
	struct udp_addr a;
	if (serve_addr(l, &a) < 0)
		return -1;
	for (size_t i = 0; i < s->n_socks; i++)
		if (udp_addr_equal(&a, &s->socks[i]->addr))
			return (int)i;
	return -1;
}

/* A new table when the ratelimit section changed (the counts of an unchanged one stay). */
static int serve_build_ratelimit(struct serve *s, const struct conf *c)
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
	uint64_t key = 0;
	if (getrandom(&key, sizeof(key), GRND_NONBLOCK) != (ssize_t)sizeof(key))
		key ^= (uint64_t)(uintptr_t)s ^ (uint64_t)getpid() << 32; /* no entropy yet */
	s->rl = ratelimit_new(&rc, key);
	if (!s->rl) {
		s->rl_conf.enabled = false;
		return -ENOMEM;
	}
	return 0;
}

int serve_reconfigure(struct serve *s, const struct conf *c, char *err, size_t errlen)
{
	struct serve_sock *keep[SERVE_MAX_LISTEN];
	size_t n = 0;
	int first_err = 0;

	if (c->n_listen > SERVE_MAX_LISTEN) {
		snprintf(err, errlen, "more than %d listen addresses", SERVE_MAX_LISTEN);
		return -E2BIG;
	}
	if (serve_build_acl(s, c) < 0) {
		snprintf(err, errlen, "more than %d allow and deny rules", ACL_MAX_RULES);
		first_err = -ENOSPC;
	}
	s->deny_kod = c->deny_kod;
	if (serve_build_ratelimit(s, c) < 0 && !first_err) {
		snprintf(err, errlen, "out of memory for the ratelimit table (%ld clients)",
		         c->ratelimit.clients);
		first_err = -ENOMEM;
	}
	bool used[SERVE_MAX_LISTEN] = {false};
	for (size_t i = 0; i < c->n_listen; i++) {
		int j = serve_find(s, &c->listen[i]);
		if (j >= 0 && !used[j]) {
			used[j] = true;
			keep[n++] = s->socks[j];
			continue;
		}
		int r = serve_open(s, &c->listen[i], &keep[n]);
		if (r < 0) {
			if (!first_err)
				snprintf(err, errlen, "cannot listen on %s: %s", c->listen[i].text,
				         strerror(-r));
			first_err = first_err ? first_err : r;
			continue;
		}
		n++;
	}
	for (size_t j = 0; j < s->n_socks; j++)
		if (!used[j]) {
			log_info(s->env.log, "no longer serving on %s", s->socks[j]->text);
			serve_close(s->socks[j]);
		}
	memcpy(s->socks, keep, n * sizeof(keep[0]));
	s->n_socks = n;
	if (n > 0 && c->n_allow == 0)
		log_warning(s->env.log, "listening, but no allow rule: every client is refused");
	return first_err;
}

int serve_new(const struct serve_env *env, const struct conf *c, struct serve **ret, char *err,
              size_t errlen)
{
	struct serve *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->env = *env;
	s->batch = calloc(1, sizeof(*s->batch));
	if (!s->batch) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int r = serve_reconfigure(s, c, err, errlen);
	if (r < 0) {
		serve_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void serve_free(struct serve *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_socks; i++)
		serve_close(s->socks[i]);
	ratelimit_free(s->rl);
	free(s->batch);
	free(s);
}

void serve_get_counters(const struct serve *s, struct serve_counters *out)
{
	*out = s->cnt;
}

size_t serve_listening(const struct serve *s)
{
	return s->n_socks;
}
