/* engine_update: from per-source estimates to a clock update: selection, combining, the
 * discipline decision and the published system state. See engine.h. */
#include "core/engine_priv.h"
#include "core/select.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ENGINE_MINDISP 0.001         /* s: root dispersion added per hop at least */
#define ENGINE_SD_DISTANCE 3.0       /* standard errors added to a source's correctness interval */
#define ENGINE_RMS_WEIGHT 0.125      /* exponential weight of the RMS offset */
#define ENGINE_PANIC_LOG_EVERY 600.0 /* s between repeated "insane time" errors */

struct combined {
	double offset, offset_sd, freq, freq_sd;
	bool freq_valid;
	int n;
};

static double raw_now(const struct engine *e, double *c_now)
{
	*c_now = e->cfg.control_clock ? discipline_correction(&e->disc, e->now_local) : 0.0;
	return e->now_local - *c_now;
}

/* Fill one selection candidate from a source's filter and its last sample. */
static bool make_candidate(struct engine *e, struct engine_src *s, double raw, double c_now,
                           struct select_candidate *c)
{
	const struct filter_estimate *fe = filter_get(&s->filt);
	struct source_status st;
	source_get_status(s->src, &st);
	memset(c, 0, sizeof(*c));
	c->reachable = st.reach != 0;
	s->was_reachable = c->reachable;
	if (!fe->valid || !st.have_sample) {
		c->stratum = NTP_MAX_STRATUM;
		s->offset_sd = INFINITY;
		return false;
	}
	double sd;
	double off_raw = filter_offset_at(&s->filt, raw, e->disc.drift, &sd);
	double age = raw - fe->t_ref;
	s->offset = off_raw - c_now;
	s->offset_sd = sd;
	s->root_distance = st.last.root_delay / 2 + st.last.root_disp + fe->min_delay / 2 +
	                   fe->dispersion + SOURCE_PHI * (age > 0 ? age : 0) +
	                   ENGINE_SD_DISTANCE * sd;
	c->offset = s->offset;
	c->root_distance = s->root_distance;
	c->jitter = fe->jitter;
	c->stratum = st.last.stratum;
	c->leap = s->unsync ? NTP_LEAP_ALARM : st.last.leap;
	c->loop = false;
	c->noselect = false;
	return true;
}

static bool survivor(enum select_status st)
{
	return st == SELECT_SELECTED || st == SELECT_COMBINED;
}

/* Inverse-variance combination of the survivors' offsets and frequencies. */
static void combine(struct engine *e, const int *ids, const struct select_result *r, int n,
                    struct combined *out)
{
	double wo = 0, so = 0, wf = 0, sf = 0;
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < n; k++) {
		if (!survivor(r->status[k]))
			continue;
		const struct engine_src *s = &e->srcs[ids[k]];
		const struct filter_estimate *fe = filter_get(&s->filt);
		double sd = fmax(s->offset_sd, 1e-9);
		wo += 1 / (sd * sd), so += s->offset / (sd * sd);
		if (fe->freq_valid && isfinite(fe->freq_sd)) {
			double fsd = fmax(fe->freq_sd, 1e-12);
			wf += 1 / (fsd * fsd), sf += fe->freq / (fsd * fsd);
		}
		out->n++;
	}
	out->offset = so / wo;
	out->offset_sd = sqrt(1 / wo);
	out->freq_valid = wf > 0;
	out->freq = out->freq_valid ? sf / wf : 0.0;
	out->freq_sd = out->freq_valid ? sqrt(1 / wf) : INFINITY;
}

/* A warning once we have been synchronised; before that, at start, only info. */
static void set_unsynced(struct engine *e, const char *reason)
{
	if (e->sys.synced || strcmp(e->sys.unsync_reason, reason) != 0)
		engine_queue_log(e, e->ever_synced ? 1 : 3, "not synchronised: %s", reason);
	e->sys.synced = false;
	e->sys.system_peer = -1;
	e->sys.stratum = NTP_MAX_STRATUM;
	e->sys.leap = NTP_LEAP_ALARM;
	snprintf(e->sys.unsync_reason, sizeof(e->sys.unsync_reason), "%s", reason);
}

