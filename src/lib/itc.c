/* libstrata interval tree clocks (strata/itc.h): the trees and the operations of Almeida,
 * Baquero and Fonte, "Interval Tree Clocks" (2008). Every operation builds new trees from the
 * old ones (which it only reads) and replaces the old ones only when the whole result was
 * built and fits the limits, so a failure leaves the stamps as they were.
 *
 * Recursion follows the trees, whose depth the operations and decoders keep at most
 * STRATA_MAX_ITC_DEPTH (+1 for the leaf an intermediate result may add). Counters: every sum
 * along a path is at most ITC_MAX_COUNT in a stamp, so no sum below can wrap; only grow adds
 * (one), and check_limits refuses a result past ITC_MAX_COUNT. */
#include "itc_priv.h"

#include <errno.h>
#include <stdlib.h>

/* grow's cost of expanding an event leaf n into (n, 0, 0) (the paper's N): more than any
 * path is long, so grow takes a growth with fewest expansions, then the shortest one. */
#define GROW_EXPAND 1000u
#define GROW_NONE UINT64_MAX /* no growth possible there */
_Static_assert(GROW_EXPAND > STRATA_MAX_ITC_DEPTH + 2, "an expansion must cost more than a path");

/* The children of an event leaf, seen as the node (n, 0, 0). */
static const itc_ev ev_zero = {0, NULL, NULL};

/* ---- Id trees ---- */

itc_id *itc_id_leaf(bool one)
{
	itc_id *i = malloc(sizeof *i);
	if (i) {
		i->l = i->r = NULL;
		i->one = one;
	}
	return i;
}

itc_id *itc_id_node(itc_id *l, itc_id *r)
{
	itc_id *i = l && r ? malloc(sizeof *i) : NULL;
	if (!i) {
		itc_id_free(l);
		itc_id_free(r);
		return NULL;
	}
	i->l = l;
	i->r = r;
	i->one = false;
	return i;
}

void itc_id_free(itc_id *i)
{
	if (!i)
		return;
	itc_id_free(i->l);
	itc_id_free(i->r);
	free(i);
}

/* The leaf 0 (one false) or 1 (one true). */
static bool id_is(const itc_id *i, bool one)
{
	return itc_id_is_leaf(i) && i->one == one;
}

static itc_id *id_copy(const itc_id *i)
{
	if (itc_id_is_leaf(i))
		return itc_id_leaf(i->one);
	return itc_id_node(id_copy(i->l), id_copy(i->r));
}

/* Normal form of ids (paper): norm((0, 0)) = 0, norm((1, 1)) = 1, else (l, r). Takes
 * normal l and r. */
static itc_id *id_norm(itc_id *l, itc_id *r)
{
	if (l && r && itc_id_is_leaf(l) && itc_id_is_leaf(r) && l->one == r->one) {
		itc_id_free(r);
		return l;
	}
	return itc_id_node(l, r);
}

/* split (paper): split(0) = (0, 0); split(1) = ((1, 0), (0, 1));
 * split((0, i)) = ((0, i1), (0, i2)); split((i, 0)) = ((i1, 0), (i2, 0)) where
 * (i1, i2) = split(i); split((i1, i2)) = ((i1, 0), (0, i2)). */
static int id_split(const itc_id *i, itc_id **a, itc_id **b)
{
	itc_id *x = NULL, *y = NULL;

	*a = *b = NULL;
	if (itc_id_is_leaf(i) && !i->one) {
		*a = itc_id_leaf(false);
		*b = itc_id_leaf(false);
	} else if (itc_id_is_leaf(i)) {
		*a = itc_id_node(itc_id_leaf(true), itc_id_leaf(false));
		*b = itc_id_node(itc_id_leaf(false), itc_id_leaf(true));
	} else if (id_is(i->l, false)) {
		if (id_split(i->r, &x, &y))
			return -ENOMEM;
		*a = itc_id_node(itc_id_leaf(false), x);
		*b = itc_id_node(itc_id_leaf(false), y);
	} else if (id_is(i->r, false)) {
		if (id_split(i->l, &x, &y))
			return -ENOMEM;
		*a = itc_id_node(x, itc_id_leaf(false));
		*b = itc_id_node(y, itc_id_leaf(false));
	} else {
		*a = itc_id_node(id_copy(i->l), itc_id_leaf(false));
		*b = itc_id_node(itc_id_leaf(false), id_copy(i->r));
	}
	if (*a && *b)
		return 0;
	itc_id_free(*a);
	itc_id_free(*b);
	*a = *b = NULL;
	return -ENOMEM;
}

