/* server: simulated NTP servers; see server.h. */
#include <math.h>
#include <string.h>

#include "core/packet.h"
#include "server.h"
#include "simclock.h"

#define REFID_GPS 0x47505300u  /* "GPS\0" */
#define REFID_RATE 0x52415445u /* "RATE" */
#define SIM_DAY 86400.0

double sim_utc_offset(const struct sim_utc *u, double t)
{
	return t >= u->leap_at ? -1.0 : 0.0;
}

void sim_server_init(struct sim_server *s, const struct sim_server_config *cfg)
{
	*s = (struct sim_server){.cfg = *cfg};
}

double sim_server_error(const struct sim_server *s, const struct sim_utc *u, double t)
{
	double err = sim_utc_offset(u, t) + s->cfg.offset + s->cfg.drift * t;

	if (t >= s->cfg.step_at)
		err += s->cfg.step;
	return err;
}

static ntp_ts_t server_clock(const struct sim_server *s, const struct sim_utc *u, double t)
{
	return sim_ts(u->epoch_ntp, t + sim_server_error(s, u, t));
}

static int leap_indicator(const struct sim_server *s, const struct sim_utc *u, double t)
{
	if (s->cfg.kind == SIM_SERVER_UNSYNC)
		return NTP_LEAP_ALARM;
	if (s->cfg.kind == SIM_SERVER_LEAP && t < u->leap_at && t >= u->leap_at - SIM_DAY)
		return NTP_LEAP_INSERT;
	return NTP_LEAP_NONE;
}

static void fill_reply(const struct sim_server *s, const struct sim_utc *u, double t,
                       const struct ntp_packet *req, struct ntp_packet *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->leap = (uint8_t)leap_indicator(s, u, t);
	rep->version = req->version;
	rep->mode = NTP_MODE_SERVER;
	rep->poll = req->poll;
	rep->precision = SIM_SERVER_PRECISION;
	rep->org = req->xmt;
	if (s->cfg.kind == SIM_SERVER_KOD) {
		rep->leap = NTP_LEAP_ALARM;
		rep->refid = REFID_RATE;
		rep->rec = req->xmt;
		rep->xmt = req->xmt;
		return;
	}
	rep->stratum = s->cfg.kind == SIM_SERVER_UNSYNC ? 0 : 1;
	rep->refid = s->cfg.kind == SIM_SERVER_UNSYNC ? 0 : REFID_GPS;
	rep->root_delay = ntp_short_from_double(0.0);
	rep->root_disp = ntp_short_from_double(SIM_SERVER_ROOT_DISP);
	rep->rec = server_clock(s, u, t);
	rep->xmt = server_clock(s, u, t + SIM_SERVER_HOLD);
	rep->ref = server_clock(s, u, t - SIM_SERVER_REF_AGE);
}

size_t sim_server_handle(struct sim_server *s, const struct sim_utc *u, double t,
                         const uint8_t *req, size_t len, uint8_t *out, size_t cap)
{
	struct ntp_packet in, rep;

	if (ntp_packet_parse(req, len, &in) != NTP_PARSE_OK || in.mode != NTP_MODE_CLIENT)
		return 0;
	s->requests++;
	fill_reply(s, u, t, &in, &rep);
	if (ntp_packet_serialize(&rep, out, cap) != NTP_HEADER_LEN)
		return 0;
	s->replies++;
	return NTP_HEADER_LEN;
}

const char *sim_server_kind_str(enum sim_server_kind k)
{
	switch (k) {
	case SIM_SERVER_GOOD:
		return "good";
	case SIM_SERVER_FALSETICKER:
		return "falseticker";
	case SIM_SERVER_STEPPER:
		return "stepper";
	case SIM_SERVER_KOD:
		return "kod";
	case SIM_SERVER_UNSYNC:
		return "unsync";
	case SIM_SERVER_LEAP:
		return "leap";
	}
	return "unknown";
}
