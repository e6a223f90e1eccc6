/* privs: least privilege for stratad (libcap).
 *
 * privs_drop() runs once, in the main thread, after the sockets and files the daemon needs
 * at start are open. Started as root with a user other than "root", it switches the whole
 * process (every thread: glibc broadcasts setresuid) to that user and its primary group,
 * with no supplementary groups. In every case the main thread then keeps only the
 * capabilities listed in struct privs_opts (permitted = effective), the ambient set is
 * cleared and, when the process may (CAP_SETPCAP), every other capability leaves the
 * bounding set, so that nothing can regain it. Started as an ordinary user, it only drops
 * capabilities it may have been given (systemd's AmbientCapabilities=, file capabilities).
 *
 * Capabilities are per thread in Linux: privs_thread_none() clears them in a thread that
 * needs none (the server threads, which only answer on already open sockets).
 *
 * Ownership: no state; the strings passed in are not kept.
 */
#ifndef STRATA_DAEMON_PRIVS_H
#define STRATA_DAEMON_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privs_opts {
	const char *user;   /* switch to this user when started as root; "root": stay uid 0 */
	bool keep_sys_time; /* CAP_SYS_TIME: the system clock driver adjusts the clock */
	bool keep_bind;     /* CAP_NET_BIND_SERVICE: a listen port below 1024 may be rebound
	                     * on reload or by a new server thread */
};

/* What privs_drop() did, for the start-up log line. */
struct privs_result {
	uid_t uid;
	gid_t gid;
	bool switched; /* the user changed */
	char caps[64]; /* capabilities kept, "cap_sys_time", or "none" */
};

/* 0, or -1 with a one-line reason in err (the daemon must not go on: it would run with
 * more privilege than configured). */
int privs_drop(const struct privs_opts *o, struct privs_result *res, char *err, size_t errlen);

/* Sockets the daemon opens before privs_drop() and will share with sockets opened after it
 * (SO_REUSEPORT: the kernel wants one owner for all) must be owned by the user from the
 * start: privs_socket_owner_begin() sets the calling thread's fsuid to that user's uid, and
 * _end() back to the real one. Nothing to do (returns 0) when the user would not switch;
 * -1 with err when the user does not exist. */
int privs_socket_owner_begin(const struct privs_opts *o, char *err, size_t errlen);
void privs_socket_owner_end(void);

/* Clear every capability of the calling thread. 0 or a negative errno. */
int privs_thread_none(void);

#endif
