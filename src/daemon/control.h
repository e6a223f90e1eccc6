/* control: the daemon's control socket (conf control_socket), read by stratactl.
 *
 * A Unix stream socket. Protocol version 1: each request is one line of JSON, an object
 * {"version": 1, "command": NAME}; each reply is one line of JSON, {"version": 1, "ok":
 * true, "result": {...}} or {"version": 1, "ok": false, "error": "message"}. Reading
 * commands: "status" (the system state), "sources" (every source), "sourcestats" (each
 * source's filter), "serverstats" (the server counters), "clients" (the busiest clients).
 * Changing commands, allowed to root, the daemon's own user and, unless write_root_only,
 * members of the socket's group (checked with SO_PEERCRED when the client connects):
 * "reload", "burst" (optional "count" 1..6), "makestep" (optional "accept_insane": true),
 * "add" ("type" server or pool, "name", optional "port", "iburst", "minpoll", "maxpoll",
 * "maxsources") and "remove" ("name", optional "port");
 * anyone else gets "permission denied". A line longer than CONTROL_MAX_REQUEST, a line that is not
 * a JSON object, another version or an unknown command gets an error reply, then the connection
 * stays open for the next line; a client idle for CONTROL_IDLE_TIMEOUT s is closed; at most
 * CONTROL_MAX_CLIENTS at once (more are answered "busy" and closed). Replies are queued
 * without blocking: a slow reader cannot stall the daemon. JSON is jansson's, not ours.
 *
 * The socket file is created mode 0660 and given to group (conf control_group) when set: the
 * owner and that group may connect, and so read. A stale socket
 * file is replaced; one a live daemon answers on is left alone and the control socket is
 * off (the daemon keeps serving time). Ownership: control_new() allocates, control_free()
 * closes and removes the socket file it created (NULL is a no-op); env pointers must
 * outlive the control.
 */
#ifndef STRATA_DAEMON_CONTROL_H
#define STRATA_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_PROTOCOL_VERSION 1
#define CONTROL_MAX_REQUEST 4096
#define CONTROL_MAX_CLIENTS 32
#define CONTROL_IDLE_TIMEOUT 10
#define CONTROL_MAX_CLIENTS_SHOWN 256 /* "clients": the busiest this many */

struct clock;
struct conf_source;
struct event_base;
struct log;
struct sync;
struct serve;
struct control;

/* What the daemon does for the changing commands. */
struct control_ops {
	void *arg;
	/* Reload the configuration now: 0, or -1 with the reason in err (old one kept). */
	int (*reload)(void *arg, char *err, size_t errlen);
	/* Why the last reload failed; "" when it worked or none was tried. */
	const char *(*reload_error)(void *arg);
	/* Poll one more source (until the next reload or restart): 0, or -1 with err. */
	int (*add_source)(void *arg, const struct conf_source *cs, char *err, size_t errlen);
	/* Stop the source named name on port (0: any): 0, or -1 with err. */
	int (*remove_source)(void *arg, const char *name, int port, char *err, size_t errlen);
};

struct control_env {
	struct event_base *base;
	struct log *log;
	struct sync *sync;
	struct serve **serve; /* the daemon's pointer to its server (may be NULL) */
	struct clock *clock;  /* monotonic readings: uptime, age of the last samples */
	double started;       /* monotonic s at start */
	const char *group;    /* group of the socket file; NULL or "": the daemon's own */
	bool write_root_only; /* changing commands: root and the daemon's user only */
	struct control_ops ops;
};

/* Listen on path. 0, or a negative errno with the reason in err. */
int control_new(const struct control_env *env, const char *path, struct control **ret, char *err,
                size_t errlen);
/* New group and write policy (a reload), for the clients that connect from now on. 0, or a
 * negative errno with the reason in err. */
int control_set_policy(struct control *c, const char *group, bool write_root_only, char *err,
                       size_t errlen);
void control_free(struct control *c);

#endif
