// SPDX-License-Identifier: Apache-2.0
//
// test_audit.c -- the pure parts of the audit module: tile paths, entry
// bundles and hash tiles, the verification core, checkpoints and witness
// cosignatures, the state file, full records against entries and consent
// tokens, reconciliation of releases, and the anomaly rules.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/note.h"
#include "wire/revocations.h"
#include "wire/token.h"

#define ORIGIN "fedscore.testregion/disclosures"
#define REGION "testregion"
#define T0     1795450833 // 2026-11-23T16:20:33Z

static bool
report_has(const fs_audit_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->lines[i].finding && strstr(r->lines[i].text, needle)) {
			return (true);
		}
	}
	return (false);
}

static void
test_tile_path(void **state)
{
	char p[FS_TILE_PATH_MAX];

	(void) state;
	assert_int_equal(fs_tile_path(p, 0, 0, FS_TILE_WIDTH), FS_OK);
	assert_string_equal(p, "tile/0/000");
	assert_int_equal(fs_tile_path(p, FS_TILE_ENTRIES, 0, 5), FS_OK);
	assert_string_equal(p, "tile/entries/000.p/5");
	assert_int_equal(fs_tile_path(p, 0, 1234067, FS_TILE_WIDTH), FS_OK);
	assert_string_equal(p, "tile/0/x001/x234/067");
	assert_int_equal(fs_tile_path(p, 1, 1000, 255), FS_OK);
	assert_string_equal(p, "tile/1/x001/000.p/255");
	assert_int_equal(fs_tile_path(p, 0, 0, 0), FS_ERR_INVALID);
	assert_int_equal(fs_tile_path(p, 0, 0, 257), FS_ERR_INVALID);
	assert_int_equal(fs_tile_path(p, 10, 0, 1), FS_ERR_INVALID);
}

static void
test_bundle_parse(void **state)
{
	static const uint8_t b[] = { 0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z' };
	fs_bundle_entry      e[4];
	size_t               n;

	(void) state;
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, sizeof(b)), FS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].len, 3);
	assert_memory_equal(e[0].data, "abc", 3);
	assert_int_equal(e[1].len, 0);
	assert_int_equal(e[2].len, 1);
	assert_int_equal(e[2].data[0], 'z');
	// Ends inside a length, inside an entry; more than asked for.
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, 6), FS_ERR_TRUNCATED);
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, 4), FS_ERR_TRUNCATED);
	assert_int_equal(
	    fs_bundle_parse(e, 2, &n, b, sizeof(b)), FS_ERR_TRAILING);
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, 0), FS_OK);
	assert_int_equal(n, 0);
}

static void
test_hashtile_check(void **state)
{
	uint8_t h[96] = { 0 };

	(void) state;
	assert_int_equal(fs_hashtile_check(3, h, 96), FS_OK);
	assert_int_equal(fs_hashtile_check(3, h, 95), FS_ERR_TRUNCATED);
	assert_int_equal(fs_hashtile_check(2, h, 65), FS_ERR_TRAILING);
	assert_int_equal(fs_hashtile_check(0, h, 0), FS_OK);
}

// entries fills n entries "entry <i>" and their leaf hashes.
static void
entries(fs_bundle_entry *e, char (*text)[32], uint8_t *hashes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(text[i], 32, "entry %zu", i);
		e[i].data = (const uint8_t *) text[i];
		e[i].len  = strlen(text[i]);
		fs_merkle_leaf_hash(hashes + 32 * i, e[i].data, e[i].len);
	}
}

