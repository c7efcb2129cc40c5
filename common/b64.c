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

void
fs_b64_encode(char *out, const uint8_t *bin, size_t binlen)
{
	// sodium_base64_ENCODED_LEN() for this variant is exactly
	// fs_b64_encoded_len() + 1, the terminator included.
	sodium_bin2base64(out, fs_b64_encoded_len(binlen) + 1, bin, binlen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

fs_err
fs_b64_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len)
{
	const char *end;
	size_t      n;

	// Base64 of any length leaves 0, 2 or 3 characters in the last
	// quantum; one is never valid.
	if (len % 4 == 1) {
		return (FS_ERR_MALFORMED);
	}
	if ((len * 3) / 4 > maxlen) {
		return (FS_ERR_TOO_LARGE);
	}
	if (sodium_base642bin(out, maxlen, in, len, NULL, &n, &end,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING)
	        != 0
	    || end != in + len) {
		return (FS_ERR_MALFORMED);
	}
	*outlen = n;
	return (FS_OK);
}

size_t
fs_b64std_encoded_len(size_t binlen)
{
	return ((binlen + 2) / 3 * 4);
}

void
fs_b64std_encode(char *out, const uint8_t *bin, size_t binlen)
{
	sodium_bin2base64(out, fs_b64std_encoded_len(binlen) + 1, bin, binlen,
	    sodium_base64_VARIANT_ORIGINAL);
}

fs_err
fs_b64std_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len)
{
	const char *end;
	size_t      n;

	// Padded base64 comes in whole quanta.
	if (len % 4 != 0) {
		return (FS_ERR_MALFORMED);
	}
	if (len / 4 * 3 > maxlen + 2) {
		return (FS_ERR_TOO_LARGE);
	}
	// libsodium refuses missing or extra padding and non-zero trailing
	// bits, and stops at the first character outside the alphabet.
	if (sodium_base642bin(out, maxlen, in, len, NULL, &n, &end,
	        sodium_base64_VARIANT_ORIGINAL)
	        != 0
	    || end != in + len) {
		return (FS_ERR_MALFORMED);
	}
	*outlen = n;
	return (FS_OK);
}
