/* Unit tests for the clock helper: the wire format (clock/clockmsg), the helper's decision on
 * one request (clockd/clockd_handle) and the daemon's side (clock/clock_remote) talking to a
 * helper loop in a thread over a real SOCK_SEQPACKET socket. The helper's clock is the null
 * driver: nothing here touches the system clock. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check_run.h"
#include "clock/clock.h"
#include "clock/clockmsg.h"
#include "clockd/clockd.h"

START_TEST(req_round_trip)
{
	const struct clockmsg_req cases[] = {
	        {.op = CLOCKMSG_GET_FREQUENCY, .seq = 1},
	        {.op = CLOCKMSG_SET_FREQUENCY, .seq = 0xfffffffe, .a0 = -123.456},
	        {.op = CLOCKMSG_STEP, .seq = 7, .a0 = 0.000123},
	        {.op = CLOCKMSG_SET_STATUS,
	         .seq = 9,
	         .a0 = 0.5,
	         .a1 = 0.001,
	         .leap = 1,
	         .synced = true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[CLOCKMSG_REQ_LEN];
		struct clockmsg_req q;
		ck_assert_uint_eq(clockmsg_req_encode(&cases[i], buf), CLOCKMSG_REQ_LEN);
		ck_assert_int_eq(clockmsg_req_decode(buf, sizeof(buf), &q), 0);
		ck_assert_int_eq(q.op, cases[i].op);
		ck_assert_uint_eq(q.seq, cases[i].seq);
		ck_assert(q.a0 == cases[i].a0 && q.a1 == cases[i].a1);
		ck_assert_int_eq(q.leap, cases[i].leap);
		ck_assert(q.synced == cases[i].synced);
	}
}
END_TEST

START_TEST(req_layout_is_big_endian)
{
	struct clockmsg_req q = {.op = CLOCKMSG_STEP, .seq = 0x01020304, .a0 = 1.0};
	uint8_t buf[CLOCKMSG_REQ_LEN];
	static const uint8_t head[] = {'S', 'T', 'C', 'Q', 1,    3,    0, 0, 1, 2, 3, 4,
	                               0,   0,   0,   0,   0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
	clockmsg_req_encode(&q, buf);
	ck_assert_mem_eq(buf, head, sizeof(head));
}
END_TEST

/* Byte offset, value: each makes a valid SET_STATUS request malformed. */
static const struct {
	size_t at;
	uint8_t v;
	int err;
} bad_bytes[] = {
        {0, 'X', -EINVAL},   {4, 2, -EINVAL},     {5, 0, -EINVAL},  {5, 5, -EINVAL},
        {6, 4, -EINVAL},     {7, 2, -EINVAL},     {13, 1, -EINVAL}, {16, 0x7f, -ERANGE},
        {16, 0xff, -EINVAL}, {24, 0xc0, -EINVAL},
};

START_TEST(req_malformed_rejected)
{
	struct clockmsg_req q = {.op = CLOCKMSG_SET_STATUS, .a0 = 0.1, .a1 = 0.01, .leap = 0};
	uint8_t buf[CLOCKMSG_REQ_LEN + 1];
	struct clockmsg_req out;

	clockmsg_req_encode(&q, buf);
	buf[bad_bytes[_i].at] = bad_bytes[_i].v;
	ck_assert_int_eq(clockmsg_req_decode(buf, CLOCKMSG_REQ_LEN, &out), bad_bytes[_i].err);
}
END_TEST

