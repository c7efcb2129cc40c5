// SPDX-License-Identifier: Apache-2.0
//
// b64.h -- strict base64url without padding and standard base64 (RFC 4648).

#ifndef FS_COMMON_B64_H
#define FS_COMMON_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// Base64url without padding (RFC 4648 section 5), strict: padding,
// whitespace and non-zero trailing bits are refused.
size_t fs_b64_encoded_len(size_t binlen);
// fs_b64_encode writes a NUL-terminated string; out needs
// fs_b64_encoded_len(binlen) + 1 bytes.
void fs_b64_encode(char *out, const uint8_t *bin, size_t binlen);
// fs_b64_decode decodes exactly len characters of in into at most maxlen
// bytes and stores the length decoded in *outlen.
fs_err fs_b64_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len);

// Standard base64 with padding (RFC 4648 section 4), as signed notes and
// checkpoints use it; as strict as base64url above.
size_t fs_b64std_encoded_len(size_t binlen);
void   fs_b64std_encode(char *out, const uint8_t *bin, size_t binlen);
fs_err fs_b64std_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len);

#endif // FS_COMMON_B64_H
