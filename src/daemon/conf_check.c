/* conf_check: parsing and validating single option values for conf.c (see conf_priv.h).
 * Every message names the option and the accepted range; conf.c adds file and line.
 */
#include "daemon/conf_priv.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <string.h>

#include "core/clientlog.h"
#include "core/ratelimit.h"

struct ctx *conf_ctx_of(cfg_t *cfg)
{
	for (cfg_opt_t *o = cfg ? cfg->opts : NULL; o && o->name; o++)
		if (strcmp(o->name, CTX_OPT) == 0 && o->simple_value.ptr)
			return *o->simple_value.ptr;
	return NULL;
}

int conf_clamp_line(const struct ctx *c, int line)
{
	if (line > c->nlines)
		return c->nlines;
	return line < 1 ? 1 : line;
}
/* ---- value parsing ---------------------------------------------------------------------- */

/* The sentinel read as a value means the real text ended in the middle of an option. */
static bool at_sentinel(cfg_t *cfg, const char *value)
{
	struct ctx *c = conf_ctx_of(cfg);

	return c && value && strcmp(value, END_OPT) == 0 && cfg->line > c->nlines;
}

static int bad_value(cfg_t *cfg, cfg_opt_t *opt, const char *what, const char *value)
{
	if (at_sentinel(cfg, value))
		cfg_error(cfg, "unexpected end of file");
	else
		cfg_error(cfg, "%s: expected %s, got \"%s\"", opt->name, what, value);
	return -1;
}

int conf_cb_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	long v;

	if (!value || !conf_parse_long(value, &v) || v < INT_MIN || v > INT_MAX)
		return bad_value(cfg, opt, "an integer", value ? value : "");
	*(long *)result = v;
	return 0;
}

int conf_cb_float(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	double v;

	if (!value || !conf_parse_double(value, &v))
		return bad_value(cfg, opt, "a number", value ? value : "");
	*(double *)result = v;
	return 0;
}

int conf_cb_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int b = value ? cfg_parse_boolean(value) : -1;

	if (b < 0)
		return bad_value(cfg, opt, "true or false", value ? value : "");
	*(int *)result = b;
	return 0;
}

/* The hidden context option: never settable from a file. */
int conf_cb_reject(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	cfg_error(cfg, "no such option '%s'", opt->name);
	return -1;
}

int conf_cb_end(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct ctx *c = conf_ctx_of(cfg);

	if (!c || cfg->line <= c->nlines)
		return conf_cb_reject(cfg, opt, value, result);
	if (strcmp(cfg->name, "root") != 0) {
		cfg_error(cfg, "missing '}' at end of file");
		return -1;
	}
	c->end_seen = true;
	*(void **)result = NULL;
	return 0;
}

/* ---- validation callbacks ------------------------------------------------------------- */

/* Rejects option paths ("server=a|port" = 1 set from the top level) and, for strings,
 * control characters and the sentinel. Every validator starts here. */
static bool owned(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_opt_t *o;
	const char *s;

	for (o = cfg->opts; o->name && o != opt; o++)
		;
	if (o != opt) {
		cfg_error(cfg, "option paths are not supported ('%s' set from outside its section)",
		          opt->name);
		return false;
	}
	if (opt->type != CFGT_STR || cfg_opt_size(opt) == 0)
		return true;
	s = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	if (at_sentinel(cfg, s)) {
		cfg_error(cfg, "unexpected end of file");
		return false;
	}
	for (const char *p = s; p && *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			cfg_error(cfg, "%s: control character in value", opt->name);
			return false;
		}
	}
	return true;
}

static int v_plain(cfg_t *cfg, cfg_opt_t *opt)
{
	return owned(cfg, opt) ? 0 : -1;
}

static bool valid_host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr("-._:%", ch) != NULL;
}

