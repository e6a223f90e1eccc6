/* clockmsg: the wire format between stratad and strata-clockd, the clock helper.
 *
 * stratad (clock_remote.c) asks; strata-clockd (src/clockd/) applies the request to its
 * clock driver and answers. One request or reply per SOCK_SEQPACKET message, fixed sizes,
 * big-endian integers, doubles as their IEEE 754 bits in big-endian order.
 *
 * Request, CLOCKMSG_REQ_LEN = 32 bytes:
 *   0  "STCQ"   magic
 *   4  u8       version (1)
 *   5  u8       op (enum clockmsg_op)
 *   6  u8       leap (enum ntp_leap, 0..3; SET_STATUS only, else 0)
 *   7  u8       flags: bit 0 = synchronised (SET_STATUS only, else 0)
 *   8  u32      sequence number, echoed in the reply
 *   12 u32      0
 *   16 f64      a0: SET_FREQUENCY ppm (positive = the clock runs faster), STEP seconds
 *               (positive = the clock moves forward), SET_STATUS maximum error (s)
 *   24 f64      a1: SET_STATUS estimated error (s), else 0
 * Reply, CLOCKMSG_REP_LEN = 24 bytes:
 *   0  "STCR"   magic
 *   4  u8       version (1)
 *   5  u8       op, as requested
 *   6  u16      0
 *   8  u32      sequence number of the request
 *   12 i32      result: 0, or a negative errno value
 *   16 f64      GET_FREQUENCY: ppm; else 0
 * Decoders check every field (lengths, magic, version, op, reserved bytes, ranges, finite
 * values) and return -EINVAL, or -ERANGE for a value beyond a driver's limits.
 */
#ifndef STRATA_CLOCK_CLOCKMSG_H
#define STRATA_CLOCK_CLOCKMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLOCKMSG_VERSION 1
#define CLOCKMSG_REQ_LEN 32
#define CLOCKMSG_REP_LEN 24
#define CLOCKMSG_MAX_ERROR 16.0 /* s, largest max/est error (the kernel's NTP_PHASE_LIMIT) */

enum clockmsg_op {
	CLOCKMSG_GET_FREQUENCY = 1,
	CLOCKMSG_SET_FREQUENCY = 2,
	CLOCKMSG_STEP = 3,
	CLOCKMSG_SET_STATUS = 4,
};

struct clockmsg_req {
	enum clockmsg_op op;
	uint32_t seq;
	double a0, a1; /* see above */
	int leap;      /* SET_STATUS */
	bool synced;   /* SET_STATUS */
};

struct clockmsg_rep {
	enum clockmsg_op op;
	uint32_t seq;
	int32_t result; /* 0 or -errno */
	double value;   /* GET_FREQUENCY: ppm */
};

/* The operation's name for logs ("step", "set-frequency", ...); "?" if unknown. */
const char *clockmsg_op_name(int op);

/* Encode into buf (at least CLOCKMSG_REQ_LEN / CLOCKMSG_REP_LEN bytes); return the length. */
size_t clockmsg_req_encode(const struct clockmsg_req *q, uint8_t *buf);
size_t clockmsg_rep_encode(const struct clockmsg_rep *p, uint8_t *buf);

/* Decode len bytes: 0, or -EINVAL (malformed) / -ERANGE (a value out of range) with *out
 * unspecified. */
int clockmsg_req_decode(const uint8_t *buf, size_t len, struct clockmsg_req *out);
int clockmsg_rep_decode(const uint8_t *buf, size_t len, struct clockmsg_rep *out);

#endif
