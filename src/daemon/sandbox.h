/* sandbox: stratad's seccomp allow-list (libseccomp).
 *
 * sandbox_seccomp() sets PR_SET_NO_NEW_PRIVS and loads a filter, for every thread of the
 * process (SECCOMP_FILTER_FLAG_TSYNC) and every thread started later, that allows only
 * the system calls the running daemon makes: the event loop, sockets of the families it
 * uses (unix, IPv4, IPv6, netlink), its files (configuration, drift file, statistics,
 * control socket), threads, memory and time reading. Clock adjustment (clock_adjtime,
 * adjtimex) is allowed only with the system clock driver; execve, ptrace, mount, module
 * loading, raw and packet sockets and everything else are not.
 *
 * A forbidden call raises SIGSYS: the handler writes "PROGRAM: seccomp: forbidden system
 * call N" (PROGRAM: stratad or strata-clockd) on standard error and the process dies of SIGSYS, so
 * that an omission in the list is seen at once rather than as a mysterious failure.
 *
 * Ownership: the filter lives in the kernel; no state here.
 */
#ifndef STRATA_DAEMON_SANDBOX_H
#define STRATA_DAEMON_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct sandbox_opts {
	bool clock_control; /* allow the clock-adjusting calls: the system driver */
	bool log_only;      /* forbidden calls are logged by the kernel (audit), not stopped */
	/* Another program's list (strata-clockd): allow exactly these n_only system call names
	 * instead of stratad's list; clock_control is then ignored (name the clock calls). */
	const char *const *only;
	size_t n_only;
};

/* True in builds with AddressSanitizer: its leak check at exit runs a ptrace-ing helper
 * task that hangs under the filter, so stratad loads it with log_only there (the normal
 * build's integration suite enforces it; the unit test enforces it in both). */
bool sandbox_sanitized(void);

/* True when running under valgrind, which does not implement seccomp(2): stratad runs
 * without the filter there (said in the log). Valgrind's client request cannot be faked by
 * a caller; builds without <valgrind/valgrind.h> always say false. */
bool sandbox_under_valgrind(void);

/* 0, or -1 with a one-line reason in err. */
int sandbox_seccomp(const struct sandbox_opts *o, char *err, size_t errlen);

#endif
