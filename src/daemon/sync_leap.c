/* sync_leap: the leap-seconds.list file (conf leapseclist) for the engine. See sync_priv.h. */
#include "daemon/sync_priv.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock/clock.h"
#include "core/leaplist.h"
#include "daemon/leapfile.h"
#include "daemon/log.h"

static void sync_date(int64_t unix_s, char *buf, size_t len)
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)unix_s);
}

void sync_load_leaplist(struct sync *s, const char *path)
{
	struct leaplist l;
	struct timespec now;
	char err[256] = "", date[32];
	int r;

	if (!path) {
		engine_set_leaplist(s->engine, NULL);
		return;
	}
	r = leapfile_read(path, &l, err, sizeof(err));
	if (r < 0) {
		log_warning(s->env.log, "leap seconds list %s not used: %s", path,
		            r == -EINVAL ? err : strerror(-r));
		engine_set_leaplist(s->engine, NULL);
		return;
	}
	clock_realtime(s->env.clock, &now);
	sync_date(l.expires, date, sizeof(date));
	if (now.tv_sec >= l.expires)
		log_warning(s->env.log,
		            "leap seconds list %s expired on %s: leap seconds follow the sources "
		            "until it is updated",
		            path, date);
	else
		log_info(s->env.log,
		         "leap seconds list %s: %d entries, TAI-UTC %d s, valid until %s", path,
		         l.n, leaplist_tai_utc(&l, (int64_t)now.tv_sec), date);
	engine_set_leaplist(s->engine, &l);
}
