/* CRDTs of libstrata: hand-made cases, decoder rejections, and seeded randomised property
 * tests (merge commutative, associative, idempotent; replicas converge under any delivery
 * order with duplicates; the operation-based counter applies each operation once, in
 * causal order). Equality is equality of the canonical encodings. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "strata/strata.h"

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 2685821657736338717ULL;
}

static unsigned below(struct rng *g, unsigned n)
{
	return (unsigned)(rnd(g) % n);
}

/* --- one interface over the state-based CRDTs, for the property tests ------------------- */
struct crdt {
	const char *name;
	size_t size;
	void (*init)(void *s);
	void (*free)(void *s);
	int (*merge)(void *s, const void *o);
	size_t (*encode)(const void *s, uint8_t *buf, size_t cap);
	int (*decode)(void *s, const uint8_t *buf, size_t len);
	int (*mutate)(void *s, strata_replica_t r, struct rng *g);
};

static int g_mutate(void *s, strata_replica_t r, struct rng *g)
{
	return strata_gcounter_add(s, r, 1 + below(g, 5));
}

static int pn_mutate(void *s, strata_replica_t r, struct rng *g)
{
	return strata_pncounter_add(s, r, (int64_t)below(g, 11) - 5);
}

/* Small ranges, so that equal stamps (and equal stamps at one replica) happen. */
static int lww_mutate(void *s, strata_replica_t r, struct rng *g)
{
	strata_hlc_ts_t t = {(int64_t)below(g, 4), below(g, 3)};
	uint8_t v[3] = {(uint8_t)below(g, 4), (uint8_t)below(g, 4), (uint8_t)below(g, 4)};
	int won = strata_lww_set(s, v, below(g, 4), &t, r);
	return won < 0 ? won : 0;
}

static int or_mutate(void *s, strata_replica_t r, struct rng *g)
{
	char e[2] = {(char)('a' + below(g, 6)), 0};
	if (below(g, 3) == 0)
		return strata_orset_remove(s, e, 1);
	return strata_orset_add(s, r, e, below(g, 4) ? 1 : 0);
}

#define CRDT(n, T, p, m)                                                                           \
	{                                                                                          \
		n, sizeof(T), (void (*)(void *))p##_init, (void (*)(void *))p##_free,              \
		        (int (*)(void *, const void *))p##_merge,                                  \
		        (size_t(*)(const void *, uint8_t *, size_t))p##_encode,                    \
		        (int (*)(void *, const uint8_t *, size_t))p##_decode, m                    \
	}

static const struct crdt crdts[] = {
        CRDT("G-Counter", strata_gcounter_t, strata_gcounter, g_mutate),
        CRDT("PN-Counter", strata_pncounter_t, strata_pncounter, pn_mutate),
        CRDT("LWW-Register", strata_lww_t, strata_lww, lww_mutate),
        CRDT("OR-Set", strata_orset_t, strata_orset, or_mutate),
};
#define N_CRDTS (sizeof(crdts) / sizeof(crdts[0]))

struct enc {
	uint8_t *p;
	size_t n;
};

static struct enc enc_of(const struct crdt *c, const void *s)
{
	struct enc e;
	e.n = c->encode(s, NULL, 0);
	e.p = malloc(e.n);
	ck_assert_ptr_nonnull(e.p);
	ck_assert_uint_eq(c->encode(s, e.p, e.n), e.n);
	return e;
}

