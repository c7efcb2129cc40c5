// SPDX-License-Identifier: Apache-2.0
//
// paseto.h -- PASETO v4.public.

#ifndef FS_CRYPTO_PASETO_H
#define FS_CRYPTO_PASETO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"

// https://github.com/paseto-standard/paseto-spec
//
// Design notes.
// * A token is "v4.public." b64url(message || Ed25519 signature), then
//   "." b64url(footer) when the footer is not empty.  The signature covers
//   PAE(header, message, footer, implicit assertion); the implicit
//   assertion is never in the token, so a verifier must know it.
// * Parsing is strict and comes before any signature check: the exact
//   header (another version or purpose is FS_ERR_VERSION), base64url
//   without padding (FS_ERR_MALFORMED), no bare trailing dot, at least a
//   signature (FS_ERR_TRUNCATED), at most FS_PASETO_MAX_LEN characters
//   (FS_ERR_TOO_LARGE).  Tokens longer than that are neither issued nor
//   read.
// * Every parser takes bytes and a length and needs no NUL: a fuzzer can
//   call it directly.
// * Tokens, messages and footers returned are malloc'd and NUL-terminated;
//   release them with free().
#define FS_PASETO_MAX_LEN 8192

// fs_paseto_sign signs msg with k.  footer is a string, NULL or "" for
// none; implicit (ilen bytes) is the implicit assertion, NULL when ilen
// is 0.
fs_err fs_paseto_sign(char **tokenp, const fs_key *k, const uint8_t *msg,
    size_t msglen, const char *footer, const uint8_t *implicit, size_t ilen);

// fs_paseto_verify checks token (len characters) against pub and the
// implicit assertion, and on success returns its message in *msgp (may be
// NULL to only verify) and its length in *msglenp (may be NULL).  When
// footer is not NULL, the token's footer must be exactly that string ("" for
// none), else FS_ERR_FOOTER; when it is NULL any footer is accepted: it is
// covered by the signature, and fs_paseto_footer reads it.
fs_err fs_paseto_verify(uint8_t **msgp, size_t *msglenp, const char *token,
    size_t len, const fs_pubkey *pub, const char *footer,
    const uint8_t *implicit, size_t ilen);

// fs_paseto_footer returns the footer of a well-formed v4.public token,
// "" if it has none, without checking the signature: it is untrusted until
// fs_paseto_verify succeeds, and serves to choose the key.  *lenp (may be
// NULL) receives its length, which may differ from strlen() if the footer
// holds a NUL.
fs_err fs_paseto_footer(
    char **footerp, size_t *lenp, const char *token, size_t len);

// fs_paseto_peek returns the message of a well-formed v4.public token
// WITHOUT verifying its signature.  Only for telling error cases apart
// after a verification failed (fs_token_verify's wrong region,
// fs_attest_peek's reason for a refusal): nothing read from it may be
// trusted or returned.
fs_err fs_paseto_peek(
    uint8_t **msgp, size_t *msglenp, const char *token, size_t len);

#endif // FS_CRYPTO_PASETO_H
