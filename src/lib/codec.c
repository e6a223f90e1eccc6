/* libstrata internal: the varint codec of codec.h. */
#include "codec.h"

#include <errno.h>
#include <string.h>

void wbuf_init(struct wbuf *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
}

void wbuf_byte(struct wbuf *w, uint8_t b)
{
	if (w->len < w->cap)
		w->buf[w->len] = b;
	w->len++;
}

void wbuf_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (n && w->len <= w->cap && w->cap - w->len >= n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void wbuf_varint(struct wbuf *w, uint64_t v)
{
	while (v >= 0x80) {
		wbuf_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	wbuf_byte(w, (uint8_t)v);
}

void rbuf_init(struct rbuf *r, const uint8_t *buf, size_t len)
{
	r->p = buf;
	r->left = buf ? len : 0;
	r->bad = false;
}

uint8_t rbuf_byte(struct rbuf *r)
{
	if (r->bad || r->left == 0) {
		r->bad = true;
		return 0;
	}
	r->left--;
	return *r->p++;
}

uint64_t rbuf_varint(struct rbuf *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b = rbuf_byte(r);
		if (r->bad)
			return 0;
		/* The tenth byte carries bit 63 only. */
		if (shift == 63 && b > 1)
			break;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				break; /* overlong: a trailing zero group */
			return v;
		}
	}
	r->bad = true;
	return 0;
}

uint64_t rbuf_count(struct rbuf *r, uint64_t max)
{
	uint64_t v = rbuf_varint(r);
	if (v > max) {
		r->bad = true;
		return 0;
	}
	return v;
}

const uint8_t *rbuf_bytes(struct rbuf *r, size_t n)
{
	if (r->bad || r->left < n) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

bool rbuf_tag(struct rbuf *r, uint8_t tag)
{
	if (rbuf_byte(r) != tag)
		r->bad = true;
	return !r->bad;
}

int rbuf_end(const struct rbuf *r)
{
	return r->bad || r->left ? -EBADMSG : 0;
}
