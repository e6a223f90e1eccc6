/* vectors: loader for the tests/vectors files (NAME.hex); see vectors.h. */
#include "vectors.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 128 /* longest decode value kept (dates are ~36 characters) */

struct kv {
	char key[32];
	char value[VALUE_MAX];
	bool open; /* a key is being collected */
};

const char *vectors_dir(void)
{
	const char *dir = getenv("STRATA_VECTORS");

	return (dir != NULL && dir[0] != '\0') ? dir : "tests/vectors";
}

/* Whole string s as an integer in base; false if empty, partial or out of range. */
static bool parse_long(const char *s, int base, long *out)
{
	char *end;

	if (s[0] == '\0')
		return false;
	errno = 0;
	*out = strtol(s, &end, base);
	return errno == 0 && *end == '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static bool parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2 != 0 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

static int month_index(const char *mon)
{
	static const char names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

	for (int i = 0; i < 12; i++)
		if (strcmp(mon, names[i]) == 0)
			return i;
	return -1;
}

/* Nanoseconds from up to 9 fraction digits at s (fewer digits are scaled); returns the
 * number of characters used, or -1. */
static int parse_nanos(const char *s, long *ns)
{
	int n = 0;

	*ns = 0;
	while (n < 9 && isdigit((unsigned char)s[n])) {
		*ns = *ns * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0 || isdigit((unsigned char)s[n]))
		return -1;
	for (int i = n; i < 9; i++)
		*ns *= 10;
	return n;
}

/* Wireshark date "Nov 29, 2026 23:25:16.986252506 UTC" -> Unix timespec. */
static bool parse_date(const char *v, struct timespec *ts)
{
	char mon[4];
	int day, year, h, m, s, pos = 0, used;
	long ns = 0;
	struct tm tm;

	if (sscanf(v, "%3s %d, %d %d:%d:%d%n", mon, &day, &year, &h, &m, &s, &pos) != 6 || pos == 0)
		return false;
	if (v[pos] == '.') {
		used = parse_nanos(v + pos + 1, &ns);
		if (used < 0)
			return false;
		pos += 1 + used;
	}
	if (strcmp(v + pos, " UTC") != 0 || month_index(mon) < 0 || day < 1 || day > 31 || h > 23 ||
	    m > 59 || s > 60 || h < 0 || m < 0 || s < 0)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month_index(mon);
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = ns;
	return true;
}

/* refid as 8 hex digits ("7f7f0101") or quoted ASCII ("\"INIT\"", zero padded). */
static bool parse_refid(const char *v, uint32_t *refid)
{
	size_t n = strlen(v);
	long x;

	if (n >= 2 && n <= 6 && v[0] == '"' && v[n - 1] == '"') {
		*refid = 0;
		for (size_t i = 0; i < 4; i++)
			*refid = *refid << 8 | (i + 2 < n ? (unsigned char)v[i + 1] : 0u);
		return true;
	}
	if (n != 8 || !parse_long(v, 16, &x))
		return false;
	*refid = (uint32_t)x;
	return true;
}

/* Short-format value: raw "0x0000000b" (units of 2^-16 s) or seconds ("0", "0.000123"). */
static bool parse_short_s(const char *v, double *out)
{
	char *end;
	long raw;

	if (strncmp(v, "0x", 2) == 0) {
		if (!parse_long(v + 2, 16, &raw) || raw < 0)
			return false;
		*out = (double)raw / 65536.0;
		return true;
	}
	if (v[0] == '\0')
		return false;
	*out = strtod(v, &end);
	return *end == '\0';
}

static bool parse_stamp(const char *v, bool *null, struct timespec *ts)
{
	*null = strcmp(v, "NULL") == 0 || strcmp(v, "0") == 0;
	if (*null) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
		return true;
	}
	return parse_date(v, ts);
}

/* Integer fields, in the order of their bits VD_LI..VD_PREC. */
static const char *const int_keys[] = {"LI", "VN", "mode", "stratum", "poll", "prec"};

static bool apply_int(const char *key, const char *v, struct vector_decode *d)
{
	int *dst[] = {&d->li, &d->vn, &d->mode, &d->stratum, &d->poll, &d->prec};
	long x;

	for (unsigned i = 0; i < 6; i++) {
		if (strcmp(key, int_keys[i]) != 0)
			continue;
		if (!parse_long(v, 10, &x) || x < -128 || x > 255)
			return true;
		if (i >= 4 && x > 127) /* poll, prec: Wireshark prints the raw unsigned byte */
			x -= 256;
		*dst[i] = (int)x;
		d->have |= 1u << i;
		return true;
	}
	return false;
}

static void apply_stamp(const char *key, const char *v, struct vector_decode *d)
{
	static const char *const keys[] = {"ref", "org", "rec", "xmt"};
	bool *nulls[] = {&d->ref_null, &d->org_null, &d->rec_null, &d->xmt_null};
	struct timespec *ts[] = {&d->ref, &d->org, &d->rec, &d->xmt};

	for (unsigned i = 0; i < 4; i++)
		if (strcmp(key, keys[i]) == 0 && parse_stamp(v, nulls[i], ts[i]))
			d->have |= VD_REF << i;
}

