// SPDX-License-Identifier: Apache-2.0
//
// test_serve.c -- the node's answer to a lookup: who may ask, tokens
// checked and counted, revocation lists that fail closed, and the log of
// releases rebuilt to the same checkpoint.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "tests/node/fixture.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/revocations.h"
#include "wire/token.h"

// ask sends one lookup for subject with token as the coordinator (or as
// from, when not NULL) and returns the node's reply: the contribution in
// *c, or the refusal's code.
static fs_err
ask(fixture *fx, const fs_key *from, const uint8_t subject[static 32],
    const char *token, fs_contribution *c)
{
	fs_lookup       l = { 0 };
	fs_envelope_out m = { .type = FS_MSG_LOOKUP, .enc = FS_ENC_SEALED };
	fs_envelope     rep;
	fs_keyring      ring = { fs_key_public(fx->node), 1 };
	uint8_t        *body, *req, *buf;
	size_t          blen, reqlen, len;
	char            detail[600];
	fs_err          code;

	memcpy(l.subject, subject, 32);
	snprintf(l.token, sizeof(l.token), "%s", token);
	l.deadline_ms = fs_now_ms() + 10000;
	assert_int_equal(fs_lookup_encode(&l, &body, &blen), FS_OK);
	m.recipient = fs_key_public(fx->node);
	m.time_ms   = fs_now_ms();
	m.body      = body;
	m.body_len  = blen;
	assert_int_equal(fs_envelope_seal(from != NULL ? from : fx->coord, &m,
	                     &req, &reqlen),
	    FS_OK);
	fs_node_answer(fx->n, req, reqlen, &buf, &len);
	assert_int_equal(fs_envelope_open(&rep, buf, len, fx->coord,
	                     fs_keyring_lookup, &ring, fs_now_ms(), 300000),
	    FS_OK);
	free(body);
	free(req);
	free(buf);
	if (rep.type == FS_MSG_ERROR) {
		assert_int_equal(fs_error_body_decode(rep.body, rep.body_len,
		                     &code, detail, sizeof(detail)),
		    FS_OK);
		fs_envelope_fini(&rep);
		return (code);
	}
	assert_int_equal(rep.type, FS_MSG_CONTRIBUTION);
	assert_int_equal(rep.enc, FS_ENC_SEALED);
	assert_int_equal(
	    fs_contribution_decode(c, rep.body, rep.body_len), FS_OK);
	fs_envelope_fini(&rep);
	return (FS_OK);
}

static char *
token_for(fixture *fx, const uint8_t subject[static 32], uint32_t uses,
    uint8_t jti[static FS_JTI_BYTES])
{
	fs_claims c;
	char     *tok;

	fs_claims_init(&c);
	memcpy(c.sub, subject, 32);
	strcpy(c.iss, "iss");
	strcpy(c.aud, "bank");
	strcpy(c.purpose, "credit_loan");
	c.scope = FS_SCOPE_SCORE;
	c.iat = c.nbf = (int64_t) time(NULL);
	c.exp         = c.iat + 600;
	c.uses        = uses;
	assert_int_equal(fs_token_issue(&tok, fx->issuer, &c, "r"), FS_OK);
	memcpy(jti, c.jti, FS_JTI_BYTES);
	return (tok);
}

