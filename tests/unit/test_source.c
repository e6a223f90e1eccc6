/* Unit tests for core/source: request content, schedule, reach, response tests, KoD,
 * on-wire arithmetic, and replays of captured server replies (tests/vectors). */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ntptime.h"
#include "core/packet.h"
#include "core/source.h"
#include "vectors.h"
#include "check_run.h"

#define LOCAL_PREC (-20)
#define BASE ((ntp_ts_t)0xed000000u << 32) /* a 2026 era-0 time, exact fraction 0 */
#define KISS(a, b, c, d)                                                                           \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define JITTER_SEED 20261129u

/* t + s seconds, exact for dyadic s. */
static ntp_ts_t ts_plus(ntp_ts_t t, double s)
{
	return t + (uint64_t)(int64_t)llround(s * 4294967296.0);
}

static struct source *new_source(int minpoll, int maxpoll, bool iburst)
{
	struct source_config cfg = {
	        .minpoll = minpoll,
	        .maxpoll = maxpoll,
	        .iburst = iburst,
	        .local_precision = LOCAL_PREC,
	};
	struct source *src = NULL;

	ck_assert_int_eq(source_new(&cfg, &src), 0);
	ck_assert_ptr_nonnull(src);
	source_start(src, 100.0, 0.5);
	return src;
}

/* Send one request at now (jitter-free); returns the interval to the next poll, s. */
static double send_req(struct source *src, double now, ntp_ts_t t1, uint64_t cookie)
{
	uint8_t buf[64];

	ck_assert_uint_eq(source_transmit(src, now, t1, cookie, 0.5, buf, sizeof(buf)), 48);
	return source_next_poll(src) - now;
}

static struct ntp_packet reply(uint64_t cookie, ntp_ts_t t2, ntp_ts_t t3)
{
	struct ntp_packet p;

	memset(&p, 0, sizeof(p));
	p.leap = NTP_LEAP_NONE;
	p.version = 4;
	p.mode = NTP_MODE_SERVER;
	p.stratum = 2;
	p.poll = 6;
	p.precision = -20;
	p.root_delay = 0x00000800; /* 1/32 s */
	p.root_disp = 0x00000400;  /* 1/64 s */
	p.refid = 0xc0000201;
	p.ref = ts_plus(t2, -10.0);
	p.org = cookie;
	p.rec = t2;
	p.xmt = t3;
	return p;
}

static struct ntp_packet kiss(uint64_t cookie, uint32_t code, int8_t poll)
{
	struct ntp_packet p = reply(cookie, cookie, cookie);

	p.leap = NTP_LEAP_ALARM;
	p.stratum = 0;
	p.refid = code;
	p.poll = poll;
	p.root_delay = 0;
	p.root_disp = 0;
	p.ref = 0;
	return p;
}

static enum source_rx_verdict feed(struct source *src, const struct ntp_packet *p, ntp_ts_t t4,
                                   double now, struct source_sample *s)
{
	uint8_t buf[48];

	ck_assert_uint_eq(ntp_packet_serialize(p, buf, sizeof(buf)), 48);
	return source_receive(src, buf, sizeof(buf), t4, now, s);
}

/* A full exchange: server ahead by theta, one-way delay owd each way, hold h (all s). */
static enum source_rx_verdict exchange(struct source *src, double now, ntp_ts_t t1, double theta,
                                       double owd, double h, struct source_sample *s)
{
	uint64_t cookie = 0x1234567890abcdefull ^ t1;
	ntp_ts_t t2 = ts_plus(t1, theta + owd);
	ntp_ts_t t3 = ts_plus(t2, h);
	ntp_ts_t t4 = ts_plus(t3, owd - theta);
	struct ntp_packet p = reply(cookie, t2, t3);

	send_req(src, now, t1, cookie);
	return feed(src, &p, t4, now + 2 * owd + h, s);
}

static struct source_status status_of(const struct source *src)
{
	struct source_status st;

	source_get_status(src, &st);
	return st;
}

/* --- configuration and requests ------------------------------------------------------- */

START_TEST(test_new_rejects_bad_config)
{
	struct source_config cfg = {.minpoll = 6, .maxpoll = 10, .local_precision = -20};
	struct source *src = NULL;

	ck_assert_int_eq(source_new(NULL, &src), -EINVAL);
	ck_assert_int_eq(source_new(&cfg, NULL), -EINVAL);
	cfg.minpoll = 11;
	ck_assert_int_eq(source_new(&cfg, &src), -EINVAL);
	cfg.minpoll = 0;
	ck_assert_int_eq(source_new(&cfg, &src), -EINVAL);
	cfg.minpoll = 6;
	cfg.maxpoll = 18;
	ck_assert_int_eq(source_new(&cfg, &src), -EINVAL);
	ck_assert_ptr_null(src);
	cfg.minpoll = 4;
	cfg.maxpoll = 17;
	ck_assert_int_eq(source_new(&cfg, &src), 0);
	ck_assert_int_eq(status_of(src).poll, 4);
	ck_assert(isinf(source_next_poll(src))); /* not started */
	source_free(src);
	source_free(NULL);
}
END_TEST

START_TEST(test_request_is_content_free)
{
	struct source *src = new_source(6, 10, false);
	uint8_t buf[64];
	uint64_t cookie = 0x0123456789abcdefull;

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_uint_eq(source_transmit(src, 100.5, BASE, cookie, 0.5, buf, sizeof(buf)), 48);
	ck_assert_uint_eq(buf[0], 0x23); /* LI 0, VN 4, mode 3 */
	ck_assert_uint_eq(buf[1], 0);    /* stratum */
	ck_assert_uint_eq(buf[2], 6);    /* poll */
	ck_assert_uint_eq(buf[3], 0x20); /* precision 2^32 s: nothing revealed */
	for (int i = 4; i < 40; i++)
		ck_assert_uint_eq(buf[i], 0);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(buf[40 + i], (cookie >> (56 - 8 * i)) & 0xff);
	ck_assert_uint_eq(buf[48], 0xa5); /* nothing written past the header */
	ck_assert_uint_eq(status_of(src).tx, 1);
	source_free(src);
}
END_TEST

