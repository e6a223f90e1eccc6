/* evq: the simulator's event queue, a binary min-heap on (time, insertion order).
 *
 * Holds datagrams in flight. Events with equal times come out in insertion order, so a
 * run is deterministic. Grows as needed (the simulator is not the sans-I/O core).
 */
#ifndef STRATA_SIM_EVQ_H
#define STRATA_SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/packet.h"

enum sim_event_kind {
	SIM_EV_TO_SERVER = 0, /* request arrives at server `server` */
	SIM_EV_TO_CLIENT,     /* reply from server `server` arrives at the client */
};

struct sim_event {
	double t;     /* true arrival time, s */
	uint64_t seq; /* insertion number, breaks ties */
	enum sim_event_kind kind;
	int server; /* index into the scenario's servers */
	size_t len;
	uint8_t buf[NTP_HEADER_LEN];
};

struct sim_evq {
	struct sim_event *ev;
	size_t n, cap;
	uint64_t next_seq;
};

void sim_evq_init(struct sim_evq *q);
void sim_evq_free(struct sim_evq *q);

/* Copy ev in (its seq is assigned here). Returns 0 or -ENOMEM. */
int sim_evq_push(struct sim_evq *q, const struct sim_event *ev);

/* Time of the earliest event, INFINITY when empty. */
double sim_evq_peek_time(const struct sim_evq *q);

/* Remove the earliest event into *out; false when empty. */
bool sim_evq_pop(struct sim_evq *q, struct sim_event *out);

#endif