static void
test_tree(void **state)
{
	enum { N = 300 };
	static char     text[N][32];
	static uint8_t  h[N * 32];
	fs_bundle_entry e[N];
	fs_audit_tree   t;
	fs_merkle_mem  *m;
	uint8_t         root[32], want[32], old[32];
	uint64_t        bad = 0;

	(void) state;
	entries(e, text, h, N);
	assert_int_equal(fs_merkle_mem_create(&m), FS_OK);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(fs_merkle_mem_append(m, h + 32 * i), FS_OK);
		if (i + 1 == 100) {
			fs_merkle_mem_root(m, old);
		}
	}
	fs_merkle_mem_root(m, want);
	fs_merkle_mem_free(m);

	fs_audit_tree_init(&t, 100);
	assert_int_equal(fs_audit_tree_add(&t, e, h, 256, &bad), FS_OK);
	assert_int_equal(
	    fs_audit_tree_add(&t, e + 256, h + 256 * 32, N - 256, &bad), FS_OK);
	fs_audit_tree_root(&t, root);
	assert_memory_equal(root, want, 32);
	assert_true(t.have_old);
	assert_memory_equal(t.old_root, old, 32);

	// An altered hash names its entry.
	h[32 * 7] ^= 1;
	fs_audit_tree_init(&t, 0);
	assert_int_equal(
	    fs_audit_tree_add(&t, e, h, N, &bad), FS_ERR_BAD_PROOF);
	assert_int_equal(bad, 7);
	h[32 * 7] ^= 1;
}

// A signed checkpoint of a log of n entries by coord, optionally
// cosigned by w under name wname.
static char *
checkpoint(const fs_key *coord, uint64_t n, const fs_key *w, const char *wname)
{
	uint8_t root[32];
	char   *body, *note, *cos;
	size_t  blen, nlen;

	memset(root, (int) n, sizeof(root));
	assert_int_equal(
	    fs_checkpoint_format(&body, &blen, ORIGIN, n, root, NULL, 0),
	    FS_OK);
	assert_int_equal(
	    fs_note_sign(&note, &nlen, body, blen, ORIGIN, coord), FS_OK);
	free(body);
	if (w == NULL) {
		return (note);
	}
	assert_int_equal(
	    fs_cosig_sign(&cos, &nlen, note, nlen, wname, w, T0), FS_OK);
	free(note);
	return (cos);
}

static void
test_checkpoint_and_witnesses(void **state)
{
	fs_key          *coord, *w1, *stranger;
	fs_note         *n;
	fs_checkpoint    cp;
	fs_audit_witness aw;
	char             why[FS_WHY_MAX];
	char            *note;
	uint64_t         t;

	(void) state;
	assert_int_equal(fs_key_generate(&coord), FS_OK);
	assert_int_equal(fs_key_generate(&w1), FS_OK);
	assert_int_equal(fs_key_generate(&stranger), FS_OK);
	assert_int_equal(
	    fs_audit_witness_init(&aw, "w1", fs_key_public(w1)), FS_OK);

	note = checkpoint(coord, 5, w1, "w1");
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), ORIGIN, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(cp.size, 5);
	assert_int_equal(fs_audit_witness_check(
	                     n, note, strlen(note), &aw, &t, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(t, T0);
	fs_note_free(n);

	// Another key, another origin, an altered text.
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(w1), NULL, why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	assert_non_null(strstr(why, "no signature by the coordinator"));
	assert_int_equal(
	    fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	        fs_key_public(coord), "other/log", why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	note[strlen(ORIGIN) + 1] = '6';
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), NULL, why, sizeof(why)),
	    FS_ERR_BAD_SIGNATURE);
	assert_non_null(strstr(why, "does not verify"));
	free(note);

	// No cosignature; a cosignature by an unknown key under w1's name.
	note = checkpoint(coord, 5, NULL, NULL);
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), NULL, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_audit_witness_check(
	                     n, note, strlen(note), &aw, &t, why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "witness w1: no cosignature"));
	fs_note_free(n);
	free(note);
	note = checkpoint(coord, 5, stranger, "w1");
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), NULL, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_audit_witness_check(
	                     n, note, strlen(note), &aw, &t, why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "by an unknown key"));
	fs_note_free(n);
	free(note);
	fs_key_free(coord);
	fs_key_free(w1);
	fs_key_free(stranger);
}

