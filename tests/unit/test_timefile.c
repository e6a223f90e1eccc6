/* Unit tests of the bounded-time file (timefile.h: format and arithmetic) and of its reader in
 * libstrata (strata/now.h: strata_clock_open/now/close), on files in a temporary directory.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strata/now.h"
#include "timefile.h"
#include "check_run.h"

/* ---- the format ---- */

static struct timefile_entry sample(void)
{
	return (struct timefile_entry){
	        .synced = true,
	        .running = true,
	        .stratum = 3,
	        .leap = 2,
	        .ref_real = 1700000000123456789LL,
	        .ref_mono = 123456789012LL,
	        .error = 0.0123,
	        .rate = 1.5e-5,
	        .max_age = 64000000000LL,
	        .pid = 4242,
	};
}

static void entry_eq(const struct timefile_entry *a, const struct timefile_entry *b)
{
	ck_assert_int_eq(a->synced, b->synced);
	ck_assert_int_eq(a->running, b->running);
	ck_assert_int_eq(a->stratum, b->stratum);
	ck_assert_int_eq(a->leap, b->leap);
	ck_assert_int_eq(a->ref_real, b->ref_real);
	ck_assert_int_eq(a->ref_mono, b->ref_mono);
	ck_assert_mem_eq(&a->error, &b->error, sizeof a->error); /* bit for bit */
	ck_assert_mem_eq(&a->rate, &b->rate, sizeof a->rate);
	ck_assert_int_eq(a->max_age, b->max_age);
	ck_assert_int_eq(a->pid, b->pid);
}

START_TEST(store_load_round_trip)
{
	uint64_t words[TIMEFILE_WORDS] = {0};
	struct timefile_entry e = sample(), back;

	timefile_store(words, &e);
	ck_assert_uint_eq(words[0], TIMEFILE_MAGIC);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	ck_assert_mem_eq(words, "STRATIM1", 8);
#endif
	ck_assert_uint_eq(words[1], 2); /* even again after the update */
	for (int i = 9; i < TIMEFILE_WORDS; i++)
		ck_assert_uint_eq(words[i], 0); /* reserved */
	memset(&back, 0x55, sizeof back);
	ck_assert_int_eq(timefile_load(words, &back), 0);
	entry_eq(&back, &e);

	/* Every field changed, including the flags off and the extremes of stratum and leap. */
	struct timefile_entry f = {
	        .synced = false,
	        .running = false,
	        .stratum = 16,
	        .leap = 3,
	        .ref_real = -5,
	        .ref_mono = 0,
	        .error = 0,
	        .rate = 0,
	        .max_age = 1,
	        .pid = 0,
	};
	timefile_store(words, &f);
	ck_assert_uint_eq(words[1], 4);
	ck_assert_int_eq(timefile_load(words, &back), 0);
	entry_eq(&back, &f);

	/* Each flag alone, and stratum 1 / leap 1. */
	f.synced = true;
	f.stratum = 1;
	f.leap = 1;
	timefile_store(words, &f);
	ck_assert_int_eq(timefile_load(words, &back), 0);
	entry_eq(&back, &f);
	f.synced = false;
	f.running = true;
	f.leap = 0;
	timefile_store(words, &f);
	ck_assert_int_eq(timefile_load(words, &back), 0);
	entry_eq(&back, &f);

	/* A writer that died mid-update left the counter odd: the next update makes it even. */
	words[1] = 7;
	timefile_store(words, &e);
	ck_assert_uint_eq(words[1], 8);
	ck_assert_int_eq(timefile_load(words, &back), 0);
	entry_eq(&back, &e);
}
END_TEST

static int load_with(void (*change)(struct timefile_entry *))
{
	uint64_t words[TIMEFILE_WORDS] = {0};
	struct timefile_entry e = sample(), back;
	change(&e);
	timefile_store(words, &e);
	return timefile_load(words, &back);
}

