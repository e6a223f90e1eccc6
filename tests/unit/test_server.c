/* Unit tests for core/server and core/acl: replies built for the requests captured from real
 * clients, compared field by field with what chronyd, NTPsec and OpenNTPD answered in the same
 * state (tests/vectors); malformed and non-client requests; the unsynchronised reply; access
 * rules (longest prefix wins, deny on a tie, IPv4-mapped addresses, default deny). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/acl.h"
#include "core/packet.h"
#include "core/server.h"
#include "check_run.h"
#include "vectors.h"

/* The server state a captured reply shows. */
static struct server_state state_of(const struct ntp_packet *r)
{
	struct server_state st = {.synced = r->leap != NTP_LEAP_ALARM && r->stratum != 0,
	                          .stratum = r->stratum,
	                          .leap = r->leap,
	                          .refid = r->refid,
	                          .ref_time = r->ref,
	                          .root_delay = ntp_short_to_double(r->root_delay),
	                          .root_disp = ntp_short_to_double(r->root_disp),
	                          .precision = r->precision};
	return st;
}

/* Every request of FILE answered as its server did; returns the number of pairs checked. */
static int check_file(const char *file)
{
	struct vector_packet *v;
	int n = vectors_load(file, &v), pairs = 0;
	ck_assert_int_ge(n, 2);
	for (int i = 0; i + 1 < n; i++) {
		if (strcmp(v[i].dir, "C>S") != 0 || strcmp(v[i + 1].dir, "S>C") != 0)
			continue;
		struct ntp_packet q, theirs, ours;
		ck_assert_int_eq(ntp_packet_parse(v[i].data, v[i].len, &q), NTP_PARSE_OK);
		ck_assert_int_eq(ntp_packet_parse(v[i + 1].data, v[i + 1].len, &theirs),
		                 NTP_PARSE_OK);
		if (theirs.stratum == 0 && theirs.leap != NTP_LEAP_ALARM)
			continue; /* a kiss-o'-death: rate limiting, not this module */
		struct server_state st = state_of(&theirs);
		uint8_t out[NTP_HEADER_LEN];
		size_t len = 0;
		ck_assert_int_eq(
		        server_respond(&st, v[i].data, v[i].len, theirs.rec, theirs.xmt, out, &len),
		        SERVER_REPLY);
		ck_assert_uint_eq(len, NTP_HEADER_LEN);
		ck_assert_uint_le(len, v[i].len);
		ck_assert_int_eq(ntp_packet_parse(out, len, &ours), NTP_PARSE_OK);
		ck_assert_msg(ours.leap == theirs.leap && ours.version == theirs.version &&
		                      ours.mode == NTP_MODE_SERVER &&
		                      ours.stratum == theirs.stratum &&
		                      ours.precision == theirs.precision,
		              "%s packet %d: header differs", file, i + 1);
		ck_assert_int_eq(ours.version, q.version);
		ck_assert_uint_eq(ours.org, q.xmt);
		ck_assert_uint_eq(ours.org, theirs.org);
		ck_assert_uint_eq(ours.rec, theirs.rec);
		ck_assert_uint_eq(ours.xmt, theirs.xmt);
		if (st.synced) {
			ck_assert_uint_eq(ours.refid, theirs.refid);
			ck_assert_uint_eq(ours.ref, theirs.ref);
			ck_assert(fabs(ntp_short_to_double(ours.root_delay) - st.root_delay) <
			          1e-4);
			double d = ntp_short_to_double(ours.root_disp) - st.root_disp;
			ck_assert_msg(d >= -1e-4 && d < 2e-3, "%s: root dispersion off by %g", file,
			              d);
		} else { /* OpenNTPD sends refid 0, NTPsec "INIT": we do as NTPsec */
			ck_assert_uint_eq(ours.refid, SERVER_REFID_INIT);
			ck_assert_uint_eq(ours.ref, 0);
		}
		pairs++;
	}
	free(v);
	return pairs;
}

