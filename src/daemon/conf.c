/* conf: read and validate the configuration with libconfuse (see conf.h).
 *
 * Each file is parsed into its own cfg_t, checked, merged into the struct conf and freed
 * before the next file is read. Callbacks find the per-load context through a hidden option
 * ("|ctx") present in every section: libconfuse cannot reach it from a file because a name
 * containing '|' is taken as a section path, and its parse callback rejects any value.
 *
 * libconfuse accepts a file that ends inside a quoted string or without the closing brace of
 * a section; to catch both, every text gets a sentinel line (" end" = 1) that only counts
 * when it is seen at the top level after the last real line.
 */
#include "daemon/conf.h"
#include "daemon/conf_util.h"

#include <confuse.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CTX_OPT "|ctx"
#define END_OPT " end"
#define SENTINEL "\n\" end\" = 1\n"
#define MAX_NAME_LEN 253
#define SUN_PATH_MAX 108
#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

struct ctx {
	void *self; /* the hidden option points here */
	struct conf *conf;
	struct conf_err err;
	bool is_main;  /* the file being parsed is the main file */
	bool end_seen; /* the sentinel was reached at the top level */
	int nlines;    /* lines of the current text, without the sentinel */
	const char *cur_name;
	int include_line; /* line of include_dir in the main file, 0: default */
};

/* ---- errors --------------------------------------------------------------------------- */

static struct ctx *ctx_of(cfg_t *cfg)
{
	for (cfg_opt_t *o = cfg ? cfg->opts : NULL; o && o->name; o++)
		if (strcmp(o->name, CTX_OPT) == 0 && o->simple_value.ptr)
			return *o->simple_value.ptr;
	return NULL;
}

static int clamp_line(const struct ctx *c, int line)
{
	if (line > c->nlines)
		return c->nlines;
	return line < 1 ? 1 : line;
}

/* "server \"a\": " inside a source section, "makestep: " inside makestep, else "". */
static void section_label(cfg_t *cfg, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!cfg->name || strcmp(cfg->name, "root") == 0)
		return;
	if (cfg->title)
		snprintf(buf, len, "%s \"%s\": ", cfg->name, cfg->title);
	else
		snprintf(buf, len, "%s: ", cfg->name);
}

__attribute__((format(printf, 2, 0))) static void on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct ctx *c = ctx_of(cfg);
	char msg[512], label[320];

	if (!c || c->err.failed)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	section_label(cfg, label, sizeof(label));
	conf_err_set(&c->err, c->cur_name, clamp_line(c, cfg->line), "%s%s", label, msg);
}

/* ---- value parsing ---------------------------------------------------------------------- */

/* The sentinel read as a value means the real text ended in the middle of an option. */
static bool at_sentinel(cfg_t *cfg, const char *value)
{
	struct ctx *c = ctx_of(cfg);

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

static int cb_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	long v;

	if (!value || !conf_parse_long(value, &v) || v < INT_MIN || v > INT_MAX)
		return bad_value(cfg, opt, "an integer", value ? value : "");
	*(long *)result = v;
	return 0;
}

static int cb_float(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	double v;

	if (!value || !conf_parse_double(value, &v))
		return bad_value(cfg, opt, "a number", value ? value : "");
	*(double *)result = v;
	return 0;
}

static int cb_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int b = value ? cfg_parse_boolean(value) : -1;

	if (b < 0)
		return bad_value(cfg, opt, "true or false", value ? value : "");
	*(int *)result = b;
	return 0;
}

/* The hidden context option: never settable from a file. */
static int cb_reject(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	cfg_error(cfg, "no such option '%s'", opt->name);
	return -1;
}

static int cb_end(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct ctx *c = ctx_of(cfg);

	if (!c || cfg->line <= c->nlines)
		return cb_reject(cfg, opt, value, result);
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
        {"port", 1, 65535},       {"minpoll", 1, 17},     {"maxpoll", 1, 17},
        {"maxsources", 1, 16},    {"limit", -1, INT_MAX}, {"minsources", 1, 64},
        {"local_stratum", 0, 15},
};

