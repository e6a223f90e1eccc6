/* query: `stratactl query`, one-shot SNTP client (see query.h).
 *
 * Per host: resolve with getaddrinfo; try its addresses in the order returned until one
 * gives a valid reply. Per address: one struct source (minpoll = maxpoll = 4; its own poll
 * schedule is ignored: requests go --count times, QUERY_SPACING s apart), each request on a
 * fresh connected socket with a new ephemeral port and a random non-zero origin cookie from
 * getrandom(2). Each reply is waited for up to --timeout s with poll(2). Datagrams that fail
 * the origin check (malformed, duplicate, bogus) do not end the wait; any other verdict does.
 * The best sample is the valid one with the smallest delay (ntpdate's choice).
 *
 * Reported per host (all in seconds unless noted):
 *   offset         server minus local clock: positive = the local clock is behind
 *   delay          round trip minus server hold time
 *   dispersion     the sample's: 2^server_precision + 2^local_precision + PHI * (T4 - T1)
 *   root_distance  root_delay/2 + root_dispersion + delay/2 + dispersion: the maximum error
 *                  of the server's time as seen here (RFC 5905 lambda, without jitter)
 *   poll, precision  the server's fields, log2 s (integers)
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock/clock.h"
#include "common/udp.h"
#include "core/source.h"
#include "ctl/query.h"

#define EXIT_USAGE 2
#define QUERY_DEFAULT_COUNT 4
#define QUERY_MAX_COUNT 64
#define QUERY_DEFAULT_TIMEOUT 2.0 /* s per request */
#define QUERY_MAX_TIMEOUT 60.0    /* s */
#define QUERY_SPACING 0.25        /* s between requests to one host */
#define QUERY_POLL 4              /* log2 s, source config only */
#define QUERY_LOCAL_PRECISION -20 /* log2 s (~1 us): software timestamps */
#define QUERY_BUF 1024            /* bytes; a longer datagram is truncated and dropped */
#define QUERY_ADDR_LEN 64
#define QUERY_ERR_LEN 128

struct query_opts {
	uint16_t port;
	int count;
	double timeout; /* s */
	bool json;
};

struct host_result {
	const char *host;
	char address[QUERY_ADDR_LEN]; /* "" when unresolved */
	uint16_t port;
	int sent, valid;
	struct source_sample best; /* valid when valid > 0 */
	char error[QUERY_ERR_LEN]; /* last failure, "" if none */
};

/* What one request came to. */
enum req_outcome {
	REQ_DONE,   /* a sample, a timeout or a rejected reply: go on with the next request */
	REQ_STOP,   /* kiss-o'-death or denied: send this address nothing more */
	REQ_FAILED, /* local failure (socket, send, getrandom): give up on this address */
};

struct query_ctx {
	struct clock *clk;
	const struct query_opts *opts;
	struct source *src;
	const struct udp_addr *peer;
	struct host_result *res;
};

void query_usage(FILE *out)
{
	fputs("Usage: stratactl query [--port N] [--count N] [--timeout S] [--json] HOST...\n"
	      "\n"
	      "Ask each NTP server HOST (a name or a numeric IPv4 or IPv6 address) for the time\n"
	      "and show the best sample (smallest delay). Needs no daemon; the local clock is\n"
	      "only read, never changed.\n"
	      "\n"
	      "Options:\n"
	      "  --port N       server UDP port, 1-65535 (default 123)\n"
	      "  --count N      requests per host, 1-64, 0.25 s apart (default 4)\n"
	      "  --timeout S    seconds to wait for each reply, above 0 and at most 60 (default "
	      "2)\n"
	      "  --json         print one JSON document instead of a table\n"
	      "  -h, --help     show this help and exit\n"
	      "\n"
	      "Times are in seconds. OFFSET is the server's clock minus the local clock: positive\n"
	      "means the local clock is behind.\n"
	      "Exit status: 0 every host gave a valid reply, 1 some host gave none, 2 usage "
	      "error.\n",
	      out);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("stratactl query: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'stratactl query --help'.\n", stderr);
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0.0 || v > QUERY_MAX_TIMEOUT)
		return false;
	*out = v;
	return true;
}

enum { OPT_PORT = 256, OPT_COUNT, OPT_TIMEOUT, OPT_JSON };

