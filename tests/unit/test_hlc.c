/* Unit tests of libstrata's hybrid logical clocks: each branch of the send and receive rules
 * over an injected physical clock, the max-ahead bound, overflow, the codec, the default
 * time source, and nodes with offset clocks exchanging messages (seeded, printed). */
#include "lib_check.h"

/* ---- hybrid logical clocks ---- */

/* The injected physical clock: the interval each call returns, or an error. */
struct fake_clock {
	strata_interval_t iv;
	int fail;
	int calls;
};

static int fake_now(void *ctx, strata_interval_t *out)
{
	struct fake_clock *f = ctx;
	f->calls++;
	if (f->fail)
		return f->fail;
	*out = f->iv;
	return 0;
}

/* Through a call: the HLC reads f through its context pointer, which a linter cannot see. */
static void fake_fail(struct fake_clock *f, int err)
{
	f->fail = err;
}

static void fake_unsynced(struct fake_clock *f, int64_t local)
{
	memset(&f->iv, 0, sizeof f->iv);
	f->iv.local_ns = local;
	f->iv.earliest_ns = INT64_MIN;
	f->iv.latest_ns = INT64_MAX;
	f->iv.error_ns = INT64_MAX;
	f->iv.stratum = 16;
	f->iv.leap = 3;
	snprintf(f->iv.reason, sizeof f->iv.reason, "fake");
}

static void fake_synced(struct fake_clock *f, int64_t local, int64_t error)
{
	memset(&f->iv, 0, sizeof f->iv);
	f->iv.local_ns = local;
	f->iv.earliest_ns = local - error;
	f->iv.latest_ns = local + error;
	f->iv.error_ns = error;
	f->iv.synchronised = 1;
	f->iv.stratum = 2;
}

static strata_hlc_ts_t ts(int64_t wall, uint32_t logical)
{
	return (strata_hlc_ts_t){wall, logical};
}

#define ck_assert_ts(t, w, l)                                                                      \
	do {                                                                                       \
		ck_assert_int_eq((t).wall, (w));                                                   \
		ck_assert_uint_eq((t).logical, (l));                                               \
	} while (0)

START_TEST(hlc_init)
{
	struct fake_clock f = {0};
	strata_hlc_t h;
	strata_hlc_init(&h, -5, fake_now, &f);
	ck_assert_ts(h.last, 0, 0);
	ck_assert_int_eq(h.max_ahead_ns, 0);
	ck_assert_ptr_eq(h.now_ctx, &f);
	strata_hlc_init(&h, 1000, fake_now, &f);
	ck_assert_int_eq(h.max_ahead_ns, 1000);
	ck_assert_int_eq(f.calls, 0);
}
END_TEST

START_TEST(hlc_local_events)
{
	struct fake_clock f = {0};
	strata_hlc_t h;
	strata_hlc_ts_t t, prev = ts(0, 0);
	strata_hlc_init(&h, 0, fake_now, &f);

	static const struct {
		int64_t pt, wall;
		uint32_t logical;
	} steps[] = {
	        {1000, 1000, 0},                  /* forward */
	        {2000, 2000, 0},                  /* forward */
	        {2000, 2000, 1},                  /* standing still */
	        {2000, 2000, 2}, {1500, 2000, 3}, /* backwards */
	        {1999, 2000, 4}, {2000, 2000, 5}, /* back at the wall */
	        {2001, 2001, 0},                  /* past the wall: logical resets */
	        {2001, 2001, 1}, {5, 2001, 2},    /* far back */
	        {3000, 3000, 0},
	};
	for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
		fake_unsynced(&f, steps[k].pt);
		ck_assert_int_eq(strata_hlc_now(&h, &t), 0);
		ck_assert_ts(t, steps[k].wall, steps[k].logical);
		ck_assert_ts(h.last, steps[k].wall, steps[k].logical);
		ck_assert_int_eq(strata_hlc_compare(&t, &prev), STRATA_AFTER);
		ck_assert_int_ge(t.wall, steps[k].pt);
		prev = t;
	}
	ck_assert_int_eq(f.calls, (int)(sizeof steps / sizeof *steps));

	/* A synchronised interval changes nothing for local events: local time counts. */
	fake_synced(&f, 4000, 100);
	ck_assert_int_eq(strata_hlc_now(&h, &t), 0);
	ck_assert_ts(t, 4000, 0);
}
END_TEST

