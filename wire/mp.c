// SPDX-License-Identifier: Apache-2.0
//
// mp.c -- a strict, non-allocating msgpack reader, and the last step of
// writing a body.
//
// msgpack-c's unpacker builds a tree of any shape the peer sends; a
// decoder of our messages wants the opposite: read exactly the item the
// format expects, bounded, and fail on anything else.  Nothing here
// recurses, so nesting depth is bounded by the caller's code.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <msgpack.h>

#include "common/err.h"
#include "wire/mp.h"

static uint64_t
be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = (v << 8) | p[i];
	}
	return (v);
}

void
fs_mp_init(fs_mp *r, const uint8_t *buf, size_t len)
{
	r->p   = buf;
	r->end = buf + len;
}

static size_t
left(const fs_mp *r)
{
	return ((size_t) (r->end - r->p));
}

// peek reads the tag of the next item without consuming it.
static fs_err
peek(const fs_mp *r, uint8_t *t)
{
	if (left(r) < 1) {
		return (FS_ERR_TRUNCATED);
	}
	*t = r->p[0];
	return (FS_OK);
}

// take reads an n-byte big-endian field after the one-byte tag.
static fs_err
take(fs_mp *r, size_t n, uint64_t *v)
{
	if (left(r) < 1 + n) {
		return (FS_ERR_TRUNCATED);
	}
	*v = be(r->p + 1, n);
	r->p += 1 + n;
	return (FS_OK);
}

// A msgpack family of tags for one type, each giving a length or a value:
// the fix formats fixlo..fixhi (none when fixlo > fixhi) hold it in the
// tag, less fixlo; the ntag tags from tag on are followed by it, big-
// endian, in size << i bytes for the i-th of them.
typedef struct family {
	uint8_t fixlo, fixhi;
	uint8_t tag, ntag;
	size_t  size;
} family;

static const family f_array = { 0x90, 0x9f, 0xdc, 2, 2 };
static const family f_map   = { 0x80, 0x8f, 0xde, 2, 2 };
static const family f_uint  = { 0x00, 0x7f, 0xcc, 4, 1 };
static const family f_bin   = { 0x01, 0x00, 0xc4, 3, 1 };
static const family f_str   = { 0xa0, 0xbf, 0xd9, 3, 1 };

// head reads the tag of an item of family f and the number it carries.
static fs_err
head(fs_mp *r, const family *f, uint64_t *v)
{
	fs_err  rv;
	uint8_t t;

	if ((rv = peek(r, &t)) != FS_OK) {
		return (rv);
	}
	if (t >= f->fixlo && t <= f->fixhi) {
		*v = t - f->fixlo;
		r->p++;
		return (FS_OK);
	}
	if (t < f->tag || t >= f->tag + f->ntag) {
		return (FS_ERR_TYPE);
	}
	return (take(r, f->size << (t - f->tag), v));
}

// container reads an array or map header whose items take at least
// minitem bytes each.
static fs_err
container(fs_mp *r, uint32_t *n, const family *f, uint32_t minitem)
{
	const uint8_t *start = r->p;
	uint64_t       v;
	fs_err         rv;

	if ((rv = head(r, f, &v)) != FS_OK) {
		return (rv);
	}
	// Every item takes at least one byte: a count the rest of the input
	// cannot hold is a truncation, caught before the caller loops.
	if (v * minitem > left(r)) {
		r->p = start;
		return (FS_ERR_TRUNCATED);
	}
	*n = (uint32_t) v;
	return (FS_OK);
}

fs_err
fs_mp_array(fs_mp *r, uint32_t *n)
{
	return (container(r, n, &f_array, 1));
}

fs_err
fs_mp_array_of(fs_mp *r, uint32_t n)
{
	const uint8_t *start = r->p;
	uint32_t       got;
	fs_err         rv;

	if ((rv = fs_mp_array(r, &got)) == FS_OK && got != n) {
		r->p = start;
		rv   = FS_ERR_MALFORMED;
	}
	return (rv);
}

fs_err
fs_mp_map(fs_mp *r, uint32_t *n)
{
	return (container(r, n, &f_map, 2));
}

fs_err
fs_mp_uint(fs_mp *r, uint64_t *v)
{
	return (head(r, &f_uint, v));
}

