/* conf_dup: deep copies of a struct conf and runtime source changes. See conf.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/conf.h"

/* strdup that keeps NULL; *ok goes false when memory runs out. */
static char *dup_str(const char *s, bool *ok)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*ok = false;
	return d;
}

/* A copy of n elements of size bytes (NULL for none); *ok goes false on failure. */
static void *dup_array(const void *a, size_t n, size_t size, bool *ok)
{
	if (!a || !n)
		return NULL;
	void *d = malloc(n * size);
	if (!d) {
		*ok = false;
		return NULL;
	}
	return memcpy(d, a, n * size);
}

static struct conf_prefix *dup_prefixes(const struct conf_prefix *p, size_t n, bool *ok)
{
	struct conf_prefix *d = dup_array(p, n, sizeof(*p), ok);
	for (size_t i = 0; d && i < n; i++)
		d[i].text = dup_str(p[i].text, ok);
	return d;
}

/* The copy c's pointers are replaced one by one, so that conf_free can release whatever
 * was copied when something fails half way. */
static void dup_fields(struct conf *d, const struct conf *c, bool *ok)
{
	d->sources = dup_array(c->sources, c->n_sources, sizeof(*c->sources), ok);
	d->n_sources = d->sources ? c->n_sources : 0;
	for (size_t i = 0; i < d->n_sources; i++) {
		d->sources[i].name = dup_str(c->sources[i].name, ok);
		d->sources[i].file = dup_str(c->sources[i].file, ok);
	}
	d->allow = dup_prefixes(c->allow, c->n_allow, ok);
	d->n_allow = d->allow ? c->n_allow : 0;
	d->deny = dup_prefixes(c->deny, c->n_deny, ok);
	d->n_deny = d->deny ? c->n_deny : 0;
	d->allow_control = dup_prefixes(c->allow_control, c->n_allow_control, ok);
	d->n_allow_control = d->allow_control ? c->n_allow_control : 0;
	d->listen = dup_array(c->listen, c->n_listen, sizeof(*c->listen), ok);
	d->n_listen = d->listen ? c->n_listen : 0;
	for (size_t i = 0; i < d->n_listen; i++)
		d->listen[i].text = dup_str(c->listen[i].text, ok);
	d->files = dup_array(c->files, c->n_files, sizeof(*c->files), ok);
	d->n_files = d->files ? c->n_files : 0;
	for (size_t i = 0; i < d->n_files; i++)
		d->files[i] = dup_str(c->files[i], ok);
	d->driftfile = dup_str(c->driftfile, ok);
	d->leapseclist = dup_str(c->leapseclist, ok);
	d->control_socket = dup_str(c->control_socket, ok);
	d->control_group = dup_str(c->control_group, ok);
	d->metrics_listen = dup_str(c->metrics_listen, ok);
	d->stats_dir = dup_str(c->stats_dir, ok);
	d->user = dup_str(c->user, ok);
	d->timesync_file = dup_str(c->timesync_file, ok);
	d->time_file = dup_str(c->time_file, ok);
	d->resolv_conf = dup_str(c->resolv_conf, ok);
	d->include_dir = dup_str(c->include_dir, ok);
}

struct conf *conf_dup(const struct conf *c)
{
	struct conf *d = calloc(1, sizeof(*d));
	bool ok = true;
	if (!d)
		return NULL;
	*d = *c;
	/* nothing owned yet: conf_free must not see c's pointers */
	d->sources = NULL, d->n_sources = 0;
	d->allow = d->deny = d->allow_control = NULL, d->n_allow = d->n_deny = 0;
	d->n_allow_control = 0;
	d->listen = NULL, d->n_listen = 0;
	d->files = NULL, d->n_files = 0;
	d->driftfile = d->leapseclist = d->control_socket = d->control_group = NULL;
	d->metrics_listen = d->stats_dir = d->include_dir = d->user = NULL;
	d->timesync_file = d->resolv_conf = d->time_file = NULL;
	dup_fields(d, c, &ok);
	if (!ok) {
		conf_free(d);
		return NULL;
	}
	return d;
}

int conf_find_source(const struct conf *c, const char *name, int port)
{
	for (size_t i = 0; i < c->n_sources; i++)
		if (strcasecmp(c->sources[i].name, name) == 0 &&
		    (port <= 0 || c->sources[i].port == port))
			return (int)i;
	return -1;
}

struct conf *conf_with_source(const struct conf *c, const struct conf_source *add, int remove)
{
	struct conf *d = conf_dup(c);
	if (!d)
		return NULL;
	if (remove >= 0 && (size_t)remove < d->n_sources) {
		free(d->sources[remove].name);
		free(d->sources[remove].file);
		memmove(&d->sources[remove], &d->sources[remove + 1],
		        (d->n_sources - (size_t)remove - 1) * sizeof(d->sources[0]));
		d->n_sources--;
	}
	if (!add)
		return d;
	struct conf_source *s = realloc(d->sources, (d->n_sources + 1) * sizeof(*s));
	if (!s) {
		conf_free(d);
		return NULL;
	}
	d->sources = s;
	s += d->n_sources++;
	*s = *add;
	s->name = strdup(add->name);
	s->file = strdup(add->file ? add->file : "stratactl add");
	if (!s->name || !s->file) {
		conf_free(d);
		return NULL;
	}
	return d;
}
