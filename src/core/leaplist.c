/* leaplist: lookup in a leap-second table. See leaplist.h. */
#include "core/leaplist.h"

enum leaplist_verdict leaplist_at(const struct leaplist *l, int64_t midnight, int64_t now)
{
	if (now >= l->expires || midnight > l->expires)
		return LEAPLIST_EXPIRED;
	for (int k = 1; k < l->n; k++) {
		if (l->when[k] != midnight)
			continue;
		int d = l->tai_utc[k] - l->tai_utc[k - 1];
		return d > 0 ? LEAPLIST_INSERT : d < 0 ? LEAPLIST_DELETE : LEAPLIST_NONE;
	}
	return LEAPLIST_NONE;
}

int leaplist_tai_utc(const struct leaplist *l, int64_t t)
{
	int v = l->n > 0 ? l->tai_utc[0] : 0;
	for (int k = 0; k < l->n && l->when[k] <= t; k++)
		v = l->tai_utc[k];
	return v;
}