static void
test_state_file(void **state)
{
	char          path[] = "/tmp/fs-audit-state.XXXXXX";
	char          why[FS_WHY_MAX];
	char         *text, *note;
	fs_checkpoint cp;
	fs_key       *coord;
	int           fd;

	(void) state;
	assert_int_equal(fs_key_generate(&coord), FS_OK);
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	note = checkpoint(coord, 9, NULL, NULL);
	assert_int_equal(fs_audit_state_write(path, note, strlen(note)), FS_OK);
	assert_int_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)), FS_OK);
	assert_int_equal(cp.size, 9);
	assert_int_equal(cp.origin_len, strlen(ORIGIN));
	free(text);
	// A bare body reads as well; garbage does not.
	assert_int_equal(
	    fs_audit_state_write(path, note,
	        strchr(strchr(strchr(note, '\n') + 1, '\n') + 1, '\n') + 1
	            - note),
	    FS_OK);
	assert_int_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)), FS_OK);
	assert_int_equal(cp.size, 9);
	free(text);
	assert_int_equal(fs_audit_state_write(path, "9\n", 2), FS_OK);
	assert_int_not_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)), FS_OK);
	unlink(path);
	free(note);
	fs_key_free(coord);
}

// A consent token and the record and entry a coordinator would make of a
// disclosure at time T0 + 10.
typedef struct fixture {
	fs_key         *issuer;
	fs_audit_record r;
	char           *line;
} fixture;

static void
make(fixture *f, const char *aud, const char *purpose, fs_scope scope,
    const char *used_scope, int64_t exp)
{
	fs_claims c;
	uint8_t   salt[16], commit[32], th[32];
	char      s[64], cs[64], t[FS_TIME_LEN + 1], *token, *line;
	char      entry[1024];
	size_t    n;
	json_t   *o;

	fs_claims_init(&c);
	snprintf(c.iss, sizeof(c.iss), "test-issuer");
	snprintf(c.aud, sizeof(c.aud), "%s", aud);
	snprintf(c.purpose, sizeof(c.purpose), "%s", purpose);
	memset(c.sub, 7, sizeof(c.sub));
	c.scope = scope;
	c.iat = c.nbf = exp - 3600;
	c.exp         = exp;
	c.uses        = 2;
	assert_int_equal(fs_token_issue(&token, f->issuer, &c, REGION), FS_OK);
	memset(salt, 3, sizeof(salt));
	crypto_generichash(commit, 32, c.sub, 32, salt, 16);
	crypto_generichash(
	    th, 32, (const uint8_t *) token, strlen(token), NULL, 0);
	fs_b64_encode(s, commit, 32);
	fs_b64_encode(cs, th, 32);
	fs_time_format(t, T0 + 10);
	n = (size_t) snprintf(entry, sizeof(entry),
	    "{\"consent\":\"%s\",\"nodes\":{\"answered\":1,\"expected\":1},"
	    "\"purpose\":\"%s\",\"receipts\":[\"%s\"],\"requester\":\"%s\","
	    "\"scope\":\"%s\",\"subject\":\"%s\",\"time\":\"%s\"}",
	    cs, purpose, cs, aud, used_scope, s, t);
	o = json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "index",
	    0, "time_ms", (json_int_t) (T0 + 10) * 1000, "requester", aud,
	    "purpose", purpose, "scope", used_scope, "subject",
	    "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc", "salt",
	    "AwMDAwMDAwMDAwMDAwMDAw", "consent", token, "entry", entry);
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	assert_int_equal(
	    fs_audit_record_parse(&f->r, line, strlen(line)), FS_OK);
	assert_int_equal(f->r.entry_len, n);
	f->line = line;
	free(token);
}

static void
unmake(fixture *f)
{
	fs_audit_record_fini(&f->r);
	free(f->line);
}

static fs_err
check_record(fixture *f, char *why)
{
	fs_claims c;

	return (fs_audit_record_check(&f->r, f->r.entry, f->r.entry_len,
	    fs_key_public(f->issuer), REGION, &c, why, FS_WHY_MAX));
}

