/* ctl_conn: see ctl_conn.h. */
#include "config.h"

#include "ctl/ctl_conn.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/conf.h"

#define CTL_TIMEOUT_MS 5000
#define CTL_MAX_REPLY (1 << 20)
#define CTL_MAX_OPTS 8
#define CTL_OPT_BASE 256

/* A command's own option at index i, with its argument. 0, or 2 after saying why. */
static int ctl_extra(const struct ctl_opt *x, const char *arg)
{
	char *end;
	if (x->flag) {
		*x->flag = true;
		return 0;
	}
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= x->lo && v <= x->hi)) {
		fprintf(stderr, "stratactl: --%s needs a number in %g..%g, not '%s'\n", x->name,
		        x->lo, x->hi, arg);
		return 2;
	}
	*x->num = v;
	return 0;
}

int ctl_parse(int argc, char **argv, struct ctl_opts *o, const struct ctl_opt *extra,
              size_t n_extra, void (*usage)(FILE *))
{
	struct option longopts[CTL_MAX_OPTS + 4] = {{"socket", required_argument, NULL, 's'},
	                                            {"json", no_argument, NULL, 'j'},
	                                            {"help", no_argument, NULL, 'h'}};
	size_t n = 3;
	char shorts[3 * CTL_MAX_OPTS + 8] = "s:jh";
	size_t ns = strlen(shorts);
	for (size_t i = 0; i < n_extra && i < CTL_MAX_OPTS; i++) {
		longopts[n++] = (struct option){extra[i].name,
		                                extra[i].flag ? no_argument : required_argument,
		                                NULL, CTL_OPT_BASE + (int)i};
		if (extra[i].short_name) {
			shorts[ns++] = extra[i].short_name;
			if (!extra[i].flag)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	o->socket = getenv("STRATA_CONTROL_SOCKET");
	if (!o->socket || !*o->socket)
		o->socket = CONF_DEFAULT_CONTROL_SOCKET;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		for (size_t i = 0; i < n_extra && i < CTL_MAX_OPTS; i++)
			if (extra[i].short_name && c == extra[i].short_name)
				c = CTL_OPT_BASE + (int)i;
		if (c == 's') {
			o->socket = optarg;
		} else if (c == 'j') {
			o->json = true;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else if (c >= CTL_OPT_BASE && c < CTL_OPT_BASE + (int)n_extra) {
			if (ctl_extra(&extra[c - CTL_OPT_BASE], optarg))
				return 2;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > o->max_args) {
		fprintf(stderr, "stratactl: unexpected argument '%s'\n",
		        argv[optind + o->max_args]);
		usage(stderr);
		return 2;
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	return -1;
}

json_t *ctl_command(const char *cmd)
{
	return json_pack("{s:i, s:s}", "version", 1, "command", cmd);
}

static int ctl_connect(const char *path, bool quiet)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	if (!quiet)
		fprintf(stderr, "stratactl: cannot connect to %s: %s (is stratad running?)\n", path,
		        strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Read until a newline, the timeout or CTL_MAX_REPLY bytes; the reply parsed, or NULL. */
static json_t *ctl_read_reply(int fd)
{
	char *buf = malloc(CTL_MAX_REPLY);
	size_t len = 0;
	while (buf && len < CTL_MAX_REPLY && !memchr(buf, '\n', len)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, CTL_TIMEOUT_MS) <= 0)
			break;
		ssize_t r = read(fd, buf + len, CTL_MAX_REPLY - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	json_error_t jerr;
	json_t *reply = buf && memchr(buf, '\n', len) ? json_loadb(buf, len, 0, &jerr) : NULL;
	free(buf);
	return reply;
}

json_t *ctl_request(const char *path, json_t *req, bool quiet)
{
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!text)
		return NULL;
	int fd = ctl_connect(path, quiet);
	if (fd < 0) {
		free(text);
		return NULL;
	}
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps' terminator becomes the end of line */
	bool sent = write(fd, text, len + 1) == (ssize_t)(len + 1);
	free(text);
	json_t *reply = sent ? ctl_read_reply(fd) : NULL;
	close(fd);
	if (!reply && !quiet)
		fprintf(stderr, "stratactl: %s %s\n",
		        sent ? "no valid reply from" : "cannot send to", path);
	return reply;
}

json_t *ctl_result(json_t *reply)
{
	json_t *ok = json_object_get(reply, "ok"), *res = json_object_get(reply, "result");
	if (json_is_true(ok) && json_is_object(res))
		return res;
	const char *e = json_string_value(json_object_get(reply, "error"));
	fprintf(stderr, "stratactl: the daemon said: %s\n", e ? e : "(no reason given)");
	return NULL;
}

void ctl_print_json(json_t *res)
{
	char *text = json_dumps(res, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text)
		printf("%s\n", text);
	free(text);
}

double ctl_num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *ctl_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}
