/* libstrata hybrid logical clocks (strata/hlc.h), the algorithm of Kulkarni et al. 2014, Fig. 5. */
#include "strata/hlc.h"
#include "codec.h"

#include <errno.h>

static int default_now(void *ctx, strata_interval_t *out)
{
	return ctx ? strata_clock_now(ctx, out) : strata_now(out);
}

void strata_hlc_init(strata_hlc_t *h, int64_t max_ahead_ns, strata_time_fn now, void *ctx)
{
	h->last = (strata_hlc_ts_t){0, 0};
	h->max_ahead_ns = max_ahead_ns < 0 ? 0 : max_ahead_ns;
	h->now = now ? now : default_now;
	h->now_ctx = ctx;
}

static int physical(strata_hlc_t *h, strata_interval_t *iv)
{
	int r = h->now(h->now_ctx, iv);
	if (r < 0)
		return r;
	return iv->local_ns < 0 ? -ERANGE : 0;
}

int strata_hlc_now(strata_hlc_t *h, strata_hlc_ts_t *out)
{
	strata_interval_t iv;
	int r = physical(h, &iv);
	if (r < 0)
		return r;
	if (iv.local_ns > h->last.wall) {
		h->last = (strata_hlc_ts_t){iv.local_ns, 0};
	} else {
		if (h->last.logical == UINT32_MAX)
			return -EOVERFLOW;
		h->last.logical++;
	}
	*out = h->last;
	return 0;
}

/* The latest wall value we accept from a peer: latest true time plus the allowance. */
static int64_t horizon(const strata_hlc_t *h, const strata_interval_t *iv)
{
	int64_t t = iv->synchronised ? iv->latest_ns : iv->local_ns;
	return t > INT64_MAX - h->max_ahead_ns ? INT64_MAX : t + h->max_ahead_ns;
}

int strata_hlc_receive(strata_hlc_t *h, const strata_hlc_ts_t *m, strata_hlc_ts_t *out)
{
	strata_interval_t iv;
	int r = physical(h, &iv);
	if (r < 0)
		return r;
	if (m->wall < 0 || m->wall > horizon(h, &iv))
		return -ERANGE;
	int64_t pt = iv.local_ns, l = h->last.wall;
	int64_t w = l > m->wall ? l : m->wall;
	uint64_t c;
	if (pt > w)
		w = pt;
	if (w == l && w == m->wall)
		c = (uint64_t)(h->last.logical > m->logical ? h->last.logical : m->logical) + 1;
	else if (w == l)
		c = (uint64_t)h->last.logical + 1;
	else if (w == m->wall)
		c = (uint64_t)m->logical + 1;
	else
		c = 0;
	if (c > UINT32_MAX)
		return -EOVERFLOW;
	h->last = (strata_hlc_ts_t){w, (uint32_t)c};
	*out = h->last;
	return 0;
}

enum strata_order strata_hlc_compare(const strata_hlc_ts_t *a, const strata_hlc_ts_t *b)
{
	if (a->wall != b->wall)
		return a->wall < b->wall ? STRATA_BEFORE : STRATA_AFTER;
	if (a->logical != b->logical)
		return a->logical < b->logical ? STRATA_BEFORE : STRATA_AFTER;
	return STRATA_EQUAL;
}

size_t strata_hlc_encode(const strata_hlc_ts_t *t, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, STRATA_TAG_HLC);
	wbuf_varint(&w, (uint64_t)t->wall);
	wbuf_varint(&w, t->logical);
	return w.len;
}

int strata_hlc_decode(strata_hlc_ts_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	rbuf_tag(&r, STRATA_TAG_HLC);
	uint64_t wall = rbuf_count(&r, INT64_MAX);
	uint64_t logical = rbuf_count(&r, UINT32_MAX);
	if (rbuf_end(&r) < 0)
		return -EBADMSG;
	*out = (strata_hlc_ts_t){(int64_t)wall, (uint32_t)logical};
	return 0;
}
