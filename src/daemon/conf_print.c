/* conf_print: print a struct conf in the configuration file's own syntax, and the parts of
 * conf.h that need no parser (conf_free, log level names). */
#include "daemon/conf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A double-quoted string the lexer reads back unchanged: '$' is escaped because libconfuse
 * expands ${VAR} inside quotes. */
static void print_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* The shortest decimal form that reads back as the same double. */
static void print_double(FILE *out, double v)
{
	char buf[64];

	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(out, "%.0f", v);
		return;
	}
	char *plus;

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	plus = strchr(buf, '+'); /* "1e+20": the lexer would split at '+' */
	if (plus)
		memmove(plus, plus + 1, strlen(plus));
	fputs(buf, out);
}

static void print_source(FILE *out, const struct conf_source *s)
{
	fputs(s->type == CONF_POOL ? "pool " : "server ", out);
	print_quoted(out, s->name);
	fprintf(out, " {\n\tiburst = %s\n", s->iburst ? "true" : "false");
	fprintf(out, "\tminpoll = %d\n\tmaxpoll = %d\n\tport = %u\n", s->minpoll, s->maxpoll,
	        (unsigned int)s->port);
	if (s->type == CONF_POOL)
		fprintf(out, "\tmaxsources = %d\n", s->maxsources);
	fputs("}\n", out);
}

static void print_str(FILE *out, const char *name, const char *value)
{
	fprintf(out, "%s = ", name);
	print_quoted(out, value);
	fputc('\n', out);
}

static void print_prefixes(FILE *out, const char *name, const struct conf_prefix *p, size_t n)
{
	fprintf(out, "%s = {", name);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		print_quoted(out, p[i].text);
	}
	fputs("}\n", out);
}

static void print_listen(FILE *out, const struct conf_listen *l, size_t n)
{
	fputs("listen = {", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		print_quoted(out, l[i].text);
	}
	fputs("}\n", out);
}

static void print_header(FILE *out, const struct conf *conf)
{
	fputs("# Effective configuration, read from", out);
	for (size_t i = 0; i < conf->n_files; i++) {
		fputs(i ? ", " : " ", out);
		print_quoted(out, conf->files[i]);
	}
	fputs("\n", out);
}

/* Once files were included, they are part of the output: naming the directory again would
 * read them twice. */
static void print_ratelimit(FILE *out, const struct conf_ratelimit *r)
{
	if (!r->enabled) {
		fputs("# no ratelimit section: clients are not rate limited\n", out);
		return;
	}
	fprintf(out,
	        "ratelimit {\n\tinterval = %d\n\tburst = %d\n\tleak = %d\n\tkod = %s\n"
	        "\tipv4_prefix = %d\n\tipv6_prefix = %d\n\tclients = %ld\n}\n",
	        r->interval, r->burst, r->leak, r->kod ? "true" : "false", r->ipv4_prefix,
	        r->ipv6_prefix, r->clients);
}

static void print_include_dir(FILE *out, const struct conf *conf)
{
	if (conf->n_files > 1) {
		fputs("# the files of include_dir ", out);
		print_quoted(out, conf->include_dir);
		fputs(" are merged above\n", out);
		print_str(out, "include_dir", "");
	} else {
		print_str(out, "include_dir", conf->include_dir);
	}
}

