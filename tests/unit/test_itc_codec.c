/* Interval tree clocks' binary encoding (src/lib/itc_codec.c): known encodings, round trips of
 * random stamps and random normal-form trees, and every kind of input the decoder must
 * refuse (malformed, past the limits, truncated, bit-flipped). */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/itc.h"
#include "check_run.h"
#include "itc_check.h"

/* ---- Encoding ---- */

START_TEST(encode_known)
{
	static const uint8_t seed[] = {STRATA_TAG_ITC, 0x50}; /* 01 (id 1), 0 1 (leaf 0) */
	/* ((1,0),(0,1,0)): id 1 01 00, events 1 1 0010 01, 3 bits of padding. */
	static const uint8_t forked[] = {STRATA_TAG_ITC, 0xa6, 0x48};
	uint8_t buf[8];
	strata_itc_t s;

	ck_assert_int_eq(strata_itc_seed(&s), 0);
	ck_assert_uint_eq(strata_itc_encode(&s, NULL, 0), 2);
	memset(buf, 0xee, sizeof buf);
	ck_assert_uint_eq(strata_itc_encode(&s, buf, 1), 2);
	ck_assert_uint_eq(buf[0], 0xee);
	ck_assert_uint_eq(strata_itc_encode(&s, buf, sizeof buf), 2);
	ck_assert_mem_eq(buf, seed, 2);
	strata_itc_free(&s);
	parse_ok(&s, "((1,0),(0,1,0))");
	ck_assert_uint_eq(strata_itc_encode(&s, buf, sizeof buf), sizeof forked);
	ck_assert_mem_eq(buf, forked, sizeof forked);
	strata_itc_free(&s);
	ck_assert_int_eq(strata_itc_decode(&s, forked, sizeof forked), 0);
	expect_text(&s, "((1,0),(0,1,0))");
	strata_itc_free(&s);
}
END_TEST

START_TEST(codec_random_stamps)
{
	for (unsigned seed = 1; seed <= 20; seed++) {
		struct sim m;
		strata_itc_t p;

		sim_init(&m, seed + 100);
		for (int step = 0; step < 300; step++) {
			int c = sim_step(&m);
			check_codec(&m.s[c]);
			ck_assert_int_eq(strata_itc_peek(&m.s[c], &p), 0);
			check_codec(&p);
			strata_itc_free(&p);
		}
		sim_free(&m);
	}
}
END_TEST

/* ---- Random normal trees as text, with large numbers ---- */

struct gen {
	char buf[16384];
	size_t len;
	uint64_t rng;
};

static void gen_put(struct gen *g, const char *s)
{
	size_t n = strlen(s);
	CHECK(g->len + n < sizeof g->buf);
	memcpy(g->buf + g->len, s, n + 1);
	g->len += n;
}

static void gen_dec(struct gen *g, uint64_t n)
{
	char d[24];
	snprintf(d, sizeof d, "%llu", (unsigned long long)n);
	gen_put(g, d);
}

/* A number at most limit: often 0 or small, sometimes large. */
static uint64_t gen_value(struct gen *g, uint64_t limit)
{
	uint64_t x, r = rnd(&g->rng, 4);

	if (r == 0)
		x = 0;
	else if (r == 1)
		x = 1 + rnd(&g->rng, 9);
	else if (r == 2)
		x = rng_next(&g->rng) >> 32;
	else
		x = rng_next(&g->rng);
	return x <= limit ? x : x % (limit + 1);
}

static void gen_id(struct gen *g, int depth)
{
	bool ll = depth <= 1 || rnd(&g->rng, 2), rl = depth <= 1 || rnd(&g->rng, 2);
	bool v = rnd(&g->rng, 2);

	gen_put(g, "(");
	if (ll)
		gen_put(g, v ? "1" : "0");
	else
		gen_id(g, depth - 1);
	gen_put(g, ",");
	if (rl)
		gen_put(g, (ll ? !v : rnd(&g->rng, 2)) ? "1" : "0"); /* (0,0), (1,1): not normal */
	else
		gen_id(g, depth - 1);
	gen_put(g, ")");
}

