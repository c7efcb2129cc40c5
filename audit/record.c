// SPDX-License-Identifier: Apache-2.0
//
// record.c -- full disclosure records and log entries, and the check of
// one against the other and against the consent token.
//
// The log entry holds hashes only: of the consent token, of the result,
// a salted commitment to the subject.  The full record that auditors
// receive opens them.  An auditor checks that the record's entry is the
// log's entry byte for byte, that the token and the subject open the
// entry's hash and commitment, and that the token was valid when the
// disclosure happened -- at the entry's time, not now -- for the
// requester, the purpose, the scope and the subject of the disclosure.

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/lines.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "wire/json.h"
#include "wire/logcommit.h"
#include "wire/revocations.h"
#include "wire/token.h"

static bool
get_str(json_t *o, const char *key, char *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t      n;

	if (s == NULL || (n = strlen(s)) == 0 || n >= cap) {
		return (false);
	}
	memcpy(out, s, n + 1);
	return (true);
}

static bool
get_b64v(json_t *v, uint8_t *out, size_t n)
{
	const char *s = json_string_value(v);
	size_t      got;

	return (s != NULL && fs_b64_decode(out, n, &got, s, strlen(s)) == FS_OK
	    && got == n);
}

static bool
get_b64(json_t *o, const char *key, uint8_t *out, size_t n)
{
	return (get_b64v(json_object_get(o, key), out, n));
}

static char *
get_dup(json_t *o, const char *key, size_t max, size_t *lenp)
{
	json_t *v = json_object_get(o, key);
	char   *s;
	size_t  n;

	if (!json_is_string(v) || (n = json_string_length(v)) == 0 || n > max
	    || strlen(json_string_value(v)) != n
	    || (s = malloc(n + 1)) == NULL) {
		return (NULL);
	}
	memcpy(s, json_string_value(v), n + 1);
	if (lenp != NULL) {
		*lenp = n;
	}
	return (s);
}

// disclosure reads the members a record and its entry both hold: who
// was told, for which purpose, in which scope.
static bool
disclosure(json_t *o, char requester[static FS_CLAIM_STR_MAX + 1],
    char purpose[static FS_CLAIM_STR_MAX + 1],
    char scope[static FS_CLAIM_STR_MAX + 1])
{
	const size_t cap = FS_CLAIM_STR_MAX + 1;

	return (
	    fs_json_str(o, "requester", requester, cap, fs_json_filled) == FS_OK
	    && fs_json_str(o, "purpose", purpose, cap, fs_json_filled) == FS_OK
	    && fs_json_str(o, "scope", scope, cap, fs_json_filled) == FS_OK);
}

fs_err
fs_audit_record_parse(fs_audit_record *r, const char *line, size_t len)
{
	fs_audit_record t;
	json_t         *o;
	json_t         *idx, *tm;

	memset(&t, 0, sizeof(t));
	if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		return (FS_ERR_MALFORMED);
	}
	idx = json_object_get(o, "index");
	tm  = json_object_get(o, "time_ms");
	if (!json_is_object(o) || !json_is_integer(idx)
	    || json_integer_value(idx) < 0 || !json_is_integer(tm)
	    || !disclosure(o, t.requester, t.purpose, t.scope)
	    || fs_json_b64(o, "subject", t.subject, sizeof(t.subject)) != FS_OK
	    || fs_json_b64(o, "salt", t.salt, sizeof(t.salt)) != FS_OK
	    || (t.consent = get_dup(o, "consent", FS_PASETO_MAX_LEN, NULL))
	        == NULL
	    || (t.entry = get_dup(o, "entry", FS_ENTRY_MAX, &t.entry_len))
	        == NULL) {
		json_decref(o);
		fs_audit_record_fini(&t);
		return (FS_ERR_MALFORMED);
	}
	t.index   = (uint64_t) json_integer_value(idx);
	t.time_ms = json_integer_value(tm);
	crypto_generichash(t.consent_hash, sizeof(t.consent_hash),
	    (const uint8_t *) t.consent, strlen(t.consent), NULL, 0);
	json_decref(o);
	*r = t;
	return (FS_OK);
}

void
fs_audit_record_fini(fs_audit_record *r)
{
	if (r == NULL) {
		return;
	}
	if (r->consent != NULL) {
		sodium_memzero(r->consent, strlen(r->consent));
	}
	free(r->consent);
	free(r->entry);
	sodium_memzero(r, sizeof(*r));
}

void
fs_audit_records_free(fs_audit_record *r, size_t n)
{
	for (size_t i = 0; r != NULL && i < n; i++) {
		fs_audit_record_fini(&r[i]);
	}
	free(r);
}

