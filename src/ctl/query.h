/* query: `stratactl query`, a one-shot SNTP query of NTP servers that needs no daemon.
 *
 * Each HOST is asked --count times (each request on a fresh socket and source port, 0.25 s
 * apart) through the core's source state machine; the valid reply with the smallest
 * round-trip delay is reported, as ntpdate -q does. The local clock is only read (through
 * the null clock driver), never changed.
 */
#ifndef STRATA_CTL_QUERY_H
#define STRATA_CTL_QUERY_H

#include <stdio.h>

/* Run the command; argv[0] is "query". Returns the exit status: 0 every host gave a valid
 * reply, 1 some host gave none (or an internal failure), 2 usage error. */
int query_main(int argc, char **argv);

/* The command's help text. */
void query_usage(FILE *out);

#endif
