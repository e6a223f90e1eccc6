/* sim_actions: carrying out the engine's actions and delivering datagrams; see sim.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

static int server_of(const struct sim *s, int source_id)
{
	for (int i = 0; i < s->sc.n_servers; i++)
		if (s->track[i].id == source_id)
			return i;
	return -1;
}

/* Request leaves now; it reaches the server after the link's one-way delay (if at all). */
static int do_send(struct sim *s, const struct engine_action *a)
{
	struct sim_event ev = {.kind = SIM_EV_TO_SERVER};
	double delay;

	s->packets_sent++;
	ev.server = server_of(s, a->source);
	if (ev.server < 0 || a->len > sizeof(ev.buf)) {
		s->dropped_sends++;
		return 0;
	}
	if (!sim_link_send(&s->link[ev.server], SIM_DIR_UP, s->t, &delay))
		return 0;
	ev.t = s->t + delay;
	ev.len = a->len;
	memcpy(ev.buf, a->buf, a->len);
	return sim_evq_push(&s->evq, &ev);
}

static void do_frequency(struct sim *s, double ppm)
{
	char text[96];

	s->freq_actions++;
	s->last_freq_ppm = ppm;
	s->applied_freq_ppm = sim_clock_set_frequency(&s->clock, ppm);
	snprintf(text, sizeof(text), "%+.6f ppm (applied %+.6f)", ppm, s->applied_freq_ppm);
	sim_vlog(s, "FREQ", text);
}

static void do_step(struct sim *s, double value)
{
	char text[64];

	s->steps++;
	s->step_total += value;
	sim_clock_step(&s->clock, value);
	snprintf(text, sizeof(text), "%+.9f s", value);
	sim_vlog(s, "STEP", text);
}

static void do_status(struct sim *s, const struct engine_action *a)
{
	char text[128];

	s->status_actions++;
	sim_clock_status(&s->clock, a->leap, a->synced);
	snprintf(text, sizeof(text), "leap=%d synced=%d max_error=%.6f est_error=%.6f", a->leap,
	         a->synced, a->max_error, a->est_error);
	sim_vlog(s, "STATUS", text);
}

static int do_action(struct sim *s, const struct engine_action *a)
{
	char text[ENGINE_LOG_LEN + 8];

	switch (a->type) {
	case ENGINE_ACT_SEND:
		return do_send(s, a);
	case ENGINE_ACT_FREQUENCY:
		do_frequency(s, a->value);
		return 0;
	case ENGINE_ACT_STEP:
		do_step(s, a->value);
		return 0;
	case ENGINE_ACT_STATUS:
		do_status(s, a);
		return 0;
	case ENGINE_ACT_LOG:
		s->log_actions++;
		snprintf(text, sizeof(text), "<%d> %.*s", a->level, ENGINE_LOG_LEN, a->text);
		sim_vlog(s, "LOG", text);
		return 0;
	}
	return 0;
}

int sim_drain_actions(struct sim *s)
{
	struct engine_action a;
	int r = 0;

	while (r == 0 && engine_next_action(s->engine, &a))
		r = do_action(s, &a);
	return r;
}

/* The server answers; its reply leaves SIM_SERVER_HOLD later and crosses the link back. */
static int at_server(struct sim *s, const struct sim_event *req)
{
	struct sim_event ev = {.kind = SIM_EV_TO_CLIENT, .server = req->server};
	double delay, t_out = s->t + SIM_SERVER_HOLD;

	ev.len = sim_server_handle(&s->server[req->server], &s->sc.utc, s->t, req->buf, req->len,
	                           ev.buf, sizeof(ev.buf));
	if (ev.len == 0 || !sim_link_send(&s->link[req->server], SIM_DIR_DOWN, t_out, &delay))
		return 0;
	ev.t = t_out + delay;
	return sim_evq_push(&s->evq, &ev);
}

static int at_client(struct sim *s, const struct sim_event *ev)
{
	engine_receive(s->engine, s->track[ev->server].id, ev->buf, ev->len,
	               sim_clock_now(&s->clock), s->t);
	return sim_drain_actions(s);
}

int sim_deliver(struct sim *s, const struct sim_event *ev)
{
	if (ev->kind == SIM_EV_TO_SERVER)
		return at_server(s, ev);
	return at_client(s, ev);
}
