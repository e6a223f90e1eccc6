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
#include "daemon/conf_priv.h"

#include <confuse.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/clientlog.h"
#include "core/ratelimit.h"

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
	struct ctx *c = conf_ctx_of(cfg);
	char msg[512], label[320];

	if (!c || c->err.failed)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	section_label(cfg, label, sizeof(label));
	conf_err_set(&c->err, c->cur_name, conf_clamp_line(c, cfg->line), "%s%s", label, msg);
}

/* ---- schema ----------------------------------------------------------------------------- */

#define OPT_CTX                                                                                    \
	{                                                                                          \
		.name = CTX_OPT, .type = CFGT_PTR, .flags = CFGF_NODEFAULT,                        \
		.parsecb = conf_cb_reject                                                          \
	}
#define OPT_END CFG_PTR_CB(END_OPT, 0, CFGF_NODEFAULT, conf_cb_end, NULL)
#define SOURCE_OPTS                                                                                \
	OPT_CTX, OPT_END, CFG_INT_CB("port", 123, CFGF_NONE, conf_cb_int),                         \
	        CFG_BOOL_CB("iburst", cfg_false, CFGF_NONE, conf_cb_bool),                         \
	        CFG_INT_CB("minpoll", 6, CFGF_NONE, conf_cb_int),                                  \
	        CFG_INT_CB("maxpoll", 10, CFGF_NONE, conf_cb_int)

static const cfg_opt_t server_tmpl[] = {SOURCE_OPTS, CFG_END()};
static const cfg_opt_t pool_tmpl[] = {
        SOURCE_OPTS, CFG_INT_CB("maxsources", 4, CFGF_NONE, conf_cb_int), CFG_END()};
static const cfg_opt_t makestep_tmpl[] = {
        OPT_CTX, OPT_END, CFG_FLOAT_CB("threshold", 1.0, CFGF_NONE, conf_cb_float),
        CFG_INT_CB("limit", 3, CFGF_NONE, conf_cb_int), CFG_END()};
static const cfg_opt_t ratelimit_tmpl[] = {
        OPT_CTX,
        OPT_END,
        CFG_INT_CB("interval", RATELIMIT_DEFAULT_INTERVAL, CFGF_NONE, conf_cb_int),
        CFG_INT_CB("burst", RATELIMIT_DEFAULT_BURST, CFGF_NONE, conf_cb_int),
        CFG_INT_CB("leak", RATELIMIT_DEFAULT_LEAK, CFGF_NONE, conf_cb_int),
        CFG_BOOL_CB("kod", cfg_true, CFGF_NONE, conf_cb_bool),
        CFG_INT_CB("ipv4_prefix", 32, CFGF_NONE, conf_cb_int),
        CFG_INT_CB("ipv6_prefix", 64, CFGF_NONE, conf_cb_int),
        CFG_INT_CB("clients", RATELIMIT_DEFAULT_CLIENTS, CFGF_NONE, conf_cb_int),
        CFG_END()};
static const cfg_opt_t metrics_tmpl[] = {
        OPT_CTX, OPT_END, CFG_STR("listen", CONF_DEFAULT_METRICS_LISTEN, CFGF_NONE), CFG_END()};
static const cfg_opt_t statistics_tmpl[] = {
        OPT_CTX,
        OPT_END,
        CFG_STR("directory", CONF_DEFAULT_STATS_DIR, CFGF_NONE),
        CFG_BOOL_CB("loopstats", cfg_true, CFGF_NONE, conf_cb_bool),
        CFG_BOOL_CB("peerstats", cfg_true, CFGF_NONE, conf_cb_bool),
        CFG_END()};