/* An event tree with root number n under base (base + n <= MAXC), a leaf if asked. */
static void gen_ev(struct gen *g, int depth, uint64_t n, uint64_t base, bool leaf)
{
	uint64_t room = MAXC - base - n, v, lv, rv;
	bool lz, ll, rl;

	if (leaf || depth == 0 || room == 0) {
		gen_dec(g, n);
		return;
	}
	v = gen_value(g, room);
	lz = rnd(&g->rng, 2); /* the side with min 0 */
	lv = lz ? 0 : v;
	rv = lz ? v : 0;
	ll = depth == 1 || lv == room || rnd(&g->rng, 2);
	rl = depth == 1 || rv == room || rnd(&g->rng, 2);
	if (ll && rl && v == 0)
		*(lz ? &rv : &lv) = 1; /* two equal leaves are not normal */
	gen_put(g, "(");
	gen_dec(g, n);
	gen_put(g, ",");
	gen_ev(g, depth - 1, lv, base + n, ll);
	gen_put(g, ",");
	gen_ev(g, depth - 1, rv, base + n, rl);
	gen_put(g, ")");
}

static void gen_stamp(struct gen *g)
{
	g->len = 0;
	g->buf[0] = '\0';
	gen_put(g, "(");
	if (rnd(&g->rng, 4))
		gen_id(g, 1 + (int)rnd(&g->rng, 6));
	else
		gen_put(g, rnd(&g->rng, 2) ? "1" : "0");
	gen_put(g, ",");
	gen_ev(g, (int)rnd(&g->rng, 7), gen_value(g, MAXC), 0, false);
	gen_put(g, ")");
}

START_TEST(codec_random_trees)
{
	static struct gen g;

	for (unsigned seed = 1; seed <= 20; seed++) {
		g.rng = seed * UINT64_C(0x9E3779B97F4A7C15) | 1;
		for (int i = 0; i < 100; i++) {
			strata_itc_t s;
			gen_stamp(&g);
			ck_assert_msg(strata_itc_parse(&s, g.buf) == 0, "parse %s", g.buf);
			expect_text(&s, g.buf);
			check_codec(&s);
			strata_itc_free(&s);
		}
	}
}
END_TEST

/* ---- Decoder rejections ---- */

