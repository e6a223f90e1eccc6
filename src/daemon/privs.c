/* privs: user switch and capability reduction. See privs.h. */
#include "config.h"

#include "daemon/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

static int privs_fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "cannot drop privileges: %s: %s", what, strerror(errno));
	return -1;
}

/* Is c in the calling thread's permitted set? */
static bool privs_permitted(cap_value_t c)
{
	cap_t now = cap_get_proc();
	cap_flag_value_t f = CAP_CLEAR;

	if (now)
		cap_get_flag(now, c, CAP_PERMITTED, &f);
	cap_free(now);
	return f == CAP_SET;
}

/* The capabilities to keep (those wanted that the process has: an ordinary user without
 * CAP_SYS_TIME keeps none), and their names for the log. */
static size_t privs_wanted(const struct privs_opts *o, cap_value_t *v, char *names, size_t len)
{
	size_t n = 0;

	names[0] = '\0';
	if (o->keep_sys_time && privs_permitted(CAP_SYS_TIME))
		v[n++] = CAP_SYS_TIME;
	if (o->keep_bind && privs_permitted(CAP_NET_BIND_SERVICE))
		v[n++] = CAP_NET_BIND_SERVICE;
	for (size_t i = 0; i < n; i++) {
		char *s = cap_to_name(v[i]);
		size_t used = strlen(names);
		snprintf(names + used, len - used, "%s%s", i ? "," : "", s ? s : "?");
		cap_free(s);
	}
	if (n == 0)
		snprintf(names, len, "none");
	return n;
}

static bool privs_in(cap_value_t c, const cap_value_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == c)
			return true;
	return false;
}

/* Every capability not in v leaves the bounding set; without CAP_SETPCAP (an ordinary
 * user) the set cannot shrink and nothing in it is usable anyway. */
static int privs_bound(const cap_value_t *v, size_t n, char *err, size_t errlen)
{
	if (!CAP_IS_SUPPORTED(CAP_SETPCAP) || prctl(PR_CAPBSET_READ, CAP_SETPCAP) != 1)
		return 0;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP && CAP_IS_SUPPORTED(c); c++) {
		if (privs_in(c, v, n) || cap_get_bound(c) != 1)
			continue;
		if (cap_drop_bound(c) < 0 && errno != EPERM)
			return privs_fail(err, errlen, "bounding set");
	}
	return 0;
}

/* Switch to pw's uid and primary gid, keeping the permitted capabilities across the uid
 * change (PR_SET_KEEPCAPS) so that privs_caps() can keep the wanted ones. */
static int privs_switch(const struct passwd *pw, char *err, size_t errlen)
{
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		return privs_fail(err, errlen, "PR_SET_KEEPCAPS");
	if (setgroups(1, &pw->pw_gid) < 0)
		return privs_fail(err, errlen, "setgroups");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0)
		return privs_fail(err, errlen, "setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return privs_fail(err, errlen, "setresuid");
	if (prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) < 0)
		return privs_fail(err, errlen, "PR_SET_KEEPCAPS");
	if (setuid(0) == 0) { /* must be impossible now */
		errno = EPERM;
		return privs_fail(err, errlen, "uid 0 could be regained");
	}
	return 0;
}

/* The calling thread keeps exactly v: permitted and effective, nothing inheritable, and
 * so nothing ambient either (the kernel keeps ambient within permitted and inheritable). */
static int privs_caps(const cap_value_t *v, size_t n)
{
	cap_t caps = cap_init(); /* all clear */
	int r = 0;

	if (!caps)
		return -errno;
	if (n > 0 && (cap_set_flag(caps, CAP_PERMITTED, (int)n, v, CAP_SET) < 0 ||
	              cap_set_flag(caps, CAP_EFFECTIVE, (int)n, v, CAP_SET) < 0))
		r = -errno;
	if (r == 0 && cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
}

/* The user to switch to: 0 and *pw = NULL when none (not root, or "root"), -1 with err
 * when it does not exist. */
static int privs_target(const struct privs_opts *o, struct passwd **pw, char *err, size_t errlen)
{
	*pw = NULL;
	if (geteuid() != 0 || !o->user || !*o->user || strcmp(o->user, "root") == 0)
		return 0;
	*pw = getpwnam(o->user);
	if (!*pw) {
		snprintf(err, errlen,
		         "user \"%s\" does not exist: create it (strata.sysusers) or start with -u "
		         "root",
		         o->user);
		return -1;
	}
	return 0;
}

int privs_socket_owner_begin(const struct privs_opts *o, char *err, size_t errlen)
{
	struct passwd *pw;

	if (privs_target(o, &pw, err, errlen) < 0)
		return -1;
	if (pw) {
		setfsuid(pw->pw_uid);
		if ((uid_t)setfsuid((uid_t)-1) != pw->pw_uid) {
			snprintf(err, errlen, "cannot drop privileges: setfsuid failed");
			return -1;
		}
	}
	return 0;
}

void privs_socket_owner_end(void)
{
	setfsuid(geteuid());
}

int privs_drop(const struct privs_opts *o, struct privs_result *res, char *err, size_t errlen)
{
	cap_value_t keep[2];
	size_t n = privs_wanted(o, keep, res->caps, sizeof(res->caps));
	struct passwd *pw;

	res->switched = false;
	if (privs_target(o, &pw, err, errlen) < 0)
		return -1;
	if (privs_bound(keep, n, err, errlen) < 0)
		return -1;
	if (pw && privs_switch(pw, err, errlen) < 0)
		return -1;
	int r = privs_caps(keep, n);
	if (r < 0) {
		errno = -r;
		return privs_fail(err, errlen, "capabilities");
	}
	res->switched = pw != NULL;
	res->uid = getuid();
	res->gid = getgid();
	return 0;
}

int privs_thread_none(void)
{
	return privs_caps(NULL, 0);
}
