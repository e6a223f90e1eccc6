/* bench/causality: libstrata's clocks and CRDTs.
 *
 *   causality [--quick] [--seed N]
 *
 * Table 1: operations per second of each clock and CRDT operation (single thread, this
 * machine; each timed over >= 0.2 s, 0.02 s with --quick).
 * Table 2, "actor explosion": 1,000 replicas (100 with --quick) created and retired over
 * time, at most 40 alive at once, doing events and pairwise synchronisations; every 10 % of
 * creations it prints the encoded size of an interval tree clock against a version vector
 * (64-bit random replica ids) across the live replicas, and a last row after all but one
 * retired. A version vector keeps an entry for every replica that ever made an event; an
 * interval tree clock gives a retired replica's share of the id space back. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strata/strata.h"
#include "timefile.h"

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

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int r)
{
	fprintf(stderr, "causality: %s failed (%d)\n", what, r);
	exit(1);
}

#define OK(x)                                                                                      \
	do {                                                                                       \
		int r_ = (x);                                                                      \
		if (r_ < 0)                                                                        \
			die(#x, r_);                                                               \
	} while (0)

/* The state each timed operation works on. */
struct bench {
	strata_lamport_t lam;
	strata_vclock_t vc, vc2;
	strata_itc_t itc, itc2;
	strata_hlc_t hlc;
	int64_t fake_now;
	strata_clock_t *clk;
	strata_gcounter_t gc;
	strata_orset_t os, os2;
	strata_opcounter_t oc;
	uint8_t buf[4096];
	unsigned long i;
};

static void op_lamport(struct bench *b)
{
	OK(strata_lamport_event(&b->lam));
}

static void op_vc_tick(struct bench *b)
{
	OK(strata_vclock_tick(&b->vc, b->i % 16));
}

static void op_vc_merge(struct bench *b)
{
	OK(strata_vclock_merge(&b->vc, &b->vc2));
}

static void op_vc_compare(struct bench *b)
{
	b->i += strata_vclock_compare(&b->vc, &b->vc2);
}

static void op_vc_encode(struct bench *b)
{
	b->i += strata_vclock_encode(&b->vc, b->buf, sizeof(b->buf));
}

static void op_itc_event(struct bench *b)
{
	OK(strata_itc_event(&b->itc));
}

static void op_itc_forkjoin(struct bench *b)
{
	strata_itc_t other;
	OK(strata_itc_fork(&b->itc, &other));
	OK(strata_itc_event(&other));
	OK(strata_itc_join(&b->itc, &other));
}

static void op_itc_compare(struct bench *b)
{
	b->i += strata_itc_compare(&b->itc, &b->itc2);
}

static void op_itc_encode(struct bench *b)
{
	b->i += strata_itc_encode(&b->itc, b->buf, sizeof(b->buf));
}

static int fake_time(void *ctx, strata_interval_t *out)
{
	int64_t *now = ctx;
	memset(out, 0, sizeof(*out));
	out->local_ns = (*now += 7);
	out->synchronised = 1;
	out->error_ns = 1000;
	out->earliest_ns = out->local_ns - 1000;
	out->latest_ns = out->local_ns + 1000;
	return 0;
}

static void op_hlc_now(struct bench *b)
{
	strata_hlc_ts_t t;
	OK(strata_hlc_now(&b->hlc, &t));
}

static void op_hlc_receive(struct bench *b)
{
	strata_hlc_ts_t m = {b->fake_now + 3, 2}, t;
	OK(strata_hlc_receive(&b->hlc, &m, &t));
}

static void op_clock_now(struct bench *b)
{
	strata_interval_t iv;
	OK(strata_clock_now(b->clk, &iv));
	b->i += iv.synchronised;
}

static void op_gc_add(struct bench *b)
{
	OK(strata_gcounter_add(&b->gc, b->i++ % 8, 1));
}

static void op_or_add(struct bench *b)
{
	char e[8];
	int n = snprintf(e, sizeof(e), "e%lu", b->i++ % 100);
	OK(strata_orset_add(&b->os, b->i % 4, e, (size_t)n));
}

static void op_or_merge(struct bench *b)
{
	OK(strata_orset_merge(&b->os, &b->os2));
}

static void op_oc_add(struct bench *b)
{
	strata_opcounter_op_t op;
	OK(strata_opcounter_add(&b->oc, 1, &op));
	strata_opcounter_op_free(&op);
	if (b->oc.value > 1000000)
		b->oc.value = 0;
}

