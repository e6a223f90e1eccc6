/* Unit tests of libstrata's varint codec (codec.h), the snprintf convention of the public
 * encoders, and Lamport timestamps. */
#include "lib_check.h"

/* ---- codec ---- */

static size_t enc_varint(uint64_t v, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_varint(&w, v);
	return w.len;
}

/* Decodes one varint that must fill the input: 0 or -EBADMSG. */
static int dec_varint(const uint8_t *buf, size_t len, uint64_t *v)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	*v = rbuf_varint(&r);
	return rbuf_end(&r);
}

static const uint64_t varint_values[] = {
        0, 1, 127, 128, 16383, 16384, (1ULL << 63) - 1, 1ULL << 63, UINT64_MAX,
};
static const size_t varint_lens[] = {1, 1, 1, 2, 2, 3, 9, 10, 10};

START_TEST(varint_round_trip)
{
	for (size_t k = 0; k < sizeof varint_values / sizeof *varint_values; k++) {
		uint64_t v = varint_values[k], back = 42;
		uint8_t buf[16];
		memset(buf, 0xaa, sizeof buf);
		ck_assert_uint_eq(enc_varint(v, NULL, 0), varint_lens[k]);
		size_t n = enc_varint(v, buf, sizeof buf);
		ck_assert_uint_eq(n, varint_lens[k]);
		ck_assert_uint_eq(buf[n], 0xaa);
		for (size_t i = 0; i + 1 < n; i++)
			ck_assert(buf[i] & 0x80);
		ck_assert(!(buf[n - 1] & 0x80));
		ck_assert_int_eq(dec_varint(buf, n, &back), 0);
		ck_assert_uint_eq(back, v);
	}
}
END_TEST

START_TEST(varint_exact_bytes)
{
	static const struct {
		uint64_t v;
		uint8_t b[10];
		size_t n;
	} cases[] = {
	        {0, {0x00}, 1},
	        {1, {0x01}, 1},
	        {127, {0x7f}, 1},
	        {128, {0x80, 0x01}, 2},
	        {300, {0xac, 0x02}, 2},
	        {1ULL << 63, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 10},
	        {UINT64_MAX, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		uint8_t buf[16];
		uint64_t back;
		ck_assert_uint_eq(enc_varint(cases[k].v, buf, sizeof buf), cases[k].n);
		ck_assert_mem_eq(buf, cases[k].b, cases[k].n);
		ck_assert_int_eq(dec_varint(cases[k].b, cases[k].n, &back), 0);
		ck_assert_uint_eq(back, cases[k].v);
	}
}
END_TEST

static void varint_rejected(const uint8_t *b, size_t n)
{
	struct rbuf r;
	rbuf_init(&r, b, n);
	ck_assert_uint_eq(rbuf_varint(&r), 0);
	ck_assert(r.bad);
	ck_assert_int_eq(rbuf_end(&r), -EBADMSG);
}

START_TEST(varint_rejects_overlong)
{
	varint_rejected(BYTES(0x80, 0x00));
	varint_rejected(BYTES(0x81, 0x00)); /* 1 with a trailing zero group */
	varint_rejected(BYTES(0xff, 0x00));
	varint_rejected(BYTES(0x80, 0x80, 0x00));
	varint_rejected(BYTES(0xff, 0x80, 0x00));
	varint_rejected(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00));
	/* The canonical forms next to them are fine. */
	uint64_t v;
	ck_assert_int_eq(dec_varint(BYTES(0x00), &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(dec_varint(BYTES(0xff, 0x01), &v), 0);
	ck_assert_uint_eq(v, 255);
}
END_TEST

START_TEST(varint_rejects_too_long)
{
	/* Eleven bytes. */
	varint_rejected(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
	varint_rejected(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01));
	/* Ten bytes whose last carries more than bit 63. */
	varint_rejected(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02));
	varint_rejected(BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x03));
	varint_rejected(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f));
	varint_rejected(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00));
	/* The largest ten-byte number is fine. */
	uint64_t v;
	ck_assert_int_eq(
	        dec_varint(BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), &v),
	        0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(varint_rejects_truncation)
{
	for (size_t k = 0; k < sizeof varint_values / sizeof *varint_values; k++) {
		uint8_t buf[16];
		size_t n = enc_varint(varint_values[k], buf, sizeof buf);
		for (size_t len = 0; len < n; len++)
			varint_rejected(buf, len);
	}
	varint_rejected(NULL, 0);
	/* A NULL buffer has no bytes whatever its length says. */
	struct rbuf r;
	rbuf_init(&r, NULL, 5);
	ck_assert_uint_eq(r.left, 0);
	ck_assert_uint_eq(rbuf_byte(&r), 0);
	ck_assert(r.bad);
}
END_TEST

