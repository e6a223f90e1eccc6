/* timesync: the flag file that tells systemd the clock is synchronised.
 *
 * systemd-timesyncd creates /run/systemd/timesync/synchronized when it first synchronises
 * the clock; systemd-time-wait-sync.service waits for that file, and time-sync.target with
 * it. stratad does the same (conf timesync_file), only when it controls the clock (never
 * with -x: a clock it does not steer is not synchronised by it).
 *
 * Ownership: no state; path is not kept.
 */
#ifndef STRATA_DAEMON_TIMESYNC_H
#define STRATA_DAEMON_TIMESYNC_H

#include <stddef.h>

/* Create path (mode 0644, empty) and, if missing, its parent directory (0755). An existing
 * file is left as it is. 0, or a negative errno with the reason in err. */
int timesync_mark(const char *path, char *err, size_t errlen);

#endif
