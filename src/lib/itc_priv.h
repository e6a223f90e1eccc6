/* libstrata internal: the trees of an interval tree clock (strata/itc.h), shared by itc.c
 * (the operations) and itc_codec.c (binary and text forms).
 *
 * Every tree node is its own allocation, owned by its parent. The constructors take
 * ownership of the subtrees they are given and accept NULL for them (a failed allocation
 * further down): then they free the other subtree and return NULL, so an expression building
 * a tree either yields the whole tree or leaks nothing. */
#ifndef STRATA_LIB_ITC_PRIV_H
#define STRATA_LIB_ITC_PRIV_H

#include "strata/itc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest counter, also as a sum along a path: n + 1 of UINT64_MAX has no gamma code. */
#define ITC_MAX_COUNT (UINT64_MAX - 1)

/* Id tree: a leaf (l == r == NULL) owns nothing (one == 0) or everything (one == 1) of its
 * interval; a node splits it in two halves. */
struct strata_itc_id {
	struct strata_itc_id *l, *r;
	bool one;
};

/* Event tree: a leaf (l == r == NULL) is the counter n over its interval; a node adds n to
 * both halves. */
struct strata_itc_ev {
	uint64_t n;
	struct strata_itc_ev *l, *r;
};

typedef struct strata_itc_id itc_id;
typedef struct strata_itc_ev itc_ev;

static inline bool itc_id_is_leaf(const itc_id *i)
{
	return !i->l;
}

static inline bool itc_ev_is_leaf(const itc_ev *e)
{
	return !e->l;
}

itc_id *itc_id_leaf(bool one);
itc_id *itc_id_node(itc_id *l, itc_id *r); /* raw: no normalisation */
void itc_id_free(itc_id *i);

itc_ev *itc_ev_leaf(uint64_t n);
itc_ev *itc_ev_node(uint64_t n, itc_ev *l, itc_ev *r); /* raw: no normalisation */
void itc_ev_free(itc_ev *e);

#endif
