// SPDX-License-Identifier: Apache-2.0
//
// keyfile.c -- secret and public key files.
//
// A key file is text: optional comment lines starting with '#', then one
// line holding a PASERK.  Secret files are created with O_EXCL and mode
// 0600 and are refused when group or others may read them.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/file.h"
#include "crypto/key.h"

#define KEYFILE_MAX 1024

fs_err
fs_keyfile_write_secret(const char *path, const fs_key *k, const char *name)
{
	char   text[FS_KEY_NAME_MAX + FS_PASERK_SECRET_LEN + 8];
	size_t off = 0;
	fs_err rv;

	if (name != NULL) {
		size_t n = strlen(name);

		if (n == 0 || n > FS_KEY_NAME_MAX
		    || strpbrk(name, "\r\n") != NULL) {
			return (FS_ERR_INVALID);
		}
		text[0] = '#';
		text[1] = ' ';
		memcpy(text + 2, name, n);
		text[2 + n] = '\n';
		off         = n + 3;
	}
	fs_paserk_secret(text + off, fs_key_secret(k));
	off += FS_PASERK_SECRET_LEN;
	text[off++] = '\n';
	rv          = fs_file_create(path, 0600, text, off);
	sodium_memzero(text, sizeof(text));
	return (rv);
}

fs_err
fs_keyfile_write_public(const char *path, const fs_pubkey *pub)
{
	char line[FS_PASERK_PUBLIC_LEN + 2];

	fs_paserk_public(line, pub->pk);
	line[FS_PASERK_PUBLIC_LEN]     = '\n';
	line[FS_PASERK_PUBLIC_LEN + 1] = '\0';
	return (fs_file_create(path, 0644, line, FS_PASERK_PUBLIC_LEN + 1));
}

// read_key reads the file into buf (guarded by the caller when secret)
// and returns the first non-comment line, without its newline.
static fs_err
read_key(const char *path, bool secret, char *buf, size_t cap,
    const char **linep, size_t *lenp)
{
	size_t total;
	char  *p, *next;
	fs_err rv;

	if ((rv = fs_file_read(path, secret, buf, cap, &total)) != FS_OK) {
		return (rv);
	}
	for (p = buf; *p != '\0'; p = next) {
		char  *nl  = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t) (nl - p) : strlen(p);

		next = p + len + (nl != NULL ? 1 : 0);
		if (len > 0 && p[len - 1] == '\r') {
			len--;
		}
		if (len > 0 && p[0] != '#') {
			*linep = p;
			*lenp  = len;
			return (FS_OK);
		}
	}
	return (FS_ERR_MALFORMED);
}

fs_err
fs_keyfile_read_secret(fs_key **kp, const char *path)
{
	char       *buf;
	const char *line;
	size_t      len;
	uint8_t    *sk;
	fs_err      rv;

	if ((buf = sodium_malloc(KEYFILE_MAX)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	rv = read_key(path, true, buf, KEYFILE_MAX, &line, &len);
	if (rv == FS_OK) {
		rv = fs_paserk_parse_secret(&sk, line, len);
	}
	if (rv == FS_OK) {
		rv = fs_key_from_secret(kp, sk);
		sodium_free(sk);
	}
	sodium_free(buf);
	return (rv);
}

fs_err
fs_keyfile_read_public(fs_pubkey *pub, const char *path)
{
	char        buf[KEYFILE_MAX];
	const char *line;
	size_t      len;
	uint8_t     pk[FS_PK_BYTES];
	fs_err      rv;

	if ((rv = read_key(path, false, buf, sizeof(buf), &line, &len)) != 0) {
		return (rv);
	}
	if ((rv = fs_paserk_parse_public(pk, line, len)) != 0) {
		return (rv);
	}
	return (fs_pubkey_init(pub, pk, sizeof(pk)));
}

fs_err
fs_keyfile_load_public(fs_pubkey *pub, const char *path, const char *whose,
    char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = fs_keyfile_read_public(pub, path)) != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "%s: %s (expected the %s's k4.public key)", path,
		    fs_strerror(rv), whose));
	}
	return (FS_OK);
}
