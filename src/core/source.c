/* source: one upstream NTP association in client mode, sans I/O (see source.h).
 *
 * Schedule, in short:
 *   - source_start: first request at now + rand01 (s); with iburst and reach == 0, the
 *     first SOURCE_IBURST_COUNT requests go SOURCE_BURST_SPACING s apart (the burst runs to
 *     its count even when replies arrive, as in RFC 5905 and ntpd).
 *   - otherwise the next request follows 2^poll * (1 +- 2 %) s after each one.
 *   - unreach back-off: every request sent while reach is 0 (after its shift) counts; from
 *     the (SOURCE_UNREACH + 1)-th such request on, poll grows by 1 per request up to maxpoll.
 *     A valid reply resets the count and poll to the poll floor.
 *   - the poll floor is minpoll, raised by each validated RATE kiss (as ntpd raises its
 *     minpoll) so that a later valid reply does not undo the server's request; source_start
 *     lowers it to minpoll again.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"

#define SOURCE_UNREACH 8        /* polls with reach == 0 before the back-off starts */
#define SOURCE_JITTER 0.02      /* relative poll interval randomisation, +- */
#define SOURCE_REQ_PRECISION 32 /* precision sent in requests: 2^32 s, reveals nothing */
#define SOURCE_MAX_HOLD 4.0     /* s: largest server hold time T3 - T2 accepted */
#define SOURCE_MAX_RTT 16.0     /* s: largest round trip T4 - T1 accepted */
#define KISS_RATE 0x52415445u   /* "RATE" */
#define KISS_DENY 0x44454e59u   /* "DENY" */
#define KISS_RSTR 0x52535452u   /* "RSTR" */

struct source {
	struct source_config cfg;
	enum source_state state;
	int poll;         /* current poll exponent, log2 s */
	int poll_floor;   /* minpoll, raised by RATE kisses, log2 s */
	int poll_target;  /* poll the engine's adaptation asks for, log2 s */
	uint8_t reach;    /* 8-bit reach register */
	int burst_left;   /* burst requests still to send, this one included */
	int unreach;      /* consecutive requests sent while reach == 0 */
	double next_poll; /* monotonic s; INFINITY when not polling */
	bool outstanding; /* a request waits for its reply */
	uint64_t cookie;  /* transmit timestamp sent in that request */
	ntp_ts_t t1;      /* local realtime at which it was sent */
	bool have_last_xmt;
	ntp_ts_t last_xmt; /* transmit timestamp of the last accepted reply */
	bool have_sample;
	struct source_sample last;
	char kiss[5];
	unsigned long tx;
	unsigned long rx[SOURCE_RX__COUNT];
};

static bool poll_valid(int p)
{
	return p >= SOURCE_MINPOLL_LIMIT && p <= SOURCE_MAXPOLL_LIMIT;
}

int source_new(const struct source_config *cfg, struct source **ret)
{
	struct source *src;

	if (!cfg || !ret || !poll_valid(cfg->minpoll) || !poll_valid(cfg->maxpoll) ||
	    cfg->minpoll > cfg->maxpoll)
		return -EINVAL;
	src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	src->cfg = *cfg;
	src->state = SOURCE_STATE_ACTIVE;
	src->poll = cfg->minpoll;
	src->poll_floor = cfg->minpoll;
	src->poll_target = cfg->minpoll;
	src->next_poll = INFINITY;
	*ret = src;
	return 0;
}

void source_free(struct source *src)
{
	free(src);
}

/* Restart also lifts a DENY: restarting is the caller's explicit decision. reach, the
 * counters, the last sample and the duplicate-detection state are kept. */
void source_start(struct source *src, double now_mono, double rand01)
{
	src->state = SOURCE_STATE_ACTIVE;
	src->poll_floor = src->cfg.minpoll;
	src->poll_target = src->cfg.minpoll;
	src->poll = src->cfg.minpoll;
	src->unreach = 0;
	src->outstanding = false;
	src->cookie = 0;
	src->burst_left = (src->cfg.iburst && src->reach == 0) ? SOURCE_IBURST_COUNT : 0;
	src->next_poll = now_mono + rand01;
}

void source_burst(struct source *src, double now_mono, double rand01, int count)
{
	if (src->state != SOURCE_STATE_ACTIVE)
		return;
	if (count < 1)
		count = 1;
	if (count > SOURCE_IBURST_COUNT)
		count = SOURCE_IBURST_COUNT;
	src->burst_left = count;
	if (src->next_poll > now_mono + rand01)
		src->next_poll = now_mono + rand01;
}

double source_next_poll(const struct source *src)
{
	if (src->state != SOURCE_STATE_ACTIVE)
		return INFINITY;
	return src->next_poll;
}

static int clamp_poll(const struct source *src, int p)
{
	if (p < src->poll_floor)
		p = src->poll_floor;
	if (p > src->cfg.maxpoll)
		p = src->cfg.maxpoll;
	return p;
}

void source_set_poll(struct source *src, int poll)
{
	if (poll < src->cfg.minpoll)
		poll = src->cfg.minpoll;
	if (poll > src->cfg.maxpoll)
		poll = src->cfg.maxpoll;
	src->poll_target = poll;
	if (src->unreach == 0)
		src->poll = clamp_poll(src, poll);
}

