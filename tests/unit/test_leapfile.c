/* Unit tests for daemon/leapfile and core/leaplist: the IERS list tzdata ships (a copy in
 * tests/vectors), a synthetic list with a deletion, tampered and malformed files, expiry. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/leaplist.h"
#include "daemon/leapfile.h"
#include "check_run.h"

#define JAN2017 1483228800LL /* Unix s, 2017-01-01 00:00 UTC */
#define JAN2027 1798761600LL
#define DAY 86400LL

/* The whole text of tests/vectors/NAME, NUL-terminated; *len set. */
static char *load(const char *name, size_t *len)
{
	const char *dir = getenv("STRATA_VECTORS");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/vectors", name);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *buf = calloc(1, LEAPFILE_MAX_SIZE + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, LEAPFILE_MAX_SIZE, f);
	fclose(f);
	return buf;
}

/* Parse text and expect -EINVAL with `why` in the message. */
static void expect_error(const char *text, const char *why)
{
	struct leaplist l;
	char err[256] = "";
	ck_assert_int_eq(leapfile_parse(text, strlen(text), &l, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, why) != NULL, "error \"%s\" lacks \"%s\"", err, why);
}

/* Replace the first occurrence of from by to in text (same length). */
static void patch(char *text, const char *from, const char *to)
{
	char *p = strstr(text, from);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
}

START_TEST(iers_list_parses)
{
	size_t len;
	char *text = load("leap-seconds.list", &len), err[256] = "";
	struct leaplist l;
	ck_assert_int_eq(leapfile_parse(text, len, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(l.n, 28);
	ck_assert_int_eq(l.tai_utc[0], 10);
	ck_assert_int_eq(l.tai_utc[l.n - 1], 37);
	ck_assert_int_eq(l.when[l.n - 1], JAN2017);
	ck_assert_int_eq(l.expires, 3991593600LL - 2208988800LL); /* 28 June 2026 */
	ck_assert_int_eq(l.updated, 3960835200LL - 2208988800LL);
	ck_assert_int_eq(leaplist_tai_utc(&l, JAN2017 - 1), 36);
	ck_assert_int_eq(leaplist_tai_utc(&l, JAN2017), 37);
	ck_assert_int_eq(leaplist_at(&l, JAN2017, JAN2017 - 3600), LEAPLIST_INSERT);
	ck_assert_int_eq(leaplist_at(&l, JAN2017 - 184 * DAY, JAN2017 - 200 * DAY), LEAPLIST_NONE);
	ck_assert_int_eq(leaplist_at(&l, JAN2027, JAN2027 - 3600), LEAPLIST_EXPIRED);
	free(text);
}
END_TEST

START_TEST(deletion_and_short_hash_words)
{
	size_t len;
	char *text = load("leap-test-delete.list", &len), err[256] = "";
	struct leaplist l;
	ck_assert_msg(leapfile_parse(text, len, &l, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(l.n, 2);
	ck_assert_int_eq(leaplist_at(&l, JAN2027, JAN2027 - 3600), LEAPLIST_DELETE);
	ck_assert_int_eq(leaplist_at(&l, JAN2027 + 90 * DAY, JAN2027), LEAPLIST_NONE);
	ck_assert_int_eq(leaplist_at(&l, JAN2027, l.expires), LEAPLIST_EXPIRED);
	free(text);
}
END_TEST

START_TEST(tampering_is_caught)
{
	size_t len;
	char *text = load("leap-seconds.list", &len), err[256];
	struct leaplist l;
	/* A comment may change; a data digit, the expiry or the hash may not. */
	patch(text, "ATOMIC TIME", "atomic time");
	ck_assert_int_eq(leapfile_parse(text, len, &l, err, sizeof(err)), 0);
	char *copy = strdup(text);
	patch(copy, "30      # 1 Jan 1996", "31      # 1 Jan 1996");
	ck_assert_int_eq(leapfile_parse(copy, len, &l, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "TAI - UTC changes") || strstr(err, "hash mismatch"));
	strcpy(copy, text);
	patch(copy, "#@\t3991593600", "#@\t3991593601");
	ck_assert_int_eq(leapfile_parse(copy, len, &l, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "hash mismatch"));
	strcpy(copy, text);
	patch(copy, "49db2447", "49db2448");
	ck_assert_int_eq(leapfile_parse(copy, len, &l, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "hash mismatch"));
	/* Truncated after the last data line: the hash line is gone. */
	strcpy(copy, text);
	*strstr(copy, "#h") = '\0';
	ck_assert_int_eq(leapfile_parse(copy, strlen(copy), &l, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "hash"));
	free(copy);
	free(text);
}
END_TEST

START_TEST(malformed_files)
{
	expect_error("", "no \"#$\"");
	expect_error("#$ 3960835200\n", "no \"#@\"");
	expect_error("#$ 3960835200\n#@ 3991593600\n", "no \"#h\"");
	expect_error("#$ 3960835200\n#@ 3991593600\n#h 1 2 3 4 5\n", "no leap second entries");
	expect_error("#$ 3960835200\n#@ 3991593600\n#h 1 2 3 4\n", "line 3: expected 5");
	expect_error("#$ 3960835200\n#@ 3991593600\n#h 123456789 2 3 4 5\n", "longer than 8");
	expect_error("#$ x\n", "line 1: expected a time");
	expect_error("#$ 3960835200\n#$ 3960835200\n", "line 2: repeated");
	expect_error("#$ 3960835200 junk\n", "unexpected text");
	expect_error("2272060800 10\n2287785600 12\n", "changes by 2 s");
	expect_error("2287785600 11\n2272060800 10\n", "out of order");
	expect_error("2272060801 10\n", "not a UTC midnight");
	expect_error("2272060800 10 junk\n", "unexpected text after");
	expect_error("2272060800\n", "expected TAI - UTC");
	expect_error("hello\n", "line 1: expected");
	expect_error("99999999999999999999 10\n", "line 1: expected");
	struct leaplist l;
	char err[128];
	char nul[] = "#$ 1\0\n";
	ck_assert_int_eq(leapfile_parse(nul, sizeof(nul) - 1, &l, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	char *longline = malloc(2100);
	memset(longline, '#', 2099);
	longline[2099] = '\0';
	expect_error(longline, "longer than");
	free(longline);
	/* More entries than the table holds. */
	char *many = malloc(100 * 32);
	size_t n = 0;
	for (int k = 0; k < LEAPLIST_MAX + 1; k++)
		n += (size_t)sprintf(many + n, "%lld %d\n", 2272060800LL + k * DAY, 10 + k);
	expect_error(many, "more than");
	free(many);
}
END_TEST

START_TEST(read_errors)
{
	struct leaplist l;
	char err[256];
	ck_assert_int_eq(leapfile_read("/nonexistent/leap-seconds.list", &l, err, sizeof(err)),
	                 -ENOENT);
	ck_assert_int_lt(leapfile_read("/", &l, err, sizeof(err)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("leapfile");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, iers_list_parses);
	tcase_add_test(tc, deletion_and_short_hash_words);
	tcase_add_test(tc, tampering_is_caught);
	tcase_add_test(tc, malformed_files);
	tcase_add_test(tc, read_errors);
	suite_add_tcase(s, tc);
	return check_run(s);
}
