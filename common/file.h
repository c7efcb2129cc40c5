// SPDX-License-Identifier: Apache-2.0
//
// file.h -- the small files that hold keys and seeds: read whole without
// following a symbolic link, with a secret file's mode checked, and
// created exclusively, synced, never replacing one.  Every key and seed
// file of every party goes through these two functions.

#ifndef FS_COMMON_FILE_H
#define FS_COMMON_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include "common/err.h"

// fs_file_read reads the file at path into buf, at most cap - 1 bytes,
// NUL-terminated, and stores its length in *lenp.  A link is refused
// (FS_ERR_IO), a missing file is FS_ERR_NOT_FOUND, a longer one
// FS_ERR_TOO_LARGE.  When secret, a file that group or others may
// access is refused with FS_ERR_PERMISSION before a byte is read.  buf
// is the caller's to guard (sodium_malloc) and wipe.
fs_err fs_file_read(
    const char *path, bool secret, char *buf, size_t cap, size_t *lenp);

// fs_file_create creates path with mode (0600 for a secret) and writes
// len bytes, synced to disk before it returns.  An existing file is
// never replaced (FS_ERR_EXISTS); a failed write leaves no file.
fs_err fs_file_create(
    const char *path, mode_t mode, const void *data, size_t len);

#endif // FS_COMMON_FILE_H