/* A time file holding a synchronised entry, for strata_clock_now. */
static strata_clock_t *time_file(char *path, size_t len)
{
	struct timespec r, m;
	uint64_t words[TIMEFILE_WORDS] = {0};
	snprintf(path, len, "/tmp/causality-bench-%ld", (long)getpid());
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	struct timefile_entry e = {.synced = true,
	                           .running = true,
	                           .stratum = 2,
	                           .ref_real = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec,
	                           .ref_mono = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec,
	                           .error = 0.001,
	                           .rate = 16e-6,
	                           .max_age = (int64_t)4096e9};
	timefile_store(words, &e);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(words, sizeof(words), 1, f) != 1 || fclose(f) != 0)
		die("writing the time file", -1);
	return strata_clock_open(path);
}

static void setup(struct bench *b, char *path, size_t len)
{
	memset(b, 0, sizeof(*b));
	strata_lamport_init(&b->lam, 1);
	strata_vclock_init(&b->vc);
	strata_vclock_init(&b->vc2);
	for (unsigned r = 0; r < 16; r++) {
		OK(strata_vclock_set(&b->vc, r, 100 + r));
		OK(strata_vclock_set(&b->vc2, r, 200 - r));
	}
	OK(strata_itc_seed(&b->itc));
	for (int k = 0; k < 4; k++) { /* a stamp owning 1/16 of the id space, with history */
		strata_itc_t half;
		OK(strata_itc_fork(&b->itc, &half));
		OK(strata_itc_event(&half));
		OK(strata_itc_event(&b->itc));
		strata_itc_free(&half);
	}
	OK(strata_itc_peek(&b->itc, &b->itc2));
	strata_hlc_init(&b->hlc, 1000000000, fake_time, &b->fake_now);
	b->clk = time_file(path, len);
	strata_gcounter_init(&b->gc);
	strata_orset_init(&b->os);
	strata_orset_init(&b->os2);
	for (int k = 0; k < 100; k++) {
		char e[8];
		int n = snprintf(e, sizeof(e), "e%d", k);
		OK(strata_orset_add(&b->os, 1, e, (size_t)n));
		OK(strata_orset_add(&b->os2, 2, e, (size_t)n));
	}
	strata_opcounter_init(&b->oc, 1);
}

static void teardown(struct bench *b, const char *path)
{
	strata_vclock_free(&b->vc);
	strata_vclock_free(&b->vc2);
	strata_itc_free(&b->itc);
	strata_itc_free(&b->itc2);
	strata_clock_close(b->clk);
	unlink(path);
	strata_gcounter_free(&b->gc);
	strata_orset_free(&b->os);
	strata_orset_free(&b->os2);
	strata_opcounter_free(&b->oc);
}

static const struct {
	const char *name;
	void (*op)(struct bench *b);
} ops[] = {
        {"lamport event", op_lamport},
        {"vclock tick (16 entries)", op_vc_tick},
        {"vclock merge (16 + 16)", op_vc_merge},
        {"vclock compare (16 + 16)", op_vc_compare},
        {"vclock encode (16)", op_vc_encode},
        {"itc event", op_itc_event},
        {"itc fork+event+join", op_itc_forkjoin},
        {"itc compare", op_itc_compare},
        {"itc encode", op_itc_encode},
        {"hlc now", op_hlc_now},
        {"hlc receive", op_hlc_receive},
        {"strata_clock_now (mapped file)", op_clock_now},
        {"gcounter add (8 replicas)", op_gc_add},
        {"orset add (100 elements)", op_or_add},
        {"orset merge (100 + 100)", op_or_merge},
        {"opcounter add", op_oc_add},
};

static void table_ops(double secs)
{
	struct bench b;
	char path[64];
	setup(&b, path, sizeof(path));
	printf("%-32s %14s %10s\n", "OPERATION", "OPS/S", "NS/OP");
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		unsigned long n = 0, batch = 256;
		double t0 = mono(), t;
		do {
			for (unsigned long j = 0; j < batch; j++)
				ops[k].op(&b);
			n += batch;
			t = mono() - t0;
		} while (t < secs);
		printf("%-32s %14.0f %10.1f\n", ops[k].name, (double)n / t, t * 1e9 / (double)n);
	}
	teardown(&b, path);
}

/* --- actor explosion ------------------------------------------------------------------------ */
#define MAX_LIVE 40

struct replica {
	strata_itc_t itc;
	strata_vclock_t vv;
	strata_replica_t id; /* the version vector's id for it */
};

struct churn {
	struct replica live[MAX_LIVE];
	int n;
	unsigned created, retired;
	struct rng g;
};

static size_t itc_size(const struct replica *r)
{
	return strata_itc_encode(&r->itc, NULL, 0);
}

