/* rng_check: the small deterministic generator the filter tests share (splitmix64), with
 * uniform and exponential draws. State is the caller's; seed it with a fixed value and
 * print it. */
#ifndef STRATA_TESTS_RNG_CHECK_H
#define STRATA_TESTS_RNG_CHECK_H

#include <math.h>
#include <stdint.h>

static inline uint64_t test_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static inline double test_rng_uniform(uint64_t *s)
{
	return ((double)(test_rng_next(s) >> 11) + 0.5) * 0x1p-53;
}

/* Exponential with the given mean. */
static inline double test_rng_expo(uint64_t *s, double mean)
{
	return -mean * log(test_rng_uniform(s));
}

#endif
