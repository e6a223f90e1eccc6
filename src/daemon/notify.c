/* notify: sd_notify wrappers that remember the last STATUS= text. See notify.h. */
#include "daemon/notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

struct notify {
	char status[256]; /* last STATUS= text sent */
};

int notify_new(struct notify **ret)
{
	struct notify *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	*ret = n;
	return 0;
}

void notify_free(struct notify *n)
{
	free(n);
}

void notify_ready(struct notify *n)
{
	(void)n;
	sd_notify(0, "READY=1");
}

void notify_stopping(struct notify *n)
{
	(void)n;
	sd_notify(0, "STOPPING=1");
}

void notify_reloading(struct notify *n, double now_mono)
{
	(void)n;
	/* systemd's Type=notify-reload wants the CLOCK_MONOTONIC time of the reload, in us. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)(now_mono * 1e6));
}

double notify_watchdog_interval(const struct notify *n)
{
	uint64_t usec = 0;

	(void)n;
	return sd_watchdog_enabled(0, &usec) > 0 ? (double)usec / 1e6 : 0.0;
}

void notify_watchdog(struct notify *n)
{
	(void)n;
	sd_notify(0, "WATCHDOG=1");
}

void notify_status(struct notify *n, const char *fmt, ...)
{
	char text[sizeof(n->status)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (strcmp(text, n->status) == 0)
		return;
	memcpy(n->status, text, sizeof(text));
	sd_notifyf(0, "STATUS=%s", text);
}
