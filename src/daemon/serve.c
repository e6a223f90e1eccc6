/* serve: NTP server sockets on libevent. See serve.h. */
#include "config.h"

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
#include "core/clientlog.h"
#include "core/mode6.h"
#include "daemon/log.h"
#include "daemon/serve_lane.h"
#include "daemon/serve_workers.h"

#define SERVE_PUBLISH_INTERVAL 1 /* s: the server threads' state is at most this old */

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
	struct acl ctl_acl;          /* allow_control */
	struct mode6_view *pub_view; /* built for the workers (allocated with them) */
	struct serve_sock *socks[SERVE_MAX_LISTEN]; /* each allocated: events point at them */
	size_t n_socks;
	bool reuseport;                /* the sockets are shared with server threads */
	struct serve_lane lane;        /* the main thread's */
	struct serve_workers *workers; /* NULL with server_threads = 1 */
	struct event *publish;         /* timer: state to the workers, only with workers */
	struct serve_counters retired; /* counted by workers since stopped (reloads) */
	bool held;                     /* until serve_start_threads(): no server threads */
};

/* The ntpq view for the main thread's mode 6 requests. */
static void serve_main_view(void *arg, struct mode6_view *out)
{
	struct serve *s = arg;
	s->env.get_view(s->env.arg, out);
}

/* A fresh ntpq view for the workers. */
static void serve_publish_view(struct serve *s)
{
	if (!s->workers || !s->pub_view || !s->env.get_view)
		return;
	s->env.get_view(s->env.arg, s->pub_view);
	serve_workers_publish_view(s->workers, s->pub_view);
}

/* The state for a main-thread batch, passed on to the workers as well. */
static void serve_main_state(void *arg, struct server_state *out)
{
	struct serve *s = arg;
	s->env.get_state(s->env.arg, out);
	if (s->workers)
		serve_workers_publish(s->workers, out);
}

static void serve_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct serve_sock *k = arg;

	(void)what;
	serve_lane_drain(&k->owner->lane, fd, serve_main_state, k->owner);
}

static void serve_on_publish(evutil_socket_t fd, short what, void *arg)
{
	struct server_state st;

	(void)fd;
	(void)what;
	serve_main_state(arg, &st);
	serve_publish_view(arg);
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
	k->fd = udp_bound_socket_shared(&a, s->reuseport);
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
	acl_init(&s->ctl_acl);
	for (size_t i = 0; i < c->n_allow_control; i++)
		if (acl_add(&s->ctl_acl, c->allow_control[i].family, c->allow_control[i].addr,
		            c->allow_control[i].prefix_len, true) < 0)
			return -ENOSPC;
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

static void serve_close_all(struct serve *s)
{
	for (size_t j = 0; j < s->n_socks; j++)
		serve_close(s->socks[j]);
	s->n_socks = 0;
}

static void serve_stop_workers(struct serve *s)
{
	if (s->publish)
		event_free(s->publish);
	s->publish = NULL;
	if (s->workers)
		serve_workers_add_counters(s->workers, &s->retired);
	serve_workers_stop(s->workers);
	s->workers = NULL;
}

/* server_threads - 1 workers on the open sockets' addresses, and the publish timer. */
static int serve_start_workers(struct serve *s, const struct conf *c, char *err, size_t errlen)
{
	struct udp_addr addrs[SERVE_MAX_LISTEN];
	struct server_state st;
	struct timeval every = {SERVE_PUBLISH_INTERVAL, 0};

	if (s->held || c->server_threads <= 1 || s->n_socks == 0)
		return 0;
	for (size_t i = 0; i < s->n_socks; i++)
		addrs[i] = s->socks[i]->addr;
	s->env.get_state(s->env.arg, &st);
	if (!s->pub_view && !(s->pub_view = calloc(1, sizeof(*s->pub_view)))) {
		snprintf(err, errlen, "cannot start a server thread: out of memory");
		return -ENOMEM;
	}
	int r = serve_workers_start(c->server_threads - 1, addrs, s->n_socks, &s->acl, &s->ctl_acl,
	                            c, s->env.clock, &st, &s->workers, err, errlen);
	if (r < 0)
		return r;
	serve_publish_view(s);
	s->publish = event_new(s->env.base, -1, EV_PERSIST, serve_on_publish, s);
	if (!s->publish || evtimer_add(s->publish, &every) < 0) {
		serve_stop_workers(s);
		snprintf(err, errlen, "cannot start a server thread: no state timer");
		return -ENOMEM;
	}
	log_info(s->env.log, "%d server threads", c->server_threads);
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
	if (serve_lane_configure(&s->lane, c) < 0 && !first_err) {
		snprintf(err, errlen, "out of memory for the ratelimit table (%ld clients)",
		         c->ratelimit.clients);
		first_err = -ENOMEM;
	}
	serve_stop_workers(s);
	if (s->reuseport != (c->server_threads > 1))
		serve_close_all(s); /* reopened with or without SO_REUSEPORT */
	s->reuseport = c->server_threads > 1;
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
	int r = serve_start_workers(s, c, err, errlen);
	return first_err ? first_err : r;
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
	s->held = true;
	if (serve_lane_init(&s->lane, env->clock, &s->acl, &s->ctl_acl) < 0) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (env->get_view)
		serve_lane_set_view(&s->lane, serve_main_view, s);
	int r = serve_reconfigure(s, c, err, errlen);
	if (r < 0) {
		serve_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int serve_start_threads(struct serve *s, const struct conf *c, char *err, size_t errlen)
{
	s->held = false;
	return serve_start_workers(s, c, err, errlen);
}

void serve_free(struct serve *s)
{
	if (!s)
		return;
	serve_stop_workers(s);
	serve_close_all(s);
	serve_lane_fini(&s->lane);
	free(s->pub_view);
	free(s);
}

void serve_publish(struct serve *s)
{
	struct server_state st;
	if (s && s->workers) {
		serve_main_state(s, &st);
		serve_publish_view(s);
	}
}

void serve_counters_add(struct serve_counters *sum, const struct serve_counters *c)
{
	sum->received += c->received;
	sum->answered += c->answered;
	sum->denied += c->denied;
	sum->limited += c->limited;
	sum->kod_sent += c->kod_sent;
	sum->malformed += c->malformed;
	sum->not_client += c->not_client;
	sum->send_errors += c->send_errors;
	sum->control += c->control;
}

void serve_get_counters(const struct serve *s, struct serve_counters *out)
{
	*out = s->lane.cnt;
	serve_counters_add(out, &s->retired);
	if (s->workers)
		serve_workers_add_counters(s->workers, out);
}

int serve_clients(const struct serve *s, struct clientlog_entry *out, size_t max)
{
	struct clientlog_entry *scratch = calloc(max ? max : 1, sizeof(*scratch));
	size_t n = 0;

	if (!scratch)
		return -ENOMEM;
	if (s->lane.log)
		n = clientlog_top(s->lane.log, out, max);
	if (s->workers)
		serve_workers_add_clients(s->workers, out, &n, max, scratch);
	free(scratch);
	clientlog_sort(out, n);
	return (int)n;
}

size_t serve_listening(const struct serve *s)
{
	return s->n_socks;
}