START_TEST(rbuf_errors_stick)
{
	/* After an overlong number the remaining byte is not read. */
	struct rbuf r;
	rbuf_init(&r, BYTES(0x80, 0x00, 0x05));
	ck_assert_uint_eq(rbuf_varint(&r), 0);
	ck_assert(r.bad);
	ck_assert_uint_eq(rbuf_byte(&r), 0);
	ck_assert_uint_eq(rbuf_varint(&r), 0);
	ck_assert_ptr_null(rbuf_bytes(&r, 0));
	ck_assert(!rbuf_tag(&r, 0));
	ck_assert(r.bad);
	ck_assert_int_eq(rbuf_end(&r), -EBADMSG);
}
END_TEST

START_TEST(rbuf_helpers)
{
	static const uint8_t in[] = {0x4c, 0x05, 1, 2, 3};
	struct rbuf r;

	rbuf_init(&r, in, sizeof in);
	ck_assert(rbuf_tag(&r, 0x4c));
	ck_assert_uint_eq(rbuf_count(&r, 5), 5);
	ck_assert_int_eq(rbuf_end(&r), -EBADMSG); /* three bytes left */
	const uint8_t *p = rbuf_bytes(&r, 2);
	ck_assert_ptr_eq(p, in + 2);
	ck_assert_uint_eq(r.left, 1);
	ck_assert_ptr_null(rbuf_bytes(&r, 2)); /* only one left */
	ck_assert(r.bad);

	rbuf_init(&r, in, sizeof in);
	ck_assert(rbuf_tag(&r, 0x4c));
	ck_assert_uint_eq(rbuf_count(&r, 4), 0); /* 5 > 4 */
	ck_assert(r.bad);

	rbuf_init(&r, in, sizeof in);
	ck_assert(!rbuf_tag(&r, 0x56));
	ck_assert(r.bad);

	rbuf_init(&r, in, sizeof in);
	ck_assert(rbuf_tag(&r, 0x4c));
	ck_assert_uint_eq(rbuf_varint(&r), 5);
	ck_assert_ptr_nonnull(rbuf_bytes(&r, 3));
	ck_assert_int_eq(rbuf_end(&r), 0);

	rbuf_init(&r, NULL, 0);
	ck_assert(!rbuf_tag(&r, 0));
	ck_assert_int_eq(rbuf_end(&r), -EBADMSG);
}
END_TEST

