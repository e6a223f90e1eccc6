/* server: stateless replies to NTP client requests; see server.h. No allocation, no clock. */
#include "core/server.h"

#include <string.h>

#define MODE_MASK 7
#define NTP_VERSION_1 1

/* Classify req; on SERVER_REPLY *pkt holds the decoded request header. */
static enum server_verdict classify(const uint8_t *req, size_t req_len, struct ntp_packet *pkt)
{
	uint8_t mode;

	if (req == NULL || req_len == 0)
		return SERVER_DROP_MALFORMED;
	/* Modes 6 and 7 have their own, shorter headers: decide on the mode bits alone. */
	mode = req[0] & MODE_MASK;
	if (mode == NTP_MODE_CONTROL)
		return SERVER_CONTROL;
	if (mode == NTP_MODE_PRIVATE)
		return SERVER_DROP_MODE7;
	if (ntp_packet_parse(req, req_len, pkt) != NTP_PARSE_OK)
		return SERVER_DROP_MALFORMED;
	/* NTPv1 had no mode field: a zero mode there is a client request. */
	if (pkt->mode == NTP_MODE_RESERVED && pkt->version == NTP_VERSION_1)
		return SERVER_REPLY;
	if (pkt->mode != NTP_MODE_CLIENT)
		return SERVER_DROP_MODE;
	return SERVER_REPLY;
}

static enum server_verdict check_buffer(uint8_t *reply, size_t cap, size_t *reply_len)
{
	if (reply_len != NULL)
		*reply_len = 0;
	if (reply == NULL || reply_len == NULL || cap < SERVER_REPLY_LEN)
		return SERVER_ERR_BUFFER;
	return SERVER_REPLY;
}

static int is_unsynchronised(const struct server_system *sys)
{
	return sys->leap == NTP_LEAP_ALARM || sys->stratum == 0 || sys->stratum >= NTP_MAX_STRATUM;
}

static void fill_reply(const struct server_system *sys, const struct ntp_packet *req,
                       ntp_ts_t rx_time, struct ntp_packet *out)
{
	memset(out, 0, sizeof(*out));
	if (is_unsynchronised(sys)) {
		out->leap = NTP_LEAP_ALARM;
		out->stratum = 0; /* internal 16 goes out as 0 (RFC 5905 7.3) */
	} else {
		out->leap = sys->leap & 3;
		out->stratum = sys->stratum;
	}
	out->version = req->version;
	out->mode = NTP_MODE_SERVER;
	out->poll = req->poll; /* echoed verbatim, as chronyd does */
	out->precision = sys->precision;
	out->root_delay = ntp_short_from_double(sys->root_delay);
	out->root_disp = ntp_short_from_double(sys->root_disp);
	out->refid = sys->refid;
	out->ref = sys->ref_time;
	out->org = req->xmt; /* verbatim: may be a random cookie, not a time */
	out->rec = rx_time;
	out->xmt = rx_time; /* provisional: server_set_transmit overwrites it */
}

enum server_verdict server_respond(const struct server_system *sys, const uint8_t *req,
                                   size_t req_len, ntp_ts_t rx_time, uint8_t *reply, size_t cap,
                                   size_t *reply_len)
{
	struct ntp_packet in, out;
	enum server_verdict v = check_buffer(reply, cap, reply_len);

	if (v != SERVER_REPLY || sys == NULL)
		return SERVER_ERR_BUFFER;
	v = classify(req, req_len, &in);
	if (v != SERVER_REPLY)
		return v;
	fill_reply(sys, &in, rx_time, &out);
	*reply_len = ntp_packet_serialize(&out, reply, cap);
	return SERVER_REPLY;
}

void server_set_transmit(uint8_t *reply, size_t reply_len, ntp_ts_t tx_time)
{
	if (reply == NULL || reply_len < SERVER_REPLY_LEN)
		return;
	if (tx_time == 0)
		tx_time = 1;
	for (int i = 0; i < 8; i++)
		reply[SERVER_XMT_OFFSET + i] = (uint8_t)(tx_time >> (56 - 8 * i));
}

enum server_verdict server_kod(const uint8_t *req, size_t req_len, uint32_t kiss, int8_t minpoll,
                               uint8_t *reply, size_t cap, size_t *reply_len)
{
	struct ntp_packet in, out;
	enum server_verdict v = check_buffer(reply, cap, reply_len);

	if (v != SERVER_REPLY)
		return v;
	v = classify(req, req_len, &in);
	if (v != SERVER_REPLY)
		return v;
	memset(&out, 0, sizeof(out));
	out.leap = NTP_LEAP_ALARM;
	out.version = in.version;
	out.mode = NTP_MODE_SERVER;
	out.stratum = 0;
	out.poll = in.poll > minpoll ? in.poll : minpoll;
	out.precision = in.precision; /* as NTPsec: reveals nothing of ours */
	out.refid = kiss;
	out.org = in.xmt;
	out.rec = in.xmt;
	out.xmt = in.xmt;
	*reply_len = ntp_packet_serialize(&out, reply, cap);
	return SERVER_REPLY;
}

const char *server_verdict_str(enum server_verdict v)
{
	switch (v) {
	case SERVER_REPLY:
		return "reply";
	case SERVER_DROP_MALFORMED:
		return "malformed";
	case SERVER_DROP_MODE:
		return "mode";
	case SERVER_CONTROL:
		return "control";
	case SERVER_DROP_MODE7:
		return "mode7";
	case SERVER_ERR_BUFFER:
		return "buffer";
	}
	return "unknown";
}
