/* Unit tests of libstrata's vector clocks: hand-made cases, decoder rejections and limits,
 * seeded randomised algebra (merge commutative, associative, idempotent; compare mirrored),
 * and vector (and Lamport) clocks against the set of events each process knows in a
 * simulated message-passing run. */
#include "lib_check.h"

/* ---- vector clocks ---- */

/* v from (replica, counter) pairs, set in the order given. */
static void vc_make(strata_vclock_t *v, const uint64_t *kv, size_t pairs)
{
	strata_vclock_init(v);
	for (size_t i = 0; i < pairs; i++)
		ck_assert_int_eq(strata_vclock_set(v, kv[2 * i], kv[2 * i + 1]), 0);
}

/* Sorted by replica, strictly; no zero counters. */
static void vc_check(const strata_vclock_t *v)
{
	REQUIRE_U(v->n, <=, v->cap);
	REQUIRE_U(v->n, <=, STRATA_MAX_REPLICAS);
	for (size_t i = 0; i < v->n; i++) {
		REQUIRE_U(v->e[i].counter, >, 0);
		if (i)
			REQUIRE_U(v->e[i - 1].replica, <, v->e[i].replica);
	}
}

/* v holds exactly the pairs given (sorted by replica). */
static void vc_is(const strata_vclock_t *v, const uint64_t *kv, size_t pairs)
{
	vc_check(v);
	ck_assert_uint_eq(v->n, pairs);
	for (size_t i = 0; i < pairs; i++) {
		ck_assert_uint_eq(v->e[i].replica, kv[2 * i]);
		ck_assert_uint_eq(v->e[i].counter, kv[2 * i + 1]);
		ck_assert_uint_eq(strata_vclock_get(v, kv[2 * i]), kv[2 * i + 1]);
	}
}

#define VC_BUF 1024

static size_t vc_enc(const strata_vclock_t *v, uint8_t *buf)
{
	size_t n = strata_vclock_encode(v, buf, VC_BUF);
	REQUIRE_U(n, <=, VC_BUF);
	return n;
}

/* Canonical encodings: equal states encode to equal bytes. */
static bool vc_same(const strata_vclock_t *a, const strata_vclock_t *b)
{
	uint8_t ba[VC_BUF], bb[VC_BUF];
	size_t na = vc_enc(a, ba), nb = vc_enc(b, bb);
	return na == nb && memcmp(ba, bb, na) == 0;
}

static enum strata_order mirror(enum strata_order o)
{
	return o == STRATA_BEFORE ? STRATA_AFTER : o == STRATA_AFTER ? STRATA_BEFORE : o;
}

START_TEST(vclock_empty)
{
	strata_vclock_t v, w, z;
	strata_vclock_init(&v);
	ck_assert_uint_eq(v.n, 0);
	ck_assert_uint_eq(strata_vclock_get(&v, 0), 0);
	ck_assert_uint_eq(strata_vclock_get(&v, UINT64_MAX), 0);
	ck_assert_int_eq(strata_vclock_seen(&v, 5, 0), 1);
	ck_assert_int_eq(strata_vclock_seen(&v, 5, 1), 0);
	ck_assert_int_eq(strata_vclock_compare(&v, &v), STRATA_EQUAL);

	uint8_t buf[8];
	ck_assert_uint_eq(strata_vclock_encode(&v, buf, sizeof buf), 2);
	ck_assert_mem_eq(buf, "\x56\x00", 2);
	ck_assert_int_eq(strata_vclock_decode(&w, buf, 2), 0);
	ck_assert_uint_eq(w.n, 0);
	ck_assert_int_eq(strata_vclock_compare(&v, &w), STRATA_EQUAL);
	strata_vclock_free(&w);

	ck_assert_int_eq(strata_vclock_copy(&v, &w), 0);
	ck_assert_uint_eq(w.n, 0);
	ck_assert_int_eq(strata_vclock_merge(&w, &v), 0);
	ck_assert_uint_eq(w.n, 0);
	strata_vclock_free(&w);
	strata_vclock_free(&w); /* twice is fine */
	memset(&z, 0, sizeof z);
	strata_vclock_free(&z); /* and on a zeroed object */
	strata_vclock_free(&v);
}
END_TEST

