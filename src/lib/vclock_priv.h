/* libstrata internal: the body of a vector clock's encoding (no tag), for the CRDTs that
 * embed one (G-Counter, PN-Counter, OR-Set context, operation-based counter). */
#ifndef STRATA_LIB_VCLOCK_PRIV_H
#define STRATA_LIB_VCLOCK_PRIV_H

#include "codec.h"
#include "strata/vclock.h"

void vclock_write(struct wbuf *w, const strata_vclock_t *v);
/* Fills *out (initialised, freed again on error); -EBADMSG or -ENOMEM. */
int vclock_read(struct rbuf *r, strata_vclock_t *out);
/* A whole encoding: tag, then the body (the vector clock's and the G-Counter's). */
size_t vclock_encode_tagged(uint8_t tag, const strata_vclock_t *v, uint8_t *buf, size_t cap);
int vclock_decode_tagged(uint8_t tag, strata_vclock_t *out, const uint8_t *buf, size_t len);

#endif
