/* log: stderr in the foreground, syslog otherwise. See log.h. */
#include "daemon/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "clock/clock.h"

struct log {
	bool foreground;
	enum conf_log_level level;
	struct clock *clock; /* not owned; NULL: no timestamps */
};

int log_new(bool foreground, enum conf_log_level level, struct log **ret)
{
	struct log *lg = calloc(1, sizeof(*lg));

	if (!lg)
		return -ENOMEM;
	lg->foreground = foreground;
	lg->level = level;
	if (!foreground)
		openlog("stratad", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	*ret = lg;
	return 0;
}

void log_free(struct log *lg)
{
	if (!lg)
		return;
	if (!lg->foreground)
		closelog();
	free(lg);
}

void log_set_level(struct log *lg, enum conf_log_level level)
{
	lg->level = level;
}

enum conf_log_level log_get_level(const struct log *lg)
{
	return lg->level;
}

void log_set_clock(struct log *lg, struct clock *c)
{
	lg->clock = c;
}

bool log_enabled(const struct log *lg, enum conf_log_level level)
{
	return lg && level <= lg->level;
}

static int log_syslog_priority(enum conf_log_level level)
{
	switch (level) {
	case CONF_LOG_ERR:
		return LOG_ERR;
	case CONF_LOG_WARNING:
		return LOG_WARNING;
	case CONF_LOG_NOTICE:
		return LOG_NOTICE;
	case CONF_LOG_INFO:
		return LOG_INFO;
	case CONF_LOG_DEBUG:
	default:
		return LOG_DEBUG;
	}
}

/* "2026-01-02 03:04:05.123456 " in local time, or "" without a clock. */
static void log_timestamp(const struct log *lg, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	buf[0] = '\0';
	if (!lg->clock || clock_realtime(lg->clock, &ts) < 0)
		return;
	if (!localtime_r(&ts.tv_sec, &tm) || strftime(date, sizeof(date), "%F %T", &tm) == 0)
		return;
	snprintf(buf, len, "%s.%06u ", date, (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

void log_vmsg(struct log *lg, enum conf_log_level level, const char *fmt, va_list ap)
{
	char text[1024], stamp[64];

	if (!log_enabled(lg, level))
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	if (!lg->foreground) {
		syslog(log_syslog_priority(level), "%s", text);
		return;
	}
	log_timestamp(lg, stamp, sizeof(stamp));
	fprintf(stderr, "%s%s: %s\n", stamp, conf_log_level_str(level), text);
}

void log_msg(struct log *lg, enum conf_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lg, level, fmt, ap);
	va_end(ap);
}
