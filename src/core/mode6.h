/* mode6: answers NTP control messages (mode 6, RFC 9327) so that ntpq works, sans I/O.
 *
 * Read only: READSTAT (1: the association list, or one association's status) and READVAR
 * (2: the system variables for association 0, a source's variables otherwise; an empty
 * request means every default variable, else a comma-separated list of names, where one
 * unknown name is the error "unknown variable"). The write opcodes (WRITEVAR, WRITECLOCK,
 * CONFIGURE, SETTRAP) get "permission denied", any other opcode "bad opcode". Responses
 * and multi-fragment or malformed requests are dropped (no answer to an answer).
 *
 * Association IDs are the engine's source ids + 1. Variables use ntpd's formats: times and
 * offsets in ms, timestamps as 0xSECONDS.FRACTION, reach in hex, the frequency in ppm,
 * addresses bare; an unknown estimate is written 0. The peer status word carries the tally
 * ntpq shows: selected '*', combined '+', candidate '#', falseticker 'x', others ' '.
 * A reply spans up to MODE6_MAX_FRAGS fragments of at most MODE6_MAX_DATA bytes.
 *
 * The caller owns every buffer; nothing is allocated.
 */
#ifndef STRATA_CORE_MODE6_H
#define STRATA_CORE_MODE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"
#include "core/ntptime.h"

#define MODE6_HEADER_LEN 12
#define MODE6_MAX_DATA 468
#define MODE6_MAX_FRAGS 16
#define MODE6_OP_READSTAT 1
#define MODE6_OP_READVAR 2

/* Error codes (high byte of the status word when the E bit is set). */
enum mode6_error {
	MODE6_ERR_PERMISSION = 1,
	MODE6_ERR_BADFMT = 2,
	MODE6_ERR_BADOP = 3,
	MODE6_ERR_BADASSOC = 4,
	MODE6_ERR_UNKNOWNVAR = 5,
};

struct mode6_source {
	char srcadr[48];  /* numeric address, bare (no brackets) */
	uint16_t srcport; /* the server's port */
	char srchost[64]; /* the configured name when it is not the address, else "" */
	struct engine_source_info info;
};

/* What the daemon shows: filled by the caller (under whatever lock it needs). */
struct mode6_view {
	struct engine_system sys;
	int8_t precision;   /* log2 s of our clock reading */
	int min_poll;       /* smallest minpoll of the sources (mintc) */
	ntp_ts_t now;       /* the local clock when answering (variable "clock") */
	char version[64];   /* "stratad 0.1.0" */
	char processor[32]; /* uname machine */
	char system[96];    /* uname sysname/release */
	int n;
	int id[ENGINE_MAX_SOURCES]; /* engine source id of src[i] */
	struct mode6_source src[ENGINE_MAX_SOURCES];
};

struct mode6_reply {
	int n;                                                            /* fragments to send */
	size_t len[MODE6_MAX_FRAGS];                                      /* bytes of each */
	uint8_t frag[MODE6_MAX_FRAGS][MODE6_HEADER_LEN + MODE6_MAX_DATA]; /* datagrams */
};

/* The peer status word of a source (also the status column of peerstats files). */
uint16_t mode6_status_word(const struct engine_source_info *si, bool sys_peer);

/* True if req[0..len) is a mode 6 packet (request or response). */
bool mode6_is_control(const uint8_t *req, size_t len);

/* Answer the request req[0..len) from v into *out. False when it gets no answer at all
 * (malformed, a response, or not mode 6); out->n is then 0. */
bool mode6_respond(const struct mode6_view *v, const uint8_t *req, size_t len,
                   struct mode6_reply *out);

#endif
