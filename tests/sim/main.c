/* strata-sim: run one scenario of the deterministic simulator against the real engine.
 *
 *   strata-sim --scenario NAME --seed N [--hours H] [--json] [--verbose]
 *              [--filter kalman|regression] [--wander S_PER_S]
 *   strata-sim --list
 * Exit status: 0 on a completed run, 1 on a run error, 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scenario.h"
#include "sim.h"
#include "core/filter.h"

struct sim_args {
	const char *scenario;
	unsigned long long seed;
	double hours; /* 0 = the scenario's own */
	bool json, verbose, list;
	int filter;    /* enum filter_method */
	double wander; /* s/s per s, overrides the scenario's when > 0 */
};

static void usage(FILE *f)
{
	fputs("usage: strata-sim --scenario NAME --seed N [--hours H] [--json] [--verbose]\n"
	      "                  [--filter kalman|regression] [--wander S_PER_S]\n"
	      "       strata-sim --list\n",
	      f);
}

static void list(void)
{
	for (int i = 0; i < sim_scenario_count(); i++) {
		struct sim_scenario sc;

		sim_scenario_get(i, &sc);
		printf("%-28s %s\n", sc.name, sc.desc);
	}
}

static bool parse_u64(const char *arg, unsigned long long *u)
{
	char *end;

	errno = 0;
	*u = strtoull(arg, &end, 0);
	return errno == 0 && end != arg && *end == '\0' && arg[0] != '-';
}

static bool parse_double(const char *arg, double *d)
{
	char *end;

	errno = 0;
	*d = strtod(arg, &end);
	return errno == 0 && end != arg && *end == '\0' && arg[0] != '-';
}

/* One option; returns 0 to go on, 1 for --help, -1 for a usage error. */
static int parse_opt(int c, struct sim_args *a, bool *have_seed)
{
	switch (c) {
	case 's':
		a->scenario = optarg;
		return 0;
	case 'S':
		*have_seed = parse_u64(optarg, &a->seed);
		return *have_seed ? 0 : -1;
	case 'H':
		return parse_double(optarg, &a->hours) && a->hours > 0 ? 0 : -1;
	case 'f':
		if (strcmp(optarg, "kalman") == 0)
			a->filter = FILTER_KALMAN;
		else if (strcmp(optarg, "regression") == 0)
			a->filter = FILTER_REGRESSION;
		else
			return -1;
		return 0;
	case 'w':
		return parse_double(optarg, &a->wander) && a->wander > 0 ? 0 : -1;
	case 'j':
		a->json = true;
		return 0;
	case 'v':
		a->verbose = true;
		return 0;
	case 'l':
		a->list = true;
		return 0;
	case 'h':
		return 1;
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct sim_args *a)
{
	static const struct option opts[] = {
	        {"scenario", required_argument, NULL, 's'},
	        {"seed", required_argument, NULL, 'S'},
	        {"hours", required_argument, NULL, 'H'},
	        {"json", no_argument, NULL, 'j'},
	        {"verbose", no_argument, NULL, 'v'},
	        {"list", no_argument, NULL, 'l'},
	        {"filter", required_argument, NULL, 'f'},
	        {"wander", required_argument, NULL, 'w'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	bool have_seed = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		r = parse_opt(c, a, &have_seed);
		if (r != 0)
			return r;
	}
	if (optind != argc || (!a->list && (!a->scenario || !have_seed)))
		return -1;
	return 0;
}

static int run(const struct sim_args *a)
{
	struct sim_scenario sc;
	struct sim *s = NULL;
	int r;

	if (!sim_scenario_find(a->scenario, &sc)) {
		fprintf(stderr, "strata-sim: unknown scenario '%s' (see --list)\n", a->scenario);
		return 2;
	}
	sc.filter_method = a->filter;
	if (a->wander > 0)
		sc.wander = a->wander;
	r = sim_new(&sc, a->seed, a->hours, a->verbose, &s);
	if (r == 0)
		r = sim_run(s);
	if (r < 0) {
		fprintf(stderr, "strata-sim: %s: %s\n", sc.name, strerror(-r));
		sim_free(s);
		return 1;
	}
	if (a->json)
		sim_report_json(stdout, s);
	else
		sim_report_text(stdout, s);
	sim_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_args a = {0};
	int r = parse_args(argc, argv, &a);

	if (r != 0) {
		usage(r > 0 ? stdout : stderr);
		return r > 0 ? 0 : 2;
	}
	if (a.list) {
		list();
		return 0;
	}
	return run(&a);
}
