// SPDX-License-Identifier: Apache-2.0
//
// issuerimpl.h -- internals shared by the files of issuer/.  Must not be
// exposed to other modules: they use issuer.h.

#ifndef FS_ISSUERIMPL_H
#define FS_ISSUERIMPL_H

#include <sqlite3.h>

#include <pthread.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "issuer/issuer.h"
#include "net/replay.h"
#include "wire/revocations.h"

#define PURPOSES_MAX 32

struct fs_issuer {
	fs_conf        *conf;
	char            name[FS_NAME_MAX + 1];   // the iss claim
	char            region[FS_NAME_MAX + 1]; // implicit assertion
	char           *listen;
	fs_key         *key;
	fs_oprf_key    *oprf;
	sqlite3        *db;
	pthread_mutex_t mtx; // one writer at a time on db
	fs_replay      *replay;
	int64_t         max_batch;
	int64_t         skew_ms;
	size_t          npurposes;
	char            purposes[PURPOSES_MAX][FS_NAME_MAX + 1];
};

// store.c
fs_err issuer_store_open(
    fs_issuer *iss, const char *path, char *why, size_t whycap);
fs_err issuer_store_party(fs_issuer *iss,
    const uint8_t kid[static FS_KID_BYTES], fs_pubkey *pub, fs_role *role,
    char name[static FS_NAME_MAX + 1]);
fs_err issuer_store_log_eval(
    fs_issuer *iss, const uint8_t kid[static FS_KID_BYTES], size_t count);
fs_err issuer_store_revlist(fs_issuer *iss, fs_revlist *rl);

#endif // FS_ISSUERIMPL_H