static const struct option long_opts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"count", required_argument, NULL, OPT_COUNT},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* One option; returns -1 to go on, or an exit status. */
static int apply_opt(int c, const char *arg, const char *optname, struct query_opts *o)
{
	long v;

	switch (c) {
	case OPT_PORT:
		if (!parse_long(arg, 1, 65535, &v))
			return usage_error("invalid --port value '%s' (expected 1-65535)", arg);
		o->port = (uint16_t)v;
		return -1;
	case OPT_COUNT:
		if (!parse_long(arg, 1, QUERY_MAX_COUNT, &v))
			return usage_error("invalid --count value '%s' (expected 1-64)", arg);
		o->count = (int)v;
		return -1;
	case OPT_TIMEOUT:
		if (!parse_timeout(arg, &o->timeout))
			return usage_error("invalid --timeout value '%s' (expected seconds, "
			                   "above 0 and at most 60)",
			                   arg);
		return -1;
	case OPT_JSON:
		o->json = true;
		return -1;
	case 'h':
		query_usage(stdout);
		return EXIT_SUCCESS;
	case ':':
		return usage_error("option '%s' requires a value", optname);
	case '?':
		if (optopt != 0 && strncmp(optname, "--", 2) == 0 && strchr(optname, '='))
			return usage_error("option '%.*s' takes no value",
			                   (int)(strchr(optname, '=') - optname), optname);
		return usage_error("unknown option '%s'", optname);
	default:
		return usage_error("unknown option '%s'", optname);
	}
}

/* Returns -1 when the query should run (hosts from argv[optind..]), else an exit status. */
static int parse_opts(int argc, char **argv, struct query_opts *o)
{
	int c;

	o->port = NTP_PORT;
	o->count = QUERY_DEFAULT_COUNT;
	o->timeout = QUERY_DEFAULT_TIMEOUT;
	o->json = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		int r = apply_opt(c, optarg, argv[optind - 1], o);

		if (r >= 0)
			return r;
	}
	if (optind >= argc)
		return usage_error("no HOST given");
	return -1;
}

/* A random non-zero 64-bit origin cookie. */
static int random_cookie(uint64_t *out)
{
	do {
		ssize_t n = getrandom(out, sizeof(*out), 0);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n != (ssize_t)sizeof(*out))
			*out = 0;
	} while (*out == 0);
	return 0;
}

/* Local realtime as an NTP timestamp. */
static ntp_ts_t now_ntp(struct clock *clk)
{
	struct timespec ts;

	clock_realtime(clk, &ts);
	return ntp_ts_from_timespec(&ts);
}

/* Wait without sleep(): poll(2) with no descriptors until monotonic time t (s). */
static void pause_until(struct clock *clk, double t)
{
	double left;

	while ((left = t - clock_monotonic_s(clk)) > 0.0)
		(void)poll(NULL, 0, (int)ceil(left * 1e3));
}

static void set_error(struct host_result *res, const char *what, int err)
{
	if (err)
		snprintf(res->error, sizeof(res->error), "%s: %s", what, strerror(err));
	else
		snprintf(res->error, sizeof(res->error), "%s", what);
}

/* The user-facing text for a verdict other than SOURCE_RX_SAMPLE. */
static void verdict_error(struct query_ctx *q, enum source_rx_verdict v)
{
	struct source_status st;

	switch (v) {
	case SOURCE_RX_KOD_RATE:
	case SOURCE_RX_KOD_DENY:
	case SOURCE_RX_KOD_OTHER:
		source_get_status(q->src, &st);
		snprintf(q->res->error, sizeof(q->res->error), "kiss-o'-death %s", st.kiss);
		return;
	case SOURCE_RX_UNSYNC:
		set_error(q->res, "server unsynchronised", 0);
		return;
	case SOURCE_RX_BAD_HEADER:
		set_error(q->res, "server root distance too large", 0);
		return;
	case SOURCE_RX_BAD_DELAY:
		set_error(q->res, "implausible delay", 0);
		return;
	case SOURCE_RX_ZERO_TIMESTAMP:
		set_error(q->res, "reply without timestamps", 0);
		return;
	case SOURCE_RX_BOGUS:
		set_error(q->res, "reply to another request (bogus origin)", 0);
		return;
	default:
		snprintf(q->res->error, sizeof(q->res->error), "invalid reply (%s)",
		         source_rx_verdict_str(v));
		return;
	}
}

static void keep_sample(struct host_result *res, const struct source_sample *s)
{
	if (res->valid == 0 || s->delay < res->best.delay)
		res->best = *s;
	res->valid++;
}

