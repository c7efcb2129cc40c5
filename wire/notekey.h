// SPDX-License-Identifier: Apache-2.0
//
// notekey.h -- the keys of C2SP signed notes: key names, key ids,
// signature types, verifier and signer key strings (notekey.c).  Signed
// notes themselves are in note.h.

#ifndef FS_WIRE_NOTEKEY_H
#define FS_WIRE_NOTEKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"

#define FS_NOTE_NAME_MAX 255
#define FS_NOTE_ID_BYTES 4
#define FS_NOTE_ED25519  0x01 // signature type: Ed25519 over the text
#define FS_NOTE_COSIG_V1 0x04 // signature type: timestamped cosignature
// Lengths of key strings for a name of n bytes, without the NUL.
#define FS_NOTE_VKEY_LEN(n) ((n) + 54)      // name+%08x+base64(33)
#define FS_NOTE_SKEY_LEN(n) ((n) + 12 + 54) // PRIVATE+KEY+ then the same

// A verifier key: a name, a signature type and an Ed25519 public key.
typedef struct fs_note_verifier {
	char    name[FS_NOTE_NAME_MAX + 1];
	uint8_t type; // FS_NOTE_ED25519 or FS_NOTE_COSIG_V1
	uint8_t id[FS_NOTE_ID_BYTES];
	uint8_t pk[FS_PK_BYTES];
} fs_note_verifier;

// fs_note_name_valid reports whether name (len bytes) is a valid key name
// of at most FS_NOTE_NAME_MAX bytes.
bool   fs_note_name_valid(const char *name, size_t len);
fs_err fs_note_verifier_init(fs_note_verifier *v, const char *name,
    uint8_t type, const uint8_t pk[static FS_PK_BYTES]);
// Verifier key strings "<name>+<hex id>+<base64(type || pk)>", for either
// type.  fs_note_vkey_format needs FS_NOTE_VKEY_LEN(strlen(name)) + 1
// bytes in out.
fs_err fs_note_vkey_parse(fs_note_verifier *v, const char *s, size_t len);
fs_err fs_note_vkey_format(char *out, size_t cap, const fs_note_verifier *v);
// Signer key strings "PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>",
// as Go's note.NewSigner reads them.  The string is a secret: wipe it with
// sodium_memzero.  The parser writes the name into name.
fs_err fs_note_skey_format(
    char *out, size_t cap, const char *name, const fs_key *k);
fs_err fs_note_skey_parse(fs_key **kp, char name[static FS_NOTE_NAME_MAX + 1],
    const char *s, size_t len);

#endif // FS_WIRE_NOTEKEY_H
