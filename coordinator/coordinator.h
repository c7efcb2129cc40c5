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

#include <jansson.h>

#include "common/err.h"
#include "crypto/paseto.h"
#include "wire/lookup.h"
#include "wire/scheme.h"

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
fs_err fs_lookup_body_decode(
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
