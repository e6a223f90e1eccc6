/* ratelimit: keyed, set-associative table of per-prefix GCRA buckets; see ratelimit.h.
 * One allocation in ratelimit_new, none per request. */
#include "core/ratelimit.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define RL_WAYS 4
#define KEY_LEN 17 /* family byte + 16 address bytes */

struct rl_entry {
	uint64_t tag;      /* keyed hash of the prefix, never 0; 0 = empty */
	double tat;        /* GCRA theoretical arrival time: the bucket is full when <= now */
	double last;       /* last request, for LRU */
	uint32_t nlimited; /* limited, non-leaked requests since the last pass (KoD pacing) */
	uint32_t unused;
};

struct ratelimit {
	struct ratelimit_params p;
	double period;      /* 2^interval s: one token */
	double tolerance;   /* (burst - 1) * period */
	uint64_t leak_mask; /* 2^leak - 1 */
	uint64_t set_mask;  /* sets - 1 */
	uint64_t rng;       /* xorshift64* state for leak decisions, never 0 */
	size_t in_use;
	uint64_t evictions;
	struct rl_entry entries[]; /* sets of RL_WAYS */
};

/* ---------------------------------------------------------------------------------------- */
/* SipHash-2-4 */

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

static void sip_absorb(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		m |= (uint64_t)p[i] << (8 * i);
	return m;
}

