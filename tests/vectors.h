// SPDX-License-Identifier: Apache-2.0
//
// vectors.h -- helpers for tests that read the official test vectors in
// tests/vectors (the directory comes from FS_VECTORS, set by meson).

#ifndef FS_TEST_VECTORS_H
#define FS_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

// vec_path returns FS_VECTORS/rel in a static buffer.
const char *vec_path(const char *rel);

// vec_load parses FS_VECTORS/rel as JSON, failing the test with a message
// that says where the vectors were expected when it cannot.
json_t *vec_load(const char *rel);

// vec_read reads a whole file; fails the test when it cannot.
uint8_t *vec_read(const char *path, size_t *lenp);

// vec_hex decodes a hex string into a malloc'd buffer; fails the test on
// bad hex.
uint8_t *vec_hex(const char *hex, size_t *lenp);

#endif // FS_TEST_VECTORS_H
