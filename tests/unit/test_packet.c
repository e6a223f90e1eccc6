/* Unit tests for src/core/packet.c: every captured packet in tests/vectors against its
 * Wireshark decode, byte-exact re-serialisation, kiss codes, and RFC 7822 extension fields
 * on hand-built packets. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ntptime.h"
#include "core/packet.h"
#include "vectors.h"
#include "check_run.h"

#define MAX_FILES 64
#define N_VECTOR_FILES 9 /* files in tests/vectors when this test was written */
#define BUF_LEN 1200

/* ---------------------------------------------------------------------------------------- */
/* Vector files */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of the *.hex files in vectors_dir(); returns the count. */
static int list_vector_files(char *names[MAX_FILES])
{
	DIR *d = opendir(vectors_dir());
	struct dirent *e;
	int n = 0;

	ck_assert_msg(d != NULL, "cannot open %s (set STRATA_VECTORS)", vectors_dir());
	while ((e = readdir(d)) != NULL && n < MAX_FILES) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".hex") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	return n;
}

static void check_stamp(const char *where, const char *field, ntp_ts_t wire, bool null,
                        const struct timespec *want)
{
	if (null) {
		ck_assert_msg(wire == 0, "%s %s: decode NULL, wire %016llx", where, field,
		              (unsigned long long)wire);
		return;
	}
	/* Wireshark truncates to the nanosecond: the wire value is up to 1 ns later. */
	double d = ntp_ts_diff(wire, ntp_ts_from_timespec(want));

	ck_assert_msg(fabs(d) <= 1e-9, "%s %s: %016llx vs %lld.%09ld (%.3g s)", where, field,
	              (unsigned long long)wire, (long long)want->tv_sec, want->tv_nsec, d);
}

static void check_ints(const char *where, const struct ntp_packet *p, const struct vector_decode *d)
{
	const int got[] = {p->leap, p->version, p->mode, p->stratum, p->poll, p->precision};
	const int want[] = {d->li, d->vn, d->mode, d->stratum, d->poll, d->prec};
	static const char *const names[] = {"LI", "VN", "mode", "stratum", "poll", "prec"};

	for (unsigned i = 0; i < 6; i++)
		if (d->have & (1u << i))
			ck_assert_msg(got[i] == want[i], "%s %s: got %d, decode %d", where,
			              names[i], got[i], want[i]);
}

/* Checks every field the decode gives; returns the number of fields checked. */
static int check_decode(const char *where, const struct ntp_packet *p,
                        const struct vector_decode *d)
{
	const double half_unit = 1.0 / 131072.0; /* half a short-format unit, s */

	check_ints(where, p, d);
	if (d->have & VD_RDELAY)
		ck_assert_double_eq_tol(ntp_short_to_double(p->root_delay), d->rdelay, half_unit);
	if (d->have & VD_RDISP)
		ck_assert_double_eq_tol(ntp_short_to_double(p->root_disp), d->rdisp, half_unit);
	if (d->have & VD_REFID)
		ck_assert_msg(p->refid == d->refid, "%s refid %08x vs %08x", where, p->refid,
		              d->refid);
	if (d->have & VD_REF)
		check_stamp(where, "ref", p->ref, d->ref_null, &d->ref);
	if (d->have & VD_ORG)
		check_stamp(where, "org", p->org, d->org_null, &d->org);
	if (d->have & VD_REC)
		check_stamp(where, "rec", p->rec, d->rec_null, &d->rec);
	if (d->have & VD_XMT)
		check_stamp(where, "xmt", p->xmt, d->xmt_null, &d->xmt);
	return __builtin_popcount(d->have);
}

/* Parses one captured packet, checks it against its decode and re-serialises it.
 * Returns the number of decoded fields checked. */
static int check_vector_packet(const char *where, const struct vector_packet *v)
{
	struct ntp_packet p;
	uint8_t out[NTP_HEADER_LEN];
	enum ntp_parse_result r = ntp_packet_parse(v->data, v->len, &p);

	if (v->len < NTP_HEADER_LEN) {
		/* only the 12-byte mode-6 control request is that short */
		ck_assert_int_eq(r, NTP_PARSE_SHORT);
		ck_assert_int_eq(v->data[0] & 7, NTP_MODE_CONTROL);
		ck_assert_uint_eq(v->decode.have, VD_LI | VD_VN | VD_MODE);
		return 0;
	}
	ck_assert_msg(r == NTP_PARSE_OK, "%s: %s", where, ntp_parse_result_str(r));
	ck_assert_uint_eq(ntp_packet_serialize(&p, out, sizeof(out)), NTP_HEADER_LEN);
	ck_assert_msg(memcmp(out, v->data, NTP_HEADER_LEN) == 0, "%s: re-serialised differs",
	              where);
	return check_decode(where, &p, &v->decode);
}

