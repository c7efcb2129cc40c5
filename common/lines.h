// SPDX-License-Identifier: Apache-2.0
//
// lines.h -- a bounded reader of files of lines.

#ifndef FS_COMMON_LINES_H
#define FS_COMMON_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// Files of lines: exports of full records, node release logs.
// A line is at most max bytes, its newline not counted; a longer one
// stops the reading with an error naming the file and the line.  Lines
// are read EXACT (every line ends in a newline, the bytes before it are
// the line, as a log hashes them) or as TEXT (JSON lines: a trailing CR
// is dropped as well, blank lines are skipped, the last line may lack its
// newline).  fs_lines_next gives the next line, NUL-terminated,
// until the next call; false at the end of the file or on an error, which
// fs_lines_close returns (FS_OK at the end) with why saying which.
// fs_lines_number is the number of the line last given, from 1.
// FS_AUDIT_LINE_MAX bounds a line of an export: a record's entry
// (FS_ENTRY_MAX bytes, at most 6 times that as a JSON string) and token.
#define FS_AUDIT_LINE_MAX (1u << 20)
typedef enum fs_lines_mode {
	FS_LINES_EXACT,
	FS_LINES_TEXT,
} fs_lines_mode;
typedef struct fs_lines fs_lines;

fs_err   fs_lines_open(fs_lines **lp, const char *path, size_t max,
      fs_lines_mode mode, char *why, size_t whycap);
bool     fs_lines_next(fs_lines *l, char **linep, size_t *lenp);
uint64_t fs_lines_number(const fs_lines *l);
fs_err   fs_lines_close(fs_lines *l);

// fs_lines_each reads the file at path as fs_lines_open does and calls
// fn with each line, its length and its number, until fn fails.  It
// returns fn's failure, else the reader's (with why saying which), else
// FS_OK.
fs_err fs_lines_each(const char *path, size_t max, fs_lines_mode mode,
    fs_err (*fn)(void *arg, char *line, size_t len, uint64_t lineno), void *arg,
    char *why, size_t whycap);

#endif // FS_COMMON_LINES_H
