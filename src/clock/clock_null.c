/* clock_null: reads the real clocks, keeps every correction in memory (see clock.h).
 *
 * Used by stratad -x, stratactl and tests. Nothing here can change the system clock: the
 * readings are plain clock_gettime(CLOCK_REALTIME / CLOCK_MONOTONIC) and are NOT corrected
 * by the frequency or the steps recorded (the daemon in -x mode only monitors).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "clock/clock.h"

#define NULL_MAX_FREQ CLOCK_MAX_PPM /* ppm, same limit as the system driver */
#define NULL_LEAP_ALARM 3           /* enum ntp_leap NTP_LEAP_ALARM */
#define NULL_MAX_ERROR 16.0         /* s, initial max/est error (NTP_PHASE_LIMIT) */

static const struct clock_ops null_ops;

static int null_read(clockid_t id, struct timespec *out)
{
	if (clock_gettime(id, out) < 0)
		return -errno;
	return 0;
}

static int null_read_realtime(struct clock *c, struct timespec *out)
{
	return null_read(CLOCK_REALTIME, out);
}

static int null_read_monotonic(struct clock *c, struct timespec *out)
{
	return null_read(CLOCK_MONOTONIC, out);
}

static int null_get_frequency(struct clock *c, double *ppm)
{
	const struct clock_null_state *st = c->priv;

	*ppm = st->frequency;
	return 0;
}

static int null_set_frequency(struct clock *c, double ppm)
{
	struct clock_null_state *st = c->priv;

	if (!isfinite(ppm))
		return -EINVAL;
	if (fabs(ppm) > NULL_MAX_FREQ)
		return -ERANGE;
	st->frequency = ppm;
	return 0;
}

static int null_step(struct clock *c, double offset)
{
	struct clock_null_state *st = c->priv;

	if (!isfinite(offset))
		return -EINVAL;
	st->stepped += offset;
	st->steps++;
	return 0;
}

static int null_set_sync_status(struct clock *c, int leap, double max_error, double est_error,
                                bool synced)
{
	struct clock_null_state *st = c->priv;

	if (leap < 0 || leap > NULL_LEAP_ALARM)
		return -EINVAL;
	if (!(max_error >= 0.0) || !(est_error >= 0.0)) /* also rejects NaN */
		return -EINVAL;
	st->leap = leap;
	st->max_error = max_error;
	st->est_error = est_error;
	st->synced = synced && leap != NULL_LEAP_ALARM;
	return 0;
}

static void null_destroy(struct clock *c)
{
	free(c->priv);
	free(c);
}

static const struct clock_ops null_ops = {
        .name = "null",
        .read_realtime = null_read_realtime,
        .read_monotonic = null_read_monotonic,
        .get_frequency = null_get_frequency,
        .set_frequency = null_set_frequency,
        .step = null_step,
        .set_sync_status = null_set_sync_status,
        .destroy = null_destroy,
};

int clock_null_new(struct clock **ret)
{
	struct clock *c = calloc(1, sizeof(*c));
	struct clock_null_state *st = calloc(1, sizeof(*st));

	if (!c || !st) {
		free(c);
		free(st);
		return -ENOMEM;
	}
	st->leap = NULL_LEAP_ALARM;
	st->max_error = NULL_MAX_ERROR;
	st->est_error = NULL_MAX_ERROR;
	c->ops = &null_ops;
	c->priv = st;
	*ret = c;
	return 0;
}

int clock_null_get_state(const struct clock *c, struct clock_null_state *out)
{
	if (!c || c->ops != &null_ops || !out)
		return -EINVAL;
	*out = *(const struct clock_null_state *)c->priv;
	return 0;
}
