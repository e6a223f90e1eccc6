/* conf_util: the parts of conf.c that need no libconfuse: error text, numbers, addresses,
 * and reading files. Private to conf.c and conf_print.c; not for other modules. */
#ifndef STRATA_DAEMON_CONF_UTIL_H
#define STRATA_DAEMON_CONF_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/conf.h"

/* The first error of a load, "FILE:LINE: message" (line <= 0: "FILE: message"). */
struct conf_err {
	char *buf;
	size_t len;
	bool failed;
};

__attribute__((format(printf, 4, 5))) void conf_err_set(struct conf_err *e, const char *file,
                                                        int line, const char *fmt, ...);

/* Decimal only: optional sign then digits ("010" is ten, "0x10" is an error). */
bool conf_parse_long(const char *s, long *out);
/* Decimal, finite: no "nan", "inf" or hexadecimal floats. */
bool conf_parse_double(const char *s, double *out);

/* Both return NULL on success, else the reason ("prefix length must be 0..32"). */
const char *conf_parse_prefix(const char *text, struct conf_prefix *p);
const char *conf_parse_listen(const char *text, struct conf_listen *l); /* default port 123 */
/* "ADDR", "ADDR:PORT" or "[V6]:PORT", the port default_port when not given. */
const char *conf_parse_endpoint(const char *text, uint16_t default_port, struct conf_listen *l);

/* Blanks out comments (# and // to the end of the line, and C-style block comments) outside
 * quoted strings, keeping newlines, so that libconfuse never sees one: its 3.3 lexer miscounts
 * lines after comments and rejects them inside lists. Returns NULL, or the reason with *line
 * set to where the unterminated string or comment starts. */
const char *conf_strip_comments(char *text, size_t len, int *line);

/* Reads a whole file (at most 1 MiB) into a malloc()ed buffer. Returns 0, an errno value, or
 * -1 when regular_only is set and the path is not a regular file (a FIFO, a device). */
int conf_slurp(const char *path, bool regular_only, char **out, size_t *len);
const char *conf_slurp_error(int e);

/* The names in dir matching *.conf (not starting with '.'), sorted with strcmp. Returns the
 * count or -1 with errno set; free each entry and the list. */
int conf_scan_dir(const char *dir, struct dirent ***list);

#endif
