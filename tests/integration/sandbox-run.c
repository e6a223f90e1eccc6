/* sandbox-run: run a program the way a hardened systemd unit would, without systemd, for
 * unit-sandbox.sh. Started as root:
 *   sandbox-run [--net] [--rw DIR]... --uid UID --gid GID -- PROGRAM ARGS...
 * it enters a new user namespace mapping uid/gid 0 and UID/GID to themselves (as
 * PrivateUsers=yes does for root and the service's user), a new mount namespace (owned by
 * that user namespace, so that no mount made here propagates back: the kernel turns the
 * copied shared mounts into slaves) and with --net a new network namespace
 * (PrivateNetwork=yes); makes every top-level directory but /dev, /proc and /sys read only
 * and each --rw DIR writable again (ProtectSystem=strict with ReadWritePaths=). Without
 * --private-users only the network namespace is made (a chroot cannot make user namespaces,
 * and mounts made without one could propagate to the host). It then becomes UID/GID with no
 * supplementary group, empties its bounding set, sets no_new_privs and runs PROGRAM with no
 * capability, under this process's PID (so that the test can end it by its PID). Exit status 125
 * with a message if any step fails. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RW 16

struct opts {
	int net;
	int private_users;
	const char *rw[MAX_RW];
	int n_rw;
	long uid, gid;
	char **argv;
};

static void die(const char *what)
{
	fprintf(stderr, "sandbox-run: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

/* A child of the original namespaces writes our maps once we have unshared. */
static void map_ids(const struct opts *o, int flags)
{
	int a[2], b[2];
	char c = 0, path[64], map[128];
	if (pipe(a) < 0 || pipe(b) < 0)
		die("pipe");
	pid_t parent = getpid(), pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		if (read(a[0], &c, 1) != 1)
			_exit(1);
		snprintf(map, sizeof(map), "0 0 1\n%ld %ld 1\n", o->uid, o->uid);
		snprintf(path, sizeof(path), "/proc/%ld/uid_map", (long)parent);
		write_file(path, map);
		snprintf(map, sizeof(map), "0 0 1\n%ld %ld 1\n", o->gid, o->gid);
		snprintf(path, sizeof(path), "/proc/%ld/gid_map", (long)parent);
		write_file(path, map);
		_exit(write(b[1], &c, 1) == 1 ? 0 : 1);
	}
	close(a[0]);
	close(b[1]);
	if (unshare(flags) < 0)
		die("unshare");
	int st;
	if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1 || waitpid(pid, &st, 0) != pid ||
	    st != 0) {
		errno = EPROTO;
		die("writing the uid and gid maps");
	}
}

static void remount(const char *dir, unsigned long ro)
{
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(dir);
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | ro, NULL) < 0)
		die(dir);
}

static void read_only_root(const struct opts *o)
{
	DIR *d = opendir("/");
	struct dirent *e;
	char path[300];
	struct stat st;
	if (!d)
		die("/");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "dev") ||
		    !strcmp(e->d_name, "proc") || !strcmp(e->d_name, "sys"))
			continue;
		snprintf(path, sizeof(path), "/%s", e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remount(path, MS_RDONLY);
	}
	closedir(d);
	for (int i = 0; i < o->n_rw; i++)
		remount(o->rw[i], 0);
}

static void become(const struct opts *o)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			die("PR_CAPBSET_DROP");
	if (setgroups(0, NULL) < 0 || setresgid((gid_t)o->gid, (gid_t)o->gid, (gid_t)o->gid) < 0 ||
	    setresuid((uid_t)o->uid, (uid_t)o->uid, (uid_t)o->uid) < 0)
		die("switching to the user");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
}

static void parse(int argc, char **argv, struct opts *o)
{
	int i = 1;
	o->uid = o->gid = -1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--net"))
			o->net = 1;
		else if (!strcmp(argv[i], "--private-users"))
			o->private_users = 1;
		else if (!strcmp(argv[i], "--rw") && i + 1 < argc && o->n_rw < MAX_RW)
			o->rw[o->n_rw++] = argv[++i];
		else if (!strcmp(argv[i], "--uid") && i + 1 < argc)
			o->uid = atol(argv[++i]);
		else if (!strcmp(argv[i], "--gid") && i + 1 < argc)
			o->gid = atol(argv[++i]);
		else
			break;
	}
	if (i + 1 >= argc || strcmp(argv[i], "--") || o->uid <= 0 || o->gid <= 0) {
		fprintf(stderr,
		        "usage: sandbox-run [--net] [--private-users [--rw DIR]...] --uid UID "
		        "--gid GID -- PROGRAM ARGS...\n");
		exit(125);
	}
	o->argv = argv + i + 1;
}

/* Can this process make a user namespace? (A child tries, so that we stay as we are.) */
static int probe(void)
{
	int st;
	pid_t pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	if (argc == 2 && !strcmp(argv[1], "--probe"))
		return probe();
	parse(argc, argv, &o);
	if (o.private_users) {
		map_ids(&o, CLONE_NEWUSER | CLONE_NEWNS | (o.net ? CLONE_NEWNET : 0));
		read_only_root(&o);
	} else if (o.net && unshare(CLONE_NEWNET) < 0) {
		die("unshare");
	}
	become(&o);
	execvp(o.argv[0], o.argv);
	die(o.argv[0]);
}
