/* mode6: control messages for ntpq (RFC 9327). See mode6.h. */
#include "core/mode6.h"

#include <stdio.h>
#include <string.h>

#include "core/mode6_priv.h"

#define M6_R 0x80 /* response */
#define M6_E 0x40 /* error */
#define M6_M 0x20 /* more fragments */
#define M6_OP 0x1f
#define M6_LINE 72 /* payload lines are wrapped after an item past this column, as ntpd does */

struct m6_req {
	uint8_t version, opcode;
	uint16_t seq, assoc;
	const uint8_t *data;
	size_t count;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool mode6_is_control(const uint8_t *req, size_t len)
{
	return len >= 1 && (req[0] & 7) == 6;
}

/* A single-fragment request we may answer. */
static bool parse(const uint8_t *b, size_t len, struct m6_req *r)
{
	if (len < MODE6_HEADER_LEN || !mode6_is_control(b, len))
		return false;
	r->version = (b[0] >> 3) & 7;
	if (r->version < 1 || r->version > 4 || (b[1] & (M6_R | M6_E | M6_M)))
		return false;
	r->opcode = b[1] & M6_OP;
	r->seq = get16(b + 2);
	r->assoc = get16(b + 6);
	r->count = get16(b + 10);
	r->data = b + MODE6_HEADER_LEN;
	return get16(b + 8) == 0 && r->count <= MODE6_MAX_DATA &&
	       r->count <= len - MODE6_HEADER_LEN;
}

/* The header of fragment k of the reply. */
static void header(uint8_t *h, const struct m6_req *r, uint8_t flags, uint16_t status,
                   size_t offset, size_t count)
{
	h[0] = (uint8_t)(r->version << 3 | 6);
	h[1] = (uint8_t)(M6_R | flags | r->opcode);
	put16(h + 2, r->seq);
	put16(h + 4, status);
	put16(h + 6, r->assoc);
	put16(h + 8, (uint16_t)offset);
	put16(h + 10, (uint16_t)count);
}

static void reply_error(const struct m6_req *r, enum mode6_error e, struct mode6_reply *out)
{
	header(out->frag[0], r, M6_E, (uint16_t)(e << 8), 0, 0);
	out->len[0] = MODE6_HEADER_LEN;
	out->n = 1;
}

/* Cut payload[0..len) into fragments, each padded to 4 bytes. */
static void reply_data(const struct m6_req *r, uint16_t status, const uint8_t *payload, size_t len,
                       struct mode6_reply *out)
{
	size_t off = 0;
	out->n = 0;
	do {
		size_t n = len - off > MODE6_MAX_DATA ? MODE6_MAX_DATA : len - off;
		uint8_t *f = out->frag[out->n];
		bool more = off + n < len;
		header(f, r, more ? M6_M : 0, status, off, n);
		memcpy(f + MODE6_HEADER_LEN, payload + off, n);
		size_t padded = (n + 3) & ~(size_t)3;
		memset(f + MODE6_HEADER_LEN + n, 0, padded - n);
		out->len[out->n++] = MODE6_HEADER_LEN + padded;
		off += n;
	} while (off < len && out->n < MODE6_MAX_FRAGS);
}

/* Source index of an association ID, or -1. */
static int find_assoc(const struct mode6_view *v, uint16_t assoc)
{
	for (int i = 0; i < v->n; i++)
		if (v->id[i] + 1 == assoc)
			return i;
	return -1;
}

static void readstat(const struct mode6_view *v, const struct m6_req *r, struct mode6_reply *out)
{
	uint8_t buf[4 * ENGINE_MAX_SOURCES];
	if (r->assoc != 0) {
		int i = find_assoc(v, r->assoc);
		if (i < 0)
			reply_error(r, MODE6_ERR_BADASSOC, out);
		else
			reply_data(r, mode6_peer_status(v, i), buf, 0, out);
		return;
	}
	for (int i = 0; i < v->n; i++) {
		put16(buf + 4 * i, (uint16_t)(v->id[i] + 1));
		put16(buf + 4 * i + 2, mode6_peer_status(v, i));
	}
	reply_data(r, mode6_system_status(v), buf, 4 * (size_t)v->n, out);
}

struct m6_text {
	char buf[MODE6_MAX_FRAGS * MODE6_MAX_DATA];
	size_t len, col;
};

/* Append "name=value", separated by ", " or ",\r\n" past M6_LINE columns. */
static void text_item(struct m6_text *t, const struct mode6_item *it)
{
	size_t need = strlen(it->name) + 1 + strlen(it->value);
	if (t->len + need + 4 > sizeof(t->buf))
		return;
	if (t->len) {
		bool wrap = t->col + need + 2 > M6_LINE;
		memcpy(t->buf + t->len, wrap ? ",\r\n" : ", ", wrap ? 3 : 2);
		t->len += wrap ? 3 : 2;
		t->col = wrap ? 0 : t->col + 2;
	}
	t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s=%s", it->name,
	                           it->value);
	t->col += need;
}

