/* conf: the daemon's configuration, read with libconfuse.
 *
 * The libconfuse cfg_t never leaves conf.c: conf_load() produces this plain struct, fully
 * validated, or nothing at all (nothing starts half-configured). Every error message names
 * the file and line ("strata.conf:12: minpoll 2 out of range 4..17").
 * Ownership: conf_load() allocates; conf_free() releases everything (NULL is a no-op).
 */
#ifndef STRATA_DAEMON_CONF_H
#define STRATA_DAEMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_DEFAULT_PATH "/etc/strata/strata.conf"
#define CONF_DEFAULT_INCLUDE_DIR "/etc/strata/conf.d"
#define CONF_DEFAULT_CONTROL_SOCKET "/run/strata/stratad.sock"
#define CONF_DEFAULT_METRICS_PORT 9975
#define CONF_DEFAULT_STATS_DIR "/var/log/strata"
#define CONF_DEFAULT_METRICS_LISTEN "127.0.0.1:9975"
#define CONF_DEFAULT_DRIFTFILE "/var/lib/strata/drift"
#define CONF_DEFAULT_USER "_strata"
#define CONF_DEFAULT_RESOLV_CONF "/etc/resolv.conf"
#define CONF_DEFAULT_TIMESYNC_FILE "/run/systemd/timesync/synchronized"
#define CONF_DEFAULT_TIME_FILE "/run/strata/time"
#define CONF_DEFAULT_SLEWRATE 83333.333 /* ppm: 1 s in 12 s */
#define CONF_MAX_SERVER_THREADS 16
#define CONF_MAX_SLEWRATE 100000.0 /* ppm: what the kernel tick allows */
#define CONF_MAX_SOURCES 64        /* stratactl add refuses more: the engine polls at most 64 */

enum conf_source_type { CONF_SERVER = 0, CONF_POOL = 1 };

enum conf_log_level {
	CONF_LOG_ERR = 0,
	CONF_LOG_WARNING,
	CONF_LOG_NOTICE,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG
};

struct conf_source {
	enum conf_source_type type;
	char *name;     /* host name or address literal */
	uint16_t port;  /* default 123 */
	bool iburst;    /* default false */
	int minpoll;    /* log2 s, default 6, range 4..17 */
	int maxpoll;    /* log2 s, default 10, range minpoll..17 */
	int maxsources; /* pools only: members kept, default 4, range 1..16 */
	char *file;     /* where it was defined, for messages */
	int line;
};

/* An address prefix of an allow or deny rule. */
struct conf_prefix {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 bytes */
	int prefix_len;   /* 0..32 or 0..128 */
	char *text;       /* as written */
};

/* A listen address: where stratad answers clients (issue "serve time"). */
struct conf_listen {
	char *text; /* "ADDR" or "ADDR:PORT" or "[V6]:PORT", as written */
	int family;
	uint8_t addr[16];
	uint16_t port; /* default 123 */
};

/* The ratelimit section: per-client limits on what the server answers (core/ratelimit). */
struct conf_ratelimit {
	bool enabled; /* a ratelimit section was given (default: no limit) */
	int interval; /* log2 s between requests on average, -4..12, default 1 */
	int burst;    /* requests back to back, 1..1024, default 16 */
	int leak;     /* answer 1 in leak requests over the limit, 0..1024 (0: none), default 8 */
	bool kod;     /* the answered ones are KoD RATE, default true */
	int ipv4_prefix; /* clients grouped by prefix, 0..32, default 32 */
	int ipv6_prefix; /* 0..128, default 64 */
	long clients;    /* groups remembered, 64..4194304, default 16384 */
};

