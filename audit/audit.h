// SPDX-License-Identifier: Apache-2.0
//
// audit.h -- what a privacy auditor, a node and a citizen check of the
// coordinator's disclosure log: its signed checkpoints and witness
// cosignatures, its tiles against the checkpoint's root, consistency
// with the checkpoint verified before, every full disclosure record
// against its log entry and its consent token, node releases against
// disclosures, and unusual patterns of use.
//
// Design notes.
// * The log is read as C2SP tlog-tiles serves it: entry bundles and
//   level-0 hash tiles of FS_TILE_WIDTH entries, and a signed checkpoint.
//   The auditor hashes every entry, compares it with the hash tile and
//   recomputes the root itself; it trusts nothing the log says but what
//   the coordinator's key signed.  Parsers take bytes and a length and
//   are strict: a bundle that ends inside an entry or holds more than it
//   should is refused, not repaired.
// * Findings are collected in an fs_audit_report, one line each, naming
//   what is wrong and where (the entry index, the tile, the witness), so
//   that a command prints them and exits 1 on any.  Functions return an
//   fs_err for what stops them (I/O, a malformed file); findings alone
//   are not errors, except that fs_audit_verify returns
//   FS_ERR_BAD_PROOF when it found any.
// * The state kept between runs is the signed checkpoint verified last,
//   as the log served it; it is written (atomically) only after a run
//   without findings.
// * No function here logs or prints tokens, subjects or salts: reports
//   name entries by index and tokens by the hash the log holds.

#ifndef FS_AUDIT_H
#define FS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/note.h"
#include "wire/revocations.h"
#include "wire/token.h"

// Tiles (C2SP tlog-tiles): tile/<L>/<N>[.p/<W>] holds the hashes at tree
// level 8L, tile/entries/<N>[.p/<W>] the entries, FS_TILE_WIDTH per full
// tile, W < FS_TILE_WIDTH in the partial tile at the right edge.
#define FS_TILE_HEIGHT   8
#define FS_TILE_WIDTH    256
#define FS_TILE_ENTRIES  (-1) // the level of entry bundles
#define FS_TILE_PATH_MAX 96
#define FS_ENTRY_MAX     65535 // an entry's length is 16 bits

// fs_tile_path writes the path of tile n of level (or FS_TILE_ENTRIES)
// with w entries (w == FS_TILE_WIDTH: a full tile), e.g.
// "tile/entries/x001/234.p/5".  out needs FS_TILE_PATH_MAX bytes.
fs_err fs_tile_path(
    char out[static FS_TILE_PATH_MAX], int level, uint64_t n, unsigned w);

typedef struct fs_bundle_entry {
	const uint8_t *data; // points into the bundle
	size_t         len;
} fs_bundle_entry;

// fs_bundle_parse splits an entry bundle (each entry a 16-bit big-endian
// length and that many bytes) into at most cap entries, and stores how
// many in *np.  A bundle that ends inside an entry is FS_ERR_TRUNCATED;
// more than cap entries is FS_ERR_TRAILING.
fs_err fs_bundle_parse(fs_bundle_entry *out, size_t cap, size_t *np,
    const uint8_t *buf, size_t len);

// fs_hashtile_check checks that a hash tile holds exactly n hashes:
// FS_ERR_TRUNCATED when shorter, FS_ERR_TRAILING when longer or not a
// whole number of hashes.
fs_err fs_hashtile_check(size_t n, const uint8_t *buf, size_t len);

// The verification core: entries in log order, each checked against the
// hash tile, and the tree recomputed from them.  old_size, when not 0,
// is the size of the checkpoint verified before: the root of that many
// first entries is kept to compare with it.
typedef struct fs_audit_tree {
	fs_merkle_state st;
	uint64_t        old_size;
	bool            have_old;
	uint8_t         old_root[FS_MERKLE_HASH_BYTES];
} fs_audit_tree;

