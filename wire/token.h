// SPDX-License-Identifier: Apache-2.0
//
// token.h -- consent tokens: their claims, footer, signing and verifying.

#ifndef FS_WIRE_TOKEN_H
#define FS_WIRE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"

// Consent tokens: the claims a consent token carries, and its footer.
//
// Design notes.
// * The message is one JSON object, compact with sorted keys when we write
//   it.  On reading it must be an object (FS_ERR_TYPE), at most
//   FS_CLAIMS_MAX_LEN bytes and FS_JSON_MAX_DEPTH levels deep
//   (FS_ERR_TOO_LARGE; the depth is checked by a scan before jansson sees
//   the input), valid UTF-8 without duplicate keys (FS_ERR_MALFORMED).
// * Claims, all required except nbf (default: iat) and uses (default 1):
//     iss      issuer name                  1..64 token-safe characters
//     sub      subject pseudonym            b64url of 32 bytes
//     aud      requester id                 1..64 token-safe characters
//     purpose  the one purpose of the use   1..64 token-safe characters
//     scope    "tier" "score" "breakdown" "attest" "self"
//     iat nbf exp                           RFC 3339 date-times
//     jti      token id                     b64url of 16 random bytes
//     uses     lookups allowed              integer 1..FS_CLAIM_USES_MAX
//     reg      region of the coordinator    1..64 token-safe characters
//     idc      optional, scope attest only: commitment to the ID number,
//              b64url of 32 bytes (see fs_idc_commit)
//   Token-safe characters are A-Z a-z 0-9 and "-._~:/".  A value of another
//   JSON type is FS_ERR_TYPE, an unknown scope FS_ERR_SCOPE, anything else
//   wrong FS_ERR_MALFORMED.
// * Unknown claims are refused, not ignored: a token says exactly what the
//   citizen consented to, and a claim that one verifier ignores cannot
//   mean something to another.
// * The footer is {"kid":"k4.pid.…"}, naming the issuer's key; no other
//   key is allowed in it.
#define FS_SUBJECT_BYTES  32
#define FS_JTI_BYTES      16
#define FS_CLAIM_STR_MAX  64
#define FS_CLAIM_USES_MAX 1000000
#define FS_CLAIMS_MAX_LEN 2048
#define FS_FOOTER_MAX_LEN 256
#define FS_JSON_MAX_DEPTH 4
#define FS_FOOTER_LEN     (8 + FS_PASERK_PID_LEN + 2) // {"kid":"…"}
#define FS_SKEW_DEFAULT   300                         // seconds
#define FS_SKEW_MAX       86400

typedef enum fs_scope {
	FS_SCOPE_TIER = 1,  // the tier only
	FS_SCOPE_SCORE,     // the score and its tier
	FS_SCOPE_BREAKDOWN, // the score per dimension
	FS_SCOPE_ATTEST,    // a signed attestation of the score
	FS_SCOPE_SELF,      // a citizen viewing their own data
} fs_scope;

// fs_scope_name returns the claim value of scope, or NULL if unknown.
const char *fs_scope_name(fs_scope scope);
// fs_scope_parse refuses anything but a known name with FS_ERR_SCOPE.
fs_err fs_scope_parse(fs_scope *scopep, const char *s, size_t len);
// fs_scope_rank orders the scopes of a lookup by what they disclose: tier
// 1, score 2, breakdown 3; others 0.  fs_scope_covers says whether a
// consent of scope granted allows a lookup of scope asked: less or as
// much as granted; an attest consent allows attest (tier and score in an
// attestation) or tier (the tier only: the credit code).
int  fs_scope_rank(fs_scope scope);
bool fs_scope_covers(fs_scope granted, fs_scope asked);

typedef struct fs_claims {
	char     iss[FS_CLAIM_STR_MAX + 1];
	uint8_t  sub[FS_SUBJECT_BYTES];
	char     aud[FS_CLAIM_STR_MAX + 1];
	char     purpose[FS_CLAIM_STR_MAX + 1];
	fs_scope scope;
	int64_t  iat; // Unix seconds
	int64_t  nbf;
	int64_t  exp; // valid while now < exp
	uint8_t  jti[FS_JTI_BYTES];
	uint32_t uses;
	char     reg[FS_CLAIM_STR_MAX + 1];
	bool     has_idc; // scope attest only
	uint8_t  idc[FS_IDC_BYTES];
} fs_claims;

// fs_claims_init clears c, draws a random jti and sets uses to 1.
void fs_claims_init(fs_claims *c);
// fs_claims_encode writes c as compact JSON with sorted keys into a
// malloc'd string; claims that would not decode are FS_ERR_INVALID (or
// FS_ERR_SCOPE).  *lenp may be NULL.
fs_err fs_claims_encode(char **jsonp, size_t *lenp, const fs_claims *c);
// fs_claims_decode parses len bytes of JSON as described above.
fs_err fs_claims_decode(fs_claims *c, const uint8_t *json, size_t len);
// fs_claims_check checks the times of c against now, allowing skew seconds
// (0..FS_SKEW_MAX) each way: FS_ERR_EXPIRED from exp on,
// FS_ERR_NOT_YET_VALID before nbf or iat.  Claims that would not encode
// are FS_ERR_INVALID.
fs_err fs_claims_check(const fs_claims *c, int64_t now, int64_t skew);

// The consent token footer {"kid":"k4.pid.…"}.
void fs_footer_encode(
    char out[static FS_FOOTER_LEN + 1], const uint8_t kid[static FS_KID_BYTES]);
fs_err fs_footer_decode(
    uint8_t kid[static FS_KID_BYTES], const char *s, size_t len);
// fs_token_kid reads the key id in the footer of a PASETO token of ours
// (consent, request, answer, attestation): untrusted, only to choose the
// key to verify the token with.
fs_err fs_token_kid(
    uint8_t kid[static FS_KID_BYTES], const char *token, size_t len);

// fs_token_issue signs c as a consent token with the issuer's key, for
// region, which is both the implicit assertion and the claim "reg".
// c->reg must be empty or equal to region.
fs_err fs_token_issue(char **tokenp, const fs_key *issuer, const fs_claims *c,
    const char *region);

// fs_token_verify checks a consent token for region at time now (with skew
// seconds of tolerance) and returns its claims.  In order: the token's
// form, the footer's kid (FS_ERR_WRONG_KEY when it names another key than
// issuer), the signature with region as implicit assertion, the claims,
// the claim "reg", the times.
//
// A token made for another region fails the signature, like a forgery.
// To tell the two apart, a failed token is verified once more under the
// region its own (so far untrusted) claim "reg" names: only if the
// signature verifies there is the error FS_ERR_WRONG_REGION; otherwise it
// is FS_ERR_BAD_SIGNATURE.  Either way the token is refused.
//
// Audience, purpose, scope, uses and revocation are the caller's to check.
fs_err fs_token_verify(fs_claims *c, const char *token, size_t len,
    const fs_pubkey *issuer, const char *region, int64_t now, int64_t skew);

// fs_token_peek decodes a consent token's claims WITHOUT checking its
// signature: untrusted, only for a requester to read the region and
// requester id it must use.  Never act on them.
fs_err fs_token_peek(fs_claims *c, const char *token, size_t len);

#define FS_JTI_STR_LEN 22 // base64url of 16 bytes
void fs_jti_string(char out[static FS_JTI_STR_LEN + 1],
    const uint8_t       jti[static FS_JTI_BYTES]);

#endif // FS_WIRE_TOKEN_H