// loading is the state of fs_audit_records_load.
typedef struct loading {
	fs_audit_record *rs;
	size_t           n, cap;
	const char      *path;
	char            *why;
	size_t           whycap;
} loading;

// add_record parses one line of an export, in order of index.
static fs_err
add_record(void *arg, char *line, size_t len, uint64_t lineno)
{
	loading         *ld = arg;
	fs_audit_record *r;
	fs_err           rv;

	if ((rv = fs_grow(&ld->rs, &ld->cap, ld->n, sizeof(*ld->rs), 64))
	    != FS_OK) {
		return (rv);
	}
	r = &ld->rs[ld->n];
	if ((rv = fs_audit_record_parse(r, line, len)) != FS_OK) {
		return (fs_why(ld->why, ld->whycap, rv,
		    "%s:%llu: expected a disclosure record (index, "
		    "time_ms, requester, purpose, scope, subject, "
		    "salt, consent, entry), found something else",
		    ld->path, (unsigned long long) lineno));
	}
	if (ld->n > 0 && r->index <= r[-1].index) {
		fs_audit_record_fini(r);
		return (fs_why(ld->why, ld->whycap, FS_ERR_MALFORMED,
		    "%s:%llu: expected an index above %llu, found %llu",
		    ld->path, (unsigned long long) lineno,
		    (unsigned long long) r[-1].index,
		    (unsigned long long) r->index));
	}
	ld->n++;
	return (FS_OK);
}

fs_err
fs_audit_records_load(fs_audit_record **rp, size_t *np, const char *path,
    char *why, size_t whycap)
{
	loading ld = { .path = path, .why = why, .whycap = whycap };
	fs_err  rv;

	if ((rv = fs_lines_each(path, FS_AUDIT_LINE_MAX, FS_LINES_TEXT,
	         add_record, &ld, why, whycap))
	    != FS_OK) {
		fs_audit_records_free(ld.rs, ld.n);
		return (rv);
	}
	*rp = ld.rs;
	*np = ld.n;
	return (FS_OK);
}

// hashes reads an array (or, with names, an object of names to values)
// of base64url 32-byte hashes, at most FS_AUDIT_RECEIPTS_MAX.
static bool
hashes(json_t *v, bool names, uint8_t out[][32], size_t *np)
{
	size_t      n = 0;
	const char *name;
	json_t     *h;

	if (names ? !json_is_object(v) : !json_is_array(v)) {
		return (false);
	}
	if ((names ? json_object_size(v) : json_array_size(v))
	    > FS_AUDIT_RECEIPTS_MAX) {
		return (false);
	}
	if (names) {
		json_object_foreach (v, name, h) {
			if (strlen(name) == 0 || !get_b64v(h, out[n++], 32)) {
				return (false);
			}
		}
	} else {
		size_t i;

		json_array_foreach (v, i, h) {
			if (!get_b64v(h, out[n++], 32)) {
				return (false);
			}
		}
	}
	*np = n;
	return (true);
}

// entry_format reads the entry's format ("v", 1 when absent) and kind
// ("type": none for a disclosure, "interrupted" from format 2 on).
static bool
entry_format(json_t *o, fs_audit_entry *t)
{
	json_t     *v    = json_object_get(o, "v");
	json_t     *type = json_object_get(o, "type");
	const char *k    = json_string_value(type);

	t->version = 1;
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) != 2) {
			return (false);
		}
		t->version = 2;
	}
	t->kind = FS_AUDIT_DISCLOSURE;
	if (type != NULL) {
		if (k == NULL || strcmp(k, "interrupted") != 0
		    || t->version < 2) {
			return (false);
		}
		t->kind = FS_AUDIT_INTERRUPTED;
	}
	return (true);
}

// entry_common reads what every entry of a lookup says: when, who asked,
// for what, on which consent and about whom (by commitment).
static bool
entry_common(json_t *o, fs_audit_entry *t)
{
	const char *time = json_string_value(json_object_get(o, "time"));

	return (time != NULL
	    && fs_time_parse(&t->time, time, strlen(time)) == FS_OK
	    && get_str(o, "requester", t->requester, sizeof(t->requester))
	    && get_str(o, "purpose", t->purpose, sizeof(t->purpose))
	    && get_str(o, "scope", t->scope, sizeof(t->scope))
	    && get_b64(o, "consent", t->consent, sizeof(t->consent))
	    && get_b64(o, "subject", t->commit, sizeof(t->commit)));
}