static void check_file_decodes(const char *name, const struct vector_packet *v, int n)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(name, "ntpsec-control.hex") == 0)
			ck_assert_uint_eq(v[i].decode.have, VD_LI | VD_VN | VD_MODE);
		else if (strcmp(name, "ntpsec-unsync.hex") == 0)
			ck_assert(v[i].decode.have & VD_PREC);
		else
			ck_assert_msg(v[i].decode.valid, "%s packet %d: no full decode", name, i);
	}
}

START_TEST(test_vectors_all)
{
	char *names[MAX_FILES] = {NULL};
	int nfiles = list_vector_files(names), total = 0, fields = 0;

	ck_assert_int_ge(nfiles, N_VECTOR_FILES);
	for (int f = 0; f < nfiles; f++) {
		struct vector_packet *v;
		int n = vectors_load(names[f], &v);

		ck_assert_msg(n > 0, "%s: load returned %d", names[f], n);
		check_file_decodes(names[f], v, n);
		for (int i = 0; i < n; i++) {
			char where[128];

			snprintf(where, sizeof(where), "%s packet %d (%s %.6f)", names[f], i,
			         v[i].dir, v[i].t_rel);
			fields += check_vector_packet(where, &v[i]);
		}
		total += n;
		free(v);
		free(names[f]);
	}
	printf("test_vectors_all: %d files, %d packets, %d decoded fields checked\n", nfiles, total,
	       fields);
	ck_assert_int_ge(total, 155);
	ck_assert_int_ge(fields, 150 * 13);
}
END_TEST

static int load(const char *name, struct vector_packet **v)
{
	int n = vectors_load(name, v);

	ck_assert_msg(n > 0, "%s: %d", name, n);
	return n;
}

START_TEST(test_vectors_loader_details)
{
	struct vector_packet *v;
	int n = load("ntpsec-unsync.hex", &v);

	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(v[1].dir, "S>C");
	ck_assert_double_eq_tol(v[1].t_rel, 0.000494, 1e-12);
	ck_assert_int_eq(v[0].decode.prec, -23);
	ck_assert_int_eq(v[1].decode.prec, -24);
	ck_assert_uint_eq(v[1].decode.refid, 0x494e4954u); /* "INIT" */
	ck_assert_double_eq(v[1].decode.rdisp, 11.0 / 65536.0);
	ck_assert(v[1].decode.ref_null);
	ck_assert(!(v[1].decode.have & (VD_ORG | VD_REC | VD_XMT))); /* "echo", "server time" */
	free(v);

	n = load("chronyd-server.hex", &v);
	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(v[1].decode.prec, -25); /* printed as 231 */
	ck_assert_int_eq(v[1].decode.xmt.tv_sec, 1795994726LL);
	ck_assert_int_eq(v[1].decode.xmt.tv_nsec, 494402174);
	ck_assert_uint_eq(v[1].len, 48);
	free(v);

	n = load("ntpsec-control.hex", &v);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(v[0].len, 12);
	ck_assert_uint_eq(v[1].len, 364);
	ck_assert(!v[1].decode.valid);
	free(v);

	ck_assert_int_eq(vectors_load("no-such-file.hex", &v), -1);
	ck_assert_ptr_null(v);
}
END_TEST

/* Writes text to a temporary file and loads it by absolute path. */
static int load_text(const char *text, struct vector_packet **v)
{
	char path[] = "/tmp/strata-vectors-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	int n;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	n = vectors_load(path, v);
	unlink(path);
	return n;
}