static int v_source(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec;
	const char *name;

	if (!owned(cfg, opt) || cfg_opt_size(opt) == 0)
		return owned(cfg, opt) ? 0 : -1;
	sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	name = sec ? cfg_title(sec) : NULL;
	if (!name || !*name) {
		cfg_error(cfg, "%s: missing name (%s \"time.example.com\" { ... })", opt->name,
		          opt->name);
		return -1;
	}
	if (strlen(name) > MAX_NAME_LEN) {
		cfg_error(cfg, "%s: name longer than %d characters", opt->name, MAX_NAME_LEN);
		return -1;
	}
	for (const char *p = name; *p; p++) {
		if (!valid_host_char(*p)) {
			cfg_error(cfg, "%s \"%s\": invalid character in name", opt->name, name);
			return -1;
		}
	}
	return 0;
}

static int range_error(cfg_t *cfg, cfg_opt_t *opt, long v, long lo, long hi)
{
	cfg_error(cfg, "%s %ld out of range %ld..%ld", opt->name, v, lo, hi);
	return -1;
}

static int v_int_range(cfg_t *cfg, cfg_opt_t *opt, long lo, long hi)
{
	long v;

	if (!owned(cfg, opt))
		return -1;
	v = cfg_opt_getnint(opt, 0);
	return (v < lo || v > hi) ? range_error(cfg, opt, v, lo, hi) : 0;
}

static const struct {
	const char *name;
	long lo, hi;
} int_ranges[] = {
        {"port", 1, 65535},
        {"minpoll", 1, 17},
        {"maxpoll", 1, 17},
        {"maxsources", 1, 16},
        {"limit", -1, INT_MAX},
        {"minsources", 1, 64},
        {"local_stratum", 0, 15},
        {"server_threads", 1, CONF_MAX_SERVER_THREADS},
        {"interval", RATELIMIT_MIN_INTERVAL, RATELIMIT_MAX_INTERVAL},
        {"burst", 1, RATELIMIT_MAX_BURST},
        {"leak", 0, RATELIMIT_MAX_LEAK},
        {"ipv4_prefix", 0, 32},
        {"ipv6_prefix", 0, 128},
        {"clients", RATELIMIT_MIN_CLIENTS, RATELIMIT_MAX_CLIENTS},
        {"clientlog", 0, CLIENTLOG_MAX_SIZE},
};

/* Integers with a fixed range (int_ranges, by option name). */
static int v_range(cfg_t *cfg, cfg_opt_t *opt)
{
	for (size_t i = 0; i < NOPTS(int_ranges); i++)
		if (strcmp(opt->name, int_ranges[i].name) == 0)
			return v_int_range(cfg, opt, int_ranges[i].lo, int_ranges[i].hi);
	return v_plain(cfg, opt);
}

static int v_clientlog(cfg_t *cfg, cfg_opt_t *opt)
{
	if (v_range(cfg, opt) != 0)
		return -1;
	long v = cfg_opt_getnint(opt, 0);
	if (v > 0 && v < CLIENTLOG_MIN_SIZE) {
		cfg_error(cfg, "clientlog %ld: use 0 (off) or %d..%d entries", v,
		          CLIENTLOG_MIN_SIZE, CLIENTLOG_MAX_SIZE);
		return -1;
	}
	return 0;
}

static int v_poll(cfg_t *cfg, cfg_opt_t *opt)
{
	bool is_min = strcmp(opt->name, "minpoll") == 0;
	cfg_opt_t *other;
	long v, w;

	if (v_range(cfg, opt) != 0)
		return -1;
	other = cfg_getopt(cfg, is_min ? "maxpoll" : "minpoll");
	if (!other || !(other->flags & CFGF_MODIFIED))
		return 0;
	v = cfg_opt_getnint(opt, 0);
	w = cfg_opt_getnint(other, 0);
	if (is_min ? w < v : v < w) {
		cfg_error(cfg, "maxpoll %ld is less than minpoll %ld", is_min ? w : v,
		          is_min ? v : w);
		return -1;
	}
	return 0;
}

static int v_threshold(cfg_t *cfg, cfg_opt_t *opt)
{
	double v;

	if (!owned(cfg, opt))
		return -1;
	v = cfg_opt_getnfloat(opt, 0);
	if (!(v > 0)) {
		cfg_error(cfg, "threshold %g must be greater than 0", v);
		return -1;
	}
	return 0;
}

