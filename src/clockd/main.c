/* strata-clockd: the clock helper. The one process of a hardened installation that may set
 * the clock: it listens on a local SOCK_SEQPACKET socket (from systemd's strata-clockd.socket,
 * or -s PATH), accepts only root and its own user (or -u USER), and applies the corrections
 * stratad sends (clockd.h, clockmsg.h) with the system clock driver, or with the null driver
 * under -x. It has no network socket: its unit gives it none (PrivateNetwork=yes). Once its
 * socket is open it keeps only CAP_SYS_TIME (privs.h; none with -x) and loads its own seccomp
 * allow-list (sandbox.h, clockd_syscalls below).
 *
 * Exit status: 0 on SIGTERM or SIGINT, 1 on a start-up error, 2 on a usage error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "clock/clockmsg.h"
#include "clockd/clockd.h"
#include "daemon/privs.h"
#include "daemon/sandbox.h"

#define CLOCKD_MAX_CLIENTS 4         /* connections served at once */
#define CLOCKD_DEFAULT_MAX_STEP 1000 /* s: stratad's default panic threshold */

enum { CLOCKD_OPT_VERSION = 256 };

/* Every system call the helper makes once it serves (strace of clock-helper.sh and
 * unit-sandbox.sh): its sockets, logging, memory, signals, the clock. */
static const char *const clockd_syscalls[] = {
        "read",           "write",         "writev",          "close",
        "poll",           "ppoll",         "accept4",         "accept",
        "recvfrom",       "recvmsg",       "sendto",          "sendmsg",
        "getsockopt",     "clock_gettime", "gettimeofday",    "clock_adjtime",
        "adjtimex",       "exit",          "exit_group",      "rt_sigreturn",
        "rt_sigprocmask", "rt_sigaction",  "restart_syscall", "unlink",
        "newfstatat",     "fstat",         "lseek",           "brk",
        "mmap",           "munmap",        "mremap",          "madvise",
        "futex",          "getpid",        "gettid",          "tgkill",
        "getuid",
};

struct clockd {
	const char *path; /* -s: the socket this process created, or NULL */
	bool null_clock;  /* -x */
	bool debug;       /* -d */
	bool journal;     /* stderr goes to the journal: <N> level prefixes */
	uid_t peer_uid;   /* -u USER, else our own uid; root is always accepted */
	struct clockd_policy policy;
	struct clockd_counters cnt;
	struct clock *clock;
	struct pollfd fds[2 + CLOCKD_MAX_CLIENTS]; /* signals, listener, clients (fd -1: free) */
};

