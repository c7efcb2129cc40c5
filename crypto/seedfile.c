// SPDX-License-Identifier: Apache-2.0
//
// seedfile.c -- the OPRF seed and public key files: one line of
// base64url each.  The seed file is created 0600 with O_EXCL and refused
// when others may read it, like a secret key file.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/oprf.h"

// read_line reads a short one-line file into buf, without the newline.
static fs_err
read_line(const char *path, bool secret, char *buf, size_t cap, size_t *lenp)
{
	struct stat st;
	ssize_t     n;
	int         fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		return (errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO);
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return (FS_ERR_IO);
	}
	if (secret && (st.st_mode & 077) != 0) {
		close(fd);
		return (FS_ERR_PERMISSION);
	}
	n = read(fd, buf, cap);
	close(fd);
	if (n < 0) {
		return (FS_ERR_IO);
	}
	if ((size_t) n == cap) {
		return (FS_ERR_TOO_LARGE);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
		n--;
	}
	*lenp = (size_t) n;
	return (FS_OK);
}

static fs_err
read_b64(const char *path, bool secret, uint8_t *out, size_t outlen)
{
	char   buf[128];
	size_t len, got;
	fs_err rv;

	if ((rv = read_line(path, secret, buf, sizeof(buf), &len)) != 0) {
		return (rv);
	}
	rv = fs_b64_decode(out, outlen, &got, buf, len);
	sodium_memzero(buf, sizeof(buf));
	if (rv == FS_OK && got != outlen) {
		rv = FS_ERR_MALFORMED;
	}
	return (rv);
}

fs_err
fs_seedfile_read(uint8_t seed[static FS_OPRF_SEED_BYTES], const char *path)
{
	uint8_t tmp[FS_OPRF_SEED_BYTES];
	fs_err  rv;

	if ((rv = read_b64(path, true, tmp, sizeof(tmp))) == FS_OK) {
		memcpy(seed, tmp, sizeof(tmp));
	}
	sodium_memzero(tmp, sizeof(tmp));
	return (rv);
}

fs_err
fs_oprf_pubfile_read(uint8_t pk[static FS_OPRF_ELEMENT_BYTES], const char *path)
{
	uint8_t tmp[FS_OPRF_ELEMENT_BYTES];
	fs_err  rv;

	if ((rv = read_b64(path, false, tmp, sizeof(tmp))) != 0) {
		return (rv);
	}
	if (!crypto_core_ristretto255_is_valid_point(tmp)) {
		return (FS_ERR_MALFORMED);
	}
	memcpy(pk, tmp, sizeof(tmp));
	return (FS_OK);
}

fs_err
fs_seedfile_write(
    const char *path, const uint8_t seed[static FS_OPRF_SEED_BYTES])
{
	char    line[64];
	size_t  n;
	ssize_t w;
	int     fd;
	fs_err  rv = FS_OK;

	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		return (errno == EEXIST ? FS_ERR_EXISTS : FS_ERR_IO);
	}
	fs_b64_encode(line, seed, FS_OPRF_SEED_BYTES);
	n         = strlen(line);
	line[n++] = '\n';
	w         = write(fd, line, n);
	if (w < 0 || (size_t) w != n || fsync(fd) != 0) {
		rv = FS_ERR_IO;
	}
	if (close(fd) != 0) {
		rv = FS_ERR_IO;
	}
	if (rv != FS_OK) {
		unlink(path);
	}
	sodium_memzero(line, sizeof(line));
	return (rv);
}
