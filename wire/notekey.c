// SPDX-License-Identifier: Apache-2.0
//
// notekey.c -- key names, key ids and the key strings of signed notes.
//
// The strings are those of Go's golang.org/x/mod/sumdb/note:
// "<name>+<8 hex digits of the key id>+<base64(type || key)>", with
// "PRIVATE+KEY+" before a signer key, whose key is the Ed25519 seed.  The
// key id in the string is checked against the one computed from the key.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/text.h"
#include "crypto/key.h"
#include "wire/notekey.h"

static const char pfx_private[] = "PRIVATE+KEY+";

bool
fsi_note_text_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *) s;
	uint32_t       c;
	size_t         n;

	for (size_t i = 0; i < len; i += n) {
		if ((n = fs_utf8_next(p + i, len - i, &c)) == 0
		    || (c < 0x20 && c != '\n')) {
			return (false);
		}
	}
	return (true);
}

// is_space: Unicode White_Space, as Go's unicode.IsSpace sees it.
static bool
is_space(uint32_t c)
{
	return ((c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0
	    || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028
	    || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000);
}

bool
fsi_note_name_chars(const char *name, size_t len)
{
	const uint8_t *p = (const uint8_t *) name;
	uint32_t       c;
	size_t         n;

	if (len == 0) {
		return (false);
	}
	for (size_t i = 0; i < len; i += n) {
		if ((n = fs_utf8_next(p + i, len - i, &c)) == 0 || c < 0x20
		    || c == '+' || is_space(c)) {
			return (false);
		}
	}
	return (true);
}

bool
fs_note_name_valid(const char *name, size_t len)
{
	return (len <= FS_NOTE_NAME_MAX && fsi_note_name_chars(name, len));
}

void
fsi_note_key_id(uint8_t id[static FS_NOTE_ID_BYTES], const char *name,
    size_t name_len, uint8_t type, const uint8_t pk[static FS_PK_BYTES])
{
	crypto_hash_sha256_state st;
	uint8_t                  h[crypto_hash_sha256_BYTES];
	const uint8_t            sep[2] = { '\n', type };

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *) name, name_len);
	crypto_hash_sha256_update(&st, sep, sizeof(sep));
	crypto_hash_sha256_update(&st, pk, FS_PK_BYTES);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, FS_NOTE_ID_BYTES);
}

static fs_err
verifier_init(fs_note_verifier *v, const char *name, size_t len, uint8_t type,
    const uint8_t pk[static FS_PK_BYTES])
{
	if (!fs_note_name_valid(name, len)) {
		return (FS_ERR_INVALID);
	}
	if (type != FS_NOTE_ED25519 && type != FS_NOTE_COSIG_V1) {
		return (FS_ERR_VERSION);
	}
	memset(v, 0, sizeof(*v));
	memcpy(v->name, name, len);
	v->type = type;
	memcpy(v->pk, pk, FS_PK_BYTES);
	fsi_note_key_id(v->id, name, len, type, pk);
	return (FS_OK);
}

fs_err
fs_note_verifier_init(fs_note_verifier *v, const char *name, uint8_t type,
    const uint8_t pk[static FS_PK_BYTES])
{
	fs_note_verifier t;
	fs_err           rv;

	if ((rv = verifier_init(&t, name, strlen(name), type, pk)) == FS_OK) {
		*v = t;
	}
	return (rv);
}

