/* leaplist: the table of leap seconds from a leap-seconds.list file, sans I/O.
 *
 * Each entry is a UTC instant (Unix seconds, always a midnight) from which TAI - UTC takes a
 * new value; an entry whose value is one more than the previous one means a second was
 * inserted just before that midnight, one less means one was deleted. The table is valid
 * only until `expires`: after that it may miss an announced leap and is not used.
 * Parsing and the hash check live in daemon/leapfile; this is the lookup the engine uses.
 * Plain data: copy it freely.
 */
#ifndef STRATA_CORE_LEAPLIST_H
#define STRATA_CORE_LEAPLIST_H

#include <stdint.h>

#define LEAPLIST_MAX 64 /* entries kept (the IERS list has 28 in 2026) */

struct leaplist {
	int n;                      /* entries used, 1..LEAPLIST_MAX */
	int64_t when[LEAPLIST_MAX]; /* Unix s (UTC midnight) from which tai_utc[k] applies */
	int tai_utc[LEAPLIST_MAX];  /* s, TAI - UTC from when[k] on */
	int64_t updated;            /* Unix s, the file's last update */
	int64_t expires;            /* Unix s, the file's expiry */
};

enum leaplist_verdict {
	LEAPLIST_NONE = 0, /* no leap second at that midnight */
	LEAPLIST_INSERT,   /* a second inserted just before it */
	LEAPLIST_DELETE,   /* a second deleted just before it */
	LEAPLIST_EXPIRED,  /* the table says nothing past its expiry */
};

/* What happens at the UTC midnight `midnight` (Unix s), as the table knows at `now` (Unix
 * s): EXPIRED when now or midnight is past the expiry. */
enum leaplist_verdict leaplist_at(const struct leaplist *l, int64_t midnight, int64_t now);

/* TAI - UTC at Unix time t (s); the first entry's value before it. */
int leaplist_tai_utc(const struct leaplist *l, int64_t t);

#endif