START_TEST(hlc_time_errors)
{
	struct fake_clock f = {0};
	strata_hlc_t h;
	strata_hlc_ts_t t = ts(77, 7), m = ts(10, 0);
	strata_hlc_init(&h, INT64_MAX, fake_now, &f);
	h.last = ts(100, 4);

	fake_fail(&f, -EIO);
	ck_assert_int_eq(strata_hlc_now(&h, &t), -EIO);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &t), -EIO);
	ck_assert_ts(h.last, 100, 4);
	ck_assert_ts(t, 77, 7);

	/* A physical time before 1970 is out of range. */
	fake_fail(&f, 0);
	fake_unsynced(&f, -1);
	ck_assert_int_eq(strata_hlc_now(&h, &t), -ERANGE);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &t), -ERANGE);
	ck_assert_ts(h.last, 100, 4);
	ck_assert_ts(t, 77, 7);
}
END_TEST

/* One receive at physical time pt by a clock whose latest stamp is last. */
static strata_hlc_ts_t recv_at(int64_t pt, strata_hlc_ts_t last, strata_hlc_ts_t m)
{
	struct fake_clock f = {0};
	strata_hlc_t h;
	strata_hlc_ts_t out;
	strata_hlc_init(&h, INT64_MAX, fake_now, &f);
	h.last = last;
	fake_unsynced(&f, pt);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_int_eq(strata_hlc_compare(&h.last, &out), STRATA_EQUAL);
	ck_assert_int_eq(strata_hlc_compare(&out, &last), STRATA_AFTER);
	ck_assert_int_eq(strata_hlc_compare(&out, &m), STRATA_AFTER);
	ck_assert_int_ge(out.wall, pt);
	return out;
}

START_TEST(hlc_receive_branches)
{
	/* Physical time is past both: it wins, logical 0. */
	ck_assert_ts(recv_at(200, ts(100, 5), ts(90, 7)), 200, 0);
	ck_assert_ts(recv_at(151, ts(100, 5), ts(150, 9)), 151, 0);
	/* Our wall and the message's are equal and ahead: the larger logical + 1. */
	ck_assert_ts(recv_at(50, ts(100, 5), ts(100, 7)), 100, 8);
	ck_assert_ts(recv_at(50, ts(100, 9), ts(100, 7)), 100, 10);
	ck_assert_ts(recv_at(100, ts(100, 5), ts(100, 7)), 100, 8); /* pt equal too */
	ck_assert_ts(recv_at(0, ts(0, 0), ts(0, 0)), 0, 1);
	/* Ours is ahead: our logical + 1. */
	ck_assert_ts(recv_at(50, ts(100, 5), ts(90, 9)), 100, 6);
	ck_assert_ts(recv_at(100, ts(100, 5), ts(90, 9)), 100, 6);
	ck_assert_ts(recv_at(50, ts(100, 0), ts(99, UINT32_MAX)), 100, 1);
	/* The message's is ahead: its logical + 1. */
	ck_assert_ts(recv_at(120, ts(100, 5), ts(150, 2)), 150, 3);
	ck_assert_ts(recv_at(150, ts(100, 5), ts(150, 2)), 150, 3);
	ck_assert_ts(recv_at(10, ts(0, 0), ts(150, 0)), 150, 1);
}
END_TEST