#define SEC_FLAGS (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)
static const cfg_opt_t root_tmpl[] = {
        OPT_CTX,
        OPT_END,
        CFG_SEC("server", NULL, SEC_FLAGS),
        CFG_SEC("pool", NULL, SEC_FLAGS),
        CFG_STR("driftfile", CONF_DEFAULT_DRIFTFILE, CFGF_NONE),
        CFG_SEC("makestep", NULL, CFGF_NONE),
        CFG_FLOAT_CB("panic", 1000.0, CFGF_NONE, conf_cb_float),
        CFG_FLOAT_CB("maxslewrate", CONF_DEFAULT_SLEWRATE, CFGF_NONE, conf_cb_float),
        CFG_INT_CB("minsources", 1, CFGF_NONE, conf_cb_int),
        CFG_STR("leapsecmode", "system", CFGF_NONE),
        CFG_STR("leapseclist", "", CFGF_NONE),
        CFG_INT_CB("local_stratum", 0, CFGF_NONE, conf_cb_int),
        CFG_STR_LIST("allow", NULL, CFGF_NONE),
        CFG_STR_LIST("deny", NULL, CFGF_NONE),
        CFG_STR_LIST("listen", NULL, CFGF_NONE),
        CFG_STR_LIST("allow_control", "{\"127.0.0.0/8\", \"::1\"}", CFGF_NONE),
        CFG_BOOL_CB("deny_kod", cfg_false, CFGF_NONE, conf_cb_bool),
        CFG_INT_CB("server_threads", 1, CFGF_NONE, conf_cb_int),
        CFG_SEC("ratelimit", NULL, CFGF_NONE),
        CFG_STR("control_socket", CONF_DEFAULT_CONTROL_SOCKET, CFGF_NONE),
        CFG_STR("control_group", "", CFGF_NONE),
        CFG_INT_CB("clientlog", CLIENTLOG_DEFAULT_SIZE, CFGF_NONE, conf_cb_int),
        CFG_SEC("metrics", NULL, CFGF_NONE),
        CFG_SEC("statistics", NULL, CFGF_NONE),
        CFG_STR("control_write", "group", CFGF_NONE),
        CFG_STR("user", CONF_DEFAULT_USER, CFGF_NONE),
        CFG_STR("timesync_file", CONF_DEFAULT_TIMESYNC_FILE, CFGF_NONE),
        CFG_STR("time_file", CONF_DEFAULT_TIME_FILE, CFGF_NONE),
        CFG_STR("resolv_conf", CONF_DEFAULT_RESOLV_CONF, CFGF_NONE),
        CFG_BOOL_CB("seccomp", cfg_true, CFGF_NONE, conf_cb_bool),
        CFG_STR("log_level", "info", CFGF_NONE),
        CFG_STR("include_dir", CONF_DEFAULT_INCLUDE_DIR, CFGF_NONE),
        CFG_END(),
};

/* Per-load copies of the templates, wired to each other and to the context. */
struct schema {
	cfg_opt_t server[NOPTS(server_tmpl)];
	cfg_opt_t pool[NOPTS(pool_tmpl)];
	cfg_opt_t makestep[NOPTS(makestep_tmpl)];
	cfg_opt_t ratelimit[NOPTS(ratelimit_tmpl)];
	cfg_opt_t metrics[NOPTS(metrics_tmpl)];
	cfg_opt_t statistics[NOPTS(statistics_tmpl)];
	cfg_opt_t root[NOPTS(root_tmpl)];
};

static void schema_init(struct schema *s, struct ctx *c)
{
	memcpy(s->server, server_tmpl, sizeof(server_tmpl));
	memcpy(s->pool, pool_tmpl, sizeof(pool_tmpl));
	memcpy(s->makestep, makestep_tmpl, sizeof(makestep_tmpl));
	memcpy(s->ratelimit, ratelimit_tmpl, sizeof(ratelimit_tmpl));
	s->ratelimit[0].simple_value.ptr = &c->self;
	memcpy(s->metrics, metrics_tmpl, sizeof(metrics_tmpl));
	s->metrics[0].simple_value.ptr = &c->self;
	memcpy(s->statistics, statistics_tmpl, sizeof(statistics_tmpl));
	s->statistics[0].simple_value.ptr = &c->self;
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
		else if (strcmp(o->name, "ratelimit") == 0)
			o->subopts = s->ratelimit;
		else if (strcmp(o->name, "metrics") == 0)
			o->subopts = s->metrics;
		else if (strcmp(o->name, "statistics") == 0)
			o->subopts = s->statistics;
	}
}

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
		conf_err_set(&c->err, c->cur_name, conf_clamp_line(c, sec->line),
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
	s->line = conf_clamp_line(c, sec->line);
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
			conf_err_set(&c->err, c->cur_name, conf_clamp_line(c, cfg->line),
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
			conf_err_set(&c->err, c->cur_name, conf_clamp_line(c, cfg->line),
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
	if ((o = given(c, cfg, "server_threads")))
		conf->server_threads = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, cfg, "clientlog")))
		conf->clientlog = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, cfg, "deny_kod")))
		conf->deny_kod = cfg_opt_getnbool(o, 0);
	if ((o = given(c, cfg, "leapsecmode")))
		conf->leap_slew = strcmp(cfg_opt_getnstr(o, 0), "slew") == 0;
	if ((o = given(c, cfg, "leapseclist")) &&
	    !set_str(c, &conf->leapseclist, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "control_socket")) &&
	    !set_str(c, &conf->control_socket, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "control_group")) &&
	    !set_str(c, &conf->control_group, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "control_write")))
		conf->control_write_root = strcmp(cfg_opt_getnstr(o, 0), "root") == 0;
	if ((o = given(c, cfg, "user")) && !set_str(c, &conf->user, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "resolv_conf")) &&
	    !set_str(c, &conf->resolv_conf, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "timesync_file")) &&
	    !set_str(c, &conf->timesync_file, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, cfg, "time_file"))) {
		if (!set_str(c, &conf->time_file, cfg_opt_getnstr(o, 0)))
			return -1;
		conf->time_file_named |= (o->flags & CFGF_MODIFIED) != 0;
	}
	if ((o = given(c, cfg, "seccomp")))
		conf->seccomp = cfg_opt_getnbool(o, 0);
	if ((o = given(c, cfg, "log_level")))
		conf->log_level = (enum conf_log_level)conf_log_level_parse(cfg_opt_getnstr(o, 0));
	if (c->is_main && !set_str(c, &conf->include_dir, cfg_getstr(cfg, "include_dir")))
		return -1;
	return 0;
}

