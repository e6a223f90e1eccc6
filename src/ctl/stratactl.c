/* stratactl: command-line client for Strata. Dispatches to one function per command.
 *
 * Exit status: what the command returns; 2 for a usage error (unknown command or option).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/daemon_cmds.h"
#include "ctl/query.h"

#define EXIT_USAGE 2

struct command {
	const char *name;
	const char *synopsis;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

static const struct command commands[] = {
        {"query", "[--port N] [--count N] [--timeout S] [--json] HOST...",
         "ask NTP servers for the time once and show the offset (needs no daemon)", query_main,
         query_usage},
        {"status", "[--socket PATH] [--json]",
         "the daemon's synchronisation state: system peer, stratum, offsets, frequency, root "
         "delay and dispersion, leap status",
         status_main, status_usage},
        {"sources", "[-v] [--socket PATH] [--json]",
         "every source of the daemon: state, stratum, poll, reach, last sample, offset, delay, "
         "jitter",
         sources_main, sources_usage},
        {"sourcestats", "[--socket PATH] [--json]",
         "each source's samples: count, span, frequency, skew, offset and its error, jitter",
         sourcestats_main, sourcestats_usage},
        {"serverstats", "[--socket PATH] [--json]",
         "what the daemon's NTP server did: requests, answers, denied, rate limited, KoD",
         serverstats_main, serverstats_usage},
        {"clients", "[--socket PATH] [--json]",
         "the busiest NTP clients: address, requests, dropped, KoD, interval, last seen",
         clients_main, clients_usage},
        {"waitsync", "[--timeout S] [--max-offset S] [--interval S] [--socket PATH] [--json]",
         "wait until the daemon is synchronised (within S seconds); for scripts and boot",
         waitsync_main, waitsync_usage},
        {"now", "[--file PATH] [--json]",
         "the local clock and the interval holding true time (libstrata's bounded time)", now_main,
         now_usage},
        {"burst", "[--count N] [--socket PATH] [--json]",
         "make every source send N quick requests now", burst_main, burst_usage},
        {"makestep", "[--accept-insane] [--socket PATH] [--json]",
         "make the next clock update step the clock (even an insane offset)", makestep_main,
         makestep_usage},
        {"add",
         "server|pool NAME [--port N] [--iburst] [--minpoll N] [--maxpoll N] [--maxsources N]",
         "poll one more source now (until the next reload)", add_main, add_usage},
        {"remove", "NAME [--port N] [--socket PATH] [--json]",
         "stop polling a source (until the next reload)", remove_main, remove_usage},
        {"reload", "[--socket PATH] [--json]",
         "re-read the configuration; unchanged sources keep their state", reload_main,
         reload_usage},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("Usage: stratactl COMMAND [ARGS]...\n"
	      "       stratactl --help | --version | --commands\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %s %s\n        %s\n", commands[i].name, commands[i].synopsis,
		        commands[i].summary);
	fputs("\n"
	      "Options:\n"
	      "  -h, --help    show this help and exit\n"
	      "  --version     show the version and exit\n"
	      "  --commands    list the command names, one per line, and exit\n"
	      "\n"
	      "Run 'stratactl help COMMAND' or 'stratactl COMMAND --help' for a command's "
	      "options.\n",
	      out);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "stratactl: unknown command '%s'\nTry 'stratactl --help'.\n", name);
	return EXIT_USAGE;
}

/* stratactl help [COMMAND] */
static int help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 3) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	cmd = find_command(argv[2]);
	if (!cmd)
		return unknown_command(argv[2]);
	cmd->usage(stdout);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : NULL;
	const struct command *cmd;

	if (!arg) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 || strcmp(arg, "help") == 0)
		return help(argc, argv);
	if (strcmp(arg, "--version") == 0) {
		printf("stratactl %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (strcmp(arg, "--commands") == 0) {
		for (size_t i = 0; i < N_COMMANDS; i++)
			puts(commands[i].name);
		return EXIT_SUCCESS;
	}
	if (arg[0] == '-') {
		fprintf(stderr, "stratactl: unknown option '%s'\nTry 'stratactl --help'.\n", arg);
		return EXIT_USAGE;
	}
	cmd = find_command(arg);
	if (!cmd)
		return unknown_command(arg);
	return cmd->run(argc - 1, argv + 1);
}
