// SPDX-License-Identifier: Apache-2.0
//
// server.c -- fedscore issuer: configuration, keys and the daemon that
// answers evaluation batches and revocation-list requests.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/conf.h"
#include "common/daemon.h"
#include "common/db.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "issuer/issuer.h"
#include "issuer/issuerimpl.h"
#include "net/issuer_client.h"
#include "net/replay.h"
#include "net/transport.h"
#include "wire/envelope.h"
#include "wire/mp.h"
#include "wire/revocations.h"

#define WHO "issuer"

static const char *const allowed[] = { "name", "region", "key", "oprf_seed",
	"db", "listen", "purposes", "max_batch", "skew", NULL };
static const char *const required[]
    = { "name", "region", "key", "oprf_seed", "db", "listen", NULL };

void
fs_issuer_close(fs_issuer *iss)
{
	if (iss == NULL) {
		return;
	}
	fs_db_close(iss->db);
	fs_key_free(iss->key);
	fs_oprf_key_free(iss->oprf);
	fs_replay_fini(iss->replay);
	fs_conf_free(iss->conf);
	free(iss->listen);
	pthread_mutex_destroy(&iss->mtx);
	free(iss);
}

// parse_purposes reads a list separated by spaces or commas.
static fs_err
parse_purposes(fs_issuer *iss, const char *v, char *why, size_t whycap)
{
	if (fs_conf_words((char *) iss->purposes, sizeof(iss->purposes[0]),
	        PURPOSES_MAX, &iss->npurposes, v)
	    != FS_OK) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected at most %d purposes of at most %d characters",
		    iss->conf->path, PURPOSES_MAX, FS_NAME_MAX));
	}
	return (FS_OK);
}

fs_err
fs_issuer_open(fs_issuer **ip, const char *conf, char *why, size_t whycap)
{
	fs_issuer             *iss;
	const fs_conf_section *s;
	uint8_t                seed[FS_OPRF_SEED_BYTES];
	char                  *path = NULL;
	const char            *v;
	fs_err                 rv;

	if ((iss = calloc(1, sizeof(*iss))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	pthread_mutex_init(&iss->mtx, NULL);
	if ((rv = fs_conf_load(&iss->conf, conf, why, whycap)) != 0) {
		goto fail;
	}
	if ((s = fs_conf_section_find(iss->conf, "issuer", NULL)) == NULL) {
		rv = fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected an [issuer] section", conf);
		goto fail;
	}
	if ((rv = fs_conf_check(iss->conf, s, allowed, required, why, whycap))
	        != 0
	    || (rv = fs_conf_int(iss->conf, s, "max_batch", FS_ISSUER_BATCH_MAX,
	            1, FS_ISSUER_BATCH_MAX, &iss->max_batch, why, whycap))
	        != 0) {
		goto fail;
	}
	iss->skew_ms = FS_SKEW_DEFAULT_MS;
	if ((v = fs_conf_get(s, "skew")) != NULL
	    && fs_parse_duration(v, &iss->skew_ms) != FS_OK) {
		rv = fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected skew as a duration like 5m, "
		    "found '%s'",
		    conf, v);
		goto fail;
	}
	if (strlen(fs_conf_get(s, "name")) > FS_NAME_MAX
	    || strlen(fs_conf_get(s, "region")) > FS_NAME_MAX) {
		rv = fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: name and region are at most %d "
		    "characters",
		    conf, FS_NAME_MAX);
		goto fail;
	}
	snprintf(iss->name, sizeof(iss->name), "%s", fs_conf_get(s, "name"));
	snprintf(
	    iss->region, sizeof(iss->region), "%s", fs_conf_get(s, "region"));
	if ((v = fs_conf_get(s, "purposes")) != NULL
	    && (rv = parse_purposes(iss, v, why, whycap)) != 0) {
		goto fail;
	}
	iss->listen = fs_conf_path(iss->conf, s, "listen");
	path        = fs_conf_path(iss->conf, s, "key");
	if (iss->listen == NULL || path == NULL) {
		rv = FS_ERR_NOMEM;
		goto fail;
	}
	if ((rv = fs_keyfile_read_secret(&iss->key, path)) != 0) {
		snprintf(why, whycap, "%s: %s", path, fs_strerror(rv));
		goto fail;
	}
	free(path);
	if ((path = fs_conf_path(iss->conf, s, "oprf_seed")) == NULL) {
		rv = FS_ERR_NOMEM;
		goto fail;
	}
	if ((rv = fs_seedfile_read(seed, path)) != 0) {
		snprintf(why, whycap,
		    "%s: %s (expected one line of base64url, "
		    "32 bytes, mode 0600)",
		    path, fs_strerror(rv));
		goto fail;
	}
	rv = fs_oprf_key_derive(&iss->oprf, FS_OPRF_MODE_VOPRF, seed,
	    (const uint8_t *) FS_OPRF_INFO, strlen(FS_OPRF_INFO));
	sodium_memzero(seed, sizeof(seed));
	if (rv != FS_OK) {
		snprintf(why, whycap, "%s: cannot derive the OPRF key: %s",
		    path, fs_strerror(rv));
		goto fail;
	}
	free(path);
	if ((path = fs_conf_path(iss->conf, s, "db")) == NULL) {
		rv = FS_ERR_NOMEM;
		goto fail;
	}
	if ((rv = issuer_store_open(iss, path, why, whycap)) != 0
	    || (rv = fs_replay_init(
	            &iss->replay, 1 << 18, (uint64_t) iss->skew_ms))
	        != 0) {
		goto fail;
	}
	free(path);
	*ip = iss;
	return (FS_OK);
fail:
	free(path);
	fs_issuer_close(iss);
	return (rv);
}