START_TEST(req_values_checked)
{
	const struct clockmsg_req bad[] = {
	        {.op = CLOCKMSG_SET_FREQUENCY, .a0 = CLOCK_MAX_PPM * 1.01},
	        {.op = CLOCKMSG_SET_FREQUENCY, .a0 = NAN},
	        {.op = CLOCKMSG_STEP, .a0 = INFINITY},
	        {.op = CLOCKMSG_STEP, .a0 = 1.0, .a1 = 1.0},
	        {.op = CLOCKMSG_GET_FREQUENCY, .a0 = 1.0},
	        {.op = CLOCKMSG_SET_STATUS, .a0 = -0.1},
	        {.op = CLOCKMSG_SET_STATUS, .a0 = 17.0},
	};
	uint8_t buf[CLOCKMSG_REQ_LEN];
	struct clockmsg_req out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clockmsg_req_encode(&bad[i], buf);
		ck_assert_int_lt(clockmsg_req_decode(buf, sizeof(buf), &out), 0);
	}
	clockmsg_req_encode(&bad[0], buf);
	for (size_t len = 0; len < sizeof(buf); len++)
		ck_assert_int_eq(clockmsg_req_decode(buf, len, &out), -EINVAL);
}
END_TEST

START_TEST(rep_round_trip_and_checks)
{
	struct clockmsg_rep p = {
	        .op = CLOCKMSG_GET_FREQUENCY, .seq = 42, .result = 0, .value = 17.5};
	struct clockmsg_rep e = {.op = CLOCKMSG_STEP, .seq = 43, .result = -EPERM};
	uint8_t buf[CLOCKMSG_REP_LEN];
	struct clockmsg_rep out;

	ck_assert_uint_eq(clockmsg_rep_encode(&p, buf), CLOCKMSG_REP_LEN);
	ck_assert_int_eq(clockmsg_rep_decode(buf, sizeof(buf), &out), 0);
	ck_assert(out.op == p.op && out.seq == 42 && out.result == 0 && out.value == 17.5);
	clockmsg_rep_encode(&e, buf);
	ck_assert_int_eq(clockmsg_rep_decode(buf, sizeof(buf), &out), 0);
	ck_assert_int_eq(out.result, -EPERM);
	buf[12] = 0; /* result +... positive: no errno */
	ck_assert_int_eq(clockmsg_rep_decode(buf, sizeof(buf), &out), -EINVAL);
	clockmsg_rep_encode(&e, buf);
	buf[16] = 0x3f; /* a value in a STEP reply */
	ck_assert_int_eq(clockmsg_rep_decode(buf, sizeof(buf), &out), -EINVAL);
	ck_assert_int_eq(clockmsg_rep_decode(buf, sizeof(buf) - 1, &out), -EINVAL);
}
END_TEST

/* One request through clockd_handle on a null clock: the reply decoded. */
static int handle(struct clock *c, const struct clockd_policy *pol, struct clockd_counters *cnt,
                  const struct clockmsg_req *q, enum clockd_note *note, double *value, char *what)
{
	uint8_t in[CLOCKMSG_REQ_LEN], out[CLOCKMSG_REP_LEN];
	struct clockmsg_rep p;
	size_t len =
	        clockd_handle(c, pol, cnt, in, clockmsg_req_encode(q, in), out, note, what, 200);

	ck_assert_uint_eq(len, CLOCKMSG_REP_LEN);
	ck_assert_int_eq(clockmsg_rep_decode(out, len, &p), 0);
	ck_assert_uint_eq(p.seq, q->seq);
	if (value)
		*value = p.value;
	return p.result;
}