/* Integers with a fixed range (int_ranges, by option name). */
static int v_range(cfg_t *cfg, cfg_opt_t *opt)
{
	for (size_t i = 0; i < NOPTS(int_ranges); i++)
		if (strcmp(opt->name, int_ranges[i].name) == 0)
			return v_int_range(cfg, opt, int_ranges[i].lo, int_ranges[i].hi);
	return v_plain(cfg, opt);
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

static int v_leapsecmode(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s;

	if (!owned(cfg, opt))
		return -1;
	s = cfg_opt_getnstr(opt, 0);
	if (!s || (strcmp(s, "system") != 0 && strcmp(s, "slew") != 0)) {
		cfg_error(cfg, "unknown leapsecmode \"%s\" (system, slew)", s ? s : "");
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
	struct ctx *c = ctx_of(cfg);

	if (!owned(cfg, opt) || !c)
		return -1;
	if (!c->is_main) {
		cfg_error(cfg, "include_dir is only allowed in the main configuration file");
		return -1;
	}
	c->include_line = cfg->line;
	return 0;
}

/* ---- schema ----------------------------------------------------------------------------- */

#define OPT_CTX                                                                                    \
	{                                                                                          \
		.name = CTX_OPT, .type = CFGT_PTR, .flags = CFGF_NODEFAULT, .parsecb = cb_reject   \
	}
#define OPT_END CFG_PTR_CB(END_OPT, 0, CFGF_NODEFAULT, cb_end, NULL)
#define SOURCE_OPTS                                                                                \
	OPT_CTX, OPT_END, CFG_INT_CB("port", 123, CFGF_NONE, cb_int),                              \
	        CFG_BOOL_CB("iburst", cfg_false, CFGF_NONE, cb_bool),                              \
	        CFG_INT_CB("minpoll", 6, CFGF_NONE, cb_int),                                       \
	        CFG_INT_CB("maxpoll", 10, CFGF_NONE, cb_int)

static const cfg_opt_t server_tmpl[] = {SOURCE_OPTS, CFG_END()};
static const cfg_opt_t pool_tmpl[] = {SOURCE_OPTS, CFG_INT_CB("maxsources", 4, CFGF_NONE, cb_int),
                                      CFG_END()};
static const cfg_opt_t makestep_tmpl[] = {OPT_CTX, OPT_END,
                                          CFG_FLOAT_CB("threshold", 1.0, CFGF_NONE, cb_float),
                                          CFG_INT_CB("limit", 3, CFGF_NONE, cb_int), CFG_END()};
#define SEC_FLAGS (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)
static const cfg_opt_t root_tmpl[] = {
        OPT_CTX,
        OPT_END,
        CFG_SEC("server", NULL, SEC_FLAGS),
        CFG_SEC("pool", NULL, SEC_FLAGS),
        CFG_STR("driftfile", CONF_DEFAULT_DRIFTFILE, CFGF_NONE),
        CFG_SEC("makestep", NULL, CFGF_NONE),
        CFG_FLOAT_CB("panic", 1000.0, CFGF_NONE, cb_float),
        CFG_FLOAT_CB("maxslewrate", CONF_DEFAULT_SLEWRATE, CFGF_NONE, cb_float),
        CFG_INT_CB("minsources", 1, CFGF_NONE, cb_int),
        CFG_STR("leapsecmode", "system", CFGF_NONE),
        CFG_STR("leapseclist", "", CFGF_NONE),
        CFG_INT_CB("local_stratum", 0, CFGF_NONE, cb_int),
        CFG_STR_LIST("allow", NULL, CFGF_NONE),
        CFG_STR_LIST("deny", NULL, CFGF_NONE),
        CFG_STR_LIST("listen", NULL, CFGF_NONE),
        CFG_STR("control_socket", CONF_DEFAULT_CONTROL_SOCKET, CFGF_NONE),
        CFG_STR("log_level", "info", CFGF_NONE),
        CFG_STR("include_dir", CONF_DEFAULT_INCLUDE_DIR, CFGF_NONE),
        CFG_END(),
};

/* Per-load copies of the templates, wired to each other and to the context. */
struct schema {
	cfg_opt_t server[NOPTS(server_tmpl)];
	cfg_opt_t pool[NOPTS(pool_tmpl)];
	cfg_opt_t makestep[NOPTS(makestep_tmpl)];
	cfg_opt_t root[NOPTS(root_tmpl)];
};

static void schema_init(struct schema *s, struct ctx *c)
{
	memcpy(s->server, server_tmpl, sizeof(server_tmpl));
	memcpy(s->pool, pool_tmpl, sizeof(pool_tmpl));
	memcpy(s->makestep, makestep_tmpl, sizeof(makestep_tmpl));
	memcpy(s->root, root_tmpl, sizeof(root_tmpl));
	s->server[0].simple_value.ptr = &c->self;
	s->pool[0].simple_value.ptr = &c->self;
	s->makestep[0].simple_value.ptr = &c->self;
	s->root[0].simple_value.ptr = &c->self;
	for (cfg_opt_t *o = s->root; o->name; o++) {
		if (strcmp(o->name, "server") == 0)
			o->subopts = s->server;
		else if (strcmp(o->name, "pool") == 0)
			o->subopts = s->pool;
		else if (strcmp(o->name, "makestep") == 0)
			o->subopts = s->makestep;
	}
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
        {"listen", v_listen},
        {"control_socket", v_socket},
        {"log_level", v_log_level},
        {"include_dir", v_include_dir},
        {"maxslewrate", v_maxslewrate},
        {"minsources", v_range},
        {"local_stratum", v_range},
        {"leapsecmode", v_leapsecmode},
        {"leapseclist", v_plain},
};

/* ---- building the struct conf ----------------------------------------------------------- */

static void *grow(struct ctx *c, void *base, size_t n, size_t size)
{
	char *p = realloc(base, (n + 1) * size);

	if (!p) {
		conf_err_set(&c->err, c->cur_name, 0, "out of memory");
		return NULL;
	}
	memset(p + n * size, 0, size);
	return p;
}

static bool set_str(struct ctx *c, char **dst, const char *s)
{
	char *copy = NULL;

	if (s && *s && !(copy = strdup(s))) {
		conf_err_set(&c->err, c->cur_name, 0, "out of memory");
		return false;
	}
	free(*dst);
	*dst = copy;
	return true;
}

/* The option if the current file sets it (or provides the main file's default), else NULL. */
static cfg_opt_t *given(struct ctx *c, cfg_t *cfg, const char *name)
{
	cfg_opt_t *o = cfg_getopt(cfg, name);

	return (o && (c->is_main || (o->flags & CFGF_MODIFIED))) ? o : NULL;
}

static int find_source(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_sources; i++)
		if (strcasecmp(conf->sources[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The unset one of minpoll/maxpoll follows the other when it crosses its default. */
static void poll_interval(cfg_t *sec, struct conf_source *s)
{
	cfg_opt_t *mino = cfg_getopt(sec, "minpoll"), *maxo = cfg_getopt(sec, "maxpoll");

	s->minpoll = (int)cfg_opt_getnint(mino, 0);
	s->maxpoll = (int)cfg_opt_getnint(maxo, 0);
	if (s->maxpoll < s->minpoll && !(maxo->flags & CFGF_MODIFIED))
		s->maxpoll = s->minpoll;
	else if (s->maxpoll < s->minpoll && !(mino->flags & CFGF_MODIFIED))
		s->minpoll = s->maxpoll;
}

static int add_source(struct ctx *c, cfg_t *sec, enum conf_source_type type)
{
	struct conf *conf = c->conf;
	struct conf_source *s;
	const char *name = cfg_title(sec);
	int dup = find_source(conf, name);

	if (dup >= 0) {
		conf_err_set(&c->err, c->cur_name, clamp_line(c, sec->line),
		             "source \"%s\" already defined at %s:%d", name,
		             conf->sources[dup].file, conf->sources[dup].line);
		return -1;
	}
	s = grow(c, conf->sources, conf->n_sources, sizeof(*s));
	if (!s)
		return -1;
	conf->sources = s;
	s += conf->n_sources++;
	s->type = type;
	s->port = (uint16_t)cfg_getint(sec, "port");
	s->iburst = cfg_getbool(sec, "iburst");
	poll_interval(sec, s);
	s->maxsources = type == CONF_POOL ? (int)cfg_getint(sec, "maxsources") : 1;
	s->line = clamp_line(c, sec->line);
	if (!set_str(c, &s->name, name) || !set_str(c, &s->file, c->cur_name))
		return -1;
	return 0;
}

/* Servers and pools, in the order of the file (libconfuse keeps one list per kind). */
static int add_sources(struct ctx *c, cfg_t *cfg)
{
	unsigned int ns = cfg_size(cfg, "server"), np = cfg_size(cfg, "pool"), is = 0, ip = 0;

	while (is < ns || ip < np) {
		cfg_t *srv = is < ns ? cfg_getnsec(cfg, "server", is) : NULL;
		cfg_t *pool = ip < np ? cfg_getnsec(cfg, "pool", ip) : NULL;
		bool take_pool = pool && (!srv || pool->line < srv->line);
		int rc = take_pool ? add_source(c, pool, CONF_POOL)
		                   : add_source(c, srv, CONF_SERVER);

		if (rc != 0)
			return -1;
		if (take_pool)
			ip++;
		else
			is++;
	}
	return 0;
}

static int add_prefixes(struct ctx *c, cfg_t *cfg, const char *opt, struct conf_prefix **arr,
                        size_t *n)
{
	for (unsigned int i = 0; i < cfg_size(cfg, opt); i++) {
		const char *s = cfg_getnstr(cfg, opt, i);
		struct conf_prefix *p = grow(c, *arr, *n, sizeof(*p));

		if (!p)
			return -1;
		*arr = p;
		p += (*n)++;
		if (conf_parse_prefix(s, p) || !set_str(c, &p->text, s)) {
			conf_err_set(&c->err, c->cur_name, clamp_line(c, cfg->line),
			             "%s \"%s\": invalid", opt, s);
			return -1;
		}
	}
	return 0;
}

static int add_listens(struct ctx *c, cfg_t *cfg)
{
	struct conf *conf = c->conf;

	for (unsigned int i = 0; i < cfg_size(cfg, "listen"); i++) {
		const char *s = cfg_getnstr(cfg, "listen", i);
		struct conf_listen *l = grow(c, conf->listen, conf->n_listen, sizeof(*l));

		if (!l)
			return -1;
		conf->listen = l;
		l += conf->n_listen++;
		if (conf_parse_listen(s, l) || !set_str(c, &l->text, s)) {
			conf_err_set(&c->err, c->cur_name, clamp_line(c, cfg->line),
			             "listen \"%s\": invalid", s);
			return -1;
		}
	}
	return 0;
}

static int apply_scalars(struct ctx *c, cfg_t *cfg)
{
	struct conf *conf = c->conf;
	cfg_t *ms = cfg_getsec(cfg, "makestep");
	cfg_opt_t *o;

	if ((o = given(c, cfg, "driftfile")) &&
	    !set_str(c, &conf->driftfile, cfg_opt_getnstr(o, 0)))
		return -1;
	if (ms && (o = given(c, ms, "threshold")))
		conf->makestep_threshold = cfg_opt_getnfloat(o, 0);
	if (ms && (o = given(c, ms, "limit")))
		conf->makestep_limit = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, cfg, "panic")))
		conf->panic_threshold = cfg_opt_getnfloat(o, 0);
	if ((o = given(c, cfg, "maxslewrate")))
		conf->max_slew_ppm = cfg_opt_getnfloat(o, 0);
	if ((o = given(c, cfg, "minsources")))
		conf->min_sources = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, cfg, "local_stratum")))
		conf->local_stratum = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, cfg, "leapsecmode")))
		conf->leap_slew = strcmp(cfg_opt_getnstr(o, 0), "slew") == 0;
	if ((o = given(c, cfg, "leapseclist")) &&
	    !set_str(c, &conf->leapseclist, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "control_socket")) &&
	    !set_str(c, &conf->control_socket, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "log_level")))
		conf->log_level = (enum conf_log_level)conf_log_level_parse(cfg_opt_getnstr(o, 0));
	if (c->is_main && !set_str(c, &conf->include_dir, cfg_getstr(cfg, "include_dir")))
		return -1;
	return 0;
}

