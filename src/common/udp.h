/* udp: small helpers over UDP sockets shared by stratad and stratactl.
 *
 * Sockets are plain SOCK_DGRAM made non-blocking with fcntl (so that LD_PRELOAD network
 * simulators work). Receive timestamps come from SO_TIMESTAMPING (software); when no
 * control message arrives, the caller's clock is read instead (the fallback is reported).
 * Nothing here reads a clock: the fallback reading is supplied by the caller.
 * Every function returns 0 / a file descriptor, or a negative errno value.
 */
#ifndef STRATA_COMMON_UDP_H
#define STRATA_COMMON_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* A socket address with its length. */
struct udp_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parse a numeric IPv4 or IPv6 address (no name lookup) and port into *out. */
int udp_addr_parse(const char *host, uint16_t port, struct udp_addr *out);

/* "192.0.2.1" / "2001:db8::1" (no port) into buf; returns buf. */
const char *udp_addr_str(const struct udp_addr *a, char *buf, size_t len);
uint16_t udp_addr_port(const struct udp_addr *a);
bool udp_addr_equal(const struct udp_addr *a, const struct udp_addr *b); /* address and port */

/* A fresh non-blocking socket bound to an ephemeral port chosen by the kernel (a new random
 * source port for every request, RFC 9109) and connect()ed to peer, so the kernel drops
 * datagrams from any other address or port. Software receive timestamps enabled. */
int udp_client_socket(const struct udp_addr *peer);

/* A non-blocking socket bound to local (server side; no SO_REUSEADDR, so a port already in
 * use is -EADDRINUSE), timestamps enabled. */
int udp_bound_socket(const struct udp_addr *local);

#define UDP_SERVER_RCVBUF (2 << 20) /* bytes of receive queue asked for server sockets */

/* The same with SO_REUSEPORT when reuseport is set: several sockets of this process (the
 * server threads) then share the address, and the kernel spreads clients over them by
 * address and port. The kernel only groups sockets of the same user, so another user still
 * cannot take the port. */
int udp_bound_socket_shared(const struct udp_addr *local, bool reuseport);

/* Receive one datagram. *rx_ts is the kernel software receive timestamp (CLOCK_REALTIME);
 * if none came, *rx_ts = *fallback and *kernel_ts = false. from may be NULL.
 * Returns the datagram length (truncated to cap; *truncated set), or -errno
 * (-EAGAIN when nothing is waiting). */
long udp_recv(int fd, uint8_t *buf, size_t cap, struct udp_addr *from, struct timespec *rx_ts,
              const struct timespec *fallback, bool *kernel_ts, bool *truncated);

/* The kernel receive timestamp among msg's control messages; false if there is none. */
bool udp_cmsg_timestamp(struct msghdr *msg, struct timespec *out);

/* Room for the control messages udp_cmsg_timestamp reads. */
#define UDP_CMSG_SPACE 128

/* Send on a connected socket (to == NULL) or to an address. Returns bytes sent or -errno. */
long udp_send(int fd, const uint8_t *buf, size_t len, const struct udp_addr *to);

#endif