START_TEST(vclock_set_get)
{
	strata_vclock_t v;
	strata_vclock_init(&v);
	ck_assert_int_eq(strata_vclock_set(&v, UINT64_MAX, 7), 0);
	ck_assert_int_eq(strata_vclock_set(&v, 0, 3), 0);
	ck_assert_int_eq(strata_vclock_set(&v, 42, 1), 0);
	vc_is(&v, (const uint64_t[]){0, 3, 42, 1, UINT64_MAX, 7}, 3);
	ck_assert_uint_eq(strata_vclock_get(&v, 1), 0);
	ck_assert_uint_eq(strata_vclock_get(&v, 41), 0);
	ck_assert_uint_eq(strata_vclock_get(&v, 43), 0);
	ck_assert_uint_eq(strata_vclock_get(&v, UINT64_MAX - 1), 0);

	ck_assert_int_eq(strata_vclock_set(&v, 42, UINT64_MAX), 0); /* overwrite */
	vc_is(&v, (const uint64_t[]){0, 3, 42, UINT64_MAX, UINT64_MAX, 7}, 3);
	ck_assert_int_eq(strata_vclock_set(&v, 42, 0), 0); /* 0 removes */
	vc_is(&v, (const uint64_t[]){0, 3, UINT64_MAX, 7}, 2);
	ck_assert_int_eq(strata_vclock_set(&v, 13, 0), 0); /* removing an absent entry */
	vc_is(&v, (const uint64_t[]){0, 3, UINT64_MAX, 7}, 2);
	ck_assert_int_eq(strata_vclock_set(&v, 0, 0), 0);
	vc_is(&v, (const uint64_t[]){UINT64_MAX, 7}, 1);
	ck_assert_int_eq(strata_vclock_set(&v, UINT64_MAX, 0), 0);
	vc_is(&v, NULL, 0);

	/* Many entries in a scrambled order end up sorted. */
	for (uint64_t i = 0; i < 200; i++)
		ck_assert_int_eq(strata_vclock_set(&v, (i * 7919) % 200, i + 1), 0);
	vc_check(&v);
	ck_assert_uint_eq(v.n, 200);
	for (uint64_t i = 0; i < 200; i++)
		ck_assert_uint_eq(strata_vclock_get(&v, (i * 7919) % 200), i + 1);
	strata_vclock_free(&v);
}
END_TEST

START_TEST(vclock_copy_independent)
{
	strata_vclock_t v, c;
	vc_make(&v, (const uint64_t[]){1, 1, 2, 2}, 2);
	ck_assert_int_eq(strata_vclock_copy(&v, &c), 0);
	ck_assert(c.e != v.e);
	ck_assert_int_eq(strata_vclock_tick(&c, 1), 0);
	ck_assert_int_eq(strata_vclock_set(&c, 3, 3), 0);
	vc_is(&v, (const uint64_t[]){1, 1, 2, 2}, 2);
	vc_is(&c, (const uint64_t[]){1, 2, 2, 2, 3, 3}, 3);
	strata_vclock_free(&v);
	strata_vclock_free(&c);
}
END_TEST

START_TEST(vclock_tick)
{
	strata_vclock_t v;
	strata_vclock_init(&v);
	ck_assert_int_eq(strata_vclock_tick(&v, 5), 0);
	ck_assert_int_eq(strata_vclock_tick(&v, 5), 0);
	ck_assert_int_eq(strata_vclock_tick(&v, 0), 0);
	ck_assert_int_eq(strata_vclock_tick(&v, UINT64_MAX), 0);
	vc_is(&v, (const uint64_t[]){0, 1, 5, 2, UINT64_MAX, 1}, 3);

	ck_assert_int_eq(strata_vclock_set(&v, 7, UINT64_MAX - 1), 0);
	ck_assert_int_eq(strata_vclock_tick(&v, 7), 0);
	ck_assert_uint_eq(strata_vclock_get(&v, 7), UINT64_MAX);
	ck_assert_int_eq(strata_vclock_tick(&v, 7), -EOVERFLOW);
	vc_is(&v, (const uint64_t[]){0, 1, 5, 2, 7, UINT64_MAX, UINT64_MAX, 1}, 4);
	strata_vclock_free(&v);
}
END_TEST

START_TEST(vclock_merge)
{
	strata_vclock_t a, b, e;
	vc_make(&a, (const uint64_t[]){0, 3, 5, 1, 9, 4}, 3);
	vc_make(&b, (const uint64_t[]){5, 4, 9, 2, UINT64_MAX, 2}, 3);
	strata_vclock_init(&e);

	ck_assert_int_eq(strata_vclock_merge(&a, &b), 0);
	vc_is(&a, (const uint64_t[]){0, 3, 5, 4, 9, 4, UINT64_MAX, 2}, 4);
	vc_is(&b, (const uint64_t[]){5, 4, 9, 2, UINT64_MAX, 2}, 3); /* other untouched */

	ck_assert_int_eq(strata_vclock_merge(&a, &e), 0); /* with nothing */
	vc_is(&a, (const uint64_t[]){0, 3, 5, 4, 9, 4, UINT64_MAX, 2}, 4);
	ck_assert_int_eq(strata_vclock_merge(&e, &b), 0); /* into nothing */
	vc_is(&e, (const uint64_t[]){5, 4, 9, 2, UINT64_MAX, 2}, 3);
	ck_assert_int_eq(strata_vclock_merge(&a, &a), 0); /* with itself */
	vc_is(&a, (const uint64_t[]){0, 3, 5, 4, 9, 4, UINT64_MAX, 2}, 4);

	/* Disjoint replicas interleave. */
	strata_vclock_free(&a);
	strata_vclock_free(&b);
	vc_make(&a, (const uint64_t[]){0, 1, 4, 1}, 2);
	vc_make(&b, (const uint64_t[]){2, 9, UINT64_MAX, UINT64_MAX}, 2);
	ck_assert_int_eq(strata_vclock_merge(&b, &a), 0);
	vc_is(&b, (const uint64_t[]){0, 1, 2, 9, 4, 1, UINT64_MAX, UINT64_MAX}, 4);
	strata_vclock_free(&a);
	strata_vclock_free(&b);
	strata_vclock_free(&e);
}
END_TEST