/* Judge one datagram. Returns true when the request is settled (stop waiting). */
static bool handle_datagram(struct query_ctx *q, const uint8_t *buf, long n, bool truncated,
                            const struct timespec *rx_ts, enum req_outcome *out)
{
	struct source_sample s;
	enum source_rx_verdict v;

	if (truncated) {
		set_error(q->res, "oversized reply", 0);
		return false;
	}
	v = source_receive(q->src, buf, (size_t)n, ntp_ts_from_timespec(rx_ts),
	                   clock_monotonic_s(q->clk), &s);
	if (v == SOURCE_RX_SAMPLE) {
		keep_sample(q->res, &s);
		return true;
	}
	verdict_error(q, v);
	if (v == SOURCE_RX_MALFORMED || v == SOURCE_RX_DUPLICATE || v == SOURCE_RX_BOGUS)
		return false; /* the real reply may still come */
	if (v == SOURCE_RX_KOD_RATE || v == SOURCE_RX_KOD_DENY || v == SOURCE_RX_KOD_OTHER ||
	    v == SOURCE_RX_STOPPED)
		*out = REQ_STOP;
	return true;
}

/* Read every waiting datagram. Returns true when the request is settled. */
static bool drain(struct query_ctx *q, int fd, enum req_outcome *out)
{
	uint8_t buf[QUERY_BUF];

	for (;;) {
		struct timespec fallback, rx_ts;
		bool kernel_ts, truncated;
		long n;

		clock_realtime(q->clk, &fallback);
		n = udp_recv(fd, buf, sizeof(buf), NULL, &rx_ts, &fallback, &kernel_ts, &truncated);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return false;
		if (n == -ECONNREFUSED) {
			set_error(q->res, "connection refused (nothing listening)", 0);
			return true;
		}
		if (n < 0) {
			set_error(q->res, "receive", (int)-n);
			return true;
		}
		if (handle_datagram(q, buf, n, truncated, &rx_ts, out))
			return true;
	}
}

/* Wait up to the timeout for the reply on fd. */
static enum req_outcome await_reply(struct query_ctx *q, int fd)
{
	double deadline = clock_monotonic_s(q->clk) + q->opts->timeout;
	enum req_outcome out = REQ_DONE;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	double left;

	q->res->error[0] = '\0'; /* this request's verdict replaces the last one */
	while ((left = deadline - clock_monotonic_s(q->clk)) > 0.0) {
		int r = poll(&pfd, 1, (int)ceil(left * 1e3));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_error(q->res, "poll", errno);
			return REQ_FAILED;
		}
		if (r > 0 && drain(q, fd, &out))
			return out;
	}
	if (!q->res->error[0]) /* else keep what was wrong with the datagrams that came */
		set_error(q->res, "no reply", 0);
	return REQ_DONE;
}

/* Build, send and wait for one request on a fresh socket. */
static enum req_outcome one_request(struct query_ctx *q)
{
	uint8_t req[NTP_HEADER_LEN];
	enum req_outcome out;
	uint64_t cookie;
	size_t len;
	long n;
	int r, fd;

	r = random_cookie(&cookie);
	if (r < 0) {
		set_error(q->res, "getrandom", -r);
		return REQ_FAILED;
	}
	fd = udp_client_socket(q->peer);
	if (fd < 0) {
		set_error(q->res, "socket", -fd);
		return REQ_FAILED;
	}
	len = source_transmit(q->src, clock_monotonic_s(q->clk), now_ntp(q->clk), cookie, 0.0, req,
	                      sizeof(req));
	if (len == 0) {
		close(fd);
		return REQ_STOP;
	}
	n = udp_send(fd, req, len, NULL);
	q->res->sent++;
	if (n < 0) {
		set_error(q->res,
		          n == -ECONNREFUSED ? "connection refused (nothing listening)" : "send",
		          n == -ECONNREFUSED ? 0 : (int)-n);
		close(fd);
		return REQ_DONE;
	}
	out = await_reply(q, fd);
	close(fd);
	return out;
}

/* All requests to one address; fills res (sent, valid, best, error). */
static int query_address(struct clock *clk, const struct query_opts *opts,
                         const struct udp_addr *peer, struct host_result *res)
{
	struct source_config cfg = {.minpoll = QUERY_POLL,
	                            .maxpoll = QUERY_POLL,
	                            .iburst = false,
	                            .local_precision = QUERY_LOCAL_PRECISION};
	struct query_ctx q = {.clk = clk, .opts = opts, .peer = peer, .res = res};
	int r = source_new(&cfg, &q.src);

	if (r < 0)
		return r;
	udp_addr_str(peer, res->address, sizeof(res->address));
	res->sent = res->valid = 0;
	res->error[0] = '\0';
	source_start(q.src, clock_monotonic_s(clk), 0.0);
	for (int i = 0; i < opts->count; i++) {
		double sent_at = clock_monotonic_s(clk);
		enum req_outcome out = one_request(&q);

		if (out != REQ_DONE)
			break;
		if (i + 1 < opts->count)
			pause_until(clk, sent_at + QUERY_SPACING);
	}
	source_free(q.src);
	return 0;
}

