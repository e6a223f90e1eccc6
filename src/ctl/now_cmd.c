/* stratactl now: the bounded time libstrata gives applications (strata_clock_now on the
 * daemon's time file), for people and scripts. Needs no control socket. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_conn.h"
#include "ctl/daemon_cmds.h"
#include "strata/now.h"

void now_usage(FILE *out)
{
	fputs("Usage: stratactl now [--file PATH] [--json]\n"
	      "Show the local clock with the interval that holds true time, from the error\n"
	      "bound stratad publishes for libstrata: earliest, latest and the error (half the\n"
	      "width). Exit 0 when the interval is bounded, 1 when it is not (no daemon, not\n"
	      "synchronised, stale, or the clock was stepped since), with the reason.\n"
	      "  --file PATH  the time file (default $STRATA_TIME_FILE, else " STRATA_TIME_FILE
	      ")\n"
	      "  --json       as JSON\n",
	      out);
}

/* ISO 8601 UTC with nanoseconds. */
static void iso(int64_t ns, char *buf, size_t len)
{
	struct tm tm;
	time_t s = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	if (frac < 0)
		frac += 1000000000, s--;
	if (!gmtime_r(&s, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", frac);
}

static const char *leap_name(int leap)
{
	static const char *const names[] = {"none", "insert second", "delete second", "unknown"};
	return names[leap & 3];
}

static void print_json(const strata_interval_t *iv)
{
	json_t *o = json_object();
	json_object_set_new(o, "synchronised", json_boolean(iv->synchronised));
	json_object_set_new(o, "local_ns", json_integer(iv->local_ns));
	json_object_set_new(o, "earliest_ns",
	                    iv->synchronised ? json_integer(iv->earliest_ns) : json_null());
	json_object_set_new(o, "latest_ns",
	                    iv->synchronised ? json_integer(iv->latest_ns) : json_null());
	json_object_set_new(o, "error",
	                    iv->synchronised ? json_real((double)iv->error_ns / 1e9) : json_null());
	json_object_set_new(o, "stratum", json_integer(iv->stratum));
	json_object_set_new(o, "leap", json_string(leap_name(iv->leap)));
	json_object_set_new(o, "reason", json_string(iv->reason));
	ctl_print_json(o);
	json_decref(o);
}

static void print_text(const strata_interval_t *iv)
{
	char b[64];
	iso(iv->local_ns, b, sizeof(b));
	printf("Local clock   : %s\n", b);
	if (!iv->synchronised) {
		printf("Error bound   : unbounded\nSynchronised  : no (%s)\n", iv->reason);
		return;
	}
	printf("Error bound   : +/- %.9f s\n", (double)iv->error_ns / 1e9);
	iso(iv->earliest_ns, b, sizeof(b));
	printf("Earliest      : %s\n", b);
	iso(iv->latest_ns, b, sizeof(b));
	printf("Latest        : %s\n", b);
	printf("Synchronised  : yes (stratum %d)\nLeap status   : %s\n", iv->stratum,
	       leap_name(iv->leap));
}

int now_main(int argc, char **argv)
{
	static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *path = getenv("STRATA_TIME_FILE");
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:jh", opts, NULL)) != -1) {
		if (c == 'f') {
			path = optarg;
		} else if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			now_usage(stdout);
			return 0;
		} else {
			now_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stratactl: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	strata_clock_t *clk = strata_clock_open(path && *path ? path : NULL);
	strata_interval_t iv;
	int r = clk ? strata_clock_now(clk, &iv) : -1;
	strata_clock_close(clk);
	if (r < 0) {
		fprintf(stderr, "stratactl: cannot read the clock\n");
		return 1;
	}
	if (json)
		print_json(&iv);
	else
		print_text(&iv);
	return iv.synchronised ? 0 : 1;
}
