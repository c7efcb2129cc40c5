// SPDX-License-Identifier: Apache-2.0
//
// seedfile.c -- the OPRF seed and public key files: one line of
// base64url each.  The seed file is created 0600 with O_EXCL and refused
// when others may read it, like a secret key file.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/file.h"
#include "crypto/oprf.h"

// read_line reads a short one-line file into buf, without the newline.
static fs_err
read_line(const char *path, bool secret, char *buf, size_t cap, size_t *lenp)
{
	size_t n;
	fs_err rv;

	if ((rv = fs_file_read(path, secret, buf, cap, &n)) != FS_OK) {
		return (rv);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
		n--;
	}
	*lenp = n;
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
	char   line[64];
	size_t n;
	fs_err rv;

	fs_b64_encode(line, seed, FS_OPRF_SEED_BYTES);
	n         = strlen(line);
	line[n++] = '\n';
	rv        = fs_file_create(path, 0600, line, n);
	sodium_memzero(line, sizeof(line));
	return (rv);
}

fs_err
fs_seedfile_why(
    fs_err rv, const char *path, const char *what, char *why, size_t whycap)
{
	return (fs_why(why, whycap, rv,
	    "%s: %s (expected %s: one line of base64url, mode 0600)", path,
	    fs_strerror(rv), what));
}