static void clockd_log(const struct clockd *d, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* One line on stderr, with the journal's <level> prefix when stderr is the journal. */
static void clockd_log(const struct clockd *d, int level, const char *fmt, ...)
{
	va_list ap;

	if (level >= 7 && !d->debug)
		return;
	if (d->journal)
		fprintf(stderr, "<%d>", level);
	fputs("strata-clockd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void clockd_usage(FILE *out)
{
	fprintf(out,
	        "Usage: strata-clockd [-dx] [-s SOCKET] [-m SECONDS] [-u USER]\n"
	        "       strata-clockd --version | -h\n"
	        "\n"
	        "  -s SOCKET   listen on SOCKET (default: the socket systemd passes)\n"
	        "  -x          null clock driver: never adjust the system clock\n"
	        "  -m SECONDS  refuse steps larger than SECONDS (default 1000; 0: no limit)\n"
	        "  -u USER     accept USER's connections (default: our own user; root always)\n"
	        "  -d          log every request\n"
	        "  --version   print the version and exit\n"
	        "  -h, --help  print this help and exit\n");
}

static int clockd_parse_user(struct clockd *d, const char *name)
{
	const struct passwd *pw = getpwnam(name);

	if (!pw) {
		fprintf(stderr, "strata-clockd: unknown user '%s'\n", name);
		return 2;
	}
	d->peer_uid = pw->pw_uid;
	return -1;
}

static int clockd_parse_step(struct clockd *d, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0.0) || v > 1e9) {
		fprintf(stderr, "strata-clockd: -m wants seconds from 0 to 1e9, not '%s'\n", arg);
		return 2;
	}
	d->policy.max_step = v;
	return -1;
}

/* Returns -1 to go on, or an exit status. */
static int clockd_parse(int argc, char **argv, struct clockd *d)
{
	static const struct option longopts[] = {
	        {"version", no_argument, NULL, CLOCKD_OPT_VERSION},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c, r = -1;

	while (r < 0 && (c = getopt_long(argc, argv, "s:xm:u:dh", longopts, NULL)) != -1) {
		if (c == 's')
			d->path = optarg;
		else if (c == 'x')
			d->null_clock = true;
		else if (c == 'm')
			r = clockd_parse_step(d, optarg);
		else if (c == 'u')
			r = clockd_parse_user(d, optarg);
		else if (c == 'd')
			d->debug = true;
		else if (c == CLOCKD_OPT_VERSION) {
			printf("strata-clockd %s\n", PACKAGE_VERSION);
			r = 0;
		} else if (c == 'h') {
			clockd_usage(stdout);
			r = 0;
		} else {
			fprintf(stderr, "Try 'strata-clockd --help'.\n");
			r = 2;
		}
	}
	if (r < 0 && optind < argc) {
		fprintf(stderr,
		        "strata-clockd: unexpected argument '%s'\nTry 'strata-clockd --help'.\n",
		        argv[optind]);
		r = 2;
	}
	return r;
}

/* The listening socket: systemd's, or a new one at d->path (a stale socket file there is
 * replaced; any other file is not). */
static int clockd_listen(struct clockd *d)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, n = sd_listen_fds(1);

	if (n > 1 ||
	    (n == 1 && sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, 1, NULL, 0) <= 0)) {
		clockd_log(d, 3,
		           "systemd passed %d sockets: want one listening SOCK_SEQPACKET socket",
		           n);
		return -1;
	}
	if (n == 1) {
		d->path = NULL;
		return SD_LISTEN_FDS_START;
	}
	if (!d->path) {
		clockd_log(d, 3, "no socket: give -s SOCKET, or start from strata-clockd.socket");
		return -1;
	}
	if (strlen(d->path) >= sizeof(a.sun_path)) {
		clockd_log(d, 3, "socket name too long: %s", d->path);
		return -1;
	}
	memcpy(a.sun_path, d->path, strlen(d->path) + 1);
	if (lstat(d->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(d->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	mode_t old = umask(0117); /* srw-rw----: root, the user and the group */
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0) {
		umask(old);
		clockd_log(d, 3, "cannot listen on %s: %s", d->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		d->path = NULL;
		return -1;
	}
	umask(old);
	return fd;
}

static int clockd_signals(struct clockd *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	int fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		clockd_log(d, 3, "signalfd: %s", strerror(errno));
	return fd;
}

static void clockd_close(struct clockd *d, struct pollfd *p, const char *why)
{
	clockd_log(d, 7, "connection closed: %s", why);
	close(p->fd);
	p->fd = -1;
}

/* A new connection: kept if it comes from root or the accepted user and a slot is free. */
static void clockd_accept(struct clockd *d, int lfd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			clockd_log(d, 4, "accept: %s", strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    (cr.uid != 0 && cr.uid != d->peer_uid)) {
		clockd_log(d, 4,
		           "refused a connection from uid %ld pid %ld: only root and uid %ld may "
		           "adjust the clock",
		           len == sizeof(cr) ? (long)cr.uid : -1L,
		           len == sizeof(cr) ? (long)cr.pid : -1L, (long)d->peer_uid);
		close(fd);
		return;
	}
	for (size_t i = 2; i < sizeof(d->fds) / sizeof(d->fds[0]); i++)
		if (d->fds[i].fd < 0) {
			d->fds[i].fd = fd;
			clockd_log(d, 6, "connection from uid %ld pid %ld", (long)cr.uid,
			           (long)cr.pid);
			return;
		}
	clockd_log(d, 4, "refused a connection from pid %ld: %d connections open already",
	           (long)cr.pid, CLOCKD_MAX_CLIENTS);
	close(fd);
}

static const int clockd_note_level[] = {
        [CLOCKD_QUIET] = 7,  [CLOCKD_STEPPED] = 5,   [CLOCKD_REFUSED] = 3,
        [CLOCKD_FAILED] = 3, [CLOCKD_MALFORMED] = 4,
};

/* One request on a client connection, answered. */
static void clockd_serve(struct clockd *d, struct pollfd *p)
{
	uint8_t in[CLOCKMSG_REQ_LEN + 1], out[CLOCKMSG_REP_LEN];
	enum clockd_note note;
	char what[200];
	ssize_t n = recv(p->fd, in, sizeof(in), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		clockd_close(d, p, n == 0 ? "end of file" : strerror(errno));
		return;
	}
	size_t len = clockd_handle(d->clock, &d->policy, &d->cnt, in, (size_t)n, out, &note, what,
	                           sizeof(what));
	clockd_log(d, clockd_note_level[note], "%s", what);
	if (len == 0 || send(p->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
		clockd_close(d, p, len == 0 ? "malformed request" : "cannot send the reply");
}

static int clockd_loop(struct clockd *d)
{
	size_t nfds = sizeof(d->fds) / sizeof(d->fds[0]);

	for (;;) {
		if (poll(d->fds, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			clockd_log(d, 3, "poll: %s", strerror(errno));
			return 1;
		}
		if (d->fds[0].revents)
			return 0;
		if (d->fds[1].revents & POLLIN)
			clockd_accept(d, d->fds[1].fd);
		for (size_t i = 2; i < nfds; i++)
			if (d->fds[i].fd >= 0 && d->fds[i].revents)
				clockd_serve(d, &d->fds[i]);
	}
}

static int clockd_start(struct clockd *d)
{
	int r = d->null_clock ? clock_null_new(&d->clock) : clock_system_new(&d->clock);

	if (r < 0) {
		clockd_log(d, 3, "cannot open the %s clock driver: %s",
		           d->null_clock ? "null" : "system", strerror(-r));
		return -1;
	}
	for (size_t i = 0; i < sizeof(d->fds) / sizeof(d->fds[0]); i++)
		d->fds[i] = (struct pollfd){.fd = -1, .events = POLLIN};
	d->fds[0].fd = clockd_signals(d);
	d->fds[1].fd = d->fds[0].fd < 0 ? -1 : clockd_listen(d);
	return d->fds[1].fd < 0 ? -1 : 0;
}

/* Everything is open: keep only CAP_SYS_TIME (none with -x) and load the allow-list. */
static int clockd_confine(struct clockd *d)
{
	struct privs_opts po = {.user = "root", .keep_sys_time = !d->null_clock};
	struct sandbox_opts so = {.only = clockd_syscalls,
	                          .n_only = sizeof(clockd_syscalls) / sizeof(clockd_syscalls[0]),
	                          .log_only = sandbox_sanitized()};
	struct privs_result pr;
	char err[256];

	if (privs_drop(&po, &pr, err, sizeof(err)) < 0) {
		clockd_log(d, 3, "%s", err);
		return -1;
	}
	clockd_log(d, 6, "running as uid %u gid %u, capabilities: %s", (unsigned)pr.uid,
	           (unsigned)pr.gid, pr.caps);
	if (sandbox_under_valgrind()) {
		clockd_log(d, 5, "seccomp filter off: valgrind cannot run it");
		return 0;
	}
	if (sandbox_seccomp(&so, err, sizeof(err)) < 0) {
		clockd_log(d, 3, "%s", err);
		return -1;
	}
	clockd_log(d, 6, "seccomp filter on%s",
	           so.log_only ? " (sanitizer build: logged, not enforced)" : "");
	return 0;
}

static void clockd_stop(struct clockd *d)
{
	for (size_t i = 0; i < sizeof(d->fds) / sizeof(d->fds[0]); i++)
		if (d->fds[i].fd >= 0)
			close(d->fds[i].fd);
	if (d->path)
		unlink(d->path);
	clock_free(d->clock);
}

int main(int argc, char **argv)
{
	struct clockd d = {.peer_uid = getuid(), .policy.max_step = CLOCKD_DEFAULT_MAX_STEP};
	int status = clockd_parse(argc, argv, &d);

	if (status >= 0)
		return status;
	d.journal = getenv("JOURNAL_STREAM") != NULL;
	if (clockd_start(&d) < 0) {
		clockd_stop(&d);
		return 1;
	}
	char limit[64] = "steps of any size";
	if (d.policy.max_step > 0)
		snprintf(limit, sizeof(limit), "steps up to %g s", d.policy.max_step);
	clockd_log(&d, 5, "serving the %s clock%s%s to uid 0 and %ld, %s", d.clock->ops->name,
	           d.path ? " on " : " on systemd's socket", d.path ? d.path : "", (long)d.peer_uid,
	           limit);
	sd_notify(0, "READY=1\nSTATUS=Serving the clock to stratad");
	if (clockd_confine(&d) < 0) {
		clockd_stop(&d);
		return 1;
	}
	status = clockd_loop(&d);
	clockd_log(&d, 5,
	           "stopped: %lu requests, %lu steps, %lu refused, %lu failed, %lu malformed",
	           d.cnt.requests, d.cnt.steps, d.cnt.refused, d.cnt.failed, d.cnt.malformed);
	clockd_stop(&d);
	return status;
}
