/* link: one-way delay, loss and outages of one client-server path; see link.h. */
#include "link.h"

void sim_link_init(struct sim_link *l, const struct sim_link_config *cfg, uint64_t seed,
                   uint64_t purpose)
{
	*l = (struct sim_link){.cfg = *cfg};
	sim_rng_init(&l->rng, seed, purpose);
}

static bool in_outage(const struct sim_link_config *cfg, double t)
{
	for (int i = 0; i < cfg->n_outages; i++)
		if (t >= cfg->outage[i].start && t < cfg->outage[i].end)
			return true;
	return false;
}

bool sim_link_send(struct sim_link *l, enum sim_dir dir, double t, double *delay)
{
	double u = sim_rng_uniform(&l->rng);
	double jitter = sim_rng_exponential(&l->rng, l->cfg.jitter_mean);
	double d = l->cfg.base + jitter;

	l->sent[dir]++;
	if (dir == SIM_DIR_UP && l->cfg.asym > 0.0)
		d += l->cfg.asym;
	if (dir == SIM_DIR_DOWN && l->cfg.asym < 0.0)
		d -= l->cfg.asym;
	if (u < l->cfg.loss || in_outage(&l->cfg, t)) {
		l->lost[dir]++;
		return false;
	}
	*delay = d;
	return true;
}
