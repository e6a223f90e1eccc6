/* scenario: the named simulation set-ups (see README.md for the list and how to add one).
 *
 * Defaults, unless a scenario says otherwise: 24 simulated hours from the epoch
 * 2026-12-01T00:00:00Z; every link 100 us one-way plus exponential jitter of mean 100 us,
 * symmetric, no loss; the client 0.1 s ahead and 100 ppm fast with a random-walk wander of
 * 1e-9 (s/s) per second; servers perfect stratum-1 clocks; polling 6..10 without iburst.
 */
#ifndef STRATA_SIM_SCENARIO_H
#define STRATA_SIM_SCENARIO_H

#include <stdbool.h>

#include "core/source.h"
#include "link.h"
#include "server.h"

#define SIM_MAX_SERVERS 8
#define SIM_EPOCH_2026_12_01 4005072000LL /* NTP seconds of 2026-12-01T00:00:00Z */
#define SIM_EPOCH_2026_12_31 4007664000LL /* NTP seconds of 2026-12-31T00:00:00Z */

struct sim_scenario {
	const char *name;
	const char *desc;
	double hours;       /* simulated run length, h */
	struct sim_utc utc; /* epoch and leap second */
	double phase0;      /* s, client minus true time at t = 0 (positive = ahead) */
	double osc0;        /* s/s, initial oscillator error (positive = fast) */
	double wander;      /* s/s, sd of the per-second random-walk step */
	int n_servers;
	struct sim_server_config server[SIM_MAX_SERVERS];
	struct sim_link_config link[SIM_MAX_SERVERS];
	struct source_config source; /* the same for every server */
	int leap_mode;               /* enum engine_leap_mode */
	int filter_method;           /* enum filter_method, from --filter */
};

/* Fill *out with the scenario called name; false if there is none. */
bool sim_scenario_find(const char *name, struct sim_scenario *out);

/* Number of scenarios, and the i-th one (0 <= i < count). */
int sim_scenario_count(void);
void sim_scenario_get(int i, struct sim_scenario *out);

#endif