START_TEST(decode_rejects)
{
	static const uint8_t seed[] = {STRATA_TAG_ITC, 0x50};
	uint8_t buf[64];
	struct bw w;
	strata_itc_t s;

	ck_assert_int_eq(strata_itc_decode(&s, seed, 2), 0);
	strata_itc_free(&s);
	ck_assert_int_eq(strata_itc_decode(&s, (const uint8_t[]){STRATA_TAG_HLC, 0x50}, 2),
	                 -EBADMSG);
	ck_assert_int_eq(strata_itc_decode(&s, seed, 0), -EBADMSG);
	ck_assert_int_eq(strata_itc_decode(&s, NULL, 0), -EBADMSG);
	ck_assert_int_eq(strata_itc_decode(&s, NULL, 2), -EINVAL);
	ck_assert_int_eq(strata_itc_decode(NULL, seed, 2), -EINVAL);
	ck_assert_int_eq(strata_itc_decode(&s, seed, 1), -EBADMSG);
	for (uint8_t pad = 1; pad < 16; pad++) /* nonzero padding */
		ck_assert_int_eq(
		        strata_itc_decode(&s, (const uint8_t[]){STRATA_TAG_ITC, 0x50 | pad}, 2),
		        -EBADMSG);
	ck_assert_int_eq(strata_itc_decode(&s, (const uint8_t[]){STRATA_TAG_ITC, 0x50, 0}, 3),
	                 -EBADMSG); /* trailing byte */

	/* Numbers: 63 leading zeros is the longest gamma code, UINT64_MAX - 1 the largest. */
	bw_init(&w, buf, sizeof buf);
	bw_str(&w, "01"
	           "0");
	bw_num(&w, MAXC);
	ck_assert_uint_eq(w.bits, 3 + 127);
	ck_assert_int_eq(bw_decode(&w, &s), 0);
	expect_text(&s, "(1,18446744073709551614)");
	strata_itc_free(&s);
	bw_init(&w, buf, sizeof buf);
	bw_str(&w, "010");
	for (int i = 0; i < 64; i++)
		bw_bit(&w, 0);
	bw_bit(&w, 1);
	for (int i = 0; i < 64; i++)
		bw_bit(&w, 0);
	ck_assert_int_eq(bw_decode(&w, &s), -EBADMSG); /* 65-bit number */
	bw_init(&w, buf, sizeof buf);
	bw_str(&w, "010");
	for (int i = 0; i < 70; i++)
		bw_bit(&w, 0); /* zeros to the end */
	ck_assert_int_eq(bw_decode(&w, &s), -EBADMSG);
	ck_assert_int_eq(decode_bits("0100001"), -EBADMSG); /* cut inside a number */

	/* Sums along a path past UINT64_MAX - 1. */
	bw_init(&w, buf, sizeof buf);
	bw_str(&w, "01"
	           "1");
	bw_num(&w, MAXC);
	bw_str(&w, "01"
	           "0010"); /* leaves 0 and 1 */
	ck_assert_int_eq(bw_decode(&w, &s), -EBADMSG);
	bw_init(&w, buf, sizeof buf);
	bw_str(&w, "01"
	           "1");
	bw_num(&w, MAXC - 1);
	bw_str(&w, "01"
	           "0010");
	ck_assert_int_eq(bw_decode(&w, &s), 0);
	expect_text(&s, "(1,(18446744073709551613,0,1))");
	strata_itc_free(&s);

	/* Ids not in normal form: (0,0), (1,1); (0,1) is fine. */
	ck_assert_int_eq(decode_bits("1"
	                             "0000"
	                             "01"),
	                 -EBADMSG);
	ck_assert_int_eq(decode_bits("1"
	                             "0101"
	                             "01"),
	                 -EBADMSG);
	ck_assert_int_eq(decode_bits("1"
	                             "0001"
	                             "01"),
	                 0);
	/* Events not in normal form: (0,1,1), (0,0,0), (0,1,2); (0,0,1) is fine. */
	ck_assert_int_eq(decode_bits("01"
	                             "11"
	                             "0010"
	                             "0010"),
	                 -EBADMSG);
	ck_assert_int_eq(decode_bits("01"
	                             "11"
	                             "01"
	                             "01"),
	                 -EBADMSG);
	ck_assert_int_eq(decode_bits("01"
	                             "11"
	                             "0010"
	                             "0011"),
	                 -EBADMSG);
	ck_assert_int_eq(decode_bits("01"
	                             "11"
	                             "01"
	                             "0010"),
	                 0);
	/* (0,(1,0,1),2): neither child has min 0. */
	ck_assert_int_eq(decode_bits("01"
	                             "11"
	                             "1010"
	                             "01"
	                             "0010"
	                             "0011"),
	                 -EBADMSG);
}
END_TEST

/* An id chain (((1,0),0)...,0) of depth d with the events 0. */
static int decode_id_chain(int d)
{
	static uint8_t buf[512];
	struct bw w;
	strata_itc_t s;
	int err;

	bw_init(&w, buf, sizeof buf);
	for (int i = 0; i < d; i++)
		bw_bit(&w, 1);
	bw_str(&w, "01");
	for (int i = 0; i < d; i++)
		bw_str(&w, "00");
	bw_str(&w, "01");
	err = bw_decode(&w, &s);
	if (!err)
		ck_assert_uint_eq(strata_itc_nodes(&s), 2 * (size_t)d + 2);
	strata_itc_free(&s);
	return err;
}

/* The events (0,(0,...(0,1,0)...,0),0) of depth d with the id 1. */
static int decode_ev_chain(int d)
{
	static uint8_t buf[512];
	struct bw w;
	strata_itc_t s;
	int err;

	bw_init(&w, buf, sizeof buf);
	bw_str(&w, "01");
	for (int i = 0; i < d; i++)
		bw_str(&w, "11");
	bw_str(&w, "0010");
	for (int i = 0; i < d; i++)
		bw_str(&w, "01");
	err = bw_decode(&w, &s);
	if (!err) {
		ck_assert_uint_eq(strata_itc_nodes(&s), 2 * (size_t)d + 2);
		check_codec(&s);
	}
	strata_itc_free(&s);
	return err;
}

/* A balanced id tree with k nodes (k odd), sibling leaves 0 and 1. */
static void put_id_tree(struct bw *w, size_t k, unsigned *leaf)
{
	if (k == 1) {
		bw_bit(w, 0);
		bw_bit(w, (int)(++*leaf & 1));
		return;
	}
	size_t l = (k - 1) / 2 | 1;
	bw_bit(w, 1);
	put_id_tree(w, l, leaf);
	put_id_tree(w, k - 1 - l, leaf);
}

