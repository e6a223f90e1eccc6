/* itc_check: what the interval tree clock tests share: assertions, text and codec helpers,
 * a bit writer for hand-made encodings, and a random system of stamps with the events each
 * one knows (the oracle). */
#ifndef STRATA_TESTS_ITC_CHECK_H
#define STRATA_TESTS_ITC_CHECK_H

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/itc.h"

#define MAXC UINT64_C(18446744073709551614) /* the largest counter, UINT64_MAX - 1 */

/* A quiet assertion for hot paths: each ck_assert marks a point (a write to the parent). */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                      \
	} while (0)

/* ---- Helpers ---- */

/* xorshift64*: the deterministic generator of the randomised tests. */
static inline uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(0x2545F4914F6CDD1D);
}

static inline uint64_t rnd(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* The text of s, malloc'ed. */
static inline char *text_of(const strata_itc_t *s)
{
	size_t n = strata_itc_format(s, NULL, 0);
	char *t = malloc(n + 1);
	CHECK(t != NULL);
	CHECK(strata_itc_format(s, t, n + 1) == n);
	return t;
}

static inline void expect_text(const strata_itc_t *s, const char *want)
{
	char *t = text_of(s);
	if (strcmp(t, want) != 0)
		ck_abort_msg("text %s, want %s", t, want);
	free(t);
}

/* Parses text, which must be accepted and be the canonical form. */
static inline void parse_ok(strata_itc_t *s, const char *text)
{
	ck_assert_int_eq(strata_itc_parse(s, text), 0);
	expect_text(s, text);
}

static inline void expect_order(const char *a, const char *b, enum strata_order want)
{
	strata_itc_t x, y;
	parse_ok(&x, a);
	parse_ok(&y, b);
	ck_assert_int_eq(strata_itc_compare(&x, &y), want);
	strata_itc_free(&x);
	strata_itc_free(&y);
}

/* join(a, b) must give want. */
static inline void expect_join(const char *a, const char *b, const char *want)
{
	strata_itc_t x, y;
	parse_ok(&x, a);
	parse_ok(&y, b);
	ck_assert_int_eq(strata_itc_join(&x, &y), 0);
	ck_assert_ptr_null(y.id);
	ck_assert_ptr_null(y.ev);
	expect_text(&x, want);
	strata_itc_free(&x);
}

static inline void expect_event(const char *a, const char *want)
{
	strata_itc_t x;
	parse_ok(&x, a);
	ck_assert_int_eq(strata_itc_event(&x), 0);
	expect_text(&x, want);
	strata_itc_free(&x);
}

/* decode(encode(s)) encodes to the same bytes and formats the same; so does the text. */
static inline void check_codec(const strata_itc_t *s)
{
	uint8_t small[1];
	size_t n = strata_itc_encode(s, NULL, 0);
	uint8_t *b = malloc(n), *c = malloc(n);
	strata_itc_t d;
	char *t = text_of(s), *u;

	CHECK(b && c && n >= 2);
	small[0] = 0xaa;
	CHECK(strata_itc_encode(s, small, sizeof small) == n); /* too small: no write */
	CHECK(small[0] == 0xaa);
	CHECK(strata_itc_encode(s, b, n) == n);
	CHECK(strata_itc_decode(&d, b, n) == 0);
	CHECK(strata_itc_encode(&d, c, n) == n);
	CHECK(memcmp(b, c, n) == 0);
	CHECK(strata_itc_compare(s, &d) == STRATA_EQUAL);
	CHECK(strata_itc_nodes(&d) == strata_itc_nodes(s));
	u = text_of(&d);
	CHECK(strcmp(t, u) == 0);
	strata_itc_free(&d);
	CHECK(strata_itc_parse(&d, t) == 0);
	CHECK(strata_itc_encode(&d, c, n) == n);
	CHECK(memcmp(b, c, n) == 0);
	strata_itc_free(&d);
	free(u);
	free(t);
	free(b);
	free(c);
}

/* ---- A bit writer for hand-made encodings ---- */

struct bw {
	uint8_t *buf; /* zeroed */
	size_t cap, bits;
};

static inline void bw_init(struct bw *w, uint8_t *buf, size_t cap)
{
	memset(buf, 0, cap);
	buf[0] = STRATA_TAG_ITC;
	w->buf = buf;
	w->cap = cap;
	w->bits = 0;
}

static inline void bw_bit(struct bw *w, int b)
{
	CHECK(1 + w->bits / 8 < w->cap);
	if (b)
		w->buf[1 + w->bits / 8] |= (uint8_t)(0x80u >> (w->bits % 8));
	w->bits++;
}

static inline void bw_str(struct bw *w, const char *bits)
{
	for (; *bits; bits++)
		bw_bit(w, *bits == '1');
}

/* Elias gamma of n + 1. */
static inline void bw_num(struct bw *w, uint64_t n)
{
	uint64_t x = n + 1;
	int k = 0;
	while (k < 63 && x >> (k + 1))
		k++;
	for (int j = 0; j < k; j++)
		bw_bit(w, 0);
	for (int j = k; j >= 0; j--)
		bw_bit(w, (int)(x >> j) & 1);
}

static inline size_t bw_len(const struct bw *w)
{
	return 1 + (w->bits + 7) / 8;
}

static inline int bw_decode(const struct bw *w, strata_itc_t *out)
{
	int err = strata_itc_decode(out, w->buf, bw_len(w));
	if (err) {
		CHECK(out->id == NULL);
		CHECK(out->ev == NULL);
	}
	return err;
}

/* Decodes the stamp with these bits after the tag. */
static inline int decode_bits(const char *bits)
{
	uint8_t buf[64];
	struct bw w;
	strata_itc_t s;
	int err;

	bw_init(&w, buf, sizeof buf);
	bw_str(&w, bits);
	err = bw_decode(&w, &s);
	strata_itc_free(&s);
	return err;
}

/* ---- A random system: stamps, with the events each one knows (the oracle) ---- */

#define POOL 12
#define MAX_EVENTS 4096
#define WORDS (MAX_EVENTS / 64)

struct sim {
	strata_itc_t s[POOL];
	uint64_t known[POOL][WORDS]; /* bit k: knows event k */
	int n;
	unsigned events;
	uint64_t rng;
};

static inline void sim_init(struct sim *m, uint64_t seed)
{
	memset(m, 0, sizeof *m);
	m->rng = seed * UINT64_C(0x9E3779B97F4A7C15) | 1;
	CHECK(strata_itc_seed(&m->s[0]) == 0);
	m->n = 1;
}

static inline void sim_union(struct sim *m, int a, int b)
{
	for (int w = 0; w < WORDS; w++)
		m->known[a][w] |= m->known[b][w];
}

/* Retires b into a: the last stamp takes b's place. */
static inline void sim_retire(struct sim *m, int a, int b)
{
	CHECK(strata_itc_join(&m->s[a], &m->s[b]) == 0);
	sim_union(m, a, b);
	m->n--;
	m->s[b] = m->s[m->n];
	memcpy(m->known[b], m->known[m->n], sizeof m->known[b]);
	m->s[m->n] = (strata_itc_t){0};
}

/* a receives a message from b: join a peek of b. */
static inline void sim_receive(struct sim *m, int a, int b)
{
	strata_itc_t msg;
	CHECK(strata_itc_peek(&m->s[b], &msg) == 0);
	CHECK(strata_itc_is_anonymous(&msg) == 1);
	CHECK(strata_itc_event(&msg) == -EINVAL);
	CHECK(strata_itc_join(&m->s[a], &msg) == 0);
	sim_union(m, a, b);
}

/* One random operation; returns the stamp it changed. */
static inline int sim_step(struct sim *m)
{
	int a = (int)rnd(&m->rng, (uint64_t)m->n), b = (int)rnd(&m->rng, (uint64_t)m->n);
	uint64_t op = rnd(&m->rng, 20);

	if (op < 4 && m->n < POOL) {
		CHECK(strata_itc_fork(&m->s[a], &m->s[m->n]) == 0);
		memcpy(m->known[m->n], m->known[a], sizeof m->known[a]);
		return m->n++;
	}
	if (op < 7 && m->n > 1 && a != b) {
		sim_retire(m, a, b);
		return a < m->n ? a : b;
	}
	if (op < 12 && a != b) {
		sim_receive(m, a, b);
		return a;
	}
	if (m->events < MAX_EVENTS) {
		CHECK(strata_itc_event(&m->s[a]) == 0);
		m->known[a][m->events / 64] |= UINT64_C(1) << (m->events % 64);
		m->events++;
	}
	return a;
}

static inline enum strata_order set_order(const uint64_t *a, const uint64_t *b)
{
	bool a_in_b = true, b_in_a = true;
	for (int w = 0; w < WORDS; w++) {
		a_in_b = a_in_b && !(a[w] & ~b[w]);
		b_in_a = b_in_a && !(b[w] & ~a[w]);
	}
	if (a_in_b && b_in_a)
		return STRATA_EQUAL;
	if (a_in_b)
		return STRATA_BEFORE;
	return b_in_a ? STRATA_AFTER : STRATA_CONCURRENT;
}

static inline void sim_check_pair(const struct sim *m, int a, int b)
{
	enum strata_order want = set_order(m->known[a], m->known[b]);
	if (strata_itc_compare(&m->s[a], &m->s[b]) != want)
		ck_abort_msg("compare %d %d: want %d", a, b, (int)want);
}

static inline void sim_free(struct sim *m)
{
	for (int i = 0; i < POOL; i++)
		strata_itc_free(&m->s[i]);
}

/* Joins every stamp into the first: the seed's id comes back. */
static inline void sim_retire_all(struct sim *m)
{
	while (m->n > 1)
		sim_retire(m, 0, m->n - 1);
	ck_assert_uint_eq(m->s[0].id ? 1 : 0, 1);
	char *t = text_of(&m->s[0]);
	ck_assert_msg(strncmp(t, "(1,", 3) == 0, "retired: %s", t);
	free(t);
}

#endif
