/* libstrata bounded time (strata/now.h): maps stratad's time file read-only. */
#include "strata/now.h"
#include "timefile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct strata_clock {
	char *path;
	pthread_mutex_t lock; /* guards map (a reader may remap) */
	const uint64_t *map;  /* TIMEFILE_SIZE bytes, or NULL when not mapped */
	dev_t dev;
	ino_t ino;
};

strata_clock_t *strata_clock_open(const char *path)
{
	strata_clock_t *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->path = strdup(path ? path : STRATA_TIME_FILE);
	if (!c->path) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void unmap(strata_clock_t *c)
{
	if (c->map)
		munmap((void *)c->map, TIMEFILE_SIZE);
	c->map = NULL;
}

void strata_clock_close(strata_clock_t *c)
{
	if (!c)
		return;
	unmap(c);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}

/* Map the file if it is there and has the right size (a shorter file would fault). */
static void try_map(strata_clock_t *c, char *why, size_t whylen)
{
	struct stat st;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(why, whylen, "no stratad time file %s: %s", c->path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != TIMEFILE_SIZE) {
		snprintf(why, whylen, "%s is not a stratad time file", c->path);
		close(fd);
		return;
	}
	void *m = mmap(NULL, TIMEFILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(why, whylen, "cannot map %s: %s", c->path, strerror(errno));
		return;
	}
	c->map = m;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
}

/* A new daemon may have made a new file: unmap when the path names another one (or none);
 * true if it did. */
static bool check_replaced(strata_clock_t *c)
{
	struct stat st;
	if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		return false;
	unmap(c);
	return true;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void fill(strata_interval_t *out, const struct timefile_entry *e,
                 const struct timefile_bound *b)
{
	out->synchronised = b->synced;
	out->stratum = b->synced ? e->stratum : 16;
	out->leap = b->synced ? e->leap : 3;
	if (!b->synced) {
		snprintf(out->reason, sizeof out->reason, "%s", b->why);
		return;
	}
	out->error_ns = b->error_ns;
	out->earliest_ns = out->local_ns - b->error_ns;
	out->latest_ns = out->local_ns + b->error_ns;
}

static void read_entry(strata_clock_t *c, strata_interval_t *out, int64_t mono)
{
	struct timefile_entry e;
	struct timefile_bound b;

	/* When the mapped file has no bound to give and the path now names another file (a
	 * new daemon's), read that one at once rather than report the old daemon's state. */
	for (int pass = 0; pass < 2; pass++) {
		out->reason[0] = '\0';
		if (!c->map)
			try_map(c, out->reason, sizeof out->reason);
		if (!c->map)
			return;
		int r = timefile_load(c->map, &e);
		if (r == 0) {
			timefile_bound(&e, out->local_ns, mono, &b);
			fill(out, &e, &b);
		} else {
			snprintf(out->reason, sizeof out->reason, "%s",
			         r == -EAGAIN ? "the time file is being rewritten"
			                      : "the time file holds no valid entry");
		}
		if (out->synchronised || !check_replaced(c))
			return;
	}
}

int strata_clock_now(strata_clock_t *c, strata_interval_t *out)
{
	struct timespec real, mono;

	if (!c || !out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (clock_gettime(CLOCK_MONOTONIC, &mono) < 0 || clock_gettime(CLOCK_REALTIME, &real) < 0)
		return -errno;
	out->local_ns = ts_ns(&real);
	out->earliest_ns = INT64_MIN;
	out->latest_ns = INT64_MAX;
	out->error_ns = INT64_MAX;
	out->stratum = 16;
	out->leap = 3;
	pthread_mutex_lock(&c->lock);
	read_entry(c, out, ts_ns(&mono));
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int strata_now(strata_interval_t *out)
{
	strata_clock_t *c = strata_clock_open(NULL);
	if (!c)
		return -ENOMEM;
	int r = strata_clock_now(c, out);
	strata_clock_close(c);
	return r;
}