START_TEST(handle_applies_and_refuses)
{
	struct clock *c;
	struct clockd_policy pol = {.max_step = 1000.0};
	struct clockd_counters cnt = {0};
	struct clock_null_state st;
	enum clockd_note note;
	char what[200];
	double v = -1;

	ck_assert_int_eq(clock_null_new(&c), 0);
	struct clockmsg_req f = {.op = CLOCKMSG_SET_FREQUENCY, .seq = 1, .a0 = 31.25};
	ck_assert_int_eq(handle(c, &pol, &cnt, &f, &note, NULL, what), 0);
	ck_assert_int_eq(note, CLOCKD_QUIET);
	struct clockmsg_req g = {.op = CLOCKMSG_GET_FREQUENCY, .seq = 2};
	ck_assert_int_eq(handle(c, &pol, &cnt, &g, &note, &v, what), 0);
	ck_assert(v == 31.25);
	struct clockmsg_req s = {.op = CLOCKMSG_STEP, .seq = 3, .a0 = -999.5};
	ck_assert_int_eq(handle(c, &pol, &cnt, &s, &note, NULL, what), 0);
	ck_assert_int_eq(note, CLOCKD_STEPPED);
	ck_assert_str_eq(what, "stepped the clock by -999.500000 s");
	s.a0 = 1000.5;
	ck_assert_int_eq(handle(c, &pol, &cnt, &s, &note, NULL, what), -EPERM);
	ck_assert_int_eq(note, CLOCKD_REFUSED);
	ck_assert_ptr_nonnull(strstr(what, "refused to step the clock by +1000.500000 s"));
	pol.max_step = 0.0; /* no limit */
	s.a0 = 5000.0;
	ck_assert_int_eq(handle(c, &pol, &cnt, &s, &note, NULL, what), 0);
	struct clockmsg_req u = {.op = CLOCKMSG_SET_STATUS,
	                         .seq = 4,
	                         .a0 = 0.25,
	                         .a1 = 0.002,
	                         .leap = 2,
	                         .synced = true};
	ck_assert_int_eq(handle(c, &pol, &cnt, &u, &note, NULL, what), 0);
	ck_assert_int_eq(clock_null_get_state(c, &st), 0);
	ck_assert(st.frequency == 31.25 && st.stepped == 4000.5 && st.steps == 2);
	ck_assert(st.leap == 2 && st.max_error == 0.25 && st.est_error == 0.002 && st.synced);
	ck_assert(cnt.requests == 6 && cnt.steps == 2 && cnt.refused == 1 && cnt.failed == 0);
	clock_free(c);
}
END_TEST

START_TEST(handle_malformed_gets_no_reply)
{
	struct clock *c;
	struct clockd_policy pol = {.max_step = 1000.0};
	struct clockd_counters cnt = {0};
	enum clockd_note note;
	uint8_t in[5] = {'S', 'T', 'C', 'Q', 1}, out[CLOCKMSG_REP_LEN];
	char what[200];

	ck_assert_int_eq(clock_null_new(&c), 0);
	ck_assert_uint_eq(
	        clockd_handle(c, &pol, &cnt, in, sizeof(in), out, &note, what, sizeof(what)), 0);
	ck_assert_int_eq(note, CLOCKD_MALFORMED);
	ck_assert_str_eq(what, "malformed request (5 bytes): not a clock request");
	ck_assert(cnt.malformed == 1 && cnt.requests == 0);
	clock_free(c);
}
END_TEST

/* A helper loop in a thread: accepts connections on lfd and answers with clockd_handle on a
 * null clock; closes each connection after close_after requests (0: never). */
struct helper {
	int lfd;
	struct clock *clk;
	struct clockd_policy pol;
	struct clockd_counters cnt;
	int close_after;
	int connections;
	char path[108];
};

static void *helper_run(void *arg)
{
	struct helper *h = arg;
	int fd;

	while ((fd = accept(h->lfd, NULL, NULL)) >= 0) {
		uint8_t in[64], out[CLOCKMSG_REP_LEN];
		enum clockd_note note;
		char what[200];
		ssize_t n;
		int served = 0;
		h->connections++;
		while ((n = recv(fd, in, sizeof(in), 0)) > 0) {
			size_t len = clockd_handle(h->clk, &h->pol, &h->cnt, in, (size_t)n, out,
			                           &note, what, sizeof(what));
			if (len == 0 || send(fd, out, len, MSG_NOSIGNAL) != (ssize_t)len)
				break;
			if (++served == h->close_after)
				break;
		}
		close(fd);
	}
	return NULL;
}

