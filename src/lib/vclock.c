/* libstrata vector clocks and version vectors (strata/vclock.h). */
#include "strata/vclock.h"
#include "vclock_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strata_vclock_init(strata_vclock_t *v)
{
	memset(v, 0, sizeof *v);
}

void strata_vclock_free(strata_vclock_t *v)
{
	free(v->e);
	strata_vclock_init(v);
}

static int reserve(strata_vclock_t *v, size_t n)
{
	/* The limit first: cap may already be past it (a merge sizes its array to both inputs). */
	if (n > STRATA_MAX_REPLICAS)
		return -ENOSPC;
	if (n <= v->cap)
		return 0;
	size_t cap = v->cap ? v->cap * 2 : 4;
	if (cap < n)
		cap = n;
	struct strata_vc_entry *e = realloc(v->e, cap * sizeof *e);
	if (!e)
		return -ENOMEM;
	v->e = e;
	v->cap = cap;
	return 0;
}

int strata_vclock_copy(const strata_vclock_t *v, strata_vclock_t *out)
{
	strata_vclock_init(out);
	int r = reserve(out, v->n);
	if (r < 0)
		return r;
	if (v->n)
		memcpy(out->e, v->e, v->n * sizeof *v->e);
	out->n = v->n;
	return 0;
}

/* Index of r, or of where it would go. */
static size_t find(const strata_vclock_t *v, strata_replica_t r)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->e[mid].replica < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t strata_vclock_get(const strata_vclock_t *v, strata_replica_t r)
{
	size_t i = find(v, r);
	return i < v->n && v->e[i].replica == r ? v->e[i].counter : 0;
}

int strata_vclock_set(strata_vclock_t *v, strata_replica_t r, uint64_t counter)
{
	size_t i = find(v, r);
	if (i < v->n && v->e[i].replica == r) {
		if (counter) {
			v->e[i].counter = counter;
		} else {
			memmove(&v->e[i], &v->e[i + 1], (v->n - i - 1) * sizeof *v->e);
			v->n--;
		}
		return 0;
	}
	if (!counter)
		return 0;
	int err = reserve(v, v->n + 1);
	if (err < 0)
		return err;
	memmove(&v->e[i + 1], &v->e[i], (v->n - i) * sizeof *v->e);
	v->e[i] = (struct strata_vc_entry){.replica = r, .counter = counter};
	v->n++;
	return 0;
}

int strata_vclock_tick(strata_vclock_t *v, strata_replica_t r)
{
	uint64_t c = strata_vclock_get(v, r);
	if (c == UINT64_MAX)
		return -EOVERFLOW;
	return strata_vclock_set(v, r, c + 1);
}

/* Entry-wise maximum, by a merge of the two sorted lists into a new array. */
int strata_vclock_merge(strata_vclock_t *v, const strata_vclock_t *o)
{
	size_t i = 0, j = 0, n = 0, total = v->n + o->n;
	if (total == 0)
		return 0;
	struct strata_vc_entry *m = malloc(total * sizeof *m);
	if (!m)
		return -ENOMEM;
	while (i < v->n || j < o->n) {
		if (j == o->n || (i < v->n && v->e[i].replica < o->e[j].replica)) {
			m[n++] = v->e[i++];
		} else if (i == v->n || o->e[j].replica < v->e[i].replica) {
			m[n++] = o->e[j++];
		} else {
			m[n] = v->e[i++];
			if (o->e[j].counter > m[n].counter)
				m[n].counter = o->e[j].counter;
			n++, j++;
		}
	}
	if (n > STRATA_MAX_REPLICAS) {
		free(m);
		return -ENOSPC;
	}
	free(v->e);
	v->e = m;
	v->n = n;
	v->cap = total;
	return 0;
}

int strata_vclock_receive(strata_vclock_t *v, strata_replica_t self, const strata_vclock_t *m)
{
	strata_vclock_t save;
	int r = strata_vclock_copy(v, &save);
	if (r < 0)
		return r;
	r = strata_vclock_merge(v, m);
	if (r == 0)
		r = strata_vclock_tick(v, self);
	if (r < 0) {
		strata_vclock_free(v);
		*v = save;
		return r;
	}
	strata_vclock_free(&save);
	return 0;
}

int strata_vclock_seen(const strata_vclock_t *v, strata_replica_t r, uint64_t counter)
{
	return counter <= strata_vclock_get(v, r);
}

enum strata_order strata_vclock_compare(const strata_vclock_t *a, const strata_vclock_t *b)
{
	bool less = false, more = false; /* some entry of a below / above b's */
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->e[i].replica < b->e[j].replica)) {
			more = true, i++;
		} else if (i == a->n || b->e[j].replica < a->e[i].replica) {
			less = true, j++;
		} else {
			less |= a->e[i].counter < b->e[j].counter;
			more |= a->e[i].counter > b->e[j].counter;
			i++, j++;
		}
	}
	if (less && more)
		return STRATA_CONCURRENT;
	return less ? STRATA_BEFORE : more ? STRATA_AFTER : STRATA_EQUAL;
}

void vclock_write(struct wbuf *w, const strata_vclock_t *v)
{
	wbuf_varint(w, v->n);
	for (size_t i = 0; i < v->n; i++) {
		wbuf_varint(w, i ? v->e[i].replica - v->e[i - 1].replica : v->e[i].replica);
		wbuf_varint(w, v->e[i].counter);
	}
}

int vclock_read(struct rbuf *r, strata_vclock_t *out)
{
	strata_vclock_init(out);
	size_t n = rbuf_count(r, STRATA_MAX_REPLICAS);
	/* Each entry takes two bytes at least: refuse a count the input cannot hold before
	 * allocating for it. */
	if (r->bad || n > r->left / 2)
		return -EBADMSG;
	int err = reserve(out, n);
	if (err < 0)
		return err;
	for (size_t i = 0; i < n; i++) {
		uint64_t gap = rbuf_varint(r), c = rbuf_varint(r);
		uint64_t prev = i ? out->e[i - 1].replica : 0;
		if (r->bad || c == 0 || (i && (gap == 0 || gap > UINT64_MAX - prev))) {
			strata_vclock_free(out);
			return -EBADMSG;
		}
		out->e[i] = (struct strata_vc_entry){.replica = prev + gap, .counter = c};
	}
	out->n = n;
	return 0;
}

size_t vclock_encode_tagged(uint8_t tag, const strata_vclock_t *v, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, tag);
	vclock_write(&w, v);
	return w.len;
}

int vclock_decode_tagged(uint8_t tag, strata_vclock_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	strata_vclock_init(out);
	if (!rbuf_tag(&r, tag))
		return -EBADMSG;
	int err = vclock_read(&r, out);
	if (err == 0 && (err = rbuf_end(&r)) < 0)
		strata_vclock_free(out);
	return err;
}

size_t strata_vclock_encode(const strata_vclock_t *v, uint8_t *buf, size_t cap)
{
	return vclock_encode_tagged(STRATA_TAG_VCLOCK, v, buf, cap);
}

int strata_vclock_decode(strata_vclock_t *out, const uint8_t *buf, size_t len)
{
	return vclock_decode_tagged(STRATA_TAG_VCLOCK, out, buf, len);
}
