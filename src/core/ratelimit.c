/* ratelimit: GCRA buckets in a set-associative table. See ratelimit.h. */
#include "core/ratelimit.h"

#include "core/addrkey.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NS_PER_S 1000000000LL

struct rl_entry {
	uint64_t key[2]; /* the group's masked address (IPv4 as ::ffff:a.b.c.d) */
	int64_t tat;     /* ns: when the bucket is full again; <= now means full */
	uint32_t over;   /* requests over the limit since the bucket last filled */
	uint32_t pad;
};

struct ratelimit {
	struct ratelimit_config cfg;
	int64_t period; /* ns between requests on average */
	int64_t tau;    /* ns of credit a full bucket holds: (burst - 1) * period */
	uint64_t k0, k1;
	size_t mask; /* sets - 1 */
	size_t evictions;
	struct rl_entry *e; /* (mask + 1) * RATELIMIT_WAYS entries */
};

void ratelimit_config_default(struct ratelimit_config *c)
{
	c->interval = RATELIMIT_DEFAULT_INTERVAL;
	c->burst = RATELIMIT_DEFAULT_BURST;
	c->leak = RATELIMIT_DEFAULT_LEAK;
	c->kod = true;
	c->prefix4 = 32;
	c->prefix6 = 64;
	c->clients = RATELIMIT_DEFAULT_CLIENTS;
}

static bool config_valid(const struct ratelimit_config *c)
{
	return c->interval >= RATELIMIT_MIN_INTERVAL && c->interval <= RATELIMIT_MAX_INTERVAL &&
	       c->burst >= 1 && c->burst <= RATELIMIT_MAX_BURST && c->leak >= 0 &&
	       c->leak <= RATELIMIT_MAX_LEAK && c->prefix4 >= 0 && c->prefix4 <= 32 &&
	       c->prefix6 >= 0 && c->prefix6 <= 128 && c->clients >= RATELIMIT_MIN_CLIENTS &&
	       c->clients <= RATELIMIT_MAX_CLIENTS;
}

struct ratelimit *ratelimit_new(const struct ratelimit_config *c, uint64_t key)
{
	if (!c || !config_valid(c))
		return NULL;
	struct ratelimit *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	size_t entries = RATELIMIT_WAYS;
	while (entries < c->clients)
		entries <<= 1;
	r->e = calloc(entries, sizeof(r->e[0]));
	if (!r->e) {
		free(r);
		return NULL;
	}
	r->cfg = *c;
	r->cfg.clients = entries;
	r->mask = entries / RATELIMIT_WAYS - 1;
	r->period = c->interval >= 0 ? NS_PER_S << c->interval : NS_PER_S >> -c->interval;
	r->tau = (int64_t)(c->burst - 1) * r->period;
	r->k0 = addrkey_mix(key ^ 0x243f6a8885a308d3ULL);
	r->k1 = addrkey_mix(key + 0x13198a2e03707344ULL);
	return r;
}

void ratelimit_free(struct ratelimit *r)
{
	if (!r)
		return;
	free(r->e);
	free(r);
}

/* The group of addr: its first len bits, the rest zero. */
static void mask_bits(uint8_t *a, int n, int len)
{
	for (int i = 0; i < n; i++) {
		int keep = len - 8 * i;
		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static void group_key(const struct ratelimit *r, int family, const uint8_t *addr, uint64_t k[2])
{
	uint8_t a[16];
	addrkey_bytes(family, addr, a);
	if (addrkey_is_v4(a))
		mask_bits(a + 12, 4, r->cfg.prefix4);
	else
		mask_bits(a, 16, r->cfg.prefix6);
	memcpy(k, a, 16);
}

/* The entry of the group k: found in its set, or the set's longest idle one taken over. */
static struct rl_entry *lookup(struct ratelimit *r, const uint64_t k[2], int64_t now)
{
	size_t set = (size_t)(addrkey_hash(k, r->k0, r->k1) & r->mask);
	struct rl_entry *e = &r->e[set * RATELIMIT_WAYS], *victim = e;
	for (int i = 0; i < RATELIMIT_WAYS; i++) {
		if (e[i].key[0] == k[0] && e[i].key[1] == k[1])
			return &e[i];
		if (e[i].tat < victim->tat)
			victim = &e[i];
	}
	if (victim->tat > now)
		r->evictions++;
	victim->key[0] = k[0];
	victim->key[1] = k[1];
	victim->tat = now;
	victim->over = 0;
	return victim;
}

enum ratelimit_verdict ratelimit_check(struct ratelimit *r, int family, const uint8_t *addr,
                                       int64_t now_ns)
{
	uint64_t k[2];
	group_key(r, family, addr, k);
	struct rl_entry *e = lookup(r, k, now_ns);
	int64_t tat = e->tat > now_ns ? e->tat : now_ns;
	if (tat - now_ns <= r->tau) {
		e->tat = tat + r->period;
		e->over = 0;
		return RATELIMIT_PASS;
	}
	e->over++;
	if (r->cfg.leak > 0 && e->over % (uint32_t)r->cfg.leak == 0)
		return RATELIMIT_LEAK;
	return RATELIMIT_DROP;
}

const struct ratelimit_config *ratelimit_config(const struct ratelimit *r)
{
	return &r->cfg;
}

size_t ratelimit_entries(const struct ratelimit *r)
{
	return r->cfg.clients;
}

size_t ratelimit_evictions(const struct ratelimit *r)
{
	return r->evictions;
}