/* Resolve host and query its addresses in order until one answers. */
static int query_host(struct clock *clk, const struct query_opts *opts, struct host_result *res)
{
	struct addrinfo hints = {0}, *list = NULL;
	char service[8];
	int r = 0;

	res->port = opts->port;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)opts->port);
	r = getaddrinfo(res->host, service, &hints, &list);
	if (r != 0) {
		snprintf(res->error, sizeof(res->error), "cannot resolve: %s",
		         r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return 0;
	}
	r = 0;
	for (struct addrinfo *ai = list; ai && r == 0; ai = ai->ai_next) {
		struct udp_addr peer = {0};

		if (ai->ai_addrlen > sizeof(peer.ss))
			continue;
		memcpy(&peer.ss, ai->ai_addr, ai->ai_addrlen);
		peer.len = ai->ai_addrlen;
		r = query_address(clk, opts, &peer, res);
		if (res->valid > 0)
			break;
	}
	freeaddrinfo(list);
	return r;
}

/* --- output ---------------------------------------------------------------------------------- */

static const char *leap_str(int leap)
{
	static const char *const names[] = {"none", "insert", "delete", "unsynchronised"};

	return leap >= 0 && leap <= 3 ? names[leap] : "unknown";
}

/* Kiss-style ASCII at stratum 0 and 1 when printable (trailing NULs dropped), else dotted
 * quad (above stratum 1: the upstream's IPv4 address or an IPv6 address hash). */
static void refid_str(uint32_t refid, int stratum, char *buf, size_t len)
{
	char s[5] = {0};
	bool ascii = stratum <= 1;

	for (int i = 0; i < 4 && ascii; i++) {
		unsigned c = (refid >> (24 - 8 * i)) & 0xffu;

		if (c == 0)
			break;
		if (c < 0x20u || c > 0x7eu)
			ascii = false;
		s[i] = (char)c;
	}
	if (ascii && s[0]) {
		snprintf(buf, len, "%s", s);
		return;
	}
	snprintf(buf, len, "%u.%u.%u.%u", refid >> 24, (refid >> 16) & 0xffu, (refid >> 8) & 0xffu,
	         refid & 0xffu);
}

static double root_distance(const struct source_sample *s)
{
	return s->root_delay / 2.0 + s->root_disp + s->delay / 2.0 + s->dispersion;
}

enum {
	COL_HOST,
	COL_ADDR,
	COL_PORT,
	COL_STRATUM,
	COL_REFID,
	COL_LEAP,
	COL_OFFSET,
	COL_DELAY,
	COL_DISP,
	COL_DIST,
	COL_SAMPLES,
	COL_ERROR,
	N_COLS
};

#define CELL_LEN 160

static const char *const col_names[N_COLS] = {
        "HOST",   "ADDRESS", "PORT",       "STRATUM",       "REFID",   "LEAP",
        "OFFSET", "DELAY",   "DISPERSION", "ROOT_DISTANCE", "SAMPLES", "ERROR",
};

static void row_cells(const struct host_result *r, char cells[N_COLS][CELL_LEN])
{
	const struct source_sample *s = &r->best;

	for (int i = 0; i < N_COLS; i++)
		snprintf(cells[i], CELL_LEN, "-");
	snprintf(cells[COL_HOST], CELL_LEN, "%s", r->host);
	if (r->address[0])
		snprintf(cells[COL_ADDR], CELL_LEN, "%s", r->address);
	snprintf(cells[COL_PORT], CELL_LEN, "%u", (unsigned)r->port);
	snprintf(cells[COL_SAMPLES], CELL_LEN, "%d/%d", r->valid, r->sent);
	if (r->valid == 0) {
		snprintf(cells[COL_ERROR], CELL_LEN, "%s", r->error[0] ? r->error : "no reply");
		return;
	}
	snprintf(cells[COL_STRATUM], CELL_LEN, "%u", (unsigned)s->stratum);
	refid_str(s->refid, s->stratum, cells[COL_REFID], CELL_LEN);
	snprintf(cells[COL_LEAP], CELL_LEN, "%s", leap_str(s->leap));
	snprintf(cells[COL_OFFSET], CELL_LEN, "%+.6f", s->offset);
	snprintf(cells[COL_DELAY], CELL_LEN, "%.6f", s->delay);
	snprintf(cells[COL_DISP], CELL_LEN, "%.6f", s->dispersion);
	snprintf(cells[COL_DIST], CELL_LEN, "%.6f", root_distance(s));
}

