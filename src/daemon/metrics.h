/* metrics: an optional Prometheus endpoint (conf metrics { listen }), on libevent's evhttp.
 *
 * GET or HEAD /metrics answers the text exposition format (version 0.0.4) with the system
 * state (sync state, stratum, offsets, frequency, root delay, dispersion and distance,
 * updates, steps), one sample per source of each source family (label source="NAME":
 * offset, delay, jitter, root distance, reach, stratum, poll, samples, requests, and the
 * selection state as a state="..." label) and the server counters. Values not estimated
 * yet are NaN. Any other path is 404; other methods 405. Headers are limited to 8 KiB,
 * bodies to 1 KiB, and a connection idle for METRICS_TIMEOUT s is closed.
 *
 * Units: seconds (positive offset = the servers are ahead of the local clock), ppm for
 * frequencies. Ownership: metrics_new() allocates, metrics_free() closes (NULL is a
 * no-op); env pointers must outlive the metrics.
 */
#ifndef STRATA_DAEMON_METRICS_H
#define STRATA_DAEMON_METRICS_H

#include <stddef.h>

#include "daemon/control.h"

#define METRICS_TIMEOUT 10

struct metrics;

/* Listen on "ADDR:PORT" (default port CONF_DEFAULT_METRICS_PORT). 0, or a negative errno
 * with the reason in err. */
int metrics_new(const struct control_env *env, const char *listen, struct metrics **ret, char *err,
                size_t errlen);
void metrics_free(struct metrics *m);

#endif
