// SPDX-License-Identifier: Apache-2.0
//
// token.c -- consent tokens: claims signed as PASETO v4.public, with the
// issuer's key id in the footer and the region as implicit assertion.
//
// The region is bound twice.  As implicit assertion it is what makes a
// token useless in another region, but a signature that fails does not
// say why.  As the claim "reg" it lets a verifier say "wrong region"
// instead of "forged" -- but only after the signature has verified under
// that claimed region, so the claim is never trusted on its own.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "wire/token.h"
#include "wire/wireimpl.h"

// region_ok: the region is a claim value, so it obeys the same rules.
static bool
region_ok(const char *region)
{
	return (region != NULL
	    && fsi_claim_str_ok(region, strnlen(region, FS_CLAIM_STR_MAX + 1)));
}

fs_err
fs_token_issue(
    char **tokenp, const fs_key *issuer, const fs_claims *c, const char *region)
{
	fs_claims cc;
	char      footer[FS_FOOTER_LEN + 1];
	char     *json;
	size_t    jlen;
	fs_err    rv;

	if (!region_ok(region)
	    || (c->reg[0] != 0
	        && strncmp(c->reg, region, sizeof(c->reg)) != 0)) {
		return (FS_ERR_INVALID);
	}
	cc = *c;
	memcpy(cc.reg, region, strlen(region) + 1);
	if ((rv = fs_claims_encode(&json, &jlen, &cc)) != FS_OK) {
		return (rv);
	}
	fs_footer_encode(footer, fs_key_public(issuer)->kid);
	rv = fs_paseto_sign(tokenp, issuer, (const uint8_t *) json, jlen,
	    footer, (const uint8_t *) region, strlen(region));
	free(json);
	return (rv);
}

// signed_for_other_region tells a token made by issuer for another region
// from a forgery, once it failed to verify for ours.
static bool
signed_for_other_region(
    const char *token, size_t len, const fs_pubkey *issuer, const char *region)
{
	uint8_t  *msg;
	size_t    mlen;
	fs_claims c;
	bool      other = false;

	if (fs_paseto_peek(&msg, &mlen, token, len) != FS_OK) {
		return (false);
	}
	if (fs_claims_decode(&c, msg, mlen) == FS_OK
	    && strcmp(c.reg, region) != 0) {
		other = fs_paseto_verify(NULL, NULL, token, len, issuer, NULL,
		            (const uint8_t *) c.reg, strlen(c.reg))
		    == FS_OK;
	}
	free(msg);
	return (other);
}

fs_err
fs_token_verify(fs_claims *out, const char *token, size_t len,
    const fs_pubkey *issuer, const char *region, int64_t now, int64_t skew)
{
	fs_claims c;
	uint8_t   kid[FS_KID_BYTES];
	uint8_t  *msg = NULL;
	size_t    mlen;
	fs_err    rv;

	if (!region_ok(region) || skew < 0 || skew > FS_SKEW_MAX) {
		return (FS_ERR_INVALID);
	}
	if ((rv = fs_token_kid(kid, token, len)) != FS_OK) {
		return (rv);
	}
	if (sodium_memcmp(kid, issuer->kid, FS_KID_BYTES) != 0) {
		return (FS_ERR_WRONG_KEY);
	}
	rv = fs_paseto_verify(&msg, &mlen, token, len, issuer, NULL,
	    (const uint8_t *) region, strlen(region));
	if (rv == FS_ERR_BAD_SIGNATURE
	    && signed_for_other_region(token, len, issuer, region)) {
		return (FS_ERR_WRONG_REGION);
	}
	if (rv != FS_OK) {
		return (rv);
	}
	if ((rv = fs_claims_decode(&c, msg, mlen)) != FS_OK) {
		goto out;
	}
	// Signed for our region but claiming another: the issuer erred.
	if (strcmp(c.reg, region) != 0) {
		rv = FS_ERR_WRONG_REGION;
		goto out;
	}
	if ((rv = fs_claims_check(&c, now, skew)) != FS_OK) {
		goto out;
	}
	*out = c;
out:
	free(msg);
	return (rv);
}

fs_err
fs_token_peek(fs_claims *out, const char *token, size_t len)
{
	uint8_t  *msg;
	size_t    mlen;
	fs_claims c;
	fs_err    rv;

	if ((rv = fs_paseto_peek(&msg, &mlen, token, len)) != FS_OK) {
		return (rv);
	}
	rv = fs_claims_decode(&c, msg, mlen);
	free(msg);
	if (rv == FS_OK) {
		*out = c;
	}
	return (rv);
}