static void refuse(struct engine *e, double now_mono, double offset, const int *ids,
                   const struct select_result *r, int n)
{
	char who[160] = "";
	size_t len = 0;
	for (int k = 0; k < n && len < sizeof(who) - 1; k++)
		if (survivor(r->status[k]))
			len += (size_t)snprintf(who + len, sizeof(who) - len, "%s%s",
			                        len ? ", " : "", e->srcs[ids[k]].name);
	e->refusals++;
	for (int k = 0; k < n; k++)
		if (survivor(r->status[k]))
			e->srcs[ids[k]].sel_status = "refused";
	if (now_mono - e->last_panic_log >= ENGINE_PANIC_LOG_EVERY) {
		engine_queue_log(
		        e, 0,
		        "insane time: offset %+.3f s from %s is beyond the panic threshold "
		        "%.0f s; not correcting the clock",
		        offset, who, e->cfg.panic_threshold);
		e->last_panic_log = now_mono;
	}
	char reason[64];
	snprintf(reason, sizeof(reason), "insane offset %+.3f s refused", offset);
	set_unsynced(e, reason);
}

static void apply(struct engine *e, double now_mono, const struct combined *c)
{
	struct discipline_out out;
	discipline_update(&e->disc, e->now_local, c->offset, c->freq_valid, c->freq, &out);
	if (out.step) {
		struct engine_action *a = engine_queue_push(e, ENGINE_ACT_STEP);
		a->value = out.step_offset;
		e->last_step_mono = now_mono;
		e->sys.steps++;
		engine_queue_log(e, 2, "stepping the clock by %+.6f s", out.step_offset);
	}
	if (out.set_rate) {
		struct engine_action *a = engine_queue_push(e, ENGINE_ACT_FREQUENCY);
		a->value = out.rate * 1e6;
	}
}

static void publish(struct engine *e, int peer, const struct combined *c, double now_mono)
{
	struct engine_src *p = &e->srcs[peer];
	struct source_status st;
	source_get_status(p->src, &st);
	const struct filter_estimate *fe = filter_get(&p->filt);
	struct engine_system *y = &e->sys;
	if (!y->synced || y->system_peer != peer)
		engine_queue_log(e, 2, "synchronised to %s, stratum %d, offset %+.6f s", p->name,
		                 st.last.stratum + 1, c->offset);
	y->synced = true;
	e->ever_synced = true;
	y->system_peer = peer;
	y->stratum = st.last.stratum + 1;
	y->refid = p->refid;
	y->ref_time = ntp_ts_add(e->epoch, e->now_local);
	y->offset = c->offset;
	e->rms_acc += ENGINE_RMS_WEIGHT * (c->offset * c->offset - e->rms_acc);
	y->rms_offset = sqrt(e->rms_acc);
	y->frequency = e->disc.drift * 1e6;
	y->freq_error = c->freq_valid ? c->freq_sd * 1e6 : INFINITY;
	y->root_delay = st.last.root_delay + fe->min_delay;
	y->root_disp = st.last.root_disp +
	               fmax(ENGINE_MINDISP, fe->dispersion + fe->jitter + fabs(c->offset));
	y->error_bound = y->root_delay / 2 + y->root_disp;
	y->updates = e->disc.updates;
	y->unsync_reason[0] = '\0';
	(void)now_mono;
}

/* The leap indicator most survivors carry (a strict majority), else none. */
static int majority_leap(struct engine *e, const int *ids, const struct select_result *r, int n)
{
	int count[4] = {0, 0, 0, 0}, total = 0;
	for (int k = 0; k < n; k++) {
		if (!survivor(r->status[k]))
			continue;
		struct source_status st;
		source_get_status(e->srcs[ids[k]].src, &st);
		count[st.last.leap & 3]++;
		total++;
	}
	for (int l = 1; l <= 2; l++)
		if (2 * count[l] > total)
			return l;
	return NTP_LEAP_NONE;
}

/* A source that answered but can never be selected as things stand: stopped by a
 * kiss-o'-death, or only unsynchronised or kiss replies so far. */
static bool known_unusable(const struct engine_src *s)
{
	struct source_status st;
	source_get_status(s->src, &st);
	if (st.state == SOURCE_STATE_DENIED)
		return true;
	return st.reach == 0 &&
	       st.rx[SOURCE_RX_UNSYNC] + st.rx[SOURCE_RX_KOD_RATE] + st.rx[SOURCE_RX_KOD_OTHER] > 0;
}

