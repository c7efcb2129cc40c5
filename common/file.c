// SPDX-License-Identifier: Apache-2.0
//
// file.c -- reading and creating the small files that hold keys and
// seeds (file.h).

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"

fs_err
fs_file_read(const char *path, bool secret, char *buf, size_t cap, size_t *lenp)
{
	struct stat st;
	ssize_t     n;
	size_t      total = 0;
	int         fd;

	if (cap == 0) {
		return (FS_ERR_INVALID);
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		return (errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (FS_ERR_IO);
	}
	if (secret && (st.st_mode & 077) != 0) {
		close(fd);
		return (FS_ERR_PERMISSION);
	}
	while ((n = read(fd, buf + total, cap - 1 - total)) > 0) {
		total += (size_t) n;
		if (total == cap - 1) {
			close(fd);
			return (FS_ERR_TOO_LARGE);
		}
	}
	close(fd);
	if (n < 0) {
		return (FS_ERR_IO);
	}
	buf[total] = '\0';
	*lenp      = total;
	return (FS_OK);
}

fs_err
fs_file_create(const char *path, mode_t mode, const void *data, size_t len)
{
	ssize_t n;
	int     fd;

	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		return (errno == EEXIST ? FS_ERR_EXISTS : FS_ERR_IO);
	}
	n = write(fd, data, len);
	if (n < 0 || (size_t) n != len || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return (FS_ERR_IO);
	}
	if (close(fd) != 0) {
		unlink(path);
		return (FS_ERR_IO);
	}
	return (FS_OK);
}
