// SPDX-License-Identifier: Apache-2.0
//
// serve.c -- fedscore node serve: answer the coordinator's consented
// lookups.
//
// A node never releases data on the coordinator's word alone.  For each
// request, in order: the envelope (size, form, the configured
// coordinator's signature, addressed to us, clock skew, sealed), a lookup
// and nothing else, not replayed, its deadline, the revocation list fresh
// enough, the consent token (issuer signature, region, times, not
// revoked), its subject equal to the subject looked up, a scope that
// needs the score, and uses left.  Every refusal is a signed error with
// its own code, logged without personal data; the daemon keeps serving.
//
// Revocation.  The list is fetched from the issuer at start and every
// revocation_refresh (default 5 s) by a thread of its own, and kept in
// the release database, so a restart does not forget it.  When the
// issuer cannot be reached the node keeps its last list and logs; past
// revocation_max_age (default 2 min) since the last successful fetch it
// fails closed: every lookup is refused as stale, because a revoked
// consent must not keep working while the issuer is unreachable.
//
// Uses.  A token's uses are counted per jti hash in the release database,
// in the same transaction that appends the release to the log (time,
// request hash, jti hash, requester, purpose, contribution hash, and the
// receipt: the hash of the sealed reply, which the coordinator lists in
// its disclosure), so a release is never given without being counted and
// logged.  fs_node_releases_export writes the log for auditors.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "common/daemon.h"
#include "common/db.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "net/issuer_client.h"
#include "net/replay.h"
#include "net/transport.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/consent.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/revocations.h"
#include "wire/token.h"

static fs_err
revlist_copy(fs_revlist *dst, const fs_revlist *src)
{
	fs_revlist out = *src;

	out.jti = NULL;
	if (src->n > 0) {
		if ((out.jti = calloc(src->n, sizeof(*out.jti))) == NULL) {
			return (FS_ERR_NOMEM);
		}
		memcpy(out.jti, src->jti, src->n * sizeof(*out.jti));
	}
	*dst = out;
	return (FS_OK);
}

