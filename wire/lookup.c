// SPDX-License-Identifier: Apache-2.0
//
// lookup.c -- the bodies of LOOKUP (coordinator to node) and
// CONTRIBUTION (node to coordinator); docs/protocol.md has the layout.

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/err.h"
#include "wire/lookup.h"
#include "wire/mp.h"
#include "wire/token.h"

#define LOOKUP_ITEMS  4
#define CONTRIB_ITEMS 6

fs_err
fs_lookup_encode(const fs_lookup *l, uint8_t **outp, size_t *outlenp)
{
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	size_t          tlen = strlen(l->token);
	int             bad  = 0;

	if (tlen > FS_TOKEN_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bad |= msgpack_pack_array(&pk, LOOKUP_ITEMS);
	bad |= msgpack_pack_bin_with_body(
	    &pk, l->request_id, FS_REQUEST_ID_BYTES);
	bad |= msgpack_pack_bin_with_body(&pk, l->subject, FS_SUBJECT_BYTES);
	bad |= msgpack_pack_str_with_body(&pk, l->token, tlen);
	bad |= msgpack_pack_uint64(&pk, l->deadline_ms);
	return (fs_mp_finish(&sb, bad, 0, outp, outlenp));
}

fs_err
fs_lookup_decode(fs_lookup *l, const uint8_t *buf, size_t len)
{
	fs_mp       r;
	fs_lookup   out = { 0 };
	const char *tok;
	size_t      tlen;
	fs_err      rv;

	fs_mp_init(&r, buf, len);
	if ((rv = fs_mp_array_of(&r, LOOKUP_ITEMS)) != 0
	    || (rv = fs_mp_bin_fixed(&r, out.request_id, FS_REQUEST_ID_BYTES))
	        != 0
	    || (rv = fs_mp_bin_fixed(&r, out.subject, FS_SUBJECT_BYTES)) != 0
	    || (rv = fs_mp_str(&r, &tok, &tlen, FS_TOKEN_MAX)) != 0
	    || (rv = fs_mp_uint(&r, &out.deadline_ms)) != 0
	    || (rv = fs_mp_end(&r)) != 0) {
		return (rv);
	}
	if (memchr(tok, '\0', tlen) != NULL) {
		return (FS_ERR_MALFORMED);
	}
	memcpy(out.token, tok, tlen);
	out.token[tlen] = '\0';
	*l              = out;
	return (FS_OK);
}

void
fs_contribution_fini(fs_contribution *c)
{
	if (c != NULL) {
		free(c->shared);
		c->shared  = NULL;
		c->nshared = 0;
	}
}

fs_err
fs_contribution_encode(
    const fs_contribution *c, uint8_t **outp, size_t *outlenp)
{
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	size_t          vlen = strlen(c->rules_version);
	int             bad  = 0;

	if (c->nshared > FS_SHARED_MAX || vlen > FS_VERSION_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bad |= msgpack_pack_array(&pk, CONTRIB_ITEMS);
	bad |= msgpack_pack_str_with_body(&pk, c->rules_version, vlen);
	bad |= msgpack_pack_array(&pk, FS_DIM_COUNT);
	for (int d = 0; d < FS_DIM_COUNT; d++) {
		bad |= msgpack_pack_int64(&pk, c->dims[d]);
	}
	bad |= msgpack_pack_array(&pk, (uint32_t) c->nshared);
	for (size_t i = 0; i < c->nshared; i++) {
		bad |= msgpack_pack_array(&pk, 3);
		bad |= msgpack_pack_bin_with_body(
		    &pk, c->shared[i].behavior_key, FS_SUBJECT_BYTES);
		bad |= msgpack_pack_uint8(&pk, (uint8_t) c->shared[i].dim);
		bad |= msgpack_pack_int64(&pk, c->shared[i].points);
	}
	bad |= c->disputed ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
	bad |= msgpack_pack_uint32(&pk, c->considered);
	bad |= msgpack_pack_uint32(&pk, c->counted);
	return (fs_mp_finish(&sb, bad, 0, outp, outlenp));
}

// Points are bounded far above any scheme's scale, so that sums over
// nodes cannot overflow.
#define POINTS_MAX 1000000

static fs_err
read_points(fs_mp *r, int64_t *v)
{
	fs_err rv = fs_mp_int(r, v);

	if (rv == FS_OK && (*v > POINTS_MAX || *v < -POINTS_MAX)) {
		return (FS_ERR_TOO_LARGE);
	}
	return (rv);
}

static fs_err
read_count(fs_mp *r, uint32_t *v)
{
	uint64_t u;
	fs_err   rv = fs_mp_uint(r, &u);

	if (rv == FS_OK && u > UINT32_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (rv == FS_OK) {
		*v = (uint32_t) u;
	}
	return (rv);
}

// read_shared reads one shared item: [behavior_key, dim, points].
static fs_err
read_shared(fs_mp *r, fs_shared_item *it)
{
	uint64_t u;
	fs_err   rv;

	if ((rv = fs_mp_array_of(r, 3)) != 0
	    || (rv = fs_mp_bin_fixed(r, it->behavior_key, FS_SUBJECT_BYTES))
	        != 0
	    || (rv = fs_mp_uint(r, &u)) != 0) {
		return (rv);
	}
	if (u >= FS_DIM_COUNT) {
		return (FS_ERR_MALFORMED);
	}
	it->dim = (fs_dim) u;
	return (read_points(r, &it->points));
}

fs_err
fs_contribution_decode(fs_contribution *c, const uint8_t *buf, size_t len)
{
	fs_mp           r;
	fs_contribution out = { 0 };
	uint32_t        n;
	const char     *ver;
	size_t          vlen;
	fs_err          rv;

	fs_mp_init(&r, buf, len);
	if ((rv = fs_mp_array_of(&r, CONTRIB_ITEMS)) != 0
	    || (rv = fs_mp_str(&r, &ver, &vlen, FS_VERSION_MAX)) != 0
	    || (rv = fs_mp_array_of(&r, FS_DIM_COUNT)) != 0) {
		return (rv);
	}
	memcpy(out.rules_version, ver, vlen);
	out.rules_version[vlen] = '\0';
	for (int d = 0; d < FS_DIM_COUNT; d++) {
		if ((rv = read_points(&r, &out.dims[d])) != 0) {
			return (rv);
		}
	}
	if ((rv = fs_mp_array(&r, &n)) != 0) {
		return (rv);
	}
	if (n > FS_SHARED_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if (n > 0 && (out.shared = calloc(n, sizeof(*out.shared))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	for (uint32_t i = 0; i < n; i++, out.nshared++) {
		if ((rv = read_shared(&r, &out.shared[i])) != FS_OK) {
			fs_contribution_fini(&out);
			return (rv);
		}
	}
	if ((rv = fs_mp_bool(&r, &out.disputed)) != 0
	    || (rv = read_count(&r, &out.considered)) != 0
	    || (rv = read_count(&r, &out.counted)) != 0
	    || (rv = fs_mp_end(&r)) != 0) {
		fs_contribution_fini(&out);
		return (rv);
	}
	*c = out;
	return (FS_OK);
}

fs_err
fs_dim_parse(const char *s, fs_dim *d)
{
	for (int i = 0; i < FS_DIM_COUNT; i++) {
		if (strcmp(s, fs_dim_name((fs_dim) i)) == 0) {
			*d = (fs_dim) i;
			return (FS_OK);
		}
	}
	return (FS_ERR_MALFORMED);
}

const char *
fs_dim_name(fs_dim d)
{
	static const char *names[FS_DIM_COUNT]
	    = { "basic", "positive", "negative", "repair", "usage" };

	return (d < FS_DIM_COUNT ? names[d] : "?");
}