static void error_negative(struct timefile_entry *e)
{
	e->error = -0.001;
}
static void error_nan(struct timefile_entry *e)
{
	e->error = NAN;
}
static void error_inf(struct timefile_entry *e)
{
	e->error = INFINITY;
}
static void error_huge(struct timefile_entry *e)
{
	e->error = 1e9;
}
static void error_minus_inf(struct timefile_entry *e)
{
	e->error = -INFINITY;
}
static void rate_negative(struct timefile_entry *e)
{
	e->rate = -1e-9;
}
static void rate_one(struct timefile_entry *e)
{
	e->rate = 1.0;
}
static void rate_nan(struct timefile_entry *e)
{
	e->rate = NAN;
}
static void rate_inf(struct timefile_entry *e)
{
	e->rate = INFINITY;
}
static void max_age_zero(struct timefile_entry *e)
{
	e->max_age = 0;
}
static void max_age_negative(struct timefile_entry *e)
{
	e->max_age = -1;
}
static void max_age_min(struct timefile_entry *e)
{
	e->max_age = INT64_MIN;
}
static void ref_mono_negative(struct timefile_entry *e)
{
	e->ref_mono = -1;
}
static void edges_ok(struct timefile_entry *e)
{
	e->error = 0;
	e->rate = 0;
	e->max_age = 1;
	e->ref_mono = 0;
}
static void edges_high_ok(struct timefile_entry *e)
{
	e->error = 999999999.0;
	e->rate = 0.999;
	e->max_age = INT64_MAX;
	e->ref_mono = INT64_MAX;
}

