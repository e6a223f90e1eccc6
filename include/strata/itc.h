/* libstrata interval tree clocks (Almeida, Baquero, Fonte, "Interval Tree Clocks: A Logical
 * Clock for Dynamic Systems", 2008): a causality clock for a changing set of participants.
 *
 * A stamp is a pair (id, events). The id says which part of the unit interval [0, 1) the
 * stamp owns (a tree of 0/1 leaves); the event tree maps [0, 1) to counters (uint64_t). The
 * participants never need global names: a new one is made by forking an existing stamp, a
 * retiring one joins its stamp back into another, and a message carries an anonymous copy
 * (peek) that the receiver joins into its own stamp.
 *
 * Stamps are always in the paper's normal form, so equal stamps have equal trees, encodings
 * and text. Each stamp owns its trees (nothing is shared); a zeroed strata_itc_t is "empty":
 * strata_itc_free is a no-op on it and the other calls refuse it with -EINVAL. A call that
 * fills an output (*out) overwrites it without freeing what it held, and leaves it empty when
 * it fails. Limits: trees at most STRATA_MAX_ITC_DEPTH deep, at most STRATA_MAX_ITC_NODES
 * nodes (leaves included) in both trees, counters at most UINT64_MAX - 1.
 */
#ifndef STRATA_ITC_H
#define STRATA_ITC_H

#include "strata/base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct strata_itc_id; /* opaque id tree */
struct strata_itc_ev; /* opaque event tree */

/* A stamp; a zeroed struct is "empty" (free is a no-op on it). */
typedef struct strata_itc {
	struct strata_itc_id *id;
	struct strata_itc_ev *ev;
} strata_itc_t;

/* *s = (1, 0): the whole interval, no events. *s is overwritten. 0, -EINVAL, -ENOMEM. */
int strata_itc_seed(strata_itc_t *s);

/* Splits s's id: s keeps the left half, *out (overwritten, not freed; must not be s) gets the
 * right half; both keep s's events. Forking an anonymous stamp gives two anonymous stamps.
 * -EOVERFLOW if the id tree would pass STRATA_MAX_ITC_DEPTH (or the copy the node limit),
 * -ENOMEM; on error s is unchanged and *out empty. */
int strata_itc_fork(strata_itc_t *s, strata_itc_t *out);

/* s = join(s, other): the union of the ids and the join (pointwise maximum) of the events.
 * On success other is freed and zeroed. -EINVAL if other is s or the ids overlap (both own
 * part of the same interval), -EOVERFLOW past the node limit, -ENOMEM; on error both are
 * unchanged. */
int strata_itc_join(strata_itc_t *s, strata_itc_t *other);

/* Records one event: inflates the event tree over s's id, by fill if that changes the tree,
 * else by grow (the cheapest growth). -EINVAL on an anonymous stamp (id 0), -EOVERFLOW if a
 * counter would pass UINT64_MAX - 1 (or the tree a limit), -ENOMEM; on error s is unchanged. */
int strata_itc_event(strata_itc_t *s);

/* *out = (0, events of s): an anonymous copy to send in a message (it can be joined into
 * any stamp, but cannot record events). *out must not be s. 0, -EINVAL, -ENOMEM. */
int strata_itc_peek(const strata_itc_t *s, strata_itc_t *out);

/* *out = a deep copy of s (same id: do not use both to record events). *out must not be s.
 * 0, -EINVAL, -ENOMEM. */
int strata_itc_copy(const strata_itc_t *s, strata_itc_t *out);

/* 1 when s's id is 0 (it cannot record events), else 0 (also for an empty stamp). */
int strata_itc_is_anonymous(const strata_itc_t *s);

/* How a's events relate to b's (ids are ignored): leq both ways. An empty stamp compares as
 * the event tree 0. */
enum strata_order strata_itc_compare(const strata_itc_t *a, const strata_itc_t *b);

/* Binary encoding (canonical), snprintf-like (see base.h); 0 for an empty stamp. Byte 0 is
 * STRATA_TAG_ITC, then a bit stream, most significant bit first, padded with zero bits to a
 * byte: the id tree in preorder (leaf: bit 0, value bit; node: bit 1, left, right), then the
 * event tree in preorder (leaf: bit 0, number; node: bit 1, number, left, right), each
 * number n as the Elias gamma code of n + 1. */
size_t strata_itc_encode(const strata_itc_t *s, uint8_t *buf, size_t cap);

/* Decodes exactly one encoding into *out (overwritten); -EBADMSG for anything else: wrong
 * tag, truncation, nonzero padding, trailing bytes, numbers past 64 bits or UINT64_MAX - 1
 * (also as sums along a path), trees not in normal form or past the limits. -ENOMEM. */
int strata_itc_decode(strata_itc_t *out, const uint8_t *buf, size_t len);

/* The paper's notation, snprintf-like (NUL-terminated when cap > 0; returns the length
 * without the NUL; "" and 0 for an empty stamp). A stamp is "(ID,EV)"; an id is "0", "1" or
 * "(L,R)"; an event tree is "N" or "(N,L,R)" with N in decimal. E.g. "((1,0),(0,1,0))". */
size_t strata_itc_format(const strata_itc_t *s, char *buf, size_t cap);

/* The inverse of strata_itc_format into *out (overwritten): no spaces, no leading zeros.
 * -EBADMSG on other text, trees not in normal form or past the limits; -EINVAL, -ENOMEM. */
int strata_itc_parse(strata_itc_t *out, const char *text);

/* Nodes (leaves included) in both trees; 0 for an empty stamp. */
size_t strata_itc_nodes(const strata_itc_t *s);

/* Releases s's trees and zeroes it; a no-op on an empty stamp or NULL. */
void strata_itc_free(strata_itc_t *s);

#ifdef __cplusplus
}
#endif
#endif