static void
test_record_check(void **state)
{
	fixture f;
	char    why[FS_WHY_MAX];
	fs_key *other;

	(void) state;
	assert_int_equal(fs_key_generate(&f.issuer), FS_OK);
	assert_int_equal(fs_key_generate(&other), FS_OK);

	make(
	    &f, "bank-a", "credit_loan", FS_SCOPE_BREAKDOWN, "score", T0 + 600);
	assert_int_equal(check_record(&f, why), FS_OK);
	// Not the log's entry.
	{
		fs_claims c;
		char     *e = strdup(f.r.entry);

		e[2] ^= 1;
		assert_int_equal(
		    fs_audit_record_check(&f.r, e, strlen(e),
		        fs_key_public(f.issuer), REGION, &c, why, sizeof(why)),
		    FS_ERR_BAD_PROOF);
		free(e);
	}
	// A salt that does not open the commitment.
	f.r.salt[0] ^= 1;
	assert_int_equal(check_record(&f, why), FS_ERR_BAD_PROOF);
	assert_non_null(strstr(why, "subject commitment"));
	f.r.salt[0] ^= 1;
	// Another issuer key.
	{
		fs_claims c;

		assert_int_equal(
		    fs_audit_record_check(&f.r, f.r.entry, f.r.entry_len,
		        fs_key_public(other), REGION, &c, why, sizeof(why)),
		    FS_ERR_WRONG_KEY);
	}
	unmake(&f);

	// Expired before the entry's time (beyond the allowed skew).
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score",
	    T0 + 5 - FS_SKEW_DEFAULT);
	assert_int_equal(check_record(&f, why), FS_ERR_EXPIRED);
	assert_non_null(strstr(why, "not valid at the entry's time"));
	unmake(&f);
	// A scope the consent does not cover.
	make(&f, "bank-a", "credit_loan", FS_SCOPE_TIER, "breakdown", T0 + 600);
	assert_int_equal(check_record(&f, why), FS_ERR_SCOPE);
	unmake(&f);
	assert_true(fs_audit_scope_covers(FS_SCOPE_SCORE, "tier"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_SELF, "tier"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_BREAKDOWN, "self"));
	// An attest consent answers with an attestation of the tier and
	// score, or of the tier only (the credit code): as the coordinator
	// allows, never a plain score.
	assert_true(fs_audit_scope_covers(FS_SCOPE_ATTEST, "attest"));
	assert_true(fs_audit_scope_covers(FS_SCOPE_ATTEST, "tier"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_ATTEST, "score"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_SCORE, "attest"));
	fs_key_free(f.issuer);
	fs_key_free(other);
}

static fs_release
release(const fs_audit_record *r, const char *node, int line)
{
	fs_release rel = { .line = line, .time_ms = r->time_ms + 100 };
	fs_claims  c;

	snprintf(rel.node, sizeof(rel.node), "%s", node);
	snprintf(rel.requester, sizeof(rel.requester), "%s", r->requester);
	snprintf(rel.purpose, sizeof(rel.purpose), "%s", r->purpose);
	// The fixture's receipt is the consent's hash.
	memcpy(rel.receipt, r->consent_hash, 32);
	assert_int_equal(
	    fs_token_peek(&c, r->consent, strlen(r->consent)), FS_OK);
	crypto_generichash(rel.jti_hash, 32, c.jti, FS_JTI_BYTES, NULL, 0);
	return (rel);
}

