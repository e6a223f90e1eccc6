/* libstrata OR-Set encoding (strata/crdt.h): tag, context, element count, then per element
 * its length, bytes, dot count and dots (replica gap, counter), all in canonical order. */
#include "strata/crdt.h"
#include "orset_priv.h"
#include "vclock_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t strata_orset_encode(const strata_orset_t *s, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, STRATA_TAG_ORSET);
	vclock_write(&w, &s->context);
	wbuf_varint(&w, s->n);
	for (size_t i = 0; i < s->n; i++) {
		const struct strata_orset_elem *e = &s->el[i];
		wbuf_varint(&w, e->len);
		wbuf_bytes(&w, e->data, e->len);
		wbuf_varint(&w, e->ndots);
		for (size_t k = 0; k < e->ndots; k++) {
			wbuf_varint(&w, k ? e->dots[k].replica - e->dots[k - 1].replica
			                  : e->dots[k].replica);
			wbuf_varint(&w, e->dots[k].counter);
		}
	}
	return w.len;
}

/* One element's dots: strictly increasing, each seen by the context. */
static int read_dots(struct rbuf *r, const strata_vclock_t *ctx, struct strata_orset_elem *e)
{
	size_t n = rbuf_count(r, STRATA_MAX_REPLICAS);
	if (r->bad || n == 0 || n > r->left / 2)
		return -EBADMSG;
	e->dots = malloc(n * sizeof *e->dots);
	if (!e->dots)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		uint64_t gap = rbuf_varint(r), c = rbuf_varint(r);
		uint64_t prev = k ? e->dots[k - 1].replica : 0;
		if (r->bad || gap > UINT64_MAX - prev)
			return -EBADMSG;
		struct strata_dot d = {prev + gap, c};
		if (c == 0 || !strata_vclock_seen(ctx, d.replica, c) ||
		    (k && orset_dot_cmp(&e->dots[k - 1], &d) >= 0))
			return -EBADMSG;
		e->dots[e->ndots++] = d;
	}
	return 0;
}

static int read_elem(struct rbuf *r, strata_orset_t *s)
{
	size_t len = rbuf_count(r, STRATA_MAX_VALUE_LEN);
	const uint8_t *data = rbuf_bytes(r, len);
	if (r->bad)
		return -EBADMSG;
	if (s->n) {
		const struct strata_orset_elem *p = &s->el[s->n - 1];
		size_t m = p->len < len ? p->len : len;
		int c = m ? memcmp(p->data, data, m) : 0;
		if (c > 0 || (c == 0 && p->len >= len))
			return -EBADMSG; /* not strictly increasing */
	}
	struct strata_orset_elem *e = &s->el[s->n];
	memset(e, 0, sizeof *e);
	e->len = len;
	s->n++; /* owned by s from here: freed with it on error */
	if (len && !(e->data = malloc(len)))
		return -ENOMEM;
	if (len)
		memcpy(e->data, data, len);
	return read_dots(r, &s->context, e);
}

/* No dot may belong to two elements. */
static int dots_unique(const strata_orset_t *s)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < s->n; i++)
		total += s->el[i].ndots;
	if (total < 2)
		return 0;
	struct strata_dot *all = malloc(total * sizeof *all);
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->el[i].ndots; j++)
			all[k++] = s->el[i].dots[j];
	qsort(all, total, sizeof *all, orset_dot_cmp);
	int err = 0;
	for (k = 1; k < total && !err; k++)
		if (orset_dot_cmp(&all[k - 1], &all[k]) == 0)
			err = -EBADMSG;
	free(all);
	return err;
}

int strata_orset_decode(strata_orset_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	int err;

	strata_orset_init(out);
	rbuf_init(&r, buf, len);
	if (!rbuf_tag(&r, STRATA_TAG_ORSET))
		return -EBADMSG;
	if ((err = vclock_read(&r, &out->context)) < 0)
		return err;
	size_t n = rbuf_count(&r, STRATA_MAX_SET_ELEMENTS);
	/* An element takes three bytes at least. */
	if (r.bad || n > r.left / 3)
		err = -EBADMSG;
	if (err == 0 && n) {
		out->el = malloc(n * sizeof *out->el);
		if (!out->el)
			err = -ENOMEM;
		out->cap = out->el ? n : 0;
	}
	for (size_t i = 0; i < n && err == 0; i++)
		err = read_elem(&r, out);
	if (err == 0)
		err = rbuf_end(&r);
	if (err == 0)
		err = dots_unique(out);
	if (err < 0)
		strata_orset_free(out);
	return err;
}
