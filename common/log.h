// SPDX-License-Identifier: Apache-2.0
//
// log.h -- the daemon log.
//
// * The log never receives tokens, keys or ID numbers: callers pass only
//   hashes, key ids and counts.

#ifndef FS_COMMON_LOG_H
#define FS_COMMON_LOG_H

#include <stdio.h>

#include <stdint.h>

// The daemon log: one line per event on stderr, with UTC time and level.
typedef enum fs_log_level {
	FS_LOG_ERROR,
	FS_LOG_WARN,
	FS_LOG_INFO,
	FS_LOG_DEBUG,
} fs_log_level;

void fs_log_set_level(fs_log_level level);
void fs_log(fs_log_level level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// fs_hexid writes the first 8 bytes of a hash or key id as 16 hex
// characters, the way the log names things without revealing them.
void fs_hexid(char out[static 17], const uint8_t *bytes);

#endif // FS_COMMON_LOG_H