static int v_panic(cfg_t *cfg, cfg_opt_t *opt)
{
	double v;

	if (!owned(cfg, opt))
		return -1;
	v = cfg_opt_getnfloat(opt, 0);
	if (v < 0) {
		cfg_error(cfg, "panic %g must not be negative (0 disables the check)", v);
		return -1;
	}
	return 0;
}

static const char *last_str(cfg_opt_t *opt)
{
	unsigned int n = cfg_opt_size(opt);

	return n ? cfg_opt_getnstr(opt, n - 1) : NULL;
}

static int v_prefix(cfg_t *cfg, cfg_opt_t *opt)
{
	struct conf_prefix p;
	const char *s, *why;

	if (!owned(cfg, opt))
		return -1;
	s = last_str(opt);
	if (s && (why = conf_parse_prefix(s, &p))) {
		cfg_error(cfg, "%s \"%s\": %s", opt->name, s, why);
		return -1;
	}
	return 0;
}

static int v_listen(cfg_t *cfg, cfg_opt_t *opt)
{
	struct conf_listen l;
	const char *s, *why;

	if (!owned(cfg, opt))
		return -1;
	s = last_str(opt);
	if (s && (why = conf_parse_listen(s, &l))) {
		cfg_error(cfg, "listen \"%s\": %s", s, why);
		return -1;
	}
	return 0;
}

static int v_metrics_listen(cfg_t *cfg, cfg_opt_t *opt)
{
	struct conf_listen l;
	const char *why;

	if (!owned(cfg, opt))
		return -1;
	const char *s = cfg_opt_getnstr(opt, 0);
	if (!s || (why = conf_parse_endpoint(s, CONF_DEFAULT_METRICS_PORT, &l))) {
		cfg_error(cfg, "metrics listen \"%s\": %s", s ? s : "", s ? why : "empty");
		return -1;
	}
	return 0;
}

static int v_stats_dir(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!owned(cfg, opt))
		return -1;
	const char *s = cfg_opt_getnstr(opt, 0);
	if (!s || s[0] != '/' || strlen(s) > 3000) {
		cfg_error(cfg, "statistics directory \"%s\": must be an absolute path", s ? s : "");
		return -1;
	}
	return 0;
}

static int v_maxslewrate(cfg_t *cfg, cfg_opt_t *opt)
{
	double v;

	if (!owned(cfg, opt))
		return -1;
	v = cfg_opt_getnfloat(opt, 0);
	if (!(v >= 1.0 && v <= CONF_MAX_SLEWRATE)) {
		cfg_error(cfg, "maxslewrate %g out of range 1..%g ppm", v, CONF_MAX_SLEWRATE);
		return -1;
	}
	return 0;
}

/* A string option that must be one of choices (NULL-terminated; shown in the error). */
static int one_of(cfg_t *cfg, cfg_opt_t *opt, const char *const *choices)
{
	char list[128] = "";
	size_t len = 0;

	if (!owned(cfg, opt))
		return -1;
	const char *s = cfg_opt_getnstr(opt, 0);
	for (size_t i = 0; choices[i]; i++) {
		if (s && strcmp(s, choices[i]) == 0)
			return 0;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
		                        choices[i]);
	}
	cfg_error(cfg, "unknown %s \"%s\" (%s)", opt->name, s ? s : "", list);
	return -1;
}

static int v_leapsecmode(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const modes[] = {"system", "slew", NULL};
	return one_of(cfg, opt, modes);
}

static int v_control_write(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const who[] = {"group", "root", NULL};
	return one_of(cfg, opt, who);
}

/* A user name: not checked against the password database (the user need exist only where
 * the daemon starts as root), but it must look like one. */
static int v_user(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!owned(cfg, opt))
		return -1;
	const char *s = cfg_opt_getnstr(opt, 0);
	size_t n = s ? strlen(s) : 0;
	bool ok = n > 0 && n <= 32 && s[0] != '-';
	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		     (s[i] >= '0' && s[i] <= '9') || strchr("_-.", s[i]);
	if (!ok) {
		cfg_error(cfg, "user: \"%s\" is not a user name", s ? s : "");
		return -1;
	}
	return 0;
}

