/* udpbatch: receiving and sending UDP datagrams in batches (recvmmsg, sendmmsg), for the
 * server's hot path: one system call moves up to UDPB_MAX datagrams each way.
 *
 * A struct udpb holds every buffer a batch needs (about 80 KiB), allocated once by the
 * caller, so that nothing is allocated per packet. Received datagrams keep their sender
 * address and kernel receive timestamp (SO_TIMESTAMPING, see udp.h). Replies are queued
 * with udpb_queue() and sent by udpb_flush(); where the kernel lacks sendmmsg (ENOSYS) or
 * refuses a batch, each datagram goes out with sendmsg instead. Nothing here reads a clock.
 */
#ifndef STRATA_COMMON_UDPBATCH_H
#define STRATA_COMMON_UDPBATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "common/udp.h"

#define UDPB_MAX 64      /* datagrams per system call */
#define UDPB_RX_LEN 1024 /* longer datagrams are reported truncated */
#define UDPB_TX_LEN 48   /* replies: an NTP header */

struct udpb {
	/* receive side, filled by udpb_recv */
	struct mmsghdr rx[UDPB_MAX];
	struct iovec rx_iov[UDPB_MAX];
	struct sockaddr_storage rx_addr[UDPB_MAX];
	union {
		char buf[UDP_CMSG_SPACE];
		struct cmsghdr align;
	} rx_ctrl[UDPB_MAX];
	uint8_t rx_buf[UDPB_MAX][UDPB_RX_LEN];
	/* send side, filled by udpb_queue */
	struct mmsghdr tx[UDPB_MAX];
	struct iovec tx_iov[UDPB_MAX];
	uint8_t tx_buf[UDPB_MAX][UDPB_TX_LEN];
	int n_tx;
	bool no_sendmmsg; /* the kernel said ENOSYS once: sendmsg from then on */
};

/* Receive up to max (<= UDPB_MAX) datagrams without blocking. Returns how many (0 when
 * nothing is waiting) or a negative errno. */
int udpb_recv(int fd, struct udpb *b, int max);

/* Datagram i of the last udpb_recv: its bytes, length, whether it was truncated, its sender
 * and its kernel receive timestamp (false: none came, *ts untouched). */
static inline const uint8_t *udpb_data(const struct udpb *b, int i)
{
	return b->rx_buf[i];
}
size_t udpb_len(const struct udpb *b, int i);
bool udpb_truncated(const struct udpb *b, int i);
const struct sockaddr_storage *udpb_from(const struct udpb *b, int i);
bool udpb_rx_time(struct udpb *b, int i, struct timespec *ts);

/* A reply slot addressed to the sender of received datagram i: the caller writes up to
 * UDPB_TX_LEN bytes into the returned buffer and gives the length. NULL when full. */
uint8_t *udpb_queue(struct udpb *b, int i, size_t len);

/* Send every queued reply. Returns how many went out; *errors counts the refused ones. */
int udpb_flush(int fd, struct udpb *b, unsigned long *errors);

#endif
