/* libstrata Lamport timestamps (Lamport, 1978).
 *
 * A counter per replica, paired with the replica's id. If event a happened before event b,
 * a's time is smaller; the converse does not hold, so a Lamport clock can prove two events
 * concurrent (equal times at different replicas) but never prove one before another. */
#ifndef STRATA_LAMPORT_H
#define STRATA_LAMPORT_H

#include "strata/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct strata_lamport {
	uint64_t time;            /* events counted, 0 before the first */
	strata_replica_t replica; /* who stamped it */
} strata_lamport_t;

void strata_lamport_init(strata_lamport_t *l, strata_replica_t replica);
/* A local event (and a send: the stamp to put in the message is *l afterwards). */
int strata_lamport_event(strata_lamport_t *l); /* -EOVERFLOW at UINT64_MAX */
/* A message stamped m arrived: time = max(time, m.time) + 1. */
int strata_lamport_receive(strata_lamport_t *l, const strata_lamport_t *m);
/* EQUAL for the same stamp; CONCURRENT for equal times at different replicas (provably
 * concurrent); otherwise BEFORE/AFTER by time, which means only "could have happened before"
 * (the total order consistent with causality). */
enum strata_order strata_lamport_compare(const strata_lamport_t *a, const strata_lamport_t *b);
/* The total order: by time, then replica. -1, 0 or 1. */
int strata_lamport_order(const strata_lamport_t *a, const strata_lamport_t *b);
size_t strata_lamport_encode(const strata_lamport_t *l, uint8_t *buf, size_t cap);
int strata_lamport_decode(strata_lamport_t *out, const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
