/* control_json: the requests and replies of the control protocol (control.h), as jansson
 * values. Field names are the stable, documented schema of stratactl --json (stratactl(1)):
 * seconds for times and offsets (positive offset = the servers are ahead of the local
 * clock), ppm for frequencies, Unix seconds for wall-clock times.
 */
#ifndef STRATA_DAEMON_CONTROL_JSON_H
#define STRATA_DAEMON_CONTROL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/control.h"

/* The reply to one request line (len bytes, not NUL-terminated beyond len) from a client
 * that may (may_write) or may not run the changing commands. Never NULL unless out of
 * memory. */
json_t *control_json_handle(const struct control_env *env, bool may_write, const char *line,
                            size_t len);

/* The "add" and "remove" commands (control_sources.c): a result, or NULL with err. */
json_t *control_add(const struct control_env *env, json_t *req, char *err, size_t errlen);
json_t *control_remove(const struct control_env *env, json_t *req, char *err, size_t errlen);

/* {"version": 1, "ok": false, "error": msg} */
json_t *control_json_error(const char *msg);

#endif