START_TEST(vclock_receive)
{
	strata_vclock_t v, m;
	vc_make(&v, (const uint64_t[]){1, 2, 2, 5}, 2);
	vc_make(&m, (const uint64_t[]){1, 4, 3, 1}, 2);
	ck_assert_int_eq(strata_vclock_receive(&v, 2, &m), 0);
	vc_is(&v, (const uint64_t[]){1, 4, 2, 6, 3, 1}, 3);
	ck_assert_int_eq(strata_vclock_compare(&m, &v), STRATA_BEFORE);
	strata_vclock_free(&v);
	strata_vclock_free(&m);

	/* self is new to both. */
	strata_vclock_init(&v);
	vc_make(&m, (const uint64_t[]){UINT64_MAX, 3}, 1);
	ck_assert_int_eq(strata_vclock_receive(&v, 0, &m), 0);
	vc_is(&v, (const uint64_t[]){0, 1, UINT64_MAX, 3}, 2);
	strata_vclock_free(&v);
	strata_vclock_free(&m);

	/* The message has seen more of self than self (a version vector restored from a peer). */
	vc_make(&v, (const uint64_t[]){7, 1}, 1);
	vc_make(&m, (const uint64_t[]){7, 9}, 1);
	ck_assert_int_eq(strata_vclock_receive(&v, 7, &m), 0);
	vc_is(&v, (const uint64_t[]){7, 10}, 1);
	strata_vclock_free(&v);
	strata_vclock_free(&m);

	/* Overflow of self's entry: -EOVERFLOW and v as it was (not half merged). */
	vc_make(&v, (const uint64_t[]){7, UINT64_MAX}, 1);
	vc_make(&m, (const uint64_t[]){8, 2}, 1);
	ck_assert_int_eq(strata_vclock_receive(&v, 7, &m), -EOVERFLOW);
	vc_is(&v, (const uint64_t[]){7, UINT64_MAX}, 1);
	strata_vclock_free(&v);
	strata_vclock_init(&v);
	strata_vclock_free(&m);
	vc_make(&m, (const uint64_t[]){4, UINT64_MAX}, 1);
	ck_assert_int_eq(strata_vclock_receive(&v, 4, &m), -EOVERFLOW);
	vc_is(&v, NULL, 0);
	strata_vclock_free(&v);
	strata_vclock_free(&m);
}
END_TEST

START_TEST(vclock_seen)
{
	strata_vclock_t v;
	vc_make(&v, (const uint64_t[]){0, 3, UINT64_MAX, 1}, 2);
	ck_assert_int_eq(strata_vclock_seen(&v, 0, 3), 1);
	ck_assert_int_eq(strata_vclock_seen(&v, 0, 1), 1);
	ck_assert_int_eq(strata_vclock_seen(&v, 0, 4), 0);
	ck_assert_int_eq(strata_vclock_seen(&v, 0, 0), 1);
	ck_assert_int_eq(strata_vclock_seen(&v, UINT64_MAX, 1), 1);
	ck_assert_int_eq(strata_vclock_seen(&v, UINT64_MAX, 2), 0);
	ck_assert_int_eq(strata_vclock_seen(&v, 5, 1), 0);
	ck_assert_int_eq(strata_vclock_seen(&v, 5, 0), 1);
	ck_assert_int_eq(strata_vclock_seen(&v, 1, UINT64_MAX), 0);
	strata_vclock_free(&v);
}
END_TEST

START_TEST(vclock_compare_cases)
{
	static const struct {
		uint64_t a[8];
		size_t na;
		uint64_t b[8];
		size_t nb;
		enum strata_order want;
	} cases[] = {
	        {{0}, 0, {0}, 0, STRATA_EQUAL},
	        {{0}, 0, {0, 1}, 1, STRATA_BEFORE},
	        {{UINT64_MAX, 1}, 1, {0}, 0, STRATA_AFTER},
	        {{0, 1, UINT64_MAX, 2}, 2, {0, 1, UINT64_MAX, 2}, 2, STRATA_EQUAL},
	        {{1, 1}, 1, {1, 1, 2, 1}, 2, STRATA_BEFORE},     /* absent in a */
	        {{1, 1, 2, 1}, 2, {2, 1}, 1, STRATA_AFTER},      /* absent in b */
	        {{1, 2}, 1, {1, 1, 2, 1}, 2, STRATA_CONCURRENT}, /* absent in a, a larger */
	        {{1, 1}, 1, {2, 1}, 1, STRATA_CONCURRENT},
	        {{0, 1}, 1, {UINT64_MAX, 1}, 1, STRATA_CONCURRENT},
	        {{0, 2, 5, 3}, 2, {0, 1, 5, 3}, 2, STRATA_AFTER},
	        {{0, 1, 5, 3}, 2, {0, 2, 5, 2}, 2, STRATA_CONCURRENT},
	        {{0, 1, 5, 3, 9, 1}, 3, {0, 1, 5, 4, 7, 1, 9, 1}, 4, STRATA_BEFORE},
	        {{0, 1, 5, 3, 9, 2}, 3, {0, 1, 5, 4, 7, 1, 9, 1}, 4, STRATA_CONCURRENT},
	        {{UINT64_MAX, UINT64_MAX}, 1, {UINT64_MAX, UINT64_MAX - 1}, 1, STRATA_AFTER},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		strata_vclock_t a, b;
		vc_make(&a, cases[k].a, cases[k].na);
		vc_make(&b, cases[k].b, cases[k].nb);
		ck_assert_msg(strata_vclock_compare(&a, &b) == cases[k].want, "case %zu: %s", k,
		              strata_order_name(strata_vclock_compare(&a, &b)));
		ck_assert_int_eq(strata_vclock_compare(&b, &a), mirror(cases[k].want));
		ck_assert_int_eq(vc_same(&a, &b), cases[k].want == STRATA_EQUAL);
		strata_vclock_free(&a);
		strata_vclock_free(&b);
	}
}
END_TEST

