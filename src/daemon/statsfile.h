/* statsfile: ntpd-style statistics files (conf statistics { }), for plotting tools such as
 * NTPsec's ntpviz.
 *
 * Lines are appended to DIR/loopstats.YYYYMMDD and DIR/peerstats.YYYYMMDD (a new file each
 * UTC day, as ntpd's "filegen ... type day"), in ntpd's formats:
 *   loopstats: MJD SECONDS OFFSET FREQUENCY JITTER WANDER POLL
 *              (s, ppm, s, ppm, log2 s) after every clock update;
 *   peerstats: MJD SECONDS ADDRESS STATUS OFFSET DELAY DISPERSION JITTER
 *              (status as 4 hex digits, the rest in s) after every sample.
 * SECONDS is the UTC second of the day with milliseconds. A file that cannot be opened or
 * written is reported once (a warning) and retried at the next day; time keeping goes on.
 * Ownership: statsfile_new() allocates, statsfile_free() closes (NULL is a no-op).
 */
#ifndef STRATA_DAEMON_STATSFILE_H
#define STRATA_DAEMON_STATSFILE_H

#include <stdbool.h>
#include <time.h>

struct log;
struct statsfile;

/* NULL when out of memory. */
struct statsfile *statsfile_new(const char *dir, bool loopstats, bool peerstats, struct log *log);
void statsfile_free(struct statsfile *f);

void statsfile_loop(struct statsfile *f, const struct timespec *now, double offset, double freq_ppm,
                    double jitter, double wander_ppm, int poll);
void statsfile_peer(struct statsfile *f, const struct timespec *now, const char *addr,
                    unsigned status, double offset, double delay, double dispersion, double jitter);

#endif