static void apply(const struct kv *kv, struct vector_decode *d)
{
	const char *k = kv->key, *v = kv->value;

	if (apply_int(k, v, d))
		return;
	if (strcmp(k, "rdelay") == 0 && parse_short_s(v, &d->rdelay))
		d->have |= VD_RDELAY;
	else if (strcmp(k, "rdisp") == 0 && parse_short_s(v, &d->rdisp))
		d->have |= VD_RDISP;
	else if (strcmp(k, "refid") == 0 && parse_refid(v, &d->refid))
		d->have |= VD_REFID;
	else
		apply_stamp(k, v, d);
}

static void kv_token(struct kv *kv, const char *tok, struct vector_decode *d)
{
	const char *eq = strchr(tok, '=');

	if (eq == NULL || eq == tok || (size_t)(eq - tok) >= sizeof(kv->key)) {
		/* continuation of a multi-word value (a date), or "|" */
		if (kv->open && strcmp(tok, "|") != 0 &&
		    strlen(kv->value) + strlen(tok) + 2 <= sizeof(kv->value)) {
			strcat(kv->value, " ");
			strcat(kv->value, tok);
		}
		return;
	}
	if (kv->open)
		apply(kv, d);
	memcpy(kv->key, tok, (size_t)(eq - tok));
	kv->key[eq - tok] = '\0';
	snprintf(kv->value, sizeof(kv->value), "%s", eq + 1);
	kv->open = true;
}

/* Decode comment for a packet in direction dir, or d->have = 0 if it is not one. */
static void parse_decode(const char *comment, const char *dir, struct vector_decode *d)
{
	char buf[1024], *save = NULL, *tok;
	struct kv kv = {.open = false};
	const char *p = comment + 1;

	memset(d, 0, sizeof(*d));
	while (*p == ' ' || *p == '\t')
		p++;
	if (p == comment + 1 || strncmp(p, dir, 3) != 0 || (p[3] != ' ' && p[3] != '\0'))
		return;
	snprintf(buf, sizeof(buf), "%s", p + 3);
	for (tok = strtok_r(buf, " \t\r\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		kv_token(&kv, tok, d);
	if (kv.open)
		apply(&kv, d);
	d->valid = d->have == VD_ALL;
}

static void rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static bool parse_packet_line(const char *line, struct vector_packet *p)
{
	char dir[4];
	int pos = 0;

	if (sscanf(line, "%3s %lf %n", dir, &p->t_rel, &pos) != 2 || pos == 0)
		return false;
	if (strcmp(dir, "C>S") != 0 && strcmp(dir, "S>C") != 0)
		return false;
	memcpy(p->dir, dir, sizeof(p->dir));
	return parse_hex(line + pos, p->data, sizeof(p->data), &p->len);
}

static FILE *open_vector(const char *name)
{
	char path[4096];

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", vectors_dir(), name);
	FILE *f = fopen(path, "r");

	if (f == NULL)
		fprintf(stderr, "vectors: %s: %s\n", path, strerror(errno));
	return f;
}

/* Appends one packet line (decoded with the comment prev) to *v; false on a bad line. */
static bool add_packet(const char *line, const char *prev, struct vector_packet **v, size_t *n,
                       size_t *cap)
{
	struct vector_packet *p;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct vector_packet *nv = realloc(*v, ncap * sizeof(**v));

		if (nv == NULL)
			return false;
		*v = nv;
		*cap = ncap;
	}
	p = &(*v)[*n];
	memset(p, 0, sizeof(*p));
	if (!parse_packet_line(line, p))
		return false;
	if (prev[0] == '#')
		parse_decode(prev, p->dir, &p->decode);
	(*n)++;
	return true;
}

int vectors_load(const char *name, struct vector_packet **out)
{
	FILE *f = open_vector(name);
	char *line = NULL, prev[1024] = "";
	size_t linecap = 0, n = 0, cap = 0;
	struct vector_packet *v = NULL;
	int lineno = 0;
	bool ok = true;

	*out = NULL;
	if (f == NULL)
		return -1;
	while (ok && getline(&line, &linecap, f) >= 0) {
		lineno++;
		rstrip(line);
		if (line[0] == '#') {
			snprintf(prev, sizeof(prev), "%s", line);
			continue;
		}
		if (line[0] != '\0')
			ok = add_packet(line, prev, &v, &n, &cap);
		prev[0] = '\0';
	}
	if (!ok)
		fprintf(stderr, "vectors: %s:%d: bad packet line\n", name, lineno);
	free(line);
	fclose(f);
	if (!ok || n > (size_t)INT_MAX) {
		free(v);
		return -1;
	}
	*out = v;
	return (int)n;
}