START_TEST(vclock_encoding)
{
	strata_vclock_t v, back;
	vc_make(&v, (const uint64_t[]){UINT64_MAX, 3, 5, 2, 0, 1}, 3);
	static const uint8_t want[] = {
	        0x56, 0x03,                                                       /* 3 */
	        0x00, 0x01,                                                       /* 0: 1 */
	        0x05, 0x02,                                                       /* +5: 2 */
	        0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x03, /* +2^64-6 */
	};
	uint8_t buf[64];
	ck_assert_uint_eq(strata_vclock_encode(&v, buf, sizeof buf), sizeof want);
	ck_assert_mem_eq(buf, want, sizeof want);

	ck_assert_int_eq(strata_vclock_decode(&back, want, sizeof want), 0);
	vc_is(&back, (const uint64_t[]){0, 1, 5, 2, UINT64_MAX, 3}, 3);
	ck_assert_int_eq(strata_vclock_compare(&v, &back), STRATA_EQUAL);
	strata_vclock_free(&back);

	/* The extremes of counters and ids round trip. */
	strata_vclock_free(&v);
	vc_make(&v,
	        (const uint64_t[]){0, UINT64_MAX, 1, 1, UINT64_MAX - 1, 1, UINT64_MAX, UINT64_MAX},
	        4);
	size_t n = strata_vclock_encode(&v, buf, sizeof buf);
	ck_assert_uint_le(n, sizeof buf);
	ck_assert_int_eq(strata_vclock_decode(&back, buf, n), 0);
	ck_assert(vc_same(&v, &back));
	vc_is(&back,
	      (const uint64_t[]){0, UINT64_MAX, 1, 1, UINT64_MAX - 1, 1, UINT64_MAX, UINT64_MAX},
	      4);

	/* Each truncation of a valid encoding, and a trailing byte, are refused. */
	for (size_t len = 0; len < n; len++) {
		strata_vclock_t t;
		ck_assert_int_eq(strata_vclock_decode(&t, buf, len), -EBADMSG);
		ck_assert_uint_eq(t.n, 0);
		ck_assert_ptr_null(t.e);
		strata_vclock_free(&t);
	}
	buf[n] = 0x00;
	strata_vclock_t t;
	ck_assert_int_eq(strata_vclock_decode(&t, buf, n + 1), -EBADMSG);
	ck_assert_uint_eq(t.n, 0);
	strata_vclock_free(&t);
	strata_vclock_free(&back);
	strata_vclock_free(&v);
}
END_TEST

static void vc_rejected(const uint8_t *b, size_t n)
{
	strata_vclock_t out;
	ck_assert_int_eq(strata_vclock_decode(&out, b, n), -EBADMSG);
	ck_assert_uint_eq(out.n, 0); /* empty, and safe to free */
	ck_assert_ptr_null(out.e);
	strata_vclock_free(&out);
}

static void vc_accepted(const uint8_t *b, size_t n, const uint64_t *kv, size_t pairs)
{
	strata_vclock_t out;
	ck_assert_int_eq(strata_vclock_decode(&out, b, n), 0);
	vc_is(&out, kv, pairs);
	strata_vclock_free(&out);
}

