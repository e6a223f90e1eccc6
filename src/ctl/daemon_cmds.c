/* daemon_cmds: the stratactl commands that show the running stratad's state over its
 * control socket (status, sources, sourcestats, serverstats, clients). --json prints the
 * reply's result as the daemon sent it; otherwise an aligned table for people.
 */
#include "config.h"

#include "ctl/daemon_cmds.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_conn.h"
#include "daemon/conf.h"

static void print_time(const char *label, double unix_s)
{
	char buf[64] = "never";
	if (unix_s > 0) {
		time_t t = (time_t)unix_s;
		struct tm tm;
		gmtime_r(&t, &tm);
		size_t n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf + n, sizeof(buf) - n, ".%03d UTC",
		         (int)((unix_s - floor(unix_s)) * 1000));
	}
	printf("%-17s %s\n", label, buf);
}

/* label, then v with fmt and unit, or "unknown" when the daemon sent null. */
static void print_num(const char *label, int decimals, bool sign, double v, const char *unit)
{
	if (isnan(v))
		printf("%-17s unknown\n", label);
	else if (sign)
		printf("%-17s %+.*f %s\n", label, decimals, v, unit);
	else
		printf("%-17s %.*f %s\n", label, decimals, v, unit);
}

static void print_status(json_t *r)
{
	bool synced = json_is_true(json_object_get(r, "synchronised"));
	printf("%-17s %s\n", "Synchronised:", synced ? "yes" : "no");
	if (!synced)
		printf("%-17s %s\n", "Reason:", ctl_str(r, "unsync_reason"));
	printf("%-17s %s\n", "System peer:", synced ? ctl_str(r, "system_peer") : "-");
	printf("%-17s %.0f\n", "Stratum:", ctl_num(r, "stratum"));
	printf("%-17s %s\n", "Reference ID:", synced ? ctl_str(r, "refid") : "-");
	print_time("Reference time:", ctl_num(r, "reference_time"));
	print_num("Last offset:", 9, true, ctl_num(r, "offset"), "s");
	print_num("RMS offset:", 9, false, ctl_num(r, "rms_offset"), "s");
	print_num("Frequency:", 3, true, ctl_num(r, "frequency_ppm"), "ppm");
	print_num("Skew:", 3, false, ctl_num(r, "skew_ppm"), "ppm");
	print_num("Root delay:", 9, false, ctl_num(r, "root_delay"), "s");
	print_num("Root dispersion:", 9, false, ctl_num(r, "root_dispersion"), "s");
	print_num("Error bound:", 9, false, ctl_num(r, "error_bound"), "s");
	printf("%-17s %s\n", "Leap status:", ctl_str(r, "leap"));
	print_num("Residual freq:", 3, true, ctl_num(r, "residual_freq_ppm"), "ppm");
	print_num("Update interval:", 1, false, ctl_num(r, "update_interval"), "s");
	printf("%-17s %.0f (%.0f steps)\n", "Clock updates:", ctl_num(r, "updates"),
	       ctl_num(r, "steps"));
	printf("%-17s %.0f s\n", "Uptime:", ctl_num(r, "uptime"));
	if (*ctl_str(r, "reload_error"))
		printf("%-17s %s\n", "Reload failed:", ctl_str(r, "reload_error"));
}

static void print_sources(json_t *r)
{
	json_t *arr = json_object_get(r, "sources"), *s;
	size_t i;

	printf("%-28s %-12s %2s %4s %5s %8s %13s %11s %11s\n", "NAME", "STATE", "ST", "POLL",
	       "REACH", "LAST RX", "OFFSET", "DELAY", "JITTER");
	json_array_foreach(arr, i, s)
	{
		char last[16] = "-", state[32];
		double ago = ctl_num(s, "last_rx_ago");
		bool have = json_is_true(json_object_get(s, "have_sample"));
		if (!isnan(ago))
			snprintf(last, sizeof(last), "%.0fs", ago);
		snprintf(state, sizeof(state), "%s%s%s", ctl_str(s, "state"),
		         *ctl_str(s, "kiss") ? " " : "", ctl_str(s, "kiss"));
		printf("%-28s %-12s %2.0f %4.0f %5o %8s ", ctl_str(s, "name"), state,
		       ctl_num(s, "stratum"), ctl_num(s, "poll"), (unsigned)ctl_num(s, "reach"),
		       last);
		if (have)
			printf("%+11.6f s %9.6f s %9.6f s\n", ctl_num(s, "offset"),
			       ctl_num(s, "delay"), ctl_num(s, "jitter"));
		else
			printf("%13s %11s %11s\n", "-", "-", "-");
	}
	if (json_array_size(arr) == 0)
		printf("(no sources)\n");
}

