/* server: replies to client requests. See server.h. */
#include "core/server.h"

#include <math.h>
#include <string.h>

#include "core/packet.h"

const char *server_verdict_str(enum server_verdict v)
{
	switch (v) {
	case SERVER_REPLY:
		return "answered";
	case SERVER_MALFORMED:
		return "malformed";
	case SERVER_NOT_CLIENT:
		return "not a client request";
	case SERVER_VERDICT__COUNT:
		break;
	}
	return "unknown";
}

static void fill_state(const struct server_state *st, ntp_ts_t rx, struct ntp_packet *rep)
{
	if (!st->synced || st->stratum < 1 || st->stratum >= NTP_MAX_STRATUM) {
		rep->leap = NTP_LEAP_ALARM;
		rep->stratum = 0;
		rep->refid = SERVER_REFID_INIT;
		return;
	}
	double age = ntp_ts_diff(rx, st->ref_time);
	double disp = st->root_disp + ntp_exp2(st->precision) + SERVER_PHI * fmax(age, 0.0);
	rep->leap = (uint8_t)(st->leap & 3);
	rep->stratum = (uint8_t)st->stratum;
	rep->refid = st->refid;
	rep->ref = st->ref_time;
	rep->root_delay = ntp_short_from_double(fmax(st->root_delay, 0.0));
	rep->root_disp = ntp_short_from_double(disp);
}

/* Parse a client request and start its reply: version and poll echoed, server mode. */
static enum server_verdict reply_start(const uint8_t *req, size_t len, struct ntp_packet *q,
                                       struct ntp_packet *rep)
{
	if (ntp_packet_parse(req, len, q) != NTP_PARSE_OK)
		return SERVER_MALFORMED;
	if (q->mode != NTP_MODE_CLIENT)
		return SERVER_NOT_CLIENT;
	memset(rep, 0, sizeof(*rep));
	rep->version = q->version;
	rep->mode = NTP_MODE_SERVER;
	rep->poll = q->poll;
	return SERVER_REPLY;
}

enum server_verdict server_respond(const struct server_state *st, const uint8_t *req, size_t len,
                                   ntp_ts_t rx, ntp_ts_t tx, uint8_t *out, size_t *out_len)
{
	struct ntp_packet q, rep;
	enum server_verdict v = reply_start(req, len, &q, &rep);
	if (v != SERVER_REPLY)
		return v;
	rep.precision = st->precision;
	fill_state(st, rx, &rep);
	rep.org = q.xmt;
	rep.rec = rx;
	rep.xmt = tx;
	*out_len = ntp_packet_serialize(&rep, out, NTP_HEADER_LEN);
	return SERVER_REPLY;
}

enum server_verdict server_kiss(uint32_t code, const uint8_t *req, size_t len, uint8_t *out,
                                size_t *out_len)
{
	struct ntp_packet q, rep;
	enum server_verdict v = reply_start(req, len, &q, &rep);
	if (v != SERVER_REPLY)
		return v;
	rep.leap = NTP_LEAP_ALARM;
	rep.precision = q.precision;
	rep.refid = code;
	rep.org = q.xmt;
	rep.rec = q.xmt;
	rep.xmt = q.xmt;
	*out_len = ntp_packet_serialize(&rep, out, NTP_HEADER_LEN);
	return SERVER_REPLY;
}
