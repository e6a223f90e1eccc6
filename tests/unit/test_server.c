/* Unit tests for src/core/server.c: replies to every captured client request in tests/vectors,
 * byte-compared with the captured server reply when one exists (system state, receive and
 * transmit time taken from that reply), KoD replies byte-compared with NTPsec's RATE packets,
 * unsynchronised state, and hostile inputs (short, long with extension fields, malformed
 * extension fields, every mode and version, seeded random datagrams). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ntptime.h"
#include "core/packet.h"
#include "core/server.h"
#include "vectors.h"

#define BUF_LEN 1200
#define FUZZ_SEED 0x5eed5e7fu
#define FUZZ_ROUNDS 20000

static const char *const request_files[] = {
	"chronyd-server.hex",  "ntpsec-server.hex",  "openntpd-server.hex", "ntpdig-client.hex",
	"chronyd-client.hex",  "ntpsec-unsync.hex",  "chronyd-ratelimit.hex",
	"ntpsec-kod.hex",
};
#define N_REQUEST_FILES (sizeof(request_files) / sizeof(request_files[0]))

/* A chronyd-like "local stratum 10" system state. */
static struct server_system sys_local(void)
{
	struct server_system sys = {
		.leap = NTP_LEAP_NONE,
		.stratum = 10,
		.precision = -25,
		.root_delay = 0.0,
		.root_disp = 0.0,
		.refid = 0x7f7f0101u,
		.ref_time = 0xeeb732dcfc7b0b57ull,
	};
	return sys;
}

/* The system state a captured reply was sent from. */
static struct server_system sys_from_reply(const struct ntp_packet *r)
{
	struct server_system sys = {
		.leap = r->leap,
		.stratum = r->stratum == 0 ? NTP_MAX_STRATUM : r->stratum,
		.precision = r->precision,
		.root_delay = ntp_short_to_double(r->root_delay),
		.root_disp = ntp_short_to_double(r->root_disp),
		.refid = r->refid,
		.ref_time = r->ref,
	};
	return sys;
}

static struct ntp_packet parse_ok(const uint8_t *buf, size_t len)
{
	struct ntp_packet p;

	ck_assert_int_eq(ntp_packet_parse(buf, len, &p), NTP_PARSE_OK);
	return p;
}

/* Index of the first S>C packet after i whose origin is the request's transmit, or -1. */
static int find_reply(const struct vector_packet *v, int n, int i, ntp_ts_t xmt)
{
	for (int j = i + 1; j < n; j++) {
		struct ntp_packet r;

		if (strcmp(v[j].dir, "S>C") != 0 || v[j].len < NTP_HEADER_LEN)
			continue;
		if (ntp_packet_parse(v[j].data, v[j].len, &r) == NTP_PARSE_OK && r.org == xmt)
			return j;
	}
	return -1;
}

static void check_invariants(const char *where, const struct ntp_packet *req,
                             const struct server_system *sys, const uint8_t *reply, size_t len,
                             ntp_ts_t rx, ntp_ts_t tx)
{
	struct ntp_packet r = parse_ok(reply, len);

	ck_assert_msg(len == SERVER_REPLY_LEN, "%s: length %zu", where, len);
	ck_assert_msg(r.org == req->xmt, "%s: org %016llx", where, (unsigned long long)r.org);
	ck_assert_int_eq(r.version, req->version);
	ck_assert_int_eq(r.mode, NTP_MODE_SERVER);
	ck_assert_int_eq(r.poll, req->poll);
	ck_assert_int_eq(r.leap, sys->leap);
	ck_assert_int_eq(r.stratum, sys->stratum);
	ck_assert_uint_eq(r.refid, sys->refid);
	ck_assert_int_eq(r.precision, sys->precision);
	ck_assert_uint_eq(r.ref, sys->ref_time);
	ck_assert_uint_eq(r.rec, rx);
	ck_assert_uint_eq(r.xmt, tx);
}