START_TEST(hlc_receive_range)
{
	struct fake_clock f = {0};
	strata_hlc_t h;
	strata_hlc_ts_t out = ts(1, 1), m;

	/* Not synchronised: the local clock + max_ahead. */
	strata_hlc_init(&h, 100, fake_now, &f);
	h.last = ts(500, 2);
	fake_unsynced(&f, 1000);
	m = ts(1101, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	m = ts(1105, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	m = ts(INT64_MAX, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	m = ts(-1, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	ck_assert_ts(h.last, 500, 2);
	ck_assert_ts(out, 1, 1);
	m = ts(1100, 4);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, 1100, 5);

	/* Synchronised: the latest possible true time + max_ahead. */
	strata_hlc_init(&h, 100, fake_now, &f);
	h.last = ts(500, 2);
	fake_synced(&f, 1000, 10);
	m = ts(1111, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	ck_assert_ts(h.last, 500, 2);
	m = ts(1105, 3); /* refused above when not synchronised */
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, 1105, 4);
	m = ts(1110, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, 1110, 1);

	/* max_ahead 0: nothing past the local clock. */
	strata_hlc_init(&h, 0, fake_now, &f);
	fake_unsynced(&f, 1000);
	m = ts(1001, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	ck_assert_ts(h.last, 0, 0);
	m = ts(1000, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, 1000, 1);

	/* The horizon saturates instead of wrapping. */
	strata_hlc_init(&h, INT64_MAX, fake_now, &f);
	fake_synced(&f, 1000, 10);
	m = ts(INT64_MAX, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, INT64_MAX, 1);
	strata_hlc_init(&h, 10, fake_now, &f);
	fake_unsynced(&f, INT64_MAX - 5);
	m = ts(INT64_MAX, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, INT64_MAX, 1);
}
END_TEST

START_TEST(hlc_overflow)
{
	struct fake_clock f = {0};
	strata_hlc_t h;
	strata_hlc_ts_t out = ts(1, 1), m;
	strata_hlc_init(&h, INT64_MAX, fake_now, &f);

	h.last = ts(100, UINT32_MAX);
	fake_unsynced(&f, 50);
	ck_assert_int_eq(strata_hlc_now(&h, &out), -EOVERFLOW);
	fake_unsynced(&f, 100);
	ck_assert_int_eq(strata_hlc_now(&h, &out), -EOVERFLOW);
	ck_assert_ts(h.last, 100, UINT32_MAX);
	ck_assert_ts(out, 1, 1);
	/* Each receive branch that increments. */
	m = ts(100, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -EOVERFLOW);
	m = ts(90, 0);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -EOVERFLOW);
	ck_assert_ts(h.last, 100, UINT32_MAX);
	h.last = ts(100, 0);
	m = ts(100, UINT32_MAX);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -EOVERFLOW);
	h.last = ts(0, 0);
	m = ts(200, UINT32_MAX);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -EOVERFLOW);
	ck_assert_ts(h.last, 0, 0);
	ck_assert_ts(out, 1, 1);
	/* Up to UINT32_MAX is fine. */
	h.last = ts(100, UINT32_MAX - 1);
	m = ts(100, UINT32_MAX - 2);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, 100, UINT32_MAX);
	/* Once physical time passes the wall the counter starts again. */
	fake_unsynced(&f, 101);
	ck_assert_int_eq(strata_hlc_now(&h, &out), 0);
	ck_assert_ts(out, 101, 0);
	h.last = ts(100, UINT32_MAX);
	m = ts(100, UINT32_MAX);
	fake_unsynced(&f, 201);
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), 0);
	ck_assert_ts(out, 201, 0);
}
END_TEST

START_TEST(hlc_compare)
{
	strata_hlc_ts_t a = ts(100, 5), b = ts(100, 6), c = ts(101, 0), d = ts(100, 5);
	ck_assert_int_eq(strata_hlc_compare(&a, &d), STRATA_EQUAL);
	ck_assert_int_eq(strata_hlc_compare(&a, &b), STRATA_BEFORE);
	ck_assert_int_eq(strata_hlc_compare(&b, &a), STRATA_AFTER);
	ck_assert_int_eq(strata_hlc_compare(&b, &c), STRATA_BEFORE); /* wall first */
	ck_assert_int_eq(strata_hlc_compare(&c, &b), STRATA_AFTER);
	strata_hlc_ts_t lo = ts(0, UINT32_MAX), hi = ts(INT64_MAX, 0);
	ck_assert_int_eq(strata_hlc_compare(&lo, &hi), STRATA_BEFORE);
	ck_assert_int_eq(strata_hlc_compare(&hi, &lo), STRATA_AFTER);
}
END_TEST