void fs_audit_tree_init(fs_audit_tree *t, uint64_t old_size);
// fs_audit_tree_add appends n entries whose leaf hashes must equal the n
// hashes (n * 32 bytes): on the first that differs it stops with
// FS_ERR_BAD_PROOF and stores its index in the log in *bad.
fs_err fs_audit_tree_add(fs_audit_tree *t, const fs_bundle_entry *e,
    const uint8_t *hashes, size_t n, uint64_t *bad);
void   fs_audit_tree_root(
      const fs_audit_tree *t, uint8_t root[static FS_MERKLE_HASH_BYTES]);

// A report: lines of information and findings, in order.
typedef struct fs_audit_line {
	bool  finding;
	char *text;
} fs_audit_line;

typedef struct fs_audit_report {
	fs_audit_line *lines;
	size_t         n, cap;
	size_t         findings;
} fs_audit_report;

void fs_audit_report_init(fs_audit_report *r);
void fs_audit_report_fini(fs_audit_report *r);
void fs_audit_info(fs_audit_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fs_audit_finding(fs_audit_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Checkpoints.  fs_audit_checkpoint_open parses a signed checkpoint and
// checks the coordinator's signature under the checkpoint's own origin
// (the note key name a log signs with is its origin); when origin is not
// NULL the checkpoint must name that one.  *np keeps the note, which
// cp's strings point into; why says what is wrong.
fs_err fs_audit_checkpoint_open(fs_note **np, fs_checkpoint *cp,
    const char *msg, size_t len, const fs_pubkey *coord, const char *origin,
    char *why, size_t whycap);

// A witness the auditor trusts: its note key name and Ed25519 key.
typedef struct fs_audit_witness {
	fs_note_verifier v; // type FS_NOTE_COSIG_V1
} fs_audit_witness;

fs_err fs_audit_witness_init(
    fs_audit_witness *w, const char *name, const fs_pubkey *pub);
// fs_audit_witness_check finds w's cosignature in the signed checkpoint
// msg (parsed as n): FS_ERR_NOT_FOUND when there is none (why says
// whether the name signed with another key), FS_ERR_BAD_SIGNATURE when it
// does not verify; on success *tp is its time.
fs_err fs_audit_witness_check(const fs_note *n, const char *msg, size_t len,
    const fs_audit_witness *w, uint64_t *tp, char *why, size_t whycap);

// The state file: the last verified checkpoint, a signed note.  A file
// that holds only a checkpoint body is read as well (for --since).
// fs_audit_state_read fails with FS_ERR_NOT_FOUND when there is no file.
// *textp is malloc'd and cp points into it.
fs_err fs_audit_state_read(char **textp, fs_checkpoint *cp, const char *path,
    char *why, size_t whycap);
fs_err fs_audit_state_write(const char *path, const char *note, size_t len);
// fs_audit_slurp reads a file of at most max bytes, NUL-terminated, or
// returns NULL with errno set (EFBIG when it is larger).
char *fs_audit_slurp(const char *path, size_t max, size_t *lenp);

// A node's release log, exported as JSON lines with the node's signed
// checkpoint of exactly those lines (fedscore node releases
// --checkpoint).  fs_audit_release_log checks the checkpoint's signature
// by the node's key, that it counts the file's lines and that its root is
// the RFC 6962 root over them (each line without its newline is an
// entry); with a state file (the last checkpoint verified, written back
// on success), that the log only grew: its first lines hash to the old
// root.  Every failure is a finding naming the node.
fs_err fs_audit_release_log(const char *node, const char *path,
    const char *checkpoint, const fs_pubkey *key, const char *state,
    fs_audit_report *rep, char *why, size_t whycap);

// A full disclosure record, as `fedscore coordinator export` writes it.
typedef struct fs_audit_record {
	uint64_t index;
	int64_t  time_ms;
	char     requester[FS_CLAIM_STR_MAX + 1];
	char     purpose[FS_CLAIM_STR_MAX + 1];
	char     scope[FS_CLAIM_STR_MAX + 1];
	uint8_t  subject[FS_SUBJECT_BYTES];
	uint8_t  salt[16];
	uint8_t  consent_hash[32]; // BLAKE2b-256 of the token
	char    *consent;          // the token, malloc'd
	char    *entry;            // the log entry, malloc'd
	size_t   entry_len;
} fs_audit_record;

fs_err fs_audit_record_parse(fs_audit_record *r, const char *line, size_t len);
void   fs_audit_record_fini(fs_audit_record *r);
// fs_audit_records_load reads an export file; records must come in
// increasing index order.  why names the line that is wrong.
fs_err fs_audit_records_load(fs_audit_record **rp, size_t *np, const char *path,
    char *why, size_t whycap);
void   fs_audit_records_free(fs_audit_record *r, size_t n);

// A log entry's fields (docs/log.md).  Entries of format 1 have no "v";
// format 2 ("v": 2) adds the lookup's request id and the hash of the
// request sent to each node asked ("asked"), and the kind "interrupted":
// a lookup admitted and sent to the nodes whose outcome a stop of the
// coordinator kept from the log, recorded when it started again.  An
// interrupted entry lists no receipts and no answers.
#define FS_AUDIT_RECEIPTS_MAX 64
typedef enum fs_audit_kind {
	FS_AUDIT_DISCLOSURE,  // answered, or refused after the nodes answered
	FS_AUDIT_INTERRUPTED, // admitted, asked, outcome unknown
} fs_audit_kind;

typedef struct fs_audit_entry {
	int           version; // 1 or 2
	fs_audit_kind kind;
	int64_t       time; // seconds
	char          requester[FS_CLAIM_STR_MAX + 1];
	char          purpose[FS_CLAIM_STR_MAX + 1];
	char          scope[FS_CLAIM_STR_MAX + 1];
	uint8_t       consent[32]; // format 1: BLAKE2b-256 of the token; 2: C()
	uint8_t commit[32]; // format 1: BLAKE2b-256(key=salt, subject); 2: C()
	size_t  nreceipts;
	uint8_t receipts[FS_AUDIT_RECEIPTS_MAX][32];
	int64_t expected, answered; // -1 when interrupted
	uint8_t request[16];        // format 2: the lookup's request id
	size_t  nasked;             // format 2: the nodes asked
	uint8_t asked[FS_AUDIT_RECEIPTS_MAX][32]; // their requests' hashes
} fs_audit_entry;

fs_err fs_audit_entry_parse(fs_audit_entry *e, const char *s, size_t len);

// fs_audit_record_check checks a full record against the log entry the
// log holds at its index (len bytes): the same entry, byte for byte; the
// entry's consent hash, subject commitment, requester, purpose, scope and
// time; and that the token was valid at the entry's time, signed by
// issuer for region, for that requester, that purpose, a scope covering
// the entry's, and that subject.  On success *c holds the token's claims.
// fs_audit_entry_is_recognition: the entry records the recognition of
// another region's attestation, not a disclosure.
bool   fs_audit_entry_is_recognition(const char *entry, size_t len);
fs_err fs_audit_record_check(const fs_audit_record *r, const char *entry,
    size_t len, const fs_pubkey *issuer, const char *region, fs_claims *c,
    char *why, size_t whycap);

// fs_audit_scope_covers: a consent of scope granted allows a disclosure
// of scope used, as the coordinator decides it (fs_scope_covers).
bool fs_audit_scope_covers(fs_scope granted, const char *used);

// fs_audit_verify: `fedscore audit verify`.  Fetches the checkpoint from
// log (a base URL), verifies it and the witnesses' cosignatures, fetches
// every entry bundle and level-0 hash tile, checks every entry against
// its hash and recomputes the root, checks consistency with the
// previous checkpoint (from since, or else the state file) and asks the
// log for a consistency proof as a second check; with records, checks
// every full record.  On no finding, writes the checkpoint to state (if
// not NULL).  Returns FS_ERR_BAD_PROOF when there are findings; an I/O
// or transport error (why says which) when it could not finish.
typedef struct fs_audit_verify_opts {
	const char             *log;
	const fs_pubkey        *coord;
	const fs_audit_witness *witnesses;
	size_t                  nwitnesses;
	const char             *state; // read, and written on success
	const char             *since; // the previous checkpoint, if given
	const fs_audit_record  *records;
	size_t                  nrecords;
	const fs_pubkey        *issuer;  // with records
	const char             *region;  // NULL: from the origin
	const fs_revocations   *revoked; // with records; may be NULL
	int64_t                 grace_s; // allowed after a revocation
	int                     timeout_ms;
} fs_audit_verify_opts;

// fs_audit_revoked_check: a disclosure at time t (seconds) under the
// consent c, revoked by the issuer more than grace seconds before t, is a
// finding (FS_ERR_REVOKED, why says when).  Nodes and the coordinator act
// on a revocation list at most a refresh interval or two old, so a
// disclosure just after a revocation is allowed that long.
fs_err fs_audit_revoked_check(const fs_revocations *rs, const fs_claims *c,
    int64_t t, int64_t grace, char *why, size_t whycap);

fs_err fs_audit_verify(const fs_audit_verify_opts *o, fs_audit_report *rep,
    char *why, size_t whycap);

// Node release logs, as nodes export them (JSON lines; docs/log.md).
typedef struct fs_release {
	char    node[FS_CLAIM_STR_MAX + 1];
	int     line;
	int64_t time_ms;
	uint8_t receipt[32];
	uint8_t jti_hash[32];
	bool    has_request;      // request_hash given
	uint8_t request_hash[32]; // of the coordinator's request to the node
	char    requester[FS_CLAIM_STR_MAX + 1];
	char    purpose[FS_CLAIM_STR_MAX + 1];
} fs_release;

fs_err fs_release_parse(fs_release *r, const char *line, size_t len);
// fs_releases_load appends the releases of node's file to *rp.
fs_err fs_releases_load(fs_release **rp, size_t *np, const char *node,
    const char *path, char *why, size_t whycap);

// fs_audit_reconcile matches every release to the disclosure whose
// entry lists its receipt, or else to the entry (of format 2: a
// disclosure whose lookup did not count that node's answer, or an
// interrupted lookup) that lists the release's request among the requests
// it sent; and every receipt of a disclosure to a release.  A release no
// entry explains, a receipt without a release, a receipt or a request
// released twice, and a release whose requester, purpose, consent or time
// differ from its entry's are findings.
fs_err fs_audit_reconcile(const fs_audit_record *recs, size_t nrecs,
    const fs_release *rels, size_t nrels, fs_audit_report *rep);

// Anomalies: thresholds, from the [anomalies] section of a config file.
typedef struct fs_anomaly_conf {
	int64_t window_ms;        // window for distinct subjects
	int64_t max_subjects;     // per requester within window
	int64_t max_rate;         // lookups per requester per minute
	bool    quiet;            // quiet hours set
	int     quiet_from;       // hour, inclusive
	int     quiet_to;         // hour, exclusive (may wrap past 24)
	int64_t utc_offset_s;     // local time of the quiet hours
	int64_t token_max_uses;   // one token's disclosures: at least this
	int64_t token_use_factor; // ... and this many times the median
} fs_anomaly_conf;

void   fs_anomaly_conf_default(fs_anomaly_conf *c);
fs_err fs_anomaly_conf_parse(fs_anomaly_conf *c, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
fs_err fs_anomaly_conf_load(
    fs_anomaly_conf *c, const char *path, char *why, size_t whycap);
// fs_audit_anomalies adds one finding per unusual pattern in recs.
fs_err fs_audit_anomalies(const fs_anomaly_conf *c, const fs_audit_record *recs,
    size_t n, fs_audit_report *rep);

#endif // FS_AUDIT_H
