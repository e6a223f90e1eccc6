/* daemon_cmds: the stratactl commands that ask the running stratad over its control socket
 * (status, sources, serverstats). One request line, one reply line, JSON (jansson); see
 * src/daemon/control.h for the protocol. --json prints the reply's result as the daemon
 * sent it; otherwise an aligned table for people.
 */
#include "config.h"

#include "ctl/daemon_cmds.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/conf.h"

#define CTL_TIMEOUT_MS 5000
#define CTL_MAX_REPLY (1 << 20)

struct ctl_opts {
	const char *socket;
	bool json;
};

/* Connect, send {"version":1,"command":cmd}, read one line. The reply, or NULL (said why). */
static json_t *ctl_request(const char *path, const char *cmd)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char req[128], *buf = NULL;
	size_t len = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "stratactl: cannot connect to %s: %s (is stratad running?)\n", path,
		        strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	int n = snprintf(req, sizeof(req), "{\"version\":1,\"command\":\"%s\"}\n", cmd);
	if (write(fd, req, (size_t)n) != n) {
		fprintf(stderr, "stratactl: cannot send to %s: %s\n", path, strerror(errno));
		close(fd);
		return NULL;
	}
	buf = malloc(CTL_MAX_REPLY);
	while (buf && len < CTL_MAX_REPLY && !memchr(buf, '\n', len)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, CTL_TIMEOUT_MS) <= 0)
			break;
		ssize_t r = read(fd, buf + len, CTL_MAX_REPLY - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	json_error_t jerr;
	json_t *reply = buf && memchr(buf, '\n', len) ? json_loadb(buf, len, 0, &jerr) : NULL;
	free(buf);
	if (!reply)
		fprintf(stderr, "stratactl: no valid reply from %s\n", path);
	return reply;
}

/* The result object of a reply, or NULL after printing the daemon's error. */
static json_t *ctl_result(json_t *reply)
{
	json_t *ok = json_object_get(reply, "ok"), *res = json_object_get(reply, "result");
	if (json_is_true(ok) && json_is_object(res))
		return res;
	const char *e = json_string_value(json_object_get(reply, "error"));
	fprintf(stderr, "stratactl: the daemon said: %s\n", e ? e : "(no reason given)");
	return NULL;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

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
		printf("%-17s %s\n", "Reason:", str(r, "unsync_reason"));
	printf("%-17s %s\n", "System peer:", synced ? str(r, "system_peer") : "-");
	printf("%-17s %.0f\n", "Stratum:", num(r, "stratum"));
	printf("%-17s %s\n", "Reference ID:", synced ? str(r, "refid") : "-");
	print_time("Reference time:", num(r, "reference_time"));
	print_num("Last offset:", 9, true, num(r, "offset"), "s");
	print_num("RMS offset:", 9, false, num(r, "rms_offset"), "s");
	print_num("Frequency:", 3, true, num(r, "frequency_ppm"), "ppm");
	print_num("Skew:", 3, false, num(r, "skew_ppm"), "ppm");
	print_num("Root delay:", 9, false, num(r, "root_delay"), "s");
	print_num("Root dispersion:", 9, false, num(r, "root_dispersion"), "s");
	print_num("Error bound:", 9, false, num(r, "error_bound"), "s");
	printf("%-17s %s\n", "Leap status:", str(r, "leap"));
	printf("%-17s %.0f (%.0f steps)\n", "Clock updates:", num(r, "updates"), num(r, "steps"));
	printf("%-17s %.0f s\n", "Uptime:", num(r, "uptime"));
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
		double ago = num(s, "last_rx_ago");
		bool have = json_is_true(json_object_get(s, "have_sample"));
		if (!isnan(ago))
			snprintf(last, sizeof(last), "%.0fs", ago);
		snprintf(state, sizeof(state), "%s%s%s", str(s, "state"),
		         *str(s, "kiss") ? " " : "", str(s, "kiss"));
		printf("%-28s %-12s %2.0f %4.0f %5o %8s ", str(s, "name"), state, num(s, "stratum"),
		       num(s, "poll"), (unsigned)num(s, "reach"), last);
		if (have)
			printf("%+11.6f s %9.6f s %9.6f s\n", num(s, "offset"), num(s, "delay"),
			       num(s, "jitter"));
		else
			printf("%13s %11s %11s\n", "-", "-", "-");
	}
	if (json_array_size(arr) == 0)
		printf("(no sources)\n");
}

static void print_serverstats(json_t *r)
{
	static const char *const keys[] = {"received", "answered",  "denied",     "rate_limited",
	                                   "kod_sent", "malformed", "not_client", "send_errors"};
	static const char *const labels[] = {
	        "Requests received:", "Answered:",  "Denied (ACL):",    "Rate limited:",
	        "KoD sent:",          "Malformed:", "Not client mode:", "Send errors:"};
	printf("%-20s %s\n",
	       "Serving:", json_is_true(json_object_get(r, "serving")) ? "yes" : "no");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		printf("%-20s %.0f\n", labels[i], num(r, keys[i]));
}

static int ctl_parse(int argc, char **argv, struct ctl_opts *o, void (*usage)(FILE *))
{
	static const struct option longopts[] = {{"socket", required_argument, NULL, 's'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	int c;

	o->socket = getenv("STRATA_CONTROL_SOCKET");
	if (!o->socket || !*o->socket)
		o->socket = CONF_DEFAULT_CONTROL_SOCKET;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:jh", longopts, NULL)) != -1) {
		if (c == 's')
			o->socket = optarg;
		else if (c == 'j')
			o->json = true;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stratactl: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

static int ctl_run(int argc, char **argv, const char *cmd, void (*print)(json_t *),
                   void (*usage)(FILE *))
{
	struct ctl_opts o = {0};
	int rc = ctl_parse(argc, argv, &o, usage);
	if (rc >= 0)
		return rc;
	json_t *reply = ctl_request(o.socket, cmd), *res = reply ? ctl_result(reply) : NULL;
	if (res && o.json) {
		char *text = json_dumps(res, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (text)
			printf("%s\n", text);
		free(text);
	} else if (res) {
		print(res);
	}
	json_decref(reply);
	return res ? 0 : 1;
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
CTL_USAGE(sources_usage, "sources", "every time source")
CTL_USAGE(serverstats_usage, "serverstats", "the NTP server's counters")

int status_main(int argc, char **argv)
{
	return ctl_run(argc, argv, "status", print_status, status_usage);
}

int sources_main(int argc, char **argv)
{
	return ctl_run(argc, argv, "sources", print_sources, sources_usage);
}

int serverstats_main(int argc, char **argv)
{
	return ctl_run(argc, argv, "serverstats", print_serverstats, serverstats_usage);
}