START_TEST(hlc_codec)
{
	static const strata_hlc_ts_t cases[] = {
	        {0, 0},          {300, 1}, {1700000000123456789LL, 42}, {INT64_MAX, UINT32_MAX},
	        {1, UINT32_MAX},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		uint8_t buf[32];
		strata_hlc_ts_t back = ts(-7, 7);
		size_t n = strata_hlc_encode(&cases[k], buf, sizeof buf);
		ck_assert_uint_le(n, sizeof buf);
		ck_assert_uint_eq(buf[0], STRATA_TAG_HLC);
		ck_assert_int_eq(strata_hlc_decode(&back, buf, n), 0);
		ck_assert_int_eq(strata_hlc_compare(&back, &cases[k]), STRATA_EQUAL);
		for (size_t len = 0; len < n; len++)
			ck_assert_int_eq(strata_hlc_decode(&back, buf, len), -EBADMSG);
		buf[n] = 0;
		ck_assert_int_eq(strata_hlc_decode(&back, buf, n + 1), -EBADMSG);
	}

	uint8_t buf[32];
	strata_hlc_ts_t t = ts(300, 1), out;
	ck_assert_uint_eq(strata_hlc_encode(&t, buf, sizeof buf), 4);
	ck_assert_mem_eq(buf, "\x48\xac\x02\x01", 4);

	/* A negative wall cannot be encoded: what comes out does not decode. */
	static const int64_t negative[] = {-1, -300, INT64_MIN};
	for (size_t k = 0; k < sizeof negative / sizeof *negative; k++) {
		t = ts(negative[k], 0);
		size_t n = strata_hlc_encode(&t, buf, sizeof buf);
		ck_assert_uint_le(n, sizeof buf);
		ck_assert_int_eq(strata_hlc_decode(&out, buf, n), -EBADMSG);
	}

	/* INT64_MAX is the largest wall, UINT32_MAX the largest logical. */
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                               0xff, 0xff, 0x7f, 0x00)),
	                 0);
	ck_assert_ts(out, INT64_MAX, 0);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	                                               0x80, 0x80, 0x80, 0x01, 0x00)),
	                 -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                               0xff, 0xff, 0xff, 0x01, 0x00)),
	                 -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f)),
	                 0);
	ck_assert_ts(out, 0, UINT32_MAX);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10)),
	                 -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                               0xff, 0xff, 0xff, 0xff, 0x01)),
	                 -EBADMSG);
	/* Trailing bytes, wrong tags, overlong numbers, nothing. */
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x01, 0x01, 0x00)), -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x4c, 0x01, 0x01)), -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x56, 0x01, 0x01)), -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x81, 0x00, 0x01)), -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x01, 0x81, 0x00)), -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, BYTES(0x48, 0x01)), -EBADMSG);
	ck_assert_int_eq(strata_hlc_decode(&out, NULL, 0), -EBADMSG);
	ck_assert_ts(out, 0, UINT32_MAX); /* refusals left out alone */
}
END_TEST

static int64_t realtime_ns(void)
{
	struct timespec t;
	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &t), 0);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

START_TEST(hlc_default_time)
{
	/* No time function: strata_clock_now on the clock given, here one without a file, so
	 * physical time is the local clock. */
	strata_clock_t *c = strata_clock_open("/nonexistent/strata-test/time");
	ck_assert_ptr_nonnull(c);
	strata_hlc_t h;
	strata_hlc_ts_t a, b;
	strata_hlc_init(&h, 0, NULL, c);
	int64_t before = realtime_ns();
	ck_assert_int_eq(strata_hlc_now(&h, &a), 0);
	ck_assert_int_eq(strata_hlc_now(&h, &b), 0);
	int64_t after = realtime_ns();
	ck_assert_int_ge(a.wall, before);
	ck_assert_int_le(b.wall, after);
	ck_assert_int_eq(strata_hlc_compare(&a, &b), STRATA_BEFORE);
	/* A remote stamp a second ahead is refused with max_ahead 0. */
	strata_hlc_ts_t m = ts(after + 1000000000, 0), out;
	ck_assert_int_eq(strata_hlc_receive(&h, &m, &out), -ERANGE);
	strata_clock_close(c);

	/* Nor a clock: strata_now(). */
	strata_hlc_init(&h, 0, NULL, NULL);
	ck_assert_int_eq(strata_hlc_now(&h, &a), 0);
	ck_assert_int_gt(a.wall, 0);
}
END_TEST

/* ---- hybrid logical clocks: nodes with offset clocks exchanging messages ----
 *
 * True time T advances in random steps (sometimes none). Node i's physical clock reads
 * T + offset[i] + jitter, jitter in [0, J): so it stands still or steps back at times. Every
 * wall value comes from some physical reading, none past T + max offset + J, so at every node
 * 0 <= wall - physical <= (max offset - min offset) + J. */

#define HLC_NODES 4
#define HLC_STEPS 4000
#define HLC_JITTER 50000
#define HLC_INFLIGHT 32

struct hlc_msg {
	int to;
	strata_hlc_ts_t stamp;
};

