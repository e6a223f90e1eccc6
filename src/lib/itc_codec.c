/* libstrata interval tree clocks: the binary encoding and the text notation (strata/itc.h).
 * One recursive reader, with a binary and a text flavour, builds the trees for both the
 * decoder and the parser, and refuses trees not in normal form or past the limits. */
#include "itc_priv.h"

#include <errno.h>

/* ---- Binary encoding ---- */

struct bitw {
	uint8_t *buf; /* NULL to count the bits only */
	size_t bits;  /* written so far */
};

static void put_bit(struct bitw *w, bool b)
{
	if (w->buf) {
		if (w->bits % 8 == 0)
			w->buf[w->bits / 8] = 0; /* so the padding is zero */
		if (b)
			w->buf[w->bits / 8] |= (uint8_t)(0x80u >> (w->bits % 8));
	}
	w->bits++;
}

/* Elias gamma code of n + 1 (n <= ITC_MAX_COUNT): k zero bits, then the k + 1 bits of n + 1,
 * most significant (a 1) first, where k = floor(log2(n + 1)). */
static void put_num(struct bitw *w, uint64_t n)
{
	uint64_t x = n + 1;
	int k = 0;

	while (k < 63 && x >> (k + 1))
		k++;
	for (int j = 0; j < k; j++)
		put_bit(w, false);
	for (int j = k; j >= 0; j--)
		put_bit(w, (x >> j) & 1);
}

/* Preorder: a leaf is 0 and its value bit, a node 1, left, right. */
static void put_id(struct bitw *w, const itc_id *i)
{
	put_bit(w, !itc_id_is_leaf(i));
	if (itc_id_is_leaf(i)) {
		put_bit(w, i->one);
		return;
	}
	put_id(w, i->l);
	put_id(w, i->r);
}

/* Preorder: a leaf is 0 and its number, a node 1, its number, left, right. */
static void put_ev(struct bitw *w, const itc_ev *e)
{
	put_bit(w, !itc_ev_is_leaf(e));
	put_num(w, e->n);
	if (!itc_ev_is_leaf(e)) {
		put_ev(w, e->l);
		put_ev(w, e->r);
	}
}

size_t strata_itc_encode(const strata_itc_t *s, uint8_t *buf, size_t cap)
{
	struct bitw w = {NULL, 0};
	size_t len;

	if (!s || !s->id || !s->ev)
		return 0;
	put_id(&w, s->id);
	put_ev(&w, s->ev);
	len = 1 + (w.bits + 7) / 8;
	if (buf && len <= cap) {
		buf[0] = STRATA_TAG_ITC;
		w.buf = buf + 1;
		w.bits = 0;
		put_id(&w, s->id);
		put_ev(&w, s->ev);
	}
	return len;
}

/* ---- Text notation ---- */

struct textw {
	char *buf;
	size_t cap, len; /* len: the length of the whole text, written or not */
};

static void put_char(struct textw *w, char c)
{
	if (w->len + 1 < w->cap)
		w->buf[w->len] = c;
	w->len++;
}