static void print_row(char cells[N_COLS][CELL_LEN], const int *width)
{
	for (int i = 0; i < N_COLS - 1; i++)
		printf("%-*s  ", width[i], cells[i]);
	printf("%s\n", cells[N_COLS - 1]);
}

static int print_table(const struct host_result *res, int n)
{
	char(*cells)[N_COLS][CELL_LEN] = calloc((size_t)n + 1, sizeof(*cells));
	int width[N_COLS] = {0};

	if (!cells)
		return -ENOMEM;
	for (int c = 0; c < N_COLS; c++)
		snprintf(cells[0][c], CELL_LEN, "%s", col_names[c]);
	for (int i = 0; i < n; i++)
		row_cells(&res[i], cells[i + 1]);
	for (int i = 0; i <= n; i++)
		for (int c = 0; c < N_COLS; c++)
			if ((int)strlen(cells[i][c]) > width[c])
				width[c] = (int)strlen(cells[i][c]);
	for (int i = 0; i <= n; i++)
		print_row(cells[i], width);
	free(cells);
	return 0;
}

/* One server as a JSON object; the sample's fields are null when there is no valid reply. */
static json_t *server_json(const struct host_result *r)
{
	const struct source_sample *s = &r->best;
	bool ok = r->valid > 0;
	char refid[20];
	json_t *o = json_object();

	if (!o)
		return NULL;
	refid_str(s->refid, s->stratum, refid, sizeof(refid));
	json_object_set_new(o, "host", json_string(r->host));
	json_object_set_new(o, "address", r->address[0] ? json_string(r->address) : json_null());
	json_object_set_new(o, "port", json_integer(r->port));
	json_object_set_new(o, "stratum", ok ? json_integer(s->stratum) : json_null());
	json_object_set_new(o, "refid", ok ? json_string(refid) : json_null());
	json_object_set_new(o, "leap", ok ? json_string(leap_str(s->leap)) : json_null());
	json_object_set_new(o, "offset", ok ? json_real(s->offset) : json_null());
	json_object_set_new(o, "delay", ok ? json_real(s->delay) : json_null());
	json_object_set_new(o, "dispersion", ok ? json_real(s->dispersion) : json_null());
	json_object_set_new(o, "root_delay", ok ? json_real(s->root_delay) : json_null());
	json_object_set_new(o, "root_dispersion", ok ? json_real(s->root_disp) : json_null());
	json_object_set_new(o, "root_distance", ok ? json_real(root_distance(s)) : json_null());
	json_object_set_new(o, "precision", ok ? json_integer(s->precision) : json_null());
	json_object_set_new(o, "poll", ok ? json_integer(s->poll) : json_null());
	json_object_set_new(o, "samples_valid", json_integer(r->valid));
	json_object_set_new(o, "samples_sent", json_integer(r->sent));
	json_object_set_new(o, "error",
	                    ok ? json_null() : json_string(r->error[0] ? r->error : "no reply"));
	return o;
}

static int print_json(const struct host_result *res, int n)
{
	json_t *root = json_object();
	json_t *arr = json_array();
	int r = 0;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return -ENOMEM;
	}
	json_object_set_new(root, "servers", arr);
	for (int i = 0; i < n && r == 0; i++)
		if (json_array_append_new(arr, server_json(&res[i])) < 0)
			r = -ENOMEM;
	if (r == 0 && json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) < 0)
		r = -EIO;
	if (r == 0)
		putchar('\n');
	json_decref(root);
	return r;
}

/* --- command ---------------------------------------------------------------------------------- */

static int run_queries(const struct query_opts *opts, char **hosts, int n)
{
	struct host_result *res = calloc((size_t)n, sizeof(*res));
	struct clock *clk = NULL;
	int r = res ? clock_null_new(&clk) : -ENOMEM;
	bool all_ok = true;

	for (int i = 0; i < n && r == 0; i++) {
		res[i].host = hosts[i];
		r = query_host(clk, opts, &res[i]);
		all_ok = all_ok && res[i].valid > 0;
	}
	if (r == 0)
		r = opts->json ? print_json(res, n) : print_table(res, n);
	if (r < 0)
		fprintf(stderr, "stratactl query: %s\n", strerror(-r));
	clock_free(clk);
	free(res);
	return r < 0 ? EXIT_FAILURE : all_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

int query_main(int argc, char **argv)
{
	struct query_opts opts;
	int r = parse_opts(argc, argv, &opts);

	if (r >= 0)
		return r;
	return run_queries(&opts, argv + optind, argc - optind);
}