/* Our reply to v[i] from the state of the captured reply v[j], compared byte for byte. */
static void compare_captured(const char *where, const struct vector_packet *req,
                             const struct vector_packet *cap)
{
	struct ntp_packet c = parse_ok(cap->data, cap->len);
	struct server_system sys = sys_from_reply(&c);
	uint8_t out[BUF_LEN];
	size_t len = 0;

	ck_assert_int_eq(server_respond(&sys, req->data, req->len, c.rec, out, sizeof(out), &len),
	                 SERVER_REPLY);
	server_set_transmit(out, len, c.xmt);
	ck_assert_msg(len == cap->len && memcmp(out, cap->data, len) == 0,
	              "%s: reply differs from the captured one", where);
}

/* Every mode-3 request of one file: invariants, and the captured reply when there is one.
 * Returns the number of byte-compared replies. */
static int check_file(const char *name, int *n_requests)
{
	struct vector_packet *v = NULL;
	int n = vectors_load(name, &v), compared = 0;
	struct server_system sys = sys_local();

	ck_assert_msg(n > 0, "cannot load %s", name);
	for (int i = 0; i < n; i++) {
		struct ntp_packet req, cap;
		uint8_t out[BUF_LEN];
		size_t len = 0;
		char where[96];
		ntp_ts_t rx = 0xeeb73400u + ((ntp_ts_t)i << 32), tx = rx + 12345;
		int j;

		if (strcmp(v[i].dir, "C>S") != 0)
			continue;
		snprintf(where, sizeof(where), "%s #%d", name, i);
		req = parse_ok(v[i].data, v[i].len);
		ck_assert_int_eq(req.mode, NTP_MODE_CLIENT);
		ck_assert_int_eq(server_respond(&sys, v[i].data, v[i].len, rx, out, sizeof(out), &len),
		                 SERVER_REPLY);
		server_set_transmit(out, len, tx);
		check_invariants(where, &req, &sys, out, len, rx, tx);
		(*n_requests)++;
		j = find_reply(v, n, i, req.xmt);
		if (j < 0)
			continue;
		cap = parse_ok(v[j].data, v[j].len);
		ck_assert_int_eq(cap.version, req.version);
		ck_assert_int_eq(cap.poll, req.poll); /* every captured server echoes the poll */
		if (cap.stratum == 0 && cap.refid == SERVER_KISS_RATE)
			continue; /* KoD: see test_kod_ntpsec */
		compare_captured(where, &v[i], &v[j]);
		compared++;
	}
	free(v);
	return compared;
}

START_TEST(test_vector_requests)
{
	int requests = 0, compared = 0;

	for (size_t f = 0; f < N_REQUEST_FILES; f++)
		compared += check_file(request_files[f], &requests);
	printf("test_vector_requests: %d requests answered, %d replies byte-identical to the "
	       "captured ones\n",
	       requests, compared);
	ck_assert_int_ge(requests, 100);
	ck_assert_int_ge(compared, 40);
}
END_TEST

/* chronyd's replies, field by field: the server-independent fields match for any state. */
START_TEST(test_chronyd_fields)
{
	static const char *const files[] = {"chronyd-server.hex", "ntpdig-client.hex",
	                                    "chronyd-client.hex"};
	struct server_system sys = sys_local();
	int checked = 0;

	sys.precision = -20;
	sys.refid = 0x0a000001u;
	for (size_t f = 0; f < 3; f++) {
		struct vector_packet *v = NULL;
		int n = vectors_load(files[f], &v);

		ck_assert_int_gt(n, 0);
		for (int i = 0; i < n; i++) {
			struct ntp_packet req, ours, theirs;
			uint8_t out[BUF_LEN];
			size_t len;
			int j;

			if (strcmp(v[i].dir, "C>S") != 0)
				continue;
			req = parse_ok(v[i].data, v[i].len);
			j = find_reply(v, n, i, req.xmt);
			ck_assert_int_ge(j, 0);
			theirs = parse_ok(v[j].data, v[j].len);
			ck_assert_int_eq(server_respond(&sys, v[i].data, v[i].len, theirs.rec, out,
			                                sizeof(out), &len),
			                 SERVER_REPLY);
			ours = parse_ok(out, len);
			ck_assert_int_eq(ours.version, theirs.version);
			ck_assert_int_eq(ours.mode, theirs.mode);
			ck_assert_int_eq(ours.poll, theirs.poll);
			ck_assert_uint_eq(ours.org, theirs.org);
			ck_assert_uint_eq(ours.rec, theirs.rec);
			ck_assert_uint_eq(ours.refid, 0x0a000001u);
			ck_assert_int_eq(ours.precision, -20);
			checked++;
		}
		free(v);
	}
	ck_assert_int_eq(checked, 8); /* 4 + 1 + 3 requests */
}
END_TEST

