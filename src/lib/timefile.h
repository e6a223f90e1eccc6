/* The bounded-time channel between stratad (writer) and libstrata (readers): a 128-byte file,
 * by default /run/strata/time, that stratad maps shared and readers map read-only.
 *
 * Layout: sixteen 64-bit words in the host's byte order (writer and readers share a machine),
 * each stored and loaded atomically. Word 1 is a sequence counter: the writer makes it odd,
 * writes the data words, makes it even again (release order); a reader copies the data words
 * between two equal even readings of it (acquire order), retrying otherwise.
 *
 *   0 magic        TIMEFILE_MAGIC ("STRATIM1")
 *   1 seq          odd while the writer is in the middle of an update
 *   2 flags        bit 0 synchronised, bit 1 daemon running; bits 8-15 stratum; 16-17 leap
 *   3 ref_real     ns since 1970, CLOCK_REALTIME when the entry was written
 *   4 ref_mono     ns, CLOCK_MONOTONIC at the same moment
 *   5 error        double, s: at ref, |true time - local clock| <= error
 *   6 rate         double, s/s: how fast error may grow afterwards (frequency error bound)
 *   7 max_age      ns after ref_mono beyond which the entry is stale (the daemon is gone)
 *   8 pid          the writer's process id (informative)
 *   9-15           zero (reserved)
 *
 * The pure functions here do the format and the arithmetic; the daemon (timeshare.c) and the
 * library (now.c) do the mapping. */
#ifndef STRATA_LIB_TIMEFILE_H
#define STRATA_LIB_TIMEFILE_H

#include <stdbool.h>
#include <stdint.h>

#define TIMEFILE_MAGIC 0x314d495441525453ULL /* "STRATIM1" little-endian */
#define TIMEFILE_WORDS 16
#define TIMEFILE_SIZE (TIMEFILE_WORDS * 8)
#define TIMEFILE_F_SYNCED 1u
#define TIMEFILE_F_RUNNING 2u

struct timefile_entry {
	bool synced;
	bool running;
	int stratum;      /* 1-16 */
	int leap;         /* 0-3, as in NTP packets */
	int64_t ref_real; /* ns since 1970 */
	int64_t ref_mono; /* ns */
	double error;     /* s, >= 0 */
	double rate;      /* s/s, >= 0 */
	int64_t max_age;  /* ns, > 0 */
	int64_t pid;
};

/* Writer side: one update of the mapped words (the writer is the only one writing). */
void timefile_store(uint64_t *words, const struct timefile_entry *e);
/* Reader side: a consistent copy; -EAGAIN if the writer kept it busy, -EBADMSG on a bad
 * magic or an entry out of range. */
int timefile_load(const uint64_t *words, struct timefile_entry *e);

/* What a reader concludes at (now_real, now_mono), in ns. */
struct timefile_bound {
	bool synced;
	int64_t error_ns; /* half-width; INT64_MAX when not synced */
	const char *why;  /* when not synced: a phrase ("stratad is not running", ...) */
};
void timefile_bound(const struct timefile_entry *e, int64_t now_real, int64_t now_mono,
                    struct timefile_bound *out);

#endif
