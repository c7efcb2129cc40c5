// SPDX-License-Identifier: Apache-2.0
//
// request.h -- the requester's signed lookup request and the coordinator's
// signed answers.

#ifndef FS_WIRE_REQUEST_H
#define FS_WIRE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/lookup.h"
#include "wire/token.h"

// The requester's signed lookup request (PASETO v4.public).
typedef struct fs_request {
	char    consent[FS_TOKEN_MAX + 1];
	char    jti[FS_CLAIM_STR_MAX + 1];
	char    scope[FS_CLAIM_STR_MAX + 1]; // "" = the consent's scope
	int64_t iat;
} fs_request;

fs_err fs_request_sign(char **tokenp, const fs_key *requester,
    const char *consent, const char *scope, const char *region, int64_t now);
fs_err fs_request_verify(fs_request *r, const char *token, size_t len,
    const fs_pubkey *requester, const char *region, int64_t now, int64_t skew);

// The coordinator's signed answer: its JSON is the message of the token.
fs_err fs_answer_sign(
    char **tokenp, const fs_key *coord, const char *json, const char *region);
fs_err fs_answer_verify(char **jsonp, const char *token, size_t len,
    const fs_pubkey *coord, const char *region);
// The same for the answer to a recognition, under its own implicit
// assertion, so that neither answer passes for the other.
fs_err fs_recognition_answer_sign(
    char **tokenp, const fs_key *coord, const char *json, const char *region);
fs_err fs_recognition_answer_verify(char **jsonp, const char *token, size_t len,
    const fs_pubkey *coord, const char *region);

#endif // FS_WIRE_REQUEST_H