static void put_dec(struct textw *w, uint64_t n)
{
	char d[20];
	int k = 0;

	do {
		d[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		put_char(w, d[--k]);
}

/* "0", "1" or "(L,R)". */
static void fmt_id(struct textw *w, const itc_id *i)
{
	if (itc_id_is_leaf(i)) {
		put_char(w, i->one ? '1' : '0');
		return;
	}
	put_char(w, '(');
	fmt_id(w, i->l);
	put_char(w, ',');
	fmt_id(w, i->r);
	put_char(w, ')');
}

/* "N" or "(N,L,R)". */
static void fmt_ev(struct textw *w, const itc_ev *e)
{
	if (itc_ev_is_leaf(e)) {
		put_dec(w, e->n);
		return;
	}
	put_char(w, '(');
	put_dec(w, e->n);
	put_char(w, ',');
	fmt_ev(w, e->l);
	put_char(w, ',');
	fmt_ev(w, e->r);
	put_char(w, ')');
}

size_t strata_itc_format(const strata_itc_t *s, char *buf, size_t cap)
{
	struct textw w = {buf, buf ? cap : 0, 0};

	if (s && s->id && s->ev) {
		put_char(&w, '(');
		fmt_id(&w, s->id);
		put_char(&w, ',');
		fmt_ev(&w, s->ev);
		put_char(&w, ')');
	}
	if (w.cap)
		w.buf[w.len < w.cap ? w.len : w.cap - 1] = '\0';
	return w.len;
}

/* ---- Reading trees ---- */

/* A source of tree parts; after the first error every call fails (returns 0/false). */
struct reader {
	int err;                           /* the first error: -EBADMSG or -ENOMEM */
	size_t nodes;                      /* read so far, both trees */
	bool (*node)(struct reader *r);    /* consumes a node's start if a node follows */
	void (*sep)(struct reader *r);     /* between the parts of a node */
	void (*end)(struct reader *r);     /* after a node's last part */
	bool (*one)(struct reader *r);     /* an id leaf's value */
	uint64_t (*num)(struct reader *r); /* a number */
};

/* Records err unless an error came first; NULL, for returning. */
static void *fail(struct reader *r, int err)
{
	if (!r->err)
		r->err = err;
	return NULL;
}

/* A number that cannot be: records -EBADMSG, returns 0. */
static uint64_t bad_num(struct reader *r)
{
	fail(r, -EBADMSG);
	return 0;
}

/* Counts one more node: false past the limit or after an error. */
static bool more(struct reader *r)
{
	if (!r->err && ++r->nodes > STRATA_MAX_ITC_NODES)
		fail(r, -EBADMSG);
	return !r->err;
}

/* Normal id node: not (0, 0) nor (1, 1). */
static bool id_node_normal(const itc_id *i)
{
	return !itc_id_is_leaf(i->l) || !itc_id_is_leaf(i->r) || i->l->one != i->r->one;
}

/* Normal event node (children normal, so a child's min is its root's n): not two equal
 * leaves, and a child with min 0. */
static bool ev_node_normal(const itc_ev *e)
{
	if (itc_ev_is_leaf(e->l) && itc_ev_is_leaf(e->r) && e->l->n == e->r->n)
		return false;
	return e->l->n == 0 || e->r->n == 0;
}

/* An id tree whose root is at depth. */
static itc_id *get_id(struct reader *r, unsigned depth)
{
	itc_id *l, *rt, *i;

	if (!more(r))
		return NULL;
	if (!r->node(r)) {
		bool one = r->one(r);
		if (r->err)
			return NULL;
		i = itc_id_leaf(one);
		return i ? i : fail(r, -ENOMEM);
	}
	if (depth >= STRATA_MAX_ITC_DEPTH)
		return fail(r, -EBADMSG);
	l = get_id(r, depth + 1);
	r->sep(r);
	rt = r->err ? NULL : get_id(r, depth + 1);
	r->end(r);
	i = itc_id_node(l, rt); /* frees l if rt is NULL */
	if (i && !r->err && id_node_normal(i))
		return i;
	itc_id_free(i);
	return fail(r, i ? -EBADMSG : -ENOMEM); /* keeps an earlier error */
}

/* An event tree whose root is at depth, under numbers summing to base. */
static itc_ev *get_ev(struct reader *r, unsigned depth, uint64_t base)
{
	itc_ev *l, *rt, *e;
	uint64_t n;
	bool node;

	if (!more(r))
		return NULL;
	node = r->node(r);
	n = r->num(r);
	if (r->err)
		return NULL;
	if (n > ITC_MAX_COUNT - base || (node && depth >= STRATA_MAX_ITC_DEPTH))
		return fail(r, -EBADMSG);
	if (!node) {
		e = itc_ev_leaf(n);
		return e ? e : fail(r, -ENOMEM);
	}
	r->sep(r);
	l = r->err ? NULL : get_ev(r, depth + 1, base + n);
	r->sep(r);
	rt = r->err ? NULL : get_ev(r, depth + 1, base + n);
	r->end(r);
	e = itc_ev_node(n, l, rt); /* frees l if rt is NULL */
	if (e && !r->err && ev_node_normal(e))
		return e;
	itc_ev_free(e);
	return fail(r, e ? -EBADMSG : -ENOMEM);
}

/* ID, separator, EV, end: 0 or the error (then *out is empty). */
static int get_stamp(struct reader *r, strata_itc_t *out)
{
	out->id = get_id(r, 0);
	r->sep(r);
	out->ev = r->err ? NULL : get_ev(r, 0, 0);
	r->end(r);
	if (r->err)
		strata_itc_free(out);
	return r->err;
}

/* ---- Binary decoding ---- */

struct bin_reader {
	struct reader r; /* first, so the callbacks can convert */
	const uint8_t *buf;
	size_t bits, pos;
};

static bool bin_bit(struct reader *r)
{
	struct bin_reader *b = (struct bin_reader *)r;
	bool v;

	if (r->err)
		return false;
	if (b->pos >= b->bits) {
		fail(r, -EBADMSG); /* truncated */
		return false;
	}
	v = (b->buf[b->pos / 8] >> (7 - b->pos % 8)) & 1;
	b->pos++;
	return v;
}

static void bin_none(struct reader *r)
{
	(void)r;
}

/* Elias gamma: at most 63 zeros, so n + 1 < 2^64. */
static uint64_t bin_num(struct reader *r)
{
	uint64_t x = 1;
	int k = 0;

	while (!bin_bit(r)) {
		if (r->err || ++k > 63)
			return bad_num(r);
	}
	for (int j = 0; j < k; j++)
		x = x << 1 | bin_bit(r);
	return x - 1;
}

/* The stamp in the bits of buf[0, n), then zero padding to the end. */
static int decode_bits(strata_itc_t *out, const uint8_t *buf, size_t n)
{
	struct bin_reader b = {
	        .r = {0, 0, bin_bit, bin_none, bin_none, bin_bit, bin_num},
	        .buf = buf,
	        .bits = n * 8,
	};

	if (get_stamp(&b.r, out))
		return b.r.err;
	while (!b.r.err && b.pos % 8)
		if (bin_bit(&b.r))
			fail(&b.r, -EBADMSG); /* padding must be zero */
	if (b.r.err || b.pos != b.bits) {
		strata_itc_free(out); /* also for trailing bytes */
		return -EBADMSG;
	}
	return 0;
}

int strata_itc_decode(strata_itc_t *out, const uint8_t *buf, size_t len)
{
	if (!out)
		return -EINVAL;
	out->id = NULL;
	out->ev = NULL;
	if (!buf && len)
		return -EINVAL;
	if (len < 1 || buf[0] != STRATA_TAG_ITC || len - 1 > SIZE_MAX / 8)
		return -EBADMSG;
	return decode_bits(out, buf + 1, len - 1);
}

/* ---- Text parsing ---- */

struct txt_reader {
	struct reader r; /* first, so the callbacks can convert */
	const char *p;
};

static bool txt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Consumes c if it comes next. */
static bool txt_accept(struct reader *r, char c)
{
	struct txt_reader *t = (struct txt_reader *)r;

	if (r->err || *t->p != c)
		return false;
	t->p++;
	return true;
}

static void txt_expect(struct reader *r, char c)
{
	if (!txt_accept(r, c))
		fail(r, -EBADMSG);
}

static bool txt_node(struct reader *r)
{
	return txt_accept(r, '(');
}

static void txt_sep(struct reader *r)
{
	txt_expect(r, ',');
}

static void txt_end(struct reader *r)
{
	txt_expect(r, ')');
}

static bool txt_one(struct reader *r)
{
	if (txt_accept(r, '1'))
		return true;
	txt_expect(r, '0');
	return false;
}

/* Decimal, no leading zeros, at most UINT64_MAX. */
static uint64_t txt_num(struct reader *r)
{
	struct txt_reader *t = (struct txt_reader *)r;
	const char *p = t->p;
	uint64_t n = 0;

	if (r->err)
		return 0;
	if (!txt_is_digit(p[0]) || (p[0] == '0' && txt_is_digit(p[1])))
		return bad_num(r);
	for (; txt_is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10)
			return bad_num(r);
		n = n * 10 + d;
	}
	t->p = p;
	return n;
}

int strata_itc_parse(strata_itc_t *out, const char *text)
{
	struct txt_reader t = {
	        .r = {0, 0, txt_node, txt_sep, txt_end, txt_one, txt_num},
	        .p = text,
	};

	if (!out)
		return -EINVAL;
	out->id = NULL;
	out->ev = NULL;
	if (!text)
		return -EINVAL;
	txt_expect(&t.r, '(');
	if (get_stamp(&t.r, out))
		return t.r.err;
	if (*t.p) {
		strata_itc_free(out);
		return -EBADMSG;
	}
	return 0;
}
