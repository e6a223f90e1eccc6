/* conf_util: value parsing and file reading for conf.c (see conf_util.h). */
#include "daemon/conf_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE_SIZE (1024 * 1024)

void conf_err_set(struct conf_err *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->failed)
		return;
	e->failed = true;
	if (!e->buf || e->len == 0)
		return;
	if (line > 0)
		n = snprintf(e->buf, e->len, "%s:%d: ", file, line);
	else
		n = snprintf(e->buf, e->len, "%s: ", file);
	if (n < 0 || (size_t)n >= e->len)
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
	va_end(ap);
	/* One line, whatever the quoted text in it held (a string may span lines). */
	for (char *p = e->buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

bool conf_parse_long(const char *s, long *out)
{
	char *end;
	size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;

	if (s[i] == '\0' || strspn(s + i, "0123456789") != strlen(s + i))
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0';
}

bool conf_parse_double(const char *s, double *out)
{
	char *end;

	if (s[0] == '\0' || strspn(s, "0123456789.eE+-") != strlen(s))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' && isfinite(*out);
}

static bool parse_unsigned(const char *s, long lo, long hi, long *out)
{
	return s[0] >= '0' && s[0] <= '9' && conf_parse_long(s, out) && *out >= lo && *out <= hi;
}

static const char *parse_addr(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return NULL;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return NULL;
	}
	return "not a numeric IPv4 or IPv6 address";
}

const char *conf_parse_prefix(const char *text, struct conf_prefix *p)
{
	char buf[64], *slash;
	const char *why;
	long len;
	int bits;

	if (strlen(text) >= sizeof(buf))
		return "too long";
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	why = parse_addr(buf, &p->family, p->addr);
	if (why)
		return why;
	bits = p->family == AF_INET ? 32 : 128;
	len = bits;
	if (slash && !parse_unsigned(slash + 1, 0, bits, &len))
		return bits == 32 ? "prefix length must be 0..32" : "prefix length must be 0..128";
	p->prefix_len = (int)len;
	for (int i = p->prefix_len; i < bits; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return "address has bits set beyond the prefix length";
	return NULL;
}

/* "ADDR", "ADDR:PORT" (IPv4), "[V6]" or "[V6]:PORT"; a bare IPv6 address has no port. */
const char *conf_parse_listen(const char *text, struct conf_listen *l)
{
	return conf_parse_endpoint(text, 123, l);
}

const char *conf_parse_endpoint(const char *text, uint16_t default_port, struct conf_listen *l)
{
	char buf[80], *addr = buf, *port = NULL, *colon;
	const char *why;
	long v = default_port;

	if (strlen(text) >= sizeof(buf))
		return "too long";
	strcpy(buf, text);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return "missing ']'";
		*close = '\0';
		addr = buf + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return "unexpected text after ']'";
	} else if ((colon = strchr(buf, ':')) && !strchr(colon + 1, ':')) {
		*colon = '\0';
		port = colon + 1;
	}
	if (port && !parse_unsigned(port, 1, 65535, &v))
		return "port must be 1..65535";
	l->port = (uint16_t)v;
	why = parse_addr(addr, &l->family, l->addr);
	if (why)
		return why;
	if (buf[0] == '[' && l->family != AF_INET6)
		return "only IPv6 addresses go in brackets";
	return NULL;
}

/* Skips a quoted string starting at text[*i] (the quote); false if it does not end. */
static bool skip_quoted(const char *text, size_t len, size_t *i, int *line)
{
	char quote = text[*i];

	for (size_t j = *i + 1; j < len; j++) {
		if (text[j] == '\n')
			(*line)++;
		if (text[j] == '\\' && j + 1 < len) {
			j++;
			if (text[j] == '\n')
				(*line)++;
		} else if (text[j] == quote) {
			*i = j;
			return true;
		}
	}
	return false;
}

/* Blanks text[*i..] up to the end of the comment; false if a block comment does not end. */
static bool blank_comment(char *text, size_t len, size_t *i, int *line)
{
	bool block = text[*i] == '/' && text[*i + 1] == '*';
	size_t j = *i;

	for (; j < len; j++) {
		if (!block && text[j] == '\n')
			break;
		if (block && j >= *i + 2 && text[j] == '*' && j + 1 < len && text[j + 1] == '/') {
			text[j] = text[j + 1] = ' ';
			j++;
			break;
		}
		if (text[j] == '\n')
			(*line)++;
		else
			text[j] = ' ';
	}
	*i = j;
	return !block || j < len;
}

const char *conf_strip_comments(char *text, size_t len, int *line)
{
	int cur = 1, start;

	for (size_t i = 0; i < len; i++) {
		bool slash =
		        text[i] == '/' && i + 1 < len && (text[i + 1] == '/' || text[i + 1] == '*');

		start = cur;
		if (text[i] == '\n') {
			cur++;
		} else if (text[i] == '"' || text[i] == '\'') {
			if (!skip_quoted(text, len, &i, &cur)) {
				*line = start;
				return "unterminated quoted string";
			}
		} else if (text[i] == '#' || slash) {
			if (!blank_comment(text, len, &i, &cur)) {
				*line = start;
				return "unterminated comment";
			}
			i--; /* look at the newline that ended it again */
		}
	}
	return NULL;
}

static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *bigger;

	while (buf) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : 0;

			if (e)
				free(buf);
			*out = e ? NULL : buf;
			*len = n;
			return e;
		}
		n += (size_t)r;
		if (n < cap)
			continue;
		if (cap >= MAX_FILE_SIZE) {
			free(buf);
			return EFBIG;
		}
		bigger = realloc(buf, cap *= 2);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	return ENOMEM;
}

int conf_slurp(const char *path, bool regular_only, char **out, size_t *len)
{
	struct stat st;
	int fd, e;

	if (regular_only && stat(path, &st) != 0)
		return errno;
	if (regular_only && !S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? EISDIR : -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	e = read_all(fd, out, len);
	close(fd);
	return e;
}

const char *conf_slurp_error(int e)
{
	return e == -1 ? "not a regular file" : strerror(e);
}

static int is_conf_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static int by_strcmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int conf_scan_dir(const char *dir, struct dirent ***list)
{
	return scandir(dir, list, is_conf_name, by_strcmp);
}