START_TEST(test_vectors_loader_errors)
{
	struct vector_packet *v;

	ck_assert_int_eq(load_text("C>S 0.0 abc\n", &v), -1);  /* odd hex length */
	ck_assert_int_eq(load_text("C>S 0.0 zz\n", &v), -1);   /* not hex */
	ck_assert_int_eq(load_text("X>Y 0.0 2300\n", &v), -1); /* bad direction */
	ck_assert_int_eq(load_text("# only comments\n", &v), 0);
	ck_assert_ptr_null(v);
	/* a decode for the other direction is not this packet's decode */
	ck_assert_int_eq(load_text("#  S>C LI=1 VN=4 mode=4\nC>S 1.5 e3\n", &v), 1);
	ck_assert_uint_eq(v[0].decode.have, 0);
	ck_assert_uint_eq(v[0].len, 1);
	ck_assert_uint_eq(v[0].data[0], 0xe3);
	free(v);
	/* a decode separated by a blank line is not used either */
	ck_assert_int_eq(load_text("#  C>S LI=1 VN=4 mode=3\n\nC>S 1.5 e3\n", &v), 1);
	ck_assert_uint_eq(v[0].decode.have, 0);
	free(v);
	ck_assert_int_eq(load_text("#  C>S LI=1 VN=4 mode=3 xmt=Feb 7, 2036 06:28:16.5 UTC\n"
	                           "C>S 1.5 e3\n",
	                           &v),
	                 1);
	ck_assert_uint_eq(v[0].decode.have, VD_LI | VD_VN | VD_MODE | VD_XMT);
	ck_assert_int_eq(v[0].decode.xmt.tv_sec, NTP_ERA1_UNIX);
	ck_assert_int_eq(v[0].decode.xmt.tv_nsec, 500000000);
	free(v);
}
END_TEST

START_TEST(test_vectors_kod)
{
	struct vector_packet *v;
	int n = load("ntpsec-kod.hex", &v), kods = 0, normal = 0;

	for (int i = 0; i < n; i++) {
		struct ntp_packet p;
		char code[5];

		if (strcmp(v[i].dir, "S>C") != 0)
			continue;
		ck_assert_int_eq(ntp_packet_parse(v[i].data, v[i].len, &p), NTP_PARSE_OK);
		if (ntp_packet_kiss_code(&p, code)) {
			ck_assert_str_eq(code, "RATE");
			ck_assert_int_eq(p.leap, NTP_LEAP_ALARM);
			/* NTPsec leaks no server time: org = rec = xmt */
			ck_assert_uint_eq(p.org, p.rec);
			ck_assert_uint_eq(p.org, p.xmt);
			kods++;
		} else {
			ck_assert_int_eq(p.stratum, 10);
			normal++;
		}
	}
	ck_assert_int_eq(normal, 8);
	ck_assert_int_ge(kods, 1);
	free(v);
}
END_TEST

START_TEST(test_vectors_unsync_kiss)
{
	struct vector_packet *v;
	struct ntp_packet p;
	char code[5];
	int n = load("ntpsec-unsync.hex", &v);

	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ntp_packet_parse(v[1].data, v[1].len, &p), NTP_PARSE_OK);
	ck_assert(ntp_packet_kiss_code(&p, code));
	ck_assert_str_eq(code, "INIT");
	ck_assert_int_eq(ntp_packet_parse(v[0].data, v[0].len, &p), NTP_PARSE_OK);
	ck_assert(!ntp_packet_kiss_code(&p, code)); /* mode 3 */
	free(v);

	/* OpenNTPD unsynchronised: stratum 0 with refid 0 looks like a KoD with no code */
	n = load("openntpd-server.hex", &v);
	ck_assert_int_eq(ntp_packet_parse(v[1].data, v[1].len, &p), NTP_PARSE_OK);
	ck_assert(ntp_packet_kiss_code(&p, code));
	ck_assert_str_eq(code, "????");
	free(v);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Hand-built packets */

/* A version-4 client header in buf[0..48). */
static void make_header(uint8_t *buf, int version)
{
	memset(buf, 0, NTP_HEADER_LEN);
	buf[0] = (uint8_t)((version & 7) << 3 | NTP_MODE_CLIENT);
	buf[2] = 6;
	buf[3] = 0xe9;
	memset(buf + 40, 0xab, 8);
}

/* Writes an extension field header (type, length) at buf + pos and a value pattern over
 * min(length, room) - 4 bytes; returns pos + length. */
static size_t put_ef(uint8_t *buf, size_t pos, uint16_t type, uint16_t length, size_t room)
{
	buf[pos] = (uint8_t)(type >> 8);
	buf[pos + 1] = (uint8_t)type;
	buf[pos + 2] = (uint8_t)(length >> 8);
	buf[pos + 3] = (uint8_t)length;
	for (size_t i = 4; i < length && i < room; i++)
		buf[pos + i] = (uint8_t)(i ^ type);
	return pos + length;
}

