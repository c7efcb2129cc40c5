// SPDX-License-Identifier: Apache-2.0
//
// b64.c -- strict base64url without padding, and standard base64 with
// padding, on libsodium's codec.

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <string.h>

#include "common/b64.h"
#include "common/err.h"

size_t
fs_b64_encoded_len(size_t binlen)
{
	return ((binlen * 4 + 2) / 3);
}

size_t
fs_b64std_encoded_len(size_t binlen)
{
	return ((binlen + 2) / 3 * 4);
}

// encode writes the encoding of bin and a terminator: for both variants
// sodium_base64_ENCODED_LEN() is the encoded length above, plus one.
static void
encode(char *out, const uint8_t *bin, size_t binlen, int variant)
{
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(binlen, variant), bin,
	    binlen, variant);
}

void
fs_b64_encode(char *out, const uint8_t *bin, size_t binlen)
{
	encode(out, bin, binlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
fs_b64std_encode(char *out, const uint8_t *bin, size_t binlen)
{
	encode(out, bin, binlen, sodium_base64_VARIANT_ORIGINAL);
}

// decode decodes all len characters of in, or fails as malformed.
// libsodium refuses missing or extra padding and non-zero trailing bits,
// and stops at the first character outside the alphabet.
static fs_err
decode(uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len,
    int variant)
{
	const char *end;
	size_t      n;

	if (sodium_base642bin(out, maxlen, in, len, NULL, &n, &end, variant)
	        != 0
	    || end != in + len) {
		return (FS_ERR_MALFORMED);
	}
	*outlen = n;
	return (FS_OK);
}

fs_err
fs_b64_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len)
{
	// Base64 of any length leaves 0, 2 or 3 characters in the last
	// quantum; one is never valid.
	if (len % 4 == 1) {
		return (FS_ERR_MALFORMED);
	}
	if ((len * 3) / 4 > maxlen) {
		return (FS_ERR_TOO_LARGE);
	}
	return (decode(out, maxlen, outlen, in, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING));
}

fs_err
fs_b64std_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len)
{
	// Padded base64 comes in whole quanta.
	if (len % 4 != 0) {
		return (FS_ERR_MALFORMED);
	}
	if (len / 4 * 3 > maxlen + 2) {
		return (FS_ERR_TOO_LARGE);
	}
	return (decode(
	    out, maxlen, outlen, in, len, sodium_base64_VARIANT_ORIGINAL));
}
