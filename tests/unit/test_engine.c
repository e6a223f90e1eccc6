/* Unit tests for core/engine: requests out, replies in, actions out; the policy of the
 * discipline applied through the whole engine (slew, step, refuse), -x (no clock control),
 * and the published system state. A fake server answers with a chosen offset. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/leaplist.h"
#include "core/packet.h"
#include "check_run.h"

#define EPOCH 0xeeb73300u /* NTP seconds, late 2026 */

struct world {
	struct engine *e;
	uint64_t rng;
	double t;          /* true time = monotonic time, s */
	double clock_off;  /* local clock minus true time, s */
	double server_off; /* server clock minus true time, s */
	int server_leap;   /* leap indicator the server sends */
	unsigned silent;   /* bit i set: source i never answers */
	int steps, freqs, sends;
	int expired_logs; /* "leap seconds list has expired" messages */
	double last_freq, stepped;
};

static uint64_t rng(void *ctx)
{
	uint64_t *s = ctx, z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static ntp_ts_t ts(double seconds)
{
	return ntp_ts_add((ntp_ts_t)EPOCH << 32, seconds);
}

static void setup(struct world *w, bool control, double clock_off)
{
	memset(w, 0, sizeof(*w));
	w->rng = 42;
	w->clock_off = clock_off;
	struct engine_config c;
	engine_config_default(&c);
	c.rng = rng;
	c.rng_ctx = &w->rng;
	c.control_clock = control;
	ck_assert_int_eq(engine_new(&c, &w->e), 0);
	struct source_config sc = {
	        .minpoll = 4, .maxpoll = 6, .iburst = true, .local_precision = -20};
	ck_assert_int_eq(engine_add_source(w->e, &sc, "srv", 0x7f000001, 0.0), 0);
}

/* Answer a request as a perfect stratum-1 server would, 100 us each way. */
static void answer(struct world *w, const struct engine_action *a)
{
	struct ntp_packet req, rep;
	if (w->silent & (1u << a->source))
		return;
	ck_assert_int_eq(ntp_packet_parse(a->buf, a->len, &req), NTP_PARSE_OK);
	memset(&rep, 0, sizeof(rep));
	rep.version = 4;
	rep.leap = (uint8_t)w->server_leap;
	rep.mode = NTP_MODE_SERVER;
	rep.stratum = 1;
	rep.precision = -20;
	rep.refid = 0x47505300; /* "GPS" */
	rep.org = req.xmt;
	rep.rec = ts(w->t + 100e-6 + w->server_off);
	rep.xmt = ts(w->t + 110e-6 + w->server_off);
	rep.ref = ts(w->t - 1 + w->server_off);
	uint8_t buf[48];
	ntp_packet_serialize(&rep, buf, sizeof(buf));
	double arrive = w->t + 210e-6;
	engine_receive(w->e, a->source, buf, 48, ts(arrive + w->clock_off), arrive);
}

static void drain(struct world *w)
{
	struct engine_action a;
	while (engine_next_action(w->e, &a)) {
		switch (a.type) {
		case ENGINE_ACT_SEND:
			w->sends++;
			answer(w, &a);
			break;
		case ENGINE_ACT_FREQUENCY:
			ck_assert(isfinite(a.value));
			w->freqs++;
			w->last_freq = a.value;
			break;
		case ENGINE_ACT_STEP:
			w->steps++;
			w->stepped += a.value;
			w->clock_off += a.value;
			break;
		case ENGINE_ACT_LOG:
			if (strstr(a.text, "leap seconds list has expired"))
				w->expired_logs++;
			break;
		default:
			break;
		}
	}
}

/* Run until true time `until`, ticking whenever the engine asks. */
static void run(struct world *w, double until)
{
	while (w->t < until) {
		double next = engine_next_timer(w->e);
		w->t = fmin(fmax(next, w->t), until);
		engine_tick(w->e, w->t, ts(w->t + w->clock_off));
		drain(w);
		if (next > until)
			break;
	}
}

START_TEST(synchronises_and_publishes)
{
	struct world w;
	setup(&w, true, 0.0);
	run(&w, 20.0);
	ck_assert_int_ge(w.sends, 6); /* the iburst */
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert_int_eq(sys.system_peer, 0);
	ck_assert_int_eq(sys.stratum, 2);
	ck_assert_uint_eq(sys.refid, 0x7f000001);
	ck_assert(fabs(sys.offset) < 1e-6);
	ck_assert(sys.root_delay > 0 && sys.root_delay < 1e-3);
	ck_assert(sys.error_bound > 0 && sys.error_bound < 0.01);
	ck_assert_int_eq(w.steps, 0);
	struct engine_source_info si;
	ck_assert_int_eq(engine_get_source(w.e, 0, &si), 0);
	ck_assert_str_eq(si.select_status, "selected");
	ck_assert_str_eq(si.name, "srv");
	ck_assert_int_ge(si.n_samples, 6);
	ck_assert_int_eq(engine_get_source(w.e, 5, &si), -ENOENT);
	engine_free(w.e);
}
END_TEST

START_TEST(small_offset_is_slewed)
{
	struct world w;
	setup(&w, true, 0.0);
	w.server_off = 0.05; /* we are 50 ms behind */
	run(&w, 1.0);
	ck_assert_int_eq(w.steps, 0);
	ck_assert_int_ge(w.freqs, 1);
	ck_assert(w.last_freq > 1000.0); /* slewing forward fast */
	engine_free(w.e);
}
END_TEST

START_TEST(large_offset_is_stepped_at_start_only)
{
	struct world w;
	setup(&w, true, 0.0);
	w.server_off = 5.0;
	run(&w, 1.0);
	ck_assert_int_eq(w.steps, 1);
	ck_assert_double_eq_tol(w.stepped, 5.0, 1e-3);
	engine_free(w.e);
}
END_TEST

START_TEST(insane_offset_refused)
{
	struct world w;
	setup(&w, true, 0.0);
	w.server_off = 2000.0;
	run(&w, 30.0);
	ck_assert_int_ge(w.sends, 6);
	ck_assert_int_eq(w.steps, 0);
	ck_assert_int_eq(w.freqs, 0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(!sys.synced);
	ck_assert_ptr_nonnull(strstr(sys.unsync_reason, "insane"));
	struct engine_source_info si;
	engine_get_source(w.e, 0, &si);
	ck_assert_str_eq(si.select_status, "refused");
	engine_free(w.e);
}
END_TEST

START_TEST(makestep_accepts_an_insane_offset)
{
	struct world w;
	setup(&w, true, 0.0);
	w.server_off = 2000.0;
	run(&w, 30.0);
	ck_assert_int_eq(w.steps, 0);
	ck_assert_int_eq(engine_makestep(w.e, true), 0);
	run(&w, 200.0);
	ck_assert_int_eq(w.steps, 1);
	ck_assert_double_eq_tol(w.stepped, 2000.0, 1e-3);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert(isfinite(sys.update_interval) && sys.update_interval > 0);
	engine_free(w.e);
	/* without the clock there is nothing to step */
	setup(&w, false, 0.0);
	ck_assert_int_eq(engine_makestep(w.e, false), -EPERM);
	ck_assert_int_eq(engine_burst(w.e, 1.0, 3), 1);
	engine_free(w.e);
}
END_TEST

START_TEST(monitor_only_never_acts)
{
	struct world w;
	setup(&w, false, 0.0);
	w.server_off = 5.0;
	run(&w, 30.0);
	ck_assert_int_eq(w.steps, 0);
	ck_assert_int_eq(w.freqs, 0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert_double_eq_tol(sys.offset, 5.0, 1e-4); /* measured, not corrected */
	engine_free(w.e);
}
END_TEST

START_TEST(no_sources_and_removal)
{
	struct world w;
	setup(&w, true, 0.0);
	engine_remove_source(w.e, 0);
	engine_remove_source(w.e, 0);  /* twice: no-op */
	engine_remove_source(w.e, 99); /* unknown: no-op */
	run(&w, 100.0);
	ck_assert_int_eq(w.sends, 0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(!sys.synced);
	ck_assert_int_eq(sys.stratum, 16);
	engine_free(w.e);
	engine_free(NULL);
}
END_TEST

START_TEST(bad_config_rejected)
{
	struct engine_config c;
	struct engine *e = NULL;
	engine_config_default(&c);
	ck_assert_int_eq(engine_new(&c, &e), -EINVAL); /* no rng */
	uint64_t s = 1;
	c.rng = rng;
	c.rng_ctx = &s;
	c.makestep_threshold = 0;
	ck_assert_int_eq(engine_new(&c, &e), -EINVAL);
	c.makestep_threshold = 1.0;
	ck_assert_int_eq(engine_new(&c, &e), 0);
	struct source_config bad = {.minpoll = 9, .maxpoll = 6};
	ck_assert_int_lt(engine_add_source(e, &bad, "x", 0, 0), 0);
	struct source_config ok = {.minpoll = 6, .maxpoll = 6};
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++)
		ck_assert_int_eq(engine_add_source(e, &ok, "x", 0, 0), i);
	ck_assert_int_eq(engine_add_source(e, &ok, "x", 0, 0), -ENOSPC);
	engine_free(e);
}
END_TEST

/* A reload with a larger panic threshold lets a refused offset be corrected (stepped,
 * since makestep still allows it), without losing the source's samples. */
START_TEST(policy_change_applies_without_losing_state)
{
	struct world w;
	setup(&w, true, 0.0);
	w.server_off = 2000.0;
	run(&w, 30.0);
	ck_assert_int_eq(w.steps, 0);
	struct engine_source_info si;
	engine_get_source(w.e, 0, &si);
	int samples = si.n_samples;
	ck_assert_int_ge(samples, 6);
	struct engine_config c;
	engine_config_default(&c);
	c.panic_threshold = 0; /* no limit */
	c.makestep_threshold = 0;
	ck_assert_int_eq(engine_set_policy(w.e, &c), -EINVAL);
	c.makestep_threshold = 1.0;
	c.min_sources = 0;
	ck_assert_int_eq(engine_set_policy(w.e, &c), -EINVAL);
	c.min_sources = 1;
	ck_assert_int_eq(engine_set_policy(w.e, &c), 0);
	engine_get_source(w.e, 0, &si);
	ck_assert_int_eq(si.n_samples, samples);
	run(&w, 200.0);
	ck_assert_int_eq(w.steps, 1);
	ck_assert_double_eq_tol(w.stepped, 2000.0, 1e-3);
	engine_free(w.e);
}
END_TEST

/* At start the first source to answer is not followed while most are still silent: it
 * waits up to 8 s for a majority, then follows what it has. */
START_TEST(startup_waits_for_a_majority)
{
	struct world w;
	setup(&w, true, 0.0);
	w.server_off = 1.5; /* would be stepped to at once (makestep 1 s) */
	struct source_config sc = {
	        .minpoll = 4, .maxpoll = 6, .iburst = true, .local_precision = -20};
	for (int i = 1; i < 4; i++)
		ck_assert_int_eq(engine_add_source(w.e, &sc, "quiet", 0x7f000002, 0.0), i);
	w.silent = 0xe;
	run(&w, 5.0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(!sys.synced);
	ck_assert_ptr_nonnull(strstr(sys.unsync_reason, "majority"));
	ck_assert_int_eq(w.steps, 0);
	run(&w, 30.0);
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert_int_eq(w.steps, 1);
	engine_free(w.e);
}
END_TEST

/* A lone source that stops answering is dropped after 8 polls without a sample; one that
 * says it lost its own sync (LI 3) is dropped at its first such reply. */
START_TEST(lost_source_unsynchronises)
{
	struct world w;
	setup(&w, true, 0.0);
	run(&w, 20.0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	w.silent = 1;
	run(&w, 20.0 + 9 * 64.0);
	engine_get_system(w.e, &sys);
	ck_assert(!sys.synced);
	struct engine_source_info si;
	engine_get_source(w.e, 0, &si);
	ck_assert_str_eq(si.select_status, "unreachable");
	w.silent = 0;
	run(&w, 2000.0);
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	w.server_leap = NTP_LEAP_ALARM;
	double t = w.t;
	while (sys.synced && w.t < t + 2100.0) {
		run(&w, w.t + 1.0);
		engine_get_system(w.e, &sys);
	}
	ck_assert(!sys.synced);
	engine_get_source(w.e, 0, &si);
	ck_assert_str_eq(si.select_status, "unsynchronised");
	ck_assert_int_ge(si.src.reach, 1); /* still reachable: dropped for what it said */
	engine_free(w.e);
}
END_TEST

#define JAN2027 1798761600LL              /* Unix s, 2027-01-01 00:00 UTC */
#define EPOCH_UNIX (EPOCH - 2208988800LL) /* the tests' time origin, Unix s */

/* Local and server clocks both moved to noon, 31 December 2026 (no offset between them), a
 * leap-seconds list with a deletion at the end of that day (expiring `expires`, Unix s). */
static void setup_new_year(struct world *w, int64_t expires, int server_leap)
{
	double d = (double)(JAN2027 - 43200 - EPOCH_UNIX);
	setup(w, true, d);
	w->server_off = d;
	w->server_leap = server_leap;
	struct leaplist l = {.n = 2,
	                     .when = {1483228800LL, JAN2027},
	                     .tai_utc = {37, 36},
	                     .updated = JAN2027 - 200 * 86400LL,
	                     .expires = expires};
	engine_set_leaplist(w->e, &l);
}

/* The list announces a deletion the sources do not: the list wins. */
START_TEST(leap_list_arms_its_leap)
{
	struct world w;
	setup_new_year(&w, JAN2027 + 180 * 86400LL, NTP_LEAP_NONE);
	run(&w, 20.0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert_int_eq(sys.leap, NTP_LEAP_DELETE);
	ck_assert_int_eq(w.expired_logs, 0);
	engine_free(w.e);
}
END_TEST

/* Expired: the sources' vote decides again (here: an insertion), with one warning. */
START_TEST(expired_leap_list_yields_to_the_sources)
{
	struct world w;
	setup_new_year(&w, JAN2027 - 86400LL * 10, NTP_LEAP_INSERT);
	run(&w, 200.0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert_int_eq(sys.leap, NTP_LEAP_INSERT);
	ck_assert_int_eq(w.expired_logs, 1);
	/* Forgetting the list changes nothing here: the sources still decide. */
	engine_set_leaplist(w.e, NULL);
	run(&w, 400.0);
	engine_get_system(w.e, &sys);
	ck_assert_int_eq(sys.leap, NTP_LEAP_INSERT);
	ck_assert_int_eq(w.expired_logs, 1);
	engine_free(w.e);
}
END_TEST

/* A valid list with no leap tonight overrules sources that announce one. */
START_TEST(leap_list_overrules_a_wrong_announcement)
{
	struct world w;
	double d = (double)(JAN2027 - 43200 - EPOCH_UNIX);
	setup(&w, true, d);
	w.server_off = d;
	w.server_leap = NTP_LEAP_INSERT;
	struct leaplist l = {.n = 1,
	                     .when = {1483228800LL},
	                     .tai_utc = {37},
	                     .updated = JAN2027 - 200 * 86400LL,
	                     .expires = JAN2027 + 180 * 86400LL};
	engine_set_leaplist(w.e, &l);
	run(&w, 20.0);
	struct engine_system sys;
	engine_get_system(w.e, &sys);
	ck_assert(sys.synced);
	ck_assert_int_eq(sys.leap, NTP_LEAP_NONE);
	engine_free(w.e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, synchronises_and_publishes);
	tcase_add_test(tc, small_offset_is_slewed);
	tcase_add_test(tc, large_offset_is_stepped_at_start_only);
	tcase_add_test(tc, insane_offset_refused);
	tcase_add_test(tc, makestep_accepts_an_insane_offset);
	tcase_add_test(tc, monitor_only_never_acts);
	tcase_add_test(tc, no_sources_and_removal);
	tcase_add_test(tc, bad_config_rejected);
	tcase_add_test(tc, policy_change_applies_without_losing_state);
	tcase_add_test(tc, startup_waits_for_a_majority);
	tcase_add_test(tc, lost_source_unsynchronises);
	tcase_add_test(tc, leap_list_arms_its_leap);
	tcase_add_test(tc, expired_leap_list_yields_to_the_sources);
	tcase_add_test(tc, leap_list_overrules_a_wrong_announcement);
	suite_add_tcase(s, tc);
	return check_run(s);
}
