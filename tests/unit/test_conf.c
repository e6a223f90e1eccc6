/* Unit tests for src/daemon/conf.c: syntax, defaults, every error with its FILE:LINE, the
 * include directory, conf_print round trips, the shipped conf/strata.conf, and seeded random
 * mutations (STRATA_CONF_SEED=N to replay a run). */
#include "daemon/conf.h"
#include "check_run.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME "t.conf"
#define NOINC "include_dir = \"\"\n"

static char err[1024];

static struct conf *load(const char *text)
{
	struct conf *c = NULL;
	int rc = conf_load_string(text, NAME, &c, err, sizeof(err));

	ck_assert_msg(rc == 0, "unexpected error: %s\n--- text:\n%s", err, text);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* The text must fail with "t.conf:LINE: " and a message containing what. */
static void expect_error(const char *text, int line, const char *what)
{
	struct conf *c = (struct conf *)1;
	char prefix[64];
	int rc = conf_load_string(text, NAME, &c, err, sizeof(err));

	snprintf(prefix, sizeof(prefix), NAME ":%d: ", line);
	ck_assert_msg(rc == -1, "accepted:\n%s", text);
	ck_assert_ptr_null(c);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "want '%s...', got '%s'", prefix,
	              err);
	ck_assert_msg(strstr(err, what), "want '%s' in '%s'", what, err);
	ck_assert_msg(!strchr(err, '\n'), "newline in '%s'", err);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool prefix_eq(const struct conf_prefix *a, const struct conf_prefix *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].family != b[i].family || a[i].prefix_len != b[i].prefix_len ||
		    memcmp(a[i].addr, b[i].addr, 16) || !str_eq(a[i].text, b[i].text))
			return false;
	return true;
}

static bool source_eq(const struct conf_source *a, const struct conf_source *b)
{
	return a->type == b->type && str_eq(a->name, b->name) && a->port == b->port &&
	       a->iburst == b->iburst && a->minpoll == b->minpoll && a->maxpoll == b->maxpoll &&
	       a->maxsources == b->maxsources;
}

