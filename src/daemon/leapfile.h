/* leapfile: read and check a leap-seconds.list file (the IERS / NIST format that tzdata
 * ships as /usr/share/zoneinfo/leap-seconds.list).
 *
 * Format: "#$ NTPSECONDS" last update, "#@ NTPSECONDS" expiry, "#h W1 W2 W3 W4 W5" the SHA-1
 * of the file's data in five hexadecimal 32-bit words, other lines starting with '#' are
 * comments, and data lines "NTPSECONDS TAI-UTC [# comment]". The hash covers the digits of
 * the update time, then of the expiry, then of every data line before its comment, in
 * order (whitespace and comments ignored).
 * Checked: update, expiry and hash present and the hash matching; data lines well formed,
 * at UTC midnights, strictly increasing, each changing TAI - UTC by exactly one second; at
 * most LEAPLIST_MAX entries; lines of at most 1023 bytes; files of at most 1 MiB.
 * Expiry is NOT judged here (the caller knows the time): see leaplist_at().
 */
#ifndef STRATA_DAEMON_LEAPFILE_H
#define STRATA_DAEMON_LEAPFILE_H

#include <stddef.h>

#include "core/leaplist.h"

#define LEAPFILE_MAX_SIZE (1024 * 1024) /* bytes */

/* Parse text[0..len). 0 with *out filled, or -EINVAL with the reason (and line) in err. */
int leapfile_parse(const char *text, size_t len, struct leaplist *out, char *err, size_t errlen);

/* Read and parse path. 0, -EINVAL (err says why), or another -errno if it cannot be read. */
int leapfile_read(const char *path, struct leaplist *out, char *err, size_t errlen);

#endif
