/* Unit tests for daemon/driftfile: reading, corrupt files, atomic writes. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/driftfile.h"
#include "check_run.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/strata-drift.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(round_trip)
{
	char p[128], err[256];
	snprintf(p, sizeof(p), "%s/drift", dir);
	ck_assert_int_eq(driftfile_write(p, -12.345678, 0.25), 0);
	double f = 0, s = 0;
	ck_assert_int_eq(driftfile_read(p, &f, &s, err, sizeof(err)), 0);
	ck_assert_double_eq_tol(f, -12.345678, 1e-9);
	ck_assert_double_eq_tol(s, 0.25, 1e-9);
	/* The temporary file is gone. */
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(driftfile_write(p, 7.5, 0.01), 0);
	ck_assert_int_eq(driftfile_read(p, &f, &s, err, sizeof(err)), 0);
	ck_assert_double_eq_tol(f, 7.5, 1e-9);
}
END_TEST

START_TEST(missing_file)
{
	char p[128], err[256];
	snprintf(p, sizeof(p), "%s/none", dir);
	double f, s;
	ck_assert_int_eq(driftfile_read(p, &f, &s, err, sizeof(err)), -ENOENT);
}
END_TEST

START_TEST(corrupt_files_rejected)
{
	static const char *bad[] = {"",          "garbage\n", "12.5\n",           "12.5 x\n",
	                            "1e9 0.1\n", "nan 0.1\n", "12.5 0.1 extra\n", "12.5 -1\n",
	                            "12.",       "12.5 0.1"};
	char p[128], err[256];
	snprintf(p, sizeof(p), "%s/drift", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(p, bad[i]);
		double f = 99, s = 99;
		err[0] = '\0';
		ck_assert_msg(driftfile_read(p, &f, &s, err, sizeof(err)) == -EINVAL, "case %zu",
		              i);
		ck_assert(strlen(err) > 0);
		ck_assert_double_eq(f, 99);
	}
}
END_TEST

START_TEST(write_into_missing_dir_fails_cleanly)
{
	ck_assert_int_lt(driftfile_write("/nonexistent-dir/strata/drift", 1.0, 0.1), 0);
	ck_assert_int_eq(driftfile_write("/tmp/x", NAN, 0.1), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("driftfile");
	TCase *tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, corrupt_files_rejected);
	tcase_add_test(tc, write_into_missing_dir_fails_cleanly);
	suite_add_tcase(s, tc);
	return check_run(s);
}