START_TEST(wbuf_sizing)
{
	struct wbuf w;
	uint8_t buf[32];

	/* NULL: counts only, whatever cap says. */
	wbuf_init(&w, NULL, 100);
	ck_assert_uint_eq(w.cap, 0);
	wbuf_varint(&w, UINT64_MAX);
	wbuf_byte(&w, 1);
	wbuf_bytes(&w, "abc", 3);
	ck_assert_uint_eq(w.len, 14);

	/* cap 0 with a real buffer writes nothing. */
	memset(buf, 0xaa, sizeof buf);
	wbuf_init(&w, buf, 0);
	wbuf_varint(&w, 300);
	wbuf_byte(&w, 7);
	wbuf_bytes(&w, "abc", 3);
	ck_assert_uint_eq(w.len, 6);
	for (size_t i = 0; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], 0xaa);

	/* Partial caps: the bytes that fit, nothing past cap. */
	uint8_t full[10];
	ck_assert_uint_eq(enc_varint(UINT64_MAX, full, sizeof full), 10);
	for (size_t cap = 0; cap <= 12; cap++) {
		memset(buf, 0xaa, sizeof buf);
		ck_assert_uint_eq(enc_varint(UINT64_MAX, buf, cap), 10);
		for (size_t i = 0; i < sizeof buf; i++)
			ck_assert_uint_eq(buf[i], i < cap && i < 10 ? full[i] : 0xaa);
	}

	/* A run of bytes that does not fit is not written at all. */
	memset(buf, 0xaa, sizeof buf);
	wbuf_init(&w, buf, 5);
	wbuf_byte(&w, 1);
	wbuf_bytes(&w, "abcdef", 6);
	ck_assert_uint_eq(w.len, 7);
	ck_assert_uint_eq(buf[0], 1);
	for (size_t i = 1; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], 0xaa);

	/* Nor once the length has passed cap. */
	memset(buf, 0xaa, sizeof buf);
	wbuf_init(&w, buf, 1);
	wbuf_byte(&w, 1);
	wbuf_byte(&w, 2);
	wbuf_bytes(&w, "xy", 2);
	wbuf_byte(&w, 3);
	ck_assert_uint_eq(w.len, 5);
	ck_assert_uint_eq(buf[0], 1);
	for (size_t i = 1; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], 0xaa);

	/* An exact fit is written whole. */
	memset(buf, 0xaa, sizeof buf);
	wbuf_init(&w, buf, 7);
	wbuf_byte(&w, 1);
	wbuf_bytes(&w, "abcdef", 6);
	ck_assert_uint_eq(w.len, 7);
	ck_assert_mem_eq(buf,
	                 "\x01"
	                 "abcdef",
	                 7);
	ck_assert_uint_eq(buf[7], 0xaa);
}
END_TEST

/* The snprintf convention of the public encoders: sizing, short buffers untouched past cap. */
typedef size_t (*encode_fn)(const void *obj, uint8_t *buf, size_t cap);

static size_t enc_lamport(const void *o, uint8_t *b, size_t c)
{
	return strata_lamport_encode(o, b, c);
}

static size_t enc_vclock(const void *o, uint8_t *b, size_t c)
{
	return strata_vclock_encode(o, b, c);
}

static size_t enc_hlc(const void *o, uint8_t *b, size_t c)
{
	return strata_hlc_encode(o, b, c);
}

static void check_encoder(encode_fn enc, const void *obj)
{
	uint8_t full[128], buf[128];
	size_t n = enc(obj, NULL, 0);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, sizeof full);
	ck_assert_uint_eq(enc(obj, full, sizeof full), n);
	for (size_t cap = 0; cap <= n; cap++) {
		memset(buf, 0xaa, sizeof buf);
		ck_assert_uint_eq(enc(obj, buf, cap), n);
		for (size_t i = cap; i < sizeof buf; i++)
			ck_assert_uint_eq(buf[i], 0xaa);
	}
	memset(buf, 0xaa, sizeof buf);
	ck_assert_uint_eq(enc(obj, buf, n), n);
	ck_assert_mem_eq(buf, full, n);
	ck_assert_uint_eq(buf[n], 0xaa);
}

START_TEST(encoders_size_like_snprintf)
{
	strata_lamport_t l = {.time = UINT64_MAX, .replica = 12345};
	check_encoder(enc_lamport, &l);
	strata_vclock_t v;
	strata_vclock_init(&v);
	check_encoder(enc_vclock, &v);
	ck_assert_int_eq(strata_vclock_set(&v, 0, 1), 0);
	ck_assert_int_eq(strata_vclock_set(&v, 1000, UINT64_MAX), 0);
	ck_assert_int_eq(strata_vclock_set(&v, UINT64_MAX, 77), 0);
	check_encoder(enc_vclock, &v);
	strata_vclock_free(&v);
	strata_hlc_ts_t t = {.wall = 1700000000123456789LL, .logical = 99};
	check_encoder(enc_hlc, &t);
}
END_TEST

/* ---- Lamport timestamps ---- */

