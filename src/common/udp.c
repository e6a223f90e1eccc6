/* udp: UDP socket helpers with kernel software receive timestamps (see udp.h).
 *
 * Timestamps: SO_TIMESTAMPING with SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE
 * (the kernel stamps the datagram on arrival, CLOCK_REALTIME, delivered as SCM_TIMESTAMPING
 * whose first timespec is the software stamp). If the kernel refuses that option, the older
 * SO_TIMESTAMPNS (SCM_TIMESTAMPNS, one timespec) is asked for; if both fail the socket still
 * works and udp_recv reports the caller's fallback reading.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/udp.h"

int udp_addr_parse(const char *host, uint16_t port, struct udp_addr *out)
{
	struct addrinfo hints = {0}, *res = NULL;
	char service[8];

	if (!host || !out)
		return -EINVAL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(host, service, &hints, &res) != 0 || !res)
		return -EINVAL;
	if (res->ai_addrlen > sizeof(out->ss)) {
		freeaddrinfo(res);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

const char *udp_addr_str(const struct udp_addr *a, char *buf, size_t len)
{
	const void *src = NULL;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->ss.ss_family == AF_INET)
		src = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (!src || !inet_ntop(a->ss.ss_family, src, buf, (socklen_t)len))
		buf[0] = '\0';
	return buf;
}

uint16_t udp_addr_port(const struct udp_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

bool udp_addr_equal(const struct udp_addr *a, const struct udp_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss;
		const struct sockaddr_in *y = (const struct sockaddr_in *)&b->ss;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->ss;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->ss;

		return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

/* Software receive timestamps; failure is not an error (udp_recv falls back). */
static void enable_timestamps(int fd)
{
	int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	int on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) == 0)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
}

/* A plain SOCK_DGRAM socket, non-blocking and close-on-exec through fcntl. */
static int new_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	int fl;

	if (fd < 0)
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* The wildcard address of family with port 0 (the kernel picks an ephemeral port). */
static void any_addr(int family, struct udp_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->ss.ss_family = (sa_family_t)family;
	out->len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static int fail_close(int fd)
{
	int e = errno;

	close(fd);
	return -e;
}

int udp_client_socket(const struct udp_addr *peer)
{
	struct udp_addr local;
	int family = peer->ss.ss_family;
	int fd;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	fd = new_socket(family);
	if (fd < 0)
		return fd;
	any_addr(family, &local);
	if (bind(fd, (const struct sockaddr *)&local.ss, local.len) < 0)
		return fail_close(fd);
	enable_timestamps(fd);
	if (connect(fd, (const struct sockaddr *)&peer->ss, peer->len) < 0)
		return fail_close(fd);
	return fd;
}

int udp_bound_socket(const struct udp_addr *local)
{
	return udp_bound_socket_shared(local, false);
}

/* IPv6 server sockets are IPv6-only, so that an IPv4 socket can share the port. */
int udp_bound_socket_shared(const struct udp_addr *local, bool reuseport)
{
	int family = local->ss.ss_family;
	int on = 1;
	int fd;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	fd = new_socket(family);
	if (fd < 0)
		return fd;
	/* No SO_REUSEADDR: with UDP it would let a second daemon bind the same port and take
	 * its traffic silently; a taken port must be an error. */
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)
		return fail_close(fd);
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
		return fail_close(fd);
	/* A deep receive queue rides out a moment without the CPU under a flood (the default
	 * holds about 3 ms at 100k requests/s). Beyond net.core.rmem_max only with
	 * CAP_NET_ADMIN; failure is not an error. */
	int rcvbuf = UDP_SERVER_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (const struct sockaddr *)&local->ss, local->len) < 0)
		return fail_close(fd);
	enable_timestamps(fd);
	return fd;
}

/* The kernel receive timestamp in msg's control messages; false if there is none. */
bool udp_cmsg_timestamp(struct msghdr *msg, struct timespec *out)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_TIMESTAMPING &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct scm_timestamping))) {
			struct scm_timestamping st;

			memcpy(&st, CMSG_DATA(cm), sizeof(st));
			if (st.ts[0].tv_sec == 0 && st.ts[0].tv_nsec == 0)
				continue; /* no software stamp in this message */
			*out = st.ts[0];
			return true;
		}
		if (cm->cmsg_type == SCM_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			memcpy(out, CMSG_DATA(cm), sizeof(*out));
			return true;
		}
	}
	return false;
}

long udp_recv(int fd, uint8_t *buf, size_t cap, struct udp_addr *from, struct timespec *rx_ts,
              const struct timespec *fallback, bool *kernel_ts, bool *truncated)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct scm_timestamping)) +
		         CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct sockaddr_storage ss;
	struct msghdr msg = {0};
	ssize_t n;

	msg.msg_name = &ss;
	msg.msg_namelen = sizeof(ss);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	do {
		n = recvmsg(fd, &msg, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*truncated = (msg.msg_flags & MSG_TRUNC) != 0;
	*kernel_ts = udp_cmsg_timestamp(&msg, rx_ts);
	if (!*kernel_ts)
		*rx_ts = *fallback;
	if (from) {
		memset(from, 0, sizeof(*from));
		memcpy(&from->ss, &ss,
		       msg.msg_namelen <= sizeof(ss) ? msg.msg_namelen : sizeof(ss));
		from->len = msg.msg_namelen;
	}
	return (long)n;
}

long udp_send(int fd, const uint8_t *buf, size_t len, const struct udp_addr *to)
{
	ssize_t n;

	do {
		if (to)
			n = sendto(fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len);
		else
			n = send(fd, buf, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (long)n;
}
