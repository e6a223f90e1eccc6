/* clock_system: the Linux kernel clock through clock_adjtime(CLOCK_REALTIME) (see clock.h).
 *
 * THE ONLY FILE IN THE TREE THAT MAY CALL A CLOCK-SETTING FUNCTION (tests/integration/
 * clock-calls.sh checks it). Every kernel call goes through the injected function pointer,
 * so unit tests can hand in a fake; only clock_system_new() passes the real call.
 *
 * Signs and units:
 *   frequency  our ppm and the kernel's timex.freq have the SAME sign: a positive freq makes
 *              the kernel's second longer in nanoseconds added per tick (kernel/time/ntp.c
 *              adds time_freq to the tick length), so the clock runs faster. timex.freq is
 *              scaled ppm, ppm * 2^16, limited by the kernel to +-500 ppm (MAXFREQ). Beyond
 *              that (fast slews) the tick length (us added per USER_HZ tick, nominal
 *              1e6 / HZ, +-10 % allowed) carries whole multiples of HZ ppm and freq the
 *              rest: ppm = (tick - nominal) * HZ + freq / 2^16. Up to CLOCK_MAX_PPM;
 *              values beyond are refused with -ERANGE instead of being clamped silently.
 *              (chrony's frequency has the opposite sign and is negated before this call.)
 *   step       ADJ_SETOFFSET | ADJ_NANO adds timex.time to the clock atomically; with ADJ_NANO
 *              time.tv_usec holds nanoseconds and must be in [0, 1e9), so a negative step is
 *              written as (sec - 1, ns + 1e9): -0.25 s is (-1, 750000000).
 *   status     STA_INS / STA_DEL for a pending leap second, STA_UNSYNC unless synced (kept
 *              set while unsynchronised so the kernel does not copy an unsynchronised time
 *              to the RTC); STA_PLL stays off: the daemon controls the frequency itself.
 *              maxerror / esterror in microseconds, clamped to 16 s (NTP_PHASE_LIMIT).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/timex.h>

#include "clock/clock.h"

#define SYS_MAX_FREQ 500.0        /* ppm: kernel MAXFREQ */
#define SYS_DEFAULT_HZ 100        /* USER_HZ when sysconf cannot tell */
#define SYS_FREQ_SCALE 65536.0    /* timex.freq units per ppm (2^16) */
#define SYS_MAX_STEP 2147483648.0 /* s: 2^31, far beyond any sane step, keeps time_t exact */
#define SYS_MAX_ERROR 16.0        /* s: kernel NTP_PHASE_LIMIT */
#define SYS_LEAP_INSERT 1         /* enum ntp_leap values (core/packet.h) */
#define SYS_LEAP_DELETE 2
#define SYS_LEAP_ALARM 3

struct sys_priv {
	clock_adjtime_fn adjtime_fn;
	long hz;           /* USER_HZ: ticks per second */
	long nominal_tick; /* us per tick at 0 ppm */
};