/* Shift reach and apply the unreach back-off for one request about to go out. */
static void account_transmit(struct source *src)
{
	src->reach = (uint8_t)(src->reach << 1);
	if (src->reach != 0) {
		src->unreach = 0;
		return;
	}
	src->unreach++;
	if (src->unreach > SOURCE_UNREACH)
		src->poll = clamp_poll(src, src->poll + 1);
}

/* Time of the request after the one sent at now_mono, s. */
static double schedule_after(struct source *src, double now_mono, double rand01)
{
	if (src->burst_left > 0)
		src->burst_left--;
	if (src->burst_left > 0)
		return now_mono + SOURCE_BURST_SPACING;
	return now_mono + ntp_exp2(src->poll) * (1.0 + SOURCE_JITTER * (2.0 * rand01 - 1.0));
}

size_t source_transmit(struct source *src, double now_mono, ntp_ts_t t1_local, uint64_t cookie,
                       double rand01, uint8_t *buf, size_t cap)
{
	struct ntp_packet req;

	if (cap < NTP_HEADER_LEN || src->state != SOURCE_STATE_ACTIVE)
		return 0;
	account_transmit(src);

	memset(&req, 0, sizeof(req));
	req.leap = NTP_LEAP_NONE;
	req.version = NTP_VERSION;
	req.mode = NTP_MODE_CLIENT;
	req.poll = (int8_t)src->poll;
	req.precision = SOURCE_REQ_PRECISION;
	req.xmt = cookie ? cookie : 1;
	if (ntp_packet_serialize(&req, buf, cap) != NTP_HEADER_LEN)
		return 0;

	src->outstanding = true;
	src->cookie = req.xmt;
	src->t1 = t1_local;
	src->tx++;
	src->next_poll = schedule_after(src, now_mono, rand01);
	return NTP_HEADER_LEN;
}

void source_onwire(ntp_ts_t t1, ntp_ts_t t2, ntp_ts_t t3, ntp_ts_t t4, double min_delay,
                   double *offset, double *delay)
{
	double d21 = ntp_ts_diff(t2, t1); /* s, request leg including the clock offset */
	double d34 = ntp_ts_diff(t3, t4); /* s, reply leg, minus the clock offset */
	double d41 = ntp_ts_diff(t4, t1); /* s, local round trip */
	double d32 = ntp_ts_diff(t3, t2); /* s, server hold time */

	*offset = (d21 + d34) / 2.0;
	*delay = d41 - d32;
	if (*delay < min_delay)
		*delay = min_delay;
}

static bool refid_printable(uint32_t refid)
{
	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned c = (refid >> shift) & 0xffu;

		if (c < 0x20u || c > 0x7eu)
			return false;
	}
	return true;
}

/* A validated kiss-o'-death (origin already checked). */
static enum source_rx_verdict handle_kiss(struct source *src, const struct ntp_packet *pkt,
                                          double now_mono)
{
	double later;
	int p;

	ntp_packet_kiss_code(pkt, src->kiss);
	if (pkt->refid == KISS_DENY || pkt->refid == KISS_RSTR) {
		src->state = SOURCE_STATE_DENIED;
		src->burst_left = 0;
		src->next_poll = INFINITY;
		return SOURCE_RX_KOD_DENY;
	}
	if (pkt->refid != KISS_RATE)
		return SOURCE_RX_KOD_OTHER;

	p = src->poll + 1;
	if (pkt->poll > p)
		p = pkt->poll;
	if (p > src->cfg.maxpoll)
		p = src->cfg.maxpoll;
	if (p > src->poll_floor)
		src->poll_floor = p;
	src->poll = clamp_poll(src, p);
	src->burst_left = 0;
	later = now_mono + ntp_exp2(src->poll);
	if (src->next_poll < later)
		src->next_poll = later;
	return SOURCE_RX_KOD_RATE;
}

/* Tests 3, 6, 7 and the delay sanity checks on a reply that passed the origin check. */
static enum source_rx_verdict check_reply(const struct source *src, const struct ntp_packet *pkt,
                                          ntp_ts_t t4)
{
	double hold, rtt;

	if (pkt->rec == 0 || pkt->xmt == 0)
		return SOURCE_RX_ZERO_TIMESTAMP;
	if (pkt->leap == NTP_LEAP_ALARM || pkt->stratum == 0 || pkt->stratum >= NTP_MAX_STRATUM)
		return SOURCE_RX_UNSYNC;
	if (ntp_short_to_double(pkt->root_delay) / 2.0 + ntp_short_to_double(pkt->root_disp) >=
	    SOURCE_MAXDISP)
		return SOURCE_RX_BAD_HEADER;
	hold = ntp_ts_diff(pkt->xmt, pkt->rec);
	rtt = ntp_ts_diff(t4, src->t1);
	if (hold < 0.0 || hold > SOURCE_MAX_HOLD || rtt < 0.0 || rtt > SOURCE_MAX_RTT)
		return SOURCE_RX_BAD_DELAY;
	return SOURCE_RX_SAMPLE;
}

