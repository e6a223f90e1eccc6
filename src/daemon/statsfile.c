/* statsfile: see statsfile.h. */
#include "config.h"

#include "daemon/statsfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

#define MJD_UNIX_EPOCH 40587 /* modified Julian day of 1970-01-01 */

struct stats_stream {
	const char *name; /* "loopstats" */
	bool on;
	FILE *fp;
	long day;      /* days since 1970 of the open file, -1 if none */
	long told_day; /* the day a failure was last reported */
};

struct statsfile {
	char *dir;
	struct log *log;
	struct stats_stream loop, peer;
};

struct statsfile *statsfile_new(const char *dir, bool loopstats, bool peerstats, struct log *log)
{
	struct statsfile *f = calloc(1, sizeof(*f));
	if (f)
		f->dir = strdup(dir);
	if (!f || !f->dir) {
		free(f);
		return NULL;
	}
	f->log = log;
	f->loop = (struct stats_stream){"loopstats", loopstats, NULL, -1, -1};
	f->peer = (struct stats_stream){"peerstats", peerstats, NULL, -1, -1};
	return f;
}

static void stream_close(struct stats_stream *s)
{
	if (s->fp)
		fclose(s->fp);
	s->fp = NULL;
	s->day = -1;
}

void statsfile_free(struct statsfile *f)
{
	if (!f)
		return;
	stream_close(&f->loop);
	stream_close(&f->peer);
	free(f->dir);
	free(f);
}

/* The stream's file for the day of now, opened (appending) when the day changed. */
static FILE *stream_file(struct statsfile *f, struct stats_stream *s, const struct timespec *now)
{
	long day = (long)(now->tv_sec / 86400);
	if (!s->on)
		return NULL;
	if (s->fp && s->day == day)
		return s->fp;
	stream_close(s);
	char path[4096], ymd[16];
	time_t t = now->tv_sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ymd, sizeof(ymd), "%Y%m%d", &tm);
	snprintf(path, sizeof(path), "%s/%s.%s", f->dir, s->name, ymd);
	s->fp = fopen(path, "ae");
	if (s->fp) {
		setvbuf(s->fp, NULL, _IOLBF, 0);
		s->day = day;
	} else if (s->told_day != day) {
		log_warning(f->log, "statistics: cannot open %s: %s", path, strerror(errno));
		s->told_day = day;
	}
	return s->fp;
}

/* "MJD SECONDS" of now. */
static void stamp(FILE *fp, const struct timespec *now)
{
	long day = (long)(now->tv_sec / 86400);
	double sec = (double)(now->tv_sec % 86400) + (double)now->tv_nsec / 1e9;
	fprintf(fp, "%ld %.3f", day + MJD_UNIX_EPOCH, sec);
}

static void stream_done(struct statsfile *f, struct stats_stream *s, long day)
{
	if (!ferror(s->fp))
		return;
	if (s->told_day != day)
		log_warning(f->log, "statistics: cannot write %s: %s", s->name, strerror(errno));
	s->told_day = day;
	stream_close(s);
}

static double fin(double v)
{
	return isfinite(v) ? v : 0.0;
}

void statsfile_loop(struct statsfile *f, const struct timespec *now, double offset, double freq_ppm,
                    double jitter, double wander_ppm, int poll)
{
	FILE *fp = f ? stream_file(f, &f->loop, now) : NULL;
	if (!fp)
		return;
	stamp(fp, now);
	fprintf(fp, " %.9f %.6f %.9f %.6f %d\n", fin(offset), fin(freq_ppm), fin(jitter),
	        fin(wander_ppm), poll);
	stream_done(f, &f->loop, (long)(now->tv_sec / 86400));
}

void statsfile_peer(struct statsfile *f, const struct timespec *now, const char *addr,
                    unsigned status, double offset, double delay, double dispersion, double jitter)
{
	FILE *fp = f ? stream_file(f, &f->peer, now) : NULL;
	if (!fp)
		return;
	stamp(fp, now);
	fprintf(fp, " %s %04x %.9f %.9f %.9f %.9f\n", addr, status & 0xffff, fin(offset),
	        fin(delay), fin(dispersion), fin(jitter));
	stream_done(f, &f->peer, (long)(now->tv_sec / 86400));
}