static bool enc_eq(struct enc a, struct enc b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* A copy through the codec (which the round trip checks on the way). */
static void *copy_of(const struct crdt *c, const void *s)
{
	void *d = calloc(1, c->size);
	struct enc e = enc_of(c, s);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(c->decode(d, e.p, e.n), 0);
	struct enc e2 = enc_of(c, d);
	ck_assert_msg(enc_eq(e, e2), "%s: decode(encode(x)) encodes differently", c->name);
	free(e.p);
	free(e2.p);
	return d;
}

static void drop(const struct crdt *c, void *s)
{
	c->free(s);
	free(s);
}

/* merge(copy of a, b) */
static void *merged(const struct crdt *c, const void *a, const void *b)
{
	void *m = copy_of(c, a);
	ck_assert_int_eq(c->merge(m, b), 0);
	return m;
}

static void assert_same(const struct crdt *c, const void *x, const void *y, const char *law,
                        uint64_t seed)
{
	struct enc ex = enc_of(c, x), ey = enc_of(c, y);
	ck_assert_msg(enc_eq(ex, ey), "%s: %s fails (seed %llu)", c->name, law,
	              (unsigned long long)seed);
	free(ex.p);
	free(ey.p);
}

#define N_REPLICAS 4

/* Replicas that mutate and merge at random for a while: reachable states sharing history. */
static void evolve(const struct crdt *c, void **rep, struct rng *g, int steps)
{
	for (int i = 0; i < steps; i++) {
		unsigned r = below(g, N_REPLICAS), o = below(g, N_REPLICAS);
		if (below(g, 4))
			ck_assert_int_eq(c->mutate(rep[r], 1000 + r, g), 0);
		else
			ck_assert_int_eq(c->merge(rep[r], rep[o]), 0);
	}
}

static void **replicas(const struct crdt *c)
{
	void **rep = calloc(N_REPLICAS, sizeof(*rep));
	ck_assert_ptr_nonnull(rep);
	for (int i = 0; i < N_REPLICAS; i++) {
		rep[i] = calloc(1, c->size);
		ck_assert_ptr_nonnull(rep[i]);
		c->init(rep[i]);
	}
	return rep;
}

static void replicas_free(const struct crdt *c, void **rep)
{
	for (int i = 0; i < N_REPLICAS; i++)
		drop(c, rep[i]);
	free(rep);
}

START_TEST(merge_laws)
{
	const struct crdt *c = &crdts[_i];
	for (uint64_t seed = 1; seed <= 200; seed++) {
		struct rng g = {seed * 0x9e3779b97f4a7c15ULL};
		void **rep = replicas(c);
		evolve(c, rep, &g, 40);
		void *a = rep[0], *b = rep[1], *x = rep[2];
		void *ab = merged(c, a, b), *ba = merged(c, b, a), *aa = merged(c, a, a);
		assert_same(c, ab, ba, "commutativity", seed);
		assert_same(c, aa, a, "idempotence", seed);
		void *ab_x = merged(c, ab, x), *bx = merged(c, b, x), *a_bx = merged(c, a, bx);
		assert_same(c, ab_x, a_bx, "associativity", seed);
		void *abb = merged(c, ab, b);
		assert_same(c, abb, ab, "absorption (merging b again)", seed);
		drop(c, ab), drop(c, ba), drop(c, aa), drop(c, ab_x), drop(c, bx), drop(c, a_bx);
		drop(c, abb);
		replicas_free(c, rep);
	}
	printf("test_crdt: %s merge laws hold for seeds 1-200\n", c->name);
}
END_TEST

/* Snapshots of replicas sent at random moments, delivered later in random order, some
 * twice; at the end each replica's final state reaches all: every replica equal. */
START_TEST(convergence)
{
	const struct crdt *c = &crdts[_i];
	enum { MAX_MSGS = 64 };
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct rng g = {seed * 0xd1b54a32d192ed03ULL};
		void **rep = replicas(c);
		struct {
			void *state;
			unsigned to;
		} msgs[MAX_MSGS];
		int n = 0;
		for (int step = 0; step < 300; step++) {
			unsigned r = below(&g, N_REPLICAS), act = below(&g, 10);
			if (act < 5) {
				ck_assert_int_eq(c->mutate(rep[r], 1000 + r, &g), 0);
			} else if (act < 8 && n < MAX_MSGS) {
				msgs[n].state = copy_of(c, rep[r]);
				msgs[n++].to = below(&g, N_REPLICAS);
			} else if (n > 0) {
				int k = (int)below(&g, (unsigned)n);
				ck_assert_int_eq(c->merge(rep[msgs[k].to], msgs[k].state), 0);
				if (below(&g, 3)) { /* else: stays, delivered again later */
					drop(c, msgs[k].state);
					msgs[k] = msgs[--n];
				}
			}
		}
		while (n > 0) {
			ck_assert_int_eq(c->merge(rep[msgs[n - 1].to], msgs[n - 1].state), 0);
			drop(c, msgs[--n].state);
		}
		/* Everyone's final state to everyone, in a random order. */
		for (int k = 0; k < N_REPLICAS * N_REPLICAS; k++)
			ck_assert_int_eq(c->merge(rep[below(&g, N_REPLICAS)], rep[k % N_REPLICAS]),
			                 0);
		for (int r = 0; r < N_REPLICAS; r++)
			for (int o = 0; o < N_REPLICAS; o++)
				ck_assert_int_eq(c->merge(rep[r], rep[o]), 0);
		for (int r = 1; r < N_REPLICAS; r++)
			assert_same(c, rep[0], rep[r], "convergence", seed);
		replicas_free(c, rep);
	}
	printf("test_crdt: %s replicas converge for seeds 1-100\n", c->name);
}
END_TEST

