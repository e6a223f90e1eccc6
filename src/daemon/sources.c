/* sources: servers and pools, pool upkeep and reload matching. See sources.h. */
#include "daemon/sources.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "daemon/log.h"
#include "daemon/resolve.h"
#include "daemon/sync.h"

#define SOURCES_MAX_MEMBERS 16  /* = the largest maxsources */
#define SOURCES_LOOKUP_ADDRS 16 /* addresses asked of a pool lookup, to find replacements */
#define SOURCES_UNREACH_TX 8    /* requests without a reply before a member is replaced */

struct member {
	struct udp_addr addr;
	int id;                    /* sync / engine source id */
	int false_checks;          /* consecutive checks as falseticker */
	unsigned long tx_at_reply; /* requests sent when a reply was last seen */
	unsigned long rx_seen;     /* samples seen at the last check */
};

struct entry {
	struct sources *ss;
	const struct conf_source *cs; /* in the conf of the last sources_apply */
	struct resolve_req *req;
	struct member m[SOURCES_MAX_MEMBERS];
	size_t n;
	struct udp_addr banned[SOURCES_BANNED];
	size_t n_banned, banned_next;
	bool keep; /* sources_apply: matched in the new configuration */
};

struct sources {
	struct resolve *resolve;
	struct sync *sync;
	struct log *log;
	struct entry **e;
	size_t n;
};

static bool is_pool(const struct entry *en)
{
	return en->cs->type == CONF_POOL;
}

static size_t entry_want(const struct entry *en)
{
	return is_pool(en) ? (size_t)en->cs->maxsources : 1;
}

static bool entry_knows(const struct entry *en, const struct udp_addr *a)
{
	for (size_t i = 0; i < en->n_banned; i++)
		if (udp_addr_equal(&en->banned[i], a))
			return true;
	for (size_t i = 0; i < en->n; i++)
		if (udp_addr_equal(&en->m[i].addr, a))
			return true;
	return false;
}

static void entry_add(struct entry *en, const struct udp_addr *a)
{
	struct member *m = &en->m[en->n];
	int id = sync_add(en->ss->sync, en->cs, a);

	if (id < 0) {
		log_err(en->ss->log, "%s:%d: cannot poll %s: %s", en->cs->file, en->cs->line,
		        en->cs->name, strerror(-id));
		return;
	}
	memset(m, 0, sizeof(*m));
	m->addr = *a;
	m->id = id;
	en->n++;
	log_info(en->ss->log, "polling %s (%s %s)", sync_name(en->ss->sync, id),
	         is_pool(en) ? "pool" : "server", en->cs->name);
}

static void on_resolved(void *arg, const struct udp_addr *addrs, size_t n)
{
	struct entry *en = arg;

	for (size_t i = 0; i < n && en->n < entry_want(en); i++)
		if (!entry_knows(en, &addrs[i]))
			entry_add(en, &addrs[i]);
	if (is_pool(en) && en->n < entry_want(en)) {
		log_info(en->ss->log, "pool %s: %zu of %zu members, looking again in %.0f s",
		         en->cs->name, en->n, entry_want(en), SOURCES_REFILL_DELAY);
		resolve_again(en->req, SOURCES_REFILL_DELAY);
	}
}

/* Remove member i; a pool bans its address for a while and looks for another. */
static void entry_drop(struct entry *en, size_t i, const char *why)
{
	struct member *m = &en->m[i];

	log_notice(en->ss->log, "pool %s: replacing %s (%s)", en->cs->name,
	           sync_name(en->ss->sync, m->id), why);
	en->banned[en->banned_next] = m->addr;
	en->banned_next = (en->banned_next + 1) % SOURCES_BANNED;
	if (en->n_banned < SOURCES_BANNED)
		en->n_banned++;
	sync_remove(en->ss->sync, m->id);
	en->m[i] = en->m[--en->n];
	resolve_again(en->req, 0.0);
}

