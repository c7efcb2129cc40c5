// SPDX-License-Identifier: Apache-2.0
//
// node.h -- a department node: its published rules, its records of
// pseudonymized citizens, disputes and repairs, and the daemon that answers a
// coordinator's consented lookups with one signed, sealed contribution.
//
// Design notes.
// * No ID number is stored in clear.  ID numbers are pseudonymized
//   through the issuer (blinded, batched, proven) and remembered in a
//   cache keyed by the ID hash, BLAKE2b(key = a per-node secret kept in a
//   0600 file, normalized ID), so that a stolen database alone cannot be
//   searched by ID number; a record names its citizen by that ID hash.
// * Imports are all-or-nothing: the whole file is checked first, before
//   the issuer is asked anything, and then written in one transaction.
//   Every error names "file:LINE: expected ..., found ...".
// * Scoring is a pure function over one subject's records (fs_score), so
//   that the rules of the policies (validity, repair, disputes, one
//   behavior one score) are tested without a database.
// * Rules are versioned by a hash of their canonical content; every
//   version is kept and the last one imported is current.
// * Dates are days since 1970-01-01 in China's time (UTC+8).
// * The daemon checks the coordinator's envelope AND the consent token
//   itself, counts the token's uses durably, and logs every release.  It
//   fails closed when its revocation list is older than a configured age.

#ifndef FS_NODE_H
#define FS_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "crypto/oprf.h"
#include "wire/lookup.h"
#include "wire/revocations.h"

#define FS_NODE_CODE_MAX           32  // rule code, bytes
#define FS_NODE_RULE_NAME_MAX      256 // rule name, bytes of UTF-8
#define FS_NODE_RID_MAX            64  // record id, bytes
#define FS_NODE_REF_MAX            256 // event reference, bytes of UTF-8
#define FS_NODE_REASON_MAX         1024
#define FS_NODE_VALID_DAYS_DEFAULT 1095 // 3 years (Yuxi art. 10)
#define FS_NODE_VALID_DAYS_MAX     36500
#define FS_NODE_POINTS_MAX         1000 // the scale (CZ 10, SM 16)
#define FS_NODE_FLAG_DAYS          3    // working days (CZ 26)
#define FS_NODE_CHECK_DAYS         15   // working days (CZ 26)

// CSV, RFC 4180, strict: UTF-8 (a leading byte-order mark is skipped),
// records end with LF or CRLF (the last one may end the file), fields
// quoted with '"' may hold commas, '""' and line breaks, and nothing may
// follow a closing quote but a comma or the end of the record.  Control
// characters other than TAB (and line breaks inside quotes), a quote
// inside an unquoted field, an empty line, and sizes past the bounds
// below are errors.  Fields are returned unquoted and NUL-terminated.
#define FS_CSV_FIELDS_MAX 16
#define FS_CSV_FIELD_MAX  1024
#define FS_CSV_RECORD_MAX 8192

typedef struct fs_csv fs_csv;

// fs_csv_open_file reads path, in blocks; name is what messages call it
// (NULL: the path).  fs_csv_open_mem reads len bytes of buf, which must
// outlive the reader.
fs_err fs_csv_open_file(
    fs_csv **rp, const char *path, const char *name, char *why, size_t whycap);
fs_err fs_csv_open_mem(
    fs_csv **rp, const char *buf, size_t len, const char *name);
void fs_csv_close(fs_csv *r);