// split_key splits "<name>+<hex id>+<base64 key>" and decodes the id and
// the 33-byte key, type first.
static fs_err
split_key(const char *s, size_t len, const char **namep, size_t *name_lenp,
    uint8_t id[static FS_NOTE_ID_BYTES], uint8_t key[static 1 + FS_PK_BYTES])
{
	const char *plus1, *plus2;
	size_t      n;

	if ((plus1 = memchr(s, '+', len)) == NULL
	    || (plus2 = memchr(plus1 + 1, '+', len - (size_t) (plus1 + 1 - s)))
	        == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (!fs_note_name_valid(s, (size_t) (plus1 - s))) {
		return (FS_ERR_MALFORMED);
	}
	if (plus2 - plus1 - 1 != 2 * FS_NOTE_ID_BYTES
	    || sodium_hex2bin(id, FS_NOTE_ID_BYTES, plus1 + 1,
	           2 * FS_NOTE_ID_BYTES, NULL, &n, NULL)
	        != 0
	    || n != FS_NOTE_ID_BYTES) {
		return (FS_ERR_MALFORMED);
	}
	if (fs_b64std_decode(key, 1 + FS_PK_BYTES, &n, plus2 + 1,
	        len - (size_t) (plus2 + 1 - s))
	        != FS_OK
	    || n != 1 + FS_PK_BYTES) {
		return (FS_ERR_MALFORMED);
	}
	*namep     = s;
	*name_lenp = (size_t) (plus1 - s);
	return (FS_OK);
}

fs_err
fs_note_vkey_parse(fs_note_verifier *v, const char *s, size_t len)
{
	fs_note_verifier t;
	const char      *name;
	size_t           name_len;
	uint8_t          id[FS_NOTE_ID_BYTES], key[1 + FS_PK_BYTES];
	fs_err           rv;

	if ((rv = split_key(s, len, &name, &name_len, id, key)) != FS_OK
	    || (rv = verifier_init(&t, name, name_len, key[0], key + 1))
	        != FS_OK) {
		return (rv);
	}
	if (sodium_memcmp(id, t.id, FS_NOTE_ID_BYTES) != 0) {
		return (FS_ERR_WRONG_KEY);
	}
	*v = t;
	return (FS_OK);
}

// put_key writes "<name>+<hex id>+<base64(type || key)>" at out.
static void
put_key(char *out, const char *name, size_t name_len,
    const uint8_t id[static FS_NOTE_ID_BYTES], uint8_t type,
    const uint8_t key[static FS_PK_BYTES])
{
	uint8_t buf[1 + FS_PK_BYTES];

	memcpy(out, name, name_len);
	out += name_len;
	*out++ = '+';
	sodium_bin2hex(out, 2 * FS_NOTE_ID_BYTES + 1, id, FS_NOTE_ID_BYTES);
	out += 2 * FS_NOTE_ID_BYTES;
	*out++ = '+';
	buf[0] = type;
	memcpy(buf + 1, key, FS_PK_BYTES);
	fs_b64std_encode(out, buf, sizeof(buf));
	sodium_memzero(buf, sizeof(buf));
}

fs_err
fs_note_vkey_format(char *out, size_t cap, const fs_note_verifier *v)
{
	size_t n = strlen(v->name);

	if (cap < FS_NOTE_VKEY_LEN(n) + 1) {
		return (FS_ERR_TOO_LARGE);
	}
	put_key(out, v->name, n, v->id, v->type, v->pk);
	return (FS_OK);
}

fs_err
fs_note_skey_format(char *out, size_t cap, const char *name, const fs_key *k)
{
	size_t  n = strlen(name);
	uint8_t id[FS_NOTE_ID_BYTES];

	if (!fs_note_name_valid(name, n)) {
		return (FS_ERR_INVALID);
	}
	if (cap < FS_NOTE_SKEY_LEN(n) + 1) {
		return (FS_ERR_TOO_LARGE);
	}
	fsi_note_key_id(id, name, n, FS_NOTE_ED25519, fs_key_public(k)->pk);
	memcpy(out, pfx_private, sizeof(pfx_private) - 1);
	// The first half of libsodium's secret key is the seed.
	put_key(out + sizeof(pfx_private) - 1, name, n, id, FS_NOTE_ED25519,
	    fs_key_secret(k));
	return (FS_OK);
}

fs_err
fs_note_skey_parse(fs_key **kp, char name[static FS_NOTE_NAME_MAX + 1],
    const char *s, size_t len)
{
	const size_t pl = sizeof(pfx_private) - 1;
	const char  *nm;
	size_t       nm_len;
	uint8_t      id[FS_NOTE_ID_BYTES], want[FS_NOTE_ID_BYTES];
	uint8_t      key[1 + FS_PK_BYTES];
	fs_key      *k = NULL;
	fs_err       rv;

	if (len < pl || memcmp(s, pfx_private, pl) != 0) {
		return (FS_ERR_MALFORMED);
	}
	if ((rv = split_key(s + pl, len - pl, &nm, &nm_len, id, key))
	    != FS_OK) {
		goto out;
	}
	if (key[0] != FS_NOTE_ED25519) {
		rv = FS_ERR_VERSION;
		goto out;
	}
	if ((rv = fs_key_from_seed(&k, key + 1)) != FS_OK) {
		goto out;
	}
	fsi_note_key_id(
	    want, nm, nm_len, FS_NOTE_ED25519, fs_key_public(k)->pk);
	if (sodium_memcmp(id, want, FS_NOTE_ID_BYTES) != 0) {
		fs_key_free(k);
		rv = FS_ERR_WRONG_KEY;
		goto out;
	}
	memcpy(name, nm, nm_len);
	name[nm_len] = '\0';
	*kp          = k;
out:
	sodium_memzero(key, sizeof(key));
	return (rv);
}