// entry_answers reads the nodes' answers of a disclosure: the receipts
// and the count; an interrupted entry has neither.
static bool
entry_answers(json_t *o, fs_audit_entry *t)
{
	json_t *nodes = json_object_get(o, "nodes");

	if (t->kind == FS_AUDIT_INTERRUPTED) {
		t->expected = (int64_t) t->nasked;
		t->answered = -1;
		return (json_object_get(o, "receipts") == NULL
		    && json_object_get(o, "result") == NULL
		    && json_object_get(o, "refused") == NULL);
	}
	if (!hashes(json_object_get(o, "receipts"), false, t->receipts,
	        &t->nreceipts)
	    || !json_is_object(nodes)
	    || !json_is_integer(json_object_get(nodes, "expected"))
	    || !json_is_integer(json_object_get(nodes, "answered"))) {
		return (false);
	}
	t->expected = json_integer_value(json_object_get(nodes, "expected"));
	t->answered = json_integer_value(json_object_get(nodes, "answered"));
	return (true);
}

fs_err
fs_audit_entry_parse(fs_audit_entry *e, const char *s, size_t len)
{
	fs_audit_entry t;
	json_t        *o;
	fs_err         rv = FS_ERR_MALFORMED;

	memset(&t, 0, sizeof(t));
	if ((o = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (json_is_object(o) && entry_format(o, &t) && entry_common(o, &t)
	    && (t.version < 2
	        || (get_b64(o, "request", t.request, sizeof(t.request))
	            && hashes(
	                json_object_get(o, "asked"), true, t.asked, &t.nasked)))
	    && entry_answers(o, &t)) {
		*e = t;
		rv = FS_OK;
	}
	json_decref(o);
	return (rv);
}

bool
fs_audit_scope_covers(fs_scope granted, const char *used)
{
	fs_scope u;

	return (fs_scope_parse(&u, used, strlen(used)) == FS_OK
	    && fs_scope_covers(granted, u));
}

bool
fs_audit_entry_is_recognition(const char *entry, size_t len)
{
	json_t *o   = json_loadb(entry, len, JSON_REJECT_DUPLICATES, NULL);
	bool    yes = o != NULL
	    && strcmp(json_string_value(json_object_get(o, "type")) != NULL
	               ? json_string_value(json_object_get(o, "type"))
	               : "",
	           "recognition")
	        == 0;

	json_decref(o);
	return (yes);
}

// recognition_check: an entry recording the recognition of another
// region's attestation (docs/recognition.md).  Its full record holds the
// attestation, which must hash to the entry's; the attestation was
// checked against the trust list when it was shown, and names no citizen
// of this region, so there is no consent to check and no use to count.
static fs_err
recognition_check(const fs_audit_record *r, const char *entry, size_t len,
    fs_claims *c, char *why, size_t whycap)
{
	json_t     *o = json_loadb(entry, len, JSON_REJECT_DUPLICATES, NULL);
	const char *h = json_string_value(json_object_get(o, "attestation"));
	uint8_t     want[32], got[32];
	size_t      n;
	fs_err      rv = FS_OK;

	crypto_generichash(got, sizeof(got), (const uint8_t *) r->consent,
	    strlen(r->consent), NULL, 0);
	if (h == NULL
	    || fs_b64_decode(want, sizeof(want), &n, h, strlen(h)) != FS_OK
	    || n != 32 || sodium_memcmp(want, got, 32) != 0) {
		rv = fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "the record's attestation does not hash to the recognition "
		    "entry's");
	} else {
		memset(c, 0, sizeof(*c));
	}
	json_decref(o);
	return (rv);
}

// commitments computes what the record commits to in an entry of e's
// version: its subject and its consent token, each salted and labelled
// (version 1), or as earlier entries did, the subject hashed with the
// salt as key and the token hashed alone.
static void
commitments(const fs_audit_record *r, const fs_audit_entry *e,
    uint8_t subject[static 32], uint8_t consent[static 32])
{
	if (e->version == FS_LOG_ENTRY_VERSION) {
		fs_log_commit(subject, r->salt, "subject", r->subject,
		    sizeof(r->subject));
		fs_log_commit(consent, r->salt, "consent", r->consent,
		    strlen(r->consent));
	} else {
		crypto_generichash(subject, 32, r->subject, sizeof(r->subject),
		    r->salt, sizeof(r->salt));
		memcpy(consent, r->consent_hash, 32);
	}
}

// opens_entry: the record opens the disclosure entry e (parsed from
// entry): its token hashes to the entry's consent, its subject and salt
// open the subject commitment, and it names the same parties and time.
static fs_err
opens_entry(const fs_audit_record *r, fs_audit_entry *e, const char *entry,
    size_t len, char *why, size_t whycap)
{
	uint8_t subject[32], consent[32];
	char    t[FS_TIME_LEN + 1];
	fs_err  rv;

	if ((rv = fs_audit_entry_parse(e, entry, len)) != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "expected a disclosure entry (time, requester, purpose, "
		    "scope, consent, subject, receipts, nodes), found "
		    "another JSON text"));
	}
	commitments(r, e, subject, consent);
	if (sodium_memcmp(subject, e->commit, 32) != 0) {
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "the record's subject and salt do not open the entry's "
		    "subject commitment"));
	}
	if (sodium_memcmp(e->consent, consent, 32) != 0) {
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "the record's consent token %s the entry's consent",
		    e->version == FS_LOG_ENTRY_VERSION ? "and salt do not open"
		                                       : "does not hash to"));
	}
	if (strcmp(r->requester, e->requester) != 0
	    || strcmp(r->purpose, e->purpose) != 0
	    || strcmp(r->scope, e->scope) != 0
	    || r->time_ms / 1000 != e->time) {
		fs_time_format(t, r->time_ms / 1000);
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "the record says %s, %s, %s at %s; the entry says %s, "
		    "%s, %s",
		    r->requester, r->purpose, r->scope, t, e->requester,
		    e->purpose, e->scope));
	}
	return (FS_OK);
}

