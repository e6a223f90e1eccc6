/* The bounded-time file format and arithmetic (timefile.h). */
#include "timefile.h"

#include <errno.h>
#include <math.h>
#include <string.h>

enum { W_MAGIC, W_SEQ, W_FLAGS, W_REAL, W_MONO, W_ERROR, W_RATE, W_MAXAGE, W_PID };

static uint64_t dbits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static double bitsd(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

static void put(uint64_t *words, int i, uint64_t v)
{
	__atomic_store_n(&words[i], v, __ATOMIC_RELAXED);
}

void timefile_store(uint64_t *words, const struct timefile_entry *e)
{
	uint64_t seq = __atomic_load_n(&words[W_SEQ], __ATOMIC_RELAXED);
	uint64_t flags = (e->synced ? TIMEFILE_F_SYNCED : 0) |
	                 (e->running ? TIMEFILE_F_RUNNING : 0) |
	                 (uint64_t)(e->stratum & 0xff) << 8 | (uint64_t)(e->leap & 3) << 16;

	__atomic_store_n(&words[W_SEQ], seq | 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	put(words, W_MAGIC, TIMEFILE_MAGIC);
	put(words, W_FLAGS, flags);
	put(words, W_REAL, (uint64_t)e->ref_real);
	put(words, W_MONO, (uint64_t)e->ref_mono);
	put(words, W_ERROR, dbits(e->error));
	put(words, W_RATE, dbits(e->rate));
	put(words, W_MAXAGE, (uint64_t)e->max_age);
	put(words, W_PID, (uint64_t)e->pid);
	__atomic_store_n(&words[W_SEQ], (seq | 1) + 1, __ATOMIC_RELEASE);
}

static int decode(const uint64_t *w, struct timefile_entry *e)
{
	if (w[W_MAGIC] != TIMEFILE_MAGIC)
		return -EBADMSG;
	e->synced = w[W_FLAGS] & TIMEFILE_F_SYNCED;
	e->running = w[W_FLAGS] & TIMEFILE_F_RUNNING;
	e->stratum = (int)(w[W_FLAGS] >> 8 & 0xff);
	e->leap = (int)(w[W_FLAGS] >> 16 & 3);
	e->ref_real = (int64_t)w[W_REAL];
	e->ref_mono = (int64_t)w[W_MONO];
	e->error = bitsd(w[W_ERROR]);
	e->rate = bitsd(w[W_RATE]);
	e->max_age = (int64_t)w[W_MAXAGE];
	e->pid = (int64_t)w[W_PID];
	/* NaN fails these comparisons too. */
	if (!(e->error >= 0 && e->error < 1e9) || !(e->rate >= 0 && e->rate < 1) ||
	    e->max_age <= 0 || e->ref_mono < 0)
		return -EBADMSG;
	return 0;
}

int timefile_load(const uint64_t *words, struct timefile_entry *e)
{
	uint64_t copy[TIMEFILE_WORDS];

	for (int tries = 0; tries < 1000; tries++) {
		uint64_t s1 = __atomic_load_n(&words[W_SEQ], __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		for (int i = 0; i < TIMEFILE_WORDS; i++)
			copy[i] = __atomic_load_n(&words[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&words[W_SEQ], __ATOMIC_RELAXED) == s1)
			return decode(copy, e);
	}
	return -EAGAIN;
}

static void unbounded(struct timefile_bound *out, const char *why)
{
	out->synced = false;
	out->error_ns = INT64_MAX;
	out->why = why;
}

void timefile_bound(const struct timefile_entry *e, int64_t now_real, int64_t now_mono,
                    struct timefile_bound *out)
{
	if (!e->running)
		return unbounded(out, "stratad is not running");
	if (!e->synced)
		return unbounded(out, "stratad is not synchronised");
	int64_t age = now_mono - e->ref_mono;
	if (age < 0)
		return unbounded(out, "the entry is from another boot");
	if (age > e->max_age)
		return unbounded(out, "the entry is stale (stratad stopped updating it)");
	double err = e->error + e->rate * (double)age * 1e-9;
	/* Realtime moved by other than elapsed monotonic time plus the frequency error it may
	 * have: someone stepped the clock since (stratad republishes after its own steps). Two
	 * real clock readings may be further apart than an int64 holds (ref_real is whatever
	 * the file says): that is a step too, not a wrapped difference. */
	int64_t moved;
	if (__builtin_sub_overflow(now_real, e->ref_real, &moved))
		return unbounded(out, "the clock was stepped since stratad's last update");
	double jump = fabs((double)moved - (double)age) * 1e-9;
	if (jump > err + 0.001)
		return unbounded(out, "the clock was stepped since stratad's last update");
	/* An entry may hold a bound (with max_age its growth) past what int64 ns can express:
	 * converting it would be undefined (a negative error on x86). */
	double ns = ceil(err * 1e9);
	if (!(ns < 0x1p63))
		return unbounded(out, "the error bound is out of range");
	out->synced = true;
	out->error_ns = (int64_t)ns;
	out->why = NULL;
}
