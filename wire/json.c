// SPDX-License-Identifier: Apache-2.0
//
// json.c -- strict readers of JSON object members (json.h).

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "wire/json.h"

fs_err
fs_json_member(json_t *o, const char *key, json_type type, json_t **vp)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (json_typeof(v) != type) {
		return (FS_ERR_TYPE);
	}
	*vp = v;
	return (FS_OK);
}

fs_err
fs_json_str(json_t *o, const char *key, char *out, size_t cap,
    bool (*ok)(const char *s, size_t len))
{
	const char *s;
	size_t      n;
	json_t     *v;
	fs_err      rv;

	if ((rv = fs_json_member(o, key, JSON_STRING, &v)) != FS_OK) {
		return (rv);
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= cap || strlen(s) != n || (ok != NULL && !ok(s, n))) {
		return (FS_ERR_MALFORMED);
	}
	memcpy(out, s, n + 1);
	return (FS_OK);
}

bool
fs_json_filled(const char *s, size_t len)
{
	(void) s;
	return (len > 0);
}

fs_err
fs_json_int(json_t *o, const char *key, int64_t *out)
{
	json_t *v;
	fs_err  rv;

	if ((rv = fs_json_member(o, key, JSON_INTEGER, &v)) != FS_OK) {
		return (rv);
	}
	*out = json_integer_value(v);
	return (FS_OK);
}

fs_err
fs_json_time(json_t *o, const char *key, int64_t *out)
{
	char   s[FS_TIME_MAX_LEN + 1];
	fs_err rv;

	// A longer string is no time: malformed either way.
	if ((rv = fs_json_str(o, key, s, sizeof(s), NULL)) != FS_OK) {
		return (rv);
	}
	return (fs_time_parse(out, s, strlen(s)) == FS_OK ? FS_OK
	                                                  : FS_ERR_MALFORMED);
}

fs_err
fs_json_b64(json_t *o, const char *key, uint8_t *out, size_t n)
{
	json_t *v;
	size_t  got;
	fs_err  rv;

	if ((rv = fs_json_member(o, key, JSON_STRING, &v)) != FS_OK) {
		return (rv);
	}
	if (json_string_length(v) != fs_b64_encoded_len(n)
	    || fs_b64_decode(
	           out, n, &got, json_string_value(v), json_string_length(v))
	        != FS_OK
	    || got != n) {
		return (FS_ERR_MALFORMED);
	}
	return (FS_OK);
}

fs_err
fs_json_only(json_t *o, const char *const *names, size_t n)
{
	const char *key;
	json_t     *v;

	if (!json_is_object(o)) {
		return (FS_ERR_TYPE);
	}
	json_object_foreach (o, key, v) {
		size_t i;

		for (i = 0; i < n && strcmp(key, names[i]) != 0; i++) {
		}
		if (i == n) {
			return (FS_ERR_MALFORMED);
		}
	}
	return (FS_OK);
}
