// SPDX-License-Identifier: Apache-2.0
//
// json.h -- strict readers of the members of a parsed JSON object: each
// member of one type, bounded, and no member that is not known.

#ifndef FS_WIRE_JSON_H
#define FS_WIRE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/err.h"

// Each getter fails with FS_ERR_MALFORMED when the member is missing or
// its value out of bounds, and FS_ERR_TYPE when the value is of another
// JSON type.  After a failure out holds nothing to use.

// fs_json_member finds the member key of o, which must be of the given
// JSON type.
fs_err fs_json_member(json_t *o, const char *key, json_type type, json_t **vp);

// fs_json_str copies a string member shorter than cap bytes, without a
// NUL, that ok (when not NULL) accepts.
fs_err fs_json_str(json_t *o, const char *key, char *out, size_t cap,
    bool (*ok)(const char *s, size_t len));

// fs_json_filled is a check for fs_json_str: any string but "".
bool fs_json_filled(const char *s, size_t len);

// fs_json_int reads an integer member.
fs_err fs_json_int(json_t *o, const char *key, int64_t *out);

// fs_json_time reads an RFC 3339 time member as seconds since the epoch.
fs_err fs_json_time(json_t *o, const char *key, int64_t *out);

// fs_json_b64 decodes a base64url member of exactly n bytes.
fs_err fs_json_b64(json_t *o, const char *key, uint8_t *out, size_t n);

// fs_json_only refuses what is not an object (FS_ERR_TYPE) or an object
// with members other than the n named (FS_ERR_MALFORMED).
fs_err fs_json_only(json_t *o, const char *const *names, size_t n);

// FS_JSON_ONLY(o, "a", "b", ...) is fs_json_only with the names listed.
#define FS_JSON_ONLY(o, ...)                                   \
	fs_json_only(o, (const char *const[]) { __VA_ARGS__ }, \
	    sizeof((const char *const[]) { __VA_ARGS__ }) / sizeof(char *))

#endif // FS_WIRE_JSON_H