/* Every truncation of an evolved state's encoding is rejected cleanly. */
START_TEST(truncations)
{
	const struct crdt *c = &crdts[_i];
	struct rng g = {42};
	void **rep = replicas(c);
	evolve(c, rep, &g, 60);
	struct enc e = enc_of(c, rep[0]);
	for (size_t len = 0; len < e.n; len++) {
		void *d = calloc(1, c->size);
		ck_assert_int_eq(c->decode(d, e.p, len), -EBADMSG);
		drop(c, d);
	}
	uint8_t *longer = malloc(e.n + 1);
	memcpy(longer, e.p, e.n);
	longer[e.n] = 0;
	void *d = calloc(1, c->size);
	ck_assert_int_eq(c->decode(d, longer, e.n + 1), -EBADMSG);
	longer[0] ^= 0x01; /* another type's tag */
	ck_assert_int_eq(c->decode(d, longer, e.n), -EBADMSG);
	drop(c, d);
	free(longer);
	free(e.p);
	replicas_free(c, rep);
}
END_TEST

START_TEST(counters_by_hand)
{
	strata_gcounter_t g, h;
	strata_pncounter_t p, q;
	uint64_t v;
	int64_t s;

	strata_gcounter_init(&g);
	strata_gcounter_init(&h);
	ck_assert_int_eq(strata_gcounter_add(&g, 1, 5), 0);
	ck_assert_int_eq(strata_gcounter_add(&h, 2, 7), 0);
	ck_assert_int_eq(strata_gcounter_add(&h, 1, 3), 0); /* h's view of replica 1: 3 */
	ck_assert_int_eq(strata_gcounter_merge(&g, &h), 0);
	ck_assert_int_eq(strata_gcounter_value(&g, &v), 0);
	ck_assert_uint_eq(v, 12); /* max(5, 3) + 7 */
	ck_assert_int_eq(strata_gcounter_add(&g, 3, UINT64_MAX - 12), 0);
	ck_assert_int_eq(strata_gcounter_add(&g, 3, 1), -EOVERFLOW);
	strata_gcounter_free(&g);
	strata_gcounter_free(&h);

	strata_pncounter_init(&p);
	strata_pncounter_init(&q);
	ck_assert_int_eq(strata_pncounter_add(&p, 1, -10), 0);
	ck_assert_int_eq(strata_pncounter_add(&q, 2, 4), 0);
	ck_assert_int_eq(strata_pncounter_merge(&p, &q), 0);
	ck_assert_int_eq(strata_pncounter_value(&p, &s), 0);
	ck_assert_int_eq(s, -6);
	ck_assert_int_eq(strata_pncounter_add(&p, 1, INT64_MIN), 0);
	ck_assert_int_eq(strata_pncounter_value(&p, &s), -EOVERFLOW); /* -6 + INT64_MIN */
	strata_pncounter_free(&p);
	strata_pncounter_free(&q);
}
END_TEST