static void
test_reconcile(void **state)
{
	fixture         f;
	fs_release      rel[3];
	fs_audit_report rep;
	const char      line[] = "{\"time_ms\":1,\"receipt\":\"BBBBBBBBBBBBBBBB"
	                         "BBBBBBBBBBBBBBBBBBBBBBBBBBA\",\"jti_hash\":"
	                         "\"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
	                         "A\",\"requester\":\"bank-a\",\"purpose\":"
	                         "\"credit_loan\"}";

	(void) state;
	assert_int_equal(fs_key_generate(&f.issuer), FS_OK);
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score", T0 + 600);

	// Matched both ways.
	rel[0] = release(&f.r, "traffic", 1);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 1, &rep), FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);

	// A receipt no release has.
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 0, &rep), FS_OK);
	assert_true(report_has(&rep, "disclosure 0: receipt"));
	fs_audit_report_fini(&rep);

	// A release no disclosure lists; the same receipt twice; another
	// requester.
	assert_int_equal(fs_release_parse(&rel[1], line, strlen(line)), FS_OK);
	snprintf(rel[1].node, sizeof(rel[1].node), "court");
	rel[1].line = 4;
	rel[2]      = release(&f.r, "tax", 2);
	snprintf(rel[2].requester, sizeof(rel[2].requester), "bank-b");
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 3, &rep), FS_OK);
	assert_true(report_has(&rep, "node court, release at line 4"));
	assert_true(report_has(&rep, "without recording it"));
	assert_true(report_has(&rep, "released twice"));
	assert_int_equal(rep.findings, 2);
	fs_audit_report_fini(&rep);
	rel[2] = release(&f.r, "tax", 2);
	snprintf(rel[2].requester, sizeof(rel[2].requester), "bank-b");
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel + 2, 1, &rep), FS_OK);
	assert_true(report_has(&rep, "to bank-b for credit_loan"));
	fs_audit_report_fini(&rep);

	assert_int_equal(fs_release_parse(&rel[0], "{}", 2), FS_ERR_MALFORMED);
	unmake(&f);
	fs_key_free(f.issuer);
}

// to_v2 rewrites the fixture's entry as a format 2 entry: the lookup's
// request id and the request sent to node "court", whose hash is req
// (base64url); interrupted, without receipts, answers or result.
static void
to_v2(fixture *f, const char *req, bool interrupted)
{
	json_t *e = json_loadb(f->r.entry, f->r.entry_len, 0, NULL);

	assert_non_null(e);
	json_object_set_new(e, "v", json_integer(2));
	json_object_set_new(
	    e, "request", json_string("AAECAwQFBgcICQoLDA0ODw"));
	json_object_set_new(e, "asked", json_pack("{s:s}", "court", req));
	if (interrupted) {
		json_object_del(e, "receipts");
		json_object_del(e, "nodes");
		json_object_set_new(e, "type", json_string("interrupted"));
	}
	free(f->r.entry);
	f->r.entry = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(f->r.entry);
	f->r.entry_len = strlen(f->r.entry);
	json_decref(e);
}

// An interrupted lookup: the coordinator recorded the request it sent to
// each node before asking, and stopped before recording the outcome.  A
// release of that request is explained by the entry; one of another
// request is not.  A disclosure that did not count a late answer
// explains its release the same way.
static void
test_reconcile_interrupted(void **state)
{
	fixture         f;
	fs_release      rel[2];
	fs_audit_report rep;
	fs_audit_entry  e;
	char            why[FS_WHY_MAX], req[64];
	uint8_t         rh[32];

	(void) state;
	assert_int_equal(fs_key_generate(&f.issuer), FS_OK);
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score", T0 + 600);
	memset(rh, 9, sizeof(rh));
	fs_b64_encode(req, rh, sizeof(rh));
	to_v2(&f, req, true);
	assert_int_equal(
	    fs_audit_entry_parse(&e, f.r.entry, f.r.entry_len), FS_OK);
	assert_int_equal(e.version, 2);
	assert_int_equal(e.kind, FS_AUDIT_INTERRUPTED);
	assert_int_equal(e.nasked, 1);
	assert_int_equal(e.nreceipts, 0);
	assert_memory_equal(e.asked[0], rh, 32);
	// Its full record checks as a disclosure's: the consent was valid.
	assert_int_equal(check_record(&f, why), FS_OK);

	rel[0]             = release(&f.r, "court", 1);
	rel[0].has_request = true;
	memcpy(rel[0].request_hash, rh, 32);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 1, &rep), FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);

	// Another request, and the same request released twice.
	rel[1] = rel[0];
	rel[1].receipt[0] ^= 1;
	rel[1].line = 2;
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 2, &rep), FS_OK);
	assert_true(report_has(&rep, "released twice"));
	assert_int_equal(rep.findings, 1);
	fs_audit_report_fini(&rep);
	rel[1].request_hash[0] ^= 1;
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 2, &rep), FS_OK);
	assert_true(report_has(&rep, "without recording it"));
	assert_int_equal(rep.findings, 1);
	fs_audit_report_fini(&rep);
	unmake(&f);

	// A disclosure of format 2 that lists a receipt, and did not count
	// another node's answer, which came late: both releases match.
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score", T0 + 600);
	to_v2(&f, req, false);
	assert_int_equal(
	    fs_audit_entry_parse(&e, f.r.entry, f.r.entry_len), FS_OK);
	assert_int_equal(e.kind, FS_AUDIT_DISCLOSURE);
	rel[0] = release(&f.r, "traffic", 1);
	rel[1] = release(&f.r, "court", 1);
	rel[1].receipt[0] ^= 1;
	rel[1].has_request = true;
	memcpy(rel[1].request_hash, rh, 32);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 2, &rep), FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);
	unmake(&f);
	fs_key_free(f.issuer);
}