/* Tail of n bytes at buf + pos looking like a MAC (key id 1 + digest). */
static size_t put_mac(uint8_t *buf, size_t pos, size_t n)
{
	memset(buf + pos, 0x5a, n);
	if (n == 4)
		memset(buf + pos, 0, 4); /* crypto-NAK: key id 0 */
	return pos + n;
}

static void expect_walk(const uint8_t *buf, size_t len, bool ok, size_t fields, size_t mac)
{
	size_t n = 99, m = 99;
	struct ntp_packet p;

	ck_assert_msg(ntp_ext_walk(buf, len, &n, &m) == ok,
	              "walk of %zu bytes (tail %02x%02x%02x%02x)", len, buf[48], buf[49], buf[50],
	              buf[51]);
	ck_assert_int_eq(ntp_packet_parse(buf, len, &p), ok ? NTP_PARSE_OK : NTP_PARSE_BAD_EXT);
	if (ok) {
		ck_assert_uint_eq(n, fields);
		ck_assert_uint_eq(m, mac);
	}
}

START_TEST(test_ext_none)
{
	uint8_t buf[BUF_LEN];
	struct ntp_ext_iter it;
	struct ntp_ext e;

	make_header(buf, 4);
	expect_walk(buf, NTP_HEADER_LEN, true, 0, 0);
	ntp_ext_iter_init(&it, buf, NTP_HEADER_LEN);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_END);
	ck_assert_uint_eq(it.mac_len, 0);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_END);
}
END_TEST

START_TEST(test_ext_one)
{
	uint8_t buf[BUF_LEN];
	struct ntp_ext_iter it;
	struct ntp_ext e;
	size_t len;

	make_header(buf, 4);
	len = put_ef(buf, NTP_HEADER_LEN, 0x0104, 28, 28);
	expect_walk(buf, len, true, 1, 0);
	ntp_ext_iter_init(&it, buf, len);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_FIELD);
	ck_assert_uint_eq(e.type, 0x0104);
	ck_assert_uint_eq(e.length, 28);
	ck_assert_ptr_eq(e.value, buf + NTP_HEADER_LEN + 4);
	ck_assert_uint_eq(e.value[0], 4 ^ 0x04);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_END);
	ck_assert_uint_eq(it.mac_len, 0);

	/* the smallest field, 16 bytes */
	len = put_ef(buf, NTP_HEADER_LEN, 0x0204, 16, 16);
	expect_walk(buf, len, true, 1, 0);
}
END_TEST

START_TEST(test_ext_two)
{
	uint8_t buf[BUF_LEN];
	struct ntp_ext_iter it;
	struct ntp_ext e;
	size_t len;

	make_header(buf, 4);
	len = put_ef(buf, NTP_HEADER_LEN, 0x0104, 16, 16);
	len = put_ef(buf, len, 0x0404, 40, 40);
	expect_walk(buf, len, true, 2, 0);
	ntp_ext_iter_init(&it, buf, len);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_FIELD);
	ck_assert_uint_eq(e.type, 0x0104);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_FIELD);
	ck_assert_uint_eq(e.type, 0x0404);
	ck_assert_uint_eq(e.length, 40);
	ck_assert_ptr_eq(e.value, buf + NTP_HEADER_LEN + 16 + 4);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_END);
}
END_TEST

START_TEST(test_ext_with_mac)
{
	const size_t macs[] = {4, 20, 24};
	uint8_t buf[BUF_LEN];

	make_header(buf, 4);
	for (size_t i = 0; i < 3; i++) {
		size_t len = put_ef(buf, NTP_HEADER_LEN, 0x0104, 32, 32);
		struct ntp_ext_iter it;
		struct ntp_ext e;

		len = put_mac(buf, len, macs[i]);
		expect_walk(buf, len, true, 1, macs[i]);
		ntp_ext_iter_init(&it, buf, len);
		ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_FIELD);
		ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_END);
		ck_assert_uint_eq(it.mac_len, macs[i]);
		ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_END);
	}
}
END_TEST

