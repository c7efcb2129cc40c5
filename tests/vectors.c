// SPDX-License-Identifier: Apache-2.0
//
// vectors.c -- loading the official test vectors.

#include <jansson.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "tests/vectors.h"

const char *
vec_path(const char *rel)
{
	static char buf[4096];
	const char *dir = getenv("FS_VECTORS");

	if (dir == NULL) {
		fail_msg(
		    "FS_VECTORS is not set: run the tests with 'meson test', "
		    "which points it at tests/vectors");
	}
	snprintf(buf, sizeof(buf), "%s/%s", dir, rel);
	return (buf);
}

uint8_t *
vec_read(const char *path, size_t *lenp)
{
	FILE    *f = fopen(path, "rb");
	uint8_t *buf;
	long     n;

	if (f == NULL) {
		fail_msg(
		    "cannot open %s: the official test vectors are expected "
		    "in tests/vectors",
		    path);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
	buf[n] = 0;
	fclose(f);
	*lenp = (size_t) n;
	return (buf);
}

json_t *
vec_load(const char *rel)
{
	const char  *path = vec_path(rel);
	json_error_t err;
	json_t      *j = json_load_file(path, 0, &err);

	if (j == NULL) {
		fail_msg(
		    "cannot load %s (line %d: %s): the official test vectors "
		    "are expected in tests/vectors",
		    path, err.line, err.text);
	}
	return (j);
}

uint8_t *
vec_hex(const char *hex, size_t *lenp)
{
	size_t   n   = strlen(hex);
	uint8_t *out = malloc(n / 2 + 1);
	size_t   got;

	assert_non_null(out);
	if (sodium_hex2bin(out, n / 2 + 1, hex, n, NULL, &got, NULL) != 0) {
		fail_msg("bad hex in vector: %s", hex);
	}
	*lenp = got;
	return (out);
}