START_TEST(order_names)
{
	ck_assert_str_eq(strata_order_name(STRATA_EQUAL), "equal");
	ck_assert_str_eq(strata_order_name(STRATA_BEFORE), "before");
	ck_assert_str_eq(strata_order_name(STRATA_AFTER), "after");
	ck_assert_str_eq(strata_order_name(STRATA_CONCURRENT), "concurrent");
	ck_assert_str_eq(strata_order_name((enum strata_order)7), "?");
}
END_TEST

START_TEST(lamport_event_receive)
{
	strata_lamport_t a, b;
	strata_lamport_init(&a, 1);
	strata_lamport_init(&b, 2);
	ck_assert_uint_eq(a.time, 0);
	ck_assert_uint_eq(a.replica, 1);

	ck_assert_int_eq(strata_lamport_event(&a), 0);
	ck_assert_int_eq(strata_lamport_event(&a), 0);
	ck_assert_uint_eq(a.time, 2);

	/* The message is ahead: max + 1 is its time + 1. */
	ck_assert_int_eq(strata_lamport_receive(&b, &a), 0);
	ck_assert_uint_eq(b.time, 3);
	ck_assert_uint_eq(b.replica, 2);
	/* The message is behind: our time + 1. */
	ck_assert_int_eq(strata_lamport_receive(&b, &a), 0);
	ck_assert_uint_eq(b.time, 4);
	/* Equal times. */
	a.time = 4;
	ck_assert_int_eq(strata_lamport_receive(&b, &a), 0);
	ck_assert_uint_eq(b.time, 5);
	ck_assert_uint_eq(a.time, 4); /* the message is not changed */
	ck_assert_uint_eq(a.replica, 1);
}
END_TEST

START_TEST(lamport_compare_order)
{
	strata_lamport_t x = {5, 1}, same = {5, 1}, other = {5, 2}, later = {6, 0}, early = {4, 9};

	ck_assert_int_eq(strata_lamport_compare(&x, &same), STRATA_EQUAL);
	ck_assert_int_eq(strata_lamport_compare(&x, &other), STRATA_CONCURRENT);
	ck_assert_int_eq(strata_lamport_compare(&other, &x), STRATA_CONCURRENT);
	ck_assert_int_eq(strata_lamport_compare(&x, &later), STRATA_BEFORE);
	ck_assert_int_eq(strata_lamport_compare(&later, &x), STRATA_AFTER);
	ck_assert_int_eq(strata_lamport_compare(&x, &early), STRATA_AFTER);
	ck_assert_int_eq(strata_lamport_compare(&early, &x), STRATA_BEFORE);

	ck_assert_int_eq(strata_lamport_order(&x, &same), 0);
	ck_assert_int_eq(strata_lamport_order(&x, &other), -1);
	ck_assert_int_eq(strata_lamport_order(&other, &x), 1);
	ck_assert_int_eq(strata_lamport_order(&x, &later), -1); /* time first, then replica */
	ck_assert_int_eq(strata_lamport_order(&later, &x), 1);
	ck_assert_int_eq(strata_lamport_order(&early, &x), -1);

	strata_lamport_t top = {UINT64_MAX, UINT64_MAX}, top0 = {UINT64_MAX, 0};
	ck_assert_int_eq(strata_lamport_order(&top0, &top), -1);
	ck_assert_int_eq(strata_lamport_compare(&top0, &top), STRATA_CONCURRENT);
}
END_TEST

START_TEST(lamport_overflow)
{
	strata_lamport_t l = {UINT64_MAX - 1, 3}, m = {UINT64_MAX, 4};

	ck_assert_int_eq(strata_lamport_event(&l), 0);
	ck_assert_uint_eq(l.time, UINT64_MAX);
	ck_assert_int_eq(strata_lamport_event(&l), -EOVERFLOW);
	ck_assert_uint_eq(l.time, UINT64_MAX);

	strata_lamport_init(&l, 3);
	ck_assert_int_eq(strata_lamport_receive(&l, &m), -EOVERFLOW);
	ck_assert_uint_eq(l.time, 0);
	ck_assert_uint_eq(l.replica, 3);
	m.time = UINT64_MAX - 1;
	ck_assert_int_eq(strata_lamport_receive(&l, &m), 0);
	ck_assert_uint_eq(l.time, UINT64_MAX);
	ck_assert_int_eq(strata_lamport_receive(&l, &m), -EOVERFLOW);
	ck_assert_uint_eq(l.time, UINT64_MAX);
}
END_TEST

