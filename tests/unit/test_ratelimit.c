/* Unit tests for core/ratelimit and the kiss-o'-death replies of core/server: the burst then
 * the average rate, the leak, client grouping by prefix (IPv4, IPv6, IPv4-mapped), a full
 * table that evicts idle groups first and never refuses a new client, bad configurations,
 * and KoD RATE packets byte for byte as NTPsec sent them (tests/vectors/ntpsec-kod.hex).
 * Seeded: every random choice below comes from the seed printed at start. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/packet.h"
#include "core/ratelimit.h"
#include "core/server.h"
#include "check_run.h"
#include "vectors.h"

#define S 1000000000LL
#define SEED 20261203u

static struct ratelimit *limiter(int interval, int burst, int leak)
{
	struct ratelimit_config c;
	ratelimit_config_default(&c);
	c.interval = interval;
	c.burst = burst;
	c.leak = leak;
	struct ratelimit *r = ratelimit_new(&c, SEED);
	ck_assert_ptr_nonnull(r);
	return r;
}

static enum ratelimit_verdict check4(struct ratelimit *r, const char *ip, int64_t t)
{
	uint8_t a[4];
	ck_assert_int_eq(inet_pton(AF_INET, ip, a), 1);
	return ratelimit_check(r, AF_INET, a, t);
}

static enum ratelimit_verdict check6(struct ratelimit *r, const char *ip, int64_t t)
{
	uint8_t a[16];
	ck_assert_int_eq(inet_pton(AF_INET6, ip, a), 1);
	return ratelimit_check(r, AF_INET6, a, t);
}

START_TEST(burst_then_average_rate)
{
	struct ratelimit *r = limiter(1, 8, 0); /* 8 back to back, then 1 per 2 s */
	int64_t t = 1000 * S;
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(check4(r, "192.0.2.1", t), RATELIMIT_PASS);
	ck_assert_int_eq(check4(r, "192.0.2.1", t), RATELIMIT_DROP);
	ck_assert_int_eq(check4(r, "192.0.2.1", t + S), RATELIMIT_DROP);
	ck_assert_int_eq(check4(r, "192.0.2.1", t + 2 * S), RATELIMIT_PASS);
	ck_assert_int_eq(check4(r, "192.0.2.1", t + 2 * S), RATELIMIT_DROP);
	/* Another client is not affected. */
	ck_assert_int_eq(check4(r, "192.0.2.2", t + 2 * S), RATELIMIT_PASS);
	/* Over a long run at 1 per second, half pass: the average rate holds. */
	int pass = 0;
	for (int i = 0; i < 1000; i++)
		pass += check4(r, "198.51.100.7", t + i * S) == RATELIMIT_PASS;
	ck_assert_int_ge(pass, 500);
	ck_assert_int_le(pass, 508);
	/* After idling the bucket is full again. */
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(check4(r, "192.0.2.1", t + 100 * S), RATELIMIT_PASS);
	ratelimit_free(r);
}
END_TEST

START_TEST(iburst_passes_defaults)
{
	struct ratelimit_config c;
	ratelimit_config_default(&c);
	struct ratelimit *r = ratelimit_new(&c, SEED);
	/* ntpd/chrony iburst: 8 requests 2 s apart, then polls at 64 s; and an ntpdate-style
	 * 4 requests at once: none limited. */
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(check4(r, "203.0.113.5", i * 2 * S), RATELIMIT_PASS);
	for (int i = 1; i < 100; i++)
		ck_assert_int_eq(check4(r, "203.0.113.5", 14 * S + i * 64 * S), RATELIMIT_PASS);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(check4(r, "203.0.113.6", 0), RATELIMIT_PASS);
	ratelimit_free(r);
}
END_TEST

START_TEST(leak_one_in_n)
{
	struct ratelimit *r = limiter(3, 1, 4);
	ck_assert_int_eq(check4(r, "192.0.2.9", 0), RATELIMIT_PASS);
	int leaked = 0, dropped = 0;
	for (int i = 0; i < 400; i++) {
		enum ratelimit_verdict v = check4(r, "192.0.2.9", 1000 + i);
		leaked += v == RATELIMIT_LEAK;
		dropped += v == RATELIMIT_DROP;
	}
	ck_assert_int_eq(leaked, 100);
	ck_assert_int_eq(dropped, 300);
	ratelimit_free(r);
}
END_TEST