struct conf {
	struct conf_source *sources;
	size_t n_sources;
	char *driftfile;           /* NULL: no drift file; default CONF_DEFAULT_DRIFTFILE */
	double makestep_threshold; /* s, default 1.0, > 0 */
	int makestep_limit;        /* updates, default 3; -1 = always */
	double panic_threshold;    /* s, default 1000, > 0; 0 = disabled */
	double max_slew_ppm;       /* ppm, largest rate used to slew an offset, 1..100000 */
	int min_sources;           /* truechimers needed to synchronise, default 1, 1..64 */
	bool leap_slew;            /* leapsecmode "slew" (true) or "system" (false, default) */
	char *leapseclist;         /* NULL: none (default); a leap-seconds.list file */
	int local_stratum;         /* serve this stratum while unsynchronised; 0 = off (default) */
	struct conf_prefix *allow;
	size_t n_allow;
	struct conf_prefix *deny;
	size_t n_deny;
	struct conf_listen *listen;
	size_t n_listen;
	struct conf_prefix *allow_control; /* who may ask ntpq questions (mode 6); default
	                                    * 127.0.0.0/8 and ::1; empty: nobody */
	size_t n_allow_control;
	bool deny_kod;      /* answer denied clients with KoD DENY (default: drop silently) */
	int server_threads; /* threads answering clients, 1..CONF_MAX_SERVER_THREADS, default 1 */
	int clientlog;      /* client log entries per server thread; 0 = off, default 4096 */
	struct conf_ratelimit ratelimit;
	char *control_socket;          /* default CONF_DEFAULT_CONTROL_SOCKET */
	char *control_group;           /* group owning the socket (may read); NULL: the daemon's */
	bool control_write_root;       /* control_write "root": only root and the daemon's user
	                                * may change things; "group" (default): the group too */
	char *stats_dir;               /* statistics { directory }; NULL: no statistics files */
	bool stats_loop, stats_peer;   /* statistics { loopstats peerstats }, default true */
	char *metrics_listen;          /* "ADDR:PORT" of the Prometheus listener; NULL = off */
	char *user;                    /* started as root, run as this user (default
	                                * CONF_DEFAULT_USER; "root": stay uid 0); read at start */
	bool seccomp;                  /* the seccomp allow-list (default true); read at start */
	char *resolv_conf;             /* name servers for server and pool names; NULL: default
	                                * CONF_DEFAULT_RESOLV_CONF; read at start */
	char *timesync_file;           /* created once the clock is first synchronised (not with
	                                * -x); NULL: none; default CONF_DEFAULT_TIMESYNC_FILE */
	char *time_file;               /* the bounded-time file for libstrata; NULL: none; default
	                                * CONF_DEFAULT_TIME_FILE (with -x only when named);
	                                * read at start */
	bool time_file_named;          /* time_file was given in a file */
	enum conf_log_level log_level; /* default info */
	char *include_dir;             /* NULL: none; every *.conf in it is read in sorted order */
	char **files;                  /* every file read, main file first */
	size_t n_files;
};

/* Read path and its include directory. On success returns 0 and sets *ret. On error
 * returns -1 and writes one line "FILE:LINE: message" (no newline) into err. */
int conf_load(const char *path, struct conf **ret, char *err, size_t errlen);

/* Parse a configuration held in memory (tests, fuzzing); name is used in messages.
 * Include directories are honoured as in conf_load. */
int conf_load_string(const char *text, const char *name, struct conf **ret, char *err,
                     size_t errlen);

void conf_free(struct conf *conf);

/* A deep copy (conf_dup.c); NULL when out of memory. */
struct conf *conf_dup(const struct conf *c);
/* Index of the source named name (case-insensitive) on port (<= 0: any), or -1. */
int conf_find_source(const struct conf *c, const char *name, int port);
/* A copy of c without source remove (-1: none) and with add appended (NULL: none); the
 * runtime changes of stratactl add and remove. NULL when out of memory. */
struct conf *conf_with_source(const struct conf *c, const struct conf_source *add, int remove);

/* Field by field (the structs have padding). */
/* Two optional strings (NULL = unset) hold the same text. */
bool conf_str_same(const char *a, const char *b);
bool conf_ratelimit_equal(const struct conf_ratelimit *a, const struct conf_ratelimit *b);

/* Print the effective configuration, in the configuration file's own syntax, so that the
 * output parses back to an identical struct conf. */
void conf_print(const struct conf *conf, FILE *out);

/* Name of a log level ("info"), and the reverse (-1 if unknown). */
const char *conf_log_level_str(enum conf_log_level l);
int conf_log_level_parse(const char *s);

#endif