static fs_err
revlist_save(fs_node *n)
{
	sqlite3_stmt *st;
	char         *all;
	size_t        o = 0;
	int           rc;

	if ((all = malloc(n->rl.n * (FS_JTI_MAX + 1) + 1)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	all[0] = '\0';
	for (size_t i = 0; i < n->rl.n; i++) {
		o += (size_t) sprintf(
		    all + o, "%s%s", i ? "\n" : "", n->rl.jti[i]);
	}
	if (sqlite3_prepare_v2(n->rdb,
	        "INSERT INTO revlist (k, seq, time_ms, fetched_ms, jtis) "
	        "VALUES (1, ?, ?, ?, ?) ON CONFLICT(k) DO UPDATE SET "
	        "seq = excluded.seq, time_ms = excluded.time_ms, "
	        "fetched_ms = excluded.fetched_ms, jtis = excluded.jtis",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		free(all);
		return (FS_ERR_IO);
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64) n->rl.seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64) n->rl.time_ms);
	sqlite3_bind_int64(st, 3, (sqlite3_int64) n->rl_fetched_ms);
	sqlite3_bind_text(st, 4, all, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(all);
	return (rc == SQLITE_DONE ? FS_OK : FS_ERR_IO);
}

static void
revlist_load(fs_node *n)
{
	sqlite3_stmt *st;
	fs_revlist    rl = { 0 };

	if (sqlite3_prepare_v2(n->rdb,
	        "SELECT seq, time_ms, fetched_ms, jtis FROM revlist", -1, &st,
	        NULL)
	    != SQLITE_OK) {
		return;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *p   = (const char *) sqlite3_column_text(st, 3);
		size_t      cnt = *p != '\0';

		for (const char *q = p; *q != '\0'; q++) {
			cnt += *q == '\n';
		}
		rl.seq     = (uint64_t) sqlite3_column_int64(st, 0);
		rl.time_ms = (uint64_t) sqlite3_column_int64(st, 1);
		if (cnt == 0
		    || (rl.jti = calloc(cnt, sizeof(*rl.jti))) != NULL) {
			while (*p != '\0') {
				size_t k = strcspn(p, "\n");

				snprintf(rl.jti[rl.n++], FS_JTI_MAX + 1, "%.*s",
				    (int) (k > FS_JTI_MAX ? FS_JTI_MAX : k), p);
				p += k + (p[k] == '\n');
			}
			n->rl      = rl;
			n->have_rl = true;
			n->rl_fetched_ms
			    = (uint64_t) sqlite3_column_int64(st, 2);
		}
	}
	sqlite3_finalize(st);
}

fs_err
fs_node_set_revocations(fs_node *n, const fs_revlist *rl, uint64_t fetched_ms)
{
	fs_revlist copy;
	fs_err     rv;

	pthread_mutex_lock(&n->mtx);
	if (n->have_rl && rl->seq < n->rl.seq) {
		// An older list than ours: never go back.
		pthread_mutex_unlock(&n->mtx);
		return (FS_ERR_REPLAYED);
	}
	if ((rv = revlist_copy(&copy, rl)) == FS_OK) {
		fs_revlist_fini(&n->rl);
		n->rl            = copy;
		n->have_rl       = true;
		n->rl_fetched_ms = fetched_ms;
		// The release database is shared with releases: one user at
		// a time, so a save never lands in a release's transaction.
		pthread_mutex_lock(&n->relmtx);
		rv = revlist_save(n);
		pthread_mutex_unlock(&n->relmtx);
	}
	pthread_mutex_unlock(&n->mtx);
	return (rv);
}

// prepared returns *stp, prepared from sql the first time.
static sqlite3_stmt *
prepared(sqlite3 *db, sqlite3_stmt **stp, const char *sql)
{
	if (*stp == NULL
	    && sqlite3_prepare_v3(
	           db, sql, -1, SQLITE_PREPARE_PERSISTENT, stp, NULL)
	        != SQLITE_OK) {
		return (NULL);
	}
	return (*stp);
}

// release counts one use of the token and logs the release, or refuses.
static fs_err
release(fs_node *n, const fs_envelope *env, const fs_claims *cl,
    const uint8_t *body, size_t blen, const uint8_t *rep, size_t replen,
    char *why, size_t whycap)
{
	uint8_t rh[FS_HASH_BYTES];

	uint8_t         jh[FS_HASH_BYTES], ch[FS_HASH_BYTES];
	sqlite3_stmt   *st;
	int64_t         used = 0, now = (int64_t) fs_now_ms();
	fs_err          rv = FS_ERR_IO;
	fs_merkle_state saved;
	node_release    entry = { .time_ms = now,
		   .request_hash           = env->hash,
		   .jti_hash               = jh,
		   .contribution_hash      = ch,
		   .receipt                = rh,
		   .requester              = cl->aud,
		   .purpose                = cl->purpose };

	crypto_generichash(jh, sizeof(jh), cl->jti, FS_JTI_BYTES, NULL, 0);
	crypto_generichash(ch, sizeof(ch), body, blen, NULL, 0);
	crypto_generichash(rh, sizeof(rh), rep, replen, NULL, 0);
	pthread_mutex_lock(&n->relmtx);
	saved = n->rmst;
	if (fs_db_begin(n->rdb) != FS_OK) {
		snprintf(why, whycap, "cannot count the use: %s",
		    sqlite3_errmsg(n->rdb));
		pthread_mutex_unlock(&n->relmtx);
		return (FS_ERR_IO);
	}
	if ((st = prepared(n->rdb, &n->st_use_get,
	         "SELECT uses FROM token_use WHERE jti_hash = ?"))
	    == NULL) {
		goto out;
	}
	sqlite3_bind_blob(st, 1, jh, sizeof(jh), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		used = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (used >= (int64_t) cl->uses) {
		snprintf(why, whycap, "consent allows %u lookup%s, all used",
		    cl->uses, cl->uses == 1 ? "" : "s");
		rv = FS_ERR_USED_UP;
		goto out;
	}
	if ((st = prepared(n->rdb, &n->st_use_put,
	         "INSERT INTO token_use (jti_hash, uses, first_ms, last_ms) "
	         "VALUES (?1, 1, ?2, ?2) ON CONFLICT(jti_hash) DO UPDATE SET "
	         "uses = uses + 1, last_ms = ?2"))
	    == NULL) {
		goto out;
	}
	sqlite3_bind_blob(st, 1, jh, sizeof(jh), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		goto out;
	}
	sqlite3_reset(st);
	if ((st = prepared(n->rdb, &n->st_release,
	         "INSERT INTO release (time_ms, request_hash, jti_hash, "
	         "requester, purpose, contribution_hash, receipt) "
	         "VALUES (?, ?, ?, ?, ?, ?, ?)"))
	    == NULL) {
		goto out;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_blob(st, 2, env->hash, FS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, jh, sizeof(jh), SQLITE_STATIC);
	sqlite3_bind_text(st, 4, cl->aud, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cl->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, ch, sizeof(ch), SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, rh, sizeof(rh), SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		goto out;
	}
	sqlite3_reset(st);
	// The entry joins the release log's tree in the same transaction.
	if (node_release_log_append(n, &entry) == FS_OK
	    && fs_db_commit(n->rdb) == FS_OK) {
		pthread_mutex_unlock(&n->relmtx);
		return (FS_OK);
	}
out:
	if (rv == FS_ERR_IO) {
		snprintf(why, whycap,
		    "cannot count the use and log the "
		    "release: %s",
		    sqlite3_errmsg(n->rdb));
	}
	fs_db_rollback(n->rdb);
	n->rmst = saved;
	pthread_mutex_unlock(&n->relmtx);
	return (rv);
}

// consent checks the token of l under the lock, and scores.
static fs_err
consent(fs_node *n, const fs_lookup *l, uint64_t now, fs_claims *cl,
    fs_contribution *c, char *why, size_t whycap)
{
	fs_node_record *recs = NULL;
	size_t          cnt;
	fs_err          rv;

	if (!n->have_rl || now > n->rl_fetched_ms + (uint64_t) n->max_age_ms) {
		snprintf(why, whycap,
		    "the node's revocation list is %s (at most %llds old "
		    "allowed): refusing until the issuer answers",
		    n->have_rl ? "too old" : "not fetched yet",
		    (long long) (n->max_age_ms / 1000));
		return (FS_ERR_STALE);
	}
	if (l->token[0] == '\0') {
		snprintf(why, whycap,
		    "expected the citizen's consent token, "
		    "found none");
		return (FS_ERR_REFUSED);
	}
	if ((rv = fs_consent_verify(cl, l->token, strlen(l->token),
	         &n->issuer.key, n->issuer.region, &n->rl,
	         (int64_t) (now / 1000), why, whycap))
	    != 0) {
		if (rv == FS_ERR_REVOKED) {
			// The log keeps token ids out, as the release log does.
			snprintf(why, whycap,
			    "consent revoked (revocation list %llu)",
			    (unsigned long long) n->rl.seq);
		}
		return (rv);
	}
	if (sodium_memcmp(cl->sub, l->subject, FS_SUBJECT_BYTES) != 0) {
		snprintf(why, whycap,
		    "expected a consent token for the subject "
		    "looked up, found one for another subject");
		return (FS_ERR_WRONG_SUBJECT);
	}
	switch (cl->scope) {
	case FS_SCOPE_TIER:
	case FS_SCOPE_SCORE:
	case FS_SCOPE_BREAKDOWN:
	case FS_SCOPE_ATTEST:
	case FS_SCOPE_SELF:
		break;
	default:
		snprintf(why, whycap, "expected a scope that needs the score");
		return (FS_ERR_SCOPE);
	}
	if ((rv = node_rules_current(n)) != 0
	    || (rv = node_records_load(n, l->subject, &recs, &cnt)) != 0
	    || (rv = fs_score(
	            &n->rules, recs, cnt, fs_today((int64_t) (now / 1000)), c))
	        != 0) {
		snprintf(why, whycap, "cannot compute the contribution: %s",
		    fs_strerror(rv));
	}
	free(recs);
	return (rv);
}

// answer_witness cosigns a checkpoint of the coordinator's log, or says
// why not.
static void
answer_witness(fs_node *n, const fs_envelope *env, const uint8_t *req,
    size_t len, uint8_t **repp, size_t *replenp)
{
	fs_envelope_out out
	    = { .type = FS_MSG_COSIGNATURE, .enc = FS_ENC_NONE };
	uint8_t *body            = NULL;
	char     why[FS_WHY_MAX] = "";
	fs_err   rv;

	if ((rv = fs_replay_check(n->replay, env, fs_now_ms())) != FS_OK) {
		snprintf(why, sizeof(why), "this request was received before");
	} else {
		rv = node_witness(
		    n, env, &body, &out.body_len, why, sizeof(why));
	}
	if (rv != FS_OK) {
		fs_log(FS_LOG_WARN, NODE_WHO, "refused to cosign: %s (%s): %s",
		    fs_strerror(rv), fs_err_name(rv), why);
		(void) fs_reply_error(n->key, req, len, rv, why, repp, replenp);
		return;
	}
	out.recipient = &n->coordinator;
	out.reply_to  = env->hash;
	out.time_ms   = fs_now_ms();
	out.body      = body;
	(void) fs_envelope_seal(n->key, &out, repp, replenp);
	free(body);
}

void
fs_node_answer(
    fs_node *n, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_envelope     env = { 0 };
	fs_envelope_out out
	    = { .type = FS_MSG_CONTRIBUTION, .enc = FS_ENC_SEALED };
	fs_lookup      *l    = NULL;
	fs_claims       cl   = { 0 };
	fs_contribution c    = { 0 };
	uint8_t        *body = NULL, *reply = NULL;
	size_t          blen = 0, replylen = 0;
	char            why[FS_WHY_MAX] = "", hid[17];
	uint8_t         rh[FS_HASH_BYTES];
	uint64_t        now = fs_now_ms();
	fs_err          rv;

	rv = fs_envelope_open(&env, req, len, n->key, fs_keyring_lookup,
	    &n->ring, now, (uint64_t) n->skew_ms);
	if (rv != FS_OK) {
		snprintf(why, sizeof(why),
		    "expected an envelope from the coordinator: %s",
		    fs_strerror(rv));
	} else if (env.type == FS_MSG_WITNESS) {
		answer_witness(n, &env, req, len, repp, replenp);
		fs_envelope_fini(&env);
		return;
	} else if (env.type != FS_MSG_LOOKUP) {
		snprintf(why, sizeof(why),
		    "expected a lookup (type %d), found type %u", FS_MSG_LOOKUP,
		    env.type);
		rv = FS_ERR_TYPE;
	} else if (env.enc != FS_ENC_SEALED) {
		snprintf(why, sizeof(why),
		    "expected a lookup sealed to this node, found one in "
		    "clear");
		rv = FS_ERR_MALFORMED;
	} else if ((rv = fs_replay_check(n->replay, &env, now)) != 0) {
		snprintf(why, sizeof(why), "this request was received before");
	} else if ((l = malloc(sizeof(*l))) == NULL) {
		rv = FS_ERR_NOMEM;
	} else if ((rv = fs_lookup_decode(l, env.body, env.body_len)) != 0) {
		snprintf(why, sizeof(why),
		    "expected a lookup body [request_id, subject, token, "
		    "deadline_ms]: %s",
		    fs_strerror(rv));
	} else if (now > l->deadline_ms) {
		snprintf(why, sizeof(why),
		    "the coordinator's deadline passed %llu ms ago",
		    (unsigned long long) (now - l->deadline_ms));
		rv = FS_ERR_TIMEOUT;
	} else {
		pthread_mutex_lock(&n->mtx);
		rv = consent(n, l, now, &cl, &c, why, sizeof(why));
		pthread_mutex_unlock(&n->mtx);
		if (rv == FS_OK) {
			rv = fs_contribution_encode(&c, &body, &blen);
		}
		// The reply is made first: its hash is the receipt the
		// release log keeps, and it is given only once logged.
		if (rv == FS_OK) {
			out.recipient = &n->coordinator;
			out.reply_to  = env.hash;
			out.time_ms   = fs_now_ms();
			out.body      = body;
			out.body_len  = blen;
			rv = fs_envelope_seal(n->key, &out, &reply, &replylen);
		}
		if (rv == FS_OK) {
			rv = release(n, &env, &cl, body, blen, reply, replylen,
			    why, sizeof(why));
		}
	}
	// The log names the request by its hash, as the reply binds to it.
	crypto_generichash(rh, sizeof(rh), req, len, NULL, 0);
	fs_hexid(hid, rh);
	if (rv == FS_OK) {
		*repp    = reply;
		*replenp = replylen;
		reply    = NULL;
		fs_log(FS_LOG_INFO, NODE_WHO,
		    "released to %s for %s (request %s): %u of %u records "
		    "counted%s",
		    cl.aud, cl.purpose, hid, c.counted, c.considered,
		    c.disputed ? ", disputed" : "");
	} else {
		fs_log(FS_LOG_WARN, NODE_WHO, "refused request %s: %s (%s)%s%s",
		    hid, fs_strerror(rv), fs_err_name(rv), why[0] ? ": " : "",
		    why);
		(void) fs_reply_error(n->key, req, len, rv, why, repp, replenp);
	}
	if (l != NULL) {
		sodium_memzero(l, sizeof(*l));
	}
	free(l);
	free(body);
	free(reply);
	fs_contribution_fini(&c);
	fs_envelope_fini(&env);
}

static void
handle(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_node_answer(arg, req, len, repp, replenp);
}

// fetch gets the list once; it logs only changes of state.
static void
fetch(fs_node *n, fs_issuer_client *ic, bool *ok)
{
	fs_revlist rl;
	char       why[FS_WHY_MAX] = "";
	fs_err     rv;

	rv = fs_issuer_revocations(ic, &rl, why, sizeof(why));
	if (rv == FS_OK) {
		rv = fs_node_set_revocations(n, &rl, fs_now_ms());
		if (rv == FS_ERR_REPLAYED) {
			snprintf(why, sizeof(why),
			    "the issuer sent list %llu, older than ours",
			    (unsigned long long) rl.seq);
		}
		fs_revlist_fini(&rl);
	}
	if (rv == FS_OK && !*ok) {
		fs_log(FS_LOG_INFO, NODE_WHO, "revocation list %llu fetched",
		    (unsigned long long) n->rl.seq);
	} else if (rv != FS_OK && *ok) {
		fs_log(FS_LOG_WARN, NODE_WHO,
		    "cannot refresh the revocation list: %s; keeping the last "
		    "one, and refusing lookups once it is %llds old",
		    why[0] ? why : fs_strerror(rv),
		    (long long) (n->max_age_ms / 1000));
	}
	*ok = rv == FS_OK;
}

static void *
refresher(void *arg)
{
	fs_node          *n  = arg;
	fs_issuer_client *ic = NULL;
	bool              ok = true;
	struct timespec   ts;

	if (fs_issuer_client_open(&ic, n->key, &n->issuer) != FS_OK) {
		fs_log(FS_LOG_ERROR, NODE_WHO,
		    "cannot open a client to the issuer at %s", n->issuer.url);
		return (NULL);
	}
	pthread_mutex_lock(&n->mtx);
	while (!n->stop) {
		pthread_mutex_unlock(&n->mtx);
		fetch(n, ic, &ok);
		pthread_mutex_lock(&n->mtx);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += n->refresh_ms / 1000;
		ts.tv_nsec += (n->refresh_ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		while (!n->stop
		    && pthread_cond_timedwait(&n->cv, &n->mtx, &ts) == 0) {
		}
	}
	pthread_mutex_unlock(&n->mtx);
	fs_issuer_client_close(ic);
	return (NULL);
}

fs_err
fs_node_serve(fs_node *n, char *why, size_t whycap)
{
	fs_server *srv = NULL;
	char       pid[FS_PASERK_PID_LEN + 1], cpid[FS_PASERK_PID_LEN + 1];
	bool       ok = false;
	fs_err     rv;

	if (n->listen == NULL || !n->has_coord) {
		snprintf(why, whycap,
		    "%s: expected listen and coordinator in the [node] section "
		    "to serve",
		    n->conf->path);
		return (FS_ERR_CONFIG);
	}
	fs_daemon_block_signals();
	revlist_load(n);
	// One fetch before serving, so a fresh start is not stale.
	{
		fs_issuer_client *ic;

		if (fs_issuer_client_open(&ic, n->key, &n->issuer) == FS_OK) {
			fetch(n, ic, &ok);
			fs_issuer_client_close(ic);
		}
		if (!ok) {
			fs_log(FS_LOG_WARN, NODE_WHO,
			    "no revocation list from the issuer at %s yet: "
			    "lookups are refused until one is fetched",
			    n->issuer.url);
		}
	}
	if (pthread_create(&n->thr, NULL, refresher, n) != 0) {
		snprintf(why, whycap, "cannot start the revocation refresher");
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_server_start(&srv, n->listen, n->workers, handle, n))
	    != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", n->listen,
		    fs_strerror(rv));
	} else {
		fs_paserk_pid_from_kid(pid, fs_key_public(n->key)->kid);
		fs_paserk_pid_from_kid(cpid, n->coordinator.kid);
		fs_log(FS_LOG_INFO, NODE_WHO,
		    "%s (key %s) listening on %s for coordinator %s", n->name,
		    pid, n->listen, cpid);
		fs_log(FS_LOG_INFO, NODE_WHO, "stopping on signal %d",
		    fs_daemon_wait());
		fs_server_stop(srv);
	}
	pthread_mutex_lock(&n->mtx);
	n->stop = true;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mtx);
	pthread_join(n->thr, NULL);
	return (rv);
}
