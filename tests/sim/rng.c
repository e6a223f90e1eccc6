/* rng: xoshiro256** (Blackman and Vigna) seeded by splitmix64; see rng.h. */
#include <math.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void sim_rng_init(struct sim_rng *r, uint64_t seed, uint64_t purpose)
{
	uint64_t x = seed ^ (purpose * 0xd1342543de82ef95ull);

	/* Mix twice so that neighbouring seeds and purposes give unrelated streams. */
	x = splitmix64(&x) ^ purpose;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double sim_rng_uniform(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

double sim_rng_exponential(struct sim_rng *r, double mean)
{
	if (mean <= 0.0)
		return 0.0;
	/* 1 - u is in (0, 1]: log never sees 0. */
	return -mean * log(1.0 - sim_rng_uniform(r));
}

double sim_rng_normal(struct sim_rng *r, double sd)
{
	double u1 = 1.0 - sim_rng_uniform(r); /* (0, 1] */
	double u2 = sim_rng_uniform(r);

	return sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t sim_rng_callback(void *ctx)
{
	return sim_rng_next(ctx);
}