START_TEST(vclock_decode_rejects)
{
	/* The valid one the others are made from: {3: 7, 7: 1}. */
	vc_accepted(BYTES(0x56, 0x02, 0x03, 0x07, 0x04, 0x01), (const uint64_t[]){3, 7, 7, 1}, 2);
	/* Wrong tags. */
	vc_rejected(BYTES(0x4c, 0x02, 0x03, 0x07, 0x04, 0x01));
	vc_rejected(BYTES(STRATA_TAG_ITC, 0x02, 0x03, 0x07, 0x04, 0x01));
	vc_rejected(BYTES(STRATA_TAG_GCOUNTER, 0x02, 0x03, 0x07, 0x04, 0x01));
	/* A count larger than the entries present (too few bytes for it, and a short entry). */
	vc_rejected(BYTES(0x56, 0x03, 0x03, 0x07, 0x04, 0x01));
	vc_rejected(BYTES(0x56, 0x03, 0x03, 0x07, 0x04, 0x01, 0x05));
	vc_rejected(BYTES(0x56, 0x02, 0x03, 0x07));
	vc_rejected(BYTES(0x56, 0x01));
	/* A count past STRATA_MAX_REPLICAS, or past 64 bits. */
	vc_rejected(BYTES(0x56, 0x81, 0x80, 0x04, 0x00, 0x01));
	vc_rejected(BYTES(0x56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00,
	                  0x01));
	/* A count smaller than the entries: trailing bytes. */
	vc_rejected(BYTES(0x56, 0x01, 0x03, 0x07, 0x04, 0x01));
	vc_rejected(BYTES(0x56, 0x02, 0x03, 0x07, 0x04, 0x01, 0x00));
	vc_rejected(BYTES(0x56, 0x00, 0x00));
	/* Zero counters (never stored, so never encoded). */
	vc_rejected(BYTES(0x56, 0x01, 0x03, 0x00));
	vc_rejected(BYTES(0x56, 0x02, 0x03, 0x07, 0x04, 0x00));
	/* A zero id gap after the first entry: a duplicate id (gaps are unsigned, so a zero gap
	 * is the only way to write ids out of order). The first gap is the id itself and may
	 * be 0. */
	vc_rejected(BYTES(0x56, 0x02, 0x03, 0x07, 0x00, 0x01));
	vc_rejected(BYTES(0x56, 0x02, 0x00, 0x07, 0x00, 0x01));
	vc_accepted(BYTES(0x56, 0x02, 0x00, 0x07, 0x01, 0x01), (const uint64_t[]){0, 7, 1, 1}, 2);
	/* Gaps past 2^64: from 2^64-2, +1 reaches UINT64_MAX, +2 wraps. */
	vc_accepted(BYTES(0x56, 0x02, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	                  0x01, 0x01, 0x01),
	            (const uint64_t[]){UINT64_MAX - 1, 1, UINT64_MAX, 1}, 2);
	vc_rejected(BYTES(0x56, 0x02, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	                  0x01, 0x02, 0x01));
	vc_rejected(BYTES(0x56, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	                  0x01, 0x01, 0x01));
	vc_rejected(BYTES(0x56, 0x03, 0x05, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                  0xff, 0x01, 0x01, 0x01, 0x01));
	/* Overlong varints in the count, a gap, a counter. */
	vc_rejected(BYTES(0x56, 0x81, 0x00, 0x03, 0x07));
	vc_rejected(BYTES(0x56, 0x01, 0x83, 0x00, 0x07));
	vc_rejected(BYTES(0x56, 0x01, 0x03, 0x87, 0x00));
	/* Nothing at all. */
	vc_rejected(NULL, 0);
	vc_rejected(BYTES(0x56));
}
END_TEST

START_TEST(vclock_limits)
{
	strata_vclock_t v, m, back;
	strata_vclock_init(&v);
	for (uint64_t i = 0; i < STRATA_MAX_REPLICAS; i++)
		REQUIRE_I(strata_vclock_set(&v, i, 1), ==, 0);
	ck_assert_uint_eq(v.n, STRATA_MAX_REPLICAS);
	ck_assert_int_eq(strata_vclock_set(&v, STRATA_MAX_REPLICAS, 1), -ENOSPC);
	ck_assert_int_eq(strata_vclock_tick(&v, UINT64_MAX), -ENOSPC);
	ck_assert_uint_eq(v.n, STRATA_MAX_REPLICAS);
	ck_assert_uint_eq(strata_vclock_get(&v, UINT64_MAX), 0);
	ck_assert_int_eq(strata_vclock_tick(&v, 5), 0); /* existing entries still tick */
	ck_assert_uint_eq(strata_vclock_get(&v, 5), 2);

	/* A merge that would pass the limit fails and leaves v alone. */
	vc_make(&m, (const uint64_t[]){3, 9, UINT64_MAX, 1}, 2);
	ck_assert_int_eq(strata_vclock_merge(&v, &m), -ENOSPC);
	ck_assert_uint_eq(v.n, STRATA_MAX_REPLICAS);
	ck_assert_uint_eq(strata_vclock_get(&v, 3), 1);
	ck_assert_uint_eq(strata_vclock_get(&v, UINT64_MAX), 0);
	/* So does a receive whose tick would add an entry: v restored. */
	strata_vclock_free(&m);
	vc_make(&m, (const uint64_t[]){3, 9}, 1);
	ck_assert_int_eq(strata_vclock_receive(&v, UINT64_MAX, &m), -ENOSPC);
	ck_assert_uint_eq(v.n, STRATA_MAX_REPLICAS);
	ck_assert_uint_eq(strata_vclock_get(&v, 3), 1);
	ck_assert_uint_eq(strata_vclock_get(&v, UINT64_MAX), 0);
	/* A merge that adds no entry succeeds, and the limit still holds after it (the merged
	 * array has room for both inputs, past the limit). */
	ck_assert_int_eq(strata_vclock_merge(&v, &m), 0);
	ck_assert_uint_eq(strata_vclock_get(&v, 3), 9);
	ck_assert_int_eq(strata_vclock_set(&v, UINT64_MAX, 1), -ENOSPC);
	ck_assert_int_eq(strata_vclock_tick(&v, UINT64_MAX), -ENOSPC);
	ck_assert_uint_eq(v.n, STRATA_MAX_REPLICAS);
	vc_check(&v);

	/* The largest clock encodes and decodes. */
	size_t n = strata_vclock_encode(&v, NULL, 0);
	uint8_t *buf = malloc(n + 8);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(strata_vclock_encode(&v, buf, n), n);
	ck_assert_int_eq(strata_vclock_decode(&back, buf, n), 0);
	ck_assert_uint_eq(back.n, STRATA_MAX_REPLICAS);
	ck_assert_int_eq(strata_vclock_compare(&v, &back), STRATA_EQUAL);
	strata_vclock_free(&back);
	free(buf);

	/* A count of one more is refused even with the bytes for it. */
	size_t len = 4 + 2 * (STRATA_MAX_REPLICAS + 1);
	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	struct wbuf w;
	wbuf_init(&w, buf, len);
	wbuf_byte(&w, STRATA_TAG_VCLOCK);
	wbuf_varint(&w, STRATA_MAX_REPLICAS + 1);
	for (size_t i = 0; i <= STRATA_MAX_REPLICAS; i++) {
		wbuf_byte(&w, 1);
		wbuf_byte(&w, 1);
	}
	ck_assert_uint_le(w.len, len);
	vc_rejected(buf, w.len);
	free(buf);

	strata_vclock_free(&m);
	strata_vclock_free(&v);
}
END_TEST