START_TEST(lww_by_hand)
{
	strata_lww_t a, b;
	strata_hlc_ts_t t1 = {100, 0}, t2 = {100, 1};

	strata_lww_init(&a);
	strata_lww_init(&b);
	ck_assert_int_eq(strata_lww_set(&a, "old", 3, &t1, 9), 1);
	ck_assert_int_eq(strata_lww_set(&b, "new", 3, &t2, 1), 1);
	ck_assert_int_eq(strata_lww_set(&b, "older", 5, &t1, 9), 0); /* t1 < t2: loses */
	ck_assert_int_eq(strata_lww_merge(&a, &b), 0);
	ck_assert_uint_eq(a.len, 3);
	ck_assert_mem_eq(a.value, "new", 3);
	/* Same stamp: the larger replica id wins. */
	ck_assert_int_eq(strata_lww_set(&a, "x", 1, &t2, 2), 1);
	ck_assert_mem_eq(a.value, "x", 1);
	ck_assert_int_eq(strata_lww_set(&a, "y", 1, &t2, 0), 0);
	strata_hlc_ts_t bad = {-1, 0};
	ck_assert_int_eq(strata_lww_set(&a, "z", 1, &bad, 5), -EINVAL);
	ck_assert_int_eq(strata_lww_set(&a, "z", STRATA_MAX_VALUE_LEN + 1, &t2, 5), -EINVAL);
	strata_lww_free(&a);
	strata_lww_free(&b);
	/* An empty register encodes as tag + 0 and decodes back. */
	uint8_t buf[8];
	ck_assert_uint_eq(strata_lww_encode(&a, buf, sizeof(buf)), 2);
	ck_assert_int_eq(strata_lww_decode(&b, buf, 2), 0);
	ck_assert(!b.set);
	buf[1] = 2;
	ck_assert_int_eq(strata_lww_decode(&b, buf, 2), -EBADMSG);
}
END_TEST

START_TEST(orset_by_hand)
{
	strata_orset_t a, b;

	strata_orset_init(&a);
	strata_orset_init(&b);
	ck_assert_int_eq(strata_orset_add(&a, 1, "milk", 4), 0);
	ck_assert_int_eq(strata_orset_merge(&b, &a), 0);
	ck_assert(strata_orset_contains(&b, "milk", 4));
	/* b removes what it saw; a concurrently re-adds: add wins. */
	ck_assert_int_eq(strata_orset_remove(&b, "milk", 4), 0);
	ck_assert(!strata_orset_contains(&b, "milk", 4));
	ck_assert_int_eq(strata_orset_add(&a, 1, "milk", 4), 0);
	ck_assert_int_eq(strata_orset_merge(&b, &a), 0);
	ck_assert(strata_orset_contains(&b, "milk", 4));
	/* A remove that observed every add removes it everywhere. */
	ck_assert_int_eq(strata_orset_remove(&b, "milk", 4), 0);
	ck_assert_int_eq(strata_orset_merge(&a, &b), 0);
	ck_assert(!strata_orset_contains(&a, "milk", 4));
	ck_assert_uint_eq(a.n, 0);
	/* An add b has not seen survives b's state. */
	ck_assert_int_eq(strata_orset_add(&b, 2, "eggs", 4), 0);
	ck_assert_int_eq(strata_orset_add(&a, 1, "", 0), 0);
	ck_assert_int_eq(strata_orset_merge(&a, &b), 0);
	ck_assert(strata_orset_contains(&a, "eggs", 4));
	ck_assert(strata_orset_contains(&a, "", 0));
	ck_assert_uint_eq(a.n, 2);
	ck_assert_uint_eq(a.el[0].len, 0); /* sorted: "" before "eggs" */
	strata_orset_free(&a);
	strata_orset_free(&b);
}
END_TEST

/* Decoder rejections of hand-built OR-Set encodings. */
static int orset_decode_bytes(const uint8_t *p, size_t n)
{
	strata_orset_t s;
	int r = strata_orset_decode(&s, p, n);
	if (r == 0)
		strata_orset_free(&s);
	return r;
}

