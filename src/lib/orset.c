/* libstrata OR-Set (strata/crdt.h): add-wins, with dots and a causal context. */
#include "strata/crdt.h"
#include "orset_priv.h"
#include "vclock_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strata_orset_init(strata_orset_t *s)
{
	memset(s, 0, sizeof *s);
	strata_vclock_init(&s->context);
}

static void elem_free(struct strata_orset_elem *e)
{
	free(e->data);
	free(e->dots);
}

void strata_orset_free(strata_orset_t *s)
{
	for (size_t i = 0; i < s->n; i++)
		elem_free(&s->el[i]);
	free(s->el);
	strata_vclock_free(&s->context);
	strata_orset_init(s);
}

static int key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c;
	return alen == blen ? 0 : alen < blen ? -1 : 1;
}

int orset_dot_cmp(const void *pa, const void *pb)
{
	const struct strata_dot *a = pa, *b = pb;
	if (a->replica != b->replica)
		return a->replica < b->replica ? -1 : 1;
	return a->counter == b->counter ? 0 : a->counter < b->counter ? -1 : 1;
}

/* Index of the element, or where it would go; *found says which. */
static size_t find(const strata_orset_t *s, const void *data, size_t len, bool *found)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(s->el[mid].data, s->el[mid].len, data, len);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int reserve(strata_orset_t *s, size_t n)
{
	if (n <= s->cap)
		return 0;
	if (n > STRATA_MAX_SET_ELEMENTS)
		return -ENOSPC;
	size_t cap = s->cap ? s->cap * 2 : 8;
	cap = cap < n ? n : cap;
	struct strata_orset_elem *el = realloc(s->el, cap * sizeof *el);
	if (!el)
		return -ENOMEM;
	s->el = el;
	s->cap = cap;
	return 0;
}

int strata_orset_contains(const strata_orset_t *s, const void *data, size_t len)
{
	bool found;
	find(s, data, len, &found);
	return found;
}

/* A new element (data copied, one dot) at index i. */
static int insert(strata_orset_t *s, size_t i, const void *data, size_t len, struct strata_dot d)
{
	struct strata_orset_elem e = {.len = len, .ndots = 1};
	int err = reserve(s, s->n + 1);
	if (err < 0)
		return err;
	e.dots = malloc(sizeof *e.dots);
	e.data = len ? malloc(len) : NULL;
	if (!e.dots || (len && !e.data)) {
		elem_free(&e);
		return -ENOMEM;
	}
	if (len)
		memcpy(e.data, data, len);
	e.dots[0] = d;
	memmove(&s->el[i + 1], &s->el[i], (s->n - i) * sizeof *s->el);
	s->el[i] = e;
	s->n++;
	return 0;
}

int strata_orset_add(strata_orset_t *s, strata_replica_t r, const void *data, size_t len)
{
	bool found;
	if (len > STRATA_MAX_VALUE_LEN || (len && !data))
		return -EINVAL;
	uint64_t c = strata_vclock_get(&s->context, r);
	if (c == UINT64_MAX)
		return -EOVERFLOW;
	struct strata_dot d = {r, c + 1};
	size_t i = find(s, data, len, &found);
	if (!found) {
		int err = insert(s, i, data, len, d);
		if (err < 0)
			return err;
	}
	int err = strata_vclock_set(&s->context, r, c + 1);
	if (err < 0) {
		if (!found) /* undo the insertion */
			strata_orset_remove(s, data, len);
		return err;
	}
	if (found) { /* the new dot replaces every dot this replica has seen for it */
		s->el[i].dots[0] = d;
		s->el[i].ndots = 1;
	}
	return 0;
}

int strata_orset_remove(strata_orset_t *s, const void *data, size_t len)
{
	bool found;
	size_t i = find(s, data, len, &found);
	if (!found)
		return 0;
	elem_free(&s->el[i]);
	memmove(&s->el[i], &s->el[i + 1], (s->n - i - 1) * sizeof *s->el);
	s->n--;
	return 0;
}

/* The dots of a (or NULL) and b (or NULL) that survive a merge, into out (ndots may be 0):
 * those both hold, and those one holds that the other's context has not seen. */
static int merge_dots(const struct strata_orset_elem *a, const strata_vclock_t *actx,
                      const struct strata_orset_elem *b, const strata_vclock_t *bctx,
                      struct strata_orset_elem *out)
{
	size_t na = a ? a->ndots : 0, nb = b ? b->ndots : 0, i = 0, j = 0;
	out->dots = malloc((na + nb) * sizeof *out->dots);
	out->ndots = 0;
	if (!out->dots)
		return -ENOMEM;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : orset_dot_cmp(&a->dots[i], &b->dots[j]);
		const struct strata_dot *d = c <= 0 ? &a->dots[i] : &b->dots[j];
		const strata_vclock_t *other = c < 0 ? bctx : actx;
		if (c == 0 || !strata_vclock_seen(other, d->replica, d->counter))
			out->dots[out->ndots++] = *d;
		i += c <= 0;
		j += c >= 0;
	}
	return 0;
}

static int take_elem(struct strata_orset_elem *out, const struct strata_orset_elem *src)
{
	out->len = src->len;
	out->data = src->len ? malloc(src->len) : NULL;
	if (src->len && !out->data)
		return -ENOMEM;
	if (src->len)
		memcpy(out->data, src->data, src->len);
	return 0;
}

/* One element of the merge (from a, b or both) appended to m if any dot survives. */
static int merge_one(strata_orset_t *m, const struct strata_orset_elem *a,
                     const strata_vclock_t *actx, const struct strata_orset_elem *b,
                     const strata_vclock_t *bctx)
{
	struct strata_orset_elem e = {0};
	int err = merge_dots(a, actx, b, bctx, &e);
	if (err == 0 && e.ndots == 0) {
		free(e.dots);
		return 0;
	}
	if (err == 0)
		err = take_elem(&e, a ? a : b);
	if (err == 0)
		err = reserve(m, m->n + 1);
	if (err < 0) {
		elem_free(&e);
		return err;
	}
	m->el[m->n++] = e;
	return 0;
}

int strata_orset_merge(strata_orset_t *s, const strata_orset_t *o)
{
	strata_orset_t m;
	size_t i = 0, j = 0;
	int err = 0;

	strata_orset_init(&m);
	while (err == 0 && (i < s->n || j < o->n)) {
		const struct strata_orset_elem *a = i < s->n ? &s->el[i] : NULL;
		const struct strata_orset_elem *b = j < o->n ? &o->el[j] : NULL;
		int c = !a ? 1 : !b ? -1 : key_cmp(a->data, a->len, b->data, b->len);
		err = merge_one(&m, c <= 0 ? a : NULL, &s->context, c >= 0 ? b : NULL, &o->context);
		i += c <= 0;
		j += c >= 0;
	}
	if (err == 0)
		err = strata_vclock_copy(&s->context, &m.context);
	if (err == 0)
		err = strata_vclock_merge(&m.context, &o->context);
	if (err < 0) {
		strata_orset_free(&m);
		return err;
	}
	strata_orset_free(s);
	*s = m;
	return 0;
}