static int64_t
count(fixture *fx, const char *sql)
{
	sqlite3      *db;
	sqlite3_stmt *st;
	char          path[256];
	int64_t       v = -1;

	snprintf(path, sizeof(path), "%s/node.db.release", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (v);
}

// release_log_rebuilt exports the release log with its signed checkpoint,
// turns the release database back into version 1 (no tree) and opens
// the node again: the tree is rebuilt from the releases, to the same
// checkpoint.
static void
release_log_rebuilt(fixture *fx)
{
	char     why[FS_WHY_MAX], p[256], *note1, *note2;
	uint64_t n1, n2;
	FILE    *out = fopen("/dev/null", "w");
	sqlite3 *db;

	assert_non_null(out);
	assert_int_equal(
	    fs_node_releases_export(fx->n, out, &n1, &note1, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(n1, 2);
	assert_non_null(strstr(note1, "fedscore.r/t/releases\n2\n"));
	fs_node_close(fx->n);
	snprintf(p, sizeof(p), "%s/node.db.release", fx->dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	        "DROP TABLE release_hash; PRAGMA user_version = 1;", NULL, NULL,
	        NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(
	    fs_node_open(&fx->n, fx->conf, why, sizeof(why)), FS_OK);
	assert_int_equal(
	    fs_node_releases_export(fx->n, out, &n2, &note2, why, sizeof(why)),
	    FS_OK);
	// The same size and root; the signature line may differ only if
	// Ed25519 were randomized, which it is not.
	assert_string_equal(note1, note2);
	free(note1);
	free(note2);
	fclose(out);
}

static void
test_answer_checks_counts_and_logs(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256], version[FS_VERSION_MAX + 1];
	char            jtis[FS_JTI_STR_LEN + 1];
	uint8_t         y[FS_OPRF_OUTPUT_BYTES], sa[32], sb[32];
	uint8_t         jti[FS_JTI_BYTES], jti2[FS_JTI_BYTES];
	const char     *id = ID_A;
	bool            changed;
	fs_contribution c;
	fs_revlist      rl = { 0 };
	char           *t1, *t2, *tb;

	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
	crypto_generichash(
	    y, sizeof(y), (const uint8_t *) id, strlen(id), NULL, 0);
	assert_int_equal(fs_node_cache_put(fx->n, &id, y, 1), FS_OK);
	fs_pseudonym_subject(sa, y);
	memset(sb, 7, sizeof(sb));
	assert_int_equal(import(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n",
	                     why),
	    FS_OK);
	t1 = token_for(fx, sa, 2, jti);
	// Before any revocation list: fail closed.
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_ERR_STALE);
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_OK);
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(c.considered, 1);
	assert_string_equal(c.rules_version, version);
	fs_contribution_fini(&c);
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_OK);
	fs_contribution_fini(&c);
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_ERR_USED_UP);
	assert_int_equal(count(fx, "SELECT count(*) FROM release"), 2);
	assert_int_equal(count(fx, "SELECT uses FROM token_use"), 2);
	// Not the coordinator; another subject; no token.
	assert_int_equal(ask(fx, fx->node, sa, t1, &c), FS_ERR_UNREGISTERED);
	tb = token_for(fx, sb, 1, jti2);
	assert_int_equal(ask(fx, NULL, sa, tb, &c), FS_ERR_WRONG_SUBJECT);
	assert_int_equal(ask(fx, NULL, sa, "", &c), FS_ERR_REFUSED);
	// Revoked, and a list older than ours is not taken.
	t2 = token_for(fx, sa, 5, jti2);
	fs_jti_string(jtis, jti2);
	rl.seq = 3;
	rl.n   = 1;
	rl.jti = calloc(1, sizeof(*rl.jti));
	snprintf(rl.jti[0], sizeof(rl.jti[0]), "%s", jtis);
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_OK);
	assert_int_equal(ask(fx, NULL, sa, t2, &c), FS_ERR_REVOKED);
	rl.seq = 2;
	rl.n   = 0;
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_ERR_REPLAYED);
	assert_int_equal(ask(fx, NULL, sa, t2, &c), FS_ERR_REVOKED);
	// A list fetched too long ago: fail closed again.
	rl.seq = 3;
	rl.n   = 1;
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms() - 3 * 60 * 1000),
	    FS_OK);
	assert_int_equal(ask(fx, NULL, sa, t2, &c), FS_ERR_STALE);
	assert_int_equal(count(fx, "SELECT count(*) FROM release"), 2);
	release_log_rebuilt(fx);
	fs_revlist_fini(&rl);
	free(t1);
	free(t2);
	free(tb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_answer_checks_counts_and_logs, setup_node,
		    teardown_node),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
