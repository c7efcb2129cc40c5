// SPDX-License-Identifier: Apache-2.0
//
// common.h -- plumbing every party shares: configuration files, SQLite
// databases and the daemon log.
//
// Design notes.
// * Configuration is INI-like text: "[type]" or "[type name]" sections of
//   "key = value" lines, '#' comments (whole lines, or after white space at
//   the end of a line).  Each party declares which keys a
//   section may hold; an unknown key is an error with its line number, so
//   a typo never silently falls back to a default.  Relative paths are
//   taken from the configuration file's directory.
// * Databases are SQLite in WAL mode with foreign keys on and a busy
//   timeout; each module passes its schema, applied in one transaction
//   when user_version is behind.
// * The log never receives tokens, keys or ID numbers: callers pass only
//   hashes, key ids and counts.

#ifndef FS_COMMON_H
#define FS_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "crypto.h"

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

// fs_conf_path returns the value of key as a path resolved against the
// configuration's directory, malloc'd, or NULL when absent.
char *fs_conf_path(const fs_conf *c, const fs_conf_section *s, const char *key);

// fs_conf_int parses key as an integer in [min, max]; def when absent.
fs_err fs_conf_int(const fs_conf *c, const fs_conf_section *s, const char *key,
    int64_t def, int64_t min, int64_t max, int64_t *out, char *why,
    size_t whycap);

// fs_conf_duration parses "500ms", "30s", "10m", "2h", "3d" into ms.
fs_err fs_parse_duration(const char *s, int64_t *ms);

// Databases.  A schema is created whole in a new file; an older file is
// brought to the current version by its upgrade steps, upgrade[v - 1]
// taking version v to v + 1, each in the same transaction as the version
// bump.  page_size (0: SQLite's default) applies to new files only.
typedef struct fs_db_schema {
	const char        *create;
	int                version;
	int                page_size;
	const char *const *upgrade;
} fs_db_schema;

fs_err fs_db_open_schema(sqlite3 **dbp, const char *path, const fs_db_schema *s,
    char *why, size_t whycap);
fs_err fs_db_open(sqlite3 **dbp, const char *path, const char *schema,
    int version, char *why, size_t whycap);
void   fs_db_close(sqlite3 *db);
// fs_db_exec runs SQL without results; fs_db_begin/commit/rollback wrap
// BEGIN IMMEDIATE transactions.
fs_err fs_db_exec(sqlite3 *db, const char *sql);
fs_err fs_db_begin(sqlite3 *db);
fs_err fs_db_commit(sqlite3 *db);
void   fs_db_rollback(sqlite3 *db);

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

// Daemons: block SIGINT and SIGTERM before starting any thread, then wait
// for one of them; returns the signal.
void fs_daemon_block_signals(void);
int  fs_daemon_wait(void);

// fs_hexid writes the first 8 bytes of a hash or key id as 16 hex
// characters, the way the log names things without revealing them.
void fs_hexid(char out[static 17], const uint8_t *bytes);

#endif // FS_COMMON_H
