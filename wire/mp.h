// SPDX-License-Identifier: Apache-2.0
//
// mp.h -- a strict msgpack reader for message bodies, and the end of
// writing one.

#ifndef FS_WIRE_MP_H
#define FS_WIRE_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "common/err.h"

// Strict msgpack reading.  Each reader consumes exactly one item of the
// named type (any of its msgpack formats) or fails: FS_ERR_TRUNCATED when
// the input ends, FS_ERR_TYPE for another type, FS_ERR_TOO_LARGE when a
// length passes the caller's bound.  A reader that fails consumes nothing.
typedef struct fs_mp {
	const uint8_t *p;
	const uint8_t *end;
} fs_mp;

void   fs_mp_init(fs_mp *r, const uint8_t *buf, size_t len);
fs_err fs_mp_array(fs_mp *r, uint32_t *n);
// fs_mp_array_of reads an array header of exactly n items; another count
// is FS_ERR_MALFORMED.
fs_err fs_mp_array_of(fs_mp *r, uint32_t n);
fs_err fs_mp_map(fs_mp *r, uint32_t *n);
fs_err fs_mp_uint(fs_mp *r, uint64_t *v);
fs_err fs_mp_int(fs_mp *r, int64_t *v);
fs_err fs_mp_bool(fs_mp *r, bool *v);
fs_err fs_mp_bin(fs_mp *r, const uint8_t **p, size_t *len, size_t max);
fs_err fs_mp_str(fs_mp *r, const char **p, size_t *len, size_t max);
// fs_mp_bin_fixed reads a bin of exactly n bytes into out.
fs_err fs_mp_bin_fixed(fs_mp *r, uint8_t *out, size_t n);
// fs_mp_bin_fixed_or_nil reads a nil (*has false) or a bin of exactly n
// bytes into out (*has true).
fs_err fs_mp_bin_fixed_or_nil(fs_mp *r, uint8_t *out, size_t n, bool *has);
// fs_mp_nil consumes a nil and returns true, or consumes nothing.
bool fs_mp_nil(fs_mp *r);
// fs_mp_end fails with FS_ERR_TRAILING unless all input was consumed.
fs_err fs_mp_end(const fs_mp *r);

// fs_mp_finish ends writing a body into sb.  After a failed write (bad is
// not 0) it frees sb and fails with FS_ERR_NOMEM; otherwise it hands the
// buffer over, less its first skip bytes (a signing context written
// ahead of the body).
fs_err fs_mp_finish(
    msgpack_sbuffer *sb, int bad, size_t skip, uint8_t **outp, size_t *outlenp);

#endif // FS_WIRE_MP_H
