/* scenario: the table of named scenarios; see scenario.h. To add one, write a builder
 * that starts from defaults() and append it to the table at the bottom. */
#include <math.h>
#include <string.h>

#include "scenario.h"
#include "core/engine.h"

#define HOUR 3600.0

static void defaults(struct sim_scenario *s, int n_servers, bool iburst, int minpoll, int maxpoll)
{
	*s = (struct sim_scenario){
	        .hours = 24.0,
	        .utc = {.epoch_ntp = SIM_EPOCH_2026_12_01, .leap_at = INFINITY},
	        .phase0 = 0.1,
	        .osc0 = 100e-6,
	        .wander = 1e-9,
	        .n_servers = n_servers,
	        .source = {.minpoll = minpoll,
	                   .maxpoll = maxpoll,
	                   .iburst = iburst,
	                   .local_precision = -20},
	};
	for (int i = 0; i < SIM_MAX_SERVERS; i++) {
		s->server[i] =
		        (struct sim_server_config){.kind = SIM_SERVER_GOOD, .step_at = INFINITY};
		s->link[i] = (struct sim_link_config){.base = 100e-6, .jitter_mean = 100e-6};
	}
}

static void poll6(struct sim_scenario *s, int n)
{
	defaults(s, n, false, 6, 6);
}

static void iburst(struct sim_scenario *s, int n)
{
	defaults(s, n, true, SOURCE_DEFAULT_MINPOLL, SOURCE_DEFAULT_MAXPOLL);
}

static void falseticker_first(struct sim_scenario *s)
{
	s->server[0].kind = SIM_SERVER_FALSETICKER;
	s->server[0].offset = 1.0;
}

static void set_jitter(struct sim_scenario *s, double mean)
{
	for (int i = 0; i < s->n_servers; i++)
		s->link[i].jitter_mean = mean;
}

static void b_lan_poll6(struct sim_scenario *s)
{
	poll6(s, 1);
}

static void b_lan_poll6_ft(struct sim_scenario *s)
{
	poll6(s, 4);
	falseticker_first(s);
}

static void b_iburst(struct sim_scenario *s)
{
	iburst(s, 1);
}

static void b_iburst_ft(struct sim_scenario *s)
{
	iburst(s, 4);
	falseticker_first(s);
}

static void b_jitter(struct sim_scenario *s)
{
	poll6(s, 1);
	set_jitter(s, 1e-3);
}

static void b_jitter_ft(struct sim_scenario *s)
{
	b_lan_poll6_ft(s);
	set_jitter(s, 1e-3);
}

static void b_huge(struct sim_scenario *s)
{
	iburst(s, 1);
	s->phase0 = 2000.0;
}

static void b_outage(struct sim_scenario *s)
{
	iburst(s, 4);
	for (int i = 0; i < s->n_servers; i++) {
		s->link[i].n_outages = 1;
		s->link[i].outage[0] = (struct sim_outage){6 * HOUR, 12 * HOUR};
	}
}

static void b_loss30(struct sim_scenario *s)
{
	iburst(s, 4);
	for (int i = 0; i < s->n_servers; i++)
		s->link[i].loss = 0.3;
}

static void b_server_step(struct sim_scenario *s)
{
	iburst(s, 4);
	s->server[1].kind = SIM_SERVER_STEPPER;
	s->server[1].step_at = 4 * HOUR;
	s->server[1].step = 0.5;
}

/* Epoch 2026-12-31 00:00 UTC; the leap second is inserted at 2027-01-01 00:00 (t = 24 h),
 * announced by every server from the epoch on; 30 h run. */
static void b_leap(struct sim_scenario *s)
{
	iburst(s, 4);
	s->hours = 30.0;
	s->utc.epoch_ntp = SIM_EPOCH_2026_12_31;
	s->utc.leap_at = 24 * HOUR;
	for (int i = 0; i < s->n_servers; i++)
		s->server[i].kind = SIM_SERVER_LEAP;
}

static void b_leap_slew(struct sim_scenario *s)
{
	b_leap(s);
	s->leap_mode = ENGINE_LEAP_SLEW;
}

static void b_kod(struct sim_scenario *s)
{
	iburst(s, 2);
	s->server[1].kind = SIM_SERVER_KOD;
}

static void b_unsync(struct sim_scenario *s)
{
	iburst(s, 2);
	s->server[1].kind = SIM_SERVER_UNSYNC;
}

/* --- time attacks (issue 7): five servers, iburst ----------------------------------------- */