static fs_err
lookup(void *arg, const uint8_t kid[static FS_KID_BYTES], fs_pubkey *pub)
{
	fs_role role;
	char    name[FS_NAME_MAX + 1];

	return (issuer_store_party(arg, kid, pub, &role, name));
}

static fs_err
evaluate(fs_issuer *iss, const fs_envelope *env, const char *who,
    uint8_t **bodyp, size_t *blenp, char *why, size_t whycap)
{
	fs_mp           r;
	const uint8_t  *blinded;
	size_t          len, count;
	uint8_t        *evaluated;
	uint8_t         proof[FS_OPRF_PROOF_BYTES];
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	fs_err          rv;

	fs_mp_init(&r, env->body, env->body_len);
	if ((rv = fs_mp_array_of(&r, 1)) != 0
	    || (rv = fs_mp_bin(&r, &blinded, &len,
	            (size_t) iss->max_batch * FS_OPRF_ELEMENT_BYTES))
	        != 0
	    || (rv = fs_mp_end(&r)) != 0) {
		return (fs_why(why, whycap, rv,
		    "expected [bin of 1 to %lld blinded "
		    "elements of 32 bytes]",
		    (long long) iss->max_batch));
	}
	if (len == 0 || len % FS_OPRF_ELEMENT_BYTES != 0) {
		return (fs_why(why, whycap, FS_ERR_MALFORMED,
		    "expected a whole number of 32-byte "
		    "elements, found %zu bytes",
		    len));
	}
	count = len / FS_OPRF_ELEMENT_BYTES;
	if ((evaluated = malloc(len)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_voprf_blind_evaluate(
	         iss->oprf, evaluated, proof, blinded, count))
	    != 0) {
		free(evaluated);
		return (fs_why(why, whycap, rv,
		    "expected valid, non-identity ristretto255 "
		    "elements: %s",
		    fs_strerror(rv)));
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if ((msgpack_pack_array(&pk, 2)
	        | msgpack_pack_bin_with_body(&pk, evaluated, len)
	        | msgpack_pack_bin_with_body(&pk, proof, sizeof(proof)))
	    != 0) {
		msgpack_sbuffer_destroy(&sb);
		free(evaluated);
		return (FS_ERR_NOMEM);
	}
	free(evaluated);
	pthread_mutex_lock(&iss->mtx);
	rv = issuer_store_log_eval(iss, env->sender, count);
	pthread_mutex_unlock(&iss->mtx);
	if (rv != FS_OK) {
		// An evaluation that cannot be logged is not given out.
		msgpack_sbuffer_destroy(&sb);
		return (fs_why(why, whycap, rv, "cannot log the evaluation"));
	}
	fs_log(FS_LOG_INFO, WHO, "evaluated a batch of %zu for node %s", count,
	    who);
	*blenp = sb.size;
	*bodyp = (uint8_t *) msgpack_sbuffer_release(&sb);
	return (FS_OK);
}

static fs_err
revocations(fs_issuer *iss, uint8_t **bodyp, size_t *blenp)
{
	fs_revlist rl;
	fs_err     rv;

	pthread_mutex_lock(&iss->mtx);
	rv = issuer_store_revlist(iss, &rl);
	pthread_mutex_unlock(&iss->mtx);
	if (rv != FS_OK) {
		return (rv);
	}
	rv = fs_revlist_encode(iss->key, iss->region, &rl, bodyp, blenp);
	fs_revlist_fini(&rl);
	return (rv);
}

static void
handle(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_issuer      *iss = arg;
	fs_envelope     env = { 0 };
	fs_envelope_out out = { 0 };
	fs_pubkey       peer;
	fs_role         role                  = 0;
	char            name[FS_NAME_MAX + 1] = "?";
	char            why[FS_WHY_MAX]       = "";
	uint8_t        *body                  = NULL;
	uint64_t        now                   = fs_now_ms();
	fs_err          rv;

	rv = fs_envelope_open(&env, req, len, iss->key, lookup, iss, now,
	    (uint64_t) iss->skew_ms);
	if (rv == FS_OK) {
		rv = fs_replay_check(iss->replay, &env, now);
	}
	if (rv == FS_OK) {
		rv = issuer_store_party(iss, env.sender, &peer, &role, name);
	}
	if (rv == FS_OK) {
		switch (env.type) {
		case FS_MSG_OPRF_EVAL:
			if (role != FS_ROLE_NODE) {
				snprintf(why, sizeof(why),
				    "only registered nodes may ask for "
				    "evaluations");
				rv = FS_ERR_REFUSED;
				break;
			}
			out.type = FS_MSG_OPRF_EVAL_REPLY;
			rv = evaluate(iss, &env, name, &body, &out.body_len,
			    why, sizeof(why));
			break;
		case FS_MSG_REVOCATIONS:
			out.type = FS_MSG_REVOCATIONS_REPLY;
			rv       = revocations(iss, &body, &out.body_len);
			break;
		default:
			snprintf(why, sizeof(why),
			    "expected an evaluation or revocation-list "
			    "request, "
			    "found message type %u",
			    env.type);
			rv = FS_ERR_TYPE;
		}
	}
	if (rv != FS_OK) {
		fs_log(FS_LOG_WARN, WHO, "refused a request from %s: %s%s%s",
		    name, fs_strerror(rv), why[0] ? ": " : "", why);
		(void) fs_reply_error(
		    iss->key, req, len, rv, why, repp, replenp);
	} else {
		out.recipient = &peer;
		out.enc       = FS_ENC_NONE;
		out.reply_to  = env.hash;
		out.time_ms   = fs_now_ms();
		out.body      = body;
		(void) fs_envelope_seal(iss->key, &out, repp, replenp);
	}
	free(body);
	fs_envelope_fini(&env);
}

fs_err
fs_issuer_serve(fs_issuer *iss, char *why, size_t whycap)
{
	fs_server *srv;
	fs_err     rv;
	char       pid[FS_PASERK_PID_LEN + 1];

	fs_daemon_block_signals();
	if ((rv = fs_server_start(&srv, iss->listen, 4, handle, iss)) != 0) {
		return (fs_why(why, whycap, rv, "cannot listen on %s: %s",
		    iss->listen, fs_strerror(rv)));
	}
	fs_paserk_pid_from_kid(pid, fs_key_public(iss->key)->kid);
	fs_log(FS_LOG_INFO, WHO, "%s (region %s, key %s) listening on %s",
	    iss->name, iss->region, pid, iss->listen);
	fs_log(FS_LOG_INFO, WHO, "stopping on signal %d", fs_daemon_wait());
	fs_server_stop(srv);
	return (FS_OK);
}
