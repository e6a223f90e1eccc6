/* conf_priv: what conf.c and conf_check.c share (libconfuse stays inside these two files).
 * Ownership: a struct ctx lives on conf_load()'s stack for one load; conf points at the
 * struct conf being built.
 */
#ifndef STRATA_DAEMON_CONF_PRIV_H
#define STRATA_DAEMON_CONF_PRIV_H

#include <confuse.h>
#include <stdbool.h>

#include "daemon/conf.h"
#include "daemon/conf_util.h"

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

struct ctx *conf_ctx_of(cfg_t *cfg);
int conf_clamp_line(const struct ctx *c, int line);

/* Value parsers of the schema (libconfuse parse callbacks). */
int conf_cb_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int conf_cb_float(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int conf_cb_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int conf_cb_reject(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int conf_cb_end(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

/* Install every option's validation callback on cfg. */
void conf_set_validators(cfg_t *cfg);

#endif
