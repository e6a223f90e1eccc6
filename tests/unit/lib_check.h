/* lib_check: what libstrata's clock tests share: fast assertions for the randomised runs
 * and a small deterministic generator (xorshift64, seeded; the tests print the seed). */
#ifndef STRATA_TESTS_LIB_CHECK_H
#define STRATA_TESTS_LIB_CHECK_H

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strata/hlc.h"
#include "strata/lamport.h"
#include "strata/now.h"
#include "strata/vclock.h"
#include "codec.h"
#include "check_run.h"

/* A byte string literal and its length, for the codec tables. */
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* ck_assert* reports every check that passes to the runner (a write each time): too slow for
 * the million checks of the randomised runs, which use these instead (failures only). */
#define REQUIRE_MSG(c, ...)                                                                        \
	do {                                                                                       \
		if (!(c))                                                                          \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)
#define REQUIRE(c) REQUIRE_MSG(c, "Assertion '%s' failed", #c)
#define REQUIRE_I(a, op, b)                                                                        \
	do {                                                                                       \
		intmax_t a_ = (a), b_ = (b);                                                       \
		REQUIRE_MSG(a_ op b_, "Assertion '%s' failed: %jd, %jd", #a " " #op " " #b, a_,    \
		            b_);                                                                   \
	} while (0)
#define REQUIRE_U(a, op, b)                                                                        \
	do {                                                                                       \
		uintmax_t a_ = (a), b_ = (b);                                                      \
		REQUIRE_MSG(a_ op b_, "Assertion '%s' failed: %ju, %ju", #a " " #op " " #b, a_,    \
		            b_);                                                                   \
	} while (0)

/* ---- a small deterministic generator (xorshift64) ---- */

struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *g, uint64_t seed)
{
	g->s = seed ^ 0x9e3779b97f4a7c15ULL;
	if (g->s == 0)
		g->s = 1;
}

static inline uint64_t rng_next(struct rng *g)
{
	uint64_t x = g->s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return g->s = x;
}

static inline uint64_t rng_below(struct rng *g, uint64_t n)
{
	return rng_next(g) % n;
}

#endif
