/* Unit tests for daemon/privs: in a child process started as root, privs_drop() switches to
 * nobody and keeps exactly the capabilities asked for (CAP_SYS_TIME for the system clock
 * driver, CAP_NET_BIND_SERVICE for low ports, none for -x), with a bounding set holding
 * nothing else and no way back to uid 0. Nothing here adjusts the clock: the capability is
 * only read back. */
#include <check.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_run.h"
#include "daemon/privs.h"

static bool has(cap_flag_t set, cap_value_t c)
{
	cap_t now = cap_get_proc();
	cap_flag_value_t f = CAP_CLEAR;
	cap_get_flag(now, c, set, &f);
	cap_free(now);
	return f == CAP_SET;
}

/* Child: drop as o says, then check; exit code 0 = all as expected, else which check. */
static int child_checks(const struct privs_opts *o, uid_t want_uid)
{
	struct privs_result res;
	char err[256];

	if (privs_drop(o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 10;
	}
	if (getuid() != want_uid || geteuid() != want_uid || res.uid != want_uid)
		return 11;
	if (want_uid != 0 && setuid(0) == 0)
		return 12;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		bool want = (c == CAP_SYS_TIME && o->keep_sys_time) ||
		            (c == CAP_NET_BIND_SERVICE && o->keep_bind);
		if (has(CAP_EFFECTIVE, c) != want || has(CAP_PERMITTED, c) != want ||
		    has(CAP_INHERITABLE, c))
			return 13;
		if (CAP_IS_SUPPORTED(c) && (prctl(PR_CAPBSET_READ, c) == 1) != want)
			return 14;
	}
	if (privs_thread_none() < 0 || has(CAP_EFFECTIVE, CAP_SYS_TIME))
		return 15;
	return 0;
}

static int run(const struct privs_opts *o, uid_t want_uid)
{
	int status;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_checks(o, want_uid));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static uid_t nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	ck_assert_ptr_nonnull(pw);
	return pw->pw_uid;
}

START_TEST(switch_keeps_sys_time_only)
{
	if (geteuid() != 0)
		ck_abort_msg("run as root (make check runs as root in CI)");
	struct privs_opts o = {.user = "nobody", .keep_sys_time = true};
	ck_assert_int_eq(run(&o, nobody()), 0);
}
END_TEST

START_TEST(switch_keeps_bind_and_time)
{
	struct privs_opts o = {.user = "nobody", .keep_sys_time = true, .keep_bind = true};
	ck_assert_int_eq(run(&o, nobody()), 0);
}
END_TEST

START_TEST(null_clock_keeps_nothing)
{
	struct privs_opts o = {.user = "nobody"};
	ck_assert_int_eq(run(&o, nobody()), 0);
}
END_TEST

START_TEST(root_stays_uid_0_without_caps)
{
	struct privs_opts o = {.user = "root", .keep_sys_time = true};
	ck_assert_int_eq(run(&o, 0), 0);
}
END_TEST

START_TEST(unknown_user_is_an_error)
{
	struct privs_opts o = {.user = "no_such_user_strata"};
	struct privs_result res;
	char err[256];
	ck_assert_int_eq(privs_drop(&o, &res, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"no_such_user_strata\" does not exist"));
	ck_assert_int_eq(geteuid(), 0); /* nothing changed */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("privs");
	TCase *tc = tcase_create("drop");
	tcase_add_test(tc, switch_keeps_sys_time_only);
	tcase_add_test(tc, switch_keeps_bind_and_time);
	tcase_add_test(tc, null_clock_keeps_nothing);
	tcase_add_test(tc, root_stays_uid_0_without_caps);
	tcase_add_test(tc, unknown_user_is_an_error);
	suite_add_tcase(s, tc);
	return check_run(s);
}