START_TEST(test_request_zero_cookie_and_small_buffer)
{
	struct source *src = new_source(6, 10, false);
	uint8_t buf[48];
	struct ntp_packet req;
	double next = source_next_poll(src);

	ck_assert_uint_eq(source_transmit(src, 100.5, BASE, 7, 0.5, buf, 47), 0);
	ck_assert_uint_eq(status_of(src).tx, 0);
	ck_assert_uint_eq(status_of(src).reach, 0);
	ck_assert_double_eq(source_next_poll(src), next);
	ck_assert_uint_eq(source_transmit(src, 100.5, BASE, 0, 0.5, buf, sizeof(buf)), 48);
	ck_assert_int_eq(ntp_packet_parse(buf, sizeof(buf), &req), NTP_PARSE_OK);
	ck_assert_uint_eq(req.xmt, 1);
	/* The reply to cookie 1 is the one accepted. */
	struct ntp_packet p = reply(1, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), 101.0, NULL), SOURCE_RX_SAMPLE);
	source_free(src);
}
END_TEST

/* --- on-wire arithmetic --------------------------------------------------------------- */

START_TEST(test_exchange_exact)
{
	struct source *src = new_source(6, 10, false);
	struct source_sample s;
	struct source_status st;
	ntp_ts_t t1 = ts_plus(BASE, 0.125);

	ck_assert_int_eq(exchange(src, 100.5, t1, 0.5, 1.0 / 128, 1.0 / 1024, &s),
	                 SOURCE_RX_SAMPLE);
	ck_assert_double_eq_tol(s.offset, 0.5, 1e-12);
	ck_assert_double_eq_tol(s.delay, 2.0 / 128, 1e-12);
	ck_assert_double_eq_tol(s.dispersion,
	                        ldexp(1, -20) + ldexp(1, LOCAL_PREC) +
	                                SOURCE_PHI * (2.0 / 128 + 1.0 / 1024),
	                        1e-15);
	ck_assert_double_eq_tol(s.root_delay, 1.0 / 32, 1e-9);
	ck_assert_double_eq_tol(s.root_disp, 1.0 / 64, 1e-9);
	ck_assert_uint_eq(s.stratum, 2);
	ck_assert_uint_eq(s.leap, NTP_LEAP_NONE);
	ck_assert_uint_eq(s.version, 4);
	ck_assert_int_eq(s.poll, 6);
	ck_assert_int_eq(s.precision, -20);
	ck_assert_uint_eq(s.refid, 0xc0000201);
	ck_assert_uint_eq(s.t1, t1);
	ck_assert_uint_eq(s.t2, ts_plus(t1, 0.5 + 1.0 / 128));
	ck_assert_uint_eq(s.t3, ts_plus(s.t2, 1.0 / 1024));
	ck_assert_uint_eq(s.ref, ts_plus(s.t2, -10.0));
	ck_assert_double_eq_tol(s.rx_mono, 100.5 + 2.0 / 128 + 1.0 / 1024, 1e-9);

	st = status_of(src);
	ck_assert(st.have_sample);
	ck_assert_uint_eq(st.reach, 1);
	ck_assert_uint_eq(st.rx[SOURCE_RX_SAMPLE], 1);
	ck_assert_double_eq(st.last.offset, s.offset);
	ck_assert_str_eq(st.kiss, "");
	source_free(src);
}
END_TEST

START_TEST(test_exchange_negative_offset)
{
	struct source *src = new_source(6, 10, false);
	struct source_sample s;

	ck_assert_int_eq(exchange(src, 100.5, BASE, -3.25, 1.0 / 64, 1.0 / 256, &s),
	                 SOURCE_RX_SAMPLE);
	ck_assert_double_eq_tol(s.offset, -3.25, 1e-12);
	ck_assert_double_eq_tol(s.delay, 2.0 / 64, 1e-12);
	source_free(src);
}
END_TEST

START_TEST(test_exchange_across_era_rollover)
{
	struct source *src = new_source(6, 10, false);
	struct source_sample s;
	ntp_ts_t t1 = 0xfffffffff0000000ull; /* 1/16 s before 2036-02-07 06:28:16 UTC */

	ck_assert_int_eq(exchange(src, 100.5, t1, 0.75, 1.0 / 32, 1.0 / 512, &s), SOURCE_RX_SAMPLE);
	ck_assert_uint_lt(s.t2, t1); /* T2..T4 wrapped into era 1 */
	ck_assert_uint_lt(s.t4, t1);
	ck_assert_double_eq_tol(s.offset, 0.75, 1e-12);
	ck_assert_double_eq_tol(s.delay, 2.0 / 32, 1e-12);
	source_free(src);

	/* and a server behind us: T1 in era 1, T2/T3 still in era 0 */
	src = new_source(6, 10, false);
	t1 = 0x0000000010000000ull;
	ck_assert_int_eq(exchange(src, 100.5, t1, -0.5, 1.0 / 32, 1.0 / 512, &s), SOURCE_RX_SAMPLE);
	ck_assert_uint_gt(s.t2, t1);
	ck_assert_double_eq_tol(s.offset, -0.5, 1e-12);
	ck_assert_double_eq_tol(s.delay, 2.0 / 32, 1e-12);
	source_free(src);
}
END_TEST

