/* clock: dispatch through a driver's ops table (see clock.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "clock/clock.h"

void clock_free(struct clock *c)
{
	if (!c)
		return;
	if (c->ops && c->ops->destroy)
		c->ops->destroy(c);
}

static int clock_read(struct clock *c, bool monotonic, struct timespec *out)
{
	int (*fn)(struct clock *, struct timespec *);
	int r;

	memset(out, 0, sizeof(*out));
	if (!c || !c->ops)
		return -EINVAL;
	fn = monotonic ? c->ops->read_monotonic : c->ops->read_realtime;
	if (!fn)
		return -ENOTSUP;
	r = fn(c, out);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int clock_realtime(struct clock *c, struct timespec *out)
{
	return clock_read(c, false, out);
}

int clock_monotonic(struct clock *c, struct timespec *out)
{
	return clock_read(c, true, out);
}

/* Monotonic seconds (any origin); 0.0 if the driver cannot read its clock. */
double clock_monotonic_s(struct clock *c)
{
	struct timespec ts;

	if (clock_monotonic(c, &ts) < 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
