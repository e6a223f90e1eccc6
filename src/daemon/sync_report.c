/* sync_report: what the engine's state looks like to people: the debug sample line, the
 * per-source summary and the sd_notify STATUS= line. See sync.h. */
#include "config.h"

#include "daemon/sync_priv.h"

#include "core/mode6.h"

#include <netinet/in.h>
#include <nettle/md5.h>
#include <stdio.h>
#include <string.h>

#include "clock/clock.h"
#include "daemon/log.h"
#include "daemon/statsfile.h"
#include "daemon/notify.h"

uint32_t sync_refid_of(const struct udp_addr *addr)
{
	if (addr->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&addr->ss;

		return ntohl(sin->sin_addr.s_addr);
	}
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&addr->ss;
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];

	md5_init(&ctx);
	md5_update(&ctx, sizeof(sin6->sin6_addr), (const uint8_t *)&sin6->sin6_addr);
	md5_digest(&ctx, sizeof(d), d);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

/* True if refid reads as 1..4 printable ASCII characters, NUL-padded on the right. */
static bool sync_refid_is_ascii(uint32_t refid)
{
	bool end = false;

	for (int i = 0; i < 4; i++) {
		unsigned c = (refid >> (24 - 8 * i)) & 0xff;

		if (c == 0)
			end = true;
		else if (end || c < 0x20 || c >= 0x7f)
			return false;
	}
	return (refid >> 24) != 0;
}

/* Refid for display: 4 ASCII characters for stratum 0/1 (kiss codes, reference clock
 * names), dotted IPv4 otherwise and for a stratum 1 refid that is not text (chronyd's
 * local clock sends 127.127.1.1). */
void sync_refid_text(uint32_t refid, unsigned stratum, char *buf, size_t len)
{
	if (stratum <= 1 && sync_refid_is_ascii(refid)) {
		char txt[5] = {(char)(refid >> 24), (char)(refid >> 16), (char)(refid >> 8),
		               (char)refid, '\0'};

		snprintf(buf, len, "%s", txt);
		return;
	}
	snprintf(buf, len, "%u.%u.%u.%u", refid >> 24, (refid >> 16) & 0xff, (refid >> 8) & 0xff,
	         refid & 0xff);
}

static void sync_debug_sample(struct sync *s, const struct engine_source_info *si, bool kernel_ts)
{
	const struct source_sample *m = &si->src.last;
	char refid[20];

	if (!kernel_ts)
		log_debug(s->env.log, "no kernel receive timestamp from %s, clock read instead",
		          si->name);
	sync_refid_text(m->refid, m->stratum, refid, sizeof(refid));
	log_debug(s->env.log,
	          "sample from %s: offset %+.9f s delay %.9f s disp %.9f s stratum %u refid %s "
	          "reach %03o",
	          si->name, m->offset, m->delay, m->dispersion, m->stratum, refid, si->src.reach);
}

static void sync_summary_line(struct sync *s, int id);

void sync_report_sample(struct sync *s, int id, bool kernel_ts)
{
	struct engine_source_info si;

	if (sync_source(s, id, &si) < 0)
		return;
	if (log_enabled(s->env.log, CONF_LOG_DEBUG))
		sync_debug_sample(s, &si, kernel_ts);
	if (si.src.rx[SOURCE_RX_SAMPLE] == 1)
		sync_summary_line(s, id); /* the first answer of this source */
	if (s->stats) {
		struct engine_system y;
		struct timespec now;
		char addr[64];
		engine_get_system(s->engine, &y);
		clock_realtime(s->env.clock, &now);
		udp_addr_str(poller_addr(s->pollers[id]), addr, sizeof(addr));
		const struct source_sample *l = &si.src.last;
		statsfile_peer(s->stats, &now, addr,
		               mode6_status_word(&si, y.synced && y.system_peer == id), l->offset,
		               l->delay, l->dispersion, si.jitter);
	}
}

void sync_stats_configure(struct sync *s, const struct conf *c)
{
	statsfile_free(s->stats);
	s->stats = NULL;
	if (c->stats_dir &&
	    !(s->stats = statsfile_new(c->stats_dir, c->stats_loop, c->stats_peer, s->env.log)))
		log_err(s->env.log, "statistics: out of memory");
}