/* Until the first synchronisation, hold selection while no more than half of the sources
 * that may still be usable have answered, for at most ENGINE_STARTUP_WAIT s after the first
 * answer: the first source to answer may be a falseticker, and a majority of one would
 * follow (and step to) it. */
static bool startup_hold(struct engine *e, double now_mono, const int *ids,
                         const struct select_candidate *c, int n)
{
	int answered = 0, voters = 0;
	if (e->ever_synced)
		return false;
	for (int k = 0; k < n; k++) {
		answered += c[k].reachable;
		voters += c[k].reachable || !known_unusable(&e->srcs[ids[k]]);
	}
	if (answered == 0 || 2 * answered > voters)
		return false;
	if (isnan(e->first_answer_mono))
		e->first_answer_mono = now_mono;
	return now_mono - e->first_answer_mono < ENGINE_STARTUP_WAIT;
}

void engine_update(struct engine *e, double now_mono)
{
	struct select_candidate cand[ENGINE_MAX_SOURCES];
	int ids[ENGINE_MAX_SOURCES], n = 0;
	double c_now, raw = raw_now(e, &c_now);
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++) {
		if (!e->srcs[i].used)
			continue;
		make_candidate(e, &e->srcs[i], raw, c_now, &cand[n]);
		ids[n++] = i;
	}
	if (startup_hold(e, now_mono, ids, cand, n)) {
		set_unsynced(e, "waiting for a majority of the sources to answer");
		return;
	}
	struct select_params sp;
	select_params_default(&sp);
	sp.min_sources = e->cfg.min_sources;
	sp.system_peer = -1;
	for (int k = 0; k < n; k++)
		if (ids[k] == e->sys.system_peer)
			sp.system_peer = k;
	struct select_result r;
	if (select_run(cand, (size_t)n, &sp, &r) < 0)
		return;
	for (int k = 0; k < n; k++)
		e->srcs[ids[k]].sel_status = select_status_str(r.status[k]);
	if (!r.synchronised || r.system_peer < 0) {
		int unreachable = 0;
		for (int k = 0; k < n; k++)
			unreachable += r.status[k] == SELECT_UNREACHABLE;
		set_unsynced(e, n == 0 ? "no sources"
		                : unreachable == n
		                        ? "no selectable sources: every source unreachable"
		                        : "no selectable sources");
		return;
	}
	struct combined c;
	combine(e, ids, &r, n, &c);
	engine_queue_log(e, 4,
	                 "update: offset %+.9f s (sd %.9f) freq %+.4f ppm (sd %.4f) from %d "
	                 "sources, peer n=%d",
	                 c.offset, c.offset_sd, c.freq * 1e6, c.freq_sd * 1e6, c.n,
	                 filter_get(&e->srcs[ids[r.system_peer]].filt)->n);
	enum discipline_decision d = discipline_next(&e->disc, c.offset);
	if (d == DISCIPLINE_REFUSE) {
		refuse(e, now_mono, c.offset, ids, &r, n);
		return;
	}
	e->sys.residual_freq = c.freq_valid ? (c.freq - e->disc.drift) * 1e6 : NAN;
	e->sys.update_interval = now_mono - e->last_update_mono;
	e->last_update_mono = now_mono;
	if (e->cfg.control_clock)
		apply(e, now_mono, &c);
	else
		e->disc.updates++;
	publish(e, ids[r.system_peer], &c, now_mono);
	engine_leap_vote(e, majority_leap(e, ids, &r, n));
	engine_publish_status(e, now_mono);
}

void engine_publish_status(struct engine *e, double now_mono)
{
	e->next_status = now_mono + ENGINE_STATUS_INTERVAL;
	if (!e->cfg.control_clock)
		return;
	struct engine_action *a = engine_queue_push(e, ENGINE_ACT_STATUS);
	a->synced = e->sys.synced;
	a->leap = e->sys.synced && e->cfg.leap_mode == ENGINE_LEAP_SYSTEM ? e->sys.leap
	                                                                  : NTP_LEAP_NONE;
	a->max_error = e->sys.synced ? e->sys.error_bound : 16.0;
	a->est_error = e->sys.synced ? fabs(e->sys.offset) + e->sys.rms_offset : 16.0;
}