// recs makes n records of requester at times t0 + i * step_ms, subject
// i % subjects, consent token (by hash) i % tokens.
static fs_audit_record *
recs(size_t n, const char *requester, int64_t t0_ms, int64_t step_ms,
    size_t subjects, size_t tokens)
{
	fs_audit_record *r = calloc(n, sizeof(*r));

	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		r[i].index   = i;
		r[i].time_ms = t0_ms + (int64_t) i * step_ms;
		snprintf(
		    r[i].requester, sizeof(r[i].requester), "%s", requester);
		snprintf(r[i].purpose, sizeof(r[i].purpose), "credit_loan");
		memset(r[i].subject, 0, sizeof(r[i].subject));
		memcpy(
		    r[i].subject, &(uint32_t) { (uint32_t) (i % subjects) }, 4);
		memcpy(r[i].consent_hash,
		    &(uint32_t) { (uint32_t) (i % tokens) }, 4);
	}
	return (r);
}

static size_t
anomalies(const fs_anomaly_conf *c, fs_audit_record *r, size_t n,
    fs_audit_report *rep)
{
	fs_audit_report_init(rep);
	assert_int_equal(fs_audit_anomalies(c, r, n, rep), FS_OK);
	return (rep->findings);
}

static void
test_anomalies(void **state)
{
	fs_anomaly_conf  c;
	fs_audit_report  rep;
	fs_audit_record *r;
	// 10:00 in China (UTC+8) is 02:00 UTC.
	int64_t day = (int64_t) 1795392000 * 1000; // 2026-11-23T00:00:00Z
	int64_t ten = day + 2 * 3600 * 1000;
	char    why[FS_WHY_MAX];

	(void) state;
	fs_anomaly_conf_default(&c);
	assert_int_equal(c.max_subjects, 50);
	assert_true(c.quiet && c.quiet_from == 0 && c.quiet_to == 6);

	// 40 lookups of 40 subjects, one a minute, at 10:00: nothing.
	r = recs(40, "bank-a", ten, 60000, 40, 40);
	assert_int_equal(anomalies(&c, r, 40, &rep), 0);
	fs_audit_report_fini(&rep);
	// The threshold lowered: too many subjects in an hour.
	c.max_subjects = 30;
	assert_int_equal(anomalies(&c, r, 40, &rep), 1);
	assert_true(report_has(&rep, "requester bank-a: 40 distinct subjects"));
	fs_audit_report_fini(&rep);
	// ... but not within a window of ten minutes.
	c.window_ms = 10 * 60 * 1000;
	assert_int_equal(anomalies(&c, r, 40, &rep), 0);
	fs_audit_report_fini(&rep);
	free(r);

	// A burst: 70 lookups of the same subject in 35 seconds.
	fs_anomaly_conf_default(&c);
	r = recs(70, "bank-a", ten, 500, 1, 70);
	assert_int_equal(anomalies(&c, r, 70, &rep), 1);
	assert_true(report_has(&rep, "burst of 70 lookups"));
	fs_audit_report_fini(&rep);
	free(r);

	// Quiet hours: 03:00 in China.
	r = recs(2, "bank-a", day - 5 * 3600 * 1000, 1000, 2, 2);
	assert_int_equal(anomalies(&c, r, 2, &rep), 1);
	assert_true(report_has(&rep, "2 lookups in the quiet hours 00-06"));
	fs_audit_report_fini(&rep);
	c.quiet = false;
	assert_int_equal(anomalies(&c, r, 2, &rep), 0);
	fs_audit_report_fini(&rep);
	// One token disclosed to two requesters.
	snprintf(r[1].requester, sizeof(r[1].requester), "bank-b");
	memcpy(r[1].consent_hash, r[0].consent_hash, 32);
	assert_int_equal(anomalies(&c, r, 2, &rep), 1);
	assert_true(report_has(&rep, "disclosed to 2 requesters"));
	fs_audit_report_fini(&rep);
	free(r);

	// One token used far more often than the others: 30 of 60.
	r = recs(60, "bank-a", ten, 120000, 60, 60);
	for (size_t i = 0; i < 30; i++) {
		memcpy(r[i].consent_hash, r[59].consent_hash, 32);
	}
	assert_int_equal(anomalies(&c, r, 60, &rep), 1);
	assert_true(report_has(&rep, "disclosed 31 times, above 20"));
	fs_audit_report_fini(&rep);
	free(r);

	// Thresholds from a file.
	{
		const char ok[]
		    = "[anomalies]\nwindow = 10m\nmax_subjects = 5\n"
		      "max_rate_per_minute = 3\nquiet_hours = 22-6\n"
		      "utc_offset = 0\ntoken_max_uses = 4\n";

		assert_int_equal(fs_anomaly_conf_parse(&c, ok, strlen(ok),
		                     "a.conf", why, sizeof(why)),
		    FS_OK);
		assert_int_equal(c.window_ms, 600000);
		assert_int_equal(c.max_rate, 3);
		assert_true(c.quiet_from == 22 && c.quiet_to == 6);
		assert_int_equal(c.utc_offset_s, 0);
		assert_int_equal(c.token_max_uses, 4);
	}
	{
		const char *bad[] = { "[anomalies]\nquiet_hours = 7\n",
			"[anomalies]\nwindow = soon\n",
			"[anomalies]\nmax_subjects = 0\n",
			"[anomalies]\ncolour = red\n" };

		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(
			    fs_anomaly_conf_parse(&c, bad[i], strlen(bad[i]),
			        "a.conf", why, sizeof(why)),
			    FS_ERR_CONFIG);
			assert_non_null(strstr(why, "a.conf"));
		}
	}
}