static bool listen_eq(const struct conf_listen *a, const struct conf_listen *b)
{
	return str_eq(a->text, b->text) && a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

/* Everything but the bookkeeping (files, where sources were defined). */
static bool conf_eq(const struct conf *a, const struct conf *b, bool with_include_dir)
{
	if (a->n_sources != b->n_sources || a->n_allow != b->n_allow || a->n_deny != b->n_deny ||
	    a->n_listen != b->n_listen)
		return false;
	for (size_t i = 0; i < a->n_sources; i++)
		if (!source_eq(&a->sources[i], &b->sources[i]))
			return false;
	for (size_t i = 0; i < a->n_listen; i++)
		if (!listen_eq(&a->listen[i], &b->listen[i]))
			return false;
	return str_eq(a->driftfile, b->driftfile) && str_eq(a->leapseclist, b->leapseclist) &&
	       a->makestep_threshold == b->makestep_threshold &&
	       a->makestep_limit == b->makestep_limit && a->panic_threshold == b->panic_threshold &&
	       a->local_stratum == b->local_stratum && a->deny_kod == b->deny_kod &&
	       a->server_threads == b->server_threads &&
	       conf_ratelimit_equal(&a->ratelimit, &b->ratelimit) &&
	       prefix_eq(a->allow, b->allow, a->n_allow) &&
	       prefix_eq(a->deny, b->deny, a->n_deny) &&
	       str_eq(a->control_socket, b->control_socket) && a->log_level == b->log_level &&
	       (!with_include_dir || str_eq(a->include_dir, b->include_dir));
}

static char *print_to_string(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	conf_print(c, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* conf_print output must load back to the same configuration. */
static void check_round_trip(const struct conf *c, bool with_include_dir)
{
	char *text = print_to_string(c);
	struct conf *back = NULL;
	int rc = conf_load_string(text, "printed.conf", &back, err, sizeof(err));

	ck_assert_msg(rc == 0, "printed config does not load: %s\n%s", err, text);
	ck_assert_msg(conf_eq(c, back, with_include_dir), "round trip differs:\n%s", text);
	conf_free(back);
	free(text);
}

static const char *full_text =
        "# every option\n"
        "server \"time.example.com\" { iburst = true  minpoll = 5  maxpoll = 9  port = 1123 }\n"
        "server \"192.0.2.1\" {}\n"
        "pool \"pool.ntp.org\" {\n"
        "\tiburst = yes\n"
        "\tmaxsources = 8\n"
        "}\n"
        "driftfile = \"/tmp/drift file\"\n"
        "leapseclist = \"/usr/share/zoneinfo/leap-seconds.list\"\n"
        "makestep { threshold = 0.125  limit = -1 }\n"
        "panic = 0\n"
        "local_stratum = 10\n"
        "deny_kod = true\n"
        "server_threads = 2\n"
        "ratelimit { interval = 3  burst = 8  leak = 0  kod = false  ipv4_prefix = 24\n"
        "            ipv6_prefix = 56  clients = 1024 }\n"
        "allow = { \"127.0.0.1\", \"192.168.0.0/16\", \"2001:db8::/32\" }\n"
        "deny  = { \"192.168.1.0/24\" }\n"
        "listen = { \"0.0.0.0:123\", \"[::]:1123\", \"127.0.0.1\", \"::1\", \"[::1]\" }\n"
        "control_socket = \"/tmp/s.sock\"\n"
        "log_level = \"debug\"\n" NOINC;

START_TEST(test_defaults)
{
	struct conf *c = load("# nothing but comments\n" NOINC);

	ck_assert_uint_eq(c->n_sources, 0);
	ck_assert_str_eq(c->driftfile, CONF_DEFAULT_DRIFTFILE);
	ck_assert_ptr_null(c->leapseclist);
	ck_assert(c->makestep_threshold == 1.0);
	ck_assert_int_eq(c->makestep_limit, 3);
	ck_assert(c->panic_threshold == 1000.0);
	ck_assert_int_eq(c->local_stratum, 0);
	ck_assert(!c->deny_kod);
	ck_assert_int_eq(c->server_threads, 1);
	ck_assert(!c->ratelimit.enabled);
	conf_free(c);
	c = load("ratelimit {}\n" NOINC); /* an empty section: on, with the defaults */
	ck_assert(c->ratelimit.enabled);
	ck_assert_int_eq(c->ratelimit.interval, 1);
	ck_assert_int_eq(c->ratelimit.burst, 16);
	ck_assert_int_eq(c->ratelimit.leak, 8);
	ck_assert(c->ratelimit.kod);
	ck_assert_int_eq(c->ratelimit.ipv4_prefix, 32);
	ck_assert_int_eq(c->ratelimit.ipv6_prefix, 64);
	ck_assert_int_eq(c->ratelimit.clients, 16384);
	ck_assert_uint_eq(c->n_allow + c->n_deny + c->n_listen, 0);
	ck_assert_str_eq(c->control_socket, CONF_DEFAULT_CONTROL_SOCKET);
	ck_assert_int_eq(c->log_level, CONF_LOG_INFO);
	ck_assert_ptr_null(c->include_dir);
	ck_assert_uint_eq(c->n_files, 1);
	ck_assert_str_eq(c->files[0], NAME);
	conf_free(c);
	c = load("server \"a\" {}\n" NOINC);
	ck_assert_uint_eq(c->n_sources, 1);
	ck_assert_int_eq(c->sources[0].type, CONF_SERVER);
	ck_assert_int_eq(c->sources[0].port, 123);
	ck_assert(!c->sources[0].iburst);
	ck_assert_int_eq(c->sources[0].minpoll, 6);
	ck_assert_int_eq(c->sources[0].maxpoll, 10);
	ck_assert_str_eq(c->sources[0].file, NAME);
	ck_assert_int_eq(c->sources[0].line, 1);
	conf_free(c);
	c = load("");
	ck_assert_str_eq(c->include_dir, CONF_DEFAULT_INCLUDE_DIR);
	conf_free(c);
}
END_TEST

START_TEST(test_full)
{
	struct conf *c = load(full_text);

	ck_assert_uint_eq(c->n_sources, 3);
	ck_assert_str_eq(c->sources[0].name, "time.example.com");
	ck_assert(c->sources[0].iburst);
	ck_assert_int_eq(c->sources[0].minpoll, 5);
	ck_assert_int_eq(c->sources[0].maxpoll, 9);
	ck_assert_int_eq(c->sources[0].port, 1123);
	ck_assert_int_eq(c->sources[0].line, 2);
	ck_assert_str_eq(c->sources[1].name, "192.0.2.1");
	ck_assert_int_eq(c->sources[2].type, CONF_POOL);
	ck_assert_int_eq(c->sources[2].maxsources, 8);
	ck_assert(c->sources[2].iburst);
	ck_assert_int_eq(c->sources[2].line, 7); /* the line of the closing brace */
	ck_assert_str_eq(c->driftfile, "/tmp/drift file");
	ck_assert_str_eq(c->leapseclist, "/usr/share/zoneinfo/leap-seconds.list");
	ck_assert(c->makestep_threshold == 0.125);
	ck_assert_int_eq(c->makestep_limit, -1);
	ck_assert(c->panic_threshold == 0);
	ck_assert_int_eq(c->local_stratum, 10);
	ck_assert(c->deny_kod);
	ck_assert_int_eq(c->server_threads, 2);
	ck_assert(c->ratelimit.enabled && !c->ratelimit.kod);
	ck_assert_int_eq(c->ratelimit.interval, 3);
	ck_assert_int_eq(c->ratelimit.burst, 8);
	ck_assert_int_eq(c->ratelimit.leak, 0);
	ck_assert_int_eq(c->ratelimit.ipv4_prefix, 24);
	ck_assert_int_eq(c->ratelimit.ipv6_prefix, 56);
	ck_assert_int_eq(c->ratelimit.clients, 1024);
	ck_assert_uint_eq(c->n_allow, 3);
	ck_assert_int_eq(c->allow[0].family, AF_INET);
	ck_assert_int_eq(c->allow[0].prefix_len, 32);
	ck_assert_int_eq(c->allow[0].addr[0], 127);
	ck_assert_int_eq(c->allow[1].prefix_len, 16);
	ck_assert_int_eq(c->allow[2].family, AF_INET6);
	ck_assert_int_eq(c->allow[2].prefix_len, 32);
	ck_assert_int_eq(c->allow[2].addr[1], 0x01);
	ck_assert_str_eq(c->allow[2].text, "2001:db8::/32");
	ck_assert_uint_eq(c->n_deny, 1);
	ck_assert_int_eq(c->deny[0].addr[2], 1);
	ck_assert_uint_eq(c->n_listen, 5);
	ck_assert_int_eq(c->listen[0].family, AF_INET);
	ck_assert_int_eq(c->listen[0].port, 123);
	ck_assert_int_eq(c->listen[1].family, AF_INET6);
	ck_assert_int_eq(c->listen[1].port, 1123);
	ck_assert_int_eq(c->listen[2].port, 123);
	ck_assert_int_eq(c->listen[3].family, AF_INET6);
	ck_assert_int_eq(c->listen[3].addr[15], 1);
	ck_assert_int_eq(c->listen[4].addr[15], 1);
	ck_assert_str_eq(c->control_socket, "/tmp/s.sock");
	ck_assert_int_eq(c->log_level, CONF_LOG_DEBUG);
	check_round_trip(c, true);
	conf_free(c);
}
END_TEST

START_TEST(test_syntax_details)
{
	struct conf *c;

	/* the unset one of minpoll/maxpoll follows the other */
	c = load("server \"a\" { minpoll = 12 }\nserver \"b\" { maxpoll = 4 }\n" NOINC);
	ck_assert_int_eq(c->sources[0].maxpoll, 12);
	ck_assert_int_eq(c->sources[1].minpoll, 4);
	conf_free(c);
	/* "" = no drift file; lists accumulate with += and across assignments reset with = */
	c = load("driftfile = \"\"\nallow = {\"10.0.0.0/8\"}\nallow += \"::/0\"\n"
	         "deny = {\"1.2.3.4\"}\ndeny = {}\n" NOINC);
	ck_assert_ptr_null(c->driftfile);
	ck_assert_uint_eq(c->n_allow, 2);
	ck_assert_int_eq(c->allow[1].prefix_len, 0);
	ck_assert_uint_eq(c->n_deny, 0);
	check_round_trip(c, true);
	conf_free(c);
	/* quoting survives the round trip, '$' included */
	c = load("driftfile = \"/tmp/a\\\"b\\\\c\\$d{x}\"\n" NOINC);
	ck_assert_str_eq(c->driftfile, "/tmp/a\"b\\c$d{x}");
	check_round_trip(c, true);
	conf_free(c);
	/* large and small numbers print without '+', which the lexer would split at */
	c = load("makestep { threshold = 1e20 }\npanic = 1.5e-7\n" NOINC);
	ck_assert(c->makestep_threshold == 1e20);
	check_round_trip(c, true);
	conf_free(c);
	ck_assert_str_eq(conf_log_level_str(CONF_LOG_WARNING), "warning");
	ck_assert_int_eq(conf_log_level_parse("notice"), CONF_LOG_NOTICE);
	ck_assert_int_eq(conf_log_level_parse("loud"), -1);
	conf_free(NULL);
}
END_TEST

START_TEST(test_errors)
{
	expect_error(NOINC "\nfoo = 1\n", 3, "no such option 'foo'");
	expect_error("server \"a\" {\n\tminpol = 6\n}\n", 2, "server \"a\": no such option");
	expect_error("server \"a\" {\n\tminpoll = \"six\"\n}\n", 2, "minpoll: expected an integer");
	expect_error("server \"a\" {\n\tiburst = 3\n}\n", 2, "iburst: expected true or false");
	expect_error("panic = fast\n", 1, "panic: expected a number");
	expect_error("panic = nan\n", 1, "expected a number");
	expect_error("minpoll = 6\n", 1, "no such option 'minpoll'");
	expect_error("\nserver { }\n", 2, "missing title");
	expect_error("\nserver \"\" {}\n", 2, "missing name");
	expect_error("pool \"\" {\n}\n", 2, "missing name");
	expect_error("server \"a b\" {}\n", 1, "invalid character");
	expect_error("server \"a\" {\n minpoll = 0\n}\n", 2, "minpoll 0 out of range 1..17");
	expect_error("local_stratum = 16\n", 1, "local_stratum 16 out of range 0..15");
	expect_error("ratelimit { interval = 13 }\n", 1, "interval 13 out of range -4..12");
	expect_error("ratelimit { burst = 0 }\n", 1, "burst 0 out of range 1..1024");
	expect_error("ratelimit { leak = -1 }\n", 1, "leak -1 out of range 0..1024");
	expect_error("ratelimit {\n ipv4_prefix = 33 }\n", 2, "ipv4_prefix 33 out of range 0..32");
	expect_error("ratelimit { ipv6_prefix = 129 }\n", 1, "out of range 0..128");
	expect_error("ratelimit { clients = 10 }\n", 1, "clients 10 out of range 64..4194304");
	expect_error("ratelimit { kod = maybe }\n", 1, "kod: expected true or false");
	expect_error("server_threads = 0\n", 1, "server_threads 0 out of range 1..16");
	expect_error("server_threads = 17\n", 1, "server_threads 17 out of range 1..16");
	expect_error("deny_kod = 3\n", 1, "deny_kod: expected true or false");
	expect_error("ratelimit { bogus = 1 }\n", 1, "bogus");
	expect_error("server \"a\" {\n minpoll = 18\n}\n", 2, "out of range 1..17");
	expect_error("server \"a\" {\n maxpoll = 99\n}\n", 2, "maxpoll 99 out of range");
	expect_error("server \"a\" {\n minpoll = 8\n maxpoll = 7\n}\n", 3, "maxpoll 7 is less");
	expect_error("server \"a\" {\n maxpoll = 7\n\n minpoll = 8\n}\n", 4, "maxpoll 7 is less");
	expect_error("pool \"p\" {\n maxsources = 0\n}\n", 2, "maxsources 0 out of range 1..16");
	expect_error("pool \"p\" {\n maxsources = 17\n}\n", 2, "out of range 1..16");
	expect_error("server \"s\" {\n maxsources = 2\n}\n", 2, "no such option 'maxsources'");
	expect_error("server \"s\" {\n port = 0\n}\n", 2, "port 0 out of range 1..65535");
	expect_error("server \"s\" {\n port = 65536\n}\n", 2, "out of range");
	expect_error("server \"s\" {\n port = 0x10\n}\n", 2, "expected an integer");
	expect_error("allow = {\n\"10.0.0.0/8\",\n\"10.0.0.0/33\"}\n", 3, "0..32");
	expect_error("allow = {\"10.1.0.0/8\"}\n", 1, "bits set beyond");
	expect_error("allow = \"example.com\"\n", 1, "not a numeric");
	expect_error("allow = \"::/129\"\n", 1, "0..128");
	expect_error("allow = \"10.0.0.0/-1\"\n", 1, "0..32");
	expect_error("\ndeny = { \"192.168.1/24\" }\n", 2, "deny \"192.168.1/24\"");
	expect_error("listen = { \"1.2.3.4:0\" }\n", 1, "port must be 1..65535");
	expect_error("listen = { \"[1.2.3.4]:5\" }\n", 1, "brackets");
	expect_error("listen = { \"[::1\" }\n", 1, "missing ']'");
	expect_error("listen = { \"[::1]x\" }\n", 1, "unexpected text");
	expect_error("listen = { \"localhost:123\" }\n", 1, "not a numeric");
	expect_error("\nlog_level = \"loud\"\n", 2, "unknown log_level \"loud\"");
	expect_error("makestep {\n threshold = 0\n}\n", 2, "greater than 0");
	expect_error("makestep {\n threshold = -1\n}\n", 2, "greater than 0");
	expect_error("makestep { limit = -2 }\n", 1, "limit -2 out of range");
	expect_error("panic = -1\n", 1, "must not be negative");
	expect_error("control_socket = \"\"\n", 1, "control_socket");
	expect_error("server \"a\" {}\nserver \"a\" {}\n", 2, "duplicate");
	expect_error("server \"a\" {}\npool \"A\" {}\n", 2, "already defined at t.conf:1");
	expect_error("panic = 5\n\"server=a|port\" = 7\n", 2, "");
	expect_error("\"|ctx\" = 1\n", 1, "no such option");
	expect_error("\" end\" = 1\n", 1, "no such option");
	expect_error("driftfile = \"a\nb\"\n", 2, "control character");
	expect_error("log_level =\n", 1, "end of file");
	expect_error("panic =\n", 1, "end of file");
	expect_error("panic = 5\n\"unterminated\n\n", 2, "unterminated quoted string");
	expect_error("driftfile = 'unterminated\n", 1, "unterminated quoted string");
	expect_error("server \"a\" {\n iburst = true\n", 2, "missing '}'");
	expect_error("panic = 5\n/* unterminated comment\n\n", 2, "unterminated comment");
	expect_error("panic = 5\n/*/ still a comment\n", 2, "unterminated comment");
	/* comments anywhere, lines still right */
	expect_error("# a\n# b\n/* c\n d */ # e\nallow = { \"::1\", # x\n// y\n \"1.2.3.4/33\" }\n",
	             7, "0..32");
	expect_error("}\n", 1, "closing brace");
}
END_TEST

START_TEST(test_error_buffer)
{
	struct conf *c = NULL;
	char small[8];

	ck_assert_int_eq(conf_load_string("foo = 1\n", NAME, &c, small, sizeof(small)), -1);
	ck_assert_str_eq(small, "t.conf:");
	ck_assert_int_eq(conf_load_string("foo = 1\n", NAME, &c, NULL, 0), -1);
	ck_assert_int_eq(conf_load("/nonexistent/strata.conf", &c, err, sizeof(err)), -1);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "/nonexistent/strata.conf: cannot read: No such file or directory");
}
END_TEST

/* ---- files ---------------------------------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *tmp_path(const char *name)
{
	static char path[2][256];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, name);
	return path[which];
}

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(mkdir(tmp_path("d"), 0755), 0);
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static char main_path[256];

/* Main file at $tmp/main.conf with include_dir = $tmp/<dir> on line 2. */
static const char *write_main(const char *dir, const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "server \"main\" {}\ninclude_dir = \"%s\"\npanic = 7\n%s",
	         tmp_path(dir), extra);
	snprintf(main_path, sizeof(main_path), "%s", tmp_path("main.conf"));
	write_file(main_path, text);
	return main_path;
}

static void expect_file_error(const char *path, const char *want_prefix, const char *what)
{
	struct conf *c = NULL;

	ck_assert_int_eq(conf_load(path, &c, err, sizeof(err)), -1);
	ck_assert_ptr_null(c);
	ck_assert_msg(strncmp(err, want_prefix, strlen(want_prefix)) == 0, "want '%s', got '%s'",
	              want_prefix, err);
	ck_assert_msg(strstr(err, what), "want '%s' in '%s'", what, err);
}

START_TEST(test_include_dir)
{
	struct conf *c = NULL;

	make_tmpdir();
	write_main("d", "allow = {\"10.0.0.0/8\"}\n");
	write_file(tmp_path("d/b.conf"), "server \"b\" {}\npanic = 9\nallow = {\"::1\"}\n");
	write_file(tmp_path("d/a.conf"), "pool \"a\" {}\nlog_level = notice\npanic = 8\n");
	write_file(tmp_path("d/ignored.txt"), "this is not read\n");
	write_file(tmp_path("d/.hidden.conf"), "this is not read\n");
	ck_assert_int_eq(conf_load(main_path, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->n_files, 3);
	ck_assert_str_eq(c->files[0], main_path);
	ck_assert_str_eq(c->files[1], tmp_path("d/a.conf"));
	ck_assert_str_eq(c->files[2], tmp_path("d/b.conf"));
	ck_assert_uint_eq(c->n_sources, 3);
	ck_assert_str_eq(c->sources[0].name, "main");
	ck_assert_str_eq(c->sources[1].name, "a");
	ck_assert_str_eq(c->sources[1].file, tmp_path("d/a.conf"));
	ck_assert_str_eq(c->sources[2].name, "b");
	ck_assert(c->panic_threshold == 9);              /* later files override */
	ck_assert_int_eq(c->log_level, CONF_LOG_NOTICE); /* b.conf does not set it */
	ck_assert_str_eq(c->driftfile, CONF_DEFAULT_DRIFTFILE);
	ck_assert_uint_eq(c->n_allow, 2);
	ck_assert_str_eq(c->allow[1].text, "::1");
	check_round_trip(c, false);
	conf_free(c);
	remove_tmpdir();
}
END_TEST

START_TEST(test_include_errors)
{
	char want[300];

	struct conf *c = NULL;

	make_tmpdir();
	/* a missing directory is fine */
	write_main("absent", "");
	ck_assert_int_eq(conf_load(main_path, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->n_files, 1);
	check_round_trip(c, true);
	conf_free(c);
	/* include_dir is a regular file: ENOTDIR, reported at its line in the main file */
	write_file(tmp_path("plain"), "");
	write_main("plain", "");
	snprintf(want, sizeof(want), "%s:2: include_dir \"%s\"", main_path, tmp_path("plain"));
	expect_file_error(main_path, want, "Not a directory");
	/* an included x.conf that is a directory */
	write_main("d", "");
	ck_assert_int_eq(mkdir(tmp_path("d/x.conf"), 0755), 0);
	snprintf(want, sizeof(want), "%s:2: cannot read included file %s", main_path,
	         tmp_path("d/x.conf"));
	expect_file_error(main_path, want, "Is a directory");
	ck_assert_int_eq(rmdir(tmp_path("d/x.conf")), 0);
	/* a dangling symlink */
	ck_assert_int_eq(symlink(tmp_path("nowhere"), tmp_path("d/y.conf")), 0);
	snprintf(want, sizeof(want), "%s:2: cannot read included file %s", main_path,
	         tmp_path("d/y.conf"));
	expect_file_error(main_path, want, "No such file");
	ck_assert_int_eq(unlink(tmp_path("d/y.conf")), 0);
	/* include_dir and syntax errors inside an included file name that file and line */
	write_file(tmp_path("d/z.conf"), "\ninclude_dir = \"/x\"\n");
	snprintf(want, sizeof(want), "%s:2: ", tmp_path("d/z.conf"));
	expect_file_error(main_path, want, "only allowed in the main");
	write_file(tmp_path("d/z.conf"), "server \"main\" {\n}\n");
	snprintf(want, sizeof(want), "%s:2: source \"main\" already defined at %s:1",
	         tmp_path("d/z.conf"), main_path);
	expect_file_error(main_path, want, "");
	write_file(tmp_path("d/z.conf"), "panic = 1\nserver \"q\" { port = 0 }\n");
	snprintf(want, sizeof(want), "%s:2: server \"q\": port 0", tmp_path("d/z.conf"));
	expect_file_error(main_path, want, "");
	ck_assert_int_eq(unlink(tmp_path("d/z.conf")), 0);
	/* a NUL byte in the main file */
	{
		FILE *f = fopen(tmp_path("nul.conf"), "w");

		ck_assert_ptr_nonnull(f);
		fwrite("panic = 1\n\npa\0nic = 2\n", 1, 22, f);
		fclose(f);
		snprintf(want, sizeof(want), "%s:3: NUL byte", tmp_path("nul.conf"));
		expect_file_error(tmp_path("nul.conf"), want, "");
	}
	/* the main file is a directory */
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", tmp_path("d"));
	expect_file_error(tmp_path("d"), want, "");
	remove_tmpdir();
}
END_TEST

/* ---- the shipped configuration -------------------------------------------------------- */

START_TEST(test_shipped_conf)
{
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX];
	struct conf *c = NULL;

	if (top)
		snprintf(path, sizeof(path), "%s/conf/strata.conf", top);
	else
		snprintf(path, sizeof(path), "%.*s/../../conf/strata.conf",
		         (int)(strrchr(__FILE__, '/') ? strrchr(__FILE__, '/') - __FILE__ : 1),
		         strrchr(__FILE__, '/') ? __FILE__ : ".");
	ck_assert_msg(conf_load(path, &c, err, sizeof(err)) == 0, "%s: %s", path, err);
	ck_assert_uint_ge(c->n_sources, 1);
	ck_assert_int_eq(c->sources[0].type, CONF_POOL);
	ck_assert_str_eq(c->sources[0].name, "pool.ntp.org");
	ck_assert(c->sources[0].iburst);
	ck_assert_int_eq(c->sources[0].maxsources, 4);
	ck_assert_str_eq(c->driftfile, CONF_DEFAULT_DRIFTFILE);
	ck_assert_str_eq(c->control_socket, CONF_DEFAULT_CONTROL_SOCKET);
	ck_assert_str_eq(c->include_dir, CONF_DEFAULT_INCLUDE_DIR);
	check_round_trip(c, c->n_files == 1);
	conf_free(c);
}
END_TEST

/* ---- seeded random mutations ---------------------------------------------------------- */

static unsigned long long rng_state;

static unsigned int rnd(unsigned int n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned int)(rng_state % n);
}

static void mutate(char *buf, size_t cap)
{
	static const char *const tokens[] = {"{",       "}",
	                                     "\"",      "'",
	                                     "=",       "+=",
	                                     ",",       "#",
	                                     "/*",      "*/",
	                                     "\n",      "\\",
	                                     "${HOME}", "-",
	                                     "0",       "99999999999999999999",
	                                     "server",  "pool \"x\" {",
	                                     "|",       "allow",
	                                     " end",    "1e309"};
	size_t len = strlen(buf), pos = len ? rnd((unsigned int)len) : 0;
	const char *ins = tokens[rnd(sizeof(tokens) / sizeof(tokens[0]))];
	char tmp[8];
	size_t n;

	switch (rnd(4)) {
	case 0: /* replace a byte */
		if (len)
			buf[pos] = (char)(1 + rnd(126));
		return;
	case 1: /* delete a few bytes */
		n = rnd(8) + 1;
		if (n > len - pos)
			n = len - pos;
		memmove(buf + pos, buf + pos + n, len - pos - n + 1);
		return;
	case 2: /* insert a random byte */
		tmp[0] = (char)(1 + rnd(255));
		tmp[1] = '\0';
		ins = tmp;
		break;
	default: /* insert a token */
		break;
	}
	if (len + strlen(ins) + 1 > cap)
		return;
	memmove(buf + pos + strlen(ins), buf + pos, len - pos + 1);
	memcpy(buf + pos, ins, strlen(ins));
}

START_TEST(test_fuzz)
{
	const char *env = getenv("STRATA_CONF_SEED");
	unsigned long long seed = env ? strtoull(env, NULL, 0) : 0x5eed2024ULL;
	int accepted = 0;

	printf("test_fuzz: seed %llu (STRATA_CONF_SEED=%llu to replay)\n", seed, seed);
	fflush(stdout);
	rng_state = seed ? seed : 1;
	for (int i = 0; i < 400; i++) {
		char buf[4096];
		struct conf *c = (struct conf *)1;
		int rc, n = 1 + (int)rnd(3);

		snprintf(buf, sizeof(buf), "%s", full_text);
		for (int k = 0; k < n; k++)
			mutate(buf, sizeof(buf));
		err[0] = '\0';
		rc = conf_load_string(buf, "fuzz.conf", &c, err, sizeof(err));
		ck_assert_msg(rc == 0 || rc == -1, "seed %llu case %d: rc %d", seed, i, rc);
		if (rc == -1) {
			ck_assert_ptr_null(c);
			ck_assert_msg(err[0] != '\0', "seed %llu case %d: empty error", seed, i);
			continue;
		}
		accepted++;
		check_round_trip(c, c->n_files == 1);
		conf_free(c);
	}
	printf("test_fuzz: %d of 400 mutations accepted, all round-tripped\n", accepted);
	ck_assert_int_gt(accepted, 0);
}
END_TEST

/* conf_print of c into a malloc'd string. */
static char *printed(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	conf_print(c, f);
	fclose(f);
	return buf;
}

/* Found by fuzz_conf: a quoted string spanning lines put a newline into the error. */
START_TEST(test_error_is_one_line)
{
	expect_error(NOINC "server \"q }\npool\" { ib = 1 }\n", 3,
	             "server \"q }?pool\": no such option 'ib'");
}
END_TEST

START_TEST(test_dup_and_runtime_sources)
{
	struct conf *c = load(NOINC "server \"192.0.2.1\" { iburst = true }\n"
	                            "pool \"pool.example\" { maxsources = 3 }\n"
	                            "allow = { \"10.0.0.0/8\" }\ndeny = { \"10.1.0.0/16\" }\n"
	                            "listen = { \"127.0.0.1:1123\" }\n"
	                            "allow_control = { \"127.0.0.1\" }\n"
	                            "metrics { listen = \"127.0.0.1:9999\" }\n"
	                            "statistics { directory = \"/tmp\" peerstats = false }\n"
	                            "leapseclist = \"/usr/share/zoneinfo/leap-seconds.list\"\n");
	struct conf *d = conf_dup(c);
	char *a = printed(c), *b = printed(d);
	ck_assert_str_eq(a, b);
	free(b);
	/* add, then remove: by name and port */
	struct conf_source add = {.type = CONF_SERVER,
	                          .name = "time.example",
	                          .port = 1234,
	                          .minpoll = 4,
	                          .maxpoll = 6,
	                          .maxsources = 4};
	struct conf *e = conf_with_source(d, &add, -1);
	ck_assert_uint_eq(e->n_sources, 3);
	ck_assert_int_eq(conf_find_source(e, "TIME.example", 1234), 2);
	ck_assert_int_eq(conf_find_source(e, "time.example", 123), -1);
	ck_assert_int_eq(conf_find_source(e, "time.example", 0), 2);
	ck_assert_str_eq(e->sources[2].file, "stratactl add");
	struct conf *f = conf_with_source(e, NULL, conf_find_source(e, "192.0.2.1", 0));
	ck_assert_uint_eq(f->n_sources, 2);
	ck_assert_str_eq(f->sources[0].name, "pool.example");
	ck_assert_str_eq(f->sources[1].name, "time.example");
	conf_free(c); /* the copies own their strings */
	conf_free(e);
	b = printed(d);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	conf_free(d);
	conf_free(f);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_syntax_details);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_error_buffer);
	tcase_add_test(tc, test_include_dir);
	tcase_add_test(tc, test_include_errors);
	tcase_add_test(tc, test_shipped_conf);
	tcase_add_test(tc, test_fuzz);
	tcase_add_test(tc, test_dup_and_runtime_sources);
	tcase_add_test(tc, test_error_is_one_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(conf_suite());
}