/* ---- vector clocks: randomised algebra ---- */

static void vc_random(struct rng *g, strata_vclock_t *v)
{
	static const uint64_t pool[] = {0, 1, 2, 3, 64, 1000, UINT64_MAX - 1, UINT64_MAX};
	strata_vclock_init(v);
	size_t n = rng_below(g, 7);
	for (size_t i = 0; i < n; i++) {
		uint64_t id = rng_below(g, 4) ? pool[rng_below(g, 8)] : rng_next(g);
		uint64_t c;
		switch (rng_below(g, 4)) {
		case 0:
			c = 1 + rng_below(g, 3);
			break;
		case 1:
			c = 1 + rng_below(g, 1000);
			break;
		case 2:
			c = rng_next(g);
			break;
		default:
			c = UINT64_MAX - rng_below(g, 2);
			break;
		}
		REQUIRE_I(strata_vclock_set(v, id, c ? c : 1), ==, 0);
	}
}

/* A clock derived from a: equal, or a few entries raised (a later state of the same history),
 * or a few lowered too (a concurrent one). */
static void vc_derive(struct rng *g, const strata_vclock_t *a, strata_vclock_t *b)
{
	REQUIRE_I(strata_vclock_copy(a, b), ==, 0);
	size_t k = rng_below(g, 4);
	for (size_t i = 0; i < k; i++) {
		uint64_t id = b->n && rng_below(g, 2) ? b->e[rng_below(g, b->n)].replica
		                                      : rng_below(g, 8);
		uint64_t c = strata_vclock_get(b, id), add = 1 + rng_below(g, 5);
		c = c > UINT64_MAX - add ? UINT64_MAX : c + add;
		REQUIRE_I(strata_vclock_set(b, id, c), ==, 0);
	}
	if (b->n && rng_below(g, 4) == 0) {
		uint64_t id = b->e[rng_below(g, b->n)].replica;
		REQUIRE_I(strata_vclock_set(b, id, strata_vclock_get(b, id) / 2), ==, 0);
	}
}

static enum strata_order vc_oracle(const strata_vclock_t *a, const strata_vclock_t *b)
{
	bool less = false, more = false;
	for (int side = 0; side < 2; side++) {
		const strata_vclock_t *v = side ? b : a;
		for (size_t i = 0; i < v->n; i++) {
			uint64_t x = strata_vclock_get(a, v->e[i].replica);
			uint64_t y = strata_vclock_get(b, v->e[i].replica);
			less |= x < y;
			more |= x > y;
		}
	}
	return less && more ? STRATA_CONCURRENT
	       : less       ? STRATA_BEFORE
	       : more       ? STRATA_AFTER
	                    : STRATA_EQUAL;
}

static void vc_merged(const strata_vclock_t *a, const strata_vclock_t *b, strata_vclock_t *out)
{
	REQUIRE_I(strata_vclock_copy(a, out), ==, 0);
	REQUIRE_I(strata_vclock_merge(out, b), ==, 0);
	vc_check(out);
}

static void vc_below(const strata_vclock_t *a, const strata_vclock_t *m)
{
	enum strata_order o = strata_vclock_compare(a, m);
	REQUIRE(o == STRATA_BEFORE || o == STRATA_EQUAL);
	REQUIRE_I(o == STRATA_EQUAL, ==, vc_same(a, m));
	REQUIRE_I(strata_vclock_compare(m, a), ==, mirror(o));
}

