/* libstrata CRDTs (Shapiro, Preguiça, Baquero, Zawirski, 2011) on the clocks of this library.
 *
 * State-based: G-Counter, PN-Counter, LWW-Register, OR-Set. Each replica changes its own copy
 * and sends its whole state (the encoding) to others, in any order, any number of times; merge
 * is commutative, associative and idempotent, so replicas that received the same updates hold
 * equal states (equal encodings). Operation-based: a counter whose operations carry a vector
 * clock and are applied in causal order, each exactly once however often it is delivered.
 * Conventions of strata/base.h (errors, ownership, snprintf-like encoders). */
#ifndef STRATA_CRDT_H
#define STRATA_CRDT_H

#include <stdbool.h>

#include "strata/base.h"
#include "strata/hlc.h"
#include "strata/vclock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- G-Counter: grow-only; one count per replica, value = their sum ---------------------- */
typedef struct strata_gcounter {
	strata_vclock_t counts;
} strata_gcounter_t;

void strata_gcounter_init(strata_gcounter_t *g);
void strata_gcounter_free(strata_gcounter_t *g);
/* Replica r counts n more; -EOVERFLOW if its count or the total would pass UINT64_MAX. */
int strata_gcounter_add(strata_gcounter_t *g, strata_replica_t r, uint64_t n);
/* The sum; -EOVERFLOW if it does not fit (merged counts of many replicas). */
int strata_gcounter_value(const strata_gcounter_t *g, uint64_t *out);
int strata_gcounter_merge(strata_gcounter_t *g, const strata_gcounter_t *other);
size_t strata_gcounter_encode(const strata_gcounter_t *g, uint8_t *buf, size_t cap);
int strata_gcounter_decode(strata_gcounter_t *out, const uint8_t *buf, size_t len);

/* --- PN-Counter: increments and decrements, as two G-Counters ----------------------------- */
typedef struct strata_pncounter {
	strata_gcounter_t inc, dec;
} strata_pncounter_t;

void strata_pncounter_init(strata_pncounter_t *c);
void strata_pncounter_free(strata_pncounter_t *c);
int strata_pncounter_add(strata_pncounter_t *c, strata_replica_t r, int64_t delta);
/* inc - dec; -EOVERFLOW if it does not fit an int64_t. */
int strata_pncounter_value(const strata_pncounter_t *c, int64_t *out);
int strata_pncounter_merge(strata_pncounter_t *c, const strata_pncounter_t *other);
size_t strata_pncounter_encode(const strata_pncounter_t *c, uint8_t *buf, size_t cap);
int strata_pncounter_decode(strata_pncounter_t *out, const uint8_t *buf, size_t len);

/* --- LWW-Register: the value with the greatest (HLC stamp, replica) wins ------------------ */
typedef struct strata_lww {
	bool set;              /* false until the first write */
	strata_hlc_ts_t stamp; /* of the winning write */
	strata_replica_t replica;
	uint8_t *value; /* owned, len bytes (NULL when len is 0) */
	size_t len;     /* <= STRATA_MAX_VALUE_LEN */
} strata_lww_t;

void strata_lww_init(strata_lww_t *r);
void strata_lww_free(strata_lww_t *r);
/* A write stamped (stamp, replica): 1 if it won, 0 if the register holds a later one.
 * Two writes with the same stamp and replica are told apart by their bytes, so that merge
 * stays commutative even then. */
int strata_lww_set(strata_lww_t *r, const void *value, size_t len, const strata_hlc_ts_t *stamp,
                   strata_replica_t replica);
int strata_lww_merge(strata_lww_t *r, const strata_lww_t *other);
size_t strata_lww_encode(const strata_lww_t *r, uint8_t *buf, size_t cap);
int strata_lww_decode(strata_lww_t *out, const uint8_t *buf, size_t len);

/* --- OR-Set: observed-remove, add wins over a concurrent remove ---------------------------
 * Elements are byte strings. Each add is a dot (replica, counter) recorded in a causal context
 * (a version vector); a remove forgets the element's dots but the context remembers them, so
 * a merge keeps a dot only if the other side has it too or has never seen it (Bieniusa et
 * al., "An optimized conflict-free replicated set", 2012). */
struct strata_dot {
	strata_replica_t replica;
	uint64_t counter;
};

struct strata_orset_elem {
	uint8_t *data;           /* owned */
	size_t len;              /* <= STRATA_MAX_VALUE_LEN */
	struct strata_dot *dots; /* owned, sorted, >= 1 */
	size_t ndots;
};

typedef struct strata_orset {
	struct strata_orset_elem *el; /* sorted by bytes (shorter first on a common prefix) */
	size_t n, cap;
	strata_vclock_t context; /* every dot ever seen */
} strata_orset_t;

void strata_orset_init(strata_orset_t *s);
void strata_orset_free(strata_orset_t *s);
/* Replica r adds (or re-adds) an element; -ENOSPC past STRATA_MAX_SET_ELEMENTS. */
int strata_orset_add(strata_orset_t *s, strata_replica_t r, const void *data, size_t len);
/* Removes an element as observed here (no-op if absent). */
int strata_orset_remove(strata_orset_t *s, const void *data, size_t len);
int strata_orset_contains(const strata_orset_t *s, const void *data, size_t len);
int strata_orset_merge(strata_orset_t *s, const strata_orset_t *other);
size_t strata_orset_encode(const strata_orset_t *s, uint8_t *buf, size_t cap);
/* Also rejects dots the context has not seen and a dot held by two elements. */
int strata_orset_decode(strata_orset_t *out, const uint8_t *buf, size_t len);

/* --- Operation-based counter with causal delivery -----------------------------------------
 * add() applies a delta locally and returns the operation to broadcast: the delta, its
 * origin and the origin's vector clock after it. deliver() applies an operation once all it
 * depends on has been applied (buffering it until then) and drops duplicates. */
#define STRATA_OPCOUNTER_MAX_DELTA 4294967296LL /* |delta| <= 2^32 */
#define STRATA_OPCOUNTER_MAX_PENDING 4096

typedef struct strata_opcounter_op {
	strata_replica_t origin;
	int64_t delta;
	strata_vclock_t clock; /* origin's clock after the operation (owned) */
} strata_opcounter_op_t;

typedef struct strata_opcounter {
	strata_replica_t self;
	int64_t value;
	strata_vclock_t applied;        /* operations applied, per origin */
	strata_opcounter_op_t *pending; /* delivered early: waiting for what they depend on */
	size_t npending, cap;
} strata_opcounter_t;

void strata_opcounter_init(strata_opcounter_t *c, strata_replica_t self);
void strata_opcounter_free(strata_opcounter_t *c);
/* *op is filled (free it with strata_opcounter_op_free); -EINVAL if |delta| is too large,
 * -EOVERFLOW if the value would not fit. */
int strata_opcounter_add(strata_opcounter_t *c, int64_t delta, strata_opcounter_op_t *op);
/* Returns how many operations were applied (this one and pending ones it released; 0 when
 * it waits or is a duplicate), or -ENOSPC when STRATA_OPCOUNTER_MAX_PENDING wait already. */
int strata_opcounter_deliver(strata_opcounter_t *c, const strata_opcounter_op_t *op);
void strata_opcounter_op_free(strata_opcounter_op_t *op);
size_t strata_opcounter_op_encode(const strata_opcounter_op_t *op, uint8_t *buf, size_t cap);
int strata_opcounter_op_decode(strata_opcounter_op_t *out, const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
