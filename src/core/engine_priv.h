/* engine_priv: the engine's internal state, shared by engine.c (sources, actions, timers)
 * and engine_update.c (selection, combining, discipline). Not a public header. */
#ifndef STRATA_CORE_ENGINE_PRIV_H
#define STRATA_CORE_ENGINE_PRIV_H

#include "core/discipline.h"
#include "core/engine.h"
#include "core/filter.h"
#include "core/leaplist.h"

#define ENGINE_QUEUE_LEN 256
#define ENGINE_STATUS_INTERVAL 64.0 /* s between kernel status refreshes */
#define ENGINE_STARTUP_WAIT 8.0     /* s: at start, how long to wait for a majority to answer */

struct engine_src {
	bool used;
	char name[64];
	uint32_t refid;
	struct source_config scfg;
	struct source *src;
	struct filter filt;
	const char *sel_status; /* last selection verdict */
	double offset;          /* s, current estimate against the local clock */
	double offset_sd;       /* s */
	double root_distance;   /* s */
	int good_updates;       /* consecutive small offsets, for poll adaptation */
	bool unsync;            /* its latest valid reply said it is not synchronised */
	bool was_reachable;     /* reach != 0 at the last selection */
};

struct engine {
	struct engine_config cfg;
	struct engine_src srcs[ENGINE_MAX_SOURCES];
	struct engine_action queue[ENGINE_QUEUE_LEN];
	int q_head, q_len;
	struct discipline disc;
	ntp_ts_t epoch; /* local realtime origin of the engine's local-time doubles */
	bool have_epoch;
	double last_step_mono;   /* monotonic time of the last step, -INFINITY if none */
	double now_local;        /* local time of the latest input, s since epoch */
	double last_input_mono;  /* monotonic time of the latest input */
	double next_status;      /* monotonic time of the next status refresh */
	double last_panic_log;   /* monotonic time of the last "insane time" error */
	double rms_acc;          /* exponential mean of offset^2 */
	double last_update_mono; /* monotonic time of the last clock update, NAN before */
	struct engine_system sys;
	unsigned long refusals;
	int leap_armed;           /* enum ntp_leap of a leap second due at leap_local, 0 if none */
	double leap_local;        /* local time (s since epoch) of the end of the leap day */
	double leap_done_until;   /* local time before which no new leap is armed */
	struct leaplist leaplist; /* from a leap-seconds.list file, if have_leaplist */
	bool have_leaplist;
	bool leaplist_expired_told; /* the "expired" warning was logged */
	bool ever_synced;           /* synchronised at least once since start */
	double first_answer_mono;   /* monotonic time of the first usable sample, NAN before */
};

/* engine.c */
void engine_queue_log(struct engine *e, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
struct engine_action *engine_queue_push(struct engine *e, enum engine_action_type type);
double engine_local(const struct engine *e, ntp_ts_t t);

/* engine_update.c: a new sample arrived; select, combine and discipline. */
void engine_update(struct engine *e, double now_mono);
void engine_publish_status(struct engine *e, double now_mono);

/* engine_leap.c: arm a leap second from the sources' majority, and apply it at midnight. */
void engine_leap_vote(struct engine *e, int majority);
void engine_leap_tick(struct engine *e, double now_mono);
double engine_leap_timer(const struct engine *e);

#endif