// token_allows: the record's token was valid at the entry's time, signed
// by issuer for region, and consents to the disclosure e records.
static fs_err
token_allows(const fs_audit_record *r, const fs_audit_entry *e,
    const fs_pubkey *issuer, const char *region, fs_claims *cl, char *why,
    size_t whycap)
{
	char   t[FS_TIME_LEN + 1];
	fs_err rv;

	fs_time_format(t, e->time);
	if ((rv = fs_token_verify(cl, r->consent, strlen(r->consent), issuer,
	         region, e->time, FS_SKEW_DEFAULT))
	    != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "the consent token was not valid at the entry's time %s "
		    "for region %s: %s",
		    t, region, fs_strerror(rv)));
	}
	if (strcmp(cl->aud, e->requester) != 0) {
		return (fs_why(why, whycap, FS_ERR_WRONG_AUDIENCE,
		    "the consent was granted to '%s', the entry names "
		    "requester '%s'",
		    cl->aud, e->requester));
	}
	if (strcmp(cl->purpose, e->purpose) != 0) {
		return (fs_why(why, whycap, FS_ERR_PURPOSE,
		    "the consent was granted for purpose '%s', the entry "
		    "says '%s'",
		    cl->purpose, e->purpose));
	}
	if (!fs_audit_scope_covers(cl->scope, e->scope)) {
		return (fs_why(why, whycap, FS_ERR_SCOPE,
		    "the consent grants scope '%s', the entry discloses '%s'",
		    fs_scope_name(cl->scope), e->scope));
	}
	if (sodium_memcmp(cl->sub, r->subject, FS_SUBJECT_BYTES) != 0) {
		return (fs_why(why, whycap, FS_ERR_WRONG_SUBJECT,
		    "the consent was granted by another subject than the "
		    "record's"));
	}
	return (FS_OK);
}

fs_err
fs_audit_record_check(const fs_audit_record *r, const char *entry, size_t len,
    const fs_pubkey *issuer, const char *region, fs_claims *c, char *why,
    size_t whycap)
{
	fs_audit_entry e;
	fs_claims      cl;
	fs_err         rv;

	if (r->entry_len != len || memcmp(r->entry, entry, len) != 0) {
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "the full record's entry (%zu bytes) is not the log's "
		    "entry (%zu bytes)",
		    r->entry_len, len));
	}
	if (fs_audit_entry_is_recognition(entry, len)) {
		return (recognition_check(r, entry, len, c, why, whycap));
	}
	if ((rv = opens_entry(r, &e, entry, len, why, whycap)) != FS_OK
	    || (rv = token_allows(r, &e, issuer, region, &cl, why, whycap))
	        != FS_OK) {
		return (rv);
	}
	*c = cl;
	return (FS_OK);
}

fs_err
fs_audit_revoked_check(const fs_revocations *rs, const fs_claims *c, int64_t t,
    int64_t grace, char *why, size_t whycap)
{
	const fs_revocation *r = fs_revocations_find(rs, c->jti);
	char                 at[FS_TIME_LEN + 1], when[FS_TIME_LEN + 1];

	if (r == NULL || t <= r->at + grace) {
		return (FS_OK);
	}
	fs_time_format(at, r->at);
	fs_time_format(when, t);
	return (fs_why(why, whycap, FS_ERR_REVOKED,
	    "the consent was revoked at %s and disclosed at %s, %lld s "
	    "later (allowed: %lld s)",
	    at, when, (long long) (t - r->at), (long long) grace));
}
