/* libFuzzer target: the clock helper's request handling (clockd_handle, clockmsg). Any input
 * is one request from a peer on strata-clockd's socket, handled on a null clock: it gets a
 * well-formed reply with its sequence number, or none and counts as malformed; a step beyond
 * the limit never reaches the clock; the reply decodes; request decode -> encode -> decode
 * is a fixed point. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "clock/clock.h"
#include "clock/clockmsg.h"
#include "clockd/clockd.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clock *c;
	struct clockd_policy pol = {.max_step = 1000.0};
	struct clockd_counters cnt = {0};
	struct clock_null_state before, after;
	enum clockd_note note;
	uint8_t out[CLOCKMSG_REP_LEN], again[CLOCKMSG_REQ_LEN];
	char what[200];
	struct clockmsg_req q, q2;
	struct clockmsg_rep p;

	if (clock_null_new(&c) < 0)
		return 0;
	clock_null_get_state(c, &before);
	size_t len = clockd_handle(c, &pol, &cnt, data, size, out, &note, what, sizeof(what));
	clock_null_get_state(c, &after);
	FUZZ_CHECK(strlen(what) > 0, "every request gets a log line");
	if (len == 0) {
		FUZZ_CHECK(note == CLOCKD_MALFORMED && cnt.malformed == 1 && cnt.requests == 0,
		           "no reply only for a malformed request");
		FUZZ_CHECK(memcmp(&before, &after, sizeof(before)) == 0,
		           "a malformed request changes nothing");
		clock_free(c);
		return 0;
	}
	FUZZ_CHECK(len == CLOCKMSG_REP_LEN && clockmsg_rep_decode(out, len, &p) == 0,
	           "the reply decodes");
	FUZZ_CHECK(clockmsg_req_decode(data, size, &q) == 0, "a reply only to a valid request");
	FUZZ_CHECK(p.seq == q.seq && p.op == q.op, "the reply echoes the request");
	if (q.op == CLOCKMSG_STEP && fabs(q.a0) > pol.max_step)
		FUZZ_CHECK(p.result == -EPERM && after.steps == 0,
		           "a step beyond the limit is refused");
	clockmsg_req_encode(&q, again);
	FUZZ_CHECK(clockmsg_req_decode(again, sizeof(again), &q2) == 0 &&
	                   memcmp(again, data, CLOCKMSG_REQ_LEN) == 0,
	           "decode -> encode is the identity on valid requests");
	clock_free(c);
	return 0;
}
