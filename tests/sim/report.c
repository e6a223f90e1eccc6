/* report: text and JSON output of a run; see report.h and README.md for the fields. */
#include <math.h>
#include <string.h>

#include "report.h"

static void json_str(FILE *f, const char *str)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(str ? str : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A number, or null for NaN / infinity (JSON has neither). */
static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

static void json_key_num(FILE *f, const char *key, double v)
{
	fprintf(f, ",\"%s\":", key);
	json_num(f, v);
}

static void source_info(const struct sim *s, int i, struct engine_source_info *info)
{
	if (engine_get_source(s->engine, s->track[i].id, info) != 0) {
		memset(info, 0, sizeof(*info));
		info->select_status = "unknown";
	}
	if (!info->select_status)
		info->select_status = "unknown";
}

static void json_source(FILE *f, const struct sim *s, int i)
{
	struct engine_source_info info;

	source_info(s, i, &info);
	fprintf(f, "%s{\"name\":", i ? "," : "");
	json_str(f, info.name);
	fputs(",\"kind\":", f);
	json_str(f, sim_server_kind_str(s->server[i].cfg.kind));
	fputs(",\"status\":", f);
	json_str(f, info.select_status);
	fprintf(f, ",\"reach\":%u", info.src.reach);
	json_key_num(f, "offset", info.offset);
	json_key_num(f, "delay", info.delay);
	fprintf(f, ",\"poll\":%d,\"used_s\":%lu,\"peer_s\":%lu,\"requests\":%lu}", info.src.poll,
	        s->track[i].used_s, s->track[i].peer_s, s->server[i].requests);
}

void sim_report_json(FILE *f, struct sim *s)
{
	struct sim_result r;
	struct engine_system sys;

	sim_metrics_result(&s->metrics, &r);
	engine_get_system(s->engine, &sys);
	fputs("{\"scenario\":", f);
	json_str(f, s->sc.name);
	fprintf(f, ",\"seed\":%llu", (unsigned long long)s->seed);
	json_key_num(f, "hours", s->sc.hours);
	fprintf(f, ",\"t_conv_1ms_s\":%ld", r.t_conv_1ms_s);
	json_key_num(f, "rms_offset_s", r.rms_offset_s);
	json_key_num(f, "max_abs_offset_s", r.max_abs_offset_s);
	json_key_num(f, "p99_abs_offset_s", r.p99_abs_offset_s);
	json_key_num(f, "rms_freq_ppm", r.rms_freq_ppm);
	fprintf(f, ",\"packets_sent\":%lu,\"steps\":%lu,\"freq_actions\":%lu", s->packets_sent,
	        s->steps, s->freq_actions);
	json_key_num(f, "final_offset_s", r.final_offset_s);
	json_key_num(f, "step_total_s", s->step_total);
	json_key_num(f, "applied_freq_ppm", s->applied_freq_ppm);
	fprintf(f, ",\"kernel_leaps\":%lu,\"synced\":%s,\"unsync_reason\":", s->clock.leaps_applied,
	        sys.synced ? "true" : "false");
	json_str(f, sys.unsync_reason);
	fputs(",\"sources\":[", f);
	for (int i = 0; i < s->sc.n_servers; i++)
		json_source(f, s, i);
	fputs("]}\n", f);
}

static void text_sources(FILE *f, const struct sim *s)
{
	fprintf(f, "%-7s %-8s %-12s %-12s %5s %14s %12s %11s %8s %9s\n", "#source", "name", "kind",
	        "status", "reach", "offset_s", "delay_s", "used_s", "peer_s", "requests");
	for (int i = 0; i < s->sc.n_servers; i++) {
		struct engine_source_info info;

		source_info(s, i, &info);
		fprintf(f, "%-7s %-8s %-12s %-12s %5o %+14.9f %12.9f %11lu %8lu %9lu\n", "source",
		        info.name, sim_server_kind_str(s->server[i].cfg.kind), info.select_status,
		        info.src.reach, info.offset, info.delay, s->track[i].used_s,
		        s->track[i].peer_s, s->server[i].requests);
	}
}

void sim_report_text(FILE *f, struct sim *s)
{
	struct sim_result r;
	struct engine_system sys;

	sim_metrics_result(&s->metrics, &r);
	engine_get_system(s->engine, &sys);
	fprintf(f, "%-18s %s\n", "scenario", s->sc.name);
	fprintf(f, "%-18s %llu\n", "seed", (unsigned long long)s->seed);
	fprintf(f, "%-18s %g\n", "hours", s->sc.hours);
	fprintf(f, "%-18s %ld\n", "t_conv_1ms_s", r.t_conv_1ms_s);
	fprintf(f, "%-18s %.9g\n", "rms_offset_s", r.rms_offset_s);
	fprintf(f, "%-18s %.9g\n", "max_abs_offset_s", r.max_abs_offset_s);
	fprintf(f, "%-18s %.9g\n", "p99_abs_offset_s", r.p99_abs_offset_s);
	fprintf(f, "%-18s %.9g\n", "rms_freq_ppm", r.rms_freq_ppm);
	fprintf(f, "%-18s %lu\n", "packets_sent", s->packets_sent);
	fprintf(f, "%-18s %lu\n", "steps", s->steps);
	fprintf(f, "%-18s %lu\n", "freq_actions", s->freq_actions);
	fprintf(f, "%-18s %.9g\n", "final_offset_s", r.final_offset_s);
	fprintf(f, "%-18s %.9g\n", "step_total_s", s->step_total);
	fprintf(f, "%-18s %.9g\n", "applied_freq_ppm", s->applied_freq_ppm);
	fprintf(f, "%-18s %lu\n", "kernel_leaps", s->clock.leaps_applied);
	fprintf(f, "%-18s %s\n", "synced", sys.synced ? "yes" : "no");
	fprintf(f, "%-18s %s\n", "unsync_reason", sys.unsync_reason[0] ? sys.unsync_reason : "-");
	text_sources(f, s);
}
