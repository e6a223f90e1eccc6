/* rng: seeded pseudo-random numbers for the simulator (xoshiro256** seeded by splitmix64).
 *
 * One generator per purpose (engine, clock wander, each link), all derived from the
 * --seed value and a purpose number, so that one consumer drawing more or fewer values
 * never changes what another one sees. Deterministic on every platform.
 */
#ifndef STRATA_SIM_RNG_H
#define STRATA_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

/* Seed from the run's seed and a purpose number (any distinct value per consumer). */
void sim_rng_init(struct sim_rng *r, uint64_t seed, uint64_t purpose);

/* 64 random bits. */
uint64_t sim_rng_next(struct sim_rng *r);

/* Uniform in [0, 1), 53 bits. */
double sim_rng_uniform(struct sim_rng *r);

/* Exponential with the given mean (same unit as mean); 0 when mean <= 0. */
double sim_rng_exponential(struct sim_rng *r, double mean);

/* Normal with mean 0 and the given standard deviation (Box-Muller, one value per call). */
double sim_rng_normal(struct sim_rng *r, double sd);

/* engine_rng_fn-compatible callback: ctx is a struct sim_rng. */
uint64_t sim_rng_callback(void *ctx);

#endif