static size_t vv_size(const struct replica *r)
{
	return strata_vclock_encode(&r->vv, NULL, 0);
}

static void churn_row(const struct churn *c)
{
	size_t isum = 0, imax = 0, vsum = 0, vmax = 0, entries = 0;
	for (int k = 0; k < c->n; k++) {
		size_t i = itc_size(&c->live[k]), v = vv_size(&c->live[k]);
		isum += i, vsum += v;
		imax = i > imax ? i : imax;
		vmax = v > vmax ? v : vmax;
		entries = c->live[k].vv.n > entries ? c->live[k].vv.n : entries;
	}
	printf("%8u %8u %5d %10.1f %9zu %10.1f %9zu %10zu\n", c->created, c->retired, c->n,
	       (double)isum / c->n, imax, (double)vsum / c->n, vmax, entries);
}

/* A new replica forked from a live one: half its id space, a copy of its history. */
static void churn_create(struct churn *c)
{
	struct replica *p = &c->live[below(&c->g, (unsigned)c->n)], *r = &c->live[c->n];
	OK(strata_itc_fork(&p->itc, &r->itc));
	OK(strata_vclock_copy(&p->vv, &r->vv));
	r->id = rnd(&c->g);
	c->n++;
	c->created++;
}

/* A replica retires into another: the ITC gives its id back, the VV keeps its entry. */
static void churn_retire(struct churn *c)
{
	int k = (int)below(&c->g, (unsigned)c->n), into = (int)below(&c->g, (unsigned)c->n - 1);
	into += into >= k;
	OK(strata_itc_join(&c->live[into].itc, &c->live[k].itc));
	OK(strata_vclock_merge(&c->live[into].vv, &c->live[k].vv));
	strata_vclock_free(&c->live[k].vv);
	c->live[k] = c->live[--c->n];
	c->retired++;
}

static void churn_event(struct churn *c)
{
	struct replica *r = &c->live[below(&c->g, (unsigned)c->n)];
	OK(strata_itc_event(&r->itc));
	OK(strata_vclock_tick(&r->vv, r->id));
}

/* Two replicas exchange what they know: ITC join then fork, VV merge both ways. */
static void churn_sync(struct churn *c)
{
	int a = (int)below(&c->g, (unsigned)c->n), b = (int)below(&c->g, (unsigned)c->n - 1);
	b += b >= a;
	struct replica *x = &c->live[a], *y = &c->live[b];
	OK(strata_itc_join(&x->itc, &y->itc));
	OK(strata_itc_fork(&x->itc, &y->itc));
	OK(strata_vclock_merge(&x->vv, &y->vv));
	OK(strata_vclock_merge(&y->vv, &x->vv));
}

static void table_churn(unsigned total, uint64_t seed)
{
	struct churn c = {.g = {seed * 0x9e3779b97f4a7c15ULL + 1}};
	unsigned last = 1;
	OK(strata_itc_seed(&c.live[0].itc));
	strata_vclock_init(&c.live[0].vv);
	c.live[0].id = rnd(&c.g);
	c.n = 1;
	c.created = 1;
	printf("%8s %8s %5s %10s %9s %10s %9s %10s\n", "CREATED", "RETIRED", "LIVE", "ITC_MEAN_B",
	       "ITC_MAX_B", "VV_MEAN_B", "VV_MAX_B", "VV_ENTRIES");
	while (c.created < total) {
		unsigned act = below(&c.g, 100);
		if (act < 50)
			churn_event(&c);
		else if (act < 70 && c.n >= 2)
			churn_sync(&c);
		else if (act < 85 && c.n < MAX_LIVE)
			churn_create(&c);
		else if (c.n >= 2)
			churn_retire(&c);
		if (c.created != last && c.created % (total / 10) == 0)
			churn_row(&c);
		last = c.created;
	}
	while (c.n > 1) {
		churn_event(&c);
		churn_retire(&c);
	}
	churn_event(&c); /* the survivor owns the whole id space: its event tree collapses */
	churn_row(&c);
	strata_itc_free(&c.live[0].itc);
	strata_vclock_free(&c.live[0].vv);
}

int main(int argc, char **argv)
{
	bool quick = false;
	uint64_t seed = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: causality [--quick] [--seed N]\n");
			return 2;
		}
	}
	printf("causality: seed %llu%s\n\n", (unsigned long long)seed, quick ? " (quick)" : "");
	table_ops(quick ? 0.02 : 0.2);
	printf("\nActor explosion: %u replicas created and retired, at most %d alive\n",
	       quick ? 100u : 1000u, MAX_LIVE);
	table_churn(quick ? 100 : 1000, seed);
	return 0;
}
