// SPDX-License-Identifier: Apache-2.0
//
// init.c -- fedscore issuer init: create the issuer's keys once.
//
// Creates what does not exist yet and never overwrites: the Ed25519 key
// (and .pub), the OPRF seed (and .pub, the public key nodes verify the
// proofs with) and the database.  Running it again only prints what to
// publish, so a restored seed gives back the same OPRF key.

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "issuer/issuer.h"
#include "issuer/issuerimpl.h"

static fs_err
ensure_key(const char *path, const char *name, fs_pubkey *pub, char *why,
    size_t whycap)
{
	char    pubpath[4096];
	fs_key *k = NULL;
	fs_err  rv;

	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	rv = fs_keyfile_read_secret(&k, path);
	if (rv == FS_ERR_NOT_FOUND) {
		if ((rv = fs_key_generate(&k)) == FS_OK
		    && (rv = fs_keyfile_write_secret(path, k, name)) == FS_OK) {
			printf("created %s\n", path);
		}
	}
	if (rv == FS_OK && access(pubpath, F_OK) != 0) {
		if ((rv = fs_keyfile_write_public(pubpath, fs_key_public(k)))
		    == FS_OK) {
			printf("created %s\n", pubpath);
		}
	}
	if (rv != FS_OK) {
		snprintf(why, whycap, "%s: %s", path, fs_strerror(rv));
	} else {
		*pub = *fs_key_public(k);
	}
	fs_key_free(k);
	return (rv);
}

static fs_err
ensure_seed(const char *path, uint8_t oprf_pk[static FS_OPRF_ELEMENT_BYTES],
    char *why, size_t whycap)
{
	uint8_t      seed[FS_OPRF_SEED_BYTES];
	char         pubpath[4096], line[64];
	fs_oprf_key *k = NULL;
	FILE        *f;
	fs_err       rv;

	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	rv = fs_seedfile_read(seed, path);
	if (rv == FS_ERR_NOT_FOUND) {
		randombytes_buf(seed, sizeof(seed));
		if ((rv = fs_seedfile_write(path, seed)) == FS_OK) {
			printf("created %s (back it up: it is the pseudonym "
			       "key)\n",
			    path);
		}
	}
	if (rv == FS_OK) {
		rv = fs_oprf_key_derive(&k, FS_OPRF_MODE_VOPRF, seed,
		    (const uint8_t *) FS_OPRF_INFO, strlen(FS_OPRF_INFO));
	}
	sodium_memzero(seed, sizeof(seed));
	if (rv != FS_OK) {
		return (
		    fs_why(why, whycap, rv, "%s: %s", path, fs_strerror(rv)));
	}
	memcpy(oprf_pk, fs_oprf_key_public(k), FS_OPRF_ELEMENT_BYTES);
	fs_oprf_key_free(k);
	if (access(pubpath, F_OK) != 0) {
		fs_b64_encode(line, oprf_pk, FS_OPRF_ELEMENT_BYTES);
		if ((f = fopen(pubpath, "wx")) == NULL
		    || fprintf(f, "%s\n", line) < 0 || fclose(f) != 0) {
			snprintf(
			    why, whycap, "%s: %s", pubpath, strerror(errno));
			return (FS_ERR_IO);
		}
		printf("created %s\n", pubpath);
	}
	return (FS_OK);
}

fs_err
fs_issuer_init(const char *confpath, char *why, size_t whycap)
{
	fs_conf               *conf;
	const fs_conf_section *s;
	char                  *key = NULL, *seed = NULL;
	char                   pid[FS_PASERK_PID_LEN + 1];
	char                   pub[FS_PASERK_PUBLIC_LEN + 1];
	char                   oprf_b64[64];
	uint8_t                oprf_pk[FS_OPRF_ELEMENT_BYTES];
	fs_pubkey              pk;
	fs_issuer             *iss;
	fs_err                 rv;

	if ((rv = fs_conf_load(&conf, confpath, why, whycap)) != 0) {
		return (rv);
	}
	if ((s = fs_conf_section_find(conf, "issuer", NULL)) == NULL
	    || (key = fs_conf_path(conf, s, "key")) == NULL
	    || (seed = fs_conf_path(conf, s, "oprf_seed")) == NULL) {
		rv = fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected an [issuer] section with key and oprf_seed",
		    confpath);
		goto out;
	}
	if ((rv = ensure_key(key, fs_conf_get(s, "name"), &pk, why, whycap))
	        != 0
	    || (rv = ensure_seed(seed, oprf_pk, why, whycap)) != 0) {
		goto out;
	}
	// Opening checks the whole configuration and creates the database.
	if ((rv = fs_issuer_open(&iss, confpath, why, whycap)) != 0) {
		goto out;
	}
	fs_issuer_close(iss);
	fs_paserk_public(pub, pk.pk);
	fs_paserk_pid_from_kid(pid, pk.kid);
	fs_b64_encode(oprf_b64, oprf_pk, sizeof(oprf_pk));
	printf(
	    "issuer key:      %s\nissuer key id:   %s\nOPRF public key: %s\n",
	    pub, pid, oprf_b64);
out:
	free(key);
	free(seed);
	fs_conf_free(conf);
	return (rv);
}
