// SPDX-License-Identifier: Apache-2.0
//
// coordinator.h -- consented lookups: the scheme, the aggregation of node
// contributions into a score, and the daemon that answers requesters.
//
// Design notes.
// * The coordinator holds node and requester public keys, the scheme, the
//   consent replay state and the disclosure log; never ID numbers, raw
//   records or record categories.
// * A lookup is refused unless the requester's signed request is fresh
//   and unused, and the citizen's consent token is valid for this region,
//   this requester, a purpose the scheme and the requester allow, a scope
//   that covers the request, not revoked, with uses left.  Only then are
//   the nodes asked, all at once, with the scheme's deadline.
// * Aggregation follows the scheme: per behavior key across nodes only the
//   largest deduction and the largest addition count (Changzhou art.
//   11.3-11.4); dimensions are summed; the base is added; the result is
//   clamped to the scale; the tier is the highest whose lower bound the
//   score reaches.
// * The disclosure is recorded durably before the answer leaves, and the
//   answer is signed (PASETO v4.public) so the requester can prove what
//   it received.

#ifndef FS_COORDINATOR_H
#define FS_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "crypto.h"
#include "protocol.h"

#define FS_TIERS_MAX    16
#define FS_PURPOSES_MAX 32
#define FS_LABEL_MAX    64

typedef struct fs_tier {
	char    name[FS_LABEL_MAX + 1];  // machine name, e.g. "excellent"
	char    label[FS_LABEL_MAX + 1]; // as published, e.g. "优秀"
	int64_t min;                     // lower bound, inclusive
} fs_tier;

typedef struct fs_scheme {
	char    id[FS_LABEL_MAX + 1];
	char    version[FS_LABEL_MAX + 1];
	char    name[FS_LABEL_MAX + 1];
	char    region[FS_LABEL_MAX + 1];
	char    hash[17]; // first 8 bytes of BLAKE2b of the file, hex
	int64_t scale_min, scale_max;
	int64_t base;
	int64_t default_valid_days;
	bool    require_all;
	int64_t deadline_ms;
	size_t  ntiers; // sorted by min, descending
	fs_tier tiers[FS_TIERS_MAX];
	size_t  npurposes;
	char    purposes[FS_PURPOSES_MAX][FS_LABEL_MAX + 1];
} fs_scheme;