/* sources -v: the reference, filter size, root distance, requests sent and kiss code too. */
static void print_sources_verbose(json_t *r)
{
	json_t *arr = json_object_get(r, "sources"), *s;
	size_t i;

	printf("%-28s %-12s %2s %-15s %4s %5s %3s %8s %13s %11s %11s %11s %8s %4s\n", "NAME",
	       "STATE", "ST", "REFID", "POLL", "REACH", "NP", "LAST RX", "OFFSET", "DELAY",
	       "JITTER", "ROOT DIST", "REQUESTS", "KISS");
	json_array_foreach(arr, i, s)
	{
		char last[16] = "-", nums[64] = "            -           -           -           -";
		double ago = ctl_num(s, "last_rx_ago");
		if (!isnan(ago))
			snprintf(last, sizeof(last), "%.0fs", ago);
		if (json_is_true(json_object_get(s, "have_sample")))
			snprintf(nums, sizeof(nums), "%+11.6f s %9.6f s %9.6f s %9.6f s",
			         ctl_num(s, "offset"), ctl_num(s, "delay"), ctl_num(s, "jitter"),
			         ctl_num(s, "root_distance"));
		printf("%-28s %-12s %2.0f %-15s %4.0f %5o %3.0f %8s %s %8.0f %4s\n",
		       ctl_str(s, "name"), ctl_str(s, "state"), ctl_num(s, "stratum"),
		       *ctl_str(s, "refid") ? ctl_str(s, "refid") : "-", ctl_num(s, "poll"),
		       (unsigned)ctl_num(s, "reach"), ctl_num(s, "samples"), last, nums,
		       ctl_num(s, "requests"), *ctl_str(s, "kiss") ? ctl_str(s, "kiss") : "-");
	}
	if (json_array_size(arr) == 0)
		printf("(no sources)\n");
}

static void print_serverstats(json_t *r)
{
	static const char *const keys[] = {"received",     "answered",    "denied",
	                                   "rate_limited", "kod_sent",    "malformed",
	                                   "not_client",   "send_errors", "control"};
	static const char *const labels[] = {
	        "Requests received:", "Answered:",    "Denied (ACL):",
	        "Rate limited:",      "KoD sent:",    "Malformed:",
	        "Not client mode:",   "Send errors:", "ntpq (mode 6):"};
	printf("%-20s %s\n",
	       "Serving:", json_is_true(json_object_get(r, "serving")) ? "yes" : "no");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		printf("%-20s %.0f\n", labels[i], ctl_num(r, keys[i]));
}

