/* ctl_conn: what every stratactl command that talks to the running stratad shares: the
 * options (--socket, --json, --help and a command's own), one request and its reply over
 * the control socket (JSON, jansson; the protocol is in src/daemon/control.h), and reading
 * fields of a reply.
 */
#ifndef STRATA_CTL_CTL_CONN_H
#define STRATA_CTL_CTL_CONN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct ctl_opts {
	const char *socket; /* --socket, $STRATA_CONTROL_SOCKET or the default */
	bool json;          /* --json */
	int max_args;       /* positional arguments allowed (set before ctl_parse) */
	char **args;        /* after ctl_parse: the positional arguments */
	int n_args;
};

/* A command's own long option: a number in lo..hi (has_arg) or a flag. */
struct ctl_opt {
	const char *name;
	double *num; /* has an argument: stored here */
	double lo, hi;
	bool *flag;      /* no argument: set to true */
	char short_name; /* also -c; 0: long only */
};

/* Parse argv (argv[0] = the command). -1 to go on, else the exit status (0 after --help,
 * 2 for a usage error, said on stderr). */
int ctl_parse(int argc, char **argv, struct ctl_opts *o, const struct ctl_opt *extra,
              size_t n_extra, void (*usage)(FILE *));

/* Send req (consumed) and read one reply line; NULL if the daemon cannot be reached or sent
 * no valid reply (said on stderr unless quiet). */
json_t *ctl_request(const char *path, json_t *req, bool quiet);

/* {"version": 1, "command": cmd} */
json_t *ctl_command(const char *cmd);

/* The result object of a reply, or NULL after printing the daemon's error. */
json_t *ctl_result(json_t *reply);

/* Print a result as indented JSON with sorted keys. */
void ctl_print_json(json_t *res);

double ctl_num(json_t *o, const char *k);      /* NAN when absent or null */
const char *ctl_str(json_t *o, const char *k); /* "" when absent */

#endif
