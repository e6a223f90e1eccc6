/* timeshare: the bounded-time file (timeshare.h). */
#include "config.h"

#include "daemon/timeshare.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/timefile.h"

/* Frequency error assumed before the engine has estimated one, and the margin added to the
 * estimate for the oscillator's wander between updates: ppm. */
#define TIMESHARE_UNKNOWN_SKEW 100.0
#define TIMESHARE_WANDER 1.0
/* Reading the clock, and rounding: s. */
#define TIMESHARE_READ_ERROR 1e-6

struct timeshare {
	uint64_t *words; /* TIMEFILE_SIZE bytes, shared */
	struct timefile_entry last;
	unsigned long last_updates;
	bool published;
};

/* A file we wrote before, with nothing else pointing at it: keep it. */
static bool reusable(int fd)
{
	struct stat st;
	uint64_t magic = 0;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	       st.st_size == TIMEFILE_SIZE && pread(fd, &magic, sizeof magic, 0) == sizeof magic &&
	       magic == TIMEFILE_MAGIC;
}

static int open_file(const char *path)
{
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && reusable(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0 || ftruncate(fd, TIMEFILE_SIZE) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int timeshare_open(const char *path, struct timeshare **ret, char *err, size_t errlen)
{
	struct timeshare *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int fd = open_file(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(-fd));
		free(t);
		return fd;
	}
	void *m = mmap(NULL, TIMEFILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(e));
		free(t);
		return -e;
	}
	t->words = m;
	*ret = t;
	return 0;
}

void timeshare_bound(const struct engine_system *y, bool clock_controlled, double age,
                     double *error, double *rate)
{
	double skew = isfinite(y->freq_error) ? fabs(y->freq_error) : TIMESHARE_UNKNOWN_SKEW;
	double ppm = skew + TIMESHARE_WANDER;
	/* Not steered (-x): the local clock keeps its own frequency error. */
	if (!clock_controlled && isfinite(y->frequency))
		ppm += fabs(y->frequency);
	*rate = ppm * 1e-6;
	double e = (isfinite(y->error_bound) ? y->error_bound : 0) +
	           (isfinite(y->offset) ? fabs(y->offset) : 0) + TIMESHARE_READ_ERROR;
	*error = e + *rate * (age > 0 ? age : 0);
}

static int64_t ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static bool changed(const struct timeshare *t, const struct timefile_entry *e,
                    unsigned long updates)
{
	return !t->published || updates != t->last_updates || e->synced != t->last.synced ||
	       e->stratum != t->last.stratum || e->leap != t->last.leap;
}

void timeshare_update(struct timeshare *t, const struct engine_system *y, struct clock *clk,
                      const struct timeshare_params *p)
{
	struct timespec real, mono;
	struct timefile_entry e = {.synced = y->synced,
	                           .running = true,
	                           .stratum = y->stratum,
	                           .leap = y->leap,
	                           .pid = getpid()};

	if (!t || !changed(t, &e, y->updates))
		return;
	if (clock_monotonic(clk, &mono) < 0 || clock_realtime(clk, &real) < 0)
		return;
	e.ref_real = ns(&real);
	e.ref_mono = ns(&mono);
	double age = ntp_ts_diff(ntp_ts_from_timespec(&real), y->ref_time);
	timeshare_bound(y, p->clock_controlled, y->ref_time ? age : 0, &e.error, &e.rate);
	e.max_age = (int64_t)(p->max_age * 1e9);
	timefile_store(t->words, &e);
	t->last = e;
	t->last_updates = y->updates;
	t->published = true;
}

void timeshare_close(struct timeshare *t)
{
	if (!t)
		return;
	if (!t->published)
		t->last = (struct timefile_entry){.stratum = 16, .leap = 3, .max_age = 1};
	t->last.running = false;
	t->last.synced = false;
	t->last.pid = getpid();
	timefile_store(t->words, &t->last);
	munmap(t->words, TIMEFILE_SIZE);
	free(t);
}
