/* libstrata internal: shared by the OR-Set and its codec. */
#ifndef STRATA_LIB_ORSET_PRIV_H
#define STRATA_LIB_ORSET_PRIV_H

/* Order of struct strata_dot: replica, then counter (a qsort comparator). */
int orset_dot_cmp(const void *a, const void *b);

#endif
