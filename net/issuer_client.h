// SPDX-License-Identifier: Apache-2.0
//
// issuer_client.h -- the client side of the issuer: pseudonyms and revocations.

#ifndef FS_NET_ISSUER_CLIENT_H
#define FS_NET_ISSUER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "wire/revocations.h"

#define FS_ISSUER_BATCH_MAX 4096

typedef struct fs_issuer_client fs_issuer_client;

typedef struct fs_issuer_peer {
	const char *url;
	fs_pubkey   key;                         // the issuer's Ed25519 key
	uint8_t     oprf[FS_OPRF_ELEMENT_BYTES]; // the issuer's OPRF key
	char        region[FS_NAME_MAX + 1];
} fs_issuer_peer;

// fs_issuer_peer_load reads the [issuer] section of a node's or the
// coordinator's configuration: url, key (k4.public file), oprf (public key
// file; nodes only) and region.  *urlp is malloc'd and peer->url points
// to it.
fs_err fs_issuer_peer_load(const fs_conf *conf, fs_issuer_peer *peer,
    char **urlp, char *why, size_t whycap);

fs_err fs_issuer_client_open(
    fs_issuer_client **cp, const fs_key *self, const fs_issuer_peer *peer);
void fs_issuer_client_close(fs_issuer_client *c);

// fs_issuer_pseudonyms computes y = OPRF(key, id) for n normalized ID
// numbers (n ≤ FS_ISSUER_BATCH_MAX), checking the issuer's proof; y gets
// n * FS_OPRF_OUTPUT_BYTES bytes.  why explains a refusal.
fs_err fs_issuer_pseudonyms(fs_issuer_client *c, const char *const *ids,
    size_t n, uint8_t *y, char *why, size_t whycap);

// fs_issuer_revocations fetches and verifies the current list.
fs_err fs_issuer_revocations(
    fs_issuer_client *c, fs_revlist *rl, char *why, size_t whycap);

#endif // FS_NET_ISSUER_CLIENT_H
