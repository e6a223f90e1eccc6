/* engine: the whole time engine of one daemon, sans I/O.
 *
 * It ties source (per-server state machine), filter (per-source estimate), select
 * (falseticker rejection, combining) and discipline (slew / step / refuse, frequency) together.
 * The shell (daemon/ or the simulator in tests/sim/) feeds it:
 *   - timer ticks           engine_tick() whenever engine_next_timer() is due
 *   - datagrams             engine_receive() for each datagram from a source's address/port
 * and carries out the actions it queues (engine_next_action()): send a request, set the
 * clock's frequency, step the clock, publish the sync status, log a line.
 *
 * Times passed in:
 *   now_mono   monotonic seconds (any origin), for scheduling only
 *   now_real   the local clock's realtime reading as an NTP timestamp (era-less). It is the
 *              clock being disciplined: after a step action it jumps.
 * Signs:
 *   offsets    server minus local (positive = local clock behind, must move forward)
 *   frequency  ppm given to the clock driver; positive = clock made to run faster
 *   step       seconds; positive = clock moved forward
 * Randomness comes from the rng callback (cookies, poll jitter), so a seeded simulator is
 * deterministic. Nothing here reads a clock or a socket; nothing allocates after
 * engine_add_source().
 */
#ifndef STRATA_CORE_ENGINE_H
#define STRATA_CORE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ntptime.h"
#include "core/source.h"

#define ENGINE_MAX_SOURCES 64
#define ENGINE_LOG_LEN 256

/* 64 random bits. The daemon draws them from the kernel's CSPRNG; the simulator from a
 * seeded generator. */
typedef uint64_t (*engine_rng_fn)(void *ctx);

/* How a leap second announced by the sources is applied. */
enum engine_leap_mode {
	ENGINE_LEAP_SYSTEM = 0, /* the kernel inserts/deletes it (STA_INS / STA_DEL via STATUS) */
	ENGINE_LEAP_SLEW,       /* the kernel is not told; the 1 s offset is slewed afterwards */
};

/* Unix time used to resolve the era of the local clock's readings (dates of leap seconds):
 * 2027-01-01. Correct for clocks within 68 years of it. */
#define ENGINE_ERA_PIVOT 1798761600LL

struct engine_config {
	double makestep_threshold; /* s: step when |offset| exceeds it ... */
	int makestep_limit;        /* ... during the first LIMIT clock updates; -1 = always */
	double panic_threshold;    /* s: offsets beyond are refused (insane time); 0 = off */
	bool allow_first_panic;    /* one correction beyond panic_threshold at start (ntpd -g) */
	double max_slew_ppm;       /* largest frequency offset used for slewing, ppm */
	double max_freq_ppm;       /* largest frequency correction (drift), ppm */
	int min_sources;           /* truechimers needed to synchronise */
	double initial_freq_ppm;   /* from the drift file; NAN = unknown */
	int8_t local_precision;    /* log2 s of our clock reading */
	bool control_clock; /* false (stratad -x): measure and decide, never act on the clock */
	double slew_time;   /* s: shortest time over which an offset is slewed */
	enum engine_leap_mode leap_mode; /* how leap seconds are applied */
	int filter_method;               /* enum filter_method (default Kalman) */
	engine_rng_fn rng;
	void *rng_ctx;
};

enum engine_action_type {
	ENGINE_ACT_SEND = 0,  /* send buf[0..len) to source `source` (new socket, new port) */
	ENGINE_ACT_FREQUENCY, /* set the clock's frequency correction to `value` ppm */
	ENGINE_ACT_STEP,      /* step the clock by `value` s */
	ENGINE_ACT_STATUS,    /* publish leap / max_error / est_error / synced to the kernel */
	ENGINE_ACT_LOG,       /* log `text` at `level` (0 err .. 4 debug, as enum conf_log_level) */
};

struct engine_action {
	enum engine_action_type type;
	int source; /* SEND: source id */
	uint8_t buf[NTP_HEADER_LEN];
	size_t len;
	double value;     /* FREQUENCY: ppm; STEP: s */
	int leap;         /* STATUS: enum ntp_leap */
	double max_error; /* STATUS: s */
	double est_error; /* STATUS: s */
	bool synced;      /* STATUS */
	int level;        /* LOG */
	char text[ENGINE_LOG_LEN];
};

struct engine;

void engine_config_default(struct engine_config *cfg);
int engine_new(const struct engine_config *cfg, struct engine **ret);
void engine_free(struct engine *e); /* NULL is a no-op */