/* One kernel call; returns 0 or -errno. */
static int sys_call(struct clock *c, struct timex *tx)
{
	const struct sys_priv *p = c->priv;

	errno = 0;
	if (p->adjtime_fn(CLOCK_REALTIME, tx) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

static int sys_read(clockid_t id, struct timespec *out)
{
	if (clock_gettime(id, out) < 0)
		return -errno;
	return 0;
}

static int sys_read_realtime(struct clock *c, struct timespec *out)
{
	return sys_read(CLOCK_REALTIME, out);
}

static int sys_read_monotonic(struct clock *c, struct timespec *out)
{
	return sys_read(CLOCK_MONOTONIC, out);
}

/* modes = 0: read only, needs no privilege. */
static int sys_get_frequency(struct clock *c, double *ppm)
{
	struct timex tx = {0};
	int r = sys_call(c, &tx);

	if (r < 0)
		return r;
	const struct sys_priv *p = c->priv;
	*ppm = (double)(tx.tick - p->nominal_tick) * (double)p->hz +
	       (double)tx.freq / SYS_FREQ_SCALE;
	return 0;
}

static int sys_set_frequency(struct clock *c, double ppm)
{
	struct timex tx = {0};

	if (!isfinite(ppm))
		return -EINVAL;
	if (fabs(ppm) > CLOCK_MAX_PPM)
		return -ERANGE;
	const struct sys_priv *p = c->priv;
	/* Within +-500 ppm the tick stays nominal (freq has the finer resolution). */
	long dtick = fabs(ppm) <= SYS_MAX_FREQ ? 0 : lround(ppm / (double)p->hz);
	tx.modes = ADJ_FREQUENCY | ADJ_TICK;
	tx.tick = p->nominal_tick + dtick;
	tx.freq = lround((ppm - (double)dtick * (double)p->hz) * SYS_FREQ_SCALE);
	return sys_call(c, &tx);
}

/* offset s -> (whole seconds rounded down, nanoseconds in [0, 1e9)). */
static void split_offset(double offset, long long *sec, long *nsec)
{
	double whole = floor(offset);
	long long ns = llround((offset - whole) * 1e9);

	if (ns >= 1000000000LL) {
		whole += 1.0;
		ns -= 1000000000LL;
	}
	*sec = (long long)whole;
	*nsec = (long)ns;
}

static int sys_step(struct clock *c, double offset)
{
	struct timex tx = {0};
	long long sec;
	long nsec;

	if (!isfinite(offset))
		return -EINVAL;
	if (fabs(offset) >= SYS_MAX_STEP)
		return -ERANGE;
	split_offset(offset, &sec, &nsec);
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	tx.time.tv_sec = (time_t)sec;
	tx.time.tv_usec = nsec; /* nanoseconds with ADJ_NANO */
	return sys_call(c, &tx);
}

/* s -> us, clamped to [0, 16 s]. */
static long error_us(double seconds)
{
	if (seconds > SYS_MAX_ERROR)
		seconds = SYS_MAX_ERROR;
	return lround(seconds * 1e6);
}

static int sys_set_sync_status(struct clock *c, int leap, double max_error, double est_error,
                               bool synced)
{
	struct timex tx = {0};

	if (leap < 0 || leap > SYS_LEAP_ALARM)
		return -EINVAL;
	if (!(max_error >= 0.0) || !(est_error >= 0.0)) /* also rejects NaN */
		return -EINVAL;
	tx.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR;
	if (leap == SYS_LEAP_INSERT)
		tx.status |= STA_INS;
	else if (leap == SYS_LEAP_DELETE)
		tx.status |= STA_DEL;
	if (!synced || leap == SYS_LEAP_ALARM)
		tx.status |= STA_UNSYNC;
	tx.maxerror = error_us(max_error);
	tx.esterror = error_us(est_error);
	return sys_call(c, &tx);
}

static void sys_destroy(struct clock *c)
{
	free(c->priv);
	free(c);
}

static const struct clock_ops sys_ops = {
        .name = "system",
        .read_realtime = sys_read_realtime,
        .read_monotonic = sys_read_monotonic,
        .get_frequency = sys_get_frequency,
        .set_frequency = sys_set_frequency,
        .step = sys_step,
        .set_sync_status = sys_set_sync_status,
        .destroy = sys_destroy,
};

int clock_system_new_with(clock_adjtime_fn fn, struct clock **ret)
{
	struct clock *c;
	struct sys_priv *p;

	if (!fn || !ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	p = calloc(1, sizeof(*p));
	if (!c || !p) {
		free(c);
		free(p);
		return -ENOMEM;
	}
	p->adjtime_fn = fn;
	p->hz = SYS_DEFAULT_HZ;
	p->nominal_tick = (1000000 + p->hz / 2) / p->hz;
	c->ops = &sys_ops;
	c->priv = p;
	*ret = c;
	return 0;
}

/* The real kernel call: only ever reached through a driver built here. */
static int sys_real_adjtime(clockid_t clk, struct timex *tx)
{
	return clock_adjtime(clk, tx);
}

int clock_system_new(struct clock **ret)
{
	return clock_system_new_with(sys_real_adjtime, ret);
}