static void vc_property_round(struct rng *g)
{
	strata_vclock_t a, b, c, ab, ba, ab_c, bc, a_bc, aa, back;
	vc_random(g, &a);
	if (rng_below(g, 2))
		vc_derive(g, &a, &b);
	else
		vc_random(g, &b);
	vc_random(g, &c);

	/* Commutative, associative, idempotent. */
	vc_merged(&a, &b, &ab);
	vc_merged(&b, &a, &ba);
	REQUIRE(vc_same(&ab, &ba));
	vc_merged(&ab, &c, &ab_c);
	vc_merged(&b, &c, &bc);
	vc_merged(&a, &bc, &a_bc);
	REQUIRE(vc_same(&ab_c, &a_bc));
	vc_merged(&a, &a, &aa);
	REQUIRE(vc_same(&aa, &a));
	/* The merge is the entry-wise maximum. */
	for (int side = 0; side < 2; side++) {
		const strata_vclock_t *v = side ? &b : &a;
		for (size_t i = 0; i < v->n; i++) {
			uint64_t x = strata_vclock_get(&a, v->e[i].replica);
			uint64_t y = strata_vclock_get(&b, v->e[i].replica);
			REQUIRE_U(strata_vclock_get(&ab, v->e[i].replica), ==, x > y ? x : y);
		}
	}
	REQUIRE_U(ab.n, <=, a.n + b.n);

	/* a, b <= a merge b; compare matches the entry-wise definition and is antisymmetric. */
	vc_below(&a, &ab);
	vc_below(&b, &ab);
	vc_below(&ab, &ab_c);
	enum strata_order o = strata_vclock_compare(&a, &b);
	REQUIRE_I(o, ==, vc_oracle(&a, &b));
	REQUIRE_I(strata_vclock_compare(&b, &a), ==, mirror(o));
	REQUIRE_I(o == STRATA_EQUAL, ==, vc_same(&a, &b));
	if (o == STRATA_BEFORE || o == STRATA_EQUAL)
		REQUIRE(vc_same(&ab, &b));
	if (o == STRATA_AFTER || o == STRATA_EQUAL)
		REQUIRE(vc_same(&ab, &a));

	/* Decoding an encoding gives the same clock back. */
	uint8_t buf[VC_BUF];
	size_t n = vc_enc(&ab_c, buf);
	REQUIRE_I(strata_vclock_decode(&back, buf, n), ==, 0);
	vc_check(&back);
	REQUIRE(vc_same(&back, &ab_c));
	REQUIRE_I(strata_vclock_compare(&back, &ab_c), ==, STRATA_EQUAL);

	strata_vclock_t *all[] = {&a, &b, &c, &ab, &ba, &ab_c, &bc, &a_bc, &aa, &back};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		strata_vclock_free(all[i]);
}

static const uint64_t seeds[] = {1, 42, 0x5eed, 20240601, 0xdeadbeefcafef00dULL};

START_TEST(vclock_properties)
{
	for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
		struct rng g;
		printf("vclock properties: seed %" PRIu64 "\n", seeds[s]);
		fflush(stdout);
		rng_seed(&g, seeds[s]);
		for (int i = 0; i < 400; i++)
			vc_property_round(&g);
	}
}
END_TEST

/* ---- vector clocks (and Lamport clocks) against a simulated message-passing run ----
 *
 * Five processes make local events, send messages and receive them in a random order. Each
 * event records its stamp and the set of events it knows (its causal history, itself
 * included), kept as a bit set: the oracle. Then, for every pair of events, e -> f exactly
 * when f knows e, and the vector clocks must say so. */

#define SIM_PROCS 5
#define SIM_EVENTS 300
#define SIM_WORDS ((SIM_EVENTS + 63) / 64)
#define SIM_INFLIGHT 40

struct sim_event {
	int proc;
	uint64_t counter; /* its process's entry in its stamp */
	strata_vclock_t stamp;
	strata_lamport_t lamport;
	uint64_t know[SIM_WORDS];
};

struct sim_msg {
	int to;
	strata_vclock_t stamp;
	strata_lamport_t lamport;
	uint64_t know[SIM_WORDS];
};

struct sim_proc {
	strata_replica_t id;
	strata_vclock_t clock;
	strata_lamport_t lamport;
	uint64_t know[SIM_WORDS];
	uint64_t events;
};

static bool bit(const uint64_t *set, size_t i)
{
	return set[i / 64] >> (i % 64) & 1;
}

static void sim_record(struct sim_proc *p, int pi, struct sim_event *ev, size_t *nev)
{
	size_t e = (*nev)++;
	p->know[e / 64] |= 1ULL << (e % 64);
	p->events++;
	ev[e].proc = pi;
	ev[e].counter = strata_vclock_get(&p->clock, p->id);
	REQUIRE_U(ev[e].counter, ==, p->events);
	REQUIRE_I(strata_vclock_copy(&p->clock, &ev[e].stamp), ==, 0);
	ev[e].lamport = p->lamport;
	memcpy(ev[e].know, p->know, sizeof ev[e].know);
}

