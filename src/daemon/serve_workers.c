/* serve_workers: server threads. See serve_workers.h. */
#include "config.h"

#include "daemon/serve_workers.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "daemon/privs.h"
#include <unistd.h>

#include "core/acl.h"
#include "core/clientlog.h"
#include "core/mode6.h"
#include "daemon/serve_lane.h"

struct serve_worker {
	struct serve_workers *owner;
	pthread_t thread;
	bool started;
	int fds[SERVE_MAX_LISTEN];
	size_t n_fds;
	struct serve_lane lane;
	pthread_mutex_t cnt_mu; /* guards published and lane.log (held while answering) */
	struct serve_counters published;
};

struct serve_workers {
	struct acl acl;          /* read only once the threads run */
	struct acl ctl_acl;      /* allow_control, likewise */
	struct mode6_view *view; /* guarded by st_mu */
	int stop_fd;             /* eventfd: readable = stop */
	pthread_mutex_t st_mu;
	struct server_state st;
	int n;
	struct serve_worker w[]; /* n of them */
};

static void worker_state(void *arg, struct server_state *out)
{
	struct serve_workers *ws = arg;
	pthread_mutex_lock(&ws->st_mu);
	*out = ws->st;
	pthread_mutex_unlock(&ws->st_mu);
}

static void worker_view(void *arg, struct mode6_view *out)
{
	struct serve_workers *ws = arg;
	pthread_mutex_lock(&ws->st_mu);
	memcpy(out, ws->view, sizeof(*out));
	pthread_mutex_unlock(&ws->st_mu);
}

void serve_workers_publish_view(struct serve_workers *ws, const struct mode6_view *v)
{
	pthread_mutex_lock(&ws->st_mu);
	memcpy(ws->view, v, sizeof(*v));
	pthread_mutex_unlock(&ws->st_mu);
}

static void *worker_main(void *arg)
{
	struct serve_worker *w = arg;
	struct pollfd p[SERVE_MAX_LISTEN + 1];

	if (privs_thread_none() < 0)
		return NULL; /* never answer with privileges; the main thread still serves */
	for (size_t i = 0; i < w->n_fds; i++)
		p[i] = (struct pollfd){.fd = w->fds[i], .events = POLLIN};
	p[w->n_fds] = (struct pollfd){.fd = w->owner->stop_fd, .events = POLLIN};
	for (;;) {
		if (poll(p, (nfds_t)w->n_fds + 1, -1) < 0 && errno != EINTR)
			break;
		if (p[w->n_fds].revents)
			break;
		pthread_mutex_lock(&w->cnt_mu);
		for (size_t i = 0; i < w->n_fds; i++)
			if (p[i].revents & POLLIN)
				serve_lane_drain(&w->lane, w->fds[i], worker_state, w->owner);
		w->published = w->lane.cnt;
		pthread_mutex_unlock(&w->cnt_mu);
	}
	return NULL;
}

/* Sockets and lane of worker w; 0 or a negative errno (err says why). */
static int worker_prepare(struct serve_worker *w, const struct udp_addr *addrs, size_t n_addrs,
                          const struct conf *c, struct clock *clock, char *err, size_t errlen)
{
	int r = serve_lane_init(&w->lane, clock, &w->owner->acl, &w->owner->ctl_acl);
	if (r == 0)
		serve_lane_set_view(&w->lane, worker_view, w->owner);
	if (r == 0)
		r = serve_lane_configure(&w->lane, c);
	if (r < 0) {
		snprintf(err, errlen, "cannot start a server thread: out of memory");
		return r;
	}
	for (size_t i = 0; i < n_addrs; i++) {
		int fd = udp_bound_socket_shared(&addrs[i], true);
		if (fd < 0) {
			char host[64];
			snprintf(err, errlen, "server thread cannot listen on %s port %u: %s",
			         udp_addr_str(&addrs[i], host, sizeof(host)),
			         udp_addr_port(&addrs[i]), strerror(-fd));
			return fd;
		}
		w->fds[w->n_fds++] = fd;
	}
	return 0;
}

