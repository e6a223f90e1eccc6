/* log: the daemon's logger.
 *
 * In the foreground (-n) lines go to stderr as "2026-01-02 03:04:05.123456 info: text";
 * otherwise to syslog (facility LOG_DAEMON, ident "stratad", with the PID). Messages above
 * the current level are dropped. The timestamp is read through the clock interface once a
 * clock is attached (log_set_clock); before that lines carry no timestamp.
 * Ownership: log_new() allocates; log_free() releases (NULL is a no-op, closes syslog).
 */
#ifndef STRATA_DAEMON_LOG_H
#define STRATA_DAEMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "daemon/conf.h"

struct clock;
struct log;

/* Returns 0 and sets *ret, or -ENOMEM. */
int log_new(bool foreground, enum conf_log_level level, struct log **ret);
void log_free(struct log *lg);

void log_set_level(struct log *lg, enum conf_log_level level);
enum conf_log_level log_get_level(const struct log *lg);
/* Use clock c (not owned) for foreground timestamps; NULL detaches it. */
void log_set_clock(struct log *lg, struct clock *c);
/* True if a message at level would be written (to skip formatting work). */
bool log_enabled(const struct log *lg, enum conf_log_level level);

void log_msg(struct log *lg, enum conf_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void log_vmsg(struct log *lg, enum conf_log_level level, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

#define log_err(lg, ...) log_msg((lg), CONF_LOG_ERR, __VA_ARGS__)
#define log_warning(lg, ...) log_msg((lg), CONF_LOG_WARNING, __VA_ARGS__)
#define log_notice(lg, ...) log_msg((lg), CONF_LOG_NOTICE, __VA_ARGS__)
#define log_info(lg, ...) log_msg((lg), CONF_LOG_INFO, __VA_ARGS__)
#define log_debug(lg, ...) log_msg((lg), CONF_LOG_DEBUG, __VA_ARGS__)

#endif