/* Apply new policy from cfg (reload): makestep, panic threshold, max_slew_ppm,
 * max_freq_ppm, min_sources, slew_time, leap_mode. Sources, filters, the frequency estimate,
 * the update count and the rng stay as they are. -EINVAL for a bad value (nothing changed). */
int engine_set_policy(struct engine *e, const struct engine_config *cfg);

struct leaplist;
/* Use a leap-second table from a leap-seconds.list file (copied; NULL forgets it). Until it
 * expires it decides whether a leap second ends the current UTC day, in any month, instead
 * of the sources' vote (which it overrules both ways); once expired, the vote decides again
 * and a warning is logged once. */
void engine_set_leaplist(struct engine *e, const struct leaplist *l);

/* Add a source; name is copied (for logs). refid is the 32-bit value a downstream server
 * would carry for it (its IPv4 address, or the hash of its IPv6 one), used for loop
 * detection. Returns the source id (>= 0) or -ENOSPC / -EINVAL. Polling starts at once. */
int engine_add_source(struct engine *e, const struct source_config *cfg, const char *name,
                      uint32_t refid, double now_mono);
void engine_remove_source(struct engine *e, int id);

/* Operator's burst: every polling source sends count requests (1..SOURCE_IBURST_COUNT)
 * SOURCE_BURST_SPACING s apart, starting within the next 0.1 s. Returns the number of
 * sources that will burst. */
int engine_burst(struct engine *e, double now_mono, int count);

/* Operator's makestep: the next clock update steps the clock by the whole offset, whatever
 * the makestep threshold and limit; with accept_insane it may also go beyond the panic
 * threshold, once (the way to accept an "insane" offset the engine refused). Logged.
 * -EPERM when the engine does not control the clock (nothing to step). */
int engine_makestep(struct engine *e, bool accept_insane);

/* Earliest monotonic time at which engine_tick must be called (INFINITY if never). */
double engine_next_timer(const struct engine *e);

/* Run everything due at now_mono: requests to send, slews to end, status to publish. */
void engine_tick(struct engine *e, double now_mono, ntp_ts_t now_real);

/* A datagram from source id, received at local realtime t4 (kernel timestamp). */
enum source_rx_verdict engine_receive(struct engine *e, int id, const uint8_t *buf, size_t len,
                                      ntp_ts_t t4, double now_mono);

/* Pop the oldest queued action into *out; false when none is left. */
bool engine_next_action(struct engine *e, struct engine_action *out);

/* What the engine publishes about the system clock (read by server and control code). */
struct engine_system {
	bool synced;            /* following a system peer within policy */
	int system_peer;        /* source id, -1 if none */
	int stratum;            /* system peer's stratum + 1; 16 when unsynchronised */
	uint32_t refid;         /* system peer's refid value for downstream packets */
	ntp_ts_t ref_time;      /* local realtime of the last clock update */
	int leap;               /* enum ntp_leap to serve */
	double offset;          /* s, last combined offset (server minus local) */
	double rms_offset;      /* s, RMS of recent combined offsets */
	double frequency;       /* ppm, current frequency correction (drift) */
	double freq_error;      /* ppm, estimated error of that frequency (skew) */
	double residual_freq;   /* ppm, the last update's estimate minus the correction it
	                         * replaced (what the update changed); NAN before one */
	double update_interval; /* s between the last two clock updates; NAN before two */
	double root_delay;      /* s, through the system peer */
	double root_disp;       /* s, through the system peer, aged to the last update */
	double error_bound;     /* s, root_delay / 2 + root_disp at the last update */
	unsigned long updates;  /* clock updates made */
	unsigned long steps;    /* steps made */
	char unsync_reason[64]; /* why not synchronised ("no sources", "insane offset", ...) */
};

/* Per-source view for status reports. */
struct engine_source_info {
	char name[64];
	struct source_status src;  /* reach, poll, last sample, counters */
	const char *select_status; /* "selected", "candidate", "falseticker", "unreachable", ... */
	double offset;             /* s, filtered estimate at the last update */
	double delay;              /* s */
	double jitter;             /* s */
	double root_distance;      /* s */
	double freq;               /* ppm, source's frequency relative to the local clock */
	double freq_sd;            /* ppm, standard error of freq (skew); NAN with < 2 samples */
	double offset_sd;          /* s, standard error of the offset estimate */
	double span;               /* s, time covered by the filter's samples */
	int n_samples;             /* samples in the filter */
};

void engine_get_system(const struct engine *e, struct engine_system *out);
/* Returns 0, or -ENOENT for an unknown id. */
int engine_get_source(const struct engine *e, int id, struct engine_source_info *out);

#endif