/* Why member m should be replaced, or NULL. */
static const char *member_fault(struct member *m, const struct engine_source_info *si)
{
	if (si->src.state == SOURCE_STATE_DENIED)
		return "kiss-o'-death DENY/RSTR";
	if (si->src.rx[SOURCE_RX_SAMPLE] != m->rx_seen || m->tx_at_reply == 0) {
		m->rx_seen = si->src.rx[SOURCE_RX_SAMPLE];
		m->tx_at_reply = si->src.tx ? si->src.tx : 1;
	}
	if (si->src.tx >= m->tx_at_reply + SOURCES_UNREACH_TX)
		return "unreachable";
	m->false_checks = strcmp(si->select_status, "falseticker") == 0 ? m->false_checks + 1 : 0;
	if (m->false_checks >= SOURCES_FALSE_CHECKS)
		return "falseticker";
	return NULL;
}

static void entry_check(struct entry *en)
{
	struct engine_source_info si;
	const char *why;

	if (!is_pool(en))
		return;
	for (size_t i = en->n; i-- > 0;) {
		if (sync_source(en->ss->sync, en->m[i].id, &si) < 0)
			continue;
		why = member_fault(&en->m[i], &si);
		if (why)
			entry_drop(en, i, why);
	}
}

void sources_check(struct sources *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		entry_check(ss->e[i]);
}

/* --- configuration ----------------------------------------------------------------------- */

static void entry_free(struct entry *en)
{
	for (size_t i = 0; i < en->n; i++)
		sync_remove(en->ss->sync, en->m[i].id);
	resolve_cancel(en->req);
	free(en);
}

static struct entry *entry_new(struct sources *ss, const struct conf_source *cs)
{
	struct entry *en = calloc(1, sizeof(*en));
	size_t max = cs->type == CONF_POOL ? SOURCES_LOOKUP_ADDRS : 1;

	if (!en)
		return NULL;
	en->ss = ss;
	en->cs = cs;
	if (resolve_start(ss->resolve, cs->name, cs->port, max, on_resolved, en, &en->req) < 0) {
		free(en);
		return NULL;
	}
	return en;
}

static bool same_source(const struct conf_source *a, const struct conf_source *b)
{
	return a->type == b->type && strcmp(a->name, b->name) == 0 && a->port == b->port &&
	       a->iburst == b->iburst && a->minpoll == b->minpoll && a->maxpoll == b->maxpoll &&
	       (a->type != CONF_POOL || a->maxsources == b->maxsources);
}

/* The running entry for cs not matched yet, or NULL. */
static struct entry *find_entry(struct sources *ss, const struct conf_source *cs)
{
	for (size_t i = 0; i < ss->n; i++)
		if (!ss->e[i]->keep && same_source(ss->e[i]->cs, cs))
			return ss->e[i];
	return NULL;
}

int sources_apply(struct sources *ss, const struct conf *c)
{
	struct entry **ne = calloc(c->n_sources ? c->n_sources : 1, sizeof(*ne));
	size_t n = 0;
	int r = 0;

	if (!ne)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_sources; i++) {
		struct entry *en = find_entry(ss, &c->sources[i]);

		if (en) {
			en->keep = true;
			en->cs = &c->sources[i];
		} else if (!(en = entry_new(ss, &c->sources[i]))) {
			r = -ENOMEM;
			continue;
		}
		ne[n++] = en;
	}
	for (size_t i = 0; i < ss->n; i++)
		if (!ss->e[i]->keep)
			entry_free(ss->e[i]);
	for (size_t i = 0; i < n; i++)
		ne[i]->keep = false;
	free(ss->e);
	ss->e = ne;
	ss->n = n;
	return r;
}

int sources_new(struct resolve *r, struct sync *s, struct log *lg, struct sources **ret)
{
	struct sources *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return -ENOMEM;
	ss->resolve = r;
	ss->sync = s;
	ss->log = lg;
	*ret = ss;
	return 0;
}

void sources_free(struct sources *ss)
{
	if (!ss)
		return;
	for (size_t i = 0; i < ss->n; i++)
		entry_free(ss->e[i]);
	free(ss->e);
	free(ss);
}

size_t sources_configured(const struct sources *ss)
{
	return ss->n;
}

size_t sources_running(const struct sources *ss)
{
	size_t n = 0;

	for (size_t i = 0; i < ss->n; i++)
		n += ss->e[i]->n;
	return n;
}
