// SPDX-License-Identifier: Apache-2.0
//
// consent.c -- the check every holder of a consent token makes before it
// acts on it, and the printed form of a token's jti.

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/consent.h"
#include "wire/revocations.h"
#include "wire/token.h"

void
fs_jti_string(
    char out[static FS_JTI_STR_LEN + 1], const uint8_t jti[static FS_JTI_BYTES])
{
	fs_b64_encode(out, jti, FS_JTI_BYTES);
}

fs_err
fs_consent_verify(fs_claims *c, const char *token, size_t len,
    const fs_pubkey *issuer, const char *region, const fs_revlist *rl,
    int64_t now, char *why, size_t whycap)
{
	fs_claims out;
	char      jti[FS_JTI_STR_LEN + 1];
	fs_err    rv;

	rv = fs_token_verify(
	    &out, token, len, issuer, region, now, FS_SKEW_DEFAULT);
	if (rv != FS_OK) {
		snprintf(
		    why, whycap, "consent token refused: %s", fs_strerror(rv));
		return (rv);
	}
	fs_jti_string(jti, out.jti);
	if (rl != NULL && fs_revlist_has(rl, jti)) {
		return (fs_why(why, whycap, FS_ERR_REVOKED,
		    "consent %s was revoked (revocation list "
		    "%llu)",
		    jti, (unsigned long long) rl->seq));
	}
	*c = out;
	return (FS_OK);
}