/* A value in s with an SI unit that keeps 4 significant digits ("+12.34us"), or "-". */
static void fmt_seconds(char *buf, size_t len, double v, bool sign)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = {{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
	size_t u = 0;
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	while (u + 1 < sizeof(units) / sizeof(units[0]) && fabs(v) < units[u].scale)
		u++;
	snprintf(buf, len, sign ? "%+.3f%s" : "%.3f%s", v / units[u].scale, units[u].unit);
}

static void print_sourcestats(json_t *r)
{
	json_t *arr = json_object_get(r, "sources"), *s;
	size_t i;

	printf("%-28s %3s %8s %11s %10s %11s %10s %10s\n", "NAME", "NP", "SPAN", "FREQ PPM",
	       "SKEW PPM", "OFFSET", "OFFSET SD", "JITTER");
	json_array_foreach(arr, i, s)
	{
		char off[24], sd[24], jit[24], freq[24] = "-", skew[24] = "-";
		fmt_seconds(off, sizeof(off), ctl_num(s, "offset"), true);
		fmt_seconds(sd, sizeof(sd), ctl_num(s, "offset_sd"), false);
		fmt_seconds(jit, sizeof(jit), ctl_num(s, "jitter"), false);
		if (!isnan(ctl_num(s, "frequency_ppm")))
			snprintf(freq, sizeof(freq), "%+.3f", ctl_num(s, "frequency_ppm"));
		if (!isnan(ctl_num(s, "skew_ppm")))
			snprintf(skew, sizeof(skew), "%.3f", ctl_num(s, "skew_ppm"));
		printf("%-28s %3.0f %7.0fs %11s %10s %11s %10s %10s\n", ctl_str(s, "name"),
		       ctl_num(s, "samples"), ctl_num(s, "span"), freq, skew, off, sd, jit);
	}
	if (json_array_size(arr) == 0)
		printf("(no sources)\n");
}

static void print_clients(json_t *r)
{
	json_t *arr = json_object_get(r, "clients"), *c;
	size_t i;

	printf("%-39s %10s %9s %8s %9s %9s\n", "ADDRESS", "REQUESTS", "DROPPED", "KOD", "INTERVAL",
	       "LAST");
	json_array_foreach(arr, i, c)
	{
		char ival[24];
		fmt_seconds(ival, sizeof(ival), ctl_num(c, "interval"), false);
		printf("%-39s %10.0f %9.0f %8.0f %9s %8.0fs\n", ctl_str(c, "address"),
		       ctl_num(c, "requests"), ctl_num(c, "dropped"), ctl_num(c, "kod"), ival,
		       ctl_num(c, "last_rx_ago"));
	}
	if (json_array_size(arr) == 0)
		printf("(no clients)\n");
}

/* cmd with its printer; with -v/--verbose (when verbose_print is given) the other one. */
static int ctl_run_v(int argc, char **argv, const char *cmd, void (*print)(json_t *),
                     void (*verbose_print)(json_t *), void (*usage)(FILE *))
{
	struct ctl_opts o = {0};
	bool verbose = false;
	const struct ctl_opt x[] = {{"verbose", NULL, 0, 0, &verbose, 'v'}};
	int rc = ctl_parse(argc, argv, &o, x, verbose_print ? 1 : 0, usage);
	if (verbose)
		print = verbose_print;
	if (rc >= 0)
		return rc;
	json_t *reply = ctl_request(o.socket, ctl_command(cmd), false),
	       *res = reply ? ctl_result(reply) : NULL;
	if (res && o.json)
		ctl_print_json(res);
	else if (res)
		print(res);
	json_decref(reply);
	return res ? 0 : 1;
}

static int ctl_run(int argc, char **argv, const char *cmd, void (*print)(json_t *),
                   void (*usage)(FILE *))
{
	return ctl_run_v(argc, argv, cmd, print, NULL, usage);
}

#define CTL_USAGE(fn, cmd, what)                                                                   \
	void fn(FILE *out)                                                                         \
	{                                                                                          \
		fprintf(out,                                                                       \
		        "Usage: stratactl " cmd " [--socket PATH] [--json]\n"                      \
		        "Show " what " of the running stratad (its control socket: --socket, or "  \
		        "$STRATA_CONTROL_SOCKET, default " CONF_DEFAULT_CONTROL_SOCKET ").\n"      \
		        "  --json   the daemon's reply as JSON (documented field names)\n");       \
	}

CTL_USAGE(status_usage, "status", "the synchronisation state")
void sources_usage(FILE *out)
{
	fprintf(out, "Usage: stratactl sources [-v] [--socket PATH] [--json]\n"
	             "Show every time source of the running stratad (its control socket: --socket, "
	             "or $STRATA_CONTROL_SOCKET, default " CONF_DEFAULT_CONTROL_SOCKET ").\n"
	             "  -v, --verbose  also the reference ID, samples, root distance, requests "
	             "and kiss code\n"
	             "  --json         the daemon's reply as JSON (documented field names)\n");
}
CTL_USAGE(sourcestats_usage, "sourcestats", "each source's sample statistics")
CTL_USAGE(serverstats_usage, "serverstats", "the NTP server's counters")
CTL_USAGE(clients_usage, "clients", "the busiest NTP clients")

#define CTL_MAIN(fn, cmd, print, usage)                                                            \
	int fn(int argc, char **argv)                                                              \
	{                                                                                          \
		return ctl_run(argc, argv, cmd, print, usage);                                     \
	}

CTL_MAIN(status_main, "status", print_status, status_usage)
int sources_main(int argc, char **argv)
{
	return ctl_run_v(argc, argv, "sources", print_sources, print_sources_verbose,
	                 sources_usage);
}
CTL_MAIN(sourcestats_main, "sourcestats", print_sourcestats, sourcestats_usage)
CTL_MAIN(serverstats_main, "serverstats", print_serverstats, serverstats_usage)
CTL_MAIN(clients_main, "clients", print_clients, clients_usage)