void conf_print(const struct conf *conf, FILE *out)
{
	print_header(out, conf);
	for (size_t i = 0; i < conf->n_sources; i++)
		print_source(out, &conf->sources[i]);
	print_str(out, "driftfile", conf->driftfile);
	fputs("makestep {\n\tthreshold = ", out);
	print_double(out, conf->makestep_threshold);
	fprintf(out, "\n\tlimit = %d\n}\npanic = ", conf->makestep_limit);
	print_double(out, conf->panic_threshold);
	fputs("\nmaxslewrate = ", out);
	print_double(out, conf->max_slew_ppm);
	fprintf(out, "\nminsources = %d\n", conf->min_sources);
	print_str(out, "leapsecmode", conf->leap_slew ? "slew" : "system");
	print_str(out, "leapseclist", conf->leapseclist);
	fprintf(out, "local_stratum = %d\n", conf->local_stratum);
	print_prefixes(out, "allow", conf->allow, conf->n_allow);
	print_prefixes(out, "deny", conf->deny, conf->n_deny);
	print_prefixes(out, "allow_control", conf->allow_control, conf->n_allow_control);
	print_listen(out, conf->listen, conf->n_listen);
	fprintf(out, "deny_kod = %s\n", conf->deny_kod ? "true" : "false");
	fprintf(out, "server_threads = %d\n", conf->server_threads);
	fprintf(out, "clientlog = %d\n", conf->clientlog);
	print_ratelimit(out, &conf->ratelimit);
	if (conf->metrics_listen) {
		fputs("metrics {\n\t", out);
		print_str(out, "listen", conf->metrics_listen);
		fputs("}\n", out);
	} else {
		fputs("# no metrics section: no Prometheus listener\n", out);
	}
	if (conf->stats_dir) {
		fputs("statistics {\n\t", out);
		print_str(out, "directory", conf->stats_dir);
		fprintf(out, "\tloopstats = %s\n\tpeerstats = %s\n}\n",
		        conf->stats_loop ? "true" : "false", conf->stats_peer ? "true" : "false");
	} else {
		fputs("# no statistics section: no statistics files\n", out);
	}
	print_str(out, "control_socket", conf->control_socket);
	print_str(out, "control_group", conf->control_group);
	print_str(out, "control_write", conf->control_write_root ? "root" : "group");
	print_str(out, "user", conf->user);
	print_str(out, "timesync_file", conf->timesync_file);
	print_str(out, "time_file", conf->time_file);
	print_str(out, "resolv_conf",
	          conf->resolv_conf ? conf->resolv_conf : CONF_DEFAULT_RESOLV_CONF);
	fprintf(out, "seccomp = %s\n", conf->seccomp ? "true" : "false");
	print_str(out, "log_level", conf_log_level_str(conf->log_level));
	print_include_dir(out, conf);
}

void conf_free(struct conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->n_sources; i++) {
		free(conf->sources[i].name);
		free(conf->sources[i].file);
	}
	for (size_t i = 0; i < conf->n_allow; i++)
		free(conf->allow[i].text);
	for (size_t i = 0; i < conf->n_deny; i++)
		free(conf->deny[i].text);
	for (size_t i = 0; i < conf->n_allow_control; i++)
		free(conf->allow_control[i].text);
	for (size_t i = 0; i < conf->n_listen; i++)
		free(conf->listen[i].text);
	for (size_t i = 0; i < conf->n_files; i++)
		free(conf->files[i]);
	free(conf->sources);
	free(conf->allow);
	free(conf->deny);
	free(conf->allow_control);
	free(conf->listen);
	free(conf->files);
	free(conf->driftfile);
	free(conf->leapseclist);
	free(conf->control_socket);
	free(conf->user);
	free(conf->timesync_file);
	free(conf->time_file);
	free(conf->resolv_conf);
	free(conf->control_group);
	free(conf->metrics_listen);
	free(conf->stats_dir);
	free(conf->include_dir);
	free(conf);
}

bool conf_str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool conf_ratelimit_equal(const struct conf_ratelimit *a, const struct conf_ratelimit *b)
{
	return a->enabled == b->enabled && a->interval == b->interval && a->burst == b->burst &&
	       a->leak == b->leak && a->kod == b->kod && a->ipv4_prefix == b->ipv4_prefix &&
	       a->ipv6_prefix == b->ipv6_prefix && a->clients == b->clients;
}

static const char *const level_names[] = {"err", "warning", "notice", "info", "debug"};

const char *conf_log_level_str(enum conf_log_level l)
{
	return (unsigned int)l < NELEM(level_names) ? level_names[l] : "unknown";
}

int conf_log_level_parse(const char *s)
{
	for (size_t i = 0; s && i < NELEM(level_names); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}