static int apply_cfg(struct ctx *c, cfg_t *cfg)
{
	struct conf *conf = c->conf;

	if (add_sources(c, cfg) || add_prefixes(c, cfg, "allow", &conf->allow, &conf->n_allow) ||
	    add_prefixes(c, cfg, "deny", &conf->deny, &conf->n_deny) || add_listens(c, cfg))
		return -1;
	return apply_scalars(c, cfg);
}

/* ---- parsing one text ------------------------------------------------------------------- */

/* The line of text[pos]. */
static int line_at(const char *text, size_t pos)
{
	int n = 1;

	for (size_t i = 0; i < pos; i++)
		if (text[i] == '\n' && n < INT_MAX)
			n++;
	return n;
}

static cfg_t *new_cfg(struct ctx *c, struct schema *s)
{
	cfg_t *cfg = cfg_init(s->root, CFGF_NONE);

	if (!cfg)
		return NULL;
	free(cfg->filename);
	cfg->filename = strdup(c->cur_name);
	cfg_set_error_function(cfg, on_error);
	for (size_t i = 0; i < NOPTS(validators); i++)
		cfg_set_validate_func(cfg, validators[i].path, validators[i].fn);
	return cfg;
}

static int run_parser(struct ctx *c, cfg_t *cfg, char *buf, size_t len)
{
	FILE *fp = fmemopen(buf, len, "r");
	int rc;

	if (!fp) {
		conf_err_set(&c->err, c->cur_name, 0, "cannot parse: %s", strerror(errno));
		return -1;
	}
	rc = cfg_parse_fp(cfg, fp);
	fclose(fp);
	if (rc != CFG_SUCCESS) {
		conf_err_set(&c->err, c->cur_name, clamp_line(c, cfg->line), "syntax error");
		return -1;
	}
	if (!c->end_seen) {
		conf_err_set(&c->err, c->cur_name, c->nlines, "unexpected end of file");
		return -1;
	}
	return 0;
}