/* Whether a and b both own part of some interval (sum is undefined there). */
static bool id_overlap(const itc_id *a, const itc_id *b)
{
	if (id_is(a, false) || id_is(b, false))
		return false;
	if (itc_id_is_leaf(a) || itc_id_is_leaf(b))
		return true; /* 1 and a nonzero id */
	return id_overlap(a->l, b->l) || id_overlap(a->r, b->r);
}

/* sum (paper): sum(0, i) = i; sum(i, 0) = i;
 * sum((l1, r1), (l2, r2)) = norm((sum(l1, l2), sum(r1, r2))). a and b must not overlap. */
static itc_id *id_sum(const itc_id *a, const itc_id *b)
{
	if (id_is(a, false))
		return id_copy(b);
	if (id_is(b, false))
		return id_copy(a);
	return id_norm(id_sum(a->l, b->l), id_sum(a->r, b->r));
}

/* ---- Event trees ---- */

itc_ev *itc_ev_leaf(uint64_t n)
{
	itc_ev *e = malloc(sizeof *e);
	if (e) {
		e->n = n;
		e->l = e->r = NULL;
	}
	return e;
}

itc_ev *itc_ev_node(uint64_t n, itc_ev *l, itc_ev *r)
{
	itc_ev *e = l && r ? malloc(sizeof *e) : NULL;
	if (!e) {
		itc_ev_free(l);
		itc_ev_free(r);
		return NULL;
	}
	e->n = n;
	e->l = l;
	e->r = r;
	return e;
}

void itc_ev_free(itc_ev *e)
{
	if (!e)
		return;
	itc_ev_free(e->l);
	itc_ev_free(e->r);
	free(e);
}

static itc_ev *ev_copy(const itc_ev *e)
{
	if (itc_ev_is_leaf(e))
		return itc_ev_leaf(e->n);
	return itc_ev_node(e->n, ev_copy(e->l), ev_copy(e->r));
}

static bool ev_equal(const itc_ev *a, const itc_ev *b)
{
	if (a->n != b->n || itc_ev_is_leaf(a) != itc_ev_is_leaf(b))
		return false;
	return itc_ev_is_leaf(a) || (ev_equal(a->l, b->l) && ev_equal(a->r, b->r));
}

/* A child of e (right or left); a leaf is the node (n, 0, 0). */
static const itc_ev *ev_kid(const itc_ev *e, bool right)
{
	if (itc_ev_is_leaf(e))
		return &ev_zero;
	return right ? e->r : e->l;
}

static uint64_t u64_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* max (paper): max(n) = n; max((n, l, r)) = n + max(max(l), max(r)). The paper's min
 * is the root's n on a normal tree (one child has min 0), so it needs no function. */
static uint64_t ev_max(const itc_ev *e)
{
	if (itc_ev_is_leaf(e))
		return e->n;
	return e->n + u64_max(ev_max(e->l), ev_max(e->r));
}

/* Normal form of events (paper): norm((n, m, m)) = n + m for leaves m;
 * norm((n, l, r)) = (n + m, sink(l, m), sink(r, m)) with m = min(min(l), min(r)), where
 * sink (the paper's down arrow) subtracts m from a root. Takes normal l and r. */
static itc_ev *ev_norm(uint64_t n, itc_ev *l, itc_ev *r)
{
	uint64_t m;

	if (!l || !r)
		return itc_ev_node(n, l, r); /* frees the other */
	if (itc_ev_is_leaf(l) && itc_ev_is_leaf(r) && l->n == r->n) {
		l->n += n;
		itc_ev_free(r);
		return l;
	}
	m = l->n < r->n ? l->n : r->n;
	l->n -= m;
	r->n -= m;
	return itc_ev_node(n + m, l, r);
}

