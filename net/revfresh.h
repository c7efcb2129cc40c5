// SPDX-License-Identifier: Apache-2.0
//
// revfresh.h -- keeping a party's copy of the issuer's revocation list
// fresh, and the one rule for when it is too old to act on.
//
// A party (a node, the coordinator) fetches the signed list from the
// issuer once before it serves and then every refresh_ms on a thread of
// its own; each verified list is handed to the party's install function,
// which keeps it (and may store it) and refuses one older than its own.
// When the issuer cannot be reached the party keeps its last list; past
// max_age_ms since the last successful fetch it fails closed: no consent
// is acted on, because a revoked consent must not keep working while the
// issuer is unreachable.  Both are configured per party
// (revocation_refresh, revocation_max_age).

#ifndef FS_NET_REVFRESH_H
#define FS_NET_REVFRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "net/issuer_client.h"
#include "wire/revocations.h"

#define FS_REVOCATION_REFRESH_DEFAULT_MS 5000
#define FS_REVOCATION_MAX_AGE_DEFAULT_MS (2 * 60 * 1000)

// fs_revfresh_install keeps a verified list fetched at fetched_ms; it
// returns FS_ERR_REPLAYED for a list older than the one it holds.
typedef fs_err (*fs_revfresh_install)(
    void *arg, const fs_revlist *rl, uint64_t fetched_ms);

typedef struct fs_revfresh_conf {
	const char           *who; // the party, for the log
	const fs_key         *key; // the party's identity, to the issuer
	const fs_issuer_peer *issuer;
	int64_t               refresh_ms;
	int64_t               max_age_ms; // for the log's words only
	fs_revfresh_install   install;
	void                 *arg;
} fs_revfresh_conf;

typedef struct fs_revfresh fs_revfresh;

// fs_revfresh_start fetches the list once (a failure is logged, not
// returned: the party then refuses consents until a fetch succeeds) and
// starts the thread.  conf and what it points to must outlive it.
fs_err fs_revfresh_start(
    fs_revfresh **rp, const fs_revfresh_conf *conf, char *why, size_t whycap);
// fs_revfresh_stop stops the thread and waits for it; NULL is a no-op.
void fs_revfresh_stop(fs_revfresh *r);

// fs_revocations_fresh is the one staleness rule: FS_OK when a list is
// held and was fetched at most max_age_ms before now, else FS_ERR_STALE
// with why saying which.
fs_err fs_revocations_fresh(bool have, uint64_t fetched_ms, int64_t max_age_ms,
    uint64_t now_ms, char *why, size_t whycap);

#endif // FS_NET_REVFRESH_H