/* The ratelimit section, merged option by option like makestep; given anywhere, it is on. */
static void apply_ratelimit(struct ctx *c, cfg_t *cfg)
{
	struct conf_ratelimit *r = &c->conf->ratelimit;
	cfg_t *rl = cfg_getsec(cfg, "ratelimit");
	cfg_opt_t *o;

	if (!rl || rl->line <= 0) /* libconfuse: line 0 = the default section, not given */
		return;
	r->enabled = true;
	if ((o = given(c, rl, "interval")))
		r->interval = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, rl, "burst")))
		r->burst = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, rl, "leak")))
		r->leak = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, rl, "kod")))
		r->kod = cfg_opt_getnbool(o, 0);
	if ((o = given(c, rl, "ipv4_prefix")))
		r->ipv4_prefix = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, rl, "ipv6_prefix")))
		r->ipv6_prefix = (int)cfg_opt_getnint(o, 0);
	if ((o = given(c, rl, "clients")))
		r->clients = cfg_opt_getnint(o, 0);
}

/* The metrics section: given anywhere, the HTTP listener is on (at its listen address). */
static int apply_metrics(struct ctx *c, cfg_t *cfg)
{
	cfg_t *m = cfg_getsec(cfg, "metrics");
	cfg_opt_t *o;

	if (!m || m->line <= 0)
		return 0;
	if (!c->conf->metrics_listen &&
	    !set_str(c, &c->conf->metrics_listen, CONF_DEFAULT_METRICS_LISTEN))
		return -1;
	if ((o = given(c, m, "listen")) &&
	    !set_str(c, &c->conf->metrics_listen, cfg_opt_getnstr(o, 0)))
		return -1;
	return 0;
}

/* The statistics section: given anywhere, the files are written (each kind unless off). */
static int apply_statistics(struct ctx *c, cfg_t *cfg)
{
	struct conf *conf = c->conf;
	cfg_t *st = cfg_getsec(cfg, "statistics");
	cfg_opt_t *o;

	if (!st || st->line <= 0)
		return 0;
	if (!conf->stats_dir && !set_str(c, &conf->stats_dir, CONF_DEFAULT_STATS_DIR))
		return -1;
	if ((o = given(c, st, "directory")) && !set_str(c, &conf->stats_dir, cfg_opt_getnstr(o, 0)))
		return -1;
	if ((o = given(c, st, "loopstats")))
		conf->stats_loop = cfg_opt_getnbool(o, 0);
	if ((o = given(c, st, "peerstats")))
		conf->stats_peer = cfg_opt_getnbool(o, 0);
	return 0;
}

static int apply_cfg(struct ctx *c, cfg_t *cfg)
{
	struct conf *conf = c->conf;

	if (add_sources(c, cfg) || add_prefixes(c, cfg, "allow", &conf->allow, &conf->n_allow) ||
	    add_prefixes(c, cfg, "deny", &conf->deny, &conf->n_deny) || add_listens(c, cfg))
		return -1;
	/* allow_control has a default (loopback): an include file adds only what it writes. */
	cfg_opt_t *ac = cfg_getopt(cfg, "allow_control");
	if ((c->is_main || (ac && (ac->flags & CFGF_MODIFIED))) &&
	    add_prefixes(c, cfg, "allow_control", &conf->allow_control, &conf->n_allow_control))
		return -1;
	apply_ratelimit(c, cfg);
	if (apply_metrics(c, cfg) < 0 || apply_statistics(c, cfg) < 0)
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
	conf_set_validators(cfg);
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
		conf_err_set(&c->err, c->cur_name, conf_clamp_line(c, cfg->line), "syntax error");
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
	conf->server_threads = 1;
	conf->clientlog = CLIENTLOG_DEFAULT_SIZE;
	conf->seccomp = true;
	conf->stats_loop = true;
	conf->stats_peer = true;
	conf->ratelimit = (struct conf_ratelimit){.interval = RATELIMIT_DEFAULT_INTERVAL,
	                                          .burst = RATELIMIT_DEFAULT_BURST,
	                                          .leak = RATELIMIT_DEFAULT_LEAK,
	                                          .kod = true,
	                                          .ipv4_prefix = 32,
	                                          .ipv6_prefix = 64,
	                                          .clients = RATELIMIT_DEFAULT_CLIENTS};
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
