/* ratelimit: per-client request rate limiting for the server, sans I/O.
 *
 * Clients are grouped by address prefix (default /32 for IPv4, /64 for IPv6; an IPv4-mapped
 * IPv6 address counts as IPv4) and each group has a token bucket, kept as a "theoretical
 * arrival time" (GCRA, the integer form of a token bucket): a group may send `burst`
 * requests back to back and then one every 2^interval seconds on average. A request over
 * the limit is dropped, except one in `leak` (0: none), which the caller answers, with a
 * KoD RATE when kod is set: so that a victim whose address is spoofed still gets some
 * answers, and a real client learns to slow down.
 *
 * The table has a fixed number of entries, allocated once by ratelimit_new(): 4-way set
 * associative, indexed by a keyed hash (the key comes from the caller, so that nobody can
 * aim collisions at one set), and a new group takes the entry of its set that has been idle
 * longest. No allocation and O(1) work per request. A group evicted and seen again starts
 * with a full bucket: table pressure favours clients, never starves them.
 *
 * Times are monotonic nanoseconds from the caller. Ownership: ratelimit_new() allocates,
 * ratelimit_free() releases (NULL is a no-op). Not thread-safe: one table per thread.
 */
#ifndef STRATA_CORE_RATELIMIT_H
#define STRATA_CORE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_DEFAULT_INTERVAL 1 /* log2 s: one request per 2 s on average */
#define RATELIMIT_DEFAULT_BURST 16   /* covers iburst (8 requests 2 s apart) twice over */
#define RATELIMIT_DEFAULT_LEAK 8     /* answer 1 in 8 requests over the limit */
#define RATELIMIT_DEFAULT_CLIENTS 16384
#define RATELIMIT_MIN_INTERVAL (-4) /* 1/16 s */
#define RATELIMIT_MAX_INTERVAL 12   /* 4096 s */
#define RATELIMIT_MAX_BURST 1024
#define RATELIMIT_MAX_LEAK 1024
#define RATELIMIT_MIN_CLIENTS 64
#define RATELIMIT_MAX_CLIENTS (1 << 22)
#define RATELIMIT_WAYS 4

struct ratelimit_config {
	int interval;   /* log2 s between requests on average, MIN_INTERVAL..MAX_INTERVAL */
	int burst;      /* requests allowed back to back, 1..MAX_BURST */
	int leak;       /* answer 1 in leak requests over the limit; 0 = drop them all */
	bool kod;       /* answer the leaked ones with KoD RATE instead of the time */
	int prefix4;    /* IPv4 clients grouped by this prefix length, 0..32 */
	int prefix6;    /* IPv6 clients grouped by this prefix length, 0..128 */
	size_t clients; /* table entries, rounded up to a power of two, MIN..MAX_CLIENTS */
};

enum ratelimit_verdict {
	RATELIMIT_PASS = 0, /* within the limit: answer */
	RATELIMIT_LEAK,     /* over the limit, but this one is answered (KoD RATE if kod) */
	RATELIMIT_DROP,     /* over the limit: drop silently */
};

struct ratelimit;

/* The defaults above, /32 and /64 groups, kod on. */
void ratelimit_config_default(struct ratelimit_config *c);

/* NULL if out of memory or c is out of range. key seeds the hash (from a random source). */
struct ratelimit *ratelimit_new(const struct ratelimit_config *c, uint64_t key);
void ratelimit_free(struct ratelimit *r);

/* The verdict for one request from addr (4 bytes for AF_INET, 16 for AF_INET6) at now_ns. */
enum ratelimit_verdict ratelimit_check(struct ratelimit *r, int family, const uint8_t *addr,
                                       int64_t now_ns);

const struct ratelimit_config *ratelimit_config(const struct ratelimit *r);
size_t ratelimit_entries(const struct ratelimit *r);   /* table size */
size_t ratelimit_evictions(const struct ratelimit *r); /* active groups pushed out so far */

#endif
