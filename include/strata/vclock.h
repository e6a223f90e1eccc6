/* libstrata vector clocks and version vectors (Fidge, 1988; Mattern, 1989; Parker et al., 1983).
 *
 * One type serves both: a map from replica id to a counter, kept sorted by id, growing as new
 * replicas appear (dynamic ids; absent means 0). As a vector clock, a replica ticks its own
 * entry at every event and on receive merges the message's clock then ticks; as a version
 * vector, a replica ticks on each update it makes and merges on synchronisation.
 * Entries of replicas that have retired stay forever (pruning would need agreement): the cost
 * that interval tree clocks avoid (see strata_itc and bench/causality). */
#ifndef STRATA_VCLOCK_H
#define STRATA_VCLOCK_H

#include "strata/base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct strata_vc_entry {
	strata_replica_t replica;
	uint64_t counter; /* > 0 (zero entries are not stored) */
};

typedef struct strata_vclock {
	struct strata_vc_entry *e; /* sorted by replica, owned */
	size_t n, cap;
} strata_vclock_t;

void strata_vclock_init(strata_vclock_t *v); /* empty: every counter 0 */
void strata_vclock_free(strata_vclock_t *v);
int strata_vclock_copy(const strata_vclock_t *v, strata_vclock_t *out); /* out initialised */
uint64_t strata_vclock_get(const strata_vclock_t *v, strata_replica_t r);
/* Set r's counter (0 removes the entry). */
int strata_vclock_set(strata_vclock_t *v, strata_replica_t r, uint64_t counter);
/* counter[r] += 1; -EOVERFLOW at UINT64_MAX, -ENOSPC past STRATA_MAX_REPLICAS entries. */
int strata_vclock_tick(strata_vclock_t *v, strata_replica_t r);
/* Entry-wise maximum into v. */
int strata_vclock_merge(strata_vclock_t *v, const strata_vclock_t *other);
/* A message stamped m arrived at replica self: merge, then tick. */
int strata_vclock_receive(strata_vclock_t *v, strata_replica_t self, const strata_vclock_t *m);
/* Has v seen the event (r, counter), i.e. counter <= v[r]? */
int strata_vclock_seen(const strata_vclock_t *v, strata_replica_t r, uint64_t counter);
enum strata_order strata_vclock_compare(const strata_vclock_t *a, const strata_vclock_t *b);
/* Encoding: tag, entry count, then (id gap, counter) varint pairs in id order. */
size_t strata_vclock_encode(const strata_vclock_t *v, uint8_t *buf, size_t cap);
int strata_vclock_decode(strata_vclock_t *out, const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