/* A private copy of the text, comments blanked, sentinel appended; NULL after an error. */
static char *prepare_text(struct ctx *c, const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len), *why;
	char *buf;
	int line;

	if (nul) {
		conf_err_set(&c->err, c->cur_name, line_at(text, (size_t)(nul - text)),
		             "NUL byte in file");
		return NULL;
	}
	buf = malloc(len + sizeof(SENTINEL));
	if (!buf) {
		conf_err_set(&c->err, c->cur_name, 0, "out of memory");
		return NULL;
	}
	memcpy(buf, text, len);
	memcpy(buf + len, SENTINEL, sizeof(SENTINEL));
	why = conf_strip_comments(buf, len, &line);
	if (why) {
		conf_err_set(&c->err, c->cur_name, line, "%s", why);
		free(buf);
		return NULL;
	}
	return buf;
}

static int parse_text(struct ctx *c, const char *text, size_t len, const char *name)
{
	struct schema s;
	char *buf;
	cfg_t *cfg = NULL;
	int rc = -1;

	c->cur_name = name;
	c->nlines = line_at(text, len) - (len && text[len - 1] == '\n' ? 1 : 0);
	c->end_seen = false;
	buf = prepare_text(c, text, len);
	if (!buf)
		return -1;
	schema_init(&s, c);
	cfg = new_cfg(c, &s);
	if (cfg && cfg->filename) {
		rc = run_parser(c, cfg, buf, len + sizeof(SENTINEL) - 1);
		if (rc == 0)
			rc = apply_cfg(c, cfg);
	} else {
		conf_err_set(&c->err, name, 0, "out of memory");
	}
	if (cfg)
		cfg_free(cfg);
	free(buf);
	return rc;
}