static void hlc_run(uint64_t seed, bool synced)
{
	struct fake_clock f[HLC_NODES];
	strata_hlc_t h[HLC_NODES];
	strata_hlc_ts_t prev[HLC_NODES];
	int64_t off[HLC_NODES], lo = INT64_MAX, hi = INT64_MIN;
	struct hlc_msg fly[HLC_INFLIGHT];
	size_t nfly = 0, received = 0;
	int64_t T = 1700000000000000000LL, worst = 0;
	struct rng g;

	printf("hlc message passing: seed %" PRIu64 "%s\n", seed, synced ? " (synchronised)" : "");
	fflush(stdout);
	rng_seed(&g, seed);
	for (int i = 0; i < HLC_NODES; i++) {
		off[i] = (int64_t)rng_below(&g, 10000001) - 5000000; /* +-5 ms */
		lo = off[i] < lo ? off[i] : lo;
		hi = off[i] > hi ? off[i] : hi;
	}
	const int64_t bound = hi - lo + HLC_JITTER;
	for (int i = 0; i < HLC_NODES; i++) {
		memset(&f[i], 0, sizeof f[i]);
		/* Accept whatever the bound allows: horizon = local (+ error) + max_ahead. */
		strata_hlc_init(&h[i], synced ? hi - lo : bound, fake_now, &f[i]);
		prev[i] = ts(0, 0);
	}

	for (int step = 0; step < HLC_STEPS; step++) {
		if (rng_below(&g, 4))
			T += (int64_t)rng_below(&g, 200000);
		unsigned what = (unsigned)rng_below(&g, 3);
		if (what == 2 && nfly == 0)
			what = 1;
		if (what == 1 && nfly == HLC_INFLIGHT)
			what = 2;
		struct hlc_msg m = {0};
		int i;
		if (what == 2) {
			size_t k = rng_below(&g, nfly);
			m = fly[k];
			fly[k] = fly[--nfly];
			i = m.to;
		} else {
			i = (int)rng_below(&g, HLC_NODES);
		}
		int64_t pt = T + off[i] + (int64_t)rng_below(&g, HLC_JITTER);
		if (synced)
			fake_synced(&f[i], pt, HLC_JITTER);
		else
			fake_unsynced(&f[i], pt);
		strata_hlc_ts_t t;
		if (what == 2) {
			REQUIRE_I(strata_hlc_receive(&h[i], &m.stamp, &t), ==, 0);
			REQUIRE_I(strata_hlc_compare(&t, &m.stamp), ==, STRATA_AFTER);
			received++;
		} else {
			REQUIRE_I(strata_hlc_now(&h[i], &t), ==, 0);
			if (what == 1) {
				fly[nfly].to =
				        (i + 1 + (int)rng_below(&g, HLC_NODES - 1)) % HLC_NODES;
				fly[nfly++].stamp = t;
			}
		}
		REQUIRE_I(strata_hlc_compare(&t, &prev[i]), ==, STRATA_AFTER);
		prev[i] = t;
		REQUIRE_I(t.wall - pt, >=, 0);
		REQUIRE_MSG(t.wall - pt <= bound,
		            "seed %" PRIu64 " step %d: wall %" PRId64 " is %" PRId64
		            " ns past physical, bound %" PRId64,
		            seed, step, t.wall, t.wall - pt, bound);
		worst = t.wall - pt > worst ? t.wall - pt : worst;
	}
	REQUIRE_U(received, >, 100);
	REQUIRE_I(worst, >, 0); /* the messages did drag clocks ahead */
}

START_TEST(hlc_message_passing)
{
	hlc_run(5, false);
	hlc_run(99, false);
	hlc_run(0xfeedface, true);
	hlc_run(31337, true);
}
END_TEST

static Suite *hlc_suite(void)
{
	Suite *s = suite_create("hlc");
	TCase *tc;

	tc = tcase_create("hlc");
	tcase_add_test(tc, hlc_init);
	tcase_add_test(tc, hlc_local_events);
	tcase_add_test(tc, hlc_time_errors);
	tcase_add_test(tc, hlc_receive_branches);
	tcase_add_test(tc, hlc_receive_range);
	tcase_add_test(tc, hlc_overflow);
	tcase_add_test(tc, hlc_compare);
	tcase_add_test(tc, hlc_codec);
	tcase_add_test(tc, hlc_default_time);
	tcase_add_test(tc, hlc_message_passing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(hlc_suite());
}
