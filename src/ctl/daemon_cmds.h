/* daemon_cmds: the stratactl commands that talk to the running stratad over its control
 * socket: status, sources, sourcestats, serverstats, clients (daemon_cmds.c); reload,
 * burst, makestep, waitsync (action_cmds.c).
 * Each *_main takes argv from the command name on and returns the exit status: 0, 1 when
 * the daemon cannot be reached or refused the request, 2 for a usage error. */
#ifndef STRATA_CTL_DAEMON_CMDS_H
#define STRATA_CTL_DAEMON_CMDS_H

#include <stdio.h>

int status_main(int argc, char **argv);
void status_usage(FILE *out);
int sources_main(int argc, char **argv);
void sources_usage(FILE *out);
int serverstats_main(int argc, char **argv);
void serverstats_usage(FILE *out);
int sourcestats_main(int argc, char **argv);
void sourcestats_usage(FILE *out);
int clients_main(int argc, char **argv);
void clients_usage(FILE *out);
int reload_main(int argc, char **argv);
void reload_usage(FILE *out);
int burst_main(int argc, char **argv);
void burst_usage(FILE *out);
int makestep_main(int argc, char **argv);
void makestep_usage(FILE *out);
int add_main(int argc, char **argv);
void add_usage(FILE *out);
int remove_main(int argc, char **argv);
void remove_usage(FILE *out);
int waitsync_main(int argc, char **argv);
void waitsync_usage(FILE *out);
/* now_cmd.c: reads the time file, not the control socket */
int now_main(int argc, char **argv);
void now_usage(FILE *out);

#endif
