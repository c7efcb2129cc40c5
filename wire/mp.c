// SPDX-License-Identifier: Apache-2.0
//
// mp.c -- a strict, non-allocating msgpack reader.
//
// msgpack-c's unpacker builds a tree of any shape the peer sends; a
// decoder of our messages wants the opposite: read exactly the item the
// format expects, bounded, and fail on anything else.  Nothing here
// recurses, so nesting depth is bounded by the caller's code.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

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

// container reads an array or map header given its fix range and the
// 16- and 32-bit tags.
static fs_err
container(fs_mp *r, uint32_t *n, uint8_t fixlo, uint8_t tag16, uint8_t tag32,
    uint32_t minitem)
{
	const uint8_t *start = r->p;
	uint64_t       v;
	fs_err         rv;
	uint8_t        t;

	if (left(r) < 1) {
		return (FS_ERR_TRUNCATED);
	}
	t = r->p[0];
	if (t >= fixlo && t <= fixlo + 0x0f) {
		v = t - fixlo;
		r->p++;
	} else if (t == tag16) {
		if ((rv = take(r, 2, &v)) != 0) {
			return (rv);
		}
	} else if (t == tag32) {
		if ((rv = take(r, 4, &v)) != 0) {
			return (rv);
		}
	} else {
		return (FS_ERR_TYPE);
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
	return (container(r, n, 0x90, 0xdc, 0xdd, 1));
}

fs_err
fs_mp_map(fs_mp *r, uint32_t *n)
{
	return (container(r, n, 0x80, 0xde, 0xdf, 2));
}

fs_err
fs_mp_uint(fs_mp *r, uint64_t *v)
{
	uint8_t t;

	if (left(r) < 1) {
		return (FS_ERR_TRUNCATED);
	}
	t = r->p[0];
	if (t <= 0x7f) {
		*v = t;
		r->p++;
		return (FS_OK);
	}
	switch (t) {
	case 0xcc:
		return (take(r, 1, v));
	case 0xcd:
		return (take(r, 2, v));
	case 0xce:
		return (take(r, 4, v));
	case 0xcf:
		return (take(r, 8, v));
	default:
		return (FS_ERR_TYPE);
	}
}

fs_err
fs_mp_int(fs_mp *r, int64_t *v)
{
	const uint8_t *start = r->p;
	uint64_t       u;
	fs_err         rv;
	uint8_t        t;
	size_t         n;

	if (left(r) < 1) {
		return (FS_ERR_TRUNCATED);
	}
	t = r->p[0];
	if (t >= 0xe0) {
		*v = (int8_t) t;
		r->p++;
		return (FS_OK);
	}
	switch (t) {
	case 0xd0:
		n = 1;
		break;
	case 0xd1:
		n = 2;
		break;
	case 0xd2:
		n = 4;
		break;
	case 0xd3:
		n = 8;
		break;
	default:
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
	if (left(r) < 1) {
		return (FS_ERR_TRUNCATED);
	}
	if (r->p[0] != 0xc2 && r->p[0] != 0xc3) {
		return (FS_ERR_TYPE);
	}
	*v = r->p[0] == 0xc3;
	r->p++;
	return (FS_OK);
}

static fs_err
raw(fs_mp *r, const uint8_t **p, size_t *len, size_t max, uint8_t tag8,
    uint8_t fixlo, uint8_t fixhi)
{
	const uint8_t *start = r->p;
	uint64_t       n;
	fs_err         rv;
	uint8_t        t;

	if (left(r) < 1) {
		return (FS_ERR_TRUNCATED);
	}
	t = r->p[0];
	if (fixlo != 0 && t >= fixlo && t <= fixhi) {
		n = t - fixlo;
		r->p++;
	} else if (t >= tag8 && t <= tag8 + 2) {
		if ((rv = take(r, (size_t) 1 << (t - tag8), &n)) != 0) {
			return (rv);
		}
	} else {
		return (FS_ERR_TYPE);
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
	return (raw(r, p, len, max, 0xc4, 0, 0));
}

fs_err
fs_mp_str(fs_mp *r, const char **p, size_t *len, size_t max)
{
	const uint8_t *s;
	fs_err         rv;

	if ((rv = raw(r, &s, len, max, 0xd9, 0xa0, 0xbf)) != 0) {
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
