/* clientlog: a set-associative table of clients. See clientlog.h. */
#include "core/clientlog.h"

#include <stdlib.h>
#include <string.h>

#include "core/addrkey.h"

struct clientlog {
	uint64_t k0, k1;
	size_t mask; /* sets - 1 */
	struct clientlog_entry *e;
};

struct clientlog *clientlog_new(size_t entries, uint64_t key)
{
	if (entries < CLIENTLOG_MIN_SIZE || entries > CLIENTLOG_MAX_SIZE)
		return NULL;
	size_t n = CLIENTLOG_WAYS;
	while (n < entries)
		n <<= 1;
	struct clientlog *c = calloc(1, sizeof(*c));
	if (c)
		c->e = calloc(n, sizeof(c->e[0]));
	if (!c || !c->e) {
		free(c);
		return NULL;
	}
	c->mask = n / CLIENTLOG_WAYS - 1;
	c->k0 = addrkey_mix(key ^ 0x452821e638d01377ULL);
	c->k1 = addrkey_mix(key + 0xbe5466cf34e90c6cULL);
	return c;
}

void clientlog_free(struct clientlog *c)
{
	if (!c)
		return;
	free(c->e);
	free(c);
}

void clientlog_note(struct clientlog *c, int family, const uint8_t *addr, int64_t now_ns,
                    enum clientlog_what what)
{
	uint64_t k[2];
	addrkey_bytes(family, addr, (uint8_t *)k);
	struct clientlog_entry
	        *set = &c->e[(addrkey_hash(k, c->k0, c->k1) & c->mask) * CLIENTLOG_WAYS],
	        *e = NULL, *victim = set;
	for (int i = 0; i < CLIENTLOG_WAYS && !e; i++) {
		if (set[i].requests && memcmp(set[i].addr, k, 16) == 0)
			e = &set[i];
		else if (!set[i].requests || (victim->requests && set[i].last_ns < victim->last_ns))
			victim = &set[i];
	}
	if (!e) {
		e = victim;
		memset(e, 0, sizeof(*e));
		memcpy(e->addr, k, 16);
		e->first_ns = now_ns;
	}
	e->requests++;
	e->last_ns = now_ns;
	e->dropped += what == CLIENTLOG_DROPPED;
	e->kod += what == CLIENTLOG_KOD;
}

static int by_requests(const void *a, const void *b)
{
	const struct clientlog_entry *x = a, *y = b;
	if (x->requests != y->requests)
		return x->requests < y->requests ? 1 : -1;
	return memcmp(x->addr, y->addr, 16);
}

void clientlog_sort(struct clientlog_entry *out, size_t n)
{
	if (n > 1)
		qsort(out, n, sizeof(out[0]), by_requests);
}

/* Restore the min-heap (fewest requests on top) below index i of h[0..n). */
static void sift_down(struct clientlog_entry *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && h[l].requests < h[m].requests)
			m = l;
		if (r < n && h[r].requests < h[m].requests)
			m = r;
		if (m == i)
			return;
		struct clientlog_entry t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

size_t clientlog_top(const struct clientlog *c, struct clientlog_entry *out, size_t max)
{
	size_t n = 0, total = (c->mask + 1) * CLIENTLOG_WAYS;
	/* The max busiest in O(total log max): a min-heap of those kept so far. */
	for (size_t i = 0; i < total && max > 0; i++) {
		const struct clientlog_entry *e = &c->e[i];
		if (!e->requests)
			continue;
		if (n < max) {
			out[n++] = *e;
			if (n == max)
				for (size_t k = n / 2; k-- > 0;)
					sift_down(out, n, k);
		} else if (e->requests > out[0].requests) {
			out[0] = *e;
			sift_down(out, n, 0);
		}
	}
	clientlog_sort(out, n);
	return n;
}

void clientlog_merge(struct clientlog_entry *out, size_t *n, size_t max,
                     const struct clientlog_entry *from, size_t n_from)
{
	for (size_t i = 0; i < n_from; i++) {
		const struct clientlog_entry *f = &from[i];
		size_t j = 0;
		while (j < *n && memcmp(out[j].addr, f->addr, 16) != 0)
			j++;
		if (j == *n) {
			if (*n < max)
				out[(*n)++] = *f;
			continue;
		}
		struct clientlog_entry *o = &out[j];
		o->requests += f->requests;
		o->dropped += f->dropped;
		o->kod += f->kod;
		o->first_ns = f->first_ns < o->first_ns ? f->first_ns : o->first_ns;
		o->last_ns = f->last_ns > o->last_ns ? f->last_ns : o->last_ns;
	}
}
