/* udpbatch: recvmmsg/sendmmsg batches. See udpbatch.h. */
#include "config.h"

#include "common/udpbatch.h"

#include <errno.h>
#include <string.h>

int udpb_recv(int fd, struct udpb *b, int max)
{
	if (max > UDPB_MAX)
		max = UDPB_MAX;
	for (int i = 0; i < max; i++) {
		b->rx_iov[i] = (struct iovec){.iov_base = b->rx_buf[i], .iov_len = UDPB_RX_LEN};
		b->rx[i].msg_hdr = (struct msghdr){.msg_name = &b->rx_addr[i],
		                                   .msg_namelen = sizeof(b->rx_addr[i]),
		                                   .msg_iov = &b->rx_iov[i],
		                                   .msg_iovlen = 1,
		                                   .msg_control = b->rx_ctrl[i].buf,
		                                   .msg_controllen = sizeof(b->rx_ctrl[i].buf)};
		b->rx[i].msg_len = 0;
	}
	int n;
	do {
		n = recvmmsg(fd, b->rx, (unsigned int)max, MSG_DONTWAIT, NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	return n;
}

size_t udpb_len(const struct udpb *b, int i)
{
	return b->rx[i].msg_len;
}

bool udpb_truncated(const struct udpb *b, int i)
{
	return (b->rx[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

const struct sockaddr_storage *udpb_from(const struct udpb *b, int i)
{
	return &b->rx_addr[i];
}

bool udpb_rx_time(struct udpb *b, int i, struct timespec *ts)
{
	return udp_cmsg_timestamp(&b->rx[i].msg_hdr, ts);
}

uint8_t *udpb_queue(struct udpb *b, int i, size_t len)
{
	if (b->n_tx >= UDPB_MAX || len > UDPB_TX_LEN)
		return NULL;
	int k = b->n_tx++;
	b->tx_iov[k] = (struct iovec){.iov_base = b->tx_buf[k], .iov_len = len};
	b->tx[k].msg_hdr = (struct msghdr){.msg_name = &b->rx_addr[i],
	                                   .msg_namelen = b->rx[i].msg_hdr.msg_namelen,
	                                   .msg_iov = &b->tx_iov[k],
	                                   .msg_iovlen = 1};
	return b->tx_buf[k];
}

/* One by one: the fallback, and the way past a datagram the kernel refuses. */
static int send_each(int fd, struct udpb *b, int from, unsigned long *errors)
{
	int sent = 0;
	for (int k = from; k < b->n_tx; k++) {
		ssize_t r;
		do {
			r = sendmsg(fd, &b->tx[k].msg_hdr, MSG_DONTWAIT);
		} while (r < 0 && errno == EINTR);
		if (r < 0)
			(*errors)++;
		else
			sent++;
	}
	return sent;
}

int udpb_flush(int fd, struct udpb *b, unsigned long *errors)
{
	int done = 0, sent = 0;
	while (done < b->n_tx && !b->no_sendmmsg) {
		int r = sendmmsg(fd, b->tx + done, (unsigned int)(b->n_tx - done), MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ENOSYS) {
			b->no_sendmmsg = true;
			break;
		}
		if (r <= 0) { /* the first datagram was refused: skip it, send the rest */
			(*errors)++;
			done++;
			continue;
		}
		done += r;
		sent += r;
	}
	if (done < b->n_tx)
		sent += send_each(fd, b, done, errors);
	b->n_tx = 0;
	return sent;
}
