/* mode6_vars: the system and peer variables ntpq reads, in ntpd's formats. See mode6.h. */
#include "core/mode6_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/packet.h"

static void put(struct mode6_items *l, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void put(struct mode6_items *l, const char *name, const char *fmt, ...)
{
	if (l->n >= MODE6_MAX_ITEMS)
		return;
	struct mode6_item *it = &l->it[l->n++];
	va_list ap;
	it->name = name;
	va_start(ap, fmt);
	vsnprintf(it->value, sizeof(it->value), fmt, ap);
	va_end(ap);
}

/* Milliseconds from seconds; an unknown (non-finite) estimate is 0. */
static double ms(double s)
{
	return isfinite(s) ? s * 1e3 : 0.0;
}

static double finite_or_0(double v)
{
	return isfinite(v) ? v : 0.0;
}

static void put_ts(struct mode6_items *l, const char *name, ntp_ts_t t)
{
	put(l, name, "0x%08x.%08x", (unsigned)(t >> 32), (unsigned)(t & 0xffffffffu));
}

/* A quoted string, with the characters that would end it dropped. */
static void put_text(struct mode6_items *l, const char *name, const char *s)
{
	char clean[90];
	size_t k = 0;
	for (; *s && k + 1 < sizeof(clean); s++)
		if (*s != '"' && *s != ',' && *s >= 0x20 && *s < 0x7f)
			clean[k++] = *s;
	clean[k] = '\0';
	put(l, name, "\"%s\"", clean);
}

/* refid: four ASCII characters at stratum 0 and 1 (kiss codes, reference names; trailing
 * NULs dropped) when they are printable, dotted IPv4 (or the IPv6 hash) otherwise, as
 * stratactl shows it; "INIT" while unsynchronised. */
static void put_refid(struct mode6_items *l, uint32_t refid, int stratum)
{
	char a[5];
	int k = 0;
	bool text = stratum <= 1;
	for (int sh = 24; sh >= 0 && text; sh -= 8) {
		char c = (char)((refid >> sh) & 0xff);
		if (c == 0 && k > 0)
			break;
		text = c > 0x20 && c < 0x7f && c != ',' && c != '"' && c != '=';
		a[k++] = c;
	}
	a[k] = '\0';
	if (stratum >= NTP_MAX_STRATUM || refid == 0)
		put(l, "refid", "INIT");
	else if (text)
		put(l, "refid", "%s", a);
	else
		put(l, "refid", "%u.%u.%u.%u", refid >> 24, (refid >> 16) & 255, (refid >> 8) & 255,
		    refid & 255);
}

uint16_t mode6_system_status(const struct mode6_view *v)
{
	const struct engine_system *y = &v->sys;
	unsigned leap = y->synced ? (unsigned)y->leap & 3 : 3;
	unsigned source = y->synced ? 6 : 0; /* 6: NTP */
	unsigned event = y->synced ? 5 : 8;  /* clock_sync, no_system_peer */
	return (uint16_t)(leap << 14 | source << 8 | 1 << 4 | event);
}

static unsigned selection(const struct engine_source_info *si, bool sys_peer)
{
	const char *s = si->select_status;
	if (!s)
		return 0;
	if (strcmp(s, "selected") == 0)
		return sys_peer ? 6 : 4;
	if (strcmp(s, "combined") == 0)
		return 4;
	if (strcmp(s, "candidate") == 0)
		return 5;
	if (strcmp(s, "falseticker") == 0)
		return 1;
	return 0;
}

uint16_t mode6_status_word(const struct engine_source_info *si, bool sys_peer)
{
	unsigned flags = 0x80 | (si->src.reach ? 0x10 : 0); /* configured, reachable */
	unsigned event = si->src.reach ? 4 : 3;             /* reachable, unreachable */
	return (uint16_t)(flags << 8 | selection(si, sys_peer) << 8 | 1 << 4 | event);
}

uint16_t mode6_peer_status(const struct mode6_view *v, int i)
{
	return mode6_status_word(&v->src[i].info, v->sys.synced && v->sys.system_peer == v->id[i]);
}

void mode6_system_vars(const struct mode6_view *v, struct mode6_items *out)
{
	const struct engine_system *y = &v->sys;
	int peer = -1;
	for (int i = 0; i < v->n; i++)
		if (y->synced && v->id[i] == y->system_peer)
			peer = i;
	out->n = 0;
	put_text(out, "version", v->version);
	put_text(out, "processor", v->processor);
	put_text(out, "system", v->system);
	put(out, "leap", "%d", y->synced ? y->leap & 3 : 3);
	put(out, "stratum", "%d", y->synced ? y->stratum : NTP_MAX_STRATUM);
	put(out, "precision", "%d", v->precision);
	put(out, "rootdelay", "%.3f", y->synced ? ms(y->root_delay) : 0.0);
	put(out, "rootdisp", "%.3f", y->synced ? ms(y->root_disp) : 0.0);
	put(out, "rootdist", "%.3f", y->synced ? ms(y->error_bound) : 0.0);
	put_refid(out, y->synced ? y->refid : 0, y->synced ? y->stratum : NTP_MAX_STRATUM);
	put_ts(out, "reftime", y->ref_time);
	put_ts(out, "clock", v->now);
	put(out, "peer", "%d", peer >= 0 ? v->id[peer] + 1 : 0);
	put(out, "tc", "%d", peer >= 0 ? v->src[peer].info.src.poll : v->min_poll);
	put(out, "mintc", "%d", v->min_poll);
	put(out, "offset", "%.6f", ms(y->offset));
	put(out, "frequency", "%.6f", finite_or_0(y->frequency));
	put(out, "sys_jitter", "%.6f", peer >= 0 ? ms(v->src[peer].info.jitter) : 0.0);
	put(out, "clk_jitter", "%.6f", ms(y->rms_offset));
	put(out, "clk_wander", "%.6f", finite_or_0(y->freq_error));
}

void mode6_peer_vars(const struct mode6_view *v, int i, struct mode6_items *out)
{
	const struct mode6_source *s = &v->src[i];
	const struct source_status *st = &s->info.src;
	const struct source_sample *l = &st->last;
	bool have = st->have_sample;
	out->n = 0;
	put(out, "srcadr", "%s", s->srcadr);
	put(out, "srcport", "%u", s->srcport);
	if (*s->srchost)
		put_text(out, "srchost", s->srchost);
	put(out, "leap", "%d", have ? l->leap : 3);
	put(out, "stratum", "%d", have ? l->stratum : NTP_MAX_STRATUM);
	put(out, "precision", "%d", have ? l->precision : 0);
	put(out, "rootdelay", "%.3f", have ? ms(l->root_delay) : 0.0);
	put(out, "rootdisp", "%.3f", have ? ms(l->root_disp) : 0.0);
	put_refid(out, have ? l->refid : 0, have ? l->stratum : NTP_MAX_STRATUM);
	put_ts(out, "reftime", have ? l->ref : 0);
	put_ts(out, "rec", have ? l->t4 : 0);
	put(out, "reach", "0x%02x", st->reach);
	put(out, "hmode", "3"); /* client */
	put(out, "pmode", "4"); /* the server answers in mode 4 */
	put(out, "hpoll", "%d", st->poll);
	put(out, "ppoll", "%d", have && l->poll > 0 ? l->poll : st->poll);
	put(out, "flash", "0x0");
	put(out, "offset", "%.3f", have ? ms(s->info.offset) : 0.0);
	put(out, "delay", "%.3f", have ? ms(s->info.delay) : 0.0);
	put(out, "dispersion", "%.3f", have ? ms(l->dispersion) : 0.0);
	put(out, "jitter", "%.3f", have ? ms(s->info.jitter) : 0.0);
}
