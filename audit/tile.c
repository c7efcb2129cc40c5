// SPDX-License-Identifier: Apache-2.0
//
// tile.c -- C2SP tlog-tiles as an auditor reads them, and the
// verification core: every entry hashed and compared with the log's hash
// tile, the tree recomputed from the entries alone.
//
// Tile indexes are written in groups of three digits, every group but
// the last prefixed with "x": tile 1234067 is "x001/x234/067".  Entries
// are added to an fs_merkle_state, which costs one leaf hash and, on
// average, one node hash per entry, in constant memory; no hash the log
// stored above level 0 is trusted or needed.

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "common/err.h"
#include "crypto/merkle.h"

fs_err
fs_tile_path(
    char out[static FS_TILE_PATH_MAX], int level, uint64_t n, unsigned w)
{
	char   digits[32];
	size_t nd, pos = 0;
	int    k;

	if (level < FS_TILE_ENTRIES || level > 9 || w < 1
	    || w > FS_TILE_WIDTH) {
		return (FS_ERR_INVALID);
	}
	if (level == FS_TILE_ENTRIES) {
		pos = (size_t) snprintf(out, FS_TILE_PATH_MAX, "tile/entries/");
	} else {
		pos = (size_t) snprintf(
		    out, FS_TILE_PATH_MAX, "tile/%d/", level);
	}
	nd = (size_t) snprintf(
	    digits, sizeof(digits), "%llu", (unsigned long long) n);
	// Pad to a multiple of three digits.
	k = (int) ((3 - nd % 3) % 3);
	for (size_t i = 0; i < nd + (size_t) k; i++) {
		char d = i < (size_t) k ? '0' : digits[i - (size_t) k];

		if (i % 3 == 0 && i + 3 < nd + (size_t) k) {
			out[pos++] = 'x';
		}
		out[pos++] = d;
		if (i % 3 == 2 && i + 1 < nd + (size_t) k) {
			out[pos++] = '/';
		}
	}
	out[pos] = '\0';
	if (w < FS_TILE_WIDTH) {
		snprintf(out + pos, FS_TILE_PATH_MAX - pos, ".p/%u", w);
	}
	return (FS_OK);
}

fs_err
fs_bundle_parse(fs_bundle_entry *out, size_t cap, size_t *np,
    const uint8_t *buf, size_t len)
{
	size_t pos = 0, n = 0;

	while (pos < len) {
		size_t elen;

		if (len - pos < 2) {
			return (FS_ERR_TRUNCATED);
		}
		elen = ((size_t) buf[pos] << 8) | buf[pos + 1];
		if (len - pos - 2 < elen) {
			return (FS_ERR_TRUNCATED);
		}
		if (n == cap) {
			return (FS_ERR_TRAILING);
		}
		out[n].data = buf + pos + 2;
		out[n].len  = elen;
		n++;
		pos += 2 + elen;
	}
	*np = n;
	return (FS_OK);
}

fs_err
fs_hashtile_check(size_t n, const uint8_t *buf, size_t len)
{
	(void) buf;
	if (n > SIZE_MAX / FS_MERKLE_HASH_BYTES
	    || len < n * FS_MERKLE_HASH_BYTES) {
		return (FS_ERR_TRUNCATED);
	}
	if (len > n * FS_MERKLE_HASH_BYTES) {
		return (FS_ERR_TRAILING);
	}
	return (FS_OK);
}

void
fs_audit_tree_init(fs_audit_tree *t, uint64_t old_size)
{
	fs_merkle_state_init(&t->st);
	t->old_size = old_size;
	t->have_old = false;
	if (old_size == 0) {
		fs_merkle_empty_root(t->old_root);
		t->have_old = true;
	}
}

fs_err
fs_audit_tree_add(fs_audit_tree *t, const fs_bundle_entry *e,
    const uint8_t *hashes, size_t n, uint64_t *bad)
{
	uint8_t leaf[FS_MERKLE_HASH_BYTES];
	fs_err  rv;

	for (size_t i = 0; i < n; i++) {
		fs_merkle_leaf_hash(leaf, e[i].data, e[i].len);
		if (sodium_memcmp(leaf, hashes + i * FS_MERKLE_HASH_BYTES,
		        FS_MERKLE_HASH_BYTES)
		    != 0) {
			*bad = t->st.size;
			return (FS_ERR_BAD_PROOF);
		}
		if ((rv = fs_merkle_state_append(&t->st, leaf, NULL, NULL))
		    != FS_OK) {
			return (rv);
		}
		if (t->st.size == t->old_size) {
			fs_merkle_state_root(&t->st, t->old_root);
			t->have_old = true;
		}
	}
	return (FS_OK);
}

void
fs_audit_tree_root(
    const fs_audit_tree *t, uint8_t root[static FS_MERKLE_HASH_BYTES])
{
	fs_merkle_state_root(&t->st, root);
}
