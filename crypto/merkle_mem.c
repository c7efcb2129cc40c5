// SPDX-License-Identifier: Apache-2.0
//
// merkle_mem.c -- every permanent hash of a Merkle tree, in memory.
//
// One growing array per level: level l holds the complete subtrees of 2^l
// leaves, in order, so (level, index) is an array index.  The appends come
// from fs_merkle_state_append's put callback, which is how a store on disk
// would be fed too.

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/merkle.h"

struct fs_merkle_mem {
	fs_merkle_state state;
	struct level {
		uint8_t (*hash)[FS_MERKLE_HASH_BYTES];
		uint64_t n;
		uint64_t cap;
	} level[FS_MERKLE_LEVELS];
};

fs_err
fs_merkle_mem_create(fs_merkle_mem **mp)
{
	fs_merkle_mem *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	fs_merkle_state_init(&m->state);
	*mp = m;
	return (FS_OK);
}

void
fs_merkle_mem_free(fs_merkle_mem *m)
{
	if (m == NULL) {
		return;
	}
	for (unsigned l = 0; l < FS_MERKLE_LEVELS; l++) {
		free(m->level[l].hash);
	}
	free(m);
}

// reserve makes room for one more hash at every level the next append
// can touch, so that the put callback cannot fail halfway.
static fs_err
reserve(fs_merkle_mem *m)
{
	uint64_t n = m->state.size;

	for (unsigned l = 0; l < FS_MERKLE_LEVELS; l++) {
		struct level *lv = &m->level[l];
		void         *p;
		uint64_t      cap;

		if (lv->n == lv->cap) {
			cap = lv->cap == 0 ? 16 : lv->cap * 2;
			if (cap > SIZE_MAX / FS_MERKLE_HASH_BYTES
			    || (p = realloc(
			            lv->hash, cap * FS_MERKLE_HASH_BYTES))
			        == NULL) {
				return (FS_ERR_NOMEM);
			}
			lv->hash = p;
			lv->cap  = cap;
		}
		if ((n & ((uint64_t) 1 << l)) == 0) {
			break;
		}
	}
	return (FS_OK);
}

static fs_err
mem_put(void *arg, uint64_t level, uint64_t index,
    const uint8_t hash[FS_MERKLE_HASH_BYTES])
{
	struct level *lv = &((fs_merkle_mem *) arg)->level[level];

	if (index != lv->n || lv->n == lv->cap) {
		return (FS_ERR_INVALID); // a bug: appends come in order
	}
	memcpy(lv->hash[lv->n++], hash, FS_MERKLE_HASH_BYTES);
	return (FS_OK);
}

fs_err
fs_merkle_mem_append(
    fs_merkle_mem *m, const uint8_t leaf[static FS_MERKLE_HASH_BYTES])
{
	fs_err rv;

	if ((rv = reserve(m)) != FS_OK) {
		return (rv);
	}
	return (fs_merkle_state_append(&m->state, leaf, mem_put, m));
}

uint64_t
fs_merkle_mem_size(const fs_merkle_mem *m)
{
	return (m->state.size);
}

void
fs_merkle_mem_root(
    const fs_merkle_mem *m, uint8_t root[static FS_MERKLE_HASH_BYTES])
{
	fs_merkle_state_root(&m->state, root);
}

fs_err
fs_merkle_mem_get(void *arg, uint64_t level, uint64_t index,
    uint8_t out[FS_MERKLE_HASH_BYTES])
{
	const fs_merkle_mem *m = arg;

	if (level >= FS_MERKLE_LEVELS || index >= m->level[level].n) {
		return (FS_ERR_NOT_FOUND);
	}
	memcpy(out, m->level[level].hash[index], FS_MERKLE_HASH_BYTES);
	return (FS_OK);
}
