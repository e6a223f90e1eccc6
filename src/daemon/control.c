/* control: the control socket on libevent, JSON with jansson. See control.h. */
#include "config.h"

#include "daemon/control.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control_json.h"
#include "daemon/log.h"

struct control {
	struct control_env env;
	struct evconnlistener *listener;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* the socket file we created, removed at exit only if still ours */
	ino_t ino;
	int n_clients;
	struct control_client *clients; /* connected, freed with the control */
};

struct control_client {
	struct control *owner;
	struct control_client *next, **pprev;
	struct bufferevent *bev;
	bool closing;   /* free once the reply is written */
	bool may_write; /* the peer may run the changing commands */
};

static void client_free(struct control_client *cl)
{
	cl->owner->n_clients--;
	*cl->pprev = cl->next;
	if (cl->next)
		cl->next->pprev = cl->pprev;
	bufferevent_free(cl->bev);
	free(cl);
}

/* Queue one reply line; the object is consumed. */
static void client_reply(struct control_client *cl, json_t *reply)
{
	char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	struct evbuffer *out = bufferevent_get_output(cl->bev);

	if (text)
		evbuffer_add_printf(out, "%s\n", text);
	else
		evbuffer_add_printf(out,
		                    "{\"version\":%d,\"ok\":false,\"error\":\"out of memory\"}\n",
		                    CONTROL_PROTOCOL_VERSION);
	free(text);
	json_decref(reply);
}

static void client_on_read(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	while (!cl->closing && (line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF))) {
		json_t *reply =
		        n > CONTROL_MAX_REQUEST
		                ? control_json_error("request longer than 4096 bytes")
		                : control_json_handle(&cl->owner->env, cl->may_write, line, n);
		free(line);
		client_reply(cl, reply);
	}
	if (!cl->closing && evbuffer_get_length(in) > CONTROL_MAX_REQUEST) {
		/* No end of line in sight: answer, then hang up (no way to find the next line). */
		client_reply(cl, control_json_error("request longer than 4096 bytes"));
		cl->closing = true;
		evbuffer_drain(in, evbuffer_get_length(in));
		bufferevent_disable(bev, EV_READ);
	}
}

static void client_on_write(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;

	(void)bev;
	if (cl->closing)
		client_free(cl);
}

static void client_on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what; /* EOF, error or idle timeout: the client is gone */
	client_free(arg);
}

/* True if uid is a member of gid (primary or supplementary group). */
static bool user_in_group(uid_t uid, gid_t primary, gid_t gid)
{
	if (primary == gid)
		return true;
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    getgrouplist(pw.pw_name, primary, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* May the peer on fd change things? Root, our own user, or (unless write_root_only) a
 * member of the socket's group. */
static bool peer_may_write(const struct control *c, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct stat st;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	if (cr.uid == 0 || cr.uid == geteuid())
		return true;
	if (c->env.write_root_only || stat(c->path, &st) < 0)
		return false;
	return user_in_group(cr.uid, cr.gid, st.st_gid);
}

static void control_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                              int len, void *arg)
{
	struct control *c = arg;
	struct timeval idle = {CONTROL_IDLE_TIMEOUT, 0};

	(void)l;
	(void)sa;
	(void)len;
	if (c->n_clients >= CONTROL_MAX_CLIENTS) {
		static const char busy[] = "{\"version\":1,\"ok\":false,\"error\":\"busy: too many "
		                           "control clients\"}\n";
		(void)!write(fd, busy, sizeof(busy) - 1);
		close(fd);
		return;
	}
	struct control_client *cl = calloc(1, sizeof(*cl));
	if (cl)
		cl->bev = bufferevent_socket_new(c->env.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cl || !cl->bev) {
		free(cl);
		close(fd);
		return;
	}
	cl->owner = c;
	cl->may_write = peer_may_write(c, fd);
	cl->next = c->clients;
	cl->pprev = &c->clients;
	if (c->clients)
		c->clients->pprev = &cl->next;
	c->clients = cl;
	c->n_clients++;
	bufferevent_setcb(cl->bev, client_on_read, client_on_write, client_on_event, cl);
	bufferevent_set_timeouts(cl->bev, &idle, &idle);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, CONTROL_MAX_REQUEST * 2);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

/* True if a daemon answers on path. */
static bool socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive = fd >= 0 && connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;

	if (fd >= 0)
		close(fd);
	return alive;
}

/* Give the socket file to group name. 0 or a negative errno. */
static int control_chgrp(const char *path, const char *name)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	return chown(path, (uid_t)-1, gr.gr_gid) < 0 ? -errno : 0;
}

static int control_bind(struct control *c, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->path);
	if (lstat(c->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", c->path);
			return -EEXIST;
		}
		if (socket_alive(&sun)) {
			snprintf(err, errlen, "%s is in use by another running daemon", c->path);
			return -EADDRINUSE;
		}
		unlink(c->path); /* stale: left by a daemon that did not exit cleanly */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	mode_t old = umask(0117); /* the socket file: 0660 */
	int r = fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	                        listen(fd, CONTROL_MAX_CLIENTS) < 0
	                ? -errno
	                : 0;
	umask(old);
	if (r == 0 && c->env.group && *c->env.group && (r = control_chgrp(c->path, c->env.group))) {
		snprintf(err, errlen, "cannot give %s to group %s: %s", c->path, c->env.group,
		         strerror(-r));
		unlink(c->path);
		close(fd);
		return r;
	}
	if (r == 0 && stat(c->path, &st) == 0) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	if (r == 0)
		c->listener = evconnlistener_new(c->env.base, control_on_accept, c,
		                                 LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (r == 0 && !c->listener)
		r = -ENOMEM;
	if (r < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", c->path, strerror(-r));
		if (fd >= 0 && !c->listener)
			close(fd);
	}
	return r;
}

int control_new(const struct control_env *env, const char *path, struct control **ret, char *err,
                size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->env = *env;
	if (strlen(path) >= sizeof(c->path)) {
		snprintf(err, errlen, "control socket path too long");
		free(c);
		return -ENAMETOOLONG;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	int r = control_bind(c, err, errlen);
	if (r < 0) {
		free(c);
		return r;
	}
	log_info(env->log, "control socket %s", c->path);
	*ret = c;
	return 0;
}

int control_set_policy(struct control *c, const char *group, bool write_root_only, char *err,
                       size_t errlen)
{
	c->env.group = group;
	c->env.write_root_only = write_root_only;
	int r = group && *group ? control_chgrp(c->path, group) : 0;
	if (r < 0)
		snprintf(err, errlen, "cannot give %s to group %s: %s", c->path, group,
		         strerror(-r));
	return r;
}

void control_free(struct control *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	if (c->listener)
		evconnlistener_free(c->listener);
	if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}