uint64_t rl_siphash24(const uint64_t key[2], const uint8_t *data, size_t len)
{
	uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
	                 key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
	size_t off = 0;

	for (; len - off >= 8; off += 8)
		sip_absorb(v, load_le64(data + off, 8));
	sip_absorb(v, ((uint64_t)len << 56) | load_le64(data + off, len - off));
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* ---------------------------------------------------------------------------------------- */
/* Creation */

void ratelimit_params_default(struct ratelimit_params *p)
{
	memset(p, 0, sizeof(*p));
	p->interval = RL_DEFAULT_INTERVAL;
	p->burst = RL_DEFAULT_BURST;
	p->leak = RL_DEFAULT_LEAK;
	p->kod = RL_DEFAULT_KOD;
	p->v4_prefix = RL_DEFAULT_V4_PREFIX;
	p->v6_prefix = RL_DEFAULT_V6_PREFIX;
	p->table_bits = RL_DEFAULT_TABLE_BITS;
}

static bool params_valid(const struct ratelimit_params *p)
{
	return p->interval >= RL_MIN_INTERVAL && p->interval <= RL_MAX_INTERVAL && p->burst >= 1 &&
	       p->burst <= RL_MAX_BURST && p->leak >= 0 && p->leak <= RL_MAX_LEAK && p->kod >= 0 &&
	       p->kod <= RL_MAX_KOD && p->v4_prefix >= 0 && p->v4_prefix <= 32 &&
	       p->v6_prefix >= 0 && p->v6_prefix <= 128 && p->table_bits >= RL_MIN_TABLE_BITS &&
	       p->table_bits <= RL_MAX_TABLE_BITS;
}

/* splitmix64 of the key: a non-zero PRNG seed unrelated to the hash outputs. */
static uint64_t seed_rng(const uint64_t key[2])
{
	uint64_t z = key[0] ^ rotl(key[1], 29) ^ 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z != 0 ? z : 0x9e3779b97f4a7c15ULL;
}

int ratelimit_new(const struct ratelimit_params *p, struct ratelimit **ret)
{
	struct ratelimit *rl;
	size_t n;

	*ret = NULL;
	if (p == NULL || !params_valid(p))
		return -EINVAL;
	n = (size_t)1 << p->table_bits;
	rl = calloc(1, sizeof(*rl) + n * sizeof(rl->entries[0]));
	if (rl == NULL)
		return -ENOMEM;
	rl->p = *p;
	rl->period = ldexp(1.0, p->interval);
	rl->tolerance = (p->burst - 1) * rl->period;
	rl->leak_mask = (UINT64_C(1) << p->leak) - 1;
	rl->set_mask = n / RL_WAYS - 1;
	rl->rng = seed_rng(p->key);
	*ret = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

/* ---------------------------------------------------------------------------------------- */
/* Per request */

static void mask_prefix(uint8_t *out, const uint8_t *addr, int nbytes, int prefix)
{
	for (int i = 0; i < nbytes; i++) {
		int bits = prefix - 8 * i;

		if (bits >= 8)
			out[i] = addr[i];
		else if (bits > 0)
			out[i] = (uint8_t)(addr[i] & (0xff << (8 - bits)));
	}
}

static bool is_v4_mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

/* Keyed hash of the client's group; 0 for an unusable address. */
static uint64_t client_hash(const struct ratelimit *rl, int family, const uint8_t *addr)
{
	uint8_t key[KEY_LEN] = {0};
	uint64_t h;

	if (addr == NULL)
		return 0;
	if (family == AF_INET6 && is_v4_mapped(addr)) {
		family = AF_INET;
		addr += 12;
	}
	if (family == AF_INET) {
		key[0] = 4;
		mask_prefix(key + 1, addr, 4, rl->p.v4_prefix);
	} else if (family == AF_INET6) {
		key[0] = 6;
		mask_prefix(key + 1, addr, 16, rl->p.v6_prefix);
	} else {
		return 0;
	}
	h = rl_siphash24(rl->p.key, key, sizeof(key));
	return h | 1;
}

/* Where a new client goes in its set: an empty entry, else a full bucket, else the LRU. */
static struct rl_entry *pick_victim(struct rl_entry *set, double now)
{
	struct rl_entry *lru = &set[0];

	for (int i = 0; i < RL_WAYS; i++)
		if (set[i].tag == 0)
			return &set[i];
	for (int i = 0; i < RL_WAYS; i++)
		if (set[i].tat <= now)
			return &set[i];
	for (int i = 1; i < RL_WAYS; i++)
		if (set[i].last < lru->last)
			lru = &set[i];
	return lru;
}

static struct rl_entry *lookup(struct ratelimit *rl, uint64_t tag, double now)
{
	struct rl_entry *set = &rl->entries[(tag >> 1 & rl->set_mask) * RL_WAYS];
	struct rl_entry *e;

	for (int i = 0; i < RL_WAYS; i++)
		if (set[i].tag == tag)
			return &set[i];
	e = pick_victim(set, now);
	if (e->tag == 0)
		rl->in_use++;
	else
		rl->evictions++;
	e->tag = tag;
	e->tat = now;
	e->nlimited = 0;
	return e;
}

static uint64_t rng_next(struct ratelimit *rl)
{
	uint64_t x = rl->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rl->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static enum rl_verdict limited(struct ratelimit *rl, struct rl_entry *e)
{
	if (rl->p.leak > 0 && (rng_next(rl) >> 32 & rl->leak_mask) == 0)
		return RL_LEAK;
	e->nlimited++;
	if (rl->p.kod > 0 && (e->nlimited - 1) % (uint32_t)rl->p.kod == 0)
		return RL_KOD;
	return RL_DROP;
}

enum rl_verdict ratelimit_check(struct ratelimit *rl, int family, const uint8_t *addr,
                                double now_mono)
{
	uint64_t tag;
	struct rl_entry *e;
	double tat;

	if (rl == NULL || !isfinite(now_mono))
		return RL_DROP;
	tag = client_hash(rl, family, addr);
	if (tag == 0)
		return RL_DROP;
	e = lookup(rl, tag, now_mono);
	e->last = now_mono;
	tat = e->tat > now_mono ? e->tat : now_mono;
	if (tat - now_mono <= rl->tolerance) {
		e->tat = tat + rl->period;
		e->nlimited = 0;
		return RL_PASS;
	}
	return limited(rl, e);
}

void ratelimit_stats(const struct ratelimit *rl, struct ratelimit_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (rl == NULL)
		return;
	out->capacity = (rl->set_mask + 1) * RL_WAYS;
	out->in_use = rl->in_use;
	out->evictions = rl->evictions;
}

const char *rl_verdict_str(enum rl_verdict v)
{
	switch (v) {
	case RL_PASS:
		return "pass";
	case RL_LEAK:
		return "leak";
	case RL_KOD:
		return "kod";
	case RL_DROP:
		return "drop";
	}
	return "unknown";
}