void sync_stats_loop(struct sync *s)
{
	struct engine_system y;
	struct engine_source_info si;
	struct timespec now;

	if (!s->stats)
		return; /* no statistics files: nothing to read on every engine step */
	engine_get_system(s->engine, &y);
	if (y.updates == s->stats_updates)
		return;
	s->stats_updates = y.updates;
	int poll = engine_get_source(s->engine, y.system_peer, &si) == 0 ? si.src.poll : 0;
	clock_realtime(s->env.clock, &now);
	statsfile_loop(s->stats, &now, y.offset, y.frequency, y.rms_offset, y.freq_error, poll);
}

void sync_report_falsetickers(struct sync *s)
{
	struct engine_source_info si;

	for (int i = 0; i < ENGINE_MAX_SOURCES; i++) {
		if (!s->pollers[i] || sync_source(s, i, &si) < 0)
			continue;
		bool ft = strcmp(si.select_status, "falseticker") == 0;
		if (ft && !s->falseticker[i])
			log_notice(
			        s->env.log,
			        "%s is a falseticker: offset %+.6f s disagrees with the majority",
			        si.name, si.offset);
		else if (!ft && s->falseticker[i])
			log_info(s->env.log, "%s is no longer a falseticker: %s", si.name,
			         si.select_status);
		s->falseticker[i] = ft;
	}
}

static void sync_summary_line(struct sync *s, int id)
{
	struct engine_source_info si;

	if (sync_source(s, id, &si) < 0)
		return;
	if (si.src.state == SOURCE_STATE_DENIED)
		log_info(s->env.log, "%s reach %03o stopped by kiss-o'-death %s", si.name,
		         si.src.reach, si.src.kiss);
	else if (!si.src.have_sample)
		log_info(s->env.log, "%s reach %03o no sample yet", si.name, si.src.reach);
	else
		log_info(s->env.log,
		         "%s reach %03o offset %+.6f s delay %.6f s jitter %.6f s poll %d: %s",
		         si.name, si.src.reach, si.offset, si.delay, si.jitter, si.src.poll,
		         si.select_status);
}

void sync_log_summary(struct sync *s)
{
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++)
		if (s->pollers[i])
			sync_summary_line(s, i);
	sync_report_status(s);
}

void sync_report_status(struct sync *s)
{
	struct engine_system y;
	struct engine_source_info si;
	int n = 0, reachable = 0;

	engine_get_system(s->engine, &y);
	if (y.synced) {
		notify_status(s->env.notify, "Synchronised to %s, stratum %d, offset %+.6f s",
		              sync_name(s, y.system_peer), y.stratum, y.offset);
		return;
	}
	for (int i = 0; i < ENGINE_MAX_SOURCES; i++) {
		if (sync_source(s, i, &si) < 0)
			continue;
		n++;
		reachable += si.src.reach != 0;
	}
	notify_status(s->env.notify, "Not synchronised: %s; %d source%s, %d reachable",
	              y.unsync_reason, n, n == 1 ? "" : "s", reachable);
}

void sync_mode6_view(const struct sync *s, struct mode6_view *out)
{
	engine_get_system(s->engine, &out->sys);
	out->precision = SYNC_LOCAL_PRECISION;
	snprintf(out->version, sizeof(out->version), "stratad %s", PACKAGE_VERSION);
	snprintf(out->processor, sizeof(out->processor), "%s", s->machine);
	snprintf(out->system, sizeof(out->system), "%s", s->system);
	out->n = 0;
	out->min_poll = SOURCE_DEFAULT_MINPOLL;
	bool first = true;
	for (int id = 0; id < ENGINE_MAX_SOURCES; id++) {
		struct mode6_source *m = &out->src[out->n];
		if (!s->pollers[id] || engine_get_source(s->engine, id, &m->info) < 0)
			continue;
		const struct udp_addr *a = poller_addr(s->pollers[id]);
		udp_addr_str(a, m->srcadr, sizeof(m->srcadr));
		m->srcport = udp_addr_port(a);
		snprintf(m->srchost, sizeof(m->srchost), "%s", s->host[id]);
		if (first || s->minpoll[id] < out->min_poll)
			out->min_poll = s->minpoll[id];
		first = false;
		out->id[out->n++] = id;
	}
}
