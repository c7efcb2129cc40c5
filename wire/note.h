// SPDX-License-Identifier: Apache-2.0
//
// note.h -- C2SP signed notes, tlog checkpoints and cosignatures.

#ifndef FS_WIRE_NOTE_H
#define FS_WIRE_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/notekey.h"

// Signed notes (C2SP signed-note), tlog checkpoints (C2SP tlog-checkpoint)
// and witness cosignatures (C2SP tlog-cosignature, Ed25519 "cosignature/v1").
//
// Design notes.
// * A note is a text ending in "\n", a blank line, and signature lines
//   "— <name> <base64(key id || signature)>\n" (U+2014, standard base64).
//   The key id is the first 4 bytes of SHA-256(name || "\n" || type ||
//   public key), type 0x01 for a log's Ed25519 signature over the text,
//   0x04 for a witness cosignature.  The formats are those of Go's
//   golang.org/x/mod/sumdb/note, so its verifiers accept our notes.
// * Parsing is bounded (FS_NOTE_MAX bytes, text at most FS_NOTE_TEXT_MAX,
//   at most FS_NOTE_SIGS_MAX signatures) and strict: valid UTF-8 without
//   control characters but newline, names without Unicode spaces or '+',
//   canonical base64.
// * Verification follows the spec: signatures by unknown keys (name and
//   id not both known) are ignored; every signature by a known key must
//   verify, even a repeated one, or the note is refused with
//   FS_ERR_BAD_SIGNATURE; a note with no signature by a known key is
//   refused with FS_ERR_WRONG_KEY.
// * A cosignature signs "cosignature/v1\ntime <t>\n" followed by the
//   checkpoint text, and carries the 8-byte big-endian time t before the
//   64-byte signature.  It commits to the text, not to the witness name:
//   one key per witness.

#define FS_NOTE_TEXT_MAX (1u << 20)
#define FS_NOTE_MAX      (2u << 20)
#define FS_NOTE_SIGS_MAX 100
#define FS_NOTE_TIME_MAX INT64_MAX

// fs_note_sign signs text (which must end in "\n") with k under name, and
// returns the signed note, NUL-terminated, in *outp for the caller to
// free().
fs_err fs_note_sign(char **outp, size_t *lenp, const char *text, size_t len,
    const char *name, const fs_key *k);

// A parsed note: its text and signature lines, not yet verified.
typedef struct fs_note fs_note;

fs_err      fs_note_parse(fs_note **np, const char *msg, size_t len);
void        fs_note_free(fs_note *n);
const char *fs_note_text(const fs_note *n, size_t *lenp);
size_t      fs_note_sig_count(const fs_note *n);
// fs_note_verify checks n against nkeys known keys as the spec says (see
// the design notes).  verified, if not NULL, has nkeys entries and is set
// to which keys signed.
fs_err fs_note_verify(const fs_note *n, const fs_note_verifier *keys,
    size_t nkeys, bool *verified);
// fs_note_open parses and verifies in one step.
fs_err fs_note_open(fs_note **np, const char *msg, size_t len,
    const fs_note_verifier *keys, size_t nkeys);

// A checkpoint body.  origin and ext point into the text it was parsed
// from; ext holds the extension lines, each ending in "\n", or is empty.
typedef struct fs_checkpoint {
	const char *origin;
	size_t      origin_len;
	uint64_t    size;
	uint8_t     root[FS_MERKLE_HASH_BYTES];
	const char *ext;
	size_t      ext_len;
} fs_checkpoint;

// fs_checkpoint_format returns "<origin>\n<size>\n<base64 root>\n<ext>",
// NUL-terminated, in *outp for the caller to free().  ext may be NULL.
fs_err fs_checkpoint_format(char **outp, size_t *lenp, const char *origin,
    uint64_t size, const uint8_t root[static FS_MERKLE_HASH_BYTES],
    const char *ext, size_t ext_len);
fs_err fs_checkpoint_parse(fs_checkpoint *cp, const char *text, size_t len);

// fs_cosig_sign appends k's cosignature, made at time t (seconds since
// the epoch), to a signed note whose text is a checkpoint.  It does not
// check the log's signature or consistency: that is the witness's job
// before it cosigns.
fs_err fs_cosig_sign(char **outp, size_t *lenp, const char *note, size_t len,
    const char *name, const fs_key *k, uint64_t t);
// fs_cosig_verify finds the cosignature by witness (a FS_NOTE_COSIG_V1
// key) in n: FS_ERR_NOT_FOUND if there is none, FS_ERR_BAD_SIGNATURE if
// one does not verify, else the time of the first in *tp.
fs_err fs_cosig_verify(
    uint64_t *tp, const fs_note *n, const fs_note_verifier *witness);

#endif // FS_WIRE_NOTE_H
