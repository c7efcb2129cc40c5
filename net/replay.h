// SPDX-License-Identifier: Apache-2.0
//
// replay.h -- the replay cache of received envelopes.

#ifndef FS_NET_REPLAY_H
#define FS_NET_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/envelope.h"

// Replay cache: remembers (sender, nonce) pairs for as long as their
// envelopes could pass a clock-skew check of skew_ms.  capacity bounds the
// pairs per two skews.  Thread-safe.
typedef struct fs_replay fs_replay;
fs_err fs_replay_init(fs_replay **rp, size_t capacity, uint64_t skew_ms);
void   fs_replay_fini(fs_replay *r);
// fs_replay_check records env and fails with FS_ERR_REPLAYED if it was
// seen before, or FS_ERR_TOO_LARGE if the cache is full of live entries.
fs_err fs_replay_check(fs_replay *r, const fs_envelope *env, uint64_t now_ms);

#endif // FS_NET_REPLAY_H