/* A balanced event tree with k nodes (k odd): nodes 0, sibling leaves 0 and 1. */
static void put_ev_tree(struct bw *w, size_t k, unsigned *leaf)
{
	if (k == 1) {
		bw_bit(w, 0);
		bw_num(w, ++*leaf & 1);
		return;
	}
	size_t l = (k - 1) / 2 | 1;
	bw_str(w, "11");
	put_ev_tree(w, l, leaf);
	put_ev_tree(w, k - 1 - l, leaf);
}

static int decode_big(size_t id_nodes, size_t ev_nodes)
{
	size_t cap = 1 + (id_nodes * 2 + ev_nodes * 4) / 8 + 2;
	uint8_t *buf = malloc(cap);
	unsigned leaf = 0;
	struct bw w;
	strata_itc_t s;
	int err;

	ck_assert_ptr_nonnull(buf);
	bw_init(&w, buf, cap);
	put_id_tree(&w, id_nodes, &leaf);
	leaf = 0;
	put_ev_tree(&w, ev_nodes, &leaf);
	err = bw_decode(&w, &s);
	if (!err)
		ck_assert_uint_eq(strata_itc_nodes(&s), id_nodes + ev_nodes);
	strata_itc_free(&s);
	free(buf);
	return err;
}

START_TEST(decode_limits)
{
	ck_assert_int_eq(decode_id_chain(STRATA_MAX_ITC_DEPTH), 0);
	ck_assert_int_eq(decode_id_chain(STRATA_MAX_ITC_DEPTH + 1), -EBADMSG);
	ck_assert_int_eq(decode_ev_chain(STRATA_MAX_ITC_DEPTH), 0);
	ck_assert_int_eq(decode_ev_chain(STRATA_MAX_ITC_DEPTH + 1), -EBADMSG);
	/* Node counts are odd per tree, so both trees together are even. */
	ck_assert_int_eq(decode_big(STRATA_MAX_ITC_NODES / 2 + 1, STRATA_MAX_ITC_NODES / 2 - 1), 0);
	ck_assert_int_eq(decode_big(STRATA_MAX_ITC_NODES / 2 + 1, STRATA_MAX_ITC_NODES / 2 + 1),
	                 -EBADMSG);
}
END_TEST

/* Every truncation is rejected; every single-bit flip is rejected or decodes to a stamp
 * that encodes to exactly the flipped bytes. */
static void check_mutations(const strata_itc_t *s)
{
	size_t n = strata_itc_encode(s, NULL, 0);
	uint8_t *b = malloc(n), *c = malloc(n);
	strata_itc_t d;

	CHECK(b && c);
	CHECK(strata_itc_encode(s, b, n) == n);
	for (size_t k = 0; k < n; k++) {
		CHECK(strata_itc_decode(&d, b, k) == -EBADMSG);
		CHECK(d.id == NULL);
	}
	for (size_t bit = 0; bit < 8 * n; bit++) {
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int err = strata_itc_decode(&d, b, n);
		if (err) {
			CHECK(err == -EBADMSG);
			CHECK(d.id == NULL);
			CHECK(d.ev == NULL);
		} else {
			CHECK(strata_itc_encode(&d, c, n) == n);
			CHECK(memcmp(b, c, n) == 0);
			strata_itc_free(&d);
		}
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	free(b);
	free(c);
}

START_TEST(decode_mutations)
{
	static struct gen g;

	for (unsigned seed = 1; seed <= 10; seed++) {
		struct sim m;
		sim_init(&m, seed + 200);
		for (int step = 0; step < 300; step++)
			sim_step(&m);
		for (int i = 0; i < m.n; i++)
			check_mutations(&m.s[i]);
		sim_free(&m);
	}
	g.rng = 7;
	for (int i = 0; i < 100; i++) {
		strata_itc_t s;
		gen_stamp(&g);
		ck_assert_int_eq(strata_itc_parse(&s, g.buf), 0);
		check_mutations(&s);
		strata_itc_free(&s);
	}
}
END_TEST

static Suite *itc_codec_suite(void)
{
	Suite *s = suite_create("itc_codec");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, encode_known);
	tcase_add_test(tc, codec_random_stamps);
	tcase_add_test(tc, codec_random_trees);
	tcase_add_test(tc, decode_rejects);
	tcase_add_test(tc, decode_limits);
	tcase_add_test(tc, decode_mutations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(itc_codec_suite());
}
