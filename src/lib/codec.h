/* libstrata internal: bounded readers and writers of the byte encodings (LEB128 varints).
 * A writer counts every byte it would write and stores only those that fit, so an encoder
 * runs once to size and once to write (the snprintf convention of base.h). A reader never
 * reads past its end; after the first error every further read fails. */
#ifndef STRATA_LIB_CODEC_H
#define STRATA_LIB_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t *buf;
	size_t cap;
	size_t len; /* bytes written or that would have been */
};

struct rbuf {
	const uint8_t *p;
	size_t left;
	bool bad; /* a read failed: truncated, overlong or out of range */
};

void wbuf_init(struct wbuf *w, uint8_t *buf, size_t cap);
void wbuf_byte(struct wbuf *w, uint8_t b);
void wbuf_bytes(struct wbuf *w, const void *p, size_t n);
void wbuf_varint(struct wbuf *w, uint64_t v);

void rbuf_init(struct rbuf *r, const uint8_t *buf, size_t len);
uint8_t rbuf_byte(struct rbuf *r);
/* The shortest LEB128 form only (canonical): an overlong or > 64-bit number is an error. */
uint64_t rbuf_varint(struct rbuf *r);
/* A varint that must be <= max. */
uint64_t rbuf_count(struct rbuf *r, uint64_t max);
/* n bytes, pointing into the input (NULL after an error). */
const uint8_t *rbuf_bytes(struct rbuf *r, size_t n);
/* The tag byte, then the rest; false (and bad) if the tag differs. */
bool rbuf_tag(struct rbuf *r, uint8_t tag);
/* 0 if the whole input was read without error, else -EBADMSG. */
int rbuf_end(const struct rbuf *r);

#endif