/* ---- files and the include directory ---------------------------------------------------- */

static bool add_file_name(struct ctx *c, const char *path)
{
	struct conf *conf = c->conf;
	char **f = grow(c, conf->files, conf->n_files, sizeof(*f));

	if (!f)
		return false;
	conf->files = f;
	return set_str(c, &conf->files[conf->n_files++], path);
}

static int load_included(struct ctx *c, const char *main_name, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int e = conf_slurp(path, true, &text, &len), rc;

	if (e) {
		conf_err_set(&c->err, main_name, c->include_line,
		             "cannot read included file %s: %s", path, conf_slurp_error(e));
		return -1;
	}
	rc = add_file_name(c, path) ? parse_text(c, text, len, c->conf->files[c->conf->n_files - 1])
	                            : -1;
	free(text);
	return rc;
}

static int load_include_dir(struct ctx *c, const char *main_name)
{
	const char *dir = c->conf->include_dir;
	struct dirent **list = NULL;
	int n, rc = 0;

	if (!dir)
		return 0;
	n = conf_scan_dir(dir, &list);
	if (n < 0 && errno == ENOENT)
		return 0;
	if (n < 0) {
		conf_err_set(&c->err, main_name, c->include_line, "%sinclude_dir \"%s\": %s",
		             c->include_line ? "" : "default ", dir, strerror(errno));
		return -1;
	}
	c->is_main = false;
	for (int i = 0; i < n; i++) {
		size_t plen = strlen(dir) + strlen(list[i]->d_name) + 2;
		char *path = rc ? NULL : malloc(plen);

		if (path) {
			snprintf(path, plen, "%s/%s", dir, list[i]->d_name);
			rc = load_included(c, main_name, path);
		} else if (!rc) {
			conf_err_set(&c->err, main_name, 0, "out of memory");
			rc = -1;
		}
		free(path);
		free(list[i]);
	}
	free(list);
	return rc;
}