START_TEST(replies_match_real_servers)
{
	ck_assert_int_ge(check_file("chronyd-server.hex"), 1);
	ck_assert_int_ge(check_file("ntpsec-server.hex"), 1);
	ck_assert_int_ge(check_file("openntpd-server.hex"), 1);
	ck_assert_int_ge(check_file("ntpdig-client.hex"), 1);
	ck_assert_int_ge(check_file("chronyd-client.hex"), 1);
	ck_assert_int_eq(check_file("ntpsec-unsync.hex"), 1);
}
END_TEST

static const struct server_state synced = {.synced = true,
                                           .stratum = 3,
                                           .leap = NTP_LEAP_INSERT,
                                           .refid = 0xc0000201,
                                           .ref_time = 0xeeb7330000000000ull,
                                           .root_delay = 0.002,
                                           .root_disp = 0.001,
                                           .precision = -20};

/* A version VN client request with the given transmit timestamp, in buf (len bytes). */
static void request(uint8_t *buf, size_t len, int vn, int mode, ntp_ts_t xmt)
{
	struct ntp_packet q = {
	        .version = (uint8_t)vn, .mode = (uint8_t)mode, .poll = 6, .xmt = xmt};
	memset(buf, 0, len);
	ntp_packet_serialize(&q, buf, len);
}

START_TEST(versions_extensions_and_bad_requests)
{
	uint8_t req[96], out[NTP_HEADER_LEN];
	size_t len;
	struct ntp_packet p;
	ntp_ts_t rx = synced.ref_time + (100ull << 32); /* 100 s after the update */
	for (int vn = 1; vn <= 4; vn++) {
		request(req, 48, vn, NTP_MODE_CLIENT, 0x1234);
		ck_assert_int_eq(server_respond(&synced, req, 48, rx, rx + 1, out, &len),
		                 SERVER_REPLY);
		ntp_packet_parse(out, len, &p);
		ck_assert_int_eq(p.version, vn);
		ck_assert_int_eq(p.leap, NTP_LEAP_INSERT);
		ck_assert_int_eq(p.poll, 6);
		ck_assert_uint_eq(p.org, 0x1234);
		/* 1 ms + 2^-20 + 15 ppm * 100 s */
		ck_assert(fabs(ntp_short_to_double(p.root_disp) - 0.0025) < 3e-5);
	}
	/* A v4 request with an unknown 16-byte extension field: answered with 48 bytes. */
	request(req, 64, 4, NTP_MODE_CLIENT, 0x99);
	const uint8_t ext[16] = {0x7f, 0x01, 0x00, 0x10};
	memcpy(req + 48, ext, sizeof(ext));
	ck_assert_int_eq(server_respond(&synced, req, 64, rx, rx, out, &len), SERVER_REPLY);
	ck_assert_uint_eq(len, 48);
	/* A malformed extension field, a short packet, version 0 and 5: dropped. */
	req[51] = 0x0c;
	ck_assert_int_eq(server_respond(&synced, req, 64, rx, rx, out, &len), SERVER_MALFORMED);
	ck_assert_int_eq(server_respond(&synced, req, 47, rx, rx, out, &len), SERVER_MALFORMED);
	request(req, 48, 0, NTP_MODE_CLIENT, 1);
	ck_assert_int_eq(server_respond(&synced, req, 48, rx, rx, out, &len), SERVER_MALFORMED);
	request(req, 48, 5, NTP_MODE_CLIENT, 1);
	ck_assert_int_eq(server_respond(&synced, req, 48, rx, rx, out, &len), SERVER_MALFORMED);
	/* Not client requests: server replies (no reflection loops), control, broadcast. */
	int modes[] = {NTP_MODE_SYMMETRIC_ACTIVE, NTP_MODE_SERVER,  NTP_MODE_BROADCAST,
	               NTP_MODE_CONTROL,          NTP_MODE_PRIVATE, NTP_MODE_RESERVED};
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		request(req, 48, 4, modes[k], 1);
		ck_assert_int_eq(server_respond(&synced, req, 48, rx, rx, out, &len),
		                 SERVER_NOT_CLIENT);
	}
	ck_assert_str_eq(server_verdict_str(SERVER_NOT_CLIENT), "not a client request");
}
END_TEST

