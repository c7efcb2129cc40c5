// SPDX-License-Identifier: Apache-2.0
//
// attest_tool.c -- makes an attestation without a federation, for the
// credit code test: the coordinator's secret key file, a scheme file, a
// score ("650") or a tier alone ("tier:good"), and optionally a subject
// binding ("--bind ID SALT").  Never a tool for production: a real
// attestation comes from a lookup, with its disclosure logged.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "wire/attest.h"
#include "wire/scheme.h"

int
main(int argc, char **argv)
{
	fs_key        *k = NULL;
	fs_scheme      s;
	fs_attestation a;
	char           why[FS_WHY_MAX];
	char          *tok;
	int64_t        now = (int64_t) time(NULL);

	if (argc != 4 && argc != 7) {
		fprintf(stderr,
		    "usage: attest_tool KEY SCHEME SCORE|tier:NAME "
		    "[--bind ID SALT]\n");
		return (2);
	}
	if (fs_crypto_init() != FS_OK
	    || fs_keyfile_read_secret(&k, argv[1]) != FS_OK
	    || fs_scheme_load(&s, argv[2], why, sizeof(why)) != FS_OK) {
		fprintf(stderr, "attest_tool: cannot read %s or %s\n", argv[1],
		    argv[2]);
		return (2);
	}
	memset(&a, 0, sizeof(a));
	snprintf(a.iss, sizeof(a.iss), "%s", s.region);
	snprintf(a.scheme_id, sizeof(a.scheme_id), "%s", s.id);
	snprintf(a.scheme_version, sizeof(a.scheme_version), "%s", s.version);
	snprintf(a.scheme_hash, sizeof(a.scheme_hash), "%s", s.hash);
	a.scale_min = s.scale_min;
	a.scale_max = s.scale_max;
	a.ntiers    = s.ntiers;
	memcpy(a.tiers, s.tiers, sizeof(a.tiers));
	if (strncmp(argv[3], "tier:", 5) == 0) {
		for (size_t i = 0; i < s.ntiers; i++) {
			if (strcmp(s.tiers[i].name, argv[3] + 5) == 0) {
				a.tier = s.tiers[i];
			}
		}
	} else {
		a.has_score = true;
		a.score     = strtoll(argv[3], NULL, 10);
		a.tier      = *fs_scheme_tier(&s, a.score);
	}
	a.iat = now;
	a.exp = now + FS_ATTEST_TTL_DEFAULT;
	randombytes_buf(a.jti, sizeof(a.jti));
	if (argc == 7) {
		uint8_t salt[FS_IDC_SALT_BYTES];
		size_t  n;

		if (fs_b64_decode(
		        salt, sizeof(salt), &n, argv[6], strlen(argv[6]))
		    != FS_OK) {
			return (2);
		}
		a.has_idc = true;
		fs_idc_commit(a.idc, salt, argv[5], strlen(argv[5]));
	}
	if (fs_attest_sign(&tok, k, &a) != FS_OK) {
		fprintf(stderr, "attest_tool: cannot sign\n");
		return (2);
	}
	printf("%s\n", tok);
	free(tok);
	fs_key_free(k);
	return (0);
}
