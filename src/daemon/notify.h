/* notify: the systemd service notification protocol (sd_notify).
 *
 * Without NOTIFY_SOCKET in the environment every call is a silent no-op. STATUS= lines
 * are sent only when the text changes.
 * Ownership: notify_new() allocates; notify_free() releases (NULL is a no-op).
 */
#ifndef STRATA_DAEMON_NOTIFY_H
#define STRATA_DAEMON_NOTIFY_H

struct notify;

/* Returns 0 and sets *ret, or -ENOMEM. */
int notify_new(struct notify **ret);
void notify_free(struct notify *n);

void notify_ready(struct notify *n);                      /* READY=1 */
void notify_stopping(struct notify *n);                   /* STOPPING=1 */
void notify_reloading(struct notify *n, double now_mono); /* RELOADING=1, MONOTONIC_USEC= */
/* The watchdog interval systemd asked for (WATCHDOG_USEC, for this process), in seconds;
 * 0 when there is none. */
double notify_watchdog_interval(const struct notify *n);
void notify_watchdog(struct notify *n); /* WATCHDOG=1 */
/* STATUS=text, printf-style; repeated identical texts are sent once. */
void notify_status(struct notify *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
