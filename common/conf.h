// SPDX-License-Identifier: Apache-2.0
//
// conf.h -- INI-like configuration files, checked key by key.
//
// * Configuration is INI-like text: "[type]" or "[type name]" sections of
//   "key = value" lines, '#' comments (whole lines, or after white space at
//   the end of a line).  Each party declares which keys a
//   section may hold; an unknown key is an error with its line number, so
//   a typo never silently falls back to a default.  Relative paths are
//   taken from the configuration file's directory.

#ifndef FS_COMMON_CONF_H
#define FS_COMMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define FS_CONF_MAX (1 << 20)
#define FS_WHY_MAX  512

typedef struct fs_conf_entry {
	char *key;
	char *value;
	int   line;
} fs_conf_entry;

typedef struct fs_conf_section {
	char          *type;
	char          *name; // NULL for "[type]"
	int            line;
	fs_conf_entry *entries;
	size_t         n;
} fs_conf_section;

typedef struct fs_conf {
	char            *path;
	char            *dir;
	fs_conf_section *sections;
	size_t           n;
} fs_conf;

// fs_conf_parse parses text; path names it in messages.  On failure why
// says "path:line: expected ..., found ...".
fs_err fs_conf_parse(fs_conf **cp, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
fs_err fs_conf_load(fs_conf **cp, const char *path, char *why, size_t whycap);
// fs_conf_read reads the file at path into a new buffer, at most max
// bytes and one more, so that its parser can tell it is too long.
fs_err fs_conf_read(const char *path, size_t max, char **bufp, size_t *lenp,
    char *why, size_t whycap);
void   fs_conf_free(fs_conf *c);

// fs_conf_section_find returns the first section of type (and name, if
// not NULL), or NULL.
const fs_conf_section *fs_conf_section_find(
    const fs_conf *c, const char *type, const char *name);

// fs_conf_check fails with FS_ERR_CONFIG when a section holds a key not in
// the NULL-terminated allowed list, or lacks one of required.
fs_err fs_conf_check(const fs_conf *c, const fs_conf_section *s,
    const char *const *allowed, const char *const *required, char *why,
    size_t whycap);

const char *fs_conf_get(const fs_conf_section *s, const char *key);

// fs_conf_word_ok accepts what section types and names and keys are
// made of: 1 to 64 letters, digits, '_', '-' or '.'.
bool fs_conf_word_ok(const char *s, size_t n);

// fs_conf_path returns the value of key as a path resolved against the
// configuration's directory, malloc'd, or NULL when absent.
char *fs_conf_path(const fs_conf *c, const fs_conf_section *s, const char *key);

// fs_conf_int parses key as an integer in [min, max]; def when absent.
fs_err fs_conf_int(const fs_conf *c, const fs_conf_section *s, const char *key,
    int64_t def, int64_t min, int64_t max, int64_t *out, char *why,
    size_t whycap);

// fs_conf_duration parses key as a duration longer than zero
// (fs_parse_duration), in milliseconds; def when absent.
fs_err fs_conf_duration(const fs_conf *c, const fs_conf_section *s,
    const char *key, int64_t def, int64_t *out, char *why, size_t whycap);

// fs_conf_words appends the words of v, separated by spaces or commas,
// to a table of at most max rows of stride bytes at out, NUL-terminated,
// *np counting the rows filled.  A word that does not fit in a row, or
// one more than max, is FS_ERR_CONFIG.
fs_err fs_conf_words(
    char *out, size_t stride, size_t max, size_t *np, const char *v);
// fs_conf_words_has tells whether word is one of the n rows of such a
// table.
bool fs_conf_words_has(
    const char *table, size_t stride, size_t n, const char *word);

// fs_conf_duration parses "500ms", "30s", "10m", "2h", "3d" into ms.
fs_err fs_parse_duration(const char *s, int64_t *ms);

#endif // FS_COMMON_CONF_H
