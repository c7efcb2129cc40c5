// SPDX-License-Identifier: Apache-2.0
//
// cryptoimpl.h -- internals shared by the files of crypto/.  This header
// must not be exposed to other subsystems: what it declares skips checks
// that the public functions make.  Its symbols take the prefix fsi_.

#ifndef FS_CRYPTOIMPL_H
#define FS_CRYPTOIMPL_H

#include "crypto.h"

// fsi_paseto_peek returns the message of a well-formed v4.public token
// WITHOUT verifying its signature.  Only for telling error cases apart
// after a verification failed (fs_token_verify's wrong region): nothing
// read from it may be trusted or returned.
fs_err fsi_paseto_peek(
    uint8_t **msgp, size_t *msglenp, const char *token, size_t len);

// fsi_claim_str_ok: 1..FS_CLAIM_STR_MAX token-safe characters, the rule
// for iss, aud, purpose and reg (and so for a region).
bool fsi_claim_str_ok(const char *s, size_t len);

#endif // FS_CRYPTOIMPL_H