static struct conf *conf_new(void)
{
	struct conf *conf = calloc(1, sizeof(*conf));

	if (!conf)
		return NULL;
	conf->makestep_threshold = 1.0;
	conf->makestep_limit = 3;
	conf->panic_threshold = 1000.0;
	conf->max_slew_ppm = CONF_DEFAULT_SLEWRATE;
	conf->min_sources = 1;
	conf->leap_slew = false;
	conf->log_level = CONF_LOG_INFO;
	return conf;
}

/* Parses the main text (already read) and the include directory. */
static int load_main(const char *text, size_t len, const char *name, struct conf **ret, char *err,
                     size_t errlen)
{
	struct ctx c = {.err = {.buf = err, .len = errlen}, .is_main = true};
	int rc = -1;

	c.self = &c;
	if (err && errlen)
		err[0] = '\0';
	*ret = NULL;
	c.conf = conf_new();
	if (!c.conf || !add_file_name(&c, name)) {
		conf_err_set(&c.err, name, 0, "out of memory");
	} else if (parse_text(&c, text, len, c.conf->files[0]) == 0) {
		rc = load_include_dir(&c, c.conf->files[0]);
	}
	if (rc != 0) {
		conf_free(c.conf);
		return -1;
	}
	*ret = c.conf;
	return 0;
}

int conf_load(const char *path, struct conf **ret, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int e, rc;

	*ret = NULL;
	if (!path) {
		snprintf(err, errlen, "(null): no configuration file given");
		return -1;
	}
	e = conf_slurp(path, false, &text, &len);
	if (e) {
		snprintf(err, errlen, "%s: cannot read: %s", path, conf_slurp_error(e));
		return -1;
	}
	rc = load_main(text, len, path, ret, err, errlen);
	free(text);
	return rc;
}

int conf_load_string(const char *text, const char *name, struct conf **ret, char *err,
                     size_t errlen)
{
	if (!name)
		name = "(string)";
	if (!text) {
		*ret = NULL;
		snprintf(err, errlen, "%s: no text", name);
		return -1;
	}
	return load_main(text, strlen(text), name, ret, err, errlen);
}