/* join of events (paper) of a lifted by da and b lifted by db (lift, the paper's up
 * arrow, adds to a root): join(n1, n2) = max(n1, n2); a leaf n joins a node as (n, 0, 0);
 * join((n1, l1, r1), (n2, l2, r2)) = join of the swapped pair if n1 > n2, else
 * norm((n1, join(l1, lift(l2, n2 - n1)), join(r1, lift(r2, n2 - n1)))). */
static itc_ev *ev_join(const itc_ev *a, uint64_t da, const itc_ev *b, uint64_t db)
{
	uint64_t na = a->n + da, nb = b->n + db;

	if (itc_ev_is_leaf(a) && itc_ev_is_leaf(b))
		return itc_ev_leaf(u64_max(na, nb));
	if (na > nb)
		return ev_join(b, db, a, da);
	return ev_norm(na, ev_join(ev_kid(a, false), 0, ev_kid(b, false), nb - na),
	               ev_join(ev_kid(a, true), 0, ev_kid(b, true), nb - na));
}

/* leq (paper) of a lifted by da and b lifted by db: leq(n1, n2) = n1 <= n2;
 * leq(n1, (n2, l2, r2)) = n1 <= n2; leq((n1, l1, r1), n2) = n1 <= n2 and
 * leq(lift(l1, n1), n2) and leq(lift(r1, n1), n2); leq((n1, l1, r1), (n2, l2, r2)) =
 * n1 <= n2 and leq(lift(l1, n1), lift(l2, n2)) and leq(lift(r1, n1), lift(r2, n2)). */
static bool ev_leq(const itc_ev *a, uint64_t da, const itc_ev *b, uint64_t db)
{
	uint64_t na = a->n + da, nb = b->n + db;

	if (na > nb)
		return false;
	if (itc_ev_is_leaf(a))
		return true;
	if (itc_ev_is_leaf(b))
		return ev_leq(a->l, na, b, db) && ev_leq(a->r, na, b, db);
	return ev_leq(a->l, na, b->l, nb) && ev_leq(a->r, na, b->r, nb);
}

/* fill (paper): fill(0, e) = e; fill(1, e) = max(e); fill(i, n) = n;
 * fill((1, ir), (n, el, er)) = norm((n, max(max(el), min(er')), er')) with er' = fill(ir, er);
 * fill((il, 1), (n, el, er)) = norm((n, el', max(max(er), min(el')))) with el' = fill(il, el);
 * fill((il, ir), (n, el, er)) = norm((n, fill(il, el), fill(ir, er))). */
static itc_ev *ev_fill(const itc_id *i, const itc_ev *e)
{
	itc_ev *k;

	if (id_is(i, false))
		return ev_copy(e);
	if (itc_id_is_leaf(i))
		return itc_ev_leaf(ev_max(e));
	if (itc_ev_is_leaf(e))
		return itc_ev_leaf(e->n);
	if (id_is(i->l, true)) {
		k = ev_fill(i->r, e->r);
		return k ? ev_norm(e->n, itc_ev_leaf(u64_max(ev_max(e->l), k->n)), k) : NULL;
	}
	if (id_is(i->r, true)) {
		k = ev_fill(i->l, e->l);
		return k ? ev_norm(e->n, k, itc_ev_leaf(u64_max(ev_max(e->r), k->n))) : NULL;
	}
	return ev_norm(e->n, ev_fill(i->l, e->l), ev_fill(i->r, e->r));
}

static uint64_t grow_cost(const itc_id *i, const itc_ev *e);

/* At an id node over event children el and er: the side grow takes (paper: only the
 * right of (0, ir), only the left of (il, 0), else the left only when strictly cheaper), and
 * 1 + its cost. */
static uint64_t grow_side(const itc_id *i, const itc_ev *el, const itc_ev *er, bool *left)
{
	uint64_t cl = grow_cost(i->l, el), cr = grow_cost(i->r, er);
	uint64_t c = cl < cr ? cl : cr;

	*left = cl < cr;
	return c == GROW_NONE ? c : c + 1;
}

