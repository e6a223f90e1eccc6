/* clockd_handle: one clock helper request, decoded, checked, applied (see clockd.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clock/clockmsg.h"
#include "clockd/clockd.h"

/* Apply q to clk under pol; the driver's result (0 or -errno), *value for GET_FREQUENCY. */
static int clockd_apply(struct clock *clk, const struct clockd_policy *pol,
                        const struct clockmsg_req *q, double *value, enum clockd_note *note)
{
	const struct clock_ops *o = clk->ops;

	switch (q->op) {
	case CLOCKMSG_GET_FREQUENCY:
		return o->get_frequency(clk, value);
	case CLOCKMSG_SET_FREQUENCY:
		return o->set_frequency(clk, q->a0);
	case CLOCKMSG_STEP:
		if (pol->max_step > 0.0 && fabs(q->a0) > pol->max_step) {
			*note = CLOCKD_REFUSED;
			return -EPERM;
		}
		*note = CLOCKD_STEPPED;
		return o->step(clk, q->a0);
	case CLOCKMSG_SET_STATUS:
		return o->set_sync_status(clk, q->leap, q->a0, q->a1, q->synced);
	}
	return -EINVAL;
}

static void clockd_describe(const struct clockmsg_req *q, int result, double value,
                            enum clockd_note note, char *what, size_t whatlen)
{
	const char *name = clockmsg_op_name((int)q->op);

	if (note == CLOCKD_REFUSED)
		snprintf(what, whatlen, "refused to step the clock by %+.6f s: beyond the limit",
		         q->a0);
	else if (note == CLOCKD_FAILED)
		snprintf(what, whatlen, "%s failed: %s", name, strerror(-result));
	else if (note == CLOCKD_STEPPED)
		snprintf(what, whatlen, "stepped the clock by %+.6f s", q->a0);
	else if (q->op == CLOCKMSG_GET_FREQUENCY)
		snprintf(what, whatlen, "%s: %+.3f ppm", name, value);
	else if (q->op == CLOCKMSG_SET_FREQUENCY)
		snprintf(what, whatlen, "%s %+.3f ppm", name, q->a0);
	else
		snprintf(what, whatlen, "%s leap %d, maximum error %.6f s, estimated %.6f s, %s",
		         name, q->leap, q->a0, q->a1,
		         q->synced ? "synchronised" : "unsynchronised");
}

size_t clockd_handle(struct clock *clk, const struct clockd_policy *pol,
                     struct clockd_counters *cnt, const uint8_t *in, size_t len, uint8_t *out,
                     enum clockd_note *note, char *what, size_t whatlen)
{
	struct clockmsg_req q;
	struct clockmsg_rep p = {0};
	int r = clockmsg_req_decode(in, len, &q);

	*note = CLOCKD_QUIET;
	if (r < 0) {
		cnt->malformed++;
		*note = CLOCKD_MALFORMED;
		snprintf(what, whatlen, "malformed request (%zu bytes): %s", len,
		         r == -ERANGE ? "a value out of range" : "not a clock request");
		return 0;
	}
	cnt->requests++;
	p.op = q.op;
	p.seq = q.seq;
	p.result = clockd_apply(clk, pol, &q, &p.value, note);
	if (p.result < 0 && *note != CLOCKD_REFUSED)
		*note = CLOCKD_FAILED;
	if (*note == CLOCKD_REFUSED)
		cnt->refused++;
	else if (*note == CLOCKD_FAILED)
		cnt->failed++;
	else if (*note == CLOCKD_STEPPED)
		cnt->steps++;
	if (p.result < 0 || !isfinite(p.value))
		p.value = 0.0;
	clockd_describe(&q, p.result, p.value, *note, what, whatlen);
	return clockmsg_rep_encode(&p, out);
}