START_TEST(test_negative_delay_clamped)
{
	struct source *src = new_source(6, 10, false);
	struct source_sample s;
	double off, del;
	uint64_t cookie = 99;
	ntp_ts_t t2 = ts_plus(BASE, 1.0), t3 = ts_plus(BASE, 1.0 + 1.0 / 64);
	struct ntp_packet p = reply(cookie, t2, t3);

	/* hold 1/64 s but only 1/128 s elapsed locally: delay -1/128 s */
	source_onwire(BASE, t2, t3, ts_plus(BASE, 1.0 / 128), ldexp(1, -20), &off, &del);
	ck_assert_double_eq(del, ldexp(1, -20));
	ck_assert_double_eq_tol(off, 1.0 + 1.0 / 128 - 1.0 / 256, 1e-12);
	source_onwire(BASE, t2, t3, ts_plus(BASE, 1.0 / 8), 0.0, &off, &del);
	ck_assert_double_eq_tol(del, 1.0 / 8 - 1.0 / 64, 1e-12); /* not clamped */

	send_req(src, 100.5, BASE, cookie);
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 1.0 / 128), 100.6, &s), SOURCE_RX_SAMPLE);
	ck_assert_double_eq(s.delay, ldexp(1, LOCAL_PREC));
	source_free(src);
}
END_TEST

/* --- tests 1 and 2, at most one reply per request ------------------------------------- */

START_TEST(test_wrong_cookie_is_bogus_and_keeps_request)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet p = reply(1000, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));

	send_req(src, 100.5, BASE, 1000);
	p.org = 1001;
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), 100.6, NULL), SOURCE_RX_BOGUS);
	ck_assert_uint_eq(status_of(src).reach, 0);
	ck_assert(!status_of(src).have_sample);
	p.org = 1000;
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), 100.7, NULL), SOURCE_RX_SAMPLE);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_BOGUS], 1);
	source_free(src);
}
END_TEST

START_TEST(test_duplicate_of_last_accepted)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet a = reply(1000, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct ntp_packet b;

	send_req(src, 100.5, BASE, 1000);
	ck_assert_int_eq(feed(src, &a, ts_plus(BASE, 0.5), 100.6, NULL), SOURCE_RX_SAMPLE);
	send_req(src, 164.5, ts_plus(BASE, 64.0), 2000);
	ck_assert_int_eq(feed(src, &a, ts_plus(BASE, 64.5), 164.6, NULL), SOURCE_RX_DUPLICATE);
	/* even with the new cookie forged in, an old transmit timestamp is a duplicate */
	a.org = 2000;
	ck_assert_int_eq(feed(src, &a, ts_plus(BASE, 64.5), 164.6, NULL), SOURCE_RX_DUPLICATE);
	b = reply(2000, ts_plus(BASE, 64.25), ts_plus(BASE, 64.375));
	ck_assert_int_eq(feed(src, &b, ts_plus(BASE, 64.5), 164.7, NULL), SOURCE_RX_SAMPLE);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_DUPLICATE], 2);
	source_free(src);
}
END_TEST

START_TEST(test_replay_and_second_reply_unexpected)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet a = reply(1000, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct ntp_packet second = reply(1000, ts_plus(BASE, 0.25), ts_plus(BASE, 0.4375));

	/* before any request */
	ck_assert_int_eq(feed(src, &a, ts_plus(BASE, 0.5), 100.4, NULL), SOURCE_RX_UNEXPECTED);
	send_req(src, 100.5, BASE, 1000);
	ck_assert_int_eq(feed(src, &a, ts_plus(BASE, 0.5), 100.6, NULL), SOURCE_RX_SAMPLE);
	ck_assert_int_eq(feed(src, &a, ts_plus(BASE, 0.5), 100.7, NULL), SOURCE_RX_UNEXPECTED);
	ck_assert_int_eq(feed(src, &second, ts_plus(BASE, 0.5), 100.7, NULL), SOURCE_RX_UNEXPECTED);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_UNEXPECTED], 3);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_SAMPLE], 1);
	ck_assert_uint_eq(status_of(src).last.t3, a.xmt);
	source_free(src);
}
END_TEST

START_TEST(test_malformed_keeps_request)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet p = reply(1000, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct ntp_packet m3 = p;
	uint8_t buf[64];

	send_req(src, 100.5, BASE, 1000);
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_eq(ntp_packet_serialize(&p, buf, sizeof(buf)), 48);
	ck_assert_int_eq(source_receive(src, buf, 47, BASE, 100.6, NULL), SOURCE_RX_MALFORMED);
	ck_assert_int_eq(source_receive(src, buf, 0, BASE, 100.6, NULL), SOURCE_RX_MALFORMED);
	/* 12 bytes after the header: neither an extension field nor a MAC */
	ck_assert_int_eq(source_receive(src, buf, 60, BASE, 100.6, NULL), SOURCE_RX_MALFORMED);
	buf[0] = (uint8_t)((buf[0] & 0xc7) | (5 << 3)); /* version 5 */
	ck_assert_int_eq(source_receive(src, buf, 48, BASE, 100.6, NULL), SOURCE_RX_MALFORMED);
	buf[0] = (uint8_t)((buf[0] & 0xc7) | (0 << 3)); /* version 0 */
	ck_assert_int_eq(source_receive(src, buf, 48, BASE, 100.6, NULL), SOURCE_RX_MALFORMED);
	m3.mode = NTP_MODE_CLIENT;
	ck_assert_int_eq(feed(src, &m3, ts_plus(BASE, 0.5), 100.6, NULL), SOURCE_RX_MALFORMED);
	m3.mode = NTP_MODE_SYMMETRIC_PASSIVE;
	ck_assert_int_eq(feed(src, &m3, ts_plus(BASE, 0.5), 100.6, NULL), SOURCE_RX_MALFORMED);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_MALFORMED], 7);
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), 100.7, NULL), SOURCE_RX_SAMPLE);
	source_free(src);
}
END_TEST

