/* simclock: the simulated client clock; see simclock.h. */
#include <math.h>

#include "core/packet.h"
#include "simclock.h"

#define SIM_DAY 86400.0

ntp_ts_t sim_ts(int64_t epoch_ntp, double x)
{
	double whole = floor(x);
	uint64_t frac = (uint64_t)llround((x - whole) * 0x1.0p32);
	int64_t sec = epoch_ntp + (int64_t)whole;

	if (frac >= (1ull << 32)) {
		frac -= 1ull << 32;
		sec++;
	}
	return ((uint64_t)sec << 32) + frac; /* wraps modulo the era like the wire */
}

void sim_clock_init(struct sim_clock *c, int64_t epoch_ntp, double phase0, double osc0,
                    double wander, uint64_t seed)
{
	*c = (struct sim_clock){
	        .t = 0.0,
	        .phase = phase0,
	        .osc = osc0,
	        .wander = wander,
	        .next_wander = 1.0,
	        .epoch_ntp = epoch_ntp,
	        .leap = NTP_LEAP_ALARM,
	};
	sim_rng_init(&c->rng, seed, 0x636c6f636bull); /* "clock" */
}

double sim_clock_local(const struct sim_clock *c)
{
	return c->t + c->phase;
}

ntp_ts_t sim_clock_now(const struct sim_clock *c)
{
	return sim_ts(c->epoch_ntp, c->t + c->phase);
}

/* Integrate the phase from c->t to t at the current rate; fire the armed leap if the local
 * clock reaches its instant on the way (at the exact true time it does). */
static void integrate(struct sim_clock *c, double t)
{
	double rate = c->osc + c->cmd;
	double local_end = t + c->phase + rate * (t - c->t);

	if (c->leap_dir != 0 && local_end >= c->leap_local) {
		double tc = c->t + (c->leap_local - sim_clock_local(c)) / (1.0 + rate);

		if (tc > c->t) {
			c->phase += rate * (tc - c->t);
			c->t = tc;
		}
		c->phase += (double)c->leap_dir;
		c->leap_dir = 0;
		c->leaps_applied++;
		c->last_leap_t = c->t;
	}
	c->phase += rate * (t - c->t);
	c->t = t;
}

void sim_clock_advance(struct sim_clock *c, double t)
{
	while (c->next_wander <= t) {
		integrate(c, c->next_wander);
		c->osc += sim_rng_normal(&c->rng, c->wander);
		c->next_wander += 1.0;
	}
	if (t > c->t)
		integrate(c, t);
}

double sim_clock_set_frequency(struct sim_clock *c, double ppm)
{
	long tick;
	double rem;

	if (!isfinite(ppm))
		return (double)c->tick_delta_us * 100.0 + (double)c->freq_scaled / 65536.0;
	tick = lround(ppm / 100.0);
	if (tick > SIM_TICK_MAX_DELTA)
		tick = SIM_TICK_MAX_DELTA;
	if (tick < -SIM_TICK_MAX_DELTA)
		tick = -SIM_TICK_MAX_DELTA;
	rem = ppm - (double)tick * 100.0;
	if (rem > SIM_ADJ_FREQ_MAX_PPM)
		rem = SIM_ADJ_FREQ_MAX_PPM;
	if (rem < -SIM_ADJ_FREQ_MAX_PPM)
		rem = -SIM_ADJ_FREQ_MAX_PPM;
	c->tick_delta_us = tick;
	c->freq_scaled = (long)(rem * 65536.0); /* truncated, as (long) casts do */
	ppm = (double)tick * 100.0 + (double)c->freq_scaled / 65536.0;
	c->cmd = ppm * 1e-6;
	return ppm;
}

void sim_clock_step(struct sim_clock *c, double s)
{
	if (isfinite(s))
		c->phase += s;
}

void sim_clock_status(struct sim_clock *c, int leap, bool synced)
{
	double local = sim_clock_local(c);
	double midnight = ceil(((double)(c->epoch_ntp % 86400) + local) / SIM_DAY) * SIM_DAY -
	                  (double)(c->epoch_ntp % 86400);

	c->leap = leap;
	c->synced = synced;
	if (leap == NTP_LEAP_INSERT && c->leap_dir != -1) {
		c->leap_dir = -1;
		c->leap_local = midnight;
	} else if (leap == NTP_LEAP_DELETE && c->leap_dir != 1) {
		c->leap_dir = 1;
		c->leap_local = midnight - 1.0;
	} else if (leap != NTP_LEAP_INSERT && leap != NTP_LEAP_DELETE) {
		c->leap_dir = 0;
	}
}

double sim_clock_freq_error_ppm(const struct sim_clock *c)
{
	return (c->osc + c->cmd) * 1e6;
}