START_TEST(lamport_codec)
{
	static const strata_lamport_t cases[] = {
	        {0, 0},          {1, 2},          {300, 5},
	        {UINT64_MAX, 0}, {0, UINT64_MAX}, {UINT64_MAX, UINT64_MAX},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		uint8_t buf[32];
		size_t n = strata_lamport_encode(&cases[k], buf, sizeof buf);
		ck_assert_uint_le(n, sizeof buf);
		ck_assert_uint_eq(buf[0], STRATA_TAG_LAMPORT);
		strata_lamport_t back = {7, 7};
		ck_assert_int_eq(strata_lamport_decode(&back, buf, n), 0);
		ck_assert_uint_eq(back.time, cases[k].time);
		ck_assert_uint_eq(back.replica, cases[k].replica);
		/* Every truncation and one trailing byte are refused. */
		for (size_t len = 0; len < n; len++)
			ck_assert_int_eq(strata_lamport_decode(&back, buf, len), -EBADMSG);
		buf[n] = 0;
		ck_assert_int_eq(strata_lamport_decode(&back, buf, n + 1), -EBADMSG);
	}

	uint8_t buf[8];
	strata_lamport_t l = {300, 5}, out;
	ck_assert_uint_eq(strata_lamport_encode(&l, buf, sizeof buf), 4);
	ck_assert_mem_eq(buf, "\x4c\xac\x02\x05", 4);

	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x4c, 0xac, 0x02, 0x05)), 0);
	ck_assert_uint_eq(out.time, 300);
	ck_assert_uint_eq(out.replica, 5);
	/* Wrong tags. */
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x56, 0xac, 0x02, 0x05)), -EBADMSG);
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x48, 0x01, 0x01)), -EBADMSG);
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x00, 0x01, 0x01)), -EBADMSG);
	/* Overlong time, overlong replica. */
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x4c, 0x81, 0x00, 0x05)), -EBADMSG);
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x4c, 0x01, 0x85, 0x00)), -EBADMSG);
	/* An eleven-byte time. */
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x4c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                                   0xff, 0xff, 0xff, 0xff, 0x01, 0x00)),
	                 -EBADMSG);
	/* Trailing byte; missing replica. */
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x4c, 0x01, 0x02, 0x00)), -EBADMSG);
	ck_assert_int_eq(strata_lamport_decode(&out, BYTES(0x4c, 0x01)), -EBADMSG);
	ck_assert_int_eq(strata_lamport_decode(&out, NULL, 0), -EBADMSG);
	ck_assert_uint_eq(out.time, 300); /* a refused input leaves out alone */
	ck_assert_uint_eq(out.replica, 5);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc;

	tc = tcase_create("codec");
	tcase_add_test(tc, varint_round_trip);
	tcase_add_test(tc, varint_exact_bytes);
	tcase_add_test(tc, varint_rejects_overlong);
	tcase_add_test(tc, varint_rejects_too_long);
	tcase_add_test(tc, varint_rejects_truncation);
	tcase_add_test(tc, rbuf_errors_stick);
	tcase_add_test(tc, rbuf_helpers);
	tcase_add_test(tc, wbuf_sizing);
	tcase_add_test(tc, encoders_size_like_snprintf);
	suite_add_tcase(s, tc);

	tc = tcase_create("lamport");
	tcase_add_test(tc, order_names);
	tcase_add_test(tc, lamport_event_receive);
	tcase_add_test(tc, lamport_compare_order);
	tcase_add_test(tc, lamport_overflow);
	tcase_add_test(tc, lamport_codec);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(codec_suite());
}