// fs_scheme_load reads a scheme file (docs/schemes.md).
fs_err fs_scheme_load(fs_scheme *s, const char *path, char *why, size_t whycap);
fs_err fs_scheme_parse(fs_scheme *s, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
bool   fs_scheme_allows(const fs_scheme *s, const char *purpose);
const fs_tier *fs_scheme_tier(const fs_scheme *s, int64_t score);

// The outcome of aggregation.
typedef struct fs_score {
	int64_t        dims[FS_DIM_COUNT]; // after cross-node deduplication
	int64_t        raw;                // base + dims, before clamping
	int64_t        score;              // clamped to the scale
	const fs_tier *tier;
	bool           disputed;
	uint32_t       counted;
} fs_score;

// fs_aggregate combines the contributions of the nodes that answered.
void fs_aggregate(fs_score *out, const fs_scheme *s,
    const fs_contribution *const *c, size_t n);

// The requester's signed lookup request (PASETO v4.public).
typedef struct fs_request {
	char    consent[FS_TOKEN_MAX + 1];
	char    jti[FS_CLAIM_STR_MAX + 1];
	char    scope[FS_CLAIM_STR_MAX + 1]; // "" = the consent's scope
	int64_t iat;
} fs_request;

fs_err fs_request_sign(char **tokenp, const fs_key *requester,
    const char *consent, const char *scope, const char *region, int64_t now);
// fs_request_kid reads the (untrusted) key id of the request's signer.
fs_err fs_request_kid(
    uint8_t kid[static FS_KID_BYTES], const char *token, size_t len);
fs_err fs_request_verify(fs_request *r, const char *token, size_t len,
    const fs_pubkey *requester, const char *region, int64_t now, int64_t skew);

// The coordinator's signed answer: its JSON is the message of the token.
fs_err fs_answer_sign(
    char **tokenp, const fs_key *coord, const char *json, const char *region);
fs_err fs_answer_verify(char **jsonp, const char *token, size_t len,
    const fs_pubkey *coord, const char *region);
// The same for the answer to a recognition, under its own implicit
// assertion, so that neither answer passes for the other.
fs_err fs_recognition_answer_sign(
    char **tokenp, const fs_key *coord, const char *json, const char *region);
fs_err fs_recognition_answer_verify(char **jsonp, const char *token, size_t len,
    const fs_pubkey *coord, const char *region);

// Attestations (attest.c, docs/recognition.md).
//
// Design notes.
// * A consent of scope attest lets a lookup ask for scope attest (tier
//   and score) or tier (tier only: the credit code).  The answer then
//   carries an attestation: PASETO v4.public signed by the coordinator's
//   key, footer {"kid":…}, implicit assertion FS_ATTEST_ASSERTION.  It
//   holds no region in its assertion: it is made to travel.
// * Its claims: iss (the region), scheme {id, version, hash}, scale {min,
//   max}, tiers [{name, label, min}], tier {name, label}, score (scope
//   attest only), iat, exp, jti, log_index (the disclosure's index in the
//   issuing log) and idc, the subject binding copied from the consent.
// * Decoding is strict: known members only, each of its type; the table
//   must be a scheme's (descending bounds within the scale, the lowest at
//   its floor, distinct names) and the tier the one it gives the score.
//   Times are the verifier's to check.
#define FS_ATTEST_ASSERTION   "fedscore attestation v1"
#define FS_ATTEST_TTL_DEFAULT 600  // seconds
#define FS_ATTEST_CLAIMS_MAX  4096 // bytes of JSON
#define FS_SCALE_BOUND        1000000000

typedef struct fs_attestation {
	char    iss[FS_LABEL_MAX + 1]; // the issuing region
	char    scheme_id[FS_LABEL_MAX + 1];
	char    scheme_version[FS_LABEL_MAX + 1];
	char    scheme_hash[17];
	int64_t scale_min, scale_max;
	size_t  ntiers; // sorted by min, descending
	fs_tier tiers[FS_TIERS_MAX];
	fs_tier tier; // the tier attested; min is its lower bound
	bool    has_score;
	int64_t score;
	int64_t iat, exp; // Unix seconds
	uint8_t jti[FS_JTI_BYTES];
	int64_t log_index;
	bool    has_idc;
	uint8_t idc[FS_IDC_BYTES];
} fs_attestation;

// fs_attest_encode writes the claims as compact JSON with sorted keys
// (malloc'd); an attestation that would not decode is FS_ERR_INVALID.
fs_err fs_attest_encode(char **jsonp, const fs_attestation *a);
fs_err fs_attest_decode(fs_attestation *a, const uint8_t *json, size_t len);
fs_err fs_attest_sign(
    char **tokenp, const fs_key *coord, const fs_attestation *a);
// fs_attest_verify checks the signature by key, whose kid the footer
// must name (FS_ERR_FOOTER otherwise), and decodes the claims.
fs_err fs_attest_verify(
    fs_attestation *a, const char *token, size_t len, const fs_pubkey *key);
// fs_attest_kid reads the (untrusted) key id in the footer, to choose
// the key; fs_attest_peek decodes the claims WITHOUT checking the
// signature, only to say why an attestation is refused.
fs_err fs_attest_kid(
    uint8_t kid[static FS_KID_BYTES], const char *token, size_t len);
fs_err fs_attest_peek(fs_attestation *a, const char *token, size_t len);
// fs_attest_bound checks the subject binding against a normalized ID
// number and the citizen's salt: FS_ERR_WRONG_SUBJECT when it differs or
// the attestation has none.
fs_err fs_attest_bound(const fs_attestation *a, const char *idnum, size_t len,
    const uint8_t salt[static FS_IDC_SALT_BYTES]);
// fs_attest_tier_of returns the tier of the attestation's table for a
// score on its scale.
const fs_tier *fs_attest_tier_of(const fs_attestation *a, int64_t score);

// Trust lists (trust.c, docs/recognition.md).
//
// Design notes.
// * A trust list is a C2SP signed note, signed by this region's credit
//   office (key name FS_TRUST_OFFICE_NAME unless configured), whose text
//   is INI: [trust] local = this region, scheme = the local scheme file
//   (relative to the list), skew = the clock skew allowed (default 1m);
//   then one [region ID] per foreign region: key = k4.public…, not_before
//   and not_after (RFC 3339), retired = keys no longer accepted, and the
//   rules: map.<foreign tier> = <local tier> lines, score = linear.
// * The signature is checked before the text is parsed.  Unknown keys
//   are errors with their line; a key belongs to one region only, and a
//   retired key is current nowhere.
#define FS_TRUST_OFFICE_NAME  "credit-office"
#define FS_TRUST_REGIONS_MAX  64
#define FS_TRUST_RETIRED_MAX  16
#define FS_TRUST_SKEW_DEFAULT 60 // seconds

typedef struct fs_trust_map {
	char foreign[FS_LABEL_MAX + 1];
	char local[FS_LABEL_MAX + 1];
} fs_trust_map;

typedef struct fs_trust_region {
	char         id[FS_LABEL_MAX + 1];
	fs_pubkey    key;
	int64_t      not_before, not_after; // trusted while in [nb, na)
	size_t       nretired;
	fs_pubkey    retired[FS_TRUST_RETIRED_MAX];
	bool         linear; // score = linear
	size_t       nmaps;
	fs_trust_map maps[FS_TIERS_MAX];
	int          line; // of its section, for messages
} fs_trust_region;

typedef struct fs_trust fs_trust;

// fs_trust_parse parses the text of a trust list, without a signature
// (for signing it, and for fuzzing); path names it in messages, and the
// scheme path is taken relative to it.
fs_err fs_trust_parse(fs_trust **tp, const char *text, size_t len,
    const char *path, char *why, size_t whycap);
// fs_trust_open verifies a signed trust list (the note's text and
// signature) by office under the key name, then parses it.
fs_err fs_trust_open(fs_trust **tp, const char *note, size_t len,
    const char *path, const fs_pubkey *office, const char *name, char *why,
    size_t whycap);
// fs_trust_bind checks the list against the local scheme (its region and
// tier names) and keeps a copy of it for mapping.
fs_err fs_trust_bind(
    fs_trust *t, const fs_scheme *local, char *why, size_t whycap);
// fs_trust_load reads the file path, opens it, and binds the scheme that
// the list names.
fs_err fs_trust_load(fs_trust **tp, const char *path, const fs_pubkey *office,
    const char *name, char *why, size_t whycap);
void   fs_trust_free(fs_trust *t);

const char            *fs_trust_local(const fs_trust *t);
const char            *fs_trust_scheme_path(const fs_trust *t);
const fs_scheme       *fs_trust_scheme(const fs_trust *t); // NULL unbound
size_t                 fs_trust_count(const fs_trust *t);
const fs_trust_region *fs_trust_region_at(const fs_trust *t, size_t i);
const fs_trust_region *fs_trust_region_find(const fs_trust *t, const char *id);
int64_t                fs_trust_skew(const fs_trust *t); // seconds

// Recognition (recognize.c): an attestation of a foreign region, checked
// against a bound trust list and mapped to a local tier.
typedef struct fs_recognition {
	fs_attestation att;         // the foreign attestation, verified
	fs_tier        local;       // the tier recognized here
	bool           by_score;    // mapped linearly from the score
	int64_t        local_score; // the score on the local scale, if so
	char           rule[2 * FS_LABEL_MAX + 16]; // the rule applied
} fs_recognition;

// fs_recognize_verify finds the key the attestation is signed with in the
// trust list and checks the signature: FS_ERR_UNREGISTERED for a region
// not in the list, FS_ERR_WRONG_KEY for a key the list does not hold for
// the region it names, FS_ERR_REVOKED for a retired key,
// FS_ERR_BAD_SIGNATURE for an altered attestation, FS_ERR_WRONG_REGION
// when the region it names is not the one of its key.  On success the
// attestation is genuine, from a key currently trusted.
fs_err fs_recognize_verify(fs_attestation *a, const fs_trust *t,
    const char *token, size_t len, char *why, size_t whycap);
// fs_recognize_check decides on a genuine attestation at time now: the
// region's validity window (FS_ERR_NOT_YET_VALID, FS_ERR_EXPIRED), the
// attestation's own (FS_ERR_EXPIRED, FS_ERR_NOT_YET_VALID), within the
// list's skew, then the mapping (FS_ERR_REFUSED when no rule applies).
fs_err fs_recognize_check(fs_recognition *r, const fs_trust *t,
    const fs_attestation *a, int64_t now, char *why, size_t whycap);
// fs_recognize does both.
fs_err fs_recognize(fs_recognition *r, const fs_trust *t, const char *token,
    size_t len, int64_t now, char *why, size_t whycap);

// The daemon.
typedef struct fs_coord fs_coord;

fs_err fs_coord_open(fs_coord **cp, const char *conf, char *why, size_t whycap);
void   fs_coord_close(fs_coord *c);
// fs_coord_serve answers on the HTTP API and, if configured, over nng,
// until SIGINT or SIGTERM.
fs_err fs_coord_serve(fs_coord *c, char *why, size_t whycap);

// An outcome of a lookup, as HTTP reports it: status, a problem type and
// title (RFC 9457), and the answer or the detail.
typedef struct fs_outcome {
	int    status; // 200, 401, 403, 409, 422, 503, ...
	fs_err err;    // FS_OK on 200
	char  *body;   // malloc'd JSON: the answer, or a problem
} fs_outcome;

// fs_lookup_body_decode reads a request body {"request": "v4.public..."};
// *tokenp points into *op, a jansson object the caller releases.
#define FS_LOOKUP_BODY_MAX (2 * FS_TOKEN_MAX + 1024)
typedef struct json_t json_t;
fs_err                fs_lookup_body_decode(
                   json_t **op, const char *body, size_t len, const char **tokenp);

// fs_coord_lookup handles one request body {"request": "v4.public..."}.
void fs_coord_lookup(
    fs_coord *c, const char *body, size_t len, fs_outcome *out);

// fs_coord_export writes the full disclosure records from index from on
// as JSON lines to out, reading the database that the configuration conf
// names, read-only (beside a running coordinator), and stores in *np how
// many it wrote.  Each line: index, time_ms, requester, purpose, scope,
// subject and salt (base64url), consent (the token) and entry (the log
// entry, exactly).  The records are personal data: for authorized
// auditors only.
fs_err fs_coord_export(const char *conf, int64_t from, FILE *out, uint64_t *np,
    char *why, size_t whycap);
// fs_recognition_body_decode reads {"attestation": "v4.public..."}, and
// nothing else (the ID number stays with the citizen); *tokenp points
// into *op, which the caller releases.
#define FS_RECOGNITION_BODY_MAX (FS_PASETO_MAX_LEN + 64)
fs_err fs_recognition_body_decode(
    json_t **op, const char *body, size_t len, const char **tokenp);
// fs_coord_recognize handles one POST /v1/recognitions: the attestation
// recognized under the coordinator's trust list and recorded in its log
// (docs/recognition.md), or a problem: 404 without a trust list, 422 for
// a body or token that cannot be read, 403 with the reason otherwise.
void fs_coord_recognize(
    fs_coord *c, const char *body, size_t len, fs_outcome *out);

#endif // FS_COORDINATOR_H