// fs_csv_next reads the next record into *nfields (0 at the end of the
// input).  On failure why says "name:LINE: expected ..., found ...".
fs_err fs_csv_next(fs_csv *r, size_t *nfields, char *why, size_t whycap);
// The i-th field of the last record read, and its length (may be NULL).
const char *fs_csv_field(const fs_csv *r, size_t i, size_t *lenp);
// The line on which the last record read starts (1 is the first).
long        fs_csv_line(const fs_csv *r);
const char *fs_csv_name(const fs_csv *r);
// fs_csv_malformed says in why "name:LINE: " of the last record read and
// then the message, for a record the caller refuses; it returns
// FS_ERR_MALFORMED.
fs_err fs_csv_malformed(const fs_csv *r, char *why, size_t whycap,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
// Bytes consumed so far, and the input's size when known (else 0).
uint64_t fs_csv_offset(const fs_csv *r);
uint64_t fs_csv_size(const fs_csv *r);

// Dates: days since 1970-01-01.  fs_date_parse takes exactly YYYY-MM-DD
// of a day that exists, years 1900..2999.
typedef int32_t fs_day;
#define FS_DATE_LEN 10

fs_err fs_date_parse(fs_day *d, const char *s, size_t len);
void   fs_date_format(char out[static FS_DATE_LEN + 1], fs_day d);
// fs_today is the date at Unix time now in China (UTC+8).
fs_day fs_today(int64_t now);

// Working days: Monday to Friday, less the holidays of a holiday file,
// plus its make-up working days on weekends (调休).  One date a line:
// "YYYY-MM-DD" a holiday, "YYYY-MM-DD work" a weekend day worked; '#'
// comments and blank lines allowed.
typedef struct fs_holidays {
	fs_day *days; // holidays, sorted
	size_t  n;
	fs_day *work; // make-up working days, sorted
	size_t  nwork;
} fs_holidays;

fs_err fs_holidays_load(
    fs_holidays *h, const char *path, char *why, size_t whycap);
void fs_holidays_fini(fs_holidays *h);
bool fs_workday(const fs_holidays *h, fs_day d);
// fs_workdays_add returns the n-th working day after from (n >= 1).
fs_day fs_workdays_add(const fs_holidays *h, fs_day from, int n);

// fs_event_ref_normalize writes the form of an official event reference
// that every department hashes alike: full-width ASCII forms (U+FF01..
// U+FF5E) become ASCII, 〔〕 become (), white space (ASCII and U+3000) is
// removed and ASCII letters are upper-cased.  out needs len + 1 bytes;
// the input must be valid UTF-8 (FS_ERR_MALFORMED otherwise).
fs_err fs_event_ref_normalize(
    char *out, size_t *outlen, const char *in, size_t len);

// Rules.
typedef struct fs_rule {
	char    code[FS_NODE_CODE_MAX + 1];
	char    name[FS_NODE_RULE_NAME_MAX + 1];
	fs_dim  dim;
	int32_t points;
	int32_t valid_days;
	int32_t repair_bonus;
	bool    severe;
	bool    shared; // other departments may report the same behavior
} fs_rule;

typedef struct fs_ruleset {
	char     version[FS_VERSION_MAX + 1];
	fs_rule *rules; // sorted by code
	size_t   n;
} fs_ruleset;

void           fs_ruleset_fini(fs_ruleset *rs);
const fs_rule *fs_ruleset_find(const fs_ruleset *rs, const char *code);

// fs_rules_parse reads a rules CSV (header code,name,dimension,points,
// valid_days,severe,shared,repair_bonus) into rs, with its version, a
// hash of its canonical content.  Empty valid_days take default_days.
fs_err fs_rules_parse(
    fs_ruleset *rs, fs_csv *r, int32_t default_days, char *why, size_t whycap);

// A record as scoring sees it.
typedef enum fs_dispute_state {
	FS_DISPUTE_NONE = 0,
	FS_DISPUTE_UPHELD,    // checked: the record stands
	FS_DISPUTE_CORRECTED, // checked: corrected to points, or withdrawn
} fs_dispute_state;

typedef enum fs_record_status {
	FS_REC_COUNTED = 0,
	FS_REC_REPAIRED,     // counts only as the rule's repair bonus
	FS_REC_DUPLICATE,    // the same behavior counted by another record
	FS_REC_EXPIRED,      // past its validity
	FS_REC_NOT_YET,      // occurs after today
	FS_REC_WITHDRAWN,    // corrected after a dispute to nothing
	FS_REC_UNKNOWN_CODE, // its code is not in the current rules
} fs_record_status;

const char *fs_record_status_name(fs_record_status s);

typedef struct fs_node_record {
	char             record_id[FS_NODE_RID_MAX + 1];
	char             code[FS_NODE_CODE_MAX + 1];
	char             event_ref[FS_NODE_REF_MAX + 1]; // "" when none
	fs_day           occurred_on;
	fs_day           valid_until; // 0: from the rule
	bool             has_behavior_key;
	uint8_t          behavior_key[FS_PSEUDONYM_BYTES];
	bool             repaired;
	fs_day           repaired_on;
	bool             disputed; // a dispute is open
	fs_dispute_state dispute;  // outcome of the last checked dispute
	bool             has_corrected_points;
	int32_t          corrected_points;
	// Written by fs_score:
	fs_record_status status;
	fs_dim           dim;
	int64_t          points; // what it adds, when it counts
	fs_day           until;  // the end of validity used
} fs_node_record;

// fs_score computes the contribution of one subject's records on day
// today, and each record's status.  c->rules_version is rs->version.
fs_err fs_score(const fs_ruleset *rs, fs_node_record *recs, size_t n,
    fs_day today, fs_contribution *c);

// The node.
typedef struct fs_node fs_node;

// fs_node_open reads the configuration ([node] and [issuer] sections),
// the node's key, the ID-hash key (created on first use) and the
// database (created on first use).
fs_err fs_node_open(fs_node **np, const char *conf, char *why, size_t whycap);
void   fs_node_close(fs_node *n);

// fs_node_rules_import makes the rules of path the current version.
// *changed is false when they equal the current version already.
fs_err fs_node_rules_import(fs_node *n, const char *path,
    char version[static FS_VERSION_MAX + 1], bool *changed, char *why,
    size_t whycap);

typedef struct fs_import_stats {
	uint64_t records;   // lines of records in the file
	uint64_t inserted;  // new record ids
	uint64_t updated;   // record ids imported before
	uint64_t evaluated; // ID numbers pseudonymized through the issuer
	uint64_t cached;    // ID numbers found in the cache (not bulk)
	bool     bulk;      // a large import, which reads the cache only
	                    // for the citizens it does not hold
	bool reindexed;     // a bulk import of mostly new records, which
	                    // sorted the records by citizen anew
} fs_import_stats;

// Progress: phase "checking", "writing", "indexing", "matching" or
// "pseudonymizing", bytes (or steps) done of total.
typedef void (*fs_progress_fn)(
    void *arg, const char *phase, uint64_t done, uint64_t total);

fs_err fs_node_records_import(fs_node *n, const char *path,
    fs_progress_fn progress, void *arg, fs_import_stats *st, char *why,
    size_t whycap);

// fs_node_cache_put remembers y = OPRF(issuer key, id) for count
// normalized ID numbers (y holds count * FS_OPRF_OUTPUT_BYTES), in one
// transaction, as evaluations through the issuer would; for restoring a
// cache, tests and benchmarks.
fs_err fs_node_cache_put(
    fs_node *n, const char *const *ids, const uint8_t *y, size_t count);

// fs_node_subject finds the subject pseudonym of an ID number: in the
// cache, else through the issuer.  *known tells whether the cache had
// it (if not, the node holds no records on it).
fs_err fs_node_subject(fs_node *n, const char *idnum,
    uint8_t subject[static FS_PSEUDONYM_BYTES], bool *known, char *why,
    size_t whycap);

// fs_node_records_of returns the subject's records (malloc'd, scored on
// today) and the contribution the node would give.
fs_err fs_node_records_of(fs_node *n,
    const uint8_t subject[static FS_PSEUDONYM_BYTES], fs_day today,
    fs_node_record **recsp, size_t *np, fs_contribution *c, char *why,
    size_t whycap);

// fs_node_contribution computes what the node releases on a subject.
fs_err fs_node_contribution(fs_node *n,
    const uint8_t subject[static FS_PSEUDONYM_BYTES], fs_day today,
    fs_contribution *c);

// Disputes (Changzhou art. 26): flagged by opening, due to be flagged 3
// and checked 15 working days after receipt.
typedef struct fs_dispute_info {
	int64_t id;
	char    record_id[FS_NODE_RID_MAX + 1];
	char    reason[FS_NODE_REASON_MAX + 1];
	fs_day  received_on;
	fs_day  opened_on; // flagged on
	fs_day  flag_due;
	fs_day  check_due;
} fs_dispute_info;

fs_err fs_node_dispute_open(fs_node *n, const char *rid, const char *reason,
    fs_day received, fs_day today, fs_dispute_info *out, char *why,
    size_t whycap);
// points: NULL for --upheld, or when a corrected record is withdrawn.
fs_err fs_node_dispute_resolve(fs_node *n, const char *rid, bool corrected,
    const int32_t *points, fs_day today, char *why, size_t whycap);
fs_err fs_node_disputes(fs_node *n, bool overdue, fs_day today,
    fs_dispute_info **listp, size_t *np, char *why, size_t whycap);

// Repair (Changzhou art. 27, Yuxi art. 23) of a negative record on date.
fs_err fs_node_repair(fs_node *n, const char *rid, fs_day date, fs_day today,
    char *why, size_t whycap);

// The daemon.  fs_node_answer answers one request as the daemon does
// (a reply is always made: a contribution or a signed error);
// fs_node_set_revocations installs a verified revocation list fetched at
// fetched_ms.  fs_node_serve runs until SIGINT or SIGTERM.
void fs_node_answer(fs_node *n, const uint8_t *req, size_t len, uint8_t **repp,
    size_t *replenp);
fs_err fs_node_set_revocations(
    fs_node *n, const fs_revlist *rl, uint64_t fetched_ms);
fs_err fs_node_serve(fs_node *n, char *why, size_t whycap);

// fs_node_releases_export writes the release log to out as JSON lines
// for auditors (docs/log.md): time_ms, receipt (the hash of the reply
// envelope the coordinator lists), jti_hash, requester, purpose,
// request_hash, contribution_hash.  With checkpoint not NULL it also
// returns, for the caller to free(), the node's signed C2SP checkpoint of
// the log's Merkle tree at exactly the lines written.
fs_err fs_node_releases_export(fs_node *n, FILE *out, uint64_t *count,
    char **checkpoint, char *why, size_t whycap);

#endif // FS_NODE_H
