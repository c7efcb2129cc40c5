// SPDX-License-Identifier: Apache-2.0
//
// noteimpl.h -- internals shared by note.c and checkpoint.c.  Must not be
// exposed to other modules: include wire/note.h there.  Functions here take
// the prefix fsi_ (fedscore internal), never fs_.
//
// A parsed note owns one NUL-terminated copy of the message; names point
// into it, decoded signatures into one arena beside it.

#ifndef FS_WIRE_NOTEIMPL_H
#define FS_WIRE_NOTEIMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "wire/note.h"

// "— ": U+2014 EM DASH in UTF-8, then a space.
#define NOTE_SIG_PREFIX     "\xe2\x80\x94 "
#define NOTE_SIG_PREFIX_LEN 4
// The header of the message a cosignature signs, and its longest time
// line: "time " and 19 digits (2^63 - 1) and "\n".
#define COSIG_HEADER   "cosignature/v1\n"
#define COSIG_TIME_MAX (5 + 19 + 1)

struct note_sig {
	const char    *name;
	size_t         name_len;
	uint8_t        id[FS_NOTE_ID_BYTES];
	const uint8_t *sig; // after the key id
	size_t         sig_len;
};

struct fs_note {
	char           *msg;
	size_t          msg_len;
	size_t          text_len; // the text is msg[0, text_len)
	uint8_t        *arena;
	size_t          nsigs;
	struct note_sig sigs[FS_NOTE_SIGS_MAX];
};

// fsi_note_text_valid: valid UTF-8 with no control character but "\n".
bool fsi_note_text_valid(const char *s, size_t len);

// fsi_note_name_chars: a non-empty name without Unicode spaces, '+' or
// control characters, of any length.
bool fsi_note_name_chars(const char *name, size_t len);

// fsi_note_key_id computes the key id of a name, type and public key.
void fsi_note_key_id(uint8_t id[static FS_NOTE_ID_BYTES], const char *name,
    size_t name_len, uint8_t type, const uint8_t pk[static FS_PK_BYTES]);

// fsi_note_sig_check verifies one signature line made by v, a known key; for
// a cosignature it stores the time in *tp.
fs_err fsi_note_sig_check(const fs_note *n, const struct note_sig *s,
    const fs_note_verifier *v, uint64_t *tp);

// fsi_note_sig_matches reports whether the line names v's name and id.
bool fsi_note_sig_matches(const struct note_sig *s, const fs_note_verifier *v);

// fsi_note_append_sig returns a copy of msg (len bytes), then a blank
// line if blank is set, then one signature line for name, id and the
// signature bytes, NUL-terminated, for the caller to free().
fs_err fsi_note_append_sig(char **outp, size_t *lenp, const char *msg,
    size_t len, bool blank, const char *name,
    const uint8_t id[static FS_NOTE_ID_BYTES], const uint8_t *sig,
    size_t sig_len);

#endif // FS_WIRE_NOTEIMPL_H
