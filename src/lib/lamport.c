/* libstrata Lamport timestamps (strata/lamport.h) and the names of orders. */
#include "strata/lamport.h"
#include "codec.h"

#include <errno.h>

const char *strata_order_name(enum strata_order o)
{
	switch (o) {
	case STRATA_EQUAL:
		return "equal";
	case STRATA_BEFORE:
		return "before";
	case STRATA_AFTER:
		return "after";
	case STRATA_CONCURRENT:
		return "concurrent";
	}
	return "?";
}

void strata_lamport_init(strata_lamport_t *l, strata_replica_t replica)
{
	l->time = 0;
	l->replica = replica;
}

int strata_lamport_event(strata_lamport_t *l)
{
	if (l->time == UINT64_MAX)
		return -EOVERFLOW;
	l->time++;
	return 0;
}

int strata_lamport_receive(strata_lamport_t *l, const strata_lamport_t *m)
{
	uint64_t t = m->time > l->time ? m->time : l->time;
	if (t == UINT64_MAX)
		return -EOVERFLOW;
	l->time = t + 1;
	return 0;
}

int strata_lamport_order(const strata_lamport_t *a, const strata_lamport_t *b)
{
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->replica != b->replica)
		return a->replica < b->replica ? -1 : 1;
	return 0;
}

enum strata_order strata_lamport_compare(const strata_lamport_t *a, const strata_lamport_t *b)
{
	if (a->time == b->time)
		return a->replica == b->replica ? STRATA_EQUAL : STRATA_CONCURRENT;
	return a->time < b->time ? STRATA_BEFORE : STRATA_AFTER;
}

size_t strata_lamport_encode(const strata_lamport_t *l, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, STRATA_TAG_LAMPORT);
	wbuf_varint(&w, l->time);
	wbuf_varint(&w, l->replica);
	return w.len;
}

int strata_lamport_decode(strata_lamport_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	rbuf_tag(&r, STRATA_TAG_LAMPORT);
	uint64_t t = rbuf_varint(&r);
	uint64_t id = rbuf_varint(&r);
	if (rbuf_end(&r) < 0)
		return -EBADMSG;
	out->time = t;
	out->replica = id;
	return 0;
}