static void b_attack_1of5(struct sim_scenario *s)
{
	iburst(s, 5);
	falseticker_first(s);
}

/* Two liars that disagree with each other and with the truth. */
static void b_attack_2of5(struct sim_scenario *s)
{
	b_attack_1of5(s);
	s->server[1].kind = SIM_SERVER_FALSETICKER;
	s->server[1].offset = -0.6;
}

/* Three of five drift together at +50 ns/s (4.3 ms a day): a majority cannot be told from
 * the truth, so the clock follows it; the effect is bounded by the majority's error. */
static void b_attack_drift_majority(struct sim_scenario *s)
{
	iburst(s, 5);
	for (int i = 0; i < 3; i++)
		s->server[i].drift = 50e-9;
}

/* An attacker on the path delays every request by 10 ms more than the reply (a one-way
 * delay attack): NTP cannot see asymmetry, so the offset error is half of it, 5 ms, and
 * no more; the delay it reports grows by the full 10 ms. */
static void b_attack_delay(struct sim_scenario *s)
{
	iburst(s, 5);
	for (int i = 0; i < s->n_servers; i++)
		s->link[i].asym = 10e-3;
}

/* Every server jumps one hour ahead at 4 h: past the panic threshold (1000 s) and after
 * the makestep updates, it is refused; the clock holds on its frequency estimate. 8 h run. */
static void b_attack_jump(struct sim_scenario *s)
{
	iburst(s, 5);
	s->hours = 8.0;
	for (int i = 0; i < s->n_servers; i++) {
		s->server[i].kind = SIM_SERVER_STEPPER;
		s->server[i].step_at = 4 * HOUR;
		s->server[i].step = 3600.0;
	}
}

struct entry {
	const char *name;
	const char *desc;
	void (*build)(struct sim_scenario *s);
};

static const struct entry table[] = {
        {"lan-poll6", "one server, poll fixed at 64 s", b_lan_poll6},
        {"lan-poll6-falseticker", "four servers, srv0 1.0 s off, poll 64 s", b_lan_poll6_ft},
        {"iburst-default", "one server, iburst, poll 6..10", b_iburst},
        {"iburst-default-falseticker", "four servers, iburst, srv0 1.0 s off", b_iburst_ft},
        {"jitter1ms-poll6", "lan-poll6 with 1 ms mean jitter", b_jitter},
        {"jitter1ms-poll6-falseticker", "lan-poll6-falseticker with 1 ms mean jitter", b_jitter_ft},
        {"huge-offset", "client 2000 s ahead, one server, iburst: must be refused", b_huge},
        {"outage", "four servers, iburst, all unreachable from 6 h to 12 h", b_outage},
        {"loss30", "four servers, iburst, 30 % loss each way", b_loss30},
        {"server-step", "four servers, iburst, srv1 steps +0.5 s at 4 h", b_server_step},
        {"leap-insert", "four servers, leap second inserted at 24 h, 30 h run", b_leap},
        {"leap-insert-slew", "like leap-insert, the second slewed instead of the kernel's jump",
         b_leap_slew},
        {"kod", "srv0 good, srv1 answers RATE kiss-o'-death", b_kod},
        {"unsync", "srv0 good, srv1 unsynchronised (LI 3)", b_unsync},
        {"attack-1of5", "five servers, iburst, srv0 1.0 s off", b_attack_1of5},
        {"attack-2of5", "five servers, iburst, srv0 +1.0 s and srv1 -0.6 s off", b_attack_2of5},
        {"attack-drift-majority", "five servers, srv0..srv2 drift +50 ns/s together",
         b_attack_drift_majority},
        {"attack-delay", "five servers, every request delayed 10 ms more than its reply",
         b_attack_delay},
        {"attack-jump", "five servers all jump +1 h at 4 h, 8 h run", b_attack_jump},
};

#define N_SCENARIOS ((int)(sizeof(table) / sizeof(table[0])))

int sim_scenario_count(void)
{
	return N_SCENARIOS;
}

void sim_scenario_get(int i, struct sim_scenario *out)
{
	table[i].build(out);
	out->name = table[i].name;
	out->desc = table[i].desc;
}

bool sim_scenario_find(const char *name, struct sim_scenario *out)
{
	for (int i = 0; i < N_SCENARIOS; i++) {
		if (strcmp(table[i].name, name) == 0) {
			sim_scenario_get(i, out);
			return true;
		}
	}
	return false;
}
