/* libstrata operation-based counter with causal delivery (strata/crdt.h). */
#include "strata/crdt.h"
#include "vclock_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strata_opcounter_init(strata_opcounter_t *c, strata_replica_t self)
{
	memset(c, 0, sizeof *c);
	c->self = self;
	strata_vclock_init(&c->applied);
}

void strata_opcounter_op_free(strata_opcounter_op_t *op)
{
	strata_vclock_free(&op->clock);
}

void strata_opcounter_free(strata_opcounter_t *c)
{
	for (size_t i = 0; i < c->npending; i++)
		strata_opcounter_op_free(&c->pending[i]);
	free(c->pending);
	strata_vclock_free(&c->applied);
	strata_opcounter_init(c, c->self);
}

static bool delta_ok(int64_t delta)
{
	return delta >= -STRATA_OPCOUNTER_MAX_DELTA && delta <= STRATA_OPCOUNTER_MAX_DELTA;
}

int strata_opcounter_add(strata_opcounter_t *c, int64_t delta, strata_opcounter_op_t *op)
{
	int64_t v;
	if (!delta_ok(delta))
		return -EINVAL;
	if (__builtin_add_overflow(c->value, delta, &v))
		return -EOVERFLOW;
	op->origin = c->self;
	op->delta = delta;
	int err = strata_vclock_copy(&c->applied, &op->clock);
	if (err == 0 && (err = strata_vclock_tick(&op->clock, c->self)) == 0)
		err = strata_vclock_set(&c->applied, c->self,
		                        strata_vclock_get(&op->clock, c->self));
	if (err < 0) {
		strata_opcounter_op_free(op);
		return err;
	}
	c->value = v;
	return 0;
}

/* Applied already (or an older one of its origin)? */
static bool is_old(const strata_opcounter_t *c, const strata_opcounter_op_t *op)
{
	return strata_vclock_get(&op->clock, op->origin) <=
	       strata_vclock_get(&c->applied, op->origin);
}

/* Next from its origin, and everything it saw from others applied here? */
static bool is_ready(const strata_opcounter_t *c, const strata_opcounter_op_t *op)
{
	for (size_t i = 0; i < op->clock.n; i++) {
		const struct strata_vc_entry *e = &op->clock.e[i];
		uint64_t have = strata_vclock_get(&c->applied, e->replica);
		if (e->replica == op->origin ? e->counter != have + 1 : e->counter > have)
			return false;
	}
	return true;
}

/* Apply a ready operation: 1, or a negative errno (nothing changed). */
static int apply(strata_opcounter_t *c, const strata_opcounter_op_t *op)
{
	int64_t v;
	if (__builtin_add_overflow(c->value, op->delta, &v))
		return -EOVERFLOW;
	int err = strata_vclock_tick(&c->applied, op->origin);
	if (err < 0)
		return err;
	c->value = v;
	return 1;
}

static bool is_pending(const strata_opcounter_t *c, const strata_opcounter_op_t *op)
{
	uint64_t n = strata_vclock_get(&op->clock, op->origin);
	for (size_t i = 0; i < c->npending; i++)
		if (c->pending[i].origin == op->origin &&
		    strata_vclock_get(&c->pending[i].clock, op->origin) == n)
			return true;
	return false;
}

static int hold(strata_opcounter_t *c, const strata_opcounter_op_t *op)
{
	if (c->npending == STRATA_OPCOUNTER_MAX_PENDING)
		return -ENOSPC;
	if (c->npending == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		strata_opcounter_op_t *p = realloc(c->pending, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		c->pending = p;
		c->cap = cap;
	}
	strata_opcounter_op_t *slot = &c->pending[c->npending];
	slot->origin = op->origin;
	slot->delta = op->delta;
	int err = strata_vclock_copy(&op->clock, &slot->clock);
	if (err == 0)
		c->npending++;
	return err;
}

/* Apply every pending operation that has become ready; how many. */
static int release(strata_opcounter_t *c)
{
	int applied = 0;
	bool again = true;
	while (again) {
		again = false;
		for (size_t i = 0; i < c->npending; i++) {
			if (!is_ready(c, &c->pending[i]) || apply(c, &c->pending[i]) < 0)
				continue;
			strata_opcounter_op_free(&c->pending[i]);
			c->pending[i] = c->pending[--c->npending];
			applied++;
			again = true;
			break;
		}
	}
	return applied;
}

int strata_opcounter_deliver(strata_opcounter_t *c, const strata_opcounter_op_t *op)
{
	if (!delta_ok(op->delta) || strata_vclock_get(&op->clock, op->origin) == 0)
		return -EINVAL;
	if (is_old(c, op) || is_pending(c, op))
		return 0;
	if (!is_ready(c, op))
		return hold(c, op);
	int r = apply(c, op);
	return r < 0 ? r : 1 + release(c);
}

size_t strata_opcounter_op_encode(const strata_opcounter_op_t *op, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, STRATA_TAG_OPCOUNTER);
	wbuf_varint(&w, op->origin);
	/* zigzag: small magnitudes of either sign stay short */
	wbuf_varint(&w, op->delta < 0 ? ((uint64_t)~op->delta << 1) | 1 : (uint64_t)op->delta << 1);
	vclock_write(&w, &op->clock);
	return w.len;
}

int strata_opcounter_op_decode(strata_opcounter_op_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	memset(out, 0, sizeof *out);
	rbuf_tag(&r, STRATA_TAG_OPCOUNTER);
	out->origin = rbuf_varint(&r);
	uint64_t z = rbuf_count(&r, 2 * (uint64_t)STRATA_OPCOUNTER_MAX_DELTA);
	if (r.bad)
		return -EBADMSG;
	out->delta = z & 1 ? ~(int64_t)(z >> 1) : (int64_t)(z >> 1);
	int err = vclock_read(&r, &out->clock);
	if (err == 0)
		err = rbuf_end(&r);
	if (err == 0 && strata_vclock_get(&out->clock, out->origin) == 0)
		err = -EBADMSG;
	if (err == 0 && !delta_ok(out->delta))
		err = -EBADMSG;
	if (err < 0)
		strata_opcounter_op_free(out);
	return err;
}
