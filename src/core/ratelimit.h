/* ratelimit: per-client response rate limiting in bounded memory, sans I/O (chrony model).
 *
 * Clients are grouped by address prefix (IPv4 /32, IPv6 /64 by default; an IPv4-mapped
 * IPv6 address counts as IPv4) and each group has a token bucket: it holds up to `burst`
 * tokens, refills one token every 2^interval s, and a request that finds a token is
 * RL_PASS. It is kept as a GCRA "theoretical arrival time", one double per client.
 * A request that finds the bucket empty is limited; of those:
 *   - 1 in 2^leak (at random, from a PRNG seeded with the key) is RL_LEAK: answer it anyway,
 *     so a victim whose address is spoofed by a flooder still gets some answers;
 *   - else, if kod = N > 0, the first limited request after a pass and then every Nth one
 *     is RL_KOD: answer with a RATE kiss-o'-death (server_kod) instead. A KoD is never
 *     larger than the request, so it adds no amplification, but with kod = 1 every dropped
 *     request is reflected: keep N large for public servers. Default 0 (off);
 *   - the rest are RL_DROP (no answer).
 * Neither leaked nor KoD answers take tokens.
 *
 * Memory: a table of 2^table_bits entries (default 4096, ~128 KiB), 4-way set associative,
 * allocated once by ratelimit_new; ratelimit_check never allocates. Set index and tag come
 * from SipHash-2-4 of the prefix under a 128-bit secret key, so an attacker cannot aim at
 * one set to evict a victim. A new client replaces an empty entry of its set, else one whose
 * bucket is full again (no state lost), else the least recently seen: an evicted client
 * starts over with a full bucket (the table fails open, never closed).
 *
 * Times: now_mono is a monotonic time in seconds, any origin. A clock going backwards is
 * tolerated (buckets just do not refill meanwhile). The module keeps no counters of
 * verdicts: the daemon does; ratelimit_stats describes the table.
 */
#ifndef STRATA_CORE_RATELIMIT_H
#define STRATA_CORE_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RL_DEFAULT_INTERVAL 3 /* log2 s: one response per 8 s on average */
#define RL_DEFAULT_BURST 8    /* lets an iburst (6 requests 2 s apart) through */
#define RL_DEFAULT_LEAK 2     /* 1 in 4 limited requests is answered anyway */
#define RL_DEFAULT_KOD 0      /* no KoD */
#define RL_DEFAULT_V4_PREFIX 32
#define RL_DEFAULT_V6_PREFIX 64
#define RL_DEFAULT_TABLE_BITS 12 /* 4096 entries */

#define RL_MIN_INTERVAL (-10) /* ~1 ms */
#define RL_MAX_INTERVAL 16    /* ~18 h */
#define RL_MAX_BURST 1024
#define RL_MAX_LEAK 16
#define RL_MAX_KOD 65536
#define RL_MIN_TABLE_BITS 2 /* one set of 4 */
#define RL_MAX_TABLE_BITS 24

struct ratelimit_params {
	int interval;        /* log2 s between responses on average, RL_MIN..RL_MAX_INTERVAL */
	int burst;           /* bucket size in responses, 1..RL_MAX_BURST */
	int leak;            /* answer 1 in 2^leak limited requests; 0 = never, ..RL_MAX_LEAK */
	int kod;             /* KoD 1 in kod limited (non-leaked) requests; 0 = off */
	int v4_prefix;       /* group IPv4 clients by this prefix length, 0..32 */
	int v6_prefix;       /* group IPv6 clients by this prefix length, 0..128 */
	unsigned table_bits; /* 2^table_bits entries, RL_MIN..RL_MAX_TABLE_BITS */
	uint64_t key[2];     /* secret: random at start-up in the daemon, fixed in tests */
};

enum rl_verdict {
	RL_PASS = 0, /* within the limit: answer */
	RL_LEAK,     /* over the limit, but answer this one (leak) */
	RL_KOD,      /* over the limit: answer with a RATE kiss-o'-death */
	RL_DROP,     /* over the limit: no answer */
};

struct ratelimit_stats {
	size_t capacity;    /* entries in the table */
	size_t in_use;      /* entries holding a client */
	uint64_t evictions; /* clients replaced by another one since creation */
};

struct ratelimit;

/* The defaults above, key zero (set one). */
void ratelimit_params_default(struct ratelimit_params *p);
/* Returns 0 and *ret, -EINVAL for a parameter out of range, -ENOMEM. */
int ratelimit_new(const struct ratelimit_params *p, struct ratelimit **ret);
void ratelimit_free(struct ratelimit *rl); /* NULL is a no-op */

/* Account one request from addr (family AF_INET: 4 bytes, AF_INET6: 16 bytes, network
 * order) at now_mono and say what to do with it. An unknown family, NULL addr or
 * non-finite now_mono gives RL_DROP without touching the table. */
enum rl_verdict ratelimit_check(struct ratelimit *rl, int family, const uint8_t *addr,
                                double now_mono);

void ratelimit_stats(const struct ratelimit *rl, struct ratelimit_stats *out);
const char *rl_verdict_str(enum rl_verdict v);

/* SipHash-2-4 (Aumasson and Bernstein) of data[0..len) under key (k0, k1 as the first and
 * second little-endian 64-bit halves of the 16-byte key). Exposed for the tests. */
uint64_t rl_siphash24(const uint64_t key[2], const uint8_t *data, size_t len);

#endif