START_TEST(grouping_by_prefix)
{
	struct ratelimit_config c;
	ratelimit_config_default(&c);
	c.burst = 1;
	c.leak = 0;
	c.prefix4 = 24;
	c.prefix6 = 48;
	struct ratelimit *r = ratelimit_new(&c, SEED);
	ck_assert_int_eq(check4(r, "192.0.2.1", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check4(r, "192.0.2.200", 0), RATELIMIT_DROP);       /* same /24 */
	ck_assert_int_eq(check6(r, "::ffff:192.0.2.77", 0), RATELIMIT_DROP); /* mapped */
	ck_assert_int_eq(check4(r, "192.0.3.1", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check6(r, "2001:db8:1:2::1", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check6(r, "2001:db8:1:ffff::9", 0), RATELIMIT_DROP); /* same /48 */
	ck_assert_int_eq(check6(r, "2001:db8:2::1", 0), RATELIMIT_PASS);
	ratelimit_free(r);
	/* /32 and /128: every address its own group. */
	c.prefix4 = 32;
	c.prefix6 = 128;
	r = ratelimit_new(&c, SEED);
	ck_assert_int_eq(check6(r, "2001:db8::1", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check6(r, "2001:db8::2", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check4(r, "10.0.0.1", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check4(r, "10.0.0.2", 0), RATELIMIT_PASS);
	ratelimit_free(r);
}
END_TEST

/* Far more clients than entries: no client is ever refused its first requests, and a
 * heavy client that keeps sending stays limited while the table churns around it. */
START_TEST(full_table_evicts_idle_first)
{
	struct ratelimit_config c;
	ratelimit_config_default(&c);
	c.clients = 64;
	c.burst = 2;
	c.leak = 0;
	struct ratelimit *r = ratelimit_new(&c, SEED);
	ck_assert_uint_eq(ratelimit_entries(r), 64);
	unsigned seed = SEED;
	printf("full_table_evicts_idle_first: seed %u\n", seed);
	int64_t t = 0;
	int heavy_pass = 0;
	for (int i = 0; i < 100000; i++, t += 1000000) { /* 1 ms apart: 100 s */
		uint8_t a[4] = {10, (uint8_t)(rand_r(&seed) & 255), (uint8_t)(rand_r(&seed) & 255),
		                (uint8_t)(1 + (rand_r(&seed) & 127))};
		ck_assert_int_eq(ratelimit_check(r, AF_INET, a, t), RATELIMIT_PASS);
		heavy_pass += check4(r, "192.0.2.66", t) == RATELIMIT_PASS;
	}
	/* 2 s interval over 100 s: 50 plus the burst, whatever the churn. */
	ck_assert_int_le(heavy_pass, 52);
	ck_assert_int_ge(heavy_pass, 50);
	ck_assert_uint_gt(ratelimit_evictions(r), 0);
	ratelimit_free(r);
}
END_TEST

START_TEST(bad_configurations)
{
	struct ratelimit_config c, d;
	ratelimit_config_default(&d);
	ck_assert_ptr_null(ratelimit_new(NULL, 1));
	c = d, c.interval = RATELIMIT_MAX_INTERVAL + 1;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.interval = RATELIMIT_MIN_INTERVAL - 1;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.burst = 0;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.leak = -1;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.prefix4 = 33;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.prefix6 = 129;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.clients = 1;
	ck_assert_ptr_null(ratelimit_new(&c, 1));
	c = d, c.clients = 1000; /* rounded up */
	struct ratelimit *r = ratelimit_new(&c, 1);
	ck_assert_uint_eq(ratelimit_entries(r), 1024);
	ratelimit_free(r);
	c = d, c.interval = RATELIMIT_MIN_INTERVAL; /* 1/16 s */
	r = ratelimit_new(&c, 1);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(check4(r, "192.0.2.1", 0), RATELIMIT_PASS);
	ck_assert_int_ne(check4(r, "192.0.2.1", 0), RATELIMIT_PASS);
	ck_assert_int_eq(check4(r, "192.0.2.1", S / 16), RATELIMIT_PASS);
	ratelimit_free(r);
	ratelimit_free(NULL);
}
END_TEST

/* Every RATE kiss NTPsec sent, rebuilt from its request, byte for byte. */
START_TEST(kod_rate_matches_ntpsec)
{
	struct vector_packet *v;
	int n = vectors_load("ntpsec-kod.hex", &v), kisses = 0;
	ck_assert_int_ge(n, 2);
	for (int i = 0; i + 1 < n; i++) {
		if (strcmp(v[i].dir, "C>S") != 0 || strcmp(v[i + 1].dir, "S>C") != 0)
			continue;
		struct ntp_packet theirs;
		ck_assert_int_eq(ntp_packet_parse(v[i + 1].data, v[i + 1].len, &theirs),
		                 NTP_PARSE_OK);
		if (theirs.stratum != 0)
			continue;
		uint8_t out[NTP_HEADER_LEN];
		size_t len = 0;
		ck_assert_int_eq(server_kiss(SERVER_KISS_RATE, v[i].data, v[i].len, out, &len),
		                 SERVER_REPLY);
		ck_assert_uint_eq(len, v[i + 1].len);
		ck_assert_msg(memcmp(out, v[i + 1].data, len) == 0, "kiss %d differs", i + 1);
		char code[5];
		struct ntp_packet ours;
		ntp_packet_parse(out, len, &ours);
		ck_assert(ntp_packet_kiss_code(&ours, code));
		ck_assert_str_eq(code, "RATE");
		kisses++;
	}
	ck_assert_int_ge(kisses, 10);
	free(v);
	uint8_t req[48] = {0x23}, out[48];
	size_t len;
	ck_assert_int_eq(server_kiss(SERVER_KISS_DENY, req, 20, out, &len), SERVER_MALFORMED);
	req[0] = 0x24; /* mode 4 */
	ck_assert_int_eq(server_kiss(SERVER_KISS_DENY, req, 48, out, &len), SERVER_NOT_CLIENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, burst_then_average_rate);
	tcase_add_test(tc, iburst_passes_defaults);
	tcase_add_test(tc, leak_one_in_n);
	tcase_add_test(tc, grouping_by_prefix);
	tcase_add_test(tc, full_table_evicts_idle_first);
	tcase_add_test(tc, bad_configurations);
	tcase_add_test(tc, kod_rate_matches_ntpsec);
	suite_add_tcase(s, tc);
	return check_run(s);
}