START_TEST(test_kod_ntpsec)
{
	struct vector_packet *v = NULL;
	int n = vectors_load("ntpsec-kod.hex", &v), kods = 0;

	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		struct ntp_packet req, cap, ours;
		uint8_t out[BUF_LEN];
		size_t len = 0;
		int j;

		if (strcmp(v[i].dir, "C>S") != 0)
			continue;
		req = parse_ok(v[i].data, v[i].len);
		j = find_reply(v, n, i, req.xmt);
		if (j < 0)
			continue;
		cap = parse_ok(v[j].data, v[j].len);
		if (cap.stratum != 0)
			continue;
		for (int8_t minpoll = 0; minpoll <= req.poll; minpoll++) {
			ck_assert_int_eq(server_kod(v[i].data, v[i].len, SERVER_KISS_RATE, minpoll,
			                            out, sizeof(out), &len),
			                 SERVER_REPLY);
			ck_assert_msg(len == v[j].len && memcmp(out, v[j].data, len) == 0,
			              "KoD for request #%d differs from NTPsec's", i);
		}
		/* A larger minpoll raises the poll; nothing else changes. */
		ck_assert_int_eq(server_kod(v[i].data, v[i].len, SERVER_KISS_RATE, 10, out,
		                            sizeof(out), &len),
		                 SERVER_REPLY);
		ours = parse_ok(out, len);
		ck_assert_int_eq(ours.poll, 10);
		ck_assert_int_eq(memcmp(out + 3, v[j].data + 3, len - 3), 0);
		ck_assert_int_eq(ours.leap, NTP_LEAP_ALARM);
		ck_assert_uint_eq(ours.org, req.xmt);
		ck_assert_uint_eq(ours.rec, req.xmt);
		ck_assert_uint_eq(ours.xmt, req.xmt);
		kods++;
	}
	free(v);
	printf("test_kod_ntpsec: %d KoD replies byte-identical to NTPsec's\n", kods);
	ck_assert_int_ge(kods, 10);
}
END_TEST

/* A minimal v4 client request with the given first byte and transmit timestamp. */
static size_t make_request(uint8_t *buf, uint8_t b0, ntp_ts_t xmt)
{
	struct ntp_packet p = {0};

	p.leap = (uint8_t)(b0 >> 6);
	p.version = (uint8_t)((b0 >> 3) & 7);
	p.mode = (uint8_t)(b0 & 7);
	p.poll = 6;
	p.precision = -20;
	p.xmt = xmt;
	return ntp_packet_serialize(&p, buf, NTP_HEADER_LEN);
}

static uint8_t first_byte(int li, int vn, int mode)
{
	return (uint8_t)((li << 6) | (vn << 3) | mode);
}

