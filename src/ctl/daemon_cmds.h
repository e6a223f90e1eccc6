/* daemon_cmds: stratactl status, sources and serverstats (over the control socket).
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

#endif
