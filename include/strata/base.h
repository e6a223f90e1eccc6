/* libstrata: definitions shared by every part of the library.
 *
 * Conventions (every function of <strata/strata.h> follows them):
 * - Functions that can fail return 0 on success or a negative errno value: -EINVAL for a bad
 *   argument, -ENOMEM when memory ran out, -EOVERFLOW when a counter would wrap, -EBADMSG when
 *   a decoder rejects its input, -ENOSPC when a bounded table is full.
 * - Objects are owned by the caller: *_init or *_decode fill one, *_free releases what it holds
 *   (safe on a zeroed object and after a failed call). Nothing is shared between two objects.
 * - Encoders work like snprintf: strata_X_encode(x, buf, cap) returns the encoded length and
 *   writes only when that length is <= cap (buf may be NULL with cap 0 to ask the size).
 *   Encodings are canonical: equal states encode to equal bytes, so bytes can be compared.
 * - Decoders accept exactly one encoding of the right type, with no trailing bytes, and reject
 *   anything else (truncation, overlong numbers, unsorted or duplicate entries, trees not in
 *   normal form, sizes past the limits below) with -EBADMSG, never reading past len.
 * - Nothing in the library keeps global state; it is thread-compatible (one object, one thread
 *   at a time), and strata_now() is safe from any thread.
 */
#ifndef STRATA_BASE_H
#define STRATA_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How two clocks (or causal histories) relate. */
enum strata_order {
	STRATA_EQUAL = 0,      /* the same history */
	STRATA_BEFORE = 1,     /* the first happened before the second */
	STRATA_AFTER = 2,      /* the first happened after the second */
	STRATA_CONCURRENT = 3, /* neither saw the other */
};

/* "equal", "before", "after", "concurrent" ("?" for anything else). */
const char *strata_order_name(enum strata_order o);

/* A replica (process, node, actor) identifier; the application chooses them (a random 64-bit
 * number is fine). Replica 0 is allowed. */
typedef uint64_t strata_replica_t;

/* The first byte of every encoding names its type; a decoder refuses other types. */
enum strata_tag {
	STRATA_TAG_LAMPORT = 0x4c,   /* 'L' */
	STRATA_TAG_VCLOCK = 0x56,    /* 'V' */
	STRATA_TAG_ITC = 0x49,       /* 'I' */
	STRATA_TAG_HLC = 0x48,       /* 'H' */
	STRATA_TAG_GCOUNTER = 0x67,  /* 'g' */
	STRATA_TAG_PNCOUNTER = 0x70, /* 'p' */
	STRATA_TAG_LWW = 0x77,       /* 'w' */
	STRATA_TAG_ORSET = 0x6f,     /* 'o' */
	STRATA_TAG_OPCOUNTER = 0x63, /* 'c': one operation of the operation-based counter */
};

/* Limits the decoders enforce (and the operations, where they could exceed them). */
#define STRATA_MAX_REPLICAS 65536      /* entries in a vector clock or counter */
#define STRATA_MAX_ITC_DEPTH 512       /* depth of an interval tree clock's trees */
#define STRATA_MAX_ITC_NODES 1000000   /* nodes in one interval tree clock */
#define STRATA_MAX_VALUE_LEN 65536     /* bytes of an LWW value or an OR-Set element */
#define STRATA_MAX_SET_ELEMENTS 100000 /* elements of an OR-Set */

#ifdef __cplusplus
}
#endif
#endif