static void sim_run(uint64_t seed)
{
	static const strata_replica_t ids[SIM_PROCS] = {0, 7, 1ULL << 32, UINT64_MAX - 3,
	                                                UINT64_MAX};
	struct sim_proc proc[SIM_PROCS];
	struct sim_msg *fly = calloc(SIM_INFLIGHT, sizeof *fly);
	struct sim_event *ev = calloc(SIM_EVENTS, sizeof *ev);
	size_t nev = 0, nfly = 0, sent = 0, delivered = 0;
	struct rng g;

	ck_assert_ptr_nonnull(fly);
	ck_assert_ptr_nonnull(ev);
	printf("vclock message passing: seed %" PRIu64 "\n", seed);
	fflush(stdout);
	rng_seed(&g, seed);
	memset(proc, 0, sizeof proc);
	for (int i = 0; i < SIM_PROCS; i++) {
		proc[i].id = ids[i];
		strata_vclock_init(&proc[i].clock);
		strata_lamport_init(&proc[i].lamport, ids[i]);
	}

	while (nev < SIM_EVENTS) {
		unsigned what = (unsigned)rng_below(&g, 3);
		if (what == 2 && nfly == 0)
			what = 1;
		if (what == 1 && nfly == SIM_INFLIGHT)
			what = 2;
		if (what == 2) {
			/* Deliver a message, any of those in flight. */
			size_t k = rng_below(&g, nfly);
			struct sim_msg m = fly[k];
			fly[k] = fly[--nfly];
			struct sim_proc *p = &proc[m.to];
			REQUIRE_I(strata_vclock_receive(&p->clock, p->id, &m.stamp), ==, 0);
			REQUIRE_I(strata_lamport_receive(&p->lamport, &m.lamport), ==, 0);
			for (int w = 0; w < SIM_WORDS; w++)
				p->know[w] |= m.know[w];
			sim_record(p, m.to, ev, &nev);
			REQUIRE_I(strata_vclock_compare(&m.stamp, &p->clock), ==, STRATA_BEFORE);
			strata_vclock_free(&m.stamp);
			delivered++;
			continue;
		}
		int pi = (int)rng_below(&g, SIM_PROCS);
		struct sim_proc *p = &proc[pi];
		REQUIRE_I(strata_vclock_tick(&p->clock, p->id), ==, 0);
		REQUIRE_I(strata_lamport_event(&p->lamport), ==, 0);
		sim_record(p, pi, ev, &nev);
		if (what == 1) {
			/* A send: the event's stamp and history travel. */
			struct sim_msg *m = &fly[nfly++];
			m->to = (pi + 1 + (int)rng_below(&g, SIM_PROCS - 1)) % SIM_PROCS;
			REQUIRE_I(strata_vclock_copy(&p->clock, &m->stamp), ==, 0);
			m->lamport = p->lamport;
			memcpy(m->know, p->know, sizeof m->know);
			sent++;
		}
	}
	REQUIRE_U(delivered, >, 20);

	size_t pairs[4] = {0};
	for (size_t e = 0; e < nev; e++) {
		for (size_t f = 0; f < nev; f++) {
			enum strata_order want = e == f               ? STRATA_EQUAL
			                         : bit(ev[f].know, e) ? STRATA_BEFORE
			                         : bit(ev[e].know, f) ? STRATA_AFTER
			                                              : STRATA_CONCURRENT;
			enum strata_order got = strata_vclock_compare(&ev[e].stamp, &ev[f].stamp);
			REQUIRE_MSG(got == want, "seed %" PRIu64 " events %zu, %zu: %s, want %s",
			            seed, e, f, strata_order_name(got), strata_order_name(want));
			pairs[want]++;
			/* f has seen e exactly when e is in f's history. */
			REQUIRE_I(strata_vclock_seen(&ev[f].stamp, ids[ev[e].proc], ev[e].counter),
			          ==, want == STRATA_EQUAL || want == STRATA_BEFORE);
			/* Lamport clocks are consistent with causality, and "concurrent" from them
			 * is never wrong. */
			enum strata_order lo =
			        strata_lamport_compare(&ev[e].lamport, &ev[f].lamport);
			if (want == STRATA_BEFORE)
				REQUIRE_I(lo, ==, STRATA_BEFORE);
			if (lo == STRATA_CONCURRENT)
				REQUIRE_I(want, ==, STRATA_CONCURRENT);
			REQUIRE_I(lo == STRATA_EQUAL, ==, e == f);
		}
	}
	/* The run had all three relations in it. */
	REQUIRE_U(pairs[STRATA_BEFORE], >, 0);
	REQUIRE_U(pairs[STRATA_CONCURRENT], >, 0);

	for (size_t i = 0; i < nev; i++)
		strata_vclock_free(&ev[i].stamp);
	for (size_t i = 0; i < nfly; i++)
		strata_vclock_free(&fly[i].stamp);
	for (int i = 0; i < SIM_PROCS; i++)
		strata_vclock_free(&proc[i].clock);
	free(ev);
	free(fly);
}

START_TEST(vclock_message_passing)
{
	sim_run(3);
	sim_run(77);
	sim_run(0xabcdef);
	sim_run(0x123456789ULL);
}
END_TEST

static Suite *vclock_suite(void)
{
	Suite *s = suite_create("vclock");
	TCase *tc;

	tc = tcase_create("vclock");
	tcase_add_test(tc, vclock_empty);
	tcase_add_test(tc, vclock_set_get);
	tcase_add_test(tc, vclock_copy_independent);
	tcase_add_test(tc, vclock_tick);
	tcase_add_test(tc, vclock_merge);
	tcase_add_test(tc, vclock_receive);
	tcase_add_test(tc, vclock_seen);
	tcase_add_test(tc, vclock_compare_cases);
	tcase_add_test(tc, vclock_encoding);
	tcase_add_test(tc, vclock_decode_rejects);
	tcase_add_test(tc, vclock_limits);
	tcase_add_test(tc, vclock_properties);
	tcase_add_test(tc, vclock_message_passing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(vclock_suite());
}
