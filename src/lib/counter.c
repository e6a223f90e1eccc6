/* libstrata state-based counters (strata/crdt.h): G-Counter and PN-Counter. */
#include "strata/crdt.h"
#include "vclock_priv.h"

#include <errno.h>

void strata_gcounter_init(strata_gcounter_t *g)
{
	strata_vclock_init(&g->counts);
}

void strata_gcounter_free(strata_gcounter_t *g)
{
	strata_vclock_free(&g->counts);
}

int strata_gcounter_value(const strata_gcounter_t *g, uint64_t *out)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < g->counts.n; i++)
		if (__builtin_add_overflow(sum, g->counts.e[i].counter, &sum))
			return -EOVERFLOW;
	*out = sum;
	return 0;
}

int strata_gcounter_add(strata_gcounter_t *g, strata_replica_t r, uint64_t n)
{
	uint64_t total, c = strata_vclock_get(&g->counts, r);
	int err = strata_gcounter_value(g, &total);
	if (err < 0)
		return err;
	if (n > UINT64_MAX - total)
		return -EOVERFLOW;
	return n ? strata_vclock_set(&g->counts, r, c + n) : 0;
}

int strata_gcounter_merge(strata_gcounter_t *g, const strata_gcounter_t *other)
{
	return strata_vclock_merge(&g->counts, &other->counts);
}

size_t strata_gcounter_encode(const strata_gcounter_t *g, uint8_t *buf, size_t cap)
{
	return vclock_encode_tagged(STRATA_TAG_GCOUNTER, &g->counts, buf, cap);
}

int strata_gcounter_decode(strata_gcounter_t *out, const uint8_t *buf, size_t len)
{
	return vclock_decode_tagged(STRATA_TAG_GCOUNTER, &out->counts, buf, len);
}

void strata_pncounter_init(strata_pncounter_t *c)
{
	strata_gcounter_init(&c->inc);
	strata_gcounter_init(&c->dec);
}

void strata_pncounter_free(strata_pncounter_t *c)
{
	strata_gcounter_free(&c->inc);
	strata_gcounter_free(&c->dec);
}

int strata_pncounter_add(strata_pncounter_t *c, strata_replica_t r, int64_t delta)
{
	/* -INT64_MIN does not fit an int64_t; its magnitude does fit a uint64_t. */
	uint64_t mag = delta < 0 ? (uint64_t)0 - (uint64_t)delta : (uint64_t)delta;
	return strata_gcounter_add(delta < 0 ? &c->dec : &c->inc, r, mag);
}

int strata_pncounter_value(const strata_pncounter_t *c, int64_t *out)
{
	uint64_t p, n;
	int err = strata_gcounter_value(&c->inc, &p);
	if (err == 0)
		err = strata_gcounter_value(&c->dec, &n);
	if (err < 0)
		return err;
	if (p >= n) {
		if (p - n > INT64_MAX)
			return -EOVERFLOW;
		*out = (int64_t)(p - n);
	} else {
		if (n - p > (uint64_t)INT64_MAX + 1)
			return -EOVERFLOW;
		*out = (int64_t)(0 - (n - p));
	}
	return 0;
}

int strata_pncounter_merge(strata_pncounter_t *c, const strata_pncounter_t *other)
{
	strata_gcounter_t inc;
	int err = strata_vclock_copy(&c->inc.counts, &inc.counts);
	if (err == 0)
		err = strata_gcounter_merge(&inc, &other->inc);
	if (err == 0)
		err = strata_gcounter_merge(&c->dec, &other->dec);
	if (err < 0) {
		strata_gcounter_free(&inc);
		return err;
	}
	strata_gcounter_free(&c->inc);
	c->inc = inc;
	return 0;
}

size_t strata_pncounter_encode(const strata_pncounter_t *c, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, STRATA_TAG_PNCOUNTER);
	vclock_write(&w, &c->inc.counts);
	vclock_write(&w, &c->dec.counts);
	return w.len;
}

int strata_pncounter_decode(strata_pncounter_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	strata_pncounter_init(out);
	if (!rbuf_tag(&r, STRATA_TAG_PNCOUNTER))
		return -EBADMSG;
	int err = vclock_read(&r, &out->inc.counts);
	if (err == 0)
		err = vclock_read(&r, &out->dec.counts);
	if (err == 0)
		err = rbuf_end(&r);
	if (err < 0)
		strata_pncounter_free(out);
	return err;
}
