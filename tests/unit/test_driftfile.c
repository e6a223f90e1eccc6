/* Unit tests for daemon/driftfile: reading, corrupt files, atomic writes. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Entries in dir besides . and .. */
static int dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A child rewrites the file as fast as it can (frequency = a counter, skew 0.5) and is
 * killed with SIGKILL after a random delay (values from round r lie in r*500+1..r*500+499),
 * 100 times: every time the file reads back as a
 * whole value some write produced, never garbage, and at most one temporary file is left. */
START_TEST(kill_9_during_writes_leaves_old_or_new)
{
	char path[96];
	unsigned seed = 20261203;
	double last = 0.0;
	int completed = 0; /* rounds in which the child finished at least one write */

	printf("driftfile kill -9 test: seed %u\n", seed);
	snprintf(path, sizeof(path), "%s/drift", dir);
	ck_assert_int_eq(driftfile_write(path, 0.0, 0.5), 0);
	for (int round = 0; round < 100; round++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			for (long i = 1;; i++)
				driftfile_write(path, (double)(round * 500 + 1 + i % 499), 0.5);
		}
		usleep((useconds_t)(200 + rand_r(&seed) % 15000));
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		double freq = -1, skew = -1;
		char err[128] = "";
		ck_assert_msg(driftfile_read(path, &freq, &skew, err, sizeof(err)) == 0,
		              "round %d: %s", round, err);
		ck_assert_msg(freq == floor(freq) && freq >= 0 && freq < 50500 && skew == 0.5,
		              "round %d: read %g %g", round, freq, skew);
		ck_assert_int_le(dir_entries(), 2);
		completed += freq > round * 500; /* this round's child wrote it */
		last = freq;
	}
	printf("driftfile kill -9 test: 100 kills, %d after a completed write, last value %.0f\n",
	       completed, last);
	ck_assert_int_ge(completed, 20); /* the kills did land among the writes */
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
	tcase_add_test(tc, kill_9_during_writes_leaves_old_or_new);
	suite_add_tcase(s, tc);
	return check_run(s);
}