/* --- tests 3, 6, 7 and delay sanity: each consumes the request ------------------------ */

/* Sends a request, feeds p (org set to the cookie) and checks the verdict, then checks that
 * the request was consumed: a proper reply is now UNEXPECTED. */
static void expect_consuming(struct ntp_packet p, ntp_ts_t t4, enum source_rx_verdict want)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet good = reply(4242, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct source_status st;

	send_req(src, 100.5, BASE, 4242);
	p.org = 4242;
	ck_assert_int_eq(feed(src, &p, t4, 100.6, NULL), want);
	ck_assert_int_eq(feed(src, &good, ts_plus(BASE, 0.5), 100.7, NULL), SOURCE_RX_UNEXPECTED);
	st = status_of(src);
	ck_assert_uint_eq(st.rx[want], 1);
	ck_assert_uint_eq(st.reach, 0);
	ck_assert(!st.have_sample);
	source_free(src);
}

START_TEST(test_zero_timestamps)
{
	struct ntp_packet p = reply(0, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));

	p.rec = 0;
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_ZERO_TIMESTAMP);
	p = reply(0, ts_plus(BASE, 0.25), 0);
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_ZERO_TIMESTAMP);
}
END_TEST

START_TEST(test_unsynchronised_server)
{
	struct ntp_packet p = reply(0, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));

	p.leap = NTP_LEAP_ALARM;
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_UNSYNC);
	p.leap = NTP_LEAP_NONE;
	p.stratum = 0; /* no kiss code: refid not printable */
	p.refid = 0;
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_UNSYNC);
	p.refid = KISS('A', 'B', 'C', 0);
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_UNSYNC);
	p.stratum = 16;
	p.refid = KISS('R', 'A', 'T', 'E'); /* a kiss code only counts at stratum 0 */
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_UNSYNC);
	p.stratum = 255;
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_UNSYNC);
}
END_TEST

START_TEST(test_root_distance_too_big)
{
	struct ntp_packet p = reply(0, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct source *src;

	p.root_delay = 2u << 16; /* 2 s */
	p.root_disp = 15u << 16; /* 15 s: distance exactly 16 s */
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_BAD_HEADER);
	p.root_delay = 0;
	p.root_disp = 16u << 16;
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_BAD_HEADER);

	/* just below the limit passes */
	src = new_source(6, 10, false);
	p = reply(5, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	p.root_delay = 2u << 16;
	p.root_disp = (15u << 16) - 1;
	send_req(src, 100.5, BASE, 5);
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), 100.6, NULL), SOURCE_RX_SAMPLE);
	source_free(src);
}
END_TEST

START_TEST(test_hold_time_and_round_trip)
{
	struct ntp_packet p;
	struct source *src;

	p = reply(0, ts_plus(BASE, 0.375), ts_plus(BASE, 0.25)); /* T3 < T2 */
	expect_consuming(p, ts_plus(BASE, 0.5), SOURCE_RX_BAD_DELAY);
	p = reply(0, ts_plus(BASE, 0.25), ts_plus(BASE, 4.5)); /* hold 4.25 s */
	expect_consuming(p, ts_plus(BASE, 5.0), SOURCE_RX_BAD_DELAY);
	p = reply(0, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	expect_consuming(p, ts_plus(BASE, 16.5), SOURCE_RX_BAD_DELAY); /* T4 - T1 > 16 s */
	expect_consuming(p, ts_plus(BASE, -0.5), SOURCE_RX_BAD_DELAY); /* T4 before T1 */

	/* hold 4 s exactly and a round trip of 16 s exactly are accepted */
	src = new_source(6, 10, false);
	p = reply(6, ts_plus(BASE, 0.25), ts_plus(BASE, 4.25));
	send_req(src, 100.5, BASE, 6);
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 16.0), 116.5, NULL), SOURCE_RX_SAMPLE);
	source_free(src);
}
END_TEST

/* --- kiss-o'-death ---------------------------------------------------------------------- */

START_TEST(test_kod_rate_raises_poll)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet k = kiss(77, KISS('R', 'A', 'T', 'E'), 6);
	struct ntp_packet good = reply(77, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct source_status st;
	uint8_t buf[48];

	send_req(src, 200.0, BASE, 77);
	ck_assert_int_eq(feed(src, &k, ts_plus(BASE, 0.5), 200.25, NULL), SOURCE_RX_KOD_RATE);
	st = status_of(src);
	ck_assert_int_eq(st.poll, 7);
	ck_assert_str_eq(st.kiss, "RATE");
	ck_assert_uint_eq(st.reach, 0);
	ck_assert_double_eq(source_next_poll(src), 200.25 + 128.0);
	/* the KoD consumed the request */
	ck_assert_int_eq(feed(src, &good, ts_plus(BASE, 0.5), 200.3, NULL), SOURCE_RX_UNEXPECTED);

	/* the next request advertises and uses the raised poll ... */
	ck_assert_uint_eq(source_transmit(src, 328.25, ts_plus(BASE, 128.0), 78, 0.5, buf, 48), 48);
	ck_assert_uint_eq(buf[2], 7);
	ck_assert_double_eq(source_next_poll(src), 328.25 + 128.0);
	/* ... and a valid reply does not undo it */
	good = reply(78, ts_plus(BASE, 128.25), ts_plus(BASE, 128.375));
	ck_assert_int_eq(feed(src, &good, ts_plus(BASE, 128.5), 328.5, NULL), SOURCE_RX_SAMPLE);
	ck_assert_int_eq(status_of(src).poll, 7);

	/* a RATE carrying a larger poll jumps to it */
	send_req(src, 456.25, ts_plus(BASE, 256.0), 79);
	k = kiss(79, KISS('R', 'A', 'T', 'E'), 9);
	ck_assert_int_eq(feed(src, &k, ts_plus(BASE, 256.5), 456.5, NULL), SOURCE_RX_KOD_RATE);
	ck_assert_int_eq(status_of(src).poll, 9);
	ck_assert_double_eq(source_next_poll(src), 456.5 + 512.0);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_KOD_RATE], 2);
	source_free(src);
}
END_TEST

