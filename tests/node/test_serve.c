// SPDX-License-Identifier: Apache-2.0
//
// test_serve.c -- the node's answer to a lookup: who may ask, tokens
// checked and counted, revocation lists that fail closed, and the log of
// releases rebuilt to the same checkpoint.

#include <sodium.h>

#include <pthread.h>
#include <stdbool.h>

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

// seal_lookup makes a lookup for subject with token, sealed to the node by
// the coordinator (or by from, when not NULL).
static void
seal_lookup(fixture *fx, const fs_key *from, const uint8_t subject[static 32],
    const char *token, uint8_t **reqp, size_t *reqlenp)
{
	fs_lookup       l = { 0 };
	fs_envelope_out m = { .type = FS_MSG_LOOKUP, .enc = FS_ENC_SEALED };
	uint8_t        *body;
	size_t          blen;

	memcpy(l.subject, subject, 32);
	snprintf(l.token, sizeof(l.token), "%s", token);
	l.deadline_ms = fs_now_ms() + 10000;
	assert_int_equal(fs_lookup_encode(&l, &body, &blen), FS_OK);
	m.recipient = fs_key_public(fx->node);
	m.time_ms   = fs_now_ms();
	m.body      = body;
	m.body_len  = blen;
	assert_int_equal(fs_envelope_seal(from != NULL ? from : fx->coord, &m,
	                     reqp, reqlenp),
	    FS_OK);
	free(body);
}

// open_reply opens the node's reply buf (and frees it): the contribution
// in *c, or the refusal's code.
static fs_err
open_reply(fixture *fx, uint8_t *buf, size_t len, fs_contribution *c)
{
	fs_envelope rep;
	fs_keyring  ring = { fs_key_public(fx->node), 1 };
	char        detail[600];
	fs_err      code;

	assert_int_equal(fs_envelope_open(&rep, buf, len, fx->coord,
	                     fs_keyring_lookup, &ring, fs_now_ms(), 300000),
	    FS_OK);
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

// ask sends one lookup for subject with token as the coordinator (or as
// from, when not NULL) and returns the node's reply: the contribution in
// *c, or the refusal's code.
static fs_err
ask(fixture *fx, const fs_key *from, const uint8_t subject[static 32],
    const char *token, fs_contribution *c)
{
	uint8_t *req, *buf;
	size_t   reqlen, len;

	seal_lookup(fx, from, subject, token, &req, &reqlen);
	fs_node_answer(fx->n, req, reqlen, &buf, &len);
	free(req);
	return (open_reply(fx, buf, len, c));
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

// A lookup during an import --------------------------------------------

// Events, in the order they happen.
enum { EV_WRITING = 1, EV_ANSWERED, EV_IMPORTED };

// An import whose progress, called on the importing thread while it
// writes inside its transaction, starts a lookup on another thread and
// lets the import go on only once the lookup is answered.
typedef struct during {
	fs_node        *n;
	uint8_t        *req, *rep;
	size_t          reqlen, replen;
	pthread_t       thr;
	bool            started;
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	int             ev[3]; // the first three events
	size_t          nev;
} during;

static void
event(during *d, int ev)
{
	pthread_mutex_lock(&d->mu);
	if (d->nev < 3) {
		d->ev[d->nev] = ev;
	}
	d->nev++;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static void *
lookup_thread(void *arg)
{
	during *d = arg;

	fs_node_answer(d->n, d->req, d->reqlen, &d->rep, &d->replen);
	event(d, EV_ANSWERED);
	return (NULL);
}

static void
while_writing(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	during         *d = arg;
	struct timespec ts;

	(void) done;
	(void) total;
	if (strcmp(phase, "writing") != 0 || d->started) {
		return;
	}
	d->started = true;
	event(d, EV_WRITING);
	assert_int_equal(pthread_create(&d->thr, NULL, lookup_thread, d), 0);
	// The order of events is what is tested.  The bound only keeps a
	// lookup that waits for the import (which waits here) from hanging
	// the test: the import then goes on, and the order is wrong.
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	pthread_mutex_lock(&d->mu);
	while (d->nev < 2 && pthread_cond_timedwait(&d->cv, &d->mu, &ts) == 0) {
	}
	pthread_mutex_unlock(&d->mu);
}

// A lookup is answered while an import of the same node is writing, small
// or bulk (which drops the index by citizen in its transaction), from the
// records as they were before the import; after it, from the new ones.
static void
test_lookup_during_import(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256], text[512];
	uint8_t         y[FS_OPRF_OUTPUT_BYTES], sa[32], jti[FS_JTI_BYTES];
	const char     *id = ID_A;
	fs_revlist      rl = { 0 };
	fs_contribution c;
	fs_import_stats st;
	char           *tok;

	rules(fx);
	cache(fx, ID_A);
	crypto_generichash(
	    y, sizeof(y), (const uint8_t *) id, strlen(id), NULL, 0);
	fs_pseudonym_subject(sa, y);
	assert_int_equal(import(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n",
	                     why),
	    FS_OK);
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_OK);
	tok = token_for(fx, sa, 4, jti);
	snprintf(p, sizeof(p), "%s/records.csv", fx->dir);
	for (int bulk = 0; bulk < 2; bulk++) {
		during d = { .n = fx->n };

		pthread_mutex_init(&d.mu, NULL);
		pthread_cond_init(&d.cv, NULL);
		node_big_import = bulk ? 1 : 100000;
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "N1," ID_A ",NEG,e1,2024-01-01\n"
		    "N2," ID_A ",NEG,e2,2024-01-01\n%s",
		    bulk ? "N3," ID_A ",NEG,e3,2024-01-01\n" : "");
		put(p, text);
		seal_lookup(fx, NULL, sa, tok, &d.req, &d.reqlen);
		assert_int_equal(fs_node_records_import(fx->n, p, while_writing,
		                     &d, &st, why, sizeof(why)),
		    FS_OK);
		event(&d, EV_IMPORTED);
		assert_true(st.bulk == (bulk == 1));
		assert_true(d.started);
		assert_int_equal(pthread_join(d.thr, NULL), 0);
		assert_int_equal(d.nev, 3);
		assert_int_equal(d.ev[0], EV_WRITING);
		assert_int_equal(d.ev[1], EV_ANSWERED);
		assert_int_equal(d.ev[2], EV_IMPORTED);
		assert_int_equal(open_reply(fx, d.rep, d.replen, &c), FS_OK);
		assert_int_equal(c.considered, 1 + bulk);
		fs_contribution_fini(&c);
		assert_int_equal(ask(fx, NULL, sa, tok, &c), FS_OK);
		assert_int_equal(c.considered, 2 + bulk);
		fs_contribution_fini(&c);
		free(d.req);
		pthread_cond_destroy(&d.cv);
		pthread_mutex_destroy(&d.mu);
	}
	node_big_import = 100000;
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_answer_checks_counts_and_logs, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_lookup_during_import, setup_node, teardown_node),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