START_TEST(test_ext_mac_only)
{
	uint8_t buf[BUF_LEN];

	make_header(buf, 4);
	expect_walk(buf, put_mac(buf, NTP_HEADER_LEN, 24), true, 0, 24);
	expect_walk(buf, put_mac(buf, NTP_HEADER_LEN, 20), true, 0, 20);
	expect_walk(buf, put_mac(buf, NTP_HEADER_LEN, 4), true, 0, 4); /* crypto-NAK */
	/* a 20- or 24-byte tail is a MAC even if it would parse as a field */
	put_ef(buf, NTP_HEADER_LEN, 0x0104, 24, 24);
	expect_walk(buf, NTP_HEADER_LEN + 24, true, 0, 24);
}
END_TEST

START_TEST(test_ext_malformed)
{
	const uint16_t bad_lengths[] = {0, 3, 12, 18, 30, 34};
	uint8_t buf[BUF_LEN];
	size_t len;

	make_header(buf, 4);
	for (size_t i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]); i++) {
		put_ef(buf, NTP_HEADER_LEN, 0x0104, bad_lengths[i], 32);
		expect_walk(buf, NTP_HEADER_LEN + 32, false, 0, 0);
	}
	/* not a multiple of 4, although the next field would fit right after it */
	len = put_ef(buf, NTP_HEADER_LEN, 0x0104, 18, 18);
	len = put_ef(buf, len, 0x0204, 16, 16);
	expect_walk(buf, len, false, 0, 0);
	/* longer than the buffer */
	put_ef(buf, NTP_HEADER_LEN, 0x0104, 64, 32);
	expect_walk(buf, NTP_HEADER_LEN + 32, false, 0, 0);
	put_ef(buf, NTP_HEADER_LEN, 0x0104, 0xfffc, 32);
	expect_walk(buf, NTP_HEADER_LEN + 32, false, 0, 0);
	/* tails that are neither a field nor a MAC */
	memset(buf + NTP_HEADER_LEN, 0, 32);
	const size_t odd_tails[] = {1, 2, 3, 5, 8, 12, 15, 21, 25};
	for (size_t i = 0; i < sizeof(odd_tails) / sizeof(odd_tails[0]); i++)
		expect_walk(buf, NTP_HEADER_LEN + odd_tails[i], false, 0, 0);
	/* a valid field followed by 12 bytes (not a MAC length) */
	len = put_ef(buf, NTP_HEADER_LEN, 0x0104, 16, 16);
	memset(buf + len, 0, 12);
	expect_walk(buf, len + 12, false, 0, 0);
	/* ... but a 16-byte field + 8 bytes is a 24-byte tail, read as a MAC (RFC 7822) */
	expect_walk(buf, len + 8, true, 0, 24);
	/* a valid field followed by 17 bytes: neither a MAC nor a field */
	expect_walk(buf, len + 17, false, 0, 0);
}
END_TEST

START_TEST(test_ext_iter_bounds)
{
	uint8_t buf[BUF_LEN];
	struct ntp_ext_iter it;
	struct ntp_ext e;
	size_t n = 0, m = 0;

	make_header(buf, 4);
	ntp_ext_iter_init(&it, buf, 47);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_MALFORMED);
	ck_assert(!ntp_ext_walk(buf, 47, &n, &m));
	ck_assert(!ntp_ext_walk(NULL, 0, NULL, NULL));
	/* a length field of 16 that only fits when the buffer is 16 bytes past the header */
	put_ef(buf, NTP_HEADER_LEN, 0x0104, 16, 16);
	ck_assert(!ntp_ext_walk(buf, NTP_HEADER_LEN + 15, &n, &m));
	ck_assert(ntp_ext_walk(buf, NTP_HEADER_LEN + 16, &n, &m));
	ck_assert_uint_eq(n, 1);
	/* a field claiming 4 bytes more than the buffer holds is never returned */
	put_ef(buf, NTP_HEADER_LEN, 0x0104, 20, 16);
	ntp_ext_iter_init(&it, buf, NTP_HEADER_LEN + 16);
	ck_assert_int_eq(ntp_ext_next(&it, &e), NTP_EXT_MALFORMED);
}
END_TEST

