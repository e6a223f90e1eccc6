/* ntpload: an NTP client load generator for bench/server-throughput and the flood test.
 *
 * Sends mode-3 requests over UDP to one server for a bounded time (at most 60 s) and
 * matches every reply to its request by the origin timestamp: each request carries a
 * unique transmit timestamp (a random base plus a sequence number), remembered in a ring
 * with its send time. A reply is valid when it is 48 bytes or more, mode 4, its origin is an
 * outstanding request's and the server is synchronised (LI != 3, stratum 1..15); KoD
 * replies are counted apart. Latency is the monotonic time from the send to the return of
 * the receive call, in user space, the same for every server measured.
 *
 * Modes: closed (-k requests in flight, a new one for each reply; 20 ms of silence counts
 * the outstanding ones lost), flood (batches of 64 as fast as the sender goes, replies
 * read between batches), rate (-r requests per second, evenly spaced, for latency).
 * Output: one line of key=value pairs. Traffic: only the address given, which the
 * benchmark scripts keep on loopback.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define RING (1u << 20) /* outstanding requests remembered */
#define MAX_DURATION 60.0
#define CLOSED_SILENCE_NS 20000000LL

enum mode { MODE_CLOSED, MODE_FLOOD, MODE_RATE };

struct slot {
	uint64_t xmt;    /* the transmit timestamp sent; 0: free */
	int64_t sent_ns; /* monotonic */
};