static const struct mode6_item *find_item(const struct mode6_items *l, const char *name, size_t n)
{
	for (int i = 0; i < l->n; i++)
		if (strlen(l->it[i].name) == n && memcmp(l->it[i].name, name, n) == 0)
			return &l->it[i];
	return NULL;
}

/* The items requested (a comma-separated list of names, "name=value" read as name), or
 * every item for an empty list. False if a name is unknown. */
static bool select_items(const struct mode6_items *all, const uint8_t *data, size_t count,
                         struct m6_text *t)
{
	const char *p = (const char *)data, *end = p + count;
	bool any = false;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == ',' || *p == '\r' || *p == '\n' || !*p))
			p++;
		const char *name = p;
		while (p < end && *p != ',' && *p != '=' && *p != ' ' && *p != '\r' && *p)
			p++;
		size_t n = (size_t)(p - name);
		while (p < end && *p != ',')
			p++; /* a value given with the name is ignored: we only read */
		if (!n)
			continue;
		const struct mode6_item *it = find_item(all, name, n);
		if (!it)
			return false;
		text_item(t, it);
		any = true;
	}
	for (int i = 0; !any && i < all->n; i++)
		text_item(t, &all->it[i]);
	return true;
}

static void readvar(const struct mode6_view *v, const struct m6_req *r, struct mode6_reply *out)
{
	struct mode6_items items;
	struct m6_text text = {.len = 0};
	int i = r->assoc ? find_assoc(v, r->assoc) : -1;
	if (r->assoc && i < 0) {
		reply_error(r, MODE6_ERR_BADASSOC, out);
		return;
	}
	if (r->assoc)
		mode6_peer_vars(v, i, &items);
	else
		mode6_system_vars(v, &items);
	if (!select_items(&items, r->data, r->count, &text)) {
		reply_error(r, MODE6_ERR_UNKNOWNVAR, out);
		return;
	}
	memcpy(text.buf + text.len, "\r\n", 2);
	text.len += 2;
	reply_data(r, r->assoc ? mode6_peer_status(v, i) : mode6_system_status(v),
	           (const uint8_t *)text.buf, text.len, out);
}

bool mode6_respond(const struct mode6_view *v, const uint8_t *req, size_t len,
                   struct mode6_reply *out)
{
	struct m6_req r;
	out->n = 0;
	if (!parse(req, len, &r))
		return false;
	switch (r.opcode) {
	case MODE6_OP_READSTAT:
		readstat(v, &r, out);
		break;
	case MODE6_OP_READVAR:
		readvar(v, &r, out);
		break;
	case 3: /* WRITEVAR */
	case 5: /* WRITECLOCK */
	case 6: /* SETTRAP */
	case 8: /* CONFIGURE */
		reply_error(&r, MODE6_ERR_PERMISSION, out);
		break;
	default:
		reply_error(&r, MODE6_ERR_BADOP, out);
	}
	return true;
}
