/* ratelimit-cost: what the server spends, in user space, on one request it drops for the
 * rate limit, and on the other paths, without the system calls (those are measured by
 * bench/server-throughput). Prints a table: nanoseconds per request, median of 5 runs of
 * 2^22 requests each.
 *   drop-limited: access list + rate limit of a client far over its limit (the flood case)
 *   new-clients:  random addresses, every one a table miss that evicts (a spoofed flood)
 *   answer:       access list + rate limit + the reply built (an allowed, in-limit client)
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/acl.h"
#include "core/packet.h"
#include "core/ratelimit.h"
#include "core/server.h"

#define N (1u << 22)
#define RUNS 5

enum path { DROP_LIMITED, NEW_CLIENTS, ANSWER };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ns per request of one run; *sink keeps the compiler from dropping the work. */
static double run(enum path p, struct ratelimit *rl, const struct acl *acl, unsigned *sink)
{
	struct server_state st = {
	        .synced = true, .stratum = 2, .refid = 0x7f000001, .precision = -24};
	uint8_t req[48] = {0x23, 0, 6}, out[48], a[4] = {127, 0, 0, 1};
	uint32_t x = 12345;
	size_t len;
	double t0 = now_s();
	for (uint32_t i = 0; i < N; i++) {
		if (p == NEW_CLIENTS) {
			x = x * 1664525u + 1013904223u;
			memcpy(a, &x, 4);
			a[0] = 10;
		}
		int64_t t = p == ANSWER ? (int64_t)i * 2000000000LL : (int64_t)i;
		bool ok = acl_allows(acl, AF_INET, a);
		enum ratelimit_verdict v = ratelimit_check(rl, AF_INET, a, t);
		*sink += (unsigned)ok + (unsigned)v;
		if (p == ANSWER && v == RATELIMIT_PASS) {
			server_respond(&st, req, 48, (ntp_ts_t)i << 20, (ntp_ts_t)i << 20, out,
			               &len);
			*sink += out[47];
		}
	}
	return (now_s() - t0) * 1e9 / N;
}

int main(void)
{
	static struct acl acl;
	uint8_t any[4] = {0};
	struct ratelimit_config c;
	const char *names[] = {"drop-limited", "new-clients", "answer"};
	unsigned sink = 0;

	acl_init(&acl);
	acl_add(&acl, AF_INET, any, 0, true);
	ratelimit_config_default(&c);
	c.leak = 0;
	printf("%-14s %10s %10s\n", "path", "ns/request", "runs");
	for (int p = DROP_LIMITED; p <= ANSWER; p++) {
		double r[RUNS];
		for (int k = 0; k < RUNS; k++) {
			struct ratelimit *rl = ratelimit_new(&c, 0x5eed + (uint64_t)k);
			r[k] = run((enum path)p, rl, &acl, &sink);
			ratelimit_free(rl);
		}
		qsort(r, RUNS, sizeof(r[0]), cmp);
		printf("%-14s %10.1f %10d\n", names[p], r[RUNS / 2], RUNS);
	}
	return sink == 42 ? 1 : 0;
}