START_TEST(orset_rejects)
{
	/* tag, context {1: 2}, 1 element "a" with dot (1, 2) */
	const uint8_t ok[] = {'o', 1, 1, 2, 1, 1, 'a', 1, 1, 2};
	ck_assert_int_eq(orset_decode_bytes(ok, sizeof(ok)), 0);
	const uint8_t unseen[] = {'o', 1, 1, 2, 1, 1, 'a', 1, 1, 3};
	ck_assert_int_eq(orset_decode_bytes(unseen, sizeof(unseen)), -EBADMSG);
	const uint8_t nodots[] = {'o', 1, 1, 2, 1, 1, 'a', 0};
	ck_assert_int_eq(orset_decode_bytes(nodots, sizeof(nodots)), -EBADMSG);
	const uint8_t unsorted[] = {'o', 1, 1, 2, 2, 1, 'b', 1, 1, 1, 1, 'a', 1, 1, 2};
	ck_assert_int_eq(orset_decode_bytes(unsorted, sizeof(unsorted)), -EBADMSG);
	const uint8_t shared[] = {'o', 1, 1, 2, 2, 1, 'a', 1, 1, 2, 1, 'b', 1, 1, 2};
	ck_assert_int_eq(orset_decode_bytes(shared, sizeof(shared)), -EBADMSG);
	const uint8_t dupdot[] = {'o', 1, 1, 2, 1, 1, 'a', 2, 1, 2, 0, 2};
	ck_assert_int_eq(orset_decode_bytes(dupdot, sizeof(dupdot)), -EBADMSG);
	const uint8_t huge[] = {'o', 0, 0xff, 0xff, 0x03};
	ck_assert_int_eq(orset_decode_bytes(huge, sizeof(huge)), -EBADMSG);
}
END_TEST

/* A hand-made causal chain: replica 2's op depends on replica 1's; replica 3 gets them in
 * the wrong order, twice. */
START_TEST(opcounter_causal)
{
	strata_opcounter_t r1, r2, r3;
	strata_opcounter_op_t a, b;

	strata_opcounter_init(&r1, 1);
	strata_opcounter_init(&r2, 2);
	strata_opcounter_init(&r3, 3);
	ck_assert_int_eq(strata_opcounter_add(&r1, 5, &a), 0);
	ck_assert_int_eq(strata_opcounter_deliver(&r2, &a), 1);
	ck_assert_int_eq(strata_opcounter_add(&r2, -2, &b), 0);
	ck_assert_int_eq(strata_opcounter_deliver(&r3, &b), 0); /* waits for a */
	ck_assert_uint_eq(r3.npending, 1);
	ck_assert_int_eq(r3.value, 0);
	ck_assert_int_eq(strata_opcounter_deliver(&r3, &b), 0); /* duplicate while waiting */
	ck_assert_uint_eq(r3.npending, 1);
	ck_assert_int_eq(strata_opcounter_deliver(&r3, &a), 2); /* a, then b */
	ck_assert_int_eq(r3.value, 3);
	ck_assert_int_eq(strata_opcounter_deliver(&r3, &a), 0); /* applied already */
	ck_assert_int_eq(strata_opcounter_deliver(&r1, &b), 1);
	ck_assert_int_eq(r1.value, 3);
	ck_assert_int_eq(strata_opcounter_add(&r1, STRATA_OPCOUNTER_MAX_DELTA + 1, &a), -EINVAL);
	strata_opcounter_op_free(&a);
	strata_opcounter_op_free(&b);
	strata_opcounter_free(&r1);
	strata_opcounter_free(&r2);
	strata_opcounter_free(&r3);
}
END_TEST

/* Random operations at 5 replicas, broadcast through the codec and delivered in a random
 * order with duplicates: every replica applies each once and ends at the same total. */