START_TEST(test_kod_deny_and_drops)
{
	uint8_t req[BUF_LEN], out[BUF_LEN];
	size_t len = 99;
	struct ntp_packet r;

	make_request(req, first_byte(0, 3, NTP_MODE_CLIENT), 0x1122334455667788ull);
	ck_assert_int_eq(server_kod(req, 48, SERVER_KISS_DENY, 6, out, sizeof(out), &len),
	                 SERVER_REPLY);
	r = parse_ok(out, len);
	ck_assert_uint_eq(r.refid, SERVER_KISS_DENY);
	ck_assert_int_eq(r.version, 3);
	ck_assert_int_eq(r.stratum, 0);
	ck_assert_int_eq(r.root_delay, 0);
	ck_assert_uint_eq(r.ref, 0);
	/* The same drop rules as server_respond. */
	make_request(req, first_byte(0, 4, NTP_MODE_SERVER), 1);
	ck_assert_int_eq(server_kod(req, 48, SERVER_KISS_RATE, 6, out, sizeof(out), &len),
	                 SERVER_DROP_MODE);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(server_kod(req, 47, SERVER_KISS_RATE, 6, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED);
	ck_assert_int_eq(server_kod(req, 48, SERVER_KISS_RATE, 6, out, 47, &len),
	                 SERVER_ERR_BUFFER);
}
END_TEST

START_TEST(test_unsynchronised)
{
	uint8_t req[BUF_LEN], out[BUF_LEN];
	size_t len;
	struct server_system sys = sys_local();
	struct ntp_packet r;
	const struct {
		uint8_t leap, stratum;
		int want_li, want_stratum;
	} cases[] = {
		{NTP_LEAP_NONE, 16, 3, 0},    {NTP_LEAP_NONE, 0, 3, 0},   {NTP_LEAP_ALARM, 5, 3, 0},
		{NTP_LEAP_NONE, 200, 3, 0},   {NTP_LEAP_INSERT, 2, 1, 2}, {NTP_LEAP_DELETE, 1, 2, 1},
		{NTP_LEAP_NONE, 15, 0, 15},
	};

	make_request(req, first_byte(0, 4, NTP_MODE_CLIENT), 0xdeadbeefcafef00dull);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sys.leap = cases[i].leap;
		sys.stratum = cases[i].stratum;
		ck_assert_int_eq(server_respond(&sys, req, 48, 42, out, sizeof(out), &len),
		                 SERVER_REPLY);
		r = parse_ok(out, len);
		ck_assert_int_eq(r.leap, cases[i].want_li);
		ck_assert_int_eq(r.stratum, cases[i].want_stratum);
		ck_assert_uint_eq(r.org, 0xdeadbeefcafef00dull);
	}
}
END_TEST

START_TEST(test_system_fields)
{
	uint8_t req[BUF_LEN], out[BUF_LEN];
	size_t len;
	struct server_system sys = sys_local();
	struct ntp_packet r;

	sys.root_delay = 0.0123;
	sys.root_disp = 1e9; /* saturates */
	sys.precision = -29;
	make_request(req, first_byte(0, 4, NTP_MODE_CLIENT), 7);
	ck_assert_int_eq(server_respond(&sys, req, 48, 1000, out, sizeof(out), &len),
	                 SERVER_REPLY);
	r = parse_ok(out, len);
	ck_assert_uint_eq(r.root_delay, ntp_short_from_double(0.0123));
	ck_assert_uint_eq(r.root_disp, 0xffffffffu);
	ck_assert_int_eq(r.precision, -29);
	ck_assert_uint_eq(r.xmt, 1000); /* provisional transmit = receive time */
	server_set_transmit(out, len, 0);
	ck_assert_uint_eq(parse_ok(out, len).xmt, 1); /* never 0 on the wire */
	server_set_transmit(out, len, 0x0102030405060708ull);
	ck_assert_int_eq(out[SERVER_XMT_OFFSET], 1);
	ck_assert_int_eq(out[SERVER_XMT_OFFSET + 7], 8);
}
END_TEST

START_TEST(test_short_inputs)
{
	uint8_t req[BUF_LEN], out[BUF_LEN];
	size_t len = 7;
	struct server_system sys = sys_local();
	static const size_t lens[] = {0, 1, 2, 12, 47};

	make_request(req, first_byte(0, 4, NTP_MODE_CLIENT), 7);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ck_assert_int_eq(server_respond(&sys, req, lens[i], 1, out, sizeof(out), &len),
		                 SERVER_DROP_MALFORMED);
		ck_assert_uint_eq(len, 0);
	}
	ck_assert_int_eq(server_respond(&sys, NULL, 48, 1, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED);
	ck_assert_int_eq(server_respond(&sys, req, 48, 1, out, 47, &len), SERVER_ERR_BUFFER);
	ck_assert_int_eq(server_respond(&sys, req, 48, 1, NULL, 48, &len), SERVER_ERR_BUFFER);
	ck_assert_int_eq(server_respond(NULL, req, 48, 1, out, 48, &len), SERVER_ERR_BUFFER);
	ck_assert_int_eq(server_respond(&sys, req, 48, 1, out, 48, &len), SERVER_REPLY);
	ck_assert_uint_eq(len, 48);
}
END_TEST