fs_err
fs_mp_int(fs_mp *r, int64_t *v)
{
	const uint8_t *start = r->p;
	uint64_t       u;
	fs_err         rv;
	uint8_t        t;
	size_t         n;

	if ((rv = peek(r, &t)) != FS_OK) {
		return (rv);
	}
	if (t >= 0xe0) {
		*v = (int8_t) t;
		r->p++;
		return (FS_OK);
	}
	if (t < 0xd0 || t > 0xd3) {
		// Non-negative values are packed as unsigned.
		if ((rv = fs_mp_uint(r, &u)) != 0) {
			return (rv);
		}
		if (u > INT64_MAX) {
			r->p = start;
			return (FS_ERR_TOO_LARGE);
		}
		*v = (int64_t) u;
		return (FS_OK);
	}
	n = (size_t) 1 << (t - 0xd0);
	if ((rv = take(r, n, &u)) != 0) {
		return (rv);
	}
	// Sign-extend the n-byte two's complement value.
	if (n < 8 && (u >> (8 * n - 1)) != 0) {
		u |= ~(uint64_t) 0 << (8 * n);
	}
	memcpy(v, &u, sizeof(*v));
	return (FS_OK);
}

fs_err
fs_mp_bool(fs_mp *r, bool *v)
{
	fs_err  rv;
	uint8_t t;

	if ((rv = peek(r, &t)) != FS_OK) {
		return (rv);
	}
	if (t != 0xc2 && t != 0xc3) {
		return (FS_ERR_TYPE);
	}
	*v = t == 0xc3;
	r->p++;
	return (FS_OK);
}

// raw reads a bin or str of at most max bytes.
static fs_err
raw(fs_mp *r, const uint8_t **p, size_t *len, size_t max, const family *f)
{
	const uint8_t *start = r->p;
	uint64_t       n;
	fs_err         rv;

	if ((rv = head(r, f, &n)) != FS_OK) {
		return (rv);
	}
	if (n > max || n > left(r)) {
		r->p = start;
		return (n > max ? FS_ERR_TOO_LARGE : FS_ERR_TRUNCATED);
	}
	*p   = r->p;
	*len = (size_t) n;
	r->p += n;
	return (FS_OK);
}

fs_err
fs_mp_bin(fs_mp *r, const uint8_t **p, size_t *len, size_t max)
{
	return (raw(r, p, len, max, &f_bin));
}

fs_err
fs_mp_str(fs_mp *r, const char **p, size_t *len, size_t max)
{
	const uint8_t *s;
	fs_err         rv;

	if ((rv = raw(r, &s, len, max, &f_str)) != 0) {
		return (rv);
	}
	*p = (const char *) s;
	return (FS_OK);
}

fs_err
fs_mp_bin_fixed(fs_mp *r, uint8_t *out, size_t n)
{
	const uint8_t *p;
	size_t         len;
	fs_err         rv;
	fs_mp          save = *r;

	if ((rv = fs_mp_bin(r, &p, &len, n)) != 0) {
		*r = save;
		return (rv);
	}
	if (len != n) {
		*r = save;
		return (FS_ERR_MALFORMED);
	}
	memcpy(out, p, n);
	return (FS_OK);
}

fs_err
fs_mp_bin_fixed_or_nil(fs_mp *r, uint8_t *out, size_t n, bool *has)
{
	fs_err rv;

	if (fs_mp_nil(r)) {
		*has = false;
		return (FS_OK);
	}
	if ((rv = fs_mp_bin_fixed(r, out, n)) == FS_OK) {
		*has = true;
	}
	return (rv);
}

bool
fs_mp_nil(fs_mp *r)
{
	if (left(r) >= 1 && r->p[0] == 0xc0) {
		r->p++;
		return (true);
	}
	return (false);
}

fs_err
fs_mp_end(const fs_mp *r)
{
	return (r->p == r->end ? FS_OK : FS_ERR_TRAILING);
}

fs_err
fs_mp_finish(
    msgpack_sbuffer *sb, int bad, size_t skip, uint8_t **outp, size_t *outlenp)
{
	if (bad != 0) {
		msgpack_sbuffer_destroy(sb);
		return (FS_ERR_NOMEM);
	}
	if (skip > 0) {
		memmove(sb->data, sb->data + skip, sb->size - skip);
	}
	*outlenp = sb->size - skip;
	*outp    = (uint8_t *) msgpack_sbuffer_release(sb);
	return (FS_OK);
}
