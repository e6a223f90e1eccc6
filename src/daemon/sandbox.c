/* sandbox: the seccomp allow-list. See sandbox.h.
 *
 * The list was built from strace of the integration suite (every configuration it runs:
 * one and several server threads, control socket, metrics, statistics, drift file, reload,
 * DNS) and is checked by that suite, which runs with the filter on. Names unknown to the
 * running architecture are skipped, so that one list serves every architecture.
 */
#include "config.h"

#include "daemon/sandbox.h"

#include <errno.h>
#include <seccomp.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

static const char *const sandbox_allowed[] = {
        /* memory, process and threads */
        "brk",
        "mmap",
        "munmap",
        "mprotect",
        "mremap",
        "madvise",
        "exit",
        "exit_group",
        "clone",
        "clone3",
        "futex",
        "set_robust_list",
        "rseq",
        "set_tid_address",
        "gettid",
        "getpid",
        "tgkill",
        "sched_yield",
        "sched_getaffinity",
        "getrandom",
        "prlimit64",
        "getuid",
        "geteuid",
        "getgid",
        "getegid",
        "uname",
        "restart_syscall",
        "capget",
        "capset",
        /* signals */
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "sigaltstack",
        /* time: reading only; adjusting is added with the system clock driver */
        "clock_gettime",
        "clock_getres",
        "gettimeofday",
        "time",
        "nanosleep",
        "clock_nanosleep",
        /* event loop */
        "epoll_create",
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "epoll_pwait",
        "poll",
        "ppoll",
        "select",
        "pselect6",
        "eventfd2",
        "pipe2",
        /* sockets (socket() itself is filtered by family below) */
        "bind",
        "connect",
        "listen",
        "accept",
        "accept4",
        "getsockname",
        "getpeername",
        "setsockopt",
        "getsockopt",
        "shutdown",
        "sendto",
        "recvfrom",
        "sendmsg",
        "recvmsg",
        "sendmmsg",
        "recvmmsg",
        "socketpair",
        /* files */
        "read",
        "write",
        "readv",
        "writev",
        "pread64",
        "pwrite64",
        "open",
        "openat",
        "close",
        "lseek",
        "fstat",
        "stat",
        "lstat",
        "newfstatat",
        "statx",
        "fcntl",
        "fsync",
        "fdatasync",
        "ftruncate",
        "rename",
        "renameat",
        "renameat2",
        "unlink",
        "unlinkat",
        "getdents64",
        "access",
        "faccessat",
        "faccessat2",
        "readlink",
        "readlinkat",
        "umask",
        "chown",
        "fchown",
        "fchownat",
        "chmod",
        "fchmod",
        "fchmodat",
        "mkdir",
        "mkdirat",
        "dup",
        "dup2",
        "dup3",
        "getcwd",
        "sysinfo",
};

static const char *const sandbox_clock[] = {"clock_adjtime", "adjtimex"};

/* Append s to buf (size cap) at *m. */
static void sandbox_put(char *buf, size_t cap, size_t *m, const char *s)
{
	while (*s && *m < cap)
		buf[(*m)++] = *s++;
}

/* Tell which call was refused, with async-signal-safe calls only, then die of SIGSYS. */
static void sandbox_on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[128], num[16];
	unsigned n = (unsigned)si->si_syscall;
	size_t len = 0, m = 0;

	(void)uc;
	do
		num[len++] = (char)('0' + n % 10);
	while ((n /= 10) > 0 && len < sizeof(num) - 1);
	sandbox_put(msg, sizeof(msg), &m, program_invocation_short_name);
	sandbox_put(msg, sizeof(msg), &m, ": seccomp: forbidden system call ");
	while (len > 0 && m < sizeof(msg))
		msg[m++] = num[--len];
	sandbox_put(msg, sizeof(msg), &m, " (ausyscall NUMBER names it)\n");
	if (write(STDERR_FILENO, msg, m) < 0) {
		/* nothing more can be said */
	}
	signal(sig, SIG_DFL); /* delivered again when the handler returns: the process dies */
	raise(sig);
}

static int sandbox_add(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* socket() for the families the daemon uses; ioctl() for the requests libc and libevent
 * make (bytes waiting, non-blocking, "is this a terminal"). */
static int sandbox_add_filtered(scmp_filter_ctx ctx)
{
	static const int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
	static const unsigned long ioctls[] = {FIONREAD, FIONBIO, TCGETS, TIOCGWINSZ};
	int r = 0;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]));
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		                     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)ioctls[i]));
	return r;
}

static int sandbox_build(scmp_filter_ctx ctx, const struct sandbox_opts *o)
{
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);

	if (r == 0 && o->only)
		return sandbox_add(ctx, o->only, o->n_only);
	if (r == 0)
		r = sandbox_add(ctx, sandbox_allowed, sizeof(sandbox_allowed) / sizeof(char *));
	if (r == 0 && o->clock_control)
		r = sandbox_add(ctx, sandbox_clock, sizeof(sandbox_clock) / sizeof(char *));
	if (r == 0)
		r = sandbox_add_filtered(ctx);
	return r;
}

bool sandbox_sanitized(void)
{
#ifdef SANDBOX_ASAN
	return true;
#else
	return false;
#endif
}

bool sandbox_under_valgrind(void)
{
#ifdef HAVE_VALGRIND_VALGRIND_H
	return RUNNING_ON_VALGRIND != 0;
#else
	return false;
#endif
}

int sandbox_seccomp(const struct sandbox_opts *o, char *err, size_t errlen)
{
	struct sigaction sa = {.sa_sigaction = sandbox_on_sigsys, .sa_flags = SA_SIGINFO};
	scmp_filter_ctx ctx;
	int r;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		snprintf(err, errlen, "seccomp: cannot handle SIGSYS: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0) {
		snprintf(err, errlen, "seccomp: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	ctx = seccomp_init(o->log_only ? SCMP_ACT_LOG : SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: cannot create the filter");
		return -1;
	}
	r = sandbox_build(ctx, o);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		snprintf(err, errlen, "seccomp: cannot load the filter: %s", strerror(-r));
		return -1;
	}
	return 0;
}