static void
test_entry_parse(void **state)
{
	fs_audit_entry e;
	// A format this auditor does not know, an interrupted entry of
	// format 1, and an interrupted entry that claims answers.
	const char *bad[] = { "{}", "[]", "not json",
		"{\"time\":\"2026-11-23T16:20:33Z\"}",
		"{\"consent\":\"AA\",\"v\":3}",
		"{\"consent\":\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"purpose\":\"p\",\"requester\":\"r\",\"scope\":\"score\","
		"\"subject\":\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"time\":\"2026-11-23T16:20:33Z\",\"type\":\"interrupted\"}",
		"{\"asked\":{},\"consent\":"
		"\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"purpose\":\"p\",\"receipts\":[],\"request\":"
		"\"AAECAwQFBgcICQoLDA0ODw\",\"requester\":\"r\","
		"\"scope\":\"score\",\"subject\":"
		"\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"time\":\"2026-11-23T16:20:33Z\",\"type\":\"interrupted\","
		"\"v\":2}" };

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    fs_audit_entry_parse(&e, bad[i], strlen(bad[i])),
		    FS_ERR_MALFORMED);
	}
}

// node_log writes lines (each one entry) to path and the node's signed
// checkpoint of them to path.checkpoint.
static void
node_log(const char *path, const char *const *lines, size_t n, const fs_key *k)
{
	uint8_t leaves[8][32], root[32];
	char    cp[256], *body, *note;
	size_t  blen, nlen;
	FILE   *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		fs_merkle_leaf_hash(
		    leaves[i], (const uint8_t *) lines[i], strlen(lines[i]));
	}
	fclose(f);
	fs_merkle_root(root, leaves[0], n);
	assert_int_equal(fs_checkpoint_format(
	                     &body, &blen, "n.test/releases", n, root, NULL, 0),
	    FS_OK);
	assert_int_equal(
	    fs_note_sign(&note, &nlen, body, blen, "n.test/releases", k),
	    FS_OK);
	snprintf(cp, sizeof(cp), "%s.checkpoint", path);
	f = fopen(cp, "w");
	assert_non_null(f);
	fputs(note, f);
	fclose(f);
	free(body);
	free(note);
}

