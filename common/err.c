// SPDX-License-Identifier: Apache-2.0
//
// err.c -- names and descriptions of fs_err, and telling one.

#include <stdarg.h>
#include <stddef.h>

#include <sodium.h>

#include <stdio.h>

#include "common/err.h"

static const struct {
	const char *name;
	const char *text;
} errs[FS_ERR_NUM] = {
	[FS_OK]            = { "ok", "success" },
	[FS_ERR_NOMEM]     = { "no-memory", "out of memory" },
	[FS_ERR_IO]        = { "io", "input/output error" },
	[FS_ERR_INVALID]   = { "invalid", "invalid argument" },
	[FS_ERR_MALFORMED] = { "malformed", "malformed input" },
	[FS_ERR_TRUNCATED] = { "truncated", "input is truncated" },
	[FS_ERR_TOO_LARGE] = { "too-large", "input exceeds its size limit" },
	[FS_ERR_TRAILING]  = { "trailing", "unexpected bytes after the end" },
	[FS_ERR_TYPE]      = { "type", "field has the wrong type" },
	[FS_ERR_VERSION]   = { "version", "unsupported version" },
	[FS_ERR_BAD_SIGNATURE]
	= { "bad-signature", "signature does not verify" },
	[FS_ERR_WRONG_KEY] = { "wrong-key", "made with another key" },
	[FS_ERR_DECRYPT]   = { "decrypt", "ciphertext does not decrypt" },
	[FS_ERR_CLOCK_SKEW]
	= { "clock-skew", "time is outside the allowed clock skew" },
	[FS_ERR_EXPIRED]       = { "expired", "expired" },
	[FS_ERR_NOT_YET_VALID] = { "not-yet-valid", "not yet valid" },
	[FS_ERR_REVOKED]       = { "revoked", "revoked" },
	[FS_ERR_REPLAYED]      = { "replayed", "replayed" },
	[FS_ERR_EXISTS] = { "exists", "already exists, refusing to overwrite" },
	[FS_ERR_NOT_FOUND]    = { "not-found", "not found" },
	[FS_ERR_PERMISSION]   = { "permission", "unsafe file permissions" },
	[FS_ERR_CRYPTO]       = { "crypto", "cryptographic operation failed" },
	[FS_ERR_TIMEOUT]      = { "timeout", "timed out" },
	[FS_ERR_TRANSPORT]    = { "transport", "transport failure" },
	[FS_ERR_UNREGISTERED] = { "unregistered", "sender is not registered" },
	[FS_ERR_REFUSED]      = { "refused", "refused" },
	[FS_ERR_WRONG_REGION] = { "wrong-region", "made for another region" },
	[FS_ERR_WRONG_AUDIENCE]
	= { "wrong-audience", "made for another requester" },
	[FS_ERR_PURPOSE]   = { "purpose", "purpose not allowed" },
	[FS_ERR_SCOPE]     = { "scope", "scope not allowed" },
	[FS_ERR_USED_UP]   = { "used-up", "consent has no uses left" },
	[FS_ERR_ID_NUMBER] = { "id-number", "invalid citizen ID number" },
	[FS_ERR_CONFIG]    = { "config", "invalid configuration" },
	[FS_ERR_UNBOUND] = { "unbound", "reply does not answer this request" },
	[FS_ERR_PROOF]   = { "proof", "proof does not verify" },
	[FS_ERR_FOOTER]  = { "footer", "token footer is not the one expected" },
	[FS_ERR_BAD_PROOF] = { "bad-proof", "Merkle proof does not verify" },
	[FS_ERR_WRONG_SUBJECT]
	= { "wrong-subject", "made for another subject" },
	[FS_ERR_STALE]      = { "stale", "state too old to decide safely" },
	[FS_ERR_INCOMPLETE] = { "incomplete", "too few parties answered" },
};

const char *
fs_strerror(fs_err err)
{
	if (err >= FS_ERR_NUM || errs[err].text == NULL) {
		return ("unknown error");
	}
	return (errs[err].text);
}

const char *
fs_err_name(fs_err err)
{
	if (err >= FS_ERR_NUM || errs[err].name == NULL) {
		return ("unknown");
	}
	return (errs[err].name);
}

fs_err
fs_why(char *why, size_t whycap, fs_err err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whycap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whycap, fmt, ap);
		va_end(ap);
	}
	return (err);
}

fs_err
fs_crypto_init(void)
{
	if (sodium_init() < 0) {
		return (FS_ERR_CRYPTO);
	}
	return (FS_OK);
}
