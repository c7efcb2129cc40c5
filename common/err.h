// SPDX-License-Identifier: Apache-2.0
//
// err.h -- the error enum every module shares, its names and descriptions.
//
// Functions return an fs_err; out-parameters are written only on success.

#ifndef FS_COMMON_ERR_H
#define FS_COMMON_ERR_H

#include <stdio.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum fs_err {
	FS_OK = 0,
	FS_ERR_NOMEM,          // out of memory
	FS_ERR_IO,             // read or write failed; see errno
	FS_ERR_INVALID,        // invalid argument from the caller
	FS_ERR_MALFORMED,      // input does not follow its format
	FS_ERR_TRUNCATED,      // input ends before its format says it must
	FS_ERR_TOO_LARGE,      // input exceeds a size bound
	FS_ERR_TRAILING,       // bytes left after a complete object
	FS_ERR_TYPE,           // a field has another type than expected
	FS_ERR_VERSION,        // unknown or unsupported version
	FS_ERR_BAD_SIGNATURE,  // signature does not verify
	FS_ERR_WRONG_KEY,      // signed or addressed with another key
	FS_ERR_DECRYPT,        // ciphertext does not open
	FS_ERR_CLOCK_SKEW,     // message time too far from ours
	FS_ERR_EXPIRED,        // past its expiry
	FS_ERR_NOT_YET_VALID,  // before its start of validity
	FS_ERR_REVOKED,        // revoked
	FS_ERR_REPLAYED,       // seen before
	FS_ERR_EXISTS,         // refusing to overwrite
	FS_ERR_NOT_FOUND,      // no such file, key or record
	FS_ERR_PERMISSION,     // file permissions are unsafe
	FS_ERR_CRYPTO,         // a primitive failed (e.g. identity point)
	FS_ERR_TIMEOUT,        // peer did not answer in time
	FS_ERR_TRANSPORT,      // network failure
	FS_ERR_UNREGISTERED,   // sender is not registered with us
	FS_ERR_REFUSED,        // peer refused the request
	FS_ERR_WRONG_REGION,   // token for another region
	FS_ERR_WRONG_AUDIENCE, // token for another requester
	FS_ERR_PURPOSE,        // purpose not allowed
	FS_ERR_SCOPE,          // scope not allowed or unknown
	FS_ERR_USED_UP,        // consent has no uses left
	FS_ERR_ID_NUMBER,      // invalid citizen ID number
	FS_ERR_CONFIG,         // configuration file is wrong
	FS_ERR_UNBOUND,        // reply does not answer our request
	FS_ERR_PROOF,          // a zero-knowledge proof does not verify
	FS_ERR_FOOTER,         // token footer is not the one expected
	FS_ERR_BAD_PROOF,      // Merkle proof does not verify
	FS_ERR_WRONG_SUBJECT,  // token for another subject than asked about
	FS_ERR_STALE,          // our state is too old to decide (fail closed)
	FS_ERR_INCOMPLETE,     // too few parties answered to decide
	FS_ERR_NUM             // not an error: the count
} fs_err;

// fs_strerror returns a static, human-readable description of err.
const char *fs_strerror(fs_err err);

// fs_err_name returns the stable symbolic name of err ("bad-signature"),
// used on the wire and in machine-readable output.
const char *fs_err_name(fs_err err);

// fs_why writes an explanation of err into why, formatted as printf does
// (nothing when why is NULL or whycap 0), and returns err, so that a
// failure is told and returned in one statement.
fs_err fs_why(char *why, size_t whycap, fs_err err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif // FS_COMMON_ERR_H
