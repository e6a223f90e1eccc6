/* Unit tests for daemon/timesync: the flag file and its directory are created, an existing
 * one is kept, and bad paths give a reason instead of a crash. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_run.h"
#include "daemon/timesync.h"

START_TEST(creates_directory_and_file)
{
	char tmp[] = "/tmp/strata-timesync-XXXXXX", path[PATH_MAX], err[256];
	struct stat st;
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/timesync/synchronized", tmp);
	ck_assert_int_eq(timesync_mark(path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(timesync_mark(path, err, sizeof(err)), 0); /* again: kept */
	unlink(path);
	snprintf(path, sizeof(path), "%s/timesync", tmp);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

START_TEST(bad_paths_are_errors)
{
	char err[256] = "";
	ck_assert_int_lt(timesync_mark("synchronized", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not an absolute path"));
	ck_assert_int_lt(timesync_mark("/proc/strata-no-such/dir/synchronized", err, sizeof(err)),
	                 0);
	ck_assert_ptr_nonnull(strstr(err, "cannot create /proc/strata-no-such/dir"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timesync");
	TCase *tc = tcase_create("mark");
	tcase_add_test(tc, creates_directory_and_file);
	tcase_add_test(tc, bad_paths_are_errors);
	suite_add_tcase(s, tc);
	return check_run(s);
}