/* An absolute path, or "" for none. */
static int v_abs_path(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!owned(cfg, opt))
		return -1;
	const char *s = cfg_opt_getnstr(opt, 0);
	if (s && *s && *s != '/') {
		cfg_error(cfg, "%s: \"%s\" is not an absolute path", opt->name, s);
		return -1;
	}
	return 0;
}

/* A group name that exists (getgrnam), or "" for none. */
static int v_group(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!owned(cfg, opt))
		return -1;
	const char *s = cfg_opt_getnstr(opt, 0);
	if (s && *s && !getgrnam(s)) {
		cfg_error(cfg, "%s: no such group \"%s\"", opt->name, s);
		return -1;
	}
	return 0;
}

static int v_log_level(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s;

	if (!owned(cfg, opt))
		return -1;
	s = cfg_opt_getnstr(opt, 0);
	if (!s || conf_log_level_parse(s) < 0) {
		cfg_error(cfg, "unknown log_level \"%s\" (err, warning, notice, info, debug)",
		          s ? s : "");
		return -1;
	}
	return 0;
}

static int v_socket(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s;

	if (!owned(cfg, opt))
		return -1;
	s = cfg_opt_getnstr(opt, 0);
	if (!s || !*s || strlen(s) >= SUN_PATH_MAX) {
		cfg_error(cfg, "control_socket must be a path of 1..%d bytes", SUN_PATH_MAX - 1);
		return -1;
	}
	return 0;
}

static int v_include_dir(cfg_t *cfg, cfg_opt_t *opt)
{
	struct ctx *c = conf_ctx_of(cfg);

	if (!owned(cfg, opt) || !c)
		return -1;
	if (!c->is_main) {
		cfg_error(cfg, "include_dir is only allowed in the main configuration file");
		return -1;
	}
	c->include_line = cfg->line;
	return 0;
}

static const struct {
	const char *path;
	cfg_validate_callback_t fn;
} validators[] = {
        {"server", v_source},
        {"pool", v_source},
        {"server|port", v_range},
        {"pool|port", v_range},
        {"server|iburst", v_plain},
        {"pool|iburst", v_plain},
        {"server|minpoll", v_poll},
        {"pool|minpoll", v_poll},
        {"server|maxpoll", v_poll},
        {"pool|maxpoll", v_poll},
        {"pool|maxsources", v_range},
        {"driftfile", v_plain},
        {"makestep", v_plain},
        {"makestep|threshold", v_threshold},
        {"makestep|limit", v_range},
        {"panic", v_panic},
        {"allow", v_prefix},
        {"deny", v_prefix},
        {"allow_control", v_prefix},
        {"listen", v_listen},
        {"control_socket", v_socket},
        {"control_group", v_group},
        {"control_write", v_control_write},
        {"user", v_user},
        {"seccomp", v_plain},
        {"timesync_file", v_abs_path},
        {"time_file", v_abs_path},
        {"resolv_conf", v_abs_path},
        {"log_level", v_log_level},
        {"include_dir", v_include_dir},
        {"maxslewrate", v_maxslewrate},
        {"minsources", v_range},
        {"local_stratum", v_range},
        {"deny_kod", v_plain},
        {"server_threads", v_range},
        {"clientlog", v_clientlog},
        {"metrics", v_plain},
        {"metrics|listen", v_metrics_listen},
        {"statistics", v_plain},
        {"statistics|directory", v_stats_dir},
        {"statistics|loopstats", v_plain},
        {"statistics|peerstats", v_plain},
        {"ratelimit", v_plain},
        {"ratelimit|interval", v_range},
        {"ratelimit|burst", v_range},
        {"ratelimit|leak", v_range},
        {"ratelimit|kod", v_plain},
        {"ratelimit|ipv4_prefix", v_range},
        {"ratelimit|ipv6_prefix", v_range},
        {"ratelimit|clients", v_range},
        {"leapsecmode", v_leapsecmode},
        {"leapseclist", v_plain},
};

void conf_set_validators(cfg_t *cfg)
{
	for (size_t i = 0; i < NOPTS(validators); i++)
		cfg_set_validate_func(cfg, validators[i].path, validators[i].fn);
}