START_TEST(test_ext_1100_bytes)
{
	uint8_t buf[BUF_LEN];
	size_t len;

	make_header(buf, 4);
	/* one field filling the whole tail */
	len = put_ef(buf, NTP_HEADER_LEN, 0x0204, 1100 - NTP_HEADER_LEN, BUF_LEN);
	ck_assert_uint_eq(len, 1100);
	expect_walk(buf, len, true, 1, 0);
	/* 1000 + 28 + 24-byte MAC */
	len = put_ef(buf, NTP_HEADER_LEN, 0x0204, 1000, BUF_LEN);
	len = put_ef(buf, len, 0x0304, 28, 28);
	len = put_mac(buf, len, 24);
	ck_assert_uint_eq(len, 1100);
	expect_walk(buf, len, true, 2, 24);
	/* 65 minimal fields + a 12-byte remainder: malformed */
	len = NTP_HEADER_LEN;
	for (int i = 0; i < 65; i++)
		len = put_ef(buf, len, (uint16_t)(0x1000 + i), 16, 16);
	memset(buf + len, 0, 1100 - len);
	ck_assert_uint_eq(1100 - len, 12);
	expect_walk(buf, 1100, false, 0, 0);
	/* 65 fields + a 12-byte field tail fixed up into a 28-byte last field */
	put_ef(buf, len - 16, 0x2000, 28, 28);
	expect_walk(buf, 1100, true, 65, 0);
}
END_TEST

START_TEST(test_parse_short)
{
	uint8_t buf[BUF_LEN];
	struct ntp_packet p;
	const size_t lens[] = {0, 1, 12, 47};

	make_header(buf, 4);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		ck_assert_int_eq(ntp_packet_parse(buf, lens[i], &p), NTP_PARSE_SHORT);
	ck_assert_int_eq(ntp_packet_parse(NULL, 0, &p), NTP_PARSE_SHORT);
	ck_assert_int_eq(ntp_packet_parse(buf, 48, &p), NTP_PARSE_OK);
}
END_TEST

START_TEST(test_parse_versions)
{
	uint8_t buf[BUF_LEN];
	struct ntp_packet p;

	for (int v = 0; v < 8; v++) {
		make_header(buf, v);
		memset(&p, 0xee, sizeof(p));
		enum ntp_parse_result r = ntp_packet_parse(buf, NTP_HEADER_LEN, &p);

		ck_assert_int_eq(r, (v >= 1 && v <= 4) ? NTP_PARSE_OK : NTP_PARSE_BAD_VERSION);
		ck_assert_int_eq(p.version, v); /* filled even when rejected */
		ck_assert_int_eq(p.mode, NTP_MODE_CLIENT);
	}
	/* versions 1-3 have no extension fields: any tail is accepted */
	const size_t tails[] = {1, 3, 7, 20, 24, 33, 400};
	for (int v = 1; v <= 3; v++) {
		make_header(buf, v);
		memset(buf + NTP_HEADER_LEN, 0xff, BUF_LEN - NTP_HEADER_LEN);
		for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
			ck_assert_int_eq(ntp_packet_parse(buf, NTP_HEADER_LEN + tails[i], &p),
			                 NTP_PARSE_OK);
	}
	/* the same tails are malformed in version 4, except the MAC lengths */
	make_header(buf, 4);
	ck_assert_int_eq(ntp_packet_parse(buf, NTP_HEADER_LEN + 7, &p), NTP_PARSE_BAD_EXT);
	ck_assert_int_eq(ntp_packet_parse(buf, NTP_HEADER_LEN + 20, &p), NTP_PARSE_OK);
	/* version 5 with a bad tail reports the version */
	make_header(buf, 5);
	ck_assert_int_eq(ntp_packet_parse(buf, NTP_HEADER_LEN + 7, &p), NTP_PARSE_BAD_VERSION);
}
END_TEST

START_TEST(test_parse_fields)
{
	const uint8_t raw[NTP_HEADER_LEN] = {
	        0xe4, 0x02, 0xfa, 0xe7, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00, 0x00, 0x0b,
	        0x47, 0x50, 0x53, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	        0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x21, 0x22, 0x23, 0x24,
	        0x25, 0x26, 0x27, 0x28, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38};
	struct ntp_packet p;
	uint8_t out[NTP_HEADER_LEN];
	char code[5];

	ck_assert_int_eq(ntp_packet_parse(raw, sizeof(raw), &p), NTP_PARSE_OK);
	ck_assert_int_eq(p.leap, NTP_LEAP_ALARM);
	ck_assert_int_eq(p.version, 4);
	ck_assert_int_eq(p.mode, NTP_MODE_SERVER);
	ck_assert_int_eq(p.stratum, 2);
	ck_assert_int_eq(p.poll, -6);
	ck_assert_int_eq(p.precision, -25);
	ck_assert_uint_eq(p.root_delay, 0x00018000u);
	ck_assert_double_eq(ntp_short_to_double(p.root_delay), 1.5);
	ck_assert_uint_eq(p.root_disp, 11);
	ck_assert_uint_eq(p.refid, 0x47505300u);
	ck_assert_uint_eq(p.ref, 0x0102030405060708ULL);
	ck_assert_uint_eq(p.org, 0x1112131415161718ULL);
	ck_assert_uint_eq(p.rec, 0x2122232425262728ULL);
	ck_assert_uint_eq(p.xmt, 0x3132333435363738ULL);
	ck_assert(!ntp_packet_kiss_code(&p, code)); /* stratum 2 */
	ck_assert_str_eq(code, "GPS?");
	ck_assert_uint_eq(ntp_packet_serialize(&p, out, sizeof(out)), NTP_HEADER_LEN);
	ck_assert_mem_eq(out, raw, NTP_HEADER_LEN);
	ck_assert_uint_eq(ntp_packet_serialize(&p, out, NTP_HEADER_LEN - 1), 0);
}
END_TEST

