/* serve: NTP server sockets on libevent. See serve.h. */
#include "daemon/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock/clock.h"
#include "common/udp.h"
#include "core/acl.h"
#include "core/packet.h"
#include "daemon/log.h"

#define SERVE_RX_BUF 1024 /* longer requests are dropped as malformed */

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
	struct serve_counters cnt;
};

static ntp_ts_t serve_now(const struct serve *s)
{
	struct timespec ts;
	clock_realtime(s->env.clock, &ts);
	return ntp_ts_from_timespec(&ts);
}

static void serve_one(struct serve *s, int fd, const uint8_t *buf, size_t len,
                      const struct udp_addr *from, const struct timespec *rx)
{
	const uint8_t *addr;
	if (from->ss.ss_family == AF_INET)
		addr = (const uint8_t *)&((const struct sockaddr_in *)&from->ss)->sin_addr;
	else
		addr = (const uint8_t *)&((const struct sockaddr_in6 *)&from->ss)->sin6_addr;
	if (!acl_allows(&s->acl, from->ss.ss_family, addr)) {
		s->cnt.denied++;
		return;
	}
	struct server_state st;
	uint8_t out[NTP_HEADER_LEN];
	size_t out_len = 0;
	s->env.get_state(s->env.arg, &st);
	enum server_verdict v = server_respond(&st, buf, len, ntp_ts_from_timespec(rx),
	                                       serve_now(s), out, &out_len);
	if (v == SERVER_MALFORMED)
		s->cnt.malformed++;
	else if (v == SERVER_NOT_CLIENT)
		s->cnt.not_client++;
	else if (udp_send(fd, out, out_len, from) < 0)
		s->cnt.send_errors++;
	else
		s->cnt.answered++;
}

static void serve_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct serve_sock *k = arg;
	struct serve *s = k->owner;
	uint8_t buf[SERVE_RX_BUF];
	struct udp_addr from;
	struct timespec rx, fallback;
	bool kernel_ts, truncated;

	(void)what;
	for (int i = 0; i < SERVE_RX_BATCH; i++) {
		clock_realtime(s->env.clock, &fallback);
		long n = udp_recv(fd, buf, sizeof(buf), &from, &rx, &fallback, &kernel_ts,
		                  &truncated);
		if (n < 0)
			return; /* EAGAIN: drained; other errors (ICMP reports) are not ours to fix
			         */
		s->cnt.received++;
		if (truncated) {
			s->cnt.malformed++;
			continue;
		}
		serve_one(s, fd, buf, (size_t)n, &from, &rx);
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
