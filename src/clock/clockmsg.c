/* clockmsg: encoding and checking the clock helper's messages (see clockmsg.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "clock/clock.h"
#include "clock/clockmsg.h"

static const uint8_t clockmsg_req_magic[4] = {'S', 'T', 'C', 'Q'};
static const uint8_t clockmsg_rep_magic[4] = {'S', 'T', 'C', 'R'};

static void clockmsg_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t clockmsg_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void clockmsg_put_f64(uint8_t *p, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	clockmsg_put_u32(p, (uint32_t)(v >> 32));
	clockmsg_put_u32(p + 4, (uint32_t)v);
}

static double clockmsg_get_f64(const uint8_t *p)
{
	uint64_t v = (uint64_t)clockmsg_get_u32(p) << 32 | clockmsg_get_u32(p + 4);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

const char *clockmsg_op_name(int op)
{
	switch (op) {
	case CLOCKMSG_GET_FREQUENCY:
		return "get-frequency";
	case CLOCKMSG_SET_FREQUENCY:
		return "set-frequency";
	case CLOCKMSG_STEP:
		return "step";
	case CLOCKMSG_SET_STATUS:
		return "set-status";
	default:
		return "?";
	}
}

static bool clockmsg_op_known(int op)
{
	return op >= CLOCKMSG_GET_FREQUENCY && op <= CLOCKMSG_SET_STATUS;
}

size_t clockmsg_req_encode(const struct clockmsg_req *q, uint8_t *buf)
{
	memset(buf, 0, CLOCKMSG_REQ_LEN);
	memcpy(buf, clockmsg_req_magic, 4);
	buf[4] = CLOCKMSG_VERSION;
	buf[5] = (uint8_t)q->op;
	if (q->op == CLOCKMSG_SET_STATUS) {
		buf[6] = (uint8_t)q->leap;
		buf[7] = q->synced ? 1 : 0;
	}
	clockmsg_put_u32(buf + 8, q->seq);
	clockmsg_put_f64(buf + 16, q->a0);
	clockmsg_put_f64(buf + 24, q->a1);
	return CLOCKMSG_REQ_LEN;
}

size_t clockmsg_rep_encode(const struct clockmsg_rep *p, uint8_t *buf)
{
	memset(buf, 0, CLOCKMSG_REP_LEN);
	memcpy(buf, clockmsg_rep_magic, 4);
	buf[4] = CLOCKMSG_VERSION;
	buf[5] = (uint8_t)p->op;
	clockmsg_put_u32(buf + 8, p->seq);
	clockmsg_put_u32(buf + 12, (uint32_t)p->result);
	clockmsg_put_f64(buf + 16, p->value);
	return CLOCKMSG_REP_LEN;
}

/* The arguments an operation takes, within what every driver accepts. */
static int clockmsg_req_check(const struct clockmsg_req *q)
{
	if (!isfinite(q->a0) || !isfinite(q->a1))
		return -EINVAL;
	switch (q->op) {
	case CLOCKMSG_GET_FREQUENCY:
		return q->a0 == 0.0 && q->a1 == 0.0 ? 0 : -EINVAL;
	case CLOCKMSG_SET_FREQUENCY:
		if (q->a1 != 0.0)
			return -EINVAL;
		return fabs(q->a0) <= CLOCK_MAX_PPM ? 0 : -ERANGE;
	case CLOCKMSG_STEP:
		return q->a1 == 0.0 ? 0 : -EINVAL;
	case CLOCKMSG_SET_STATUS:
		if (q->a0 < 0.0 || q->a1 < 0.0)
			return -EINVAL;
		return q->a0 <= CLOCKMSG_MAX_ERROR && q->a1 <= CLOCKMSG_MAX_ERROR ? 0 : -ERANGE;
	}
	return -EINVAL;
}

int clockmsg_req_decode(const uint8_t *buf, size_t len, struct clockmsg_req *out)
{
	if (len != CLOCKMSG_REQ_LEN || memcmp(buf, clockmsg_req_magic, 4) != 0 ||
	    buf[4] != CLOCKMSG_VERSION || !clockmsg_op_known(buf[5]) ||
	    clockmsg_get_u32(buf + 12) != 0)
		return -EINVAL;
	out->op = (enum clockmsg_op)buf[5];
	if (out->op != CLOCKMSG_SET_STATUS && (buf[6] != 0 || buf[7] != 0))
		return -EINVAL;
	if (buf[6] > 3 || buf[7] > 1)
		return -EINVAL;
	out->leap = buf[6];
	out->synced = buf[7] == 1;
	out->seq = clockmsg_get_u32(buf + 8);
	out->a0 = clockmsg_get_f64(buf + 16);
	out->a1 = clockmsg_get_f64(buf + 24);
	return clockmsg_req_check(out);
}

int clockmsg_rep_decode(const uint8_t *buf, size_t len, struct clockmsg_rep *out)
{
	if (len != CLOCKMSG_REP_LEN || memcmp(buf, clockmsg_rep_magic, 4) != 0 ||
	    buf[4] != CLOCKMSG_VERSION || !clockmsg_op_known(buf[5]) || buf[6] != 0 || buf[7] != 0)
		return -EINVAL;
	out->op = (enum clockmsg_op)buf[5];
	out->seq = clockmsg_get_u32(buf + 8);
	out->result = (int32_t)clockmsg_get_u32(buf + 12);
	out->value = clockmsg_get_f64(buf + 16);
	if (out->result > 0 || out->result < -4095 || !isfinite(out->value))
		return -EINVAL;
	if (out->op != CLOCKMSG_GET_FREQUENCY && out->value != 0.0)
		return -EINVAL;
	return fabs(out->value) <= CLOCK_MAX_PPM ? 0 : -ERANGE;
}