/* The cost of grow(i, e) (paper): grow(1, n) costs 0; a step into a child costs 1 more;
 * expanding a leaf n of e into (n, 0, 0) costs GROW_EXPAND more. GROW_NONE where i is 0 or
 * 1 over a node (fill would have changed e there). */
static uint64_t grow_cost(const itc_id *i, const itc_ev *e)
{
	bool left;
	uint64_t c;

	if (itc_id_is_leaf(i))
		return i->one && itc_ev_is_leaf(e) ? 0 : GROW_NONE;
	c = grow_side(i, ev_kid(e, false), ev_kid(e, true), &left);
	if (c == GROW_NONE || !itc_ev_is_leaf(e))
		return c;
	return c + GROW_EXPAND;
}

/* grow (paper): the growth of e over i that grow_cost chose (one must exist):
 * grow(1, n) = n + 1; a leaf n grows as (n, 0, 0); at a node, grow the chosen side and copy
 * the other. Normalised on the way back (a no-op when the paper's result is normal). This
 * recomputes the costs below each node on the path: O(size x depth) at worst. */
static itc_ev *ev_grow(const itc_id *i, const itc_ev *e)
{
	const itc_ev *el = ev_kid(e, false), *er = ev_kid(e, true);
	bool left;

	if (itc_id_is_leaf(i))
		return itc_ev_leaf(e->n + 1);
	grow_side(i, el, er, &left);
	if (left)
		return ev_norm(e->n, ev_grow(i->l, el), ev_copy(er));
	return ev_norm(e->n, ev_copy(el), ev_grow(i->r, er));
}

/* ---- Limits ---- */

struct measure {
	size_t depth, nodes;
};

static void id_measure(const itc_id *i, size_t depth, struct measure *m)
{
	m->nodes++;
	m->depth = depth > m->depth ? depth : m->depth;
	if (!itc_id_is_leaf(i)) {
		id_measure(i->l, depth + 1, m);
		id_measure(i->r, depth + 1, m);
	}
}

static void ev_measure(const itc_ev *e, size_t depth, struct measure *m)
{
	m->nodes++;
	m->depth = depth > m->depth ? depth : m->depth;
	if (!itc_ev_is_leaf(e)) {
		ev_measure(e->l, depth + 1, m);
		ev_measure(e->r, depth + 1, m);
	}
}

/* 0 if (i, e) fits the limits of strata/itc.h, else -EOVERFLOW. */
static int check_limits(const itc_id *i, const itc_ev *e)
{
	struct measure mi = {0, 0}, me = {0, 0};

	id_measure(i, 0, &mi);
	ev_measure(e, 0, &me);
	if (mi.depth > STRATA_MAX_ITC_DEPTH || me.depth > STRATA_MAX_ITC_DEPTH)
		return -EOVERFLOW;
	if (mi.nodes + me.nodes > STRATA_MAX_ITC_NODES || ev_max(e) > ITC_MAX_COUNT)
		return -EOVERFLOW;
	return 0;
}

/* ---- Stamps ---- */

static bool stamp_ok(const strata_itc_t *s)
{
	return s && s->id && s->ev;
}

/* *s = (i, e) if both were built, else frees them, empties *s and returns -ENOMEM. */
static int stamp_take(strata_itc_t *s, itc_id *i, itc_ev *e)
{
	if (!i || !e) {
		itc_id_free(i);
		itc_ev_free(e);
		i = NULL;
		e = NULL;
	}
	s->id = i;
	s->ev = e;
	return i ? 0 : -ENOMEM;
}

/* Checks an output argument and empties it: 0, or -EINVAL if it is NULL or s. */
static int stamp_out(const strata_itc_t *s, strata_itc_t *out)
{
	if (!out || out == s)
		return -EINVAL;
	out->id = NULL;
	out->ev = NULL;
	return stamp_ok(s) ? 0 : -EINVAL;
}

int strata_itc_seed(strata_itc_t *s)
{
	if (!s)
		return -EINVAL;
	return stamp_take(s, itc_id_leaf(true), itc_ev_leaf(0));
}

