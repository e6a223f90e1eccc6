/* leapfile: leap-seconds.list reader. See leapfile.h. SHA-1 comes from nettle. */
#include "daemon/leapfile.h"

#include <ctype.h>
#include <errno.h>
#include <nettle/sha1.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTP_UNIX_OFFSET 2208988800LL /* s from 1900 to 1970 */
#define LINE_MAX_LEN 1023
#define DAY 86400

struct parse {
	struct leaplist *out;
	char data[LEAPLIST_MAX * 40]; /* digits of the data lines, in order */
	size_t data_len;
	char upd[24], exp[24]; /* digits of the #$ and #@ values */
	uint32_t hash[5];
	bool have_upd, have_exp, have_hash;
	int line;
	char *err;
	size_t errlen;
};

static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %d: ", p->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An unsigned decimal of at most 19 digits at *s, advancing it. */
static bool take_number(const char **s, const char *end, long long *v, char *digits, size_t dlen)
{
	size_t n = 0;
	long long x = 0;
	while (*s < end && isdigit((unsigned char)**s)) {
		if (n >= 18 || (digits && n + 1 >= dlen))
			return false;
		if (digits)
			digits[n] = **s;
		x = x * 10 + (**s - '0');
		n++;
		(*s)++;
	}
	if (digits)
		digits[n] = '\0';
	*v = x;
	return n > 0;
}

static void skip_space(const char **s, const char *end)
{
	while (*s < end && (**s == ' ' || **s == '\t' || **s == '\r'))
		(*s)++;
}

/* "#$ N" or "#@ N": a time, in NTP seconds. */
static int parse_time(struct parse *p, const char *s, const char *end, char *digits, bool *have,
                      int64_t *unix_s)
{
	long long v;
	if (*have)
		return perr(p, "repeated \"#%c\" line", s[-1]);
	skip_space(&s, end);
	if (!take_number(&s, end, &v, digits, sizeof(p->upd)))
		return perr(p, "expected a time in NTP seconds");
	skip_space(&s, end);
	if (s != end)
		return perr(p, "unexpected text after the time");
	*unix_s = (int64_t)(v - NTP_UNIX_OFFSET);
	*have = true;
	return 0;
}