START_TEST(test_serialize_masks)
{
	struct ntp_packet p = {.leap = 7, .version = 0xfc, .mode = 0x0b, .stratum = 16};
	uint8_t out[NTP_HEADER_LEN];

	ck_assert_uint_eq(ntp_packet_serialize(&p, out, sizeof(out)), NTP_HEADER_LEN);
	/* leap 7 -> 3, version 0xfc -> 4, mode 0x0b -> 3 */
	ck_assert_uint_eq(out[0], 3u << 6 | 4u << 3 | 3u);
	ck_assert_uint_eq(out[1], 16);
}
END_TEST

START_TEST(test_kiss_codes)
{
	struct ntp_packet p = {.mode = NTP_MODE_SERVER, .stratum = 0, .refid = 0x44454e59u};
	char code[5];

	ck_assert(ntp_packet_kiss_code(&p, code));
	ck_assert_str_eq(code, "DENY");
	p.refid = 0x0a7f2041u; /* newline, DEL, space, 'A' */
	ck_assert(ntp_packet_kiss_code(&p, code));
	ck_assert_str_eq(code, "?? A");
	p.mode = NTP_MODE_SYMMETRIC_ACTIVE;
	ck_assert(!ntp_packet_kiss_code(&p, code));
	p.mode = NTP_MODE_SERVER;
	p.stratum = 1;
	ck_assert(!ntp_packet_kiss_code(&p, code));
}
END_TEST

START_TEST(test_result_strings)
{
	const char *s[4] = {ntp_parse_result_str(NTP_PARSE_OK),
	                    ntp_parse_result_str(NTP_PARSE_SHORT),
	                    ntp_parse_result_str(NTP_PARSE_BAD_VERSION),
	                    ntp_parse_result_str(NTP_PARSE_BAD_EXT)};

	for (int i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(s[i]);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(s[i], s[j]);
	}
	ck_assert_ptr_nonnull(ntp_parse_result_str((enum ntp_parse_result)42));
}
END_TEST

static Suite *packet_suite(void)
{
	Suite *s = suite_create("packet");
	TCase *vec = tcase_create("vectors");
	TCase *ext = tcase_create("extension fields");
	TCase *hdr = tcase_create("header");

	tcase_add_test(vec, test_vectors_all);
	tcase_add_test(vec, test_vectors_loader_details);
	tcase_add_test(vec, test_vectors_loader_errors);
	tcase_add_test(vec, test_vectors_kod);
	tcase_add_test(vec, test_vectors_unsync_kiss);
	tcase_add_test(ext, test_ext_none);
	tcase_add_test(ext, test_ext_one);
	tcase_add_test(ext, test_ext_two);
	tcase_add_test(ext, test_ext_with_mac);
	tcase_add_test(ext, test_ext_mac_only);
	tcase_add_test(ext, test_ext_malformed);
	tcase_add_test(ext, test_ext_iter_bounds);
	tcase_add_test(ext, test_ext_1100_bytes);
	tcase_add_test(hdr, test_parse_short);
	tcase_add_test(hdr, test_parse_versions);
	tcase_add_test(hdr, test_parse_fields);
	tcase_add_test(hdr, test_serialize_masks);
	tcase_add_test(hdr, test_kiss_codes);
	tcase_add_test(hdr, test_result_strings);
	suite_add_tcase(s, vec);
	suite_add_tcase(s, ext);
	suite_add_tcase(s, hdr);
	return s;
}

int main(void)
{
	return check_run(packet_suite());
}
