/* stratad: command line, configuration check, detaching, exit codes.
 *
 * Exit status: 0 clean shutdown or valid --check-config, 1 configuration or start-up
 * error, 2 usage error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conf.h"
#include "daemon/daemon.h"

#define MAIN_DEFAULT_CONF SYSCONFDIR "/strata/strata.conf"

enum { MAIN_OPT_CHECK_CONFIG = 256, MAIN_OPT_VERSION };

struct main_args {
	struct daemon_opts opts;
	bool check_config;
	char abs_path[PATH_MAX]; /* conf_path made absolute before chdir("/") */
};

static void main_usage(FILE *out)
{
	fprintf(out,
	        "Usage: stratad [-dgnx] [-c FILE] [-k SOCKET] [-u USER]\n"
	        "       stratad --check-config [-c FILE]\n"
	        "       stratad --version | -h\n"
	        "\n"
	        "  -c FILE         configuration file (default %s)\n"
	        "  -n              stay in the foreground and log to standard error\n"
	        "  -x              null clock driver: never adjust the system clock\n"
	        "  -k SOCKET       adjust the clock through strata-clockd listening on SOCKET\n"
	        "  -u USER         started as root, run as USER (default: the configuration's)\n"
	        "  -d              log at debug level\n"
	        "  -g              allow one first correction beyond the panic threshold\n"
	        "  --check-config  validate the configuration, print it and exit\n"
	        "  --version       print the version and exit\n"
	        "  -h, --help      print this help and exit\n",
	        MAIN_DEFAULT_CONF);
}

/* Returns -1 to go on, or an exit status. */
static int main_parse(int argc, char **argv, struct main_args *a)
{
	static const struct option longopts[] = {
	        {"check-config", no_argument, NULL, MAIN_OPT_CHECK_CONFIG},
	        {"version", no_argument, NULL, MAIN_OPT_VERSION},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	a->opts.conf_path = MAIN_DEFAULT_CONF;
	while ((c = getopt_long(argc, argv, "c:ndgxk:u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->opts.conf_path = optarg;
			break;
		case 'n':
			a->opts.foreground = true;
			break;
		case 'd':
			a->opts.debug = true;
			break;
		case 'g':
			a->opts.allow_first_panic = true;
			break;
		case 'x':
			a->opts.null_clock = true;
			break;
		case 'k':
			a->opts.clock_socket = optarg;
			break;
		case 'u':
			a->opts.user = optarg;
			break;
		case MAIN_OPT_CHECK_CONFIG:
			a->check_config = true;
			break;
		case MAIN_OPT_VERSION:
			printf("stratad %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'stratad --help'.\n");
			return 2;
		}
	}
	if (a->opts.null_clock && a->opts.clock_socket) {
		fprintf(stderr, "stratad: -x and -k exclude each other\nTry 'stratad --help'.\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "stratad: unexpected argument '%s'\nTry 'stratad --help'.\n",
		        argv[optind]);
		return 2;
	}
	return -1;
}

/* Fork; the parent waits for the child's start-up verdict on a pipe and exits with it.
 * In the child returns the pipe's write end, or -1 with a message on stderr. */
static int main_detach(void)
{
	int pfd[2];
	pid_t pid;
	ssize_t n;
	char ok = 1;

	if (pipe(pfd) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "stratad: cannot detach: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(pfd[1]);
		do
			n = read(pfd[0], &ok, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 && ok == 0 ? 0 : 1);
	}
	close(pfd[0]);
	if (setsid() < 0 || chdir("/") < 0) {
		fprintf(stderr, "stratad: cannot detach: %s\n", strerror(errno));
		close(pfd[1]);
		return -1;
	}
	return pfd[1];
}

/* Started: stdio to /dev/null, then release the waiting parent with status 0. */
static void main_detach_done(int ready_fd)
{
	int fd = open("/dev/null", O_RDWR);
	char ok = 0;

	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (write(ready_fd, &ok, 1) != 1) {
		/* the parent is gone; nothing to tell */
	}
	close(ready_fd);
}

static int main_run(struct main_args *a, struct conf *conf)
{
	struct daemon *d;
	char err[512];
	int ready_fd = -1, status;

	if (!a->opts.foreground) {
		/* SIGHUP re-reads the file after chdir("/"): keep an absolute name. */
		if (realpath(a->opts.conf_path, a->abs_path))
			a->opts.conf_path = a->abs_path;
		ready_fd = main_detach();
		if (ready_fd < 0) {
			conf_free(conf);
			return 1;
		}
	}
	if (daemon_new(&a->opts, conf, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "stratad: %s\n", err);
		return 1; /* the parent sees the pipe close without a verdict and exits 1 */
	}
	if (ready_fd >= 0)
		main_detach_done(ready_fd);
	status = daemon_run(d);
	daemon_free(d);
	return status;
}

int main(int argc, char **argv)
{
	struct main_args a = {0};
	struct conf *conf;
	char err[512];
	int r;

	r = main_parse(argc, argv, &a);
	if (r >= 0)
		return r;
	if (conf_load(a.opts.conf_path, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (a.check_config) {
		conf_print(conf, stdout);
		conf_free(conf);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return main_run(&a, conf);
}
