// SPDX-License-Identifier: Apache-2.0
//
// logkey.c -- the coordinator's log key: the secret the salts of its log
// entries' commitments are derived from (wire/logcommit.h).  It lives in
// a 0600 file of its own (log_key, default <db>.logkey), made at the
// first start, never in the database, so a copy of the database alone
// cannot confirm a guessed score.  Losing it loses no entry and breaks
// no proof, but nobody can open the commitments of the entries made
// under it any more: back it up with the coordinator's key.

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/conf.h"
#include "common/err.h"
#include "coordinator/coordimpl.h"
#include "crypto/oprf.h"
#include "wire/logcommit.h"

_Static_assert(FS_OPRF_SEED_BYTES == FS_LOG_KEY_BYTES,
    "the log key file is a 32-byte seed file");

// key_path is log_key, or the database's path with ".logkey".
static char *
key_path(const fs_conf *conf, const fs_conf_section *s)
{
	char  *p, *db;
	size_t n;

	if (fs_conf_get(s, "log_key") != NULL) {
		return (fs_conf_path(conf, s, "log_key"));
	}
	if ((db = fs_conf_path(conf, s, "db")) == NULL) {
		return (NULL);
	}
	n = strlen(db) + sizeof(".logkey");
	if ((p = malloc(n)) != NULL) {
		snprintf(p, n, "%s.logkey", db);
	}
	free(db);
	return (p);
}

fs_err
coord_logkey_load(const fs_conf *conf, const fs_conf_section *s, bool create,
    uint8_t **keyp, char *why, size_t whycap)
{
	uint8_t *key;
	char    *path;
	fs_err   rv;

	if ((path = key_path(conf, s)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((key = sodium_malloc(FS_LOG_KEY_BYTES)) == NULL) {
		free(path);
		return (FS_ERR_NOMEM);
	}
	rv = fs_seedfile_read(key, path);
	if (rv == FS_ERR_NOT_FOUND && create) {
		randombytes_buf(key, FS_LOG_KEY_BYTES);
		rv = fs_seedfile_write(path, key);
	}
	if (rv != FS_OK) {
		fs_seedfile_why(
		    rv, path, "the coordinator's log key", why, whycap);
		sodium_free(key);
		free(path);
		return (rv);
	}
	free(path);
	sodium_mprotect_readonly(key);
	*keyp = key;
	return (FS_OK);
}

void
coord_row_salt(const uint8_t *key, const void *salt, int saltlen,
    const void *nonce, int noncelen, uint8_t out[static FS_LOG_SALT_BYTES])
{
	if (noncelen == FS_LOG_NONCE_BYTES && key != NULL) {
		fs_log_salt(out, key, nonce);
	} else if (saltlen == FS_LOG_SALT_BYTES) {
		memcpy(out, salt, FS_LOG_SALT_BYTES);
	} else {
		memset(out, 0, FS_LOG_SALT_BYTES);
	}
}
