/* clock_remote: the clock as strata-clockd, the clock helper, applies it (see clock.h).
 *
 * Readings are local clock_gettime calls (reading needs no privilege); every correction
 * (frequency, step, sync status) is one request to the helper over its SOCK_SEQPACKET socket
 * (clockmsg.h), answered before the call returns. The network-facing daemon so needs no
 * CAP_SYS_TIME and no clock-setting system call of its own.
 *
 * Failures: a request the helper cannot be reached for reconnects once (the helper was
 * restarted); a request sent but not answered within CLOCK_REMOTE_TIMEOUT is never sent
 * again (it may have been applied) and returns -ETIMEDOUT; a malformed or mismatched reply
 * returns -EPROTO. Either drops the connection, and the next call connects anew.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock/clock.h"
#include "clock/clockmsg.h"

#define CLOCK_REMOTE_TIMEOUT 2 /* s, for one request and its reply */

struct remote {
	struct sockaddr_un addr;
	int fd; /* -1 when not connected */
	uint32_t seq;
};

static int remote_read(clockid_t id, struct timespec *out)
{
	return clock_gettime(id, out) < 0 ? -errno : 0;
}

static int remote_read_realtime(struct clock *c, struct timespec *out)
{
	(void)c;
	return remote_read(CLOCK_REALTIME, out);
}

static int remote_read_monotonic(struct clock *c, struct timespec *out)
{
	(void)c;
	return remote_read(CLOCK_MONOTONIC, out);
}

static void remote_disconnect(struct remote *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static int remote_connect(struct remote *r)
{
	struct timeval tv = {.tv_sec = CLOCK_REMOTE_TIMEOUT};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (const struct sockaddr *)&r->addr, sizeof(r->addr)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	r->fd = fd;
	return 0;
}

/* Send q, connecting (or reconnecting once, if the helper went away) as needed. */
static int remote_send(struct remote *r, struct clockmsg_req *q)
{
	uint8_t buf[CLOCKMSG_REQ_LEN];

	for (int attempt = 0; attempt < 2; attempt++) {
		if (r->fd < 0) {
			int e = remote_connect(r);
			if (e < 0)
				return e;
		}
		q->seq = ++r->seq;
		size_t len = clockmsg_req_encode(q, buf);
		ssize_t n = send(r->fd, buf, len, MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return 0;
		int e = n < 0 ? errno : EIO;
		remote_disconnect(r);
		if (e != EPIPE && e != ECONNRESET && e != ENOTCONN)
			return -e;
	}
	return -EPIPE;
}

static int remote_call(struct clock *c, struct clockmsg_req *q, double *value)
{
	struct remote *r = c->priv;
	uint8_t buf[CLOCKMSG_REP_LEN + 1];
	struct clockmsg_rep p;
	ssize_t n;
	int e = remote_send(r, q);

	if (e < 0)
		return e;
	do
		n = recv(r->fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		e = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	else if (n == 0) /* the helper went away with the request: it may have been applied */
		e = -ECONNRESET;
	else if (clockmsg_rep_decode(buf, (size_t)n, &p) < 0 || p.seq != q->seq || p.op != q->op)
		e = -EPROTO;
	if (e < 0) {
		remote_disconnect(r);
		return e;
	}
	if (value)
		*value = p.value;
	return p.result;
}

static int remote_get_frequency(struct clock *c, double *ppm)
{
	struct clockmsg_req q = {.op = CLOCKMSG_GET_FREQUENCY};

	return remote_call(c, &q, ppm);
}

static int remote_set_frequency(struct clock *c, double ppm)
{
	struct clockmsg_req q = {.op = CLOCKMSG_SET_FREQUENCY, .a0 = ppm};

	return remote_call(c, &q, NULL);
}

static int remote_step(struct clock *c, double offset)
{
	struct clockmsg_req q = {.op = CLOCKMSG_STEP, .a0 = offset};

	return remote_call(c, &q, NULL);
}

static int remote_set_sync_status(struct clock *c, int leap, double max_error, double est_error,
                                  bool synced)
{
	struct clockmsg_req q = {
	        .op = CLOCKMSG_SET_STATUS,
	        .leap = leap,
	        .a0 = max_error > CLOCKMSG_MAX_ERROR ? CLOCKMSG_MAX_ERROR : max_error,
	        .a1 = est_error > CLOCKMSG_MAX_ERROR ? CLOCKMSG_MAX_ERROR : est_error,
	        .synced = synced};

	return remote_call(c, &q, NULL);
}

static void remote_destroy(struct clock *c)
{
	remote_disconnect(c->priv);
	free(c->priv);
	free(c);
}

static const struct clock_ops remote_ops = {
        .name = "helper",
        .read_realtime = remote_read_realtime,
        .read_monotonic = remote_read_monotonic,
        .get_frequency = remote_get_frequency,
        .set_frequency = remote_set_frequency,
        .step = remote_step,
        .set_sync_status = remote_set_sync_status,
        .destroy = remote_destroy,
};

int clock_remote_new(const char *path, struct clock **ret)
{
	struct clock *c;
	struct remote *r;
	int e;

	if (!path || !*path || strlen(path) >= sizeof(r->addr.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	r = calloc(1, sizeof(*r));
	if (!c || !r) {
		free(c);
		free(r);
		return -ENOMEM;
	}
	r->addr.sun_family = AF_UNIX;
	memcpy(r->addr.sun_path, path, strlen(path) + 1);
	r->fd = -1;
	c->ops = &remote_ops;
	c->priv = r;
	e = remote_connect(r);
	if (e < 0) {
		remote_destroy(c);
		return e;
	}
	*ret = c;
	return 0;
}
