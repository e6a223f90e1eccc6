/* Unit tests for daemon/sandbox: the seccomp filter stratad loads. Each case runs in a
 * child process that loads the real filter and then makes one system call: allowed calls
 * work, forbidden ones (execve, a packet socket, a uid change) kill the child with SIGSYS after the
 * handler names the call on standard error. */
#include "config.h"

#include <check.h>
#include <errno.h> /* program_invocation_short_name */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_run.h"
#include "daemon/sandbox.h"

#ifndef AF_PACKET
#define AF_PACKET 17
#endif

struct outcome {
	int status;    /* waitpid status */
	char err[256]; /* what the child wrote on stderr */
};

/* Run call() in a child under the filter so describes. */
static void run_filtered(int (*call)(void), const struct sandbox_opts *so, struct outcome *o)
{
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char err[256];
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		if (sandbox_seccomp(so, err, sizeof(err)) < 0) {
			fprintf(stderr, "load failed: %s\n", err);
			_exit(3);
		}
		_exit(call() == 0 ? 0 : 4);
	}
	close(pfd[1]);
	ssize_t n, len = 0;
	while ((n = read(pfd[0], o->err + len, sizeof(o->err) - 1 - (size_t)len)) > 0)
		len += n;
	o->err[len] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &o->status, 0), pid);
}

/* Run call() in a child under stratad's filter (clock_control as given). */
static void run_confined(int (*call)(void), bool clock_control, struct outcome *o)
{
	struct sandbox_opts so = {.clock_control = clock_control};
	run_filtered(call, &so, o);
}

static void assert_killed(const struct outcome *o, long nr)
{
	char want[160];
	ck_assert_msg(WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGSYS,
	              "not killed by SIGSYS (status %#x, stderr \"%s\")", o->status, o->err);
	snprintf(want, sizeof(want), "%s: seccomp: forbidden system call %ld ",
	         program_invocation_short_name, nr);
	ck_assert_msg(strstr(o->err, want), "stderr \"%s\" lacks \"%s\"", o->err, want);
}

static int call_udp_socket(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

static int call_files(void)
{
	char path[] = "/tmp/strata-sandbox-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	int r = write(fd, "x", 1) == 1 && fsync(fd) == 0 ? 0 : -1;
	close(fd);
	return unlink(path) == 0 ? r : -1;
}

static int call_execve(void)
{
	char *argv[] = {"/bin/true", NULL};
	execve(argv[0], argv, NULL);
	return -1;
}

static int call_packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd >= 0)
		close(fd);
	return 0; /* reaching here at all is the failure */
}

static int call_setresuid(void)
{
	syscall(SYS_setresuid, -1L, -1L, -1L); /* a no-op if it were allowed */
	return 0;
}

START_TEST(allowed_calls_work)
{
	struct outcome o = {0};
	run_confined(call_udp_socket, false, &o);
	ck_assert_msg(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "udp: %#x %s", o.status,
	              o.err);
	run_confined(call_files, false, &o);
	ck_assert_msg(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "files: %#x %s", o.status,
	              o.err);
}
END_TEST

/* Forbidden calls: each kills the child with SIGSYS, the handler naming it. */
static const struct forbidden {
	int (*call)(void);
	bool clock_control;
	long nr;
} forbidden[] = {
        {call_execve, true, SYS_execve},
        {call_packet_socket, false, SYS_socket},
        {call_setresuid, true, SYS_setresuid},
};

START_TEST(forbidden_call_is_killed)
{
	struct outcome o = {0};
	run_confined(forbidden[_i].call, forbidden[_i].clock_control, &o);
	assert_killed(&o, forbidden[_i].nr);
}
END_TEST

static int call_getpid(void)
{
	return getpid() > 0 ? 0 : -1;
}

/* Another program's list (strata-clockd's way): exactly those calls. */
START_TEST(only_list_is_exact)
{
	/* sigaltstack, mmap, munmap: for the sanitizer runtime of the ASan build. */
	static const char *const only[] = {"getpid",         "write",        "exit_group",
	                                   "exit",           "rt_sigreturn", "rt_sigaction",
	                                   "rt_sigprocmask", "gettid",       "tgkill",
	                                   "sigaltstack",    "mmap",         "munmap"};
	struct sandbox_opts so = {.only = only, .n_only = sizeof(only) / sizeof(only[0])};
	struct outcome o = {0};
	run_filtered(call_getpid, &so, &o);
	ck_assert_msg(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "getpid: %#x %s", o.status,
	              o.err);
	run_filtered(call_udp_socket, &so, &o);
	assert_killed(&o, SYS_socket);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("seccomp");
	tcase_add_test(tc, allowed_calls_work);
	tcase_add_test(tc, only_list_is_exact);
	tcase_add_loop_test(tc, forbidden_call_is_killed, 0,
	                    (int)(sizeof(forbidden) / sizeof(forbidden[0])));
	suite_add_tcase(s, tc);
	return check_run(s);
}
