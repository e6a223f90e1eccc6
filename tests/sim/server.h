/* server: simulated NTP servers answering mode-3 requests with mode-4 replies.
 *
 * A server's clock reads UTC + offset (+ step once t >= step_at), where UTC is the
 * scenario's timescale: true time t, minus 1 s after an inserted leap second (sim_utc).
 * Replies are built with ntp_packet_serialize: version and poll echoed, org = request xmt,
 * rec = server clock at arrival, xmt = rec + SIM_SERVER_HOLD (the reply leaves SIM_SERVER_HOLD
 * later), stratum 1, refid "GPS", precision -20, root delay 0, root dispersion 1e-5 s,
 * reference time SIM_SERVER_REF_AGE before rec. Kinds change that:
 *   KOD     a RATE kiss-o'-death: stratum 0, LI 3, refid "RATE", org = rec = xmt = request xmt
 *   UNSYNC  LI 3, stratum 0 (unsynchronised on the wire), refid 0
 *   LEAP    LI 1 during the day before the scenario's leap second (a plain server follows
 *           UTC through the leap without announcing it)
 * FALSETICKER and STEPPER are good servers whose offset / step fields are set; any server
 * may also drift (its error grows by drift s/s from t = 0).
 */
#ifndef STRATA_SIM_SERVER_H
#define STRATA_SIM_SERVER_H

#include <stddef.h>
#include <stdint.h>

#define SIM_SERVER_HOLD 20e-6     /* s between receive and transmit */
#define SIM_SERVER_REF_AGE 3.0    /* s, reference time before receipt */
#define SIM_SERVER_ROOT_DISP 1e-5 /* s */
#define SIM_SERVER_PRECISION -20  /* log2 s */

enum sim_server_kind {
	SIM_SERVER_GOOD = 0,
	SIM_SERVER_FALSETICKER,
	SIM_SERVER_STEPPER,
	SIM_SERVER_KOD,
	SIM_SERVER_UNSYNC,
	SIM_SERVER_LEAP,
};

/* The scenario's UTC: NTP seconds of t = 0, and the true time of an inserted leap. */
struct sim_utc {
	int64_t epoch_ntp; /* NTP era-0 seconds at t = 0 */
	double leap_at;    /* true time at which UTC goes back 1 s; INFINITY for none */
};

/* UTC minus true time at t, s (0, or -1 after the leap). */
double sim_utc_offset(const struct sim_utc *u, double t);

struct sim_server_config {
	enum sim_server_kind kind;
	double offset;  /* s, constant clock error (positive = server ahead) */
	double step_at; /* true time of a step, s; INFINITY for none */
	double step;    /* s, clock change at step_at (positive = forward) */
	double drift;   /* s/s, the clock error grows by this from t = 0 (a slow liar) */
};

struct sim_server {
	struct sim_server_config cfg;
	unsigned long requests; /* mode-3 requests received */
	unsigned long replies;  /* datagrams sent back */
};

void sim_server_init(struct sim_server *s, const struct sim_server_config *cfg);

/* Server clock minus true time at true time t, s. */
double sim_server_error(const struct sim_server *s, const struct sim_utc *u, double t);

/* A datagram req[0..len) arrives at true time t. Writes the reply into out (cap >= 48)
 * and returns its length, or 0 when the server does not answer (not a valid request). */
size_t sim_server_handle(struct sim_server *s, const struct sim_utc *u, double t,
                         const uint8_t *req, size_t len, uint8_t *out, size_t cap);

/* Name of a kind, for the report. */
const char *sim_server_kind_str(enum sim_server_kind k);

#endif
