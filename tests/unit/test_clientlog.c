/* Unit tests for core/clientlog: counting per address, eviction of the least recently seen
 * in a full set, the busiest-first listing and merging lanes. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clientlog.h"
#include "check_run.h"

static void v4(uint8_t a[4], uint32_t host)
{
	a[0] = 10;
	a[1] = (uint8_t)(host >> 16);
	a[2] = (uint8_t)(host >> 8);
	a[3] = (uint8_t)host;
}

START_TEST(counts_per_address)
{
	struct clientlog *c = clientlog_new(CLIENTLOG_MIN_SIZE, 42);
	uint8_t a[4], b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct clientlog_entry out[8];
	ck_assert_ptr_nonnull(c);
	v4(a, 1);
	for (int i = 0; i < 5; i++)
		clientlog_note(c, AF_INET, a, 1000 + i * 100,
		               i == 4 ? CLIENTLOG_KOD : CLIENTLOG_ANSWERED);
	clientlog_note(c, AF_INET6, b, 5000, CLIENTLOG_DROPPED);
	ck_assert_uint_eq(clientlog_top(c, out, 8), 2);
	ck_assert_uint_eq(out[0].requests, 5);
	ck_assert_uint_eq(out[0].kod, 1);
	ck_assert_uint_eq(out[0].dropped, 0);
	ck_assert_int_eq(out[0].first_ns, 1000);
	ck_assert_int_eq(out[0].last_ns, 1400);
	ck_assert_int_eq(out[0].addr[10], 0xff); /* IPv4-mapped */
	ck_assert_int_eq(out[0].addr[15], 1);
	ck_assert_uint_eq(out[1].requests, 1);
	ck_assert_uint_eq(out[1].dropped, 1);
	ck_assert_mem_eq(out[1].addr, b, 16);
	/* an IPv4-mapped IPv6 address is the same client */
	uint8_t m[16] = {[10] = 0xff, [11] = 0xff, [12] = 10, [13] = 0, [14] = 0, [15] = 1};
	clientlog_note(c, AF_INET6, m, 6000, CLIENTLOG_ANSWERED);
	ck_assert_uint_eq(clientlog_top(c, out, 8), 2);
	ck_assert_uint_eq(out[0].requests, 6);
	ck_assert_ptr_null(clientlog_new(CLIENTLOG_MIN_SIZE - 1, 1));
	ck_assert_ptr_null(clientlog_new(CLIENTLOG_MAX_SIZE + 1, 1));
	clientlog_free(c);
	clientlog_free(NULL);
}
END_TEST

START_TEST(full_table_keeps_the_recent)
{
	struct clientlog *c = clientlog_new(CLIENTLOG_MIN_SIZE, 7);
	uint8_t a[4];
	struct clientlog_entry out[CLIENTLOG_MIN_SIZE];
	/* 10000 clients through a 64-entry table: it stays full, never more */
	for (uint32_t i = 0; i < 10000; i++) {
		v4(a, i);
		clientlog_note(c, AF_INET, a, (int64_t)i, CLIENTLOG_ANSWERED);
	}
	size_t n = clientlog_top(c, out, CLIENTLOG_MIN_SIZE);
	ck_assert_uint_le(n, CLIENTLOG_MIN_SIZE);
	ck_assert_uint_ge(n, CLIENTLOG_MIN_SIZE * 3 / 4);
	/* what is kept was seen lately: each set holds its most recent clients */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_ge(out[i].last_ns, 10000 - 2000);
	/* a client that keeps coming stays, however many pass through */
	uint8_t busy[4];
	v4(busy, 0xabcdef);
	for (uint32_t i = 0; i < 20000; i++) {
		int64_t t = 20000 + (int64_t)i;
		if (i % 4 == 0)
			clientlog_note(c, AF_INET, busy, t, CLIENTLOG_ANSWERED);
		v4(a, 100000 + i);
		clientlog_note(c, AF_INET, a, t, CLIENTLOG_ANSWERED);
	}
	n = clientlog_top(c, out, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_mem_eq(out[0].addr + 12, busy, 4);
	ck_assert_uint_eq(out[0].requests, 5000);
	clientlog_free(c);
}
END_TEST

START_TEST(top_is_busiest_first)
{
	struct clientlog *c = clientlog_new(4096, 9);
	uint8_t a[4];
	struct clientlog_entry out[10];
	for (uint32_t i = 1; i <= 300; i++) {
		v4(a, i);
		for (uint32_t k = 0; k < (i * 7919) % 301; k++)
			clientlog_note(c, AF_INET, a, k, CLIENTLOG_ANSWERED);
	}
	size_t n = clientlog_top(c, out, 10);
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(out[0].requests, 300);
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_eq(out[i].requests, out[i - 1].requests - 1);
	clientlog_free(c);
}
END_TEST

START_TEST(merge_sums_the_same_address)
{
	struct clientlog_entry out[3] = {0}, from[3] = {0};
	size_t n = 0;
	from[0] = (struct clientlog_entry){
	        .addr = {1}, .requests = 5, .kod = 1, .first_ns = 10, .last_ns = 50};
	from[1] = (struct clientlog_entry){.addr = {2}, .requests = 3, .first_ns = 1, .last_ns = 2};
	clientlog_merge(out, &n, 3, from, 2);
	ck_assert_uint_eq(n, 2);
	from[0] = (struct clientlog_entry){
	        .addr = {2}, .requests = 4, .dropped = 2, .first_ns = 0, .last_ns = 9};
	from[1] = (struct clientlog_entry){.addr = {3}, .requests = 1};
	from[2] = (struct clientlog_entry){.addr = {4}, .requests = 1};
	clientlog_merge(out, &n, 3, from, 3);
	ck_assert_uint_eq(n, 3); /* {4} found no room */
	clientlog_sort(out, n);
	ck_assert_int_eq(out[0].addr[0], 2);
	ck_assert_uint_eq(out[0].requests, 7);
	ck_assert_uint_eq(out[0].dropped, 2);
	ck_assert_int_eq(out[0].first_ns, 0);
	ck_assert_int_eq(out[0].last_ns, 9);
	ck_assert_int_eq(out[1].addr[0], 1);
	ck_assert_int_eq(out[2].addr[0], 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clientlog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, counts_per_address);
	tcase_add_test(tc, full_table_keeps_the_recent);
	tcase_add_test(tc, top_is_busiest_first);
	tcase_add_test(tc, merge_sums_the_same_address);
	suite_add_tcase(s, tc);
	return check_run(s);
}