START_TEST(load_rejects)
{
	void (*bad[])(struct timefile_entry *) = {
	        error_negative,   error_nan,   error_inf,         error_huge, error_minus_inf,
	        rate_negative,    rate_one,    rate_nan,          rate_inf,   max_age_zero,
	        max_age_negative, max_age_min, ref_mono_negative,
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		ck_assert_msg(load_with(bad[k]) == -EBADMSG, "case %zu", k);
	ck_assert_int_eq(load_with(edges_ok), 0);
	ck_assert_int_eq(load_with(edges_high_ok), 0);

	/* A bad magic, and a file of zeros. */
	uint64_t words[TIMEFILE_WORDS] = {0};
	struct timefile_entry e = sample(), back;
	ck_assert_int_eq(timefile_load(words, &back), -EBADMSG);
	timefile_store(words, &e);
	words[0] ^= 1ULL << 40;
	ck_assert_int_eq(timefile_load(words, &back), -EBADMSG);
	words[0] = TIMEFILE_MAGIC;
	ck_assert_int_eq(timefile_load(words, &back), 0);
}
END_TEST

START_TEST(load_busy)
{
	uint64_t words[TIMEFILE_WORDS] = {0};
	struct timefile_entry e = sample(), back;
	timefile_store(words, &e);
	words[1] |= 1; /* the writer is (forever) in the middle of an update */
	memset(&back, 0x55, sizeof back);
	ck_assert_int_eq(timefile_load(words, &back), -EAGAIN);
	words[1] += 1;
	ck_assert_int_eq(timefile_load(words, &back), 0);
	entry_eq(&back, &e);
}
END_TEST

/* A writer thread updates as fast as it can with entries whose fields all derive from one
 * number; every entry a reader gets must be one of them, never a mix of two. */
struct writer {
	uint64_t *words;
	volatile int done;
	long updates;
};

static struct timefile_entry derived(int64_t k)
{
	return (struct timefile_entry){
	        .synced = k & 1,
	        .running = true,
	        .stratum = (int)(k % 16) + 1,
	        .leap = (int)(k % 4),
	        .ref_real = k * 3,
	        .ref_mono = k,
	        .error = (double)k * 1e-6,
	        .rate = (double)k * 1e-12,
	        .max_age = k + 1,
	        .pid = k,
	};
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (int64_t k = 1; k <= w->updates; k++) {
		struct timefile_entry e = derived(k);
		timefile_store(w->words, &e);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(load_concurrent_writer)
{
	static uint64_t words[TIMEFILE_WORDS];
	struct timefile_entry e0 = derived(0), back;
	struct writer w = {.words = words, .updates = 200000};
	pthread_t t;
	long good = 0, torn = 0;

	timefile_store(words, &e0);
	ck_assert_int_eq(pthread_create(&t, NULL, writer_main, &w), 0);
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		int r = timefile_load(words, &back);
		if (r == -EAGAIN)
			continue; /* the writer kept it busy through every retry */
		if (r != 0 || back.pid < 0 || back.pid > w.updates) {
			torn++;
			continue;
		}
		struct timefile_entry want = derived(back.pid);
		if (memcmp(&want.error, &back.error, sizeof back.error) ||
		    memcmp(&want.rate, &back.rate, sizeof back.rate) ||
		    want.synced != back.synced || want.running != back.running ||
		    want.stratum != back.stratum || want.leap != back.leap ||
		    want.ref_real != back.ref_real || want.ref_mono != back.ref_mono ||
		    want.max_age != back.max_age)
			torn++;
		else
			good++;
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(torn, 0);
	ck_assert_int_gt(good, 0);
	ck_assert_int_eq(timefile_load(words, &back), 0);
	struct timefile_entry last = derived(w.updates);
	entry_eq(&back, &last);
}
END_TEST

/* ---- the arithmetic ---- */

#define R0 1700000000000000000LL /* ref_real */
#define M0 5000000000000LL       /* ref_mono */

/* error 0.25 s, rate 2^-10: exactly representable, so the expected values are exact. */
static struct timefile_entry bound_entry(void)
{
	return (struct timefile_entry){
	        .synced = true,
	        .running = true,
	        .stratum = 2,
	        .leap = 0,
	        .ref_real = R0,
	        .ref_mono = M0,
	        .error = 0.25,
	        .rate = 1.0 / 1024,
	        .max_age = 16000000000LL,
	        .pid = 1,
	};
}

/* The bound dmono ns after the entry, the real clock having moved dreal. */
static struct timefile_bound bound_at(const struct timefile_entry *e, int64_t dreal, int64_t dmono)
{
	struct timefile_bound b;
	memset(&b, 0x55, sizeof b);
	timefile_bound(e, R0 + dreal, M0 + dmono, &b);
	return b;
}

static void is_synced(struct timefile_bound b, int64_t error_ns)
{
	ck_assert(b.synced);
	ck_assert_int_eq(b.error_ns, error_ns);
	ck_assert_ptr_null(b.why);
}

static void is_unbounded(struct timefile_bound b, const char *why)
{
	ck_assert(!b.synced);
	ck_assert_int_eq(b.error_ns, INT64_MAX);
	ck_assert_ptr_nonnull(b.why);
	ck_assert_msg(strstr(b.why, why) != NULL, "why \"%s\", want \"%s\"", b.why, why);
}

START_TEST(bound_normal)
{
	struct timefile_entry e = bound_entry();
	/* error + rate * age, rounded up to a nanosecond: 0.25 + 1/1024 s = 250976562.5 ns. */
	is_synced(bound_at(&e, 1000000000, 1000000000), 250976563);
	is_synced(bound_at(&e, 0, 0), 250000000);
	is_synced(bound_at(&e, 4000000000LL, 4000000000LL), 253906250);
	is_synced(bound_at(&e, 1, 1), 250000001); /* 250000000.0009765625 */
	/* Exact values are not rounded further. */
	e.rate = 0;
	e.error = 0.5;
	is_synced(bound_at(&e, 5000000000LL, 5000000000LL), 500000000);
	e.error = 0;
	is_synced(bound_at(&e, 5000000000LL, 5000000000LL), 0);
	/* The largest error an entry may hold. */
	e.error = 999000000.0;
	is_synced(bound_at(&e, 0, 0), 999000000000000000LL);
}
END_TEST

START_TEST(bound_not_running_not_synced)
{
	struct timefile_entry e = bound_entry();
	e.running = false;
	is_unbounded(bound_at(&e, 0, 0), "not running");
	e.synced = false; /* not running wins */
	is_unbounded(bound_at(&e, 0, 0), "not running");
	e.running = true;
	is_unbounded(bound_at(&e, 0, 0), "not synchronised");
}
END_TEST

START_TEST(bound_age)
{
	struct timefile_entry e = bound_entry();
	/* From before the entry: another boot's monotonic clock. */
	is_unbounded(bound_at(&e, -1, -1), "another boot");
	is_unbounded(bound_at(&e, 0, -M0), "another boot");
	/* Up to max_age it holds (0.25 + 16/1024 s); past it the entry is stale. */
	is_synced(bound_at(&e, e.max_age, e.max_age), 265625000);
	is_unbounded(bound_at(&e, e.max_age + 1, e.max_age + 1), "stale");
	is_unbounded(bound_at(&e, 3600000000000LL, 3600000000000LL), "stale");
}
END_TEST

START_TEST(bound_stepped)
{
	struct timefile_entry e = bound_entry();
	const int64_t age = 1000000000;
	/* Allowed: monotonic time + the error bound then (250976562.5 ns) + 1 ms, either way. */
	const int64_t slack = 251976562;
	is_synced(bound_at(&e, age + slack - 1000, age), 250976563);
	is_synced(bound_at(&e, age - slack + 1000, age), 250976563);
	is_unbounded(bound_at(&e, age + slack + 1000, age), "stepped");
	is_unbounded(bound_at(&e, age - slack - 1000, age), "stepped");
	is_unbounded(bound_at(&e, age + 3600000000000LL, age), "stepped");
	is_unbounded(bound_at(&e, -age, age), "stepped");
	/* With no error at all only the 1 ms remains. */
	e.error = 0;
	e.rate = 0;
	is_synced(bound_at(&e, age + 999000, age), 0);
	is_synced(bound_at(&e, age - 999000, age), 0);
	is_unbounded(bound_at(&e, age + 1001000, age), "stepped");
	is_unbounded(bound_at(&e, age - 1001000, age), "stepped");
}
END_TEST

START_TEST(bound_extremes)
{
	struct timefile_entry e = bound_entry();
	struct timefile_bound b;

	/* Real clocks whose difference does not fit in 64 bits: stepped, not a wrapped
	 * difference that happens to look small (nor undefined behaviour). */
	e.ref_real = INT64_MIN + 1000;
	timefile_bound(&e, INT64_MAX - 1000, M0 + 1000, &b);
	is_unbounded(b, "stepped");
	e.ref_real = INT64_MAX - 1000;
	timefile_bound(&e, INT64_MIN + 1000, M0 + 1000, &b);
	is_unbounded(b, "stepped");
	e.ref_real = -R0;
	timefile_bound(&e, R0, M0, &b);
	is_unbounded(b, "stepped");

	/* An error bound past what an int64 holds (a valid entry, a very old one): unbounded,
	 * never a negative or wrapped error. */
	e = bound_entry();
	e.error = 999000000.0;
	e.rate = 0.999;
	e.max_age = INT64_MAX;
	e.ref_mono = 0;
	e.ref_real = 0;
	timefile_bound(&e, INT64_MAX - 1, INT64_MAX - 1, &b);
	is_unbounded(b, "out of range");
	/* Just representable is fine. */
	e.error = 0;
	e.rate = 0.5;
	timefile_bound(&e, 9000000000000000000LL, 9000000000000000000LL, &b);
	ck_assert(b.synced);
	ck_assert_int_gt(b.error_ns, 4499999999000000000LL); /* 4.5e18, give or take rounding */
	ck_assert_int_lt(b.error_ns, 4500000001000000000LL);
}
END_TEST

/* ---- the reader: strata_clock_* on real files ---- */

static char dir[64], path[96];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/strata-tf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/time", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec t;
	ck_assert_int_eq(clock_gettime(id, &t), 0);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* An entry written now, as stratad would. */
static struct timefile_entry live_entry(int stratum, double error)
{
	return (struct timefile_entry){
	        .synced = true,
	        .running = true,
	        .stratum = stratum,
	        .leap = 1,
	        .ref_real = clock_ns(CLOCK_REALTIME),
	        .ref_mono = clock_ns(CLOCK_MONOTONIC),
	        .error = error,
	        .rate = 1e-6,
	        .max_age = 60000000000LL,
	        .pid = getpid(),
	};
}

static void write_bytes(const char *p, const void *buf, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
	ck_assert_int_eq(close(fd), 0);
}

static void write_entry(const char *p, const struct timefile_entry *e)
{
	uint64_t words[TIMEFILE_WORDS] = {0};
	timefile_store(words, e);
	write_bytes(p, words, sizeof words);
}

static strata_interval_t read_now(strata_clock_t *c)
{
	strata_interval_t iv;
	memset(&iv, 0x55, sizeof iv);
	int64_t before = clock_ns(CLOCK_REALTIME);
	ck_assert_int_eq(strata_clock_now(c, &iv), 0);
	int64_t after = clock_ns(CLOCK_REALTIME);
	ck_assert_int_ge(iv.local_ns, before);
	ck_assert_int_le(iv.local_ns, after);
	return iv;
}

/* Synchronised with the entry's stratum and leap, error from error_s (and at most 1 ms more:
 * the rate of 1e-6 over a test's age). */
static void check_synced(const strata_interval_t *iv, int stratum, double error_s)
{
	int64_t err = (int64_t)(error_s * 1e9);
	ck_assert_msg(iv->synchronised, "not synchronised: %s", iv->reason);
	ck_assert_str_eq(iv->reason, "");
	ck_assert_int_eq(iv->stratum, stratum);
	ck_assert_int_eq(iv->leap, 1);
	ck_assert_int_ge(iv->error_ns, err);
	ck_assert_int_le(iv->error_ns, err + 1000000);
	ck_assert_int_eq(iv->earliest_ns, iv->local_ns - iv->error_ns);
	ck_assert_int_eq(iv->latest_ns, iv->local_ns + iv->error_ns);
}

static void check_unsynced(const strata_interval_t *iv, const char *why)
{
	ck_assert(!iv->synchronised);
	ck_assert_int_eq(iv->stratum, 16);
	ck_assert_int_eq(iv->leap, 3);
	ck_assert_int_eq(iv->earliest_ns, INT64_MIN);
	ck_assert_int_eq(iv->latest_ns, INT64_MAX);
	ck_assert_int_eq(iv->error_ns, INT64_MAX);
	ck_assert_msg(strstr(iv->reason, why) != NULL, "reason \"%s\", want \"%s\"", iv->reason,
	              why);
}

/* A fresh reader of file, after writing e to it, reports unbounded for why. */
static void expect_unsynced_entry(const char *file, const struct timefile_entry *e, const char *why)
{
	write_entry(file, e);
	strata_clock_t *c = strata_clock_open(file);
	strata_interval_t iv = read_now(c);
	check_unsynced(&iv, why);
	strata_clock_close(c);
}

START_TEST(clock_synchronised)
{
	struct timefile_entry e = live_entry(3, 0.010);
	write_entry(path, &e);
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	strata_interval_t iv = read_now(c);
	check_synced(&iv, 3, 0.010);
	iv = read_now(c); /* and again, from the same mapping */
	check_synced(&iv, 3, 0.010);
	strata_clock_close(c);
}
END_TEST

START_TEST(clock_missing_file)
{
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	strata_interval_t iv = read_now(c);
	check_unsynced(&iv, path);
	ck_assert_ptr_nonnull(strstr(iv.reason, "no stratad time file"));
	/* The file need not exist yet: each read tries again. */
	struct timefile_entry e = live_entry(4, 0.002);
	write_entry(path, &e);
	iv = read_now(c);
	check_synced(&iv, 4, 0.002);
	strata_clock_close(c);
}
END_TEST

START_TEST(clock_wrong_file)
{
	uint64_t words[TIMEFILE_WORDS + 1] = {0};
	struct timefile_entry e = live_entry(2, 0.001);
	timefile_store(words, &e);
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	strata_interval_t iv;

	static const size_t sizes[] = {0, 8, TIMEFILE_SIZE - 1, TIMEFILE_SIZE + 1, 4096};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		char *buf = calloc(1, sizes[k] + 1);
		ck_assert_ptr_nonnull(buf);
		memcpy(buf, words, sizes[k] < sizeof words ? sizes[k] : sizeof words);
		write_bytes(path, buf, sizes[k]);
		free(buf);
		iv = read_now(c);
		check_unsynced(&iv, path);
		ck_assert_ptr_nonnull(strstr(iv.reason, "is not a stratad time file"));
	}
	/* Not a regular file. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	iv = read_now(c);
	check_unsynced(&iv, path);
	ck_assert_int_eq(rmdir(path), 0);
	/* A symbolic link is not followed, even to a good file. */
	char target[128];
	snprintf(target, sizeof target, "%s/target", dir);
	write_bytes(target, words, TIMEFILE_SIZE);
	ck_assert_int_eq(symlink(target, path), 0);
	iv = read_now(c);
	check_unsynced(&iv, path);
	ck_assert_int_eq(unlink(path), 0);
	/* The right size at last. */
	write_bytes(path, words, TIMEFILE_SIZE);
	iv = read_now(c);
	check_synced(&iv, 2, 0.001);
	strata_clock_close(c);
}
END_TEST

/* The entry in the file is refused or says time is not bounded. */
START_TEST(clock_unbounded_entries)
{
	uint64_t words[TIMEFILE_WORDS] = {0};
	strata_interval_t iv;
	struct timefile_entry e;

	/* No valid entry (zeros: no magic). */
	write_bytes(path, words, sizeof words);
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	iv = read_now(c);
	check_unsynced(&iv, "no valid entry");
	strata_clock_close(c);

	/* The writer never finishes its update. */
	e = live_entry(2, 0.001);
	timefile_store(words, &e);
	words[1] |= 1;
	write_bytes(path, words, sizeof words);
	c = strata_clock_open(path);
	iv = read_now(c);
	check_unsynced(&iv, "being rewritten");
	strata_clock_close(c);

	/* Daemon not running, not synchronised, stale, stepped since. */
	e = live_entry(2, 0.001);
	e.running = false;
	expect_unsynced_entry(path, &e, "not running");

	e = live_entry(2, 0.001);
	e.synced = false;
	expect_unsynced_entry(path, &e, "not synchronised");

	e = live_entry(2, 0.001);
	e.max_age = 1000;
	e.ref_mono -= 1000000;
	expect_unsynced_entry(path, &e, "stale");

	e = live_entry(2, 0.001);
	e.ref_real -= 10000000000LL;
	expect_unsynced_entry(path, &e, "stepped");
}
END_TEST

START_TEST(clock_replaced)
{
	uint64_t words[TIMEFILE_WORDS] = {0};
	char next[128];
	snprintf(next, sizeof next, "%s/time.new", dir);

	/* The old daemon's file, which it keeps open. */
	struct timefile_entry a = live_entry(2, 0.005);
	write_entry(path, &a);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	strata_interval_t iv = read_now(c);
	check_synced(&iv, 2, 0.005);

	/* A new daemon renames its file over the path: the old entry still holds, and is read. */
	struct timefile_entry b = live_entry(5, 0.020);
	write_entry(next, &b);
	ck_assert_int_eq(rename(next, path), 0);
	iv = read_now(c);
	check_synced(&iv, 2, 0.005);

	/* The old daemon says it stopped: the reader moves to the new file. */
	a.running = false;
	timefile_store(words, &a);
	ck_assert_int_eq(pwrite(fd, words, sizeof words, 0), (ssize_t)sizeof words);
	iv = read_now(c);
	check_synced(&iv, 5, 0.020);
	iv = read_now(c);
	check_synced(&iv, 5, 0.020);
	ck_assert_int_eq(close(fd), 0);

	/* The new file removed with its entry still valid: the mapping still holds it. */
	ck_assert_int_eq(unlink(path), 0);
	iv = read_now(c);
	check_synced(&iv, 5, 0.020);
	strata_clock_close(c);
}
END_TEST

START_TEST(clock_stopped_then_gone)
{
	/* The daemon stopped and its file is gone: the reason says so (the file is missing). */
	struct timefile_entry e = live_entry(2, 0.001);
	write_entry(path, &e);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	strata_clock_t *c = strata_clock_open(path);
	strata_interval_t iv = read_now(c);
	check_synced(&iv, 2, 0.001);
	e.running = false;
	uint64_t words[TIMEFILE_WORDS] = {0};
	timefile_store(words, &e);
	ck_assert_int_eq(pwrite(fd, words, sizeof words, 0), (ssize_t)sizeof words);
	ck_assert_int_eq(close(fd), 0);
	iv = read_now(c);
	check_unsynced(&iv, "not running"); /* same file: stays mapped */
	iv = read_now(c);
	check_unsynced(&iv, "not running");
	ck_assert_int_eq(unlink(path), 0);
	iv = read_now(c);
	check_unsynced(&iv, "no stratad time file");
	iv = read_now(c);
	check_unsynced(&iv, "no stratad time file");
	strata_clock_close(c);
}
END_TEST

struct reader {
	strata_clock_t *c;
	int synced, calls;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	for (int i = 0; i < 2000; i++) {
		strata_interval_t iv = {0};
		if (strata_clock_now(r->c, &iv) == 0)
			r->calls++;
		r->synced += iv.synchronised == 1;
	}
	return NULL;
}

START_TEST(clock_threads)
{
	struct timefile_entry e = live_entry(3, 0.010);
	write_entry(path, &e);
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	pthread_t t[4];
	struct reader r[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reader){.c = c};
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader_main, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(r[i].calls, 2000);
		ck_assert_int_eq(r[i].synced, 2000);
	}
	strata_clock_close(c);
}
END_TEST

START_TEST(clock_arguments)
{
	strata_interval_t iv;
	ck_assert_int_eq(strata_clock_now(NULL, &iv), -EINVAL);
	strata_clock_t *c = strata_clock_open(path);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(strata_clock_now(c, NULL), -EINVAL);
	strata_clock_close(c);
	strata_clock_close(NULL);

	/* The default path, and the one-shot call (whatever this machine's daemon says). */
	c = strata_clock_open(NULL);
	ck_assert_ptr_nonnull(c);
	iv = read_now(c);
	ck_assert(iv.synchronised == 0 || iv.synchronised == 1);
	if (!iv.synchronised)
		ck_assert_int_eq(iv.error_ns, INT64_MAX);
	strata_clock_close(c);
	int64_t before = clock_ns(CLOCK_REALTIME);
	ck_assert_int_eq(strata_now(&iv), 0);
	ck_assert_int_ge(iv.local_ns, before);
	ck_assert_int_le(iv.local_ns, clock_ns(CLOCK_REALTIME));
}
END_TEST

static Suite *timefile_suite(void)
{
	Suite *s = suite_create("timefile");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, store_load_round_trip);
	tcase_add_test(tc, load_rejects);
	tcase_add_test(tc, load_busy);
	tcase_add_test(tc, load_concurrent_writer);
	suite_add_tcase(s, tc);

	tc = tcase_create("bound");
	tcase_add_test(tc, bound_normal);
	tcase_add_test(tc, bound_not_running_not_synced);
	tcase_add_test(tc, bound_age);
	tcase_add_test(tc, bound_stepped);
	tcase_add_test(tc, bound_extremes);
	suite_add_tcase(s, tc);

	tc = tcase_create("reader");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, clock_synchronised);
	tcase_add_test(tc, clock_missing_file);
	tcase_add_test(tc, clock_wrong_file);
	tcase_add_test(tc, clock_unbounded_entries);
	tcase_add_test(tc, clock_replaced);
	tcase_add_test(tc, clock_stopped_then_gone);
	tcase_add_test(tc, clock_threads);
	tcase_add_test(tc, clock_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(timefile_suite());
}
