// SPDX-License-Identifier: Apache-2.0
//
// witness.c -- the body of WITNESS: [note: str, old_size: uint,
// proof: [bin(32) ...]].  The reply, COSIGNATURE, is [line: str].

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/err.h"
#include "wire/mp.h"
#include "wire/witness.h"

fs_err
fs_witness_encode(const fs_witness_req *w, uint8_t **outp, size_t *outlenp)
{
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	int             bad = 0;

	if (w->note_len > FS_WITNESS_NOTE_MAX
	    || w->nproof > FS_WITNESS_PROOF_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bad |= msgpack_pack_array(&pk, 3);
	bad |= msgpack_pack_str_with_body(&pk, w->note, w->note_len);
	bad |= msgpack_pack_uint64(&pk, w->old_size);
	bad |= msgpack_pack_array(&pk, (uint32_t) w->nproof);
	for (size_t i = 0; i < w->nproof; i++) {
		bad |= msgpack_pack_bin_with_body(&pk, w->proof[i], 32);
	}
	return (fs_mp_finish(&sb, bad, 0, outp, outlenp));
}

fs_err
fs_witness_decode(fs_witness_req *w, const uint8_t *buf, size_t len)
{
	fs_witness_req out;
	fs_mp          r;
	uint32_t       n;
	fs_err         rv;

	memset(&out, 0, sizeof(out));
	fs_mp_init(&r, buf, len);
	if ((rv = fs_mp_array_of(&r, 3)) != 0
	    || (rv = fs_mp_str(
	            &r, &out.note, &out.note_len, FS_WITNESS_NOTE_MAX))
	        != 0
	    || (rv = fs_mp_uint(&r, &out.old_size)) != 0
	    || (rv = fs_mp_array(&r, &n)) != 0) {
		return (rv);
	}
	if (n > FS_WITNESS_PROOF_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	for (uint32_t i = 0; i < n; i++) {
		if ((rv = fs_mp_bin_fixed(&r, out.proof[i], 32)) != 0) {
			return (rv);
		}
	}
	out.nproof = n;
	if ((rv = fs_mp_end(&r)) != 0) {
		return (rv);
	}
	*w = out;
	return (FS_OK);
}
