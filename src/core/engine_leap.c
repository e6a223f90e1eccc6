/* engine_leap: leap seconds. A leap announced by a strict majority of the survivors is
 * armed only on the last day of June or December (UTC, as the local clock reads it); it
 * takes effect at the following midnight. In ENGINE_LEAP_SYSTEM mode the kernel is told
 * (STATUS carries the leap) and does the jump itself; in ENGINE_LEAP_SLEW mode it is not,
 * and the engine slews the second away afterwards. In both, the reference timescale (UTC)
 * jumps at midnight, so the filters' stored offsets are shifted by the leap, and in system
 * mode the correction bookkeeping follows the kernel's jump of the local clock.
 * A leap-seconds.list table, while valid, replaces the vote (engine_set_leaplist). */
#include "core/engine_priv.h"

#include <math.h>
#include <time.h>

#define DAY 86400.0
#define LEAP_SYSTEM_DELAY 3.0 /* s after midnight before the kernel's leap is taken as done */

/* Local time (s since the engine's epoch) and Unix time of the end of the UTC day
 * containing now, and whether that day is 30 June or 31 December. */
static bool leap_day(const struct engine *e, double *midnight, int64_t *midnight_unix)
{
	ntp_ts_t now = ntp_ts_add(e->epoch, e->now_local);
	struct timespec ts = ntp_ts_to_timespec(now, ENGINE_ERA_PIVOT);
	struct tm tm;
	time_t t = ts.tv_sec;
	if (!gmtime_r(&t, &tm))
		return false;
	double into_day =
	        (double)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) + ts.tv_nsec * 1e-9;
	*midnight = e->now_local + (DAY - into_day);
	*midnight_unix = (int64_t)t - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) + 86400;
	return (tm.tm_mon == 5 && tm.tm_mday == 30) || (tm.tm_mon == 11 && tm.tm_mday == 31);
}

void engine_set_leaplist(struct engine *e, const struct leaplist *l)
{
	e->have_leaplist = l != NULL;
	if (l)
		e->leaplist = *l;
	e->leaplist_expired_told = false;
}

/* The table's word on the current day: 1 with *leap set, 0 if there is no usable table. */
static int leap_from_list(struct engine *e, int64_t midnight_unix, int *leap)
{
	if (!e->have_leaplist)
		return 0;
	int64_t now_unix = midnight_unix - 86400 + 1;
	enum leaplist_verdict v = leaplist_at(&e->leaplist, midnight_unix, now_unix);
	if (v == LEAPLIST_EXPIRED) {
		if (!e->leaplist_expired_told)
			engine_queue_log(
			        e, 1,
			        "the leap seconds list has expired: following the sources' "
			        "leap indicator");
		e->leaplist_expired_told = true;
		return 0;
	}
	*leap = v == LEAPLIST_INSERT   ? NTP_LEAP_INSERT
	        : v == LEAPLIST_DELETE ? NTP_LEAP_DELETE
	                               : NTP_LEAP_NONE;
	return 1;
}

void engine_leap_vote(struct engine *e, int majority)
{
	double midnight = INFINITY;
	int64_t midnight_unix = 0;
	if (e->now_local < e->leap_done_until) {
		e->sys.leap = NTP_LEAP_NONE; /* just applied: sources still show it for a while */
		return;
	}
	bool june_dec = leap_day(e, &midnight, &midnight_unix);
	int leap = (majority == NTP_LEAP_INSERT || majority == NTP_LEAP_DELETE) && june_dec
	                   ? majority
	                   : NTP_LEAP_NONE;
	bool listed = leap_from_list(e, midnight_unix, &leap);
	if (leap != e->leap_armed) {
		if (leap)
			engine_queue_log(e, 2, "leap second %s armed for the end of the day (%s)",
			                 leap == NTP_LEAP_INSERT ? "insertion" : "deletion",
			                 listed ? "leap seconds list" : "sources");
		else if (e->leap_armed)
			engine_queue_log(e, 2,
			                 "leap second disarmed: no longer announced by the %s",
			                 listed ? "leap seconds list" : "sources");
	}
	e->leap_armed = leap;
	if (leap)
		e->leap_local = midnight;
	e->sys.leap = leap;
}

/* In system mode the kernel jumps at its own midnight; look a little later, once it surely
 * has, before disarming. */
static double leap_when(const struct engine *e)
{
	return e->leap_local + (e->cfg.leap_mode == ENGINE_LEAP_SYSTEM ? LEAP_SYSTEM_DELAY : 0.0);
}

double engine_leap_timer(const struct engine *e)
{
	if (!e->leap_armed)
		return INFINITY;
	double dt = leap_when(e) - e->now_local;
	return e->last_input_mono + (dt > 0 ? dt : 0);
}

/* At the leap: in slew mode UTC jumped under an unchanged local clock, so the raw offsets
 * of every source jumped by the leap: shift the filters and slew the second away. In
 * system mode the kernel jumped the local clock together with UTC: the offsets (server
 * minus local) and the raw offsets stay continuous, and only the raw time of the samples
 * after the jump is 1 s early, which the filters absorb. */
void engine_leap_tick(struct engine *e, double now_mono)
{
	if (!e->leap_armed || e->now_local < leap_when(e))
		return;
	bool slew = e->cfg.leap_mode == ENGINE_LEAP_SLEW;
	double delta = e->leap_armed == NTP_LEAP_INSERT ? -1.0 : 1.0;
	if (slew)
		for (int i = 0; i < ENGINE_MAX_SOURCES; i++)
			if (e->srcs[i].used)
				filter_shift(&e->srcs[i].filt, delta);
	engine_queue_log(e, 2, "leap second %s at midnight UTC%s",
	                 delta < 0 ? "inserted" : "deleted",
	                 slew ? ": slewing the clock" : " by the kernel");
	e->leap_armed = NTP_LEAP_NONE;
	e->sys.leap = NTP_LEAP_NONE;
	e->leap_done_until = e->now_local + DAY / 2;
	if (slew)
		engine_update(e, now_mono);
}
