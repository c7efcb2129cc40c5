// SPDX-License-Identifier: Apache-2.0
//
// lines.c -- reading files of lines, such as those an auditor is given: exports
// of full disclosure records and node release logs.  One reader for all of
// them, so that each says the same thing about a file it cannot read: the
// file and the line, and what was expected there.
//
// A line is read into a buffer that grows up to the bound the caller
// gives, never past it: a file of one endless line is refused at that
// line, not read into memory.  The lines of an export carry consent
// tokens, subjects and salts, so the buffer is wiped before it is freed.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/lines.h"

#define FIRST_CAP 4096

struct fs_lines {
	FILE         *f;
	const char   *path;
	fs_lines_mode mode;
	size_t        max;
	char         *buf;
	size_t        cap;
	uint64_t      lineno;
	fs_err        err;
	char         *why;
	size_t        whycap;
};

fs_err
fs_lines_open(fs_lines **lp, const char *path, size_t max, fs_lines_mode mode,
    char *why, size_t whycap)
{
	fs_lines *l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((l->f = fopen(path, "r")) == NULL) {
		snprintf(
		    why, whycap, "%s: cannot open: %s", path, strerror(errno));
		free(l);
		return (FS_ERR_IO);
	}
	l->path   = path;
	l->mode   = mode;
	l->max    = max;
	l->why    = why;
	l->whycap = whycap;
	*lp       = l;
	return (FS_OK);
}

// grow makes room for a line of at least cap - 1 bytes, moving what was
// read and wiping the old buffer.
static bool
grow(fs_lines *l)
{
	size_t cap = l->cap == 0 ? FIRST_CAP : l->cap * 2;
	char  *nb;

	if (cap > l->max + 1) {
		cap = l->max + 1;
	}
	if ((nb = malloc(cap)) == NULL) {
		l->err = FS_ERR_NOMEM;
		return (false);
	}
	if (l->buf != NULL) {
		memcpy(nb, l->buf, l->cap);
		sodium_memzero(l->buf, l->cap);
		free(l->buf);
	}
	l->buf = nb;
	l->cap = cap;
	return (true);
}

// read_line reads one line, its newline dropped, into l->buf: false at
// the end of the file or on an error (l->err).
static bool
read_line(fs_lines *l, size_t *lenp, bool *newline)
{
	size_t n = 0;
	int    c;

	while ((c = getc_unlocked(l->f)) != EOF && c != '\n') {
		if (n == l->max) {
			snprintf(l->why, l->whycap,
			    "%s:%llu: expected a line of at most %zu bytes, "
			    "found a longer one",
			    l->path, (unsigned long long) l->lineno + 1,
			    l->max);
			l->err = FS_ERR_MALFORMED;
			return (false);
		}
		if (n + 1 >= l->cap && !grow(l)) {
			return (false);
		}
		l->buf[n++] = (char) c;
	}
	if (ferror(l->f)) {
		snprintf(l->why, l->whycap, "%s:%llu: cannot read: %s", l->path,
		    (unsigned long long) l->lineno + 1, strerror(errno));
		l->err = FS_ERR_IO;
		return (false);
	}
	if (c == EOF && n == 0) {
		return (false);
	}
	if (l->cap == 0 && !grow(l)) {
		return (false);
	}
	l->buf[n] = '\0';
	l->lineno++;
	*lenp    = n;
	*newline = c == '\n';
	return (true);
}

bool
fs_lines_next(fs_lines *l, char **linep, size_t *lenp)
{
	size_t len;
	bool   newline;

	while (l->err == FS_OK && read_line(l, &len, &newline)) {
		if (l->mode == FS_LINES_EXACT && !newline) {
			snprintf(l->why, l->whycap,
			    "%s:%llu: expected a line ending in a newline, "
			    "found the end of the file",
			    l->path, (unsigned long long) l->lineno);
			l->err = FS_ERR_MALFORMED;
			return (false);
		}
		if (l->mode == FS_LINES_TEXT) {
			while (len > 0 && l->buf[len - 1] == '\r') {
				l->buf[--len] = '\0';
			}
			if (len == 0) {
				continue;
			}
		}
		*linep = l->buf;
		*lenp  = len;
		return (true);
	}
	return (false);
}

uint64_t
fs_lines_number(const fs_lines *l)
{
	return (l->lineno);
}

fs_err
fs_lines_close(fs_lines *l)
{
	fs_err rv;

	if (l == NULL) {
		return (FS_OK);
	}
	rv = l->err;
	if (l->buf != NULL) {
		sodium_memzero(l->buf, l->cap);
		free(l->buf);
	}
	fclose(l->f);
	free(l);
	return (rv);
}

fs_err
fs_lines_each(const char *path, size_t max, fs_lines_mode mode,
    fs_err (*fn)(void *arg, char *line, size_t len, uint64_t lineno), void *arg,
    char *why, size_t whycap)
{
	fs_lines *l;
	char     *line;
	size_t    len;
	fs_err    rv, end;

	if ((rv = fs_lines_open(&l, path, max, mode, why, whycap)) != FS_OK) {
		return (rv);
	}
	while (rv == FS_OK && fs_lines_next(l, &line, &len)) {
		rv = fn(arg, line, len, fs_lines_number(l));
	}
	if ((end = fs_lines_close(l)) != FS_OK && rv == FS_OK) {
		rv = end;
	}
	return (rv);
}
