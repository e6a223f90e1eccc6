/* driftfile: the frequency correction kept across restarts.
 *
 * Format: one line "FREQ_PPM SKEW_PPM\n" (chrony's layout): the frequency correction the
 * daemon applied (ppm, positive = clock made to run faster) and its estimated error (ppm).
 * Writes are atomic: a temporary file in the same directory, fsync, rename, fsync of the
 * directory, so that a crash at any moment leaves the old or the new value, never garbage.
 */
#ifndef STRATA_DAEMON_DRIFTFILE_H
#define STRATA_DAEMON_DRIFTFILE_H

#include <stddef.h>

#define DRIFTFILE_MAX_PPM 100000.0 /* values beyond are treated as corrupt */

/* Read path. Returns 0 with *freq_ppm and *skew_ppm set; -ENOENT when the file does not
 * exist; -EINVAL when it is corrupt or truncated (why in err); another -errno when it
 * cannot be read. */
int driftfile_read(const char *path, double *freq_ppm, double *skew_ppm, char *err, size_t errlen);

/* Write atomically. Returns 0 or -errno. */
int driftfile_write(const char *path, double freq_ppm, double skew_ppm);

#endif