static int parse_hash(struct parse *p, const char *s, const char *end)
{
	uint32_t h[5];
	for (int k = 0; k < 5; k++) {
		skip_space(&s, end);
		uint32_t w = 0;
		int n = 0;
		for (; s < end && isxdigit((unsigned char)*s); s++, n++) {
			if (n == 8)
				return perr(p, "hash word %d is longer than 8 hex digits", k + 1);
			int c = tolower((unsigned char)*s);
			w = w << 4 | (uint32_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
		}
		if (n == 0)
			return perr(p, "expected 5 hexadecimal hash words");
		h[k] = w;
	}
	skip_space(&s, end);
	if (s != end)
		return perr(p, "unexpected text after the hash");
	if (p->have_hash && memcmp(h, p->hash, sizeof(h)) != 0)
		return perr(p, "a second, different hash");
	memcpy(p->hash, h, sizeof(h));
	p->have_hash = true;
	return 0;
}

static int add_entry(struct parse *p, long long ntp_s, long long tai)
{
	struct leaplist *l = p->out;
	int64_t when = (int64_t)(ntp_s - NTP_UNIX_OFFSET);
	if (when % DAY != 0)
		return perr(p, "%lld is not a UTC midnight", ntp_s);
	if (tai > 1000)
		return perr(p, "TAI - UTC of %lld s is not plausible", tai);
	if (l->n > 0 && when <= l->when[l->n - 1])
		return perr(p, "entries out of order");
	if (l->n > 0 && llabs(tai - l->tai_utc[l->n - 1]) != 1)
		return perr(p, "TAI - UTC changes by %lld s, not 1", tai - l->tai_utc[l->n - 1]);
	if (l->n == LEAPLIST_MAX)
		return perr(p, "more than %d entries", LEAPLIST_MAX);
	l->when[l->n] = when;
	l->tai_utc[l->n] = (int)tai;
	l->n++;
	return 0;
}

static int parse_data(struct parse *p, const char *s, const char *end)
{
	long long ntp_s, tai;
	const char *start = s;
	if (!take_number(&s, end, &ntp_s, NULL, 0))
		return perr(p, "expected \"NTPSECONDS TAI-UTC\"");
	skip_space(&s, end);
	if (!take_number(&s, end, &tai, NULL, 0))
		return perr(p, "expected TAI - UTC after the time");
	const char *data_end = s;
	skip_space(&s, end);
	if (s != end && *s != '#')
		return perr(p, "unexpected text after TAI - UTC");
	int r = add_entry(p, ntp_s, tai);
	if (r < 0)
		return r;
	for (const char *c = start; c < data_end; c++)
		if (isdigit((unsigned char)*c) && p->data_len < sizeof(p->data))
			p->data[p->data_len++] = *c;
	return 0;
}

static int parse_line(struct parse *p, const char *s, const char *end)
{
	if (end - s > LINE_MAX_LEN)
		return perr(p, "line longer than %d bytes", LINE_MAX_LEN);
	if (s < end && end[-1] == '\r')
		end--;
	if (s + 1 < end && s[0] == '#' && s[1] == '$')
		return parse_time(p, s + 2, end, p->upd, &p->have_upd, &p->out->updated);
	if (s + 1 < end && s[0] == '#' && s[1] == '@')
		return parse_time(p, s + 2, end, p->exp, &p->have_exp, &p->out->expires);
	if (s + 1 < end && s[0] == '#' && s[1] == 'h')
		return parse_hash(p, s + 2, end);
	if (s < end && s[0] == '#')
		return 0;
	const char *t = s;
	skip_space(&t, end);
	if (t == end)
		return 0;
	return parse_data(p, s, end);
}

/* The hash: SHA-1 over the update digits, the expiry digits, then the data digits. */
static int check_hash(struct parse *p)
{
	struct sha1_ctx ctx;
	uint8_t d[SHA1_DIGEST_SIZE];
	sha1_init(&ctx);
	sha1_update(&ctx, strlen(p->upd), (const uint8_t *)p->upd);
	sha1_update(&ctx, strlen(p->exp), (const uint8_t *)p->exp);
	sha1_update(&ctx, p->data_len, (const uint8_t *)p->data);
	sha1_digest(&ctx, sizeof(d), d);
	for (int k = 0; k < 5; k++) {
		uint32_t w = (uint32_t)d[4 * k] << 24 | (uint32_t)d[4 * k + 1] << 16 |
		             (uint32_t)d[4 * k + 2] << 8 | d[4 * k + 3];
		if (w != p->hash[k]) {
			snprintf(p->err, p->errlen,
			         "hash mismatch: the file was altered or damaged");
			return -EINVAL;
		}
	}
	return 0;
}

static int finish(struct parse *p)
{
	const struct leaplist *l = p->out;
	if (!p->have_upd || !p->have_exp || !p->have_hash) {
		snprintf(p->err, p->errlen, "no %s line",
		         !p->have_upd   ? "\"#$\" (last update)"
		         : !p->have_exp ? "\"#@\" (expiry)"
		                        : "\"#h\" (hash)");
		return -EINVAL;
	}
	if (l->n == 0) {
		snprintf(p->err, p->errlen, "no leap second entries");
		return -EINVAL;
	}
	if (l->expires <= l->updated || l->expires <= l->when[l->n - 1]) {
		snprintf(p->err, p->errlen, "the expiry is not after the last update and entry");
		return -EINVAL;
	}
	return check_hash(p);
}

int leapfile_parse(const char *text, size_t len, struct leaplist *out, char *err, size_t errlen)
{
	struct parse *p = calloc(1, sizeof(*p));
	int r = 0;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(out, 0, sizeof(*out));
	p->out = out;
	p->err = err;
	p->errlen = errlen;
	if (memchr(text, '\0', len))
		r = perr(p, "a NUL byte: not a text file");
	for (const char *s = text, *end = text + len; r == 0 && s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		p->line++;
		r = parse_line(p, s, nl ? nl : end);
		s = nl ? nl + 1 : end;
	}
	if (r == 0)
		r = finish(p);
	free(p);
	return r;
}

int leapfile_read(const char *path, struct leaplist *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *buf = malloc(LEAPFILE_MAX_SIZE + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	size_t n = fread(buf, 1, LEAPFILE_MAX_SIZE + 1, f);
	int r = ferror(f) ? -EIO : 0;
	fclose(f);
	if (r == 0 && n > LEAPFILE_MAX_SIZE) {
		snprintf(err, errlen, "larger than %d bytes", LEAPFILE_MAX_SIZE);
		r = -EINVAL;
	}
	if (r == 0)
		r = leapfile_parse(buf, n, out, err, errlen);
	free(buf);
	return r;
}