static void fill_sample(const struct source *src, const struct ntp_packet *pkt, ntp_ts_t t4,
                        double now_mono, struct source_sample *s)
{
	double local_prec = ntp_exp2(src->cfg.local_precision);

	memset(s, 0, sizeof(*s));
	source_onwire(src->t1, pkt->rec, pkt->xmt, t4, local_prec, &s->offset, &s->delay);
	s->dispersion =
	        ntp_exp2(pkt->precision) + local_prec + SOURCE_PHI * ntp_ts_diff(t4, src->t1);
	s->root_delay = ntp_short_to_double(pkt->root_delay);
	s->root_disp = ntp_short_to_double(pkt->root_disp);
	s->stratum = pkt->stratum;
	s->leap = pkt->leap;
	s->version = pkt->version;
	s->poll = pkt->poll;
	s->precision = pkt->precision;
	s->refid = pkt->refid;
	s->ref = pkt->ref;
	s->t1 = src->t1;
	s->t2 = pkt->rec;
	s->t3 = pkt->xmt;
	s->t4 = t4;
	s->rx_mono = now_mono;
}

static void accept_reply(struct source *src, const struct ntp_packet *pkt, ntp_ts_t t4,
                         double now_mono)
{
	fill_sample(src, pkt, t4, now_mono, &src->last);
	src->have_sample = true;
	src->reach |= 1u;
	src->unreach = 0;
	src->poll = clamp_poll(src, src->poll_target);
	src->have_last_xmt = true;
	src->last_xmt = pkt->xmt;
}

/* Checks that leave the outstanding request valid: a forger must not cancel the real reply. */
static enum source_rx_verdict judge_early(const struct source *src, const uint8_t *buf, size_t len,
                                          struct ntp_packet *pkt)
{
	if (ntp_packet_parse(buf, len, pkt) != NTP_PARSE_OK || pkt->mode != NTP_MODE_SERVER)
		return SOURCE_RX_MALFORMED;
	if (src->state == SOURCE_STATE_DENIED)
		return SOURCE_RX_STOPPED;
	if (!src->outstanding)
		return SOURCE_RX_UNEXPECTED;
	if (src->have_last_xmt && pkt->xmt == src->last_xmt)
		return SOURCE_RX_DUPLICATE;
	if (pkt->org != src->cookie)
		return SOURCE_RX_BOGUS;
	return SOURCE_RX_SAMPLE;
}

static enum source_rx_verdict judge(struct source *src, const uint8_t *buf, size_t len, ntp_ts_t t4,
                                    double now_mono)
{
	struct ntp_packet pkt;
	enum source_rx_verdict v = judge_early(src, buf, len, &pkt);

	if (v != SOURCE_RX_SAMPLE)
		return v;
	/* The server answered this request: whatever follows consumes it. */
	src->outstanding = false;
	src->cookie = 0;
	if (pkt.stratum == 0 && refid_printable(pkt.refid))
		return handle_kiss(src, &pkt, now_mono);
	v = check_reply(src, &pkt, t4);
	if (v == SOURCE_RX_SAMPLE)
		accept_reply(src, &pkt, t4, now_mono);
	return v;
}

enum source_rx_verdict source_receive(struct source *src, const uint8_t *buf, size_t len,
                                      ntp_ts_t t4_local, double now_mono,
                                      struct source_sample *sample)
{
	enum source_rx_verdict v = judge(src, buf, len, t4_local, now_mono);

	src->rx[v]++;
	if (v == SOURCE_RX_SAMPLE && sample)
		*sample = src->last;
	return v;
}

void source_get_status(const struct source *src, struct source_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = src->state;
	st->reach = src->reach;
	st->poll = src->poll;
	st->have_sample = src->have_sample;
	st->last = src->last;
	memcpy(st->kiss, src->kiss, sizeof(st->kiss));
	st->tx = src->tx;
	memcpy(st->rx, src->rx, sizeof(st->rx));
}

const char *source_rx_verdict_str(enum source_rx_verdict v)
{
	static const char *const names[SOURCE_RX__COUNT] = {
	        [SOURCE_RX_SAMPLE] = "sample",
	        [SOURCE_RX_MALFORMED] = "malformed",
	        [SOURCE_RX_UNEXPECTED] = "unexpected",
	        [SOURCE_RX_DUPLICATE] = "duplicate",
	        [SOURCE_RX_BOGUS] = "bogus",
	        [SOURCE_RX_ZERO_TIMESTAMP] = "zero_timestamp",
	        [SOURCE_RX_UNSYNC] = "unsync",
	        [SOURCE_RX_BAD_HEADER] = "bad_header",
	        [SOURCE_RX_BAD_DELAY] = "bad_delay",
	        [SOURCE_RX_KOD_RATE] = "kod_rate",
	        [SOURCE_RX_KOD_DENY] = "kod_deny",
	        [SOURCE_RX_KOD_OTHER] = "kod_other",
	        [SOURCE_RX_STOPPED] = "stopped",
	};

	if ((unsigned)v >= SOURCE_RX__COUNT)
		return "unknown";
	return names[v];
}