START_TEST(test_kod_rate_capped_and_cancels_burst)
{
	struct source *src = new_source(6, 8, true);
	struct ntp_packet k;

	send_req(src, 100.5, BASE, 10); /* burst: next would be 2 s later */
	k = kiss(10, KISS('R', 'A', 'T', 'E'), 12);
	ck_assert_int_eq(feed(src, &k, BASE, 100.75, NULL), SOURCE_RX_KOD_RATE);
	ck_assert_int_eq(status_of(src).poll, 8);
	ck_assert_double_eq(source_next_poll(src), 100.75 + 256.0);
	ck_assert_double_eq(send_req(src, 356.75, BASE, 11), 256.0); /* burst is over */
	k = kiss(11, KISS('R', 'A', 'T', 'E'), 0);
	ck_assert_int_eq(feed(src, &k, BASE, 357.0, NULL), SOURCE_RX_KOD_RATE);
	ck_assert_int_eq(status_of(src).poll, 8);
	source_free(src);
}
END_TEST

static void check_deny(uint32_t code, const char *name)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet k = kiss(55, code, 6);
	struct ntp_packet good = reply(56, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	struct source_status st;
	uint8_t buf[48];

	send_req(src, 100.5, BASE, 55);
	ck_assert_int_eq(feed(src, &k, BASE, 100.6, NULL), SOURCE_RX_KOD_DENY);
	st = status_of(src);
	ck_assert_int_eq(st.state, SOURCE_STATE_DENIED);
	ck_assert_str_eq(st.kiss, name);
	ck_assert(isinf(source_next_poll(src)));
	ck_assert_uint_eq(source_transmit(src, 200.0, BASE, 56, 0.5, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(status_of(src).tx, 1);
	ck_assert_int_eq(feed(src, &good, BASE, 200.1, NULL), SOURCE_RX_STOPPED);
	ck_assert_int_eq(feed(src, &k, BASE, 200.1, NULL), SOURCE_RX_STOPPED);
	ck_assert_uint_eq(status_of(src).rx[SOURCE_RX_STOPPED], 2);
	/* an explicit restart by the caller polls again */
	source_start(src, 300.0, 0.25);
	ck_assert_int_eq(status_of(src).state, SOURCE_STATE_ACTIVE);
	ck_assert_double_eq(source_next_poll(src), 300.25);
	source_free(src);
}

START_TEST(test_kod_deny_and_rstr_stop)
{
	check_deny(KISS('D', 'E', 'N', 'Y'), "DENY");
	check_deny(KISS('R', 'S', 'T', 'R'), "RSTR");
}
END_TEST

START_TEST(test_kod_other_noted)
{
	struct ntp_packet k = kiss(0, KISS('I', 'N', 'I', 'T'), 6);
	struct source *src = new_source(6, 10, false);
	double next;

	expect_consuming(k, BASE, SOURCE_RX_KOD_OTHER);
	next = send_req(src, 100.5, BASE, 8) + 100.5;
	k.org = 8;
	ck_assert_int_eq(feed(src, &k, BASE, 100.6, NULL), SOURCE_RX_KOD_OTHER);
	ck_assert_str_eq(status_of(src).kiss, "INIT");
	ck_assert_int_eq(status_of(src).poll, 6);
	ck_assert_int_eq(status_of(src).state, SOURCE_STATE_ACTIVE);
	ck_assert_double_eq(source_next_poll(src), next);
	source_free(src);
}
END_TEST

START_TEST(test_kod_wrong_origin_changes_nothing)
{
	static const uint32_t codes[] = {KISS('R', 'A', 'T', 'E'), KISS('D', 'E', 'N', 'Y'),
	                                 KISS('R', 'S', 'T', 'R')};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct source *src = new_source(6, 10, true);
		struct ntp_packet k = kiss(31, codes[i], 10);
		struct ntp_packet good = reply(30, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
		struct source_status st;
		double next;

		next = send_req(src, 100.5, BASE, 30) + 100.5;
		ck_assert_int_eq(feed(src, &k, BASE, 100.6, NULL), SOURCE_RX_BOGUS);
		st = status_of(src);
		ck_assert_int_eq(st.state, SOURCE_STATE_ACTIVE);
		ck_assert_int_eq(st.poll, 6);
		ck_assert_str_eq(st.kiss, "");
		ck_assert_double_eq(source_next_poll(src), next);
		ck_assert_double_eq(next, 102.5); /* burst intact */
		ck_assert_int_eq(feed(src, &good, ts_plus(BASE, 0.5), 100.7, NULL),
		                 SOURCE_RX_SAMPLE);
		source_free(src);
	}
}
END_TEST

/* --- schedule and reach ---------------------------------------------------------------- */

START_TEST(test_start_spreads_first_poll)
{
	struct source *src = new_source(6, 10, false);

	source_start(src, 1000.0, 0.0);
	ck_assert_double_eq(source_next_poll(src), 1000.0);
	source_start(src, 1000.0, 0.999);
	ck_assert_double_eq_tol(source_next_poll(src), 1000.999, 1e-9);
	source_free(src);
}
END_TEST

START_TEST(test_reach_register)
{
	static const bool answered[] = {1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1};
	static const uint8_t want[] = {0x01, 0x03, 0x06, 0x0d, 0x1a, 0x34,
	                               0x68, 0xd0, 0xa0, 0x40, 0x81, 0x03};
	struct source *src = new_source(6, 10, false);
	double now = 100.5;

	for (size_t i = 0; i < sizeof(answered); i++) {
		ntp_ts_t t1 = ts_plus(BASE, 64.0 * (double)i);
		uint64_t cookie = 0x5000 + i;

		send_req(src, now, t1, cookie);
		if (answered[i]) {
			struct ntp_packet p = reply(cookie, ts_plus(t1, 0.25), ts_plus(t1, 0.375));
			ck_assert_int_eq(feed(src, &p, ts_plus(t1, 0.5), now + 0.5, NULL),
			                 SOURCE_RX_SAMPLE);
		}
		ck_assert_uint_eq(status_of(src).reach, want[i]);
		now += 64.0;
	}
	ck_assert_uint_eq(status_of(src).tx, sizeof(answered));
	source_free(src);
}
END_TEST

START_TEST(test_iburst_schedule)
{
	struct source *src = new_source(6, 10, true);
	double now = source_next_poll(src);

	ck_assert_double_eq(now, 100.5);
	for (int i = 1; i <= SOURCE_IBURST_COUNT; i++) {
		double gap = send_req(src, now, BASE, (uint64_t)i);

		if (i < SOURCE_IBURST_COUNT)
			ck_assert_double_eq(gap, SOURCE_BURST_SPACING);
		else
			ck_assert_double_eq(gap, 64.0);
		now += gap;
	}
	ck_assert_double_eq(send_req(src, now, BASE, 100), 64.0);
	ck_assert_uint_eq(status_of(src).tx, 7);
	source_free(src);
}
END_TEST

START_TEST(test_iburst_runs_to_count_and_only_when_unreachable)
{
	struct source *src = new_source(6, 10, true);
	double now = 100.5;
	int n = 0;

	/* every request answered: the burst still runs its 6 requests */
	for (double gap = SOURCE_BURST_SPACING; gap == SOURCE_BURST_SPACING; n++) {
		ntp_ts_t t1 = ts_plus(BASE, now);
		struct ntp_packet p = reply(900 + n, ts_plus(t1, 0.25), ts_plus(t1, 0.375));

		gap = send_req(src, now, t1, 900 + n);
		ck_assert_int_eq(feed(src, &p, ts_plus(t1, 0.5), now + 0.5, NULL),
		                 SOURCE_RX_SAMPLE);
		now += gap;
	}
	ck_assert_int_eq(n, SOURCE_IBURST_COUNT);
	/* a restart while reachable does not burst; without iburst never */
	source_start(src, 1000.0, 0.0);
	ck_assert_double_eq(send_req(src, 1000.0, BASE, 1), 64.0);
	source_free(src);
	src = new_source(6, 10, false);
	ck_assert_double_eq(send_req(src, 100.5, BASE, 1), 64.0);
	source_free(src);
}
END_TEST

START_TEST(test_operator_burst)
{
	struct source *src = new_source(6, 10, false);
	double now = 100.5;

	ck_assert_double_eq_tol(send_req(src, now, BASE, 1), 64.0, 1e-9);
	/* a burst of 3 at 120: the next request moves up, then two more 2 s apart */
	source_burst(src, 120.0, 0.05, 3);
	ck_assert_double_eq_tol(source_next_poll(src), 120.05, 1e-9);
	ck_assert_double_eq_tol(send_req(src, 120.05, BASE, 2), SOURCE_BURST_SPACING, 1e-9);
	ck_assert_double_eq_tol(send_req(src, 122.05, BASE, 3), SOURCE_BURST_SPACING, 1e-9);
	ck_assert_double_eq_tol(send_req(src, 124.05, BASE, 4), 64.0, 1e-9);
	/* the count is clamped to 1..SOURCE_IBURST_COUNT */
	source_burst(src, 200.0, 0.0, 0);
	ck_assert_double_eq_tol(send_req(src, 200.0, BASE, 5), 64.0, 1e-9);
	source_burst(src, 300.0, 0.0, 99);
	int n = 0;
	double gap = SOURCE_BURST_SPACING;
	for (double t = 300.0; fabs(gap - SOURCE_BURST_SPACING) < 1e-9; n++, t += gap)
		gap = send_req(src, t, BASE, (uint64_t)(10 + n));
	ck_assert_int_eq(n, SOURCE_IBURST_COUNT);
	/* then back to the poll interval (grown by the unanswered requests' back-off) */
	ck_assert_double_eq_tol(gap, ldexp(1.0, status_of(src).poll), 1e-9);
	source_free(src);
}
END_TEST

/* Small deterministic generator for the jitter test (xorshift64*). */
static double next_rand01(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return (double)((*state * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

START_TEST(test_poll_jitter_bounds)
{
	struct source *src = new_source(6, 10, false);
	uint8_t buf[48];
	uint64_t rng = JITTER_SEED;
	double now = 100.5, lo = INFINITY, hi = -INFINITY;

	printf("test_poll_jitter_bounds: seed %u\n", JITTER_SEED);
	ck_assert_uint_eq(source_transmit(src, now, BASE, 1, 0.0, buf, 48), 48);
	ck_assert_double_eq_tol(source_next_poll(src) - now, 64.0 * 0.98, 1e-9);
	/* answered polls, so the unreach back-off never starts */
	for (int i = 0; i < 1000; i++) {
		double r = next_rand01(&rng), gap;
		ntp_ts_t t1 = ts_plus(BASE, now);
		struct ntp_packet p = reply(2 + i, ts_plus(t1, 0.25), ts_plus(t1, 0.375));

		ck_assert_uint_eq(source_transmit(src, now, t1, 2 + i, r, buf, 48), 48);
		ck_assert_int_eq(feed(src, &p, ts_plus(t1, 0.5), now, NULL), SOURCE_RX_SAMPLE);
		gap = source_next_poll(src) - now;
		ck_assert_double_ge(gap, 64.0 * 0.98 - 1e-9);
		ck_assert_double_lt(gap, 64.0 * 1.02);
		lo = fmin(lo, gap);
		hi = fmax(hi, gap);
		now += gap;
	}
	ck_assert_double_lt(lo, 63.0); /* the spread is really used */
	ck_assert_double_gt(hi, 65.0);
	source_free(src);
}
END_TEST

START_TEST(test_unreach_backoff_from_start)
{
	static const double want[] = {64, 64, 64, 64, 64, 64, 64, 64, 128, 256, 512, 512};
	struct source *src = new_source(6, 9, false);
	uint8_t buf[48];
	double now = 100.5;
	struct ntp_packet p;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_uint_eq(source_transmit(src, now, BASE, 10 + i, 0.5, buf, 48), 48);
		ck_assert_double_eq(source_next_poll(src) - now, want[i]);
		ck_assert_uint_eq(buf[2], (unsigned)log2(want[i])); /* poll sent */
		now = source_next_poll(src);
	}
	ck_assert_int_eq(status_of(src).poll, 9);
	/* the last request is answered: back to minpoll */
	p = reply(10 + 11, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), now, NULL), SOURCE_RX_SAMPLE);
	ck_assert_int_eq(status_of(src).poll, 6);
	ck_assert_double_eq(send_req(src, now, BASE, 99), 64.0);
	source_free(src);
}
END_TEST

START_TEST(test_unreach_backoff_after_reachable)
{
	struct source *src = new_source(6, 10, false);
	struct ntp_packet p = reply(1, ts_plus(BASE, 0.25), ts_plus(BASE, 0.375));
	double now = 100.5;

	send_req(src, now, BASE, 1);
	ck_assert_int_eq(feed(src, &p, ts_plus(BASE, 0.5), now, NULL), SOURCE_RX_SAMPLE);
	/* reach drains to 0 on the 8th unanswered request; 8 more with reach 0 are allowed */
	for (int i = 1; i <= 16; i++) {
		double gap = send_req(src, now, BASE, 1 + (uint64_t)i);

		ck_assert_double_eq(gap, i < 16 ? 64.0 : 128.0);
		ck_assert_uint_eq(status_of(src).reach, i < 8 ? (uint8_t)(1u << i) : 0);
		now += gap;
	}
	source_free(src);
}
END_TEST

START_TEST(test_verdict_names)
{
	for (int i = 0; i < SOURCE_RX__COUNT; i++) {
		const char *a = source_rx_verdict_str((enum source_rx_verdict)i);

		ck_assert_ptr_nonnull(a);
		ck_assert_str_ne(a, "unknown");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(a, source_rx_verdict_str((enum source_rx_verdict)j));
	}
	ck_assert_str_eq(source_rx_verdict_str(SOURCE_RX_SAMPLE), "sample");
	ck_assert_str_eq(source_rx_verdict_str(SOURCE_RX_BOGUS), "bogus");
	ck_assert_str_eq(source_rx_verdict_str(SOURCE_RX__COUNT), "unknown");
}
END_TEST

/* --- replays of captured exchanges (tests/vectors) ------------------------------------- */

/* Index of the C>S packet before reply i whose transmit timestamp is the reply's origin;
 * its header in *req. -1 if none. */
static int find_request(const struct vector_packet *v, int i, struct ntp_packet *req)
{
	struct ntp_packet rep;

	ck_assert_int_eq(ntp_packet_parse(v[i].data, v[i].len, &rep), NTP_PARSE_OK);
	for (int j = i - 1; j >= 0; j--) {
		if (strcmp(v[j].dir, "C>S") == 0 &&
		    ntp_packet_parse(v[j].data, v[j].len, req) == NTP_PARSE_OK &&
		    req->xmt == rep.org)
			return j;
	}
	return -1;
}

/* Sends a request whose cookie is the captured request's transmit timestamp, then feeds
 * captured reply i. The capturing client's own clock is unknown (its transmit timestamp was
 * a token), so T1 and T4 are placed 2^-13 s before the server's T2 and after its T3. */
static enum source_rx_verdict replay(struct source *src, const struct vector_packet *v, int i,
                                     struct source_sample *s)
{
	struct ntp_packet req, rep;
	uint8_t buf[48];
	double now = 1000.0 + v[i].t_rel;

	ck_assert_int_ge(find_request(v, i, &req), 0);
	ck_assert_int_eq(ntp_packet_parse(v[i].data, v[i].len, &rep), NTP_PARSE_OK);
	ck_assert_uint_eq(source_transmit(src, now, ts_plus(rep.rec, -0x1p-13), req.xmt, 0.5, buf,
	                                  sizeof(buf)),
	                  48);
	return source_receive(src, v[i].data, v[i].len, ts_plus(rep.xmt, 0x1p-13), now, s);
}

static int load(const char *name, struct vector_packet **v)
{
	int n = vectors_load(name, v);

	ck_assert_msg(n > 0, "cannot load %s from %s", name, vectors_dir());
	return n;
}

START_TEST(test_vector_ntpsec_kod)
{
	struct vector_packet *v = NULL;
	int n = load("ntpsec-kod.hex", &v), samples = 0, kods = 0;
	struct source *src = new_source(6, 10, false);
	struct source_sample s;

	for (int i = 0; i < n; i++) {
		enum source_rx_verdict want, got;

		if (strcmp(v[i].dir, "S>C") != 0)
			continue;
		ck_assert(v[i].decode.valid);
		want = v[i].decode.stratum == 0 ? SOURCE_RX_KOD_RATE : SOURCE_RX_SAMPLE;
		got = replay(src, v, i, &s);
		ck_assert_msg(got == want, "packet %d: %s, want %s", i, source_rx_verdict_str(got),
		              source_rx_verdict_str(want));
		if (got == SOURCE_RX_SAMPLE) {
			ck_assert_uint_eq(s.stratum, 10);
			ck_assert_uint_eq(s.refid, 0x7f000001);
			ck_assert_double_eq_tol(s.offset, 0.0, 1e-9);
			ck_assert_double_eq_tol(s.delay, 0x1p-12, 1e-9);
			/* the same datagram again: already answered */
			ck_assert_int_eq(
			        source_receive(src, v[i].data, v[i].len, s.t4, s.rx_mono, NULL),
			        SOURCE_RX_UNEXPECTED);
			samples++;
		} else {
			ck_assert_str_eq(status_of(src).kiss, "RATE");
			kods++;
		}
		if (kods == 1 && got == SOURCE_RX_KOD_RATE)
			ck_assert_int_eq(status_of(src).poll, 7); /* first RATE: 6 -> 7 */
	}
	ck_assert_int_eq(samples, 8);
	ck_assert_int_eq(kods, 11);
	ck_assert_int_eq(status_of(src).poll, 10); /* each RATE raised it, up to maxpoll */
	source_free(src);
	free(v);
}
END_TEST

START_TEST(test_vector_chronyd_server)
{
	struct vector_packet *v = NULL;
	int n = load("chronyd-server.hex", &v), samples = 0;
	struct source *src = new_source(6, 10, false);
	struct source_sample s;

	for (int i = 0; i < n; i++) {
		if (strcmp(v[i].dir, "S>C") != 0)
			continue;
		ck_assert_int_eq(replay(src, v, i, &s), SOURCE_RX_SAMPLE);
		ck_assert_uint_eq(s.stratum, 10);
		ck_assert_uint_eq(s.refid, 0x7f7f0101); /* 127.127.1.1, LOCL */
		ck_assert_int_eq(s.precision, v[i].decode.prec);
		ck_assert_int_eq(s.poll, 6);
		ck_assert_double_eq_tol(s.offset, 0.0, 1e-9);
		samples++;
	}
	ck_assert_int_eq(samples, 4);
	ck_assert_uint_eq(status_of(src).reach, 0x0f);
	source_free(src);
	free(v);
}
END_TEST

static Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *req = tcase_create("request");
	TCase *wire = tcase_create("onwire");
	TCase *tests = tcase_create("response-tests");
	TCase *kod = tcase_create("kod");
	TCase *sched = tcase_create("schedule");
	TCase *vec = tcase_create("vectors");

	tcase_add_test(req, test_new_rejects_bad_config);
	tcase_add_test(req, test_request_is_content_free);
	tcase_add_test(req, test_request_zero_cookie_and_small_buffer);
	tcase_add_test(req, test_verdict_names);
	tcase_add_test(wire, test_exchange_exact);
	tcase_add_test(wire, test_exchange_negative_offset);
	tcase_add_test(wire, test_exchange_across_era_rollover);
	tcase_add_test(wire, test_negative_delay_clamped);
	tcase_add_test(tests, test_wrong_cookie_is_bogus_and_keeps_request);
	tcase_add_test(tests, test_duplicate_of_last_accepted);
	tcase_add_test(tests, test_replay_and_second_reply_unexpected);
	tcase_add_test(tests, test_malformed_keeps_request);
	tcase_add_test(tests, test_zero_timestamps);
	tcase_add_test(tests, test_unsynchronised_server);
	tcase_add_test(tests, test_root_distance_too_big);
	tcase_add_test(tests, test_hold_time_and_round_trip);
	tcase_add_test(kod, test_kod_rate_raises_poll);
	tcase_add_test(kod, test_kod_rate_capped_and_cancels_burst);
	tcase_add_test(kod, test_kod_deny_and_rstr_stop);
	tcase_add_test(kod, test_kod_other_noted);
	tcase_add_test(kod, test_kod_wrong_origin_changes_nothing);
	tcase_add_test(sched, test_start_spreads_first_poll);
	tcase_add_test(sched, test_reach_register);
	tcase_add_test(sched, test_iburst_schedule);
	tcase_add_test(sched, test_iburst_runs_to_count_and_only_when_unreachable);
	tcase_add_test(sched, test_operator_burst);
	tcase_add_test(sched, test_poll_jitter_bounds);
	tcase_add_test(sched, test_unreach_backoff_from_start);
	tcase_add_test(sched, test_unreach_backoff_after_reachable);
	suite_add_tcase(s, req);
	suite_add_tcase(s, wire);
	suite_add_tcase(s, tests);
	suite_add_tcase(s, kod);
	tcase_add_test(vec, test_vector_ntpsec_kod);
	tcase_add_test(vec, test_vector_chronyd_server);
	suite_add_tcase(s, sched);
	suite_add_tcase(s, vec);
	return s;
}

int main(void)
{
	return check_run(source_suite());
}