static void put_ext(uint8_t *p, uint16_t type, uint16_t flen)
{
	memset(p, 0xa5, flen);
	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(flen >> 8);
	p[3] = (uint8_t)flen;
}

START_TEST(test_extension_fields)
{
	uint8_t req[BUF_LEN], out[BUF_LEN];
	size_t len;
	struct server_system sys = sys_local();

	/* 1100 bytes: header + two unknown fields (1000 + 52). Answered with 48. */
	make_request(req, first_byte(0, 4, NTP_MODE_CLIENT), 0x0123456789abcdefull);
	put_ext(req + 48, 0x7777, 1000);
	put_ext(req + 1048, 0x0104, 52);
	ck_assert_int_eq(server_respond(&sys, req, 1100, 5, out, sizeof(out), &len), SERVER_REPLY);
	ck_assert_uint_eq(len, 48);
	ck_assert_uint_eq(parse_ok(out, len).org, 0x0123456789abcdefull);
	/* Header + legacy MAC (key id + SHA-1): answered, unauthenticated. */
	ck_assert_int_eq(server_respond(&sys, req, 48 + 24, 5, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED); /* 24 bytes of an EF are not a MAC... */
	memset(req + 48, 0, 24);
	ck_assert_int_eq(server_respond(&sys, req, 48 + 24, 5, out, sizeof(out), &len),
	                 SERVER_REPLY); /* ...but a 24-byte remainder is */
	/* Malformed fields: bad length, truncated, unaligned, too short. */
	put_ext(req + 48, 0x7777, 1000);
	put_ext(req + 1048, 0x0104, 52);
	req[1048 + 3] = 56; /* runs past the end */
	ck_assert_int_eq(server_respond(&sys, req, 1100, 5, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED);
	ck_assert_uint_eq(len, 0);
	req[1048 + 3] = 50; /* not a multiple of 4 */
	ck_assert_int_eq(server_respond(&sys, req, 1100, 5, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED);
	put_ext(req + 48, 0x7777, 16);
	req[48 + 3] = 12; /* below the 16-byte minimum */
	ck_assert_int_eq(server_respond(&sys, req, 64, 5, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED);
	ck_assert_int_eq(server_respond(&sys, req, 48 + 13, 5, out, sizeof(out), &len),
	                 SERVER_DROP_MALFORMED); /* 13 trailing bytes */
	/* NTPv3 has no extension fields: the tail is a MAC and ignored. */
	req[0] = first_byte(0, 3, NTP_MODE_CLIENT);
	ck_assert_int_eq(server_respond(&sys, req, 1100, 5, out, sizeof(out), &len), SERVER_REPLY);
	ck_assert_uint_eq(len, 48);
}
END_TEST

START_TEST(test_modes_and_versions)
{
	uint8_t req[BUF_LEN], out[BUF_LEN];
	size_t len;
	struct server_system sys = sys_local();
	struct ntp_packet r;

	for (int vn = 0; vn < 8; vn++) {
		for (int mode = 0; mode < 8; mode++) {
			enum server_verdict want, got;

			make_request(req, first_byte(3, vn, mode), 99);
			if (mode == 6)
				want = SERVER_CONTROL;
			else if (mode == 7)
				want = SERVER_DROP_MODE7;
			else if (vn == 0 || vn > 4)
				want = SERVER_DROP_MALFORMED;
			else if (mode == 3 || (mode == 0 && vn == 1))
				want = SERVER_REPLY;
			else
				want = SERVER_DROP_MODE;
			got = server_respond(&sys, req, 48, 5, out, sizeof(out), &len);
			ck_assert_msg(got == want, "VN=%d mode=%d: %s, want %s", vn, mode,
			              server_verdict_str(got), server_verdict_str(want));
			if (got != SERVER_REPLY) {
				ck_assert_uint_eq(len, 0);
				continue;
			}
			r = parse_ok(out, len);
			ck_assert_int_eq(r.version, vn);
			ck_assert_int_eq(r.mode, NTP_MODE_SERVER);
			ck_assert_int_eq(r.leap, 0); /* ours, not the request's LI=3 */
		}
	}
	/* Modes 6 and 7 are recognised on their first byte alone. */
	req[0] = first_byte(0, 2, 6);
	ck_assert_int_eq(server_respond(&sys, req, 12, 5, out, sizeof(out), &len), SERVER_CONTROL);
	ck_assert_int_eq(server_respond(&sys, req, 1, 5, out, sizeof(out), &len), SERVER_CONTROL);
	req[0] = first_byte(0, 2, 7);
	ck_assert_int_eq(server_respond(&sys, req, 8, 5, out, sizeof(out), &len), SERVER_DROP_MODE7);
	ck_assert_str_eq(server_verdict_str(SERVER_DROP_MODE7), "mode7");
}
END_TEST

START_TEST(test_control_vector)
{
	struct vector_packet *v = NULL;
	int n = vectors_load("ntpsec-control.hex", &v), seen = 0;
	struct server_system sys = sys_local();
	uint8_t out[BUF_LEN];
	size_t len;

	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i].dir, "C>S") != 0)
			continue;
		ck_assert_int_eq(server_respond(&sys, v[i].data, v[i].len, 5, out, sizeof(out), &len),
		                 SERVER_CONTROL);
		seen++;
	}
	free(v);
	ck_assert_int_eq(seen, 1);
}
END_TEST

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* Random datagrams (half of them starting like a v4 client request): never a crash, a reply
 * only for a client request, always 48 bytes, always echoing the transmit timestamp. */