// A node's release log against its signed checkpoint and the last one
// verified: it may grow; it may not be rewritten, even when the node signs
// the rewritten log.
static void
test_release_log(void **state)
{
	static const char *const a[]
	    = { "{\"r\":1}", "{\"r\":2}", "{\"r\":3}" };
	static const char *const b[]
	    = { "{\"r\":1}", "{\"r\":X}", "{\"r\":3}" };
	char            dir[] = "/tmp/fs-audit-rel.XXXXXX";
	char            p[128], cp[160], st[128], why[FS_WHY_MAX];
	fs_key         *k;
	fs_audit_report rep;
	FILE           *f;

	(void) state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fs_key_generate(&k), FS_OK);
	snprintf(p, sizeof(p), "%s/r.jsonl", dir);
	snprintf(cp, sizeof(cp), "%s.checkpoint", p);
	snprintf(st, sizeof(st), "%s/state", dir);
	// Two entries, then three: the log grew, and the state follows it.
	node_log(p, a, 2, k);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k), st,
	                     &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 0);
	node_log(p, a, 3, k);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k), st,
	                     &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);
	// The second entry rewritten and signed again: the node's signature
	// holds, the state does not.
	node_log(p, b, 3, k);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k), st,
	                     &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 1);
	assert_non_null(strstr(rep.lines[rep.n - 1].text, "rewritten"));
	fs_audit_report_fini(&rep);
	// A line more than the checkpoint counts.
	node_log(p, a, 3, k);
	f = fopen(p, "a");
	assert_non_null(f);
	fputs("{\"r\":4}\n", f);
	fclose(f);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k),
	                     NULL, &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 1);
	assert_non_null(strstr(rep.lines[rep.n - 1].text, "counts 3"));
	fs_audit_report_fini(&rep);
	fs_key_free(k);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

// A disclosure after its consent was revoked, past the grace: a finding.
static void
test_revoked_check(void **state)
{
	fs_revocation  r  = { .at = 1000 };
	fs_revocations rs = { .r = &r, .n = 1 };
	fs_claims      c;
	char           why[FS_WHY_MAX];

	(void) state;
	memset(&c, 0, sizeof(c));
	memset(r.jti, 5, FS_JTI_BYTES);
	memcpy(c.jti, r.jti, FS_JTI_BYTES);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 999, 0, why, sizeof(why)), FS_OK);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 1000, 0, why, sizeof(why)), FS_OK);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 1120, 120, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 1121, 120, why, sizeof(why)),
	    FS_ERR_REVOKED);
	assert_non_null(strstr(why, "revoked at 1970-01-01T00:16:40Z"));
	assert_non_null(strstr(why, "121 s later (allowed: 120 s)"));
	c.jti[0] ^= 1;
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 5000, 0, why, sizeof(why)), FS_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tile_path),
		cmocka_unit_test(test_bundle_parse),
		cmocka_unit_test(test_hashtile_check),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_checkpoint_and_witnesses),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_record_check),
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_reconcile_interrupted),
		cmocka_unit_test(test_release_log),
		cmocka_unit_test(test_revoked_check),
		cmocka_unit_test(test_anomalies),
		cmocka_unit_test(test_entry_parse),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
