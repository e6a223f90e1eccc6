/* report: the results of a run, as aligned text or one JSON object (written by hand). */
#ifndef STRATA_SIM_REPORT_H
#define STRATA_SIM_REPORT_H

#include <stdio.h>

#include "sim.h"

/* Print the results of a finished run (sorts the metric samples). */
void sim_report_text(FILE *f, struct sim *s);
void sim_report_json(FILE *f, struct sim *s);

#endif