START_TEST(test_random_datagrams)
{
	uint32_t seed = FUZZ_SEED;
	uint8_t req[BUF_LEN], out[BUF_LEN];
	struct server_system sys = sys_local();
	int replies = 0;

	printf("test_random_datagrams: seed 0x%08x, %d rounds\n", FUZZ_SEED, FUZZ_ROUNDS);
	for (int k = 0; k < FUZZ_ROUNDS; k++) {
		size_t n = xorshift32(&seed) % BUF_LEN, len = 0;
		enum server_verdict v;

		for (size_t i = 0; i < n; i++)
			req[i] = (uint8_t)xorshift32(&seed);
		if (n > 0 && (k & 1))
			req[0] = first_byte(0, 4, NTP_MODE_CLIENT);
		if (n > 48 && (k & 2))
			n = 48 + (n - 48) / 4 * 4;
		v = server_respond(&sys, req, n, 5, out, sizeof(out), &len);
		ck_assert_int_le(v, SERVER_DROP_MODE7);
		if (v != SERVER_REPLY) {
			ck_assert_uint_eq(len, 0);
			continue;
		}
		ck_assert_uint_eq(len, 48);
		ck_assert_uint_ge(n, 48);
		ck_assert_int_eq(memcmp(out + 24, req + 40, 8), 0);
		ck_assert_int_eq(out[0] & 7, NTP_MODE_SERVER);
		replies++;
	}
	printf("test_random_datagrams: %d replies\n", replies);
	ck_assert_int_gt(replies, 0);
}
END_TEST

static Suite *server_suite(void)
{
	Suite *s = suite_create("server");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vector_requests);
	tcase_add_test(tc, test_chronyd_fields);
	tcase_add_test(tc, test_kod_ntpsec);
	tcase_add_test(tc, test_kod_deny_and_drops);
	tcase_add_test(tc, test_unsynchronised);
	tcase_add_test(tc, test_system_fields);
	tcase_add_test(tc, test_short_inputs);
	tcase_add_test(tc, test_extension_fields);
	tcase_add_test(tc, test_modes_and_versions);
	tcase_add_test(tc, test_control_vector);
	tcase_add_test(tc, test_random_datagrams);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(server_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
