/* libstrata internal: the body of a vector clock's encoding (no tag), for the CRDTs that
 * embed one (G-Counter, PN-Counter, OR-Set context, operation-based counter). */
#ifndef STRATA_LIB_VCLOCK_PRIV_H
#define STRATA_LIB_VCLOCK_PRIV_H

#include "codec.h"
#include "strata/vclock.h"

void vclock_write(struct wbuf *w, const strata_vclock_t *v);
/* Fills *out (initialised, freed again on error); -EBADMSG or -ENOMEM. */
int vclock_read(struct rbuf *r, strata_vclock_t *out);

#endif