struct load {
	int fd;
	enum mode mode;
	int inflight;
	double rate, duration;
	uint64_t base, seq;
	struct slot *ring;
	uint64_t sent, valid, kod, invalid, send_errors;
	int64_t outstanding;
	double *lat; /* µs, for the percentiles */
	size_t n_lat, cap_lat;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Queue n requests into one sendmmsg; returns how many the kernel took. */
static int send_requests(struct load *l, int n)
{
	static uint8_t pkt[BATCH][48];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int64_t t = now_ns();

	if (n > BATCH)
		n = BATCH;
	for (int i = 0; i < n; i++) {
		uint64_t seq = l->seq++;
		struct slot *s = &l->ring[seq % RING];
		memset(pkt[i], 0, 48);
		pkt[i][0] = 0x23; /* LI 0, VN 4, mode 3 */
		pkt[i][2] = 6;
		s->xmt = l->base + seq;
		s->sent_ns = t;
		put64(pkt[i] + 40, s->xmt);
		iov[i] = (struct iovec){.iov_base = pkt[i], .iov_len = 48};
		m[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	int r = sendmmsg(l->fd, m, (unsigned int)n, MSG_DONTWAIT);
	if (r < 0) {
		l->send_errors += (uint64_t)n;
		for (int i = 0; i < n; i++)
			l->ring[(l->seq - (uint64_t)n + (uint64_t)i) % RING].xmt = 0;
		return 0;
	}
	for (int i = r; i < n; i++) {
		l->ring[(l->seq - (uint64_t)n + (uint64_t)i) % RING].xmt = 0;
		l->send_errors++;
	}
	l->sent += (uint64_t)r;
	l->outstanding += r;
	return r;
}

static void record_latency(struct load *l, double us)
{
	if (l->n_lat == l->cap_lat) {
		size_t cap = l->cap_lat ? 2 * l->cap_lat : 1 << 16;
		double *p = realloc(l->lat, cap * sizeof(*p));
		if (!p)
			return;
		l->lat = p;
		l->cap_lat = cap;
	}
	l->lat[l->n_lat++] = us;
}

/* Judge one reply. */
static void take_reply(struct load *l, const uint8_t *p, size_t len, int64_t t)
{
	if (len < 48 || (p[0] & 7) != 4) {
		l->invalid++;
		return;
	}
	uint64_t org = get64(p + 24), seq = org - l->base;
	struct slot *s = &l->ring[seq % RING];
	if (seq >= l->seq || s->xmt != org) {
		l->invalid++; /* not ours, or a duplicate */
		return;
	}
	s->xmt = 0;
	if (l->outstanding > 0)
		l->outstanding--;
	if (p[1] == 0) {
		l->kod++;
		return;
	}
	if ((p[0] >> 6) == 3 || p[1] >= 16) {
		l->invalid++;
		return;
	}
	l->valid++;
	if (l->mode != MODE_FLOOD)
		record_latency(l, (double)(t - s->sent_ns) / 1e3);
}

/* Read every reply waiting; returns how many datagrams were read. */
static int drain(struct load *l)
{
	static uint8_t buf[BATCH][128];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int total = 0;

	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = buf[i], .iov_len = sizeof(buf[i])};
			m[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		int n = recvmmsg(l->fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return total;
		int64_t t = now_ns();
		for (int i = 0; i < n; i++)
			take_reply(l, buf[i], m[i].msg_len, t);
		total += n;
		if (n < BATCH)
			return total;
	}
}

static void wait_readable(struct load *l, int64_t ns)
{
	struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
	struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
	(void)ppoll(&pfd, 1, ns >= 0 ? &ts : NULL, NULL);
}

static void run_closed(struct load *l, int64_t end)
{
	int64_t last_reply = now_ns();
	while (now_ns() < end) {
		int64_t want = l->inflight - l->outstanding;
		while (want > 0) {
			int r = send_requests(l, (int)want);
			if (r <= 0)
				break;
			want -= r;
		}
		wait_readable(l, 5000000);
		int64_t t = now_ns();
		if (drain(l) > 0)
			last_reply = t;
		else if (t - last_reply > CLOSED_SILENCE_NS) {
			l->outstanding = 0; /* given up: counted as lost */
			last_reply = t;
		}
	}
}

static void run_flood(struct load *l, int64_t end)
{
	while (now_ns() < end) {
		send_requests(l, BATCH);
		drain(l);
	}
}

static void run_rate(struct load *l, int64_t end)
{
	int64_t start = now_ns(), gap = (int64_t)(1e9 / l->rate);
	uint64_t due = 0;
	for (int64_t t = start; t < end; t = now_ns()) {
		uint64_t should = (uint64_t)((t - start) / gap) + 1;
		while (due < should && send_requests(l, 1) == 1)
			due++;
		if (due < should)
			due = should; /* the socket refused: those are send errors */
		int64_t next = start + (int64_t)due * gap - now_ns();
		if (next > 0)
			wait_readable(l, next);
		drain(l);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(struct load *l, double p)
{
	if (!l->n_lat)
		return NAN;
	size_t i = (size_t)(p * (double)(l->n_lat - 1) + 0.5);
	return l->lat[i];
}

static int open_socket(const char *addr, int port, const char *bind_addr)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	bool v6 = strchr(addr, ':') != NULL;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0), big = 4 << 20;
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (bind_addr) {
		struct sockaddr_in b = {.sin_family = AF_INET};
		if (v6 || inet_pton(AF_INET, bind_addr, &b.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&b, sizeof(b)) < 0) {
			close(fd);
			return -1;
		}
	}
	int ok = v6 ? inet_pton(AF_INET6, addr, &a6.sin6_addr)
	            : inet_pton(AF_INET, addr, &a4.sin_addr);
	if (ok != 1 || (v6 ? connect(fd, (struct sockaddr *)&a6, sizeof(a6))
	                   : connect(fd, (struct sockaddr *)&a4, sizeof(a4))) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: ntpload [-a ADDR] [-p PORT] [-b BIND_ADDR] [-m closed|flood|rate]\n"
	                "               [-k INFLIGHT] [-r RATE] [-d SECONDS] [-c CPU]\n");
	exit(2);
}

static void parse_args(int argc, char **argv, struct load *l, const char **addr, int *port,
                       const char **bind_addr, int *cpu)
{
	int opt;
	while ((opt = getopt(argc, argv, "a:p:b:m:k:r:d:c:")) != -1) {
		switch (opt) {
		case 'a':
			*addr = optarg;
			break;
		case 'p':
			*port = atoi(optarg);
			break;
		case 'b':
			*bind_addr = optarg;
			break;
		case 'm':
			l->mode = strcmp(optarg, "flood") == 0    ? MODE_FLOOD
			          : strcmp(optarg, "rate") == 0   ? MODE_RATE
			          : strcmp(optarg, "closed") == 0 ? MODE_CLOSED
			                                          : (usage(), MODE_CLOSED);
			break;
		case 'k':
			l->inflight = atoi(optarg);
			break;
		case 'r':
			l->rate = atof(optarg);
			break;
		case 'd':
			l->duration = atof(optarg);
			break;
		case 'c':
			*cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (*port < 1 || *port > 65535 || l->inflight < 1 || l->inflight > 100000 ||
	    !(l->rate > 0 && l->rate <= 1e7) || !(l->duration > 0 && l->duration <= MAX_DURATION))
		usage();
}

int main(int argc, char **argv)
{
	struct load l = {.mode = MODE_CLOSED, .inflight = 64, .rate = 10000, .duration = 10};
	const char *addr = "127.0.0.1", *bind_addr = NULL;
	int port = 123, cpu = -1;

	parse_args(argc, argv, &l, &addr, &port, &bind_addr, &cpu);
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			perror("ntpload: sched_setaffinity");
	}
	l.fd = open_socket(addr, port, bind_addr);
	if (l.fd < 0) {
		fprintf(stderr, "ntpload: cannot open a socket to %s port %d: %s\n", addr, port,
		        strerror(errno));
		return 1;
	}
	l.ring = calloc(RING, sizeof(*l.ring));
	if (!l.ring) {
		fprintf(stderr, "ntpload: out of memory\n");
		close(l.fd);
		return 1;
	}
	if (getrandom(&l.base, sizeof(l.base), 0) != (ssize_t)sizeof(l.base))
		l.base = (uint64_t)now_ns() * 0x9e3779b97f4a7c15ULL;
	l.base &= ~(uint64_t)0xffffffffu; /* sequence numbers in the low half */
	int64_t start = now_ns(), end = start + (int64_t)(l.duration * 1e9);
	if (l.mode == MODE_CLOSED)
		run_closed(&l, end);
	else if (l.mode == MODE_FLOOD)
		run_flood(&l, end);
	else
		run_rate(&l, end);
	/* Late replies to the last requests still count. */
	wait_readable(&l, 50000000);
	drain(&l);
	double secs = (double)(now_ns() - start) / 1e9;
	if (l.n_lat)
		qsort(l.lat, l.n_lat, sizeof(double), cmp_double);
	uint64_t answered = l.valid + l.kod;
	printf("mode=%s sent=%llu valid=%llu kod=%llu invalid=%llu send_errors=%llu "
	       "replies_per_s=%.0f loss=%.4f p50_us=%.1f p99_us=%.1f seconds=%.2f\n",
	       l.mode == MODE_CLOSED  ? "closed"
	       : l.mode == MODE_FLOOD ? "flood"
	                              : "rate",
	       (unsigned long long)l.sent, (unsigned long long)l.valid, (unsigned long long)l.kod,
	       (unsigned long long)l.invalid, (unsigned long long)l.send_errors,
	       (double)l.valid / secs, l.sent ? 1.0 - (double)answered / (double)l.sent : 0.0,
	       percentile(&l, 0.5), percentile(&l, 0.99), secs);
	free(l.ring);
	free(l.lat);
	close(l.fd);
	return 0;
}
