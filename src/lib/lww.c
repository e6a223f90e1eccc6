/* libstrata LWW-Register (strata/crdt.h). */
#include "strata/crdt.h"
#include "codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strata_lww_init(strata_lww_t *r)
{
	memset(r, 0, sizeof *r);
}

void strata_lww_free(strata_lww_t *r)
{
	free(r->value);
	strata_lww_init(r);
}

/* Order of writes: stamp, then replica, then bytes (shorter first on a common prefix). */
static int write_order(const strata_lww_t *r, const strata_hlc_ts_t *stamp,
                       strata_replica_t replica, const void *value, size_t len)
{
	enum strata_order o = strata_hlc_compare(stamp, &r->stamp);
	if (o != STRATA_EQUAL)
		return o == STRATA_AFTER ? 1 : -1;
	if (replica != r->replica)
		return replica > r->replica ? 1 : -1;
	size_t n = len < r->len ? len : r->len;
	int c = n ? memcmp(value, r->value, n) : 0;
	if (c)
		return c;
	return len == r->len ? 0 : len > r->len ? 1 : -1;
}

int strata_lww_set(strata_lww_t *r, const void *value, size_t len, const strata_hlc_ts_t *stamp,
                   strata_replica_t replica)
{
	if (len > STRATA_MAX_VALUE_LEN || (len && !value) || stamp->wall < 0)
		return -EINVAL;
	if (r->set && write_order(r, stamp, replica, value, len) <= 0)
		return 0;
	uint8_t *copy = NULL;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, value, len);
	}
	free(r->value);
	r->value = copy;
	r->len = len;
	r->stamp = *stamp;
	r->replica = replica;
	r->set = true;
	return 1;
}

int strata_lww_merge(strata_lww_t *r, const strata_lww_t *other)
{
	if (!other->set)
		return 0;
	int won = strata_lww_set(r, other->value, other->len, &other->stamp, other->replica);
	return won < 0 ? won : 0;
}

size_t strata_lww_encode(const strata_lww_t *r, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_byte(&w, STRATA_TAG_LWW);
	wbuf_byte(&w, r->set);
	if (r->set) {
		wbuf_varint(&w, (uint64_t)r->stamp.wall);
		wbuf_varint(&w, r->stamp.logical);
		wbuf_varint(&w, r->replica);
		wbuf_varint(&w, r->len);
		wbuf_bytes(&w, r->value, r->len);
	}
	return w.len;
}

int strata_lww_decode(strata_lww_t *out, const uint8_t *buf, size_t len)
{
	struct rbuf r;
	strata_hlc_ts_t stamp;

	strata_lww_init(out);
	rbuf_init(&r, buf, len);
	rbuf_tag(&r, STRATA_TAG_LWW);
	uint8_t set = rbuf_byte(&r);
	if (r.bad || set > 1)
		return -EBADMSG;
	if (!set)
		return rbuf_end(&r);
	stamp.wall = (int64_t)rbuf_count(&r, INT64_MAX);
	stamp.logical = (uint32_t)rbuf_count(&r, UINT32_MAX);
	strata_replica_t replica = rbuf_varint(&r);
	size_t n = rbuf_count(&r, STRATA_MAX_VALUE_LEN);
	const uint8_t *value = rbuf_bytes(&r, n);
	if (rbuf_end(&r) < 0)
		return -EBADMSG;
	int err = strata_lww_set(out, value, n, &stamp, replica);
	return err < 0 ? err : 0;
}
