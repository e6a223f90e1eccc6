/* discipline: slew / step / refuse and the bookkeeping of corrections; see discipline.h. */
#include "core/discipline.h"

#include <math.h>
#include <string.h>

static double clamp(double x, double lim)
{
	return x > lim ? lim : (x < -lim ? -lim : x);
}

void discipline_init(struct discipline *d, const struct discipline_config *cfg, double now_local)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->corr_local = now_local;
	d->drift = clamp(isfinite(cfg->initial_freq) ? cfg->initial_freq : 0.0, cfg->max_freq);
	d->rate = d->drift;
	d->slew_end = INFINITY;
}

enum discipline_decision discipline_decide(const struct discipline_config *cfg,
                                           unsigned long updates, bool panic_used, double offset)
{
	double a = fabs(offset);
	if (!isfinite(offset))
		return DISCIPLINE_REFUSE;
	if (cfg->panic_threshold > 0 && a > cfg->panic_threshold &&
	    !(cfg->allow_first_panic && !panic_used && updates == 0))
		return DISCIPLINE_REFUSE;
	bool may_step = cfg->makestep_limit < 0 || updates < (unsigned long)cfg->makestep_limit;
	if (may_step && a > cfg->makestep_threshold)
		return DISCIPLINE_STEP;
	return DISCIPLINE_SLEW;
}

enum discipline_decision discipline_next(const struct discipline *d, double offset)
{
	if (!isfinite(offset))
		return DISCIPLINE_REFUSE;
	bool insane = d->cfg.panic_threshold > 0 && fabs(offset) > d->cfg.panic_threshold;
	if (insane && d->insane_armed)
		return DISCIPLINE_STEP;
	enum discipline_decision dec =
	        discipline_decide(&d->cfg, d->updates, d->panic_used, offset);
	return dec == DISCIPLINE_SLEW && d->step_armed ? DISCIPLINE_STEP : dec;
}

double discipline_correction(const struct discipline *d, double t)
{
	double l = t - d->corr_local;
	return d->corr + l * d->rate / (1.0 + d->rate);
}

void discipline_advance(struct discipline *d, double t)
{
	d->corr = discipline_correction(d, t);
	d->corr_local = t;
}

static void set_rate(struct discipline *d, double t, double rate, struct discipline_out *out)
{
	discipline_advance(d, t);
	d->rate = rate;
	out->set_rate = true;
	out->rate = rate;
}

void discipline_update(struct discipline *d, double t, double offset, bool freq_valid, double freq,
                       struct discipline_out *out)
{
	memset(out, 0, sizeof(*out));
	out->decision = discipline_next(d, offset);
	if (out->decision == DISCIPLINE_REFUSE)
		return;
	if (fabs(offset) > d->cfg.panic_threshold && d->cfg.panic_threshold > 0) {
		d->panic_used = true;
		d->insane_armed = false;
	}
	if (out->decision == DISCIPLINE_STEP)
		d->step_armed = false;
	d->updates++;
	if (freq_valid && isfinite(freq))
		d->drift = clamp(freq, d->cfg.max_freq);
	if (out->decision == DISCIPLINE_STEP) {
		discipline_advance(d, t);
		d->corr += offset;
		d->corr_local += offset; /* the local clock jumped with the step */
		d->steps++;
		d->slew_end = INFINITY;
		out->step = true;
		out->step_offset = offset;
		set_rate(d, t + offset, d->drift, out);
		return;
	}
	double T = fmax(fabs(offset) / d->cfg.max_slew, d->cfg.slew_time);
	if (!(T > 0)) {
		set_rate(d, t, d->drift, out);
		d->slew_end = INFINITY;
		return;
	}
	double r = d->drift + offset / T;
	/* Local duration over which C gains exactly `offset` more than the drift alone gives. */
	double gain = r / (1.0 + r) - d->drift / (1.0 + d->drift);
	set_rate(d, t, r, out);
	d->slew_end = t + (gain != 0.0 ? offset / gain : T);
}

bool discipline_tick(struct discipline *d, double t, double *rate)
{
	if (t < d->slew_end)
		return false;
	d->slew_end = INFINITY;
	if (d->rate == d->drift)
		return false;
	discipline_advance(d, t);
	d->rate = d->drift;
	*rate = d->rate;
	return true;
}