START_TEST(unsynchronised_reply)
{
	struct server_state st = synced;
	st.synced = false;
	uint8_t req[48], out[48];
	size_t len;
	struct ntp_packet p;
	request(req, 48, 4, NTP_MODE_CLIENT, 7);
	ck_assert_int_eq(server_respond(&st, req, 48, 5, 6, out, &len), SERVER_REPLY);
	ntp_packet_parse(out, len, &p);
	ck_assert_int_eq(p.leap, NTP_LEAP_ALARM);
	ck_assert_int_eq(p.stratum, 0);
	ck_assert_uint_eq(p.refid, SERVER_REFID_INIT);
	ck_assert_uint_eq(p.ref, 0);
	ck_assert_uint_eq(p.org, 7);
	st.synced = true;
	st.stratum = 16; /* never served as synchronised */
	ck_assert_int_eq(server_respond(&st, req, 48, 5, 6, out, &len), SERVER_REPLY);
	ntp_packet_parse(out, len, &p);
	ck_assert_int_eq(p.leap, NTP_LEAP_ALARM);
}
END_TEST

static bool allows(const struct acl *a, const char *text)
{
	uint8_t addr[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(family, text, addr), 1);
	return acl_allows(a, family, addr);
}

static void rule(struct acl *a, const char *text, int len, bool allow)
{
	uint8_t addr[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(family, text, addr), 1);
	ck_assert_int_eq(acl_add(a, family, addr, len, allow), 0);
}

START_TEST(acl_longest_prefix)
{
	struct acl *a = malloc(sizeof(*a));
	acl_init(a);
	ck_assert(!allows(a, "127.0.0.1")); /* nothing allowed until a rule says so */
	rule(a, "10.0.0.0", 8, true);
	rule(a, "10.1.0.0", 16, false);
	rule(a, "10.1.2.0", 24, true);
	rule(a, "10.1.2.3", 32, false);
	rule(a, "2001:db8::", 32, true);
	rule(a, "2001:db8:1::", 48, false);
	ck_assert(allows(a, "10.9.9.9"));
	ck_assert(!allows(a, "10.1.9.9"));
	ck_assert(allows(a, "10.1.2.4"));
	ck_assert(!allows(a, "10.1.2.3"));
	ck_assert(!allows(a, "11.0.0.1"));
	ck_assert(allows(a, "::ffff:10.9.9.9")); /* IPv4-mapped */
	ck_assert(!allows(a, "::ffff:10.1.2.3"));
	ck_assert(allows(a, "2001:db8:2::1"));
	ck_assert(!allows(a, "2001:db8:1::1"));
	ck_assert(!allows(a, "2001:db9::1"));
	/* The same prefix allowed and denied: deny wins, in either order. */
	rule(a, "192.168.0.0", 16, true);
	rule(a, "192.168.0.0", 16, false);
	rule(a, "172.16.0.0", 12, false);
	rule(a, "172.16.0.0", 12, true);
	ck_assert(!allows(a, "192.168.1.1"));
	ck_assert(!allows(a, "172.16.1.1"));
	/* /0 covers its family only. */
	rule(a, "0.0.0.0", 0, true);
	ck_assert(allows(a, "8.8.8.8"));
	ck_assert(!allows(a, "2001:4860::8888"));
	uint8_t z[16] = {0};
	ck_assert_int_eq(acl_add(a, AF_INET, z, 33, true), -EINVAL);
	ck_assert_int_eq(acl_add(a, AF_INET6, z, 129, true), -EINVAL);
	ck_assert_int_eq(acl_add(a, AF_UNIX, z, 0, true), -EINVAL);
	while (a->n < ACL_MAX_RULES)
		ck_assert_int_eq(acl_add(a, AF_INET, z, 1, false), 0);
	ck_assert_int_eq(acl_add(a, AF_INET, z, 1, false), -ENOSPC);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("server");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, replies_match_real_servers);
	tcase_add_test(tc, versions_extensions_and_bad_requests);
	tcase_add_test(tc, unsynchronised_reply);
	tcase_add_test(tc, acl_longest_prefix);
	suite_add_tcase(s, tc);
	return check_run(s);
}
