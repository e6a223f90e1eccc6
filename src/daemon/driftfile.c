/* driftfile: read and atomically write the frequency file; see driftfile.h. */
#include "daemon/driftfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int driftfile_read(const char *path, double *freq_ppm, double *skew_ppm, char *err, size_t errlen)
{
	char buf[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	char *end = NULL;
	errno = 0;
	double f = strtod(buf, &end);
	if (end == buf || errno || !isfinite(f) || fabs(f) > DRIFTFILE_MAX_PPM) {
		snprintf(err, errlen, "%s: no valid frequency in the file", path);
		return -EINVAL;
	}
	char *p = end;
	double s = strtod(p, &end);
	if (end == p || !isfinite(s) || s < 0 || s > DRIFTFILE_MAX_PPM) {
		snprintf(err, errlen,
		         "%s: no valid frequency error after the frequency (truncated?)", path);
		return -EINVAL;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\n' || end[1] != '\0') {
		snprintf(err, errlen, "%s: unexpected data after the values", path);
		return -EINVAL;
	}
	*freq_ppm = f;
	*skew_ppm = s;
	return 0;
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int driftfile_write(const char *path, double freq_ppm, double skew_ppm)
{
	char tmp[4096], line[64];
	if (!isfinite(freq_ppm) || !isfinite(skew_ppm))
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int len = snprintf(line, sizeof(line), "%.6f %.6f\n", freq_ppm, skew_ppm);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int r = 0;
	if (write(fd, line, (size_t)len) != len)
		r = errno ? -errno : -EIO;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_dir(path);
}
