/* link: the network path between the client and one server.
 *
 * One-way delay (s) = base + exponential jitter (mean jitter_mean) + asymmetry, where a
 * positive asym is extra delay on the request direction (client to server) and a negative
 * one extra delay on the reply direction. Each datagram is lost with probability loss;
 * every datagram sent during an outage window [start, end) (true time, s) is lost.
 * Each link has its own generator, and every datagram draws the same two values whether it
 * is lost or not, so one link's randomness never depends on another's traffic pattern.
 */
#ifndef STRATA_SIM_LINK_H
#define STRATA_SIM_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "rng.h"

#define SIM_MAX_OUTAGES 4

enum sim_dir {
	SIM_DIR_UP = 0, /* client to server */
	SIM_DIR_DOWN,   /* server to client */
};

struct sim_outage {
	double start, end; /* true time, s: [start, end) */
};

struct sim_link_config {
	double base;        /* s, fixed one-way delay */
	double jitter_mean; /* s, mean of the exponential jitter */
	double asym;        /* s, extra delay up (> 0) or down (< 0) */
	double loss;        /* probability 0..1 per datagram and direction */
	int n_outages;
	struct sim_outage outage[SIM_MAX_OUTAGES];
};

struct sim_link {
	struct sim_link_config cfg;
	struct sim_rng rng;
	unsigned long sent[2], lost[2]; /* per enum sim_dir */
};

void sim_link_init(struct sim_link *l, const struct sim_link_config *cfg, uint64_t seed,
                   uint64_t purpose);

/* A datagram leaves at true time t in direction dir: returns false if it is lost, else
 * true with its one-way delay in *delay (s). */
bool sim_link_send(struct sim_link *l, enum sim_dir dir, double t, double *delay);

#endif
