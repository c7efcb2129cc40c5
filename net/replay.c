// SPDX-License-Identifier: Apache-2.0
//
// replay.c -- a bounded cache of (sender, nonce) pairs.
//
// An envelope outside the clock-skew window is refused anyway, so a pair
// only needs remembering while its envelope could still pass that check.  Two
// generations of open addressing tables: new pairs go into the current one;
// once it is a window old, the older generation is cleared and becomes current.
// A pair is looked up in both.  Keys are a keyed hash, so a peer cannot aim its
// nonces at one bucket.  When a generation is three quarters full the
// cache refuses new pairs (fail closed) rather than forget old ones.

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/key.h"
#include "net/replay.h"
#include "wire/envelope.h"

#define TAG_BYTES 16

typedef struct gen {
	uint8_t (*tags)[TAG_BYTES]; // all-zero = empty
	size_t   used;
	uint64_t start;
} gen;

struct fs_replay {
	pthread_mutex_t mtx;
	gen             g[2];
	int             cur;
	size_t          mask;
	uint64_t        window;
	uint8_t         key[crypto_generichash_KEYBYTES];
};

fs_err
fs_replay_init(fs_replay **rp, size_t capacity, uint64_t skew_ms)
{
	fs_replay *r;
	size_t     n = 16;

	while (n < capacity + capacity / 3 + 1) {
		n <<= 1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	r->g[0].tags = calloc(n, TAG_BYTES);
	r->g[1].tags = calloc(n, TAG_BYTES);
	if (r->g[0].tags == NULL || r->g[1].tags == NULL) {
		fs_replay_fini(r);
		return (FS_ERR_NOMEM);
	}
	pthread_mutex_init(&r->mtx, NULL);
	r->mask = n - 1;
	// An envelope stamped up to skew ahead of its arrival passes the
	// skew check for up to two skews after it: a generation lives that
	// long as current and as long again as the older one.
	r->window = 2 * skew_ms;
	randombytes_buf(r->key, sizeof(r->key));
	*rp = r;
	return (FS_OK);
}

void
fs_replay_fini(fs_replay *r)
{
	if (r == NULL) {
		return;
	}
	if (r->g[0].tags != NULL && r->g[1].tags != NULL) {
		pthread_mutex_destroy(&r->mtx);
	}
	free(r->g[0].tags);
	free(r->g[1].tags);
	free(r);
}

// find returns the slot holding tag, or the empty slot where it would go.
static uint8_t *
find(const fs_replay *r, const gen *g, const uint8_t tag[TAG_BYTES])
{
	static const uint8_t zero[TAG_BYTES];
	uint64_t             h;

	memcpy(&h, tag, sizeof(h));
	for (size_t i = 0;; i++) {
		uint8_t *s = g->tags[(h + i) & r->mask];

		if (memcmp(s, zero, TAG_BYTES) == 0
		    || sodium_memcmp(s, tag, TAG_BYTES) == 0) {
			return (s);
		}
	}
}

fs_err
fs_replay_check(fs_replay *r, const fs_envelope *env, uint64_t now_ms)
{
	crypto_generichash_state st;
	uint8_t                  tag[TAG_BYTES];
	uint8_t                 *s;
	gen                     *g;
	fs_err                   rv = FS_OK;

	crypto_generichash_init(&st, r->key, sizeof(r->key), sizeof(tag));
	crypto_generichash_update(&st, env->sender, FS_KID_BYTES);
	crypto_generichash_update(&st, env->nonce, FS_ENV_NONCE_BYTES);
	crypto_generichash_final(&st, tag, sizeof(tag));
	// An all-zero tag marks an empty slot: no real tag may be zero.
	tag[0] |= 1;

	pthread_mutex_lock(&r->mtx);
	g = &r->g[r->cur];
	if (now_ms >= g->start + r->window) {
		r->cur = !r->cur;
		g      = &r->g[r->cur];
		memset(g->tags, 0, (r->mask + 1) * TAG_BYTES);
		g->used  = 0;
		g->start = now_ms;
	}
	if (sodium_memcmp(find(r, &r->g[!r->cur], tag), tag, TAG_BYTES) == 0) {
		rv = FS_ERR_REPLAYED;
	} else if (g->used + 1 > (r->mask + 1) * 3 / 4) {
		rv = FS_ERR_TOO_LARGE;
	} else if (sodium_memcmp(s = find(r, g, tag), tag, TAG_BYTES) == 0) {
		rv = FS_ERR_REPLAYED;
	} else {
		memcpy(s, tag, TAG_BYTES);
		g->used++;
	}
	pthread_mutex_unlock(&r->mtx);
	return (rv);
}