START_TEST(opcounter_random)
{
	enum { R = 5, OPS = 300 };
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct rng g = {seed * 0x2545f4914f6cdd1dULL};
		strata_opcounter_t rep[R];
		struct enc wire[OPS];
		unsigned origin[OPS];
		int64_t total = 0;
		int n = 0;
		for (int r = 0; r < R; r++)
			strata_opcounter_init(&rep[r], 100 + (strata_replica_t)r);
		while (n < OPS) {
			unsigned r = below(&g, R);
			if (below(&g, 2) && n > 0) { /* a replica hears an earlier op early */
				int k = (int)below(&g, (unsigned)n);
				strata_opcounter_op_t op;
				ck_assert_int_eq(
				        strata_opcounter_op_decode(&op, wire[k].p, wire[k].n), 0);
				ck_assert_int_ge(strata_opcounter_deliver(&rep[r], &op), 0);
				strata_opcounter_op_free(&op);
				continue;
			}
			strata_opcounter_op_t op;
			int64_t d = (int64_t)below(&g, 21) - 10;
			ck_assert_int_eq(strata_opcounter_add(&rep[r], d, &op), 0);
			total += d;
			wire[n].n = strata_opcounter_op_encode(&op, NULL, 0);
			wire[n].p = malloc(wire[n].n);
			strata_opcounter_op_encode(&op, wire[n].p, wire[n].n);
			origin[n++] = r;
			strata_opcounter_op_free(&op);
		}
		for (int r = 0; r < R; r++) {
			/* every op, twice, shuffled */
			int order[2 * OPS];
			for (int k = 0; k < 2 * OPS; k++)
				order[k] = k % OPS;
			for (int k = 2 * OPS - 1; k > 0; k--) {
				int j = (int)below(&g, (unsigned)k + 1), t = order[k];
				order[k] = order[j], order[j] = t;
			}
			for (int k = 0; k < 2 * OPS; k++) {
				strata_opcounter_op_t op;
				const struct enc *w = &wire[order[k]];
				ck_assert_int_eq(strata_opcounter_op_decode(&op, w->p, w->n), 0);
				ck_assert_int_ge(strata_opcounter_deliver(&rep[r], &op), 0);
				strata_opcounter_op_free(&op);
			}
			ck_assert_msg(rep[r].value == total,
			              "seed %llu: replica %d at %lld, not %lld",
			              (unsigned long long)seed, r, (long long)rep[r].value,
			              (long long)total);
			ck_assert_uint_eq(rep[r].npending, 0);
		}
		(void)origin;
		for (int k = 0; k < OPS; k++)
			free(wire[k].p);
		for (int r = 0; r < R; r++)
			strata_opcounter_free(&rep[r]);
	}
	printf("test_crdt: operation-based counter converges for seeds 1-30\n");
}
END_TEST

START_TEST(opcounter_rejects)
{
	strata_opcounter_op_t op;
	/* origin 1, delta +1 (zigzag 2), clock {} : origin missing from its own clock */
	const uint8_t noself[] = {'c', 1, 2, 0};
	ck_assert_int_eq(strata_opcounter_op_decode(&op, noself, sizeof(noself)), -EBADMSG);
	const uint8_t ok[] = {'c', 1, 2, 1, 1, 1};
	ck_assert_int_eq(strata_opcounter_op_decode(&op, ok, sizeof(ok)), 0);
	ck_assert_int_eq(op.delta, 1);
	strata_opcounter_op_free(&op);
	const uint8_t neg[] = {'c', 1, 3, 1, 1, 1};
	ck_assert_int_eq(strata_opcounter_op_decode(&op, neg, sizeof(neg)), 0);
	ck_assert_int_eq(op.delta, -2);
	strata_opcounter_op_free(&op);
	/* zigzag 2^33 + 1: delta -(2^32) - 1, too large */
	const uint8_t big[] = {'c', 1, 0x81, 0x80, 0x80, 0x80, 0x20, 1, 1, 1};
	ck_assert_int_eq(strata_opcounter_op_decode(&op, big, sizeof(big)), -EBADMSG);
}
END_TEST

static Suite *crdt_suite(void)
{
	Suite *s = suite_create("crdt");
	TCase *t = tcase_create("laws");
	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, merge_laws, 0, N_CRDTS);
	tcase_add_loop_test(t, convergence, 0, N_CRDTS);
	tcase_add_loop_test(t, truncations, 0, N_CRDTS);
	suite_add_tcase(s, t);
	TCase *h = tcase_create("cases");
	tcase_add_test(h, counters_by_hand);
	tcase_add_test(h, lww_by_hand);
	tcase_add_test(h, orset_by_hand);
	tcase_add_test(h, orset_rejects);
	tcase_add_test(h, opcounter_causal);
	tcase_add_test(h, opcounter_random);
	tcase_add_test(h, opcounter_rejects);
	suite_add_tcase(s, h);
	return s;
}

int main(void)
{
	return check_run(crdt_suite());
}