/* Threads started with every signal blocked, so that signals reach the main loop. */
static int workers_spawn(struct serve_workers *ws, char *err, size_t errlen)
{
	sigset_t all, old;
	int r = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < ws->n && r == 0; i++) {
		r = -pthread_create(&ws->w[i].thread, NULL, worker_main, &ws->w[i]);
		ws->w[i].started = r == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		snprintf(err, errlen, "cannot start a server thread: %s", strerror(-r));
	return r;
}

int serve_workers_start(int n, const struct udp_addr *addrs, size_t n_addrs, const struct acl *acl,
                        const struct acl *ctl_acl, const struct conf *c, struct clock *clock,
                        const struct server_state *st, struct serve_workers **ret, char *err,
                        size_t errlen)
{
	struct serve_workers *ws = calloc(1, sizeof(*ws) + (size_t)n * sizeof(ws->w[0]));
	if (ws && !(ws->view = calloc(1, sizeof(*ws->view)))) {
		free(ws);
		ws = NULL;
	}
	if (!ws) {
		snprintf(err, errlen, "cannot start a server thread: out of memory");
		return -ENOMEM;
	}
	ws->acl = *acl;
	ws->ctl_acl = *ctl_acl;
	ws->st = *st;
	ws->n = n;
	pthread_mutex_init(&ws->st_mu, NULL);
	for (int i = 0; i < n; i++) {
		ws->w[i].owner = ws;
		pthread_mutex_init(&ws->w[i].cnt_mu, NULL);
	}
	ws->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int r = ws->stop_fd < 0 ? -errno : 0;
	if (r < 0)
		snprintf(err, errlen, "cannot start a server thread: eventfd: %s", strerror(-r));
	for (int i = 0; i < n && r == 0; i++)
		r = worker_prepare(&ws->w[i], addrs, n_addrs, c, clock, err, errlen);
	if (r == 0)
		r = workers_spawn(ws, err, errlen);
	if (r < 0) {
		serve_workers_stop(ws);
		return r;
	}
	*ret = ws;
	return 0;
}

void serve_workers_publish(struct serve_workers *ws, const struct server_state *st)
{
	pthread_mutex_lock(&ws->st_mu);
	ws->st = *st;
	pthread_mutex_unlock(&ws->st_mu);
}

void serve_workers_add_counters(struct serve_workers *ws, struct serve_counters *sum)
{
	for (int i = 0; i < ws->n; i++) {
		struct serve_worker *w = &ws->w[i];
		pthread_mutex_lock(&w->cnt_mu);
		struct serve_counters c = w->published;
		pthread_mutex_unlock(&w->cnt_mu);
		serve_counters_add(sum, &c);
	}
}

void serve_workers_stop(struct serve_workers *ws)
{
	if (!ws)
		return;
	if (ws->stop_fd >= 0) {
		uint64_t one = 1;
		(void)!write(ws->stop_fd, &one, sizeof(one));
	}
	for (int i = 0; i < ws->n; i++) {
		struct serve_worker *w = &ws->w[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		for (size_t k = 0; k < w->n_fds; k++)
			close(w->fds[k]);
		serve_lane_fini(&w->lane);
		pthread_mutex_destroy(&w->cnt_mu);
	}
	if (ws->stop_fd >= 0)
		close(ws->stop_fd);
	pthread_mutex_destroy(&ws->st_mu);
	free(ws->view);
	free(ws);
}

void serve_workers_add_clients(struct serve_workers *ws, struct clientlog_entry *out, size_t *n,
                               size_t max, struct clientlog_entry *scratch)
{
	for (int i = 0; i < ws->n; i++) {
		struct serve_worker *w = &ws->w[i];
		size_t k = 0;
		pthread_mutex_lock(&w->cnt_mu);
		if (w->lane.log)
			k = clientlog_top(w->lane.log, scratch, max);
		pthread_mutex_unlock(&w->cnt_mu);
		clientlog_merge(out, n, max, scratch, k);
	}
}