/* fork (paper): fork((i, e)) = ((i1, e), (i2, e)) with (i1, i2) = split(i). */
int strata_itc_fork(strata_itc_t *s, strata_itc_t *out)
{
	itc_id *a, *b;
	itc_ev *e;
	int err = stamp_out(s, out);

	if (err)
		return err;
	err = id_split(s->id, &a, &b);
	if (err)
		return err;
	err = check_limits(a, s->ev);
	if (!err)
		err = check_limits(b, s->ev);
	e = err ? NULL : ev_copy(s->ev);
	if (!e) {
		itc_id_free(a);
		itc_id_free(b);
		return err ? err : -ENOMEM;
	}
	itc_id_free(s->id);
	s->id = a;
	out->id = b;
	out->ev = e;
	return 0;
}

/* join (paper): join((i1, e1), (i2, e2)) = (sum(i1, i2), join(e1, e2)). */
int strata_itc_join(strata_itc_t *s, strata_itc_t *other)
{
	itc_id *i;
	itc_ev *e;
	int err;

	if (!stamp_ok(s) || !stamp_ok(other) || s == other || id_overlap(s->id, other->id))
		return -EINVAL;
	i = id_sum(s->id, other->id);
	e = ev_join(s->ev, 0, other->ev, 0);
	err = i && e ? check_limits(i, e) : -ENOMEM;
	if (err) {
		itc_id_free(i);
		itc_ev_free(e);
		return err;
	}
	strata_itc_free(s);
	strata_itc_free(other);
	s->id = i;
	s->ev = e;
	return 0;
}

/* event (paper): event((i, e)) = (i, fill(i, e)) if fill(i, e) != e, else (i, e')
 * with (e', c) = grow(i, e). */
int strata_itc_event(strata_itc_t *s)
{
	itc_ev *e;
	int err;

	if (!stamp_ok(s) || id_is(s->id, false))
		return -EINVAL;
	e = ev_fill(s->id, s->ev);
	if (!e)
		return -ENOMEM;
	if (ev_equal(e, s->ev)) {
		itc_ev_free(e);
		if (grow_cost(s->id, s->ev) == GROW_NONE)
			return -EINVAL; /* not for a normal stamp */
		e = ev_grow(s->id, s->ev);
		if (!e)
			return -ENOMEM;
	}
	err = check_limits(s->id, e);
	if (err) {
		itc_ev_free(e);
		return err;
	}
	itc_ev_free(s->ev);
	s->ev = e;
	return 0;
}

/* peek (paper): peek((i, e)) = ((0, e), (i, e)). */
int strata_itc_peek(const strata_itc_t *s, strata_itc_t *out)
{
	int err = stamp_out(s, out);

	if (err)
		return err;
	return stamp_take(out, itc_id_leaf(false), ev_copy(s->ev));
}

int strata_itc_copy(const strata_itc_t *s, strata_itc_t *out)
{
	int err = stamp_out(s, out);

	if (err)
		return err;
	return stamp_take(out, id_copy(s->id), ev_copy(s->ev));
}

int strata_itc_is_anonymous(const strata_itc_t *s)
{
	return stamp_ok(s) && id_is(s->id, false);
}

enum strata_order strata_itc_compare(const strata_itc_t *a, const strata_itc_t *b)
{
	const itc_ev *ea = a && a->ev ? a->ev : &ev_zero;
	const itc_ev *eb = b && b->ev ? b->ev : &ev_zero;
	bool le = ev_leq(ea, 0, eb, 0), ge = ev_leq(eb, 0, ea, 0);

	if (le && ge)
		return STRATA_EQUAL;
	if (le)
		return STRATA_BEFORE;
	return ge ? STRATA_AFTER : STRATA_CONCURRENT;
}

size_t strata_itc_nodes(const strata_itc_t *s)
{
	struct measure m = {0, 0};

	if (!stamp_ok(s))
		return 0;
	id_measure(s->id, 0, &m);
	ev_measure(s->ev, 0, &m);
	return m.nodes;
}

void strata_itc_free(strata_itc_t *s)
{
	if (!s)
		return;
	itc_id_free(s->id);
	itc_ev_free(s->ev);
	s->id = NULL;
	s->ev = NULL;
}