static void helper_start(struct helper *h, pthread_t *t)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	snprintf(h->path, sizeof(h->path), "/tmp/strata-test-clockd.%ld", (long)getpid());
	unlink(h->path);
	memcpy(a.sun_path, h->path, strlen(h->path) + 1);
	h->lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_ge(h->lfd, 0);
	ck_assert_int_eq(bind(h->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(h->lfd, 4), 0);
	ck_assert_int_eq(clock_null_new(&h->clk), 0);
	ck_assert_int_eq(pthread_create(t, NULL, helper_run, h), 0);
}

static void helper_stop(struct helper *h, pthread_t t)
{
	shutdown(h->lfd, SHUT_RDWR); /* accept() returns: the thread ends */
	pthread_join(t, NULL);
	close(h->lfd);
	unlink(h->path);
}

START_TEST(remote_drives_the_helper)
{
	struct helper h = {.pol.max_step = 1000.0, .close_after = 3};
	struct clock *c;
	struct clock_null_state st;
	struct timespec ts;
	pthread_t t;
	double v = 0;

	helper_start(&h, &t);
	ck_assert_int_eq(clock_remote_new(h.path, &c), 0);
	ck_assert_str_eq(c->ops->name, "helper");
	ck_assert_int_eq(clock_realtime(c, &ts), 0);
	ck_assert_int_gt(ts.tv_sec, 1500000000);
	ck_assert_int_eq(c->ops->set_frequency(c, -12.5), 0);
	ck_assert_int_eq(c->ops->get_frequency(c, &v), 0);
	ck_assert(v == -12.5);
	ck_assert_int_eq(c->ops->step(c, 0.125), 0);
	/* The helper closed the connection after three requests: the next one reconnects. */
	ck_assert_int_eq(c->ops->step(c, 2000.0), -EPERM);
	ck_assert_int_eq(c->ops->set_sync_status(c, 0, 100.0, 0.001, true), 0); /* 100 s: capped */
	clock_free(c);
	helper_stop(&h, t);
	ck_assert_int_eq(h.connections, 2);
	ck_assert_int_eq(clock_null_get_state(h.clk, &st), 0);
	ck_assert(st.frequency == -12.5 && st.stepped == 0.125 && st.steps == 1);
	ck_assert(st.synced && st.max_error == CLOCKMSG_MAX_ERROR && st.est_error == 0.001);
	ck_assert(h.cnt.requests == 5 && h.cnt.refused == 1);
	clock_free(h.clk);
}
END_TEST

START_TEST(remote_without_helper)
{
	struct clock *c = NULL;
	char longpath[200];

	ck_assert_int_eq(clock_remote_new("/nonexistent/strata-clockd.sock", &c), -ENOENT);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	ck_assert_int_eq(clock_remote_new(longpath, &c), -ENAMETOOLONG);
	ck_assert_ptr_null(c);
}
END_TEST

static Suite *clockd_suite(void)
{
	Suite *s = suite_create("clockd");
	TCase *tm = tcase_create("clockmsg");
	TCase *th = tcase_create("handle");
	TCase *tr = tcase_create("remote");

	tcase_add_test(tm, req_round_trip);
	tcase_add_test(tm, req_layout_is_big_endian);
	tcase_add_loop_test(tm, req_malformed_rejected, 0,
	                    (int)(sizeof(bad_bytes) / sizeof(bad_bytes[0])));
	tcase_add_test(tm, req_values_checked);
	tcase_add_test(tm, rep_round_trip_and_checks);
	suite_add_tcase(s, tm);
	tcase_add_test(th, handle_applies_and_refuses);
	tcase_add_test(th, handle_malformed_gets_no_reply);
	suite_add_tcase(s, th);
	tcase_add_test(tr, remote_drives_the_helper);
	tcase_add_test(tr, remote_without_helper);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	return check_run(clockd_suite());
}
