// SPDX-License-Identifier: Apache-2.0
//
// witness.h -- the witness request: a checkpoint to cosign and its proof.

#ifndef FS_WIRE_WITNESS_H
#define FS_WIRE_WITNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// Witnessing.  After signing a checkpoint the coordinator sends it to
// every node with a consistency proof from the last checkpoint that node
// cosigned; a node that finds the log consistent with what it saw before
// answers with its C2SP tlog-cosignature/v1 line.
#define FS_WITNESS_NOTE_MAX  8192
#define FS_WITNESS_PROOF_MAX 64

typedef struct fs_witness_req {
	const char *note; // the signed checkpoint (points into the body)
	size_t      note_len;
	uint64_t    old_size; // the size the proof starts from; 0: none
	size_t      nproof;
	uint8_t     proof[FS_WITNESS_PROOF_MAX][32];
} fs_witness_req;

fs_err fs_witness_encode(
    const fs_witness_req *w, uint8_t **outp, size_t *outlenp);
fs_err fs_witness_decode(fs_witness_req *w, const uint8_t *buf, size_t len);

#endif // FS_WIRE_WITNESS_H
