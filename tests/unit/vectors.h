/* vectors: loader for the captured packet files in tests/vectors (*.hex), for unit tests.
 *
 * File format: lines starting with '#' are comments; packet lines are
 *   C>S|S>C <t_rel_s> <hex payload>
 * The comment line immediately above a packet line, if it starts with "#" + spaces + the
 * same direction, is its decode (Wireshark style "LI=0 VN=4 mode=4 stratum=10 ... |
 * ref=Nov 29, 2026 23:25:16.986252506 UTC org=NULL ..."). Fields missing from the decode,
 * empty ("stratum=") or not a value ("org=echo") are left out of decode.have.
 */
#ifndef STRATA_TESTS_VECTORS_H
#define STRATA_TESTS_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define VECTOR_MAX_LEN 2048

/* Bits of vector_decode.have: which fields the decode comment gave. */
enum vector_field {
	VD_LI = 1u << 0,
	VD_VN = 1u << 1,
	VD_MODE = 1u << 2,
	VD_STRATUM = 1u << 3,
	VD_POLL = 1u << 4,
	VD_PREC = 1u << 5,
	VD_RDELAY = 1u << 6,
	VD_RDISP = 1u << 7,
	VD_REFID = 1u << 8,
	VD_REF = 1u << 9,
	VD_ORG = 1u << 10,
	VD_REC = 1u << 11,
	VD_XMT = 1u << 12,
	VD_ALL = (1u << 13) - 1,
};

struct vector_decode {
	bool valid;    /* all 13 fields given (have == VD_ALL): a full header decode */
	unsigned have; /* enum vector_field bits; 0 = no decode comment */
	int li, vn, mode, stratum;
	int poll, prec; /* log2 s, signed (Wireshark prints them unsigned: 231 -> -25) */
	double rdelay;  /* root delay, s */
	double rdisp;   /* root dispersion, s */
	uint32_t refid; /* host order, as ntp_packet.refid */
	bool ref_null, org_null, rec_null, xmt_null; /* "NULL" or "0": wire value 0 */
	struct timespec ref, org, rec, xmt;          /* Unix time (Wireshark truncates to 1 ns) */
};

struct vector_packet {
	char dir[4];  /* "C>S" or "S>C" */
	double t_rel; /* s since the first packet of the capture */
	uint8_t data[VECTOR_MAX_LEN];
	size_t len;
	struct vector_decode decode;
};

/* Directory of the vector files: $STRATA_VECTORS, or "tests/vectors" if unset or empty. */
const char *vectors_dir(void);

/* Loads every packet of NAME (e.g. "chronyd-server.hex", relative to vectors_dir(), or an
 * absolute path); returns count >= 0 or -1 (unreadable file or malformed packet line, with
 * a message on stderr); *out malloc'd, caller frees (NULL when the count is 0). */
int vectors_load(const char *name, struct vector_packet **out);

#endif
