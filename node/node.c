// SPDX-License-Identifier: Apache-2.0
//
// node.c -- a node's configuration: the [node] section, its key, the
// coordinator allowed to look up, and the [issuer] it pseudonymizes with.
//
//   [node]
//   name = traffic-police            1..64 characters, for the log
//   key = node.key                   the node's Ed25519 secret key
//   db = node.db                     SQLite, created on first use
//   id_key = node.idkey              optional, default <db>.idkey
//   release_db = node.db.release     optional, default <db>.release
//   listen = tcp://0.0.0.0:7410      needed by serve
//   coordinator = coord.key.pub      needed by serve: who may look up
//   default_valid_days = 1095        optional (Yuxi art. 10)
//   holidays = holidays.txt          optional, YYYY-MM-DD lines
//   skew = 5m                        optional, allowed clock difference
//   revocation_refresh = 5s          optional
//   revocation_max_age = 2m          optional, then fail closed
//   workers = 4                      optional, concurrent requests

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/db.h"
#include "common/err.h"
#include "crypto/key.h"
#include "net/issuer_client.h"
#include "net/replay.h"
#include "net/revfresh.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"
#include "wire/note.h"
#include "wire/revocations.h"

static const char *const allowed[]
    = { "name", "key", "db", "id_key", "release_db", "listen", "coordinator",
	      "default_valid_days", "holidays", "skew", "revocation_refresh",
	      "revocation_max_age", "workers", "log_origin", NULL };
static const char *const required[] = { "name", "key", "db", NULL };

void
fs_node_close(fs_node *n)
{
	if (n == NULL) {
		return;
	}
	fs_issuer_client_close(n->ic);
	sqlite3_finalize(n->st_version);
	sqlite3_finalize(n->st_records);
	sqlite3_finalize(n->st_use_get);
	sqlite3_finalize(n->st_use_put);
	sqlite3_finalize(n->st_release);
	sqlite3_finalize(n->st_hash_get);
	sqlite3_finalize(n->st_hash_put);
	// The lookups' connection first: the last connection to close
	// checkpoints the write-ahead log, which the writing one may do.
	fs_db_close(n->qdb);
	fs_db_close(n->db);
	fs_db_close(n->rdb);
	fs_key_free(n->key);
	sodium_free(n->idkey);
	fs_replay_fini(n->replay);
	fs_ruleset_fini(&n->rules);
	fs_revlist_fini(&n->rl);
	fs_holidays_fini(&n->holidays);
	fs_conf_free(n->conf);
	free(n->listen);
	free(n->issuer_url);
	pthread_mutex_destroy(&n->wmtx);
	pthread_mutex_destroy(&n->icmtx);
	pthread_mutex_destroy(&n->rulesmtx);
	pthread_mutex_destroy(&n->qmtx);
	pthread_mutex_destroy(&n->rlmtx);
	pthread_mutex_destroy(&n->relmtx);
	free(n);
}

// limits reads the numbers of the section: default validity, workers and
// the durations.
static fs_err
limits(fs_node *n, const fs_conf_section *s, char *why, size_t whycap)
{
	const fs_conf *c = n->conf;
	int64_t        v;
	fs_err         rv;

	if ((rv = fs_conf_int(c, s, "default_valid_days",
	         FS_NODE_VALID_DAYS_DEFAULT, 1, FS_NODE_VALID_DAYS_MAX, &v, why,
	         whycap))
	    != 0) {
		return (rv);
	}
	n->default_days = (int32_t) v;
	if ((rv = fs_conf_int(c, s, "workers", 4, 1, 64, &v, why, whycap))
	    != 0) {
		return (rv);
	}
	n->workers = (int) v;
	if ((rv = fs_conf_duration(
	         c, s, "skew", FS_SKEW_DEFAULT_MS, &n->skew_ms, why, whycap))
	        != 0
	    || (rv = fs_conf_duration(c, s, "revocation_refresh",
	            FS_REVOCATION_REFRESH_DEFAULT_MS, &n->refresh_ms, why,
	            whycap))
	        != 0
	    || (rv = fs_conf_duration(c, s, "revocation_max_age",
	            FS_REVOCATION_MAX_AGE_DEFAULT_MS, &n->max_age_ms, why,
	            whycap))
	        != 0) {
		return (rv);
	}
	return (FS_OK);
}

// names reads the node's name and the origin of its release log.
static fs_err
names(fs_node *n, const fs_conf_section *s, char *why, size_t whycap)
{
	const fs_conf *c = n->conf;

	if (strlen(fs_conf_get(s, "name")) > FS_NAME_MAX) {
		snprintf(why, whycap, "%s: expected a name of at most %d bytes",
		    c->path, FS_NAME_MAX);
		return (FS_ERR_CONFIG);
	}
	snprintf(n->name, sizeof(n->name), "%s", fs_conf_get(s, "name"));
	// The release log's origin names it in checkpoints and is the name
	// of the key that signs them.
	if (fs_conf_get(s, "log_origin") != NULL) {
		snprintf(n->origin, sizeof(n->origin), "%s",
		    fs_conf_get(s, "log_origin"));
	} else {
		snprintf(n->origin, sizeof(n->origin),
		    "fedscore.%s/%s/releases", n->issuer.region, n->name);
	}
	if (!fs_note_name_valid(n->origin, strlen(n->origin))) {
		snprintf(why, whycap,
		    "%s: expected log_origin without spaces or '+' (it names "
		    "the release log; the default is made of the region and "
		    "the node's name), found '%s'",
		    c->path, n->origin);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// peers reads where the node listens, its holidays and the coordinator
// it answers.
static fs_err
peers(fs_node *n, const fs_conf_section *s, char *why, size_t whycap)
{
	const fs_conf *c = n->conf;
	char          *path;
	fs_err         rv;

	if (fs_conf_get(s, "listen") != NULL
	    && (n->listen = fs_conf_path(c, s, "listen")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if (fs_conf_get(s, "holidays") != NULL) {
		if ((path = fs_conf_path(c, s, "holidays")) == NULL) {
			return (FS_ERR_NOMEM);
		}
		rv = fs_holidays_load(&n->holidays, path, why, whycap);
		free(path);
		if (rv != FS_OK) {
			return (rv);
		}
	}
	if (fs_conf_get(s, "coordinator") != NULL) {
		if ((path = fs_conf_path(c, s, "coordinator")) == NULL) {
			return (FS_ERR_NOMEM);
		}
		rv = fs_keyfile_load_public(
		    &n->coordinator, path, "coordinator", why, whycap);
		free(path);
		if (rv != FS_OK) {
			return (rv);
		}
		n->has_coord = true;
		n->ring.keys = &n->coordinator;
		n->ring.n    = 1;
	}
	return (FS_OK);
}

// secret_key reads the node's key.
static fs_err
secret_key(fs_node *n, const fs_conf_section *s, char *why, size_t whycap)
{
	char  *path;
	fs_err rv;

	if ((path = fs_conf_path(n->conf, s, "key")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_keyfile_read_secret(&n->key, path)) != 0) {
		snprintf(why, whycap, "%s: %s (expected the node's secret key)",
		    path, fs_strerror(rv));
	}
	free(path);
	return (rv);
}

// databases opens the node's databases and reads its ID-hash key.
static fs_err
databases(fs_node *n, const fs_conf_section *s, char *why, size_t whycap)
{
	const fs_conf *c    = n->conf;
	char          *path = NULL, *idpath = NULL, *rpath = NULL;
	fs_err         rv;

	if ((path = fs_conf_path(c, s, "db")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if (fs_conf_get(s, "id_key") != NULL) {
		idpath = fs_conf_path(c, s, "id_key");
	} else if ((idpath = malloc(strlen(path) + 8)) != NULL) {
		snprintf(idpath, strlen(path) + 8, "%s.idkey", path);
	}
	if (fs_conf_get(s, "release_db") != NULL) {
		rpath = fs_conf_path(c, s, "release_db");
	} else if ((rpath = malloc(strlen(path) + 9)) != NULL) {
		snprintf(rpath, strlen(path) + 9, "%s.release", path);
	}
	if (idpath == NULL || rpath == NULL) {
		rv = FS_ERR_NOMEM;
	} else if ((rv = node_store_open(n, path, rpath, why, whycap))
	    == FS_OK) {
		if ((rv = node_idkey_load(n, idpath, why, whycap)) == FS_OK) {
			rv = node_release_log_open(n, why, whycap);
		}
	}
	free(path);
	free(idpath);
	free(rpath);
	return (rv);
}

static fs_err
load(fs_node *n, const fs_conf_section *s, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = fs_conf_check(n->conf, s, allowed, required, why, whycap))
	        != 0
	    || (rv = limits(n, s, why, whycap)) != 0
	    || (rv = names(n, s, why, whycap)) != 0
	    || (rv = peers(n, s, why, whycap)) != 0
	    || (rv = secret_key(n, s, why, whycap)) != 0) {
		return (rv);
	}
	return (databases(n, s, why, whycap));
}

fs_err
fs_node_open(fs_node **np, const char *conf, char *why, size_t whycap)
{
	fs_node               *n;
	const fs_conf_section *s;
	fs_err                 rv;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	pthread_mutex_init(&n->wmtx, NULL);
	pthread_mutex_init(&n->icmtx, NULL);
	pthread_mutex_init(&n->rulesmtx, NULL);
	pthread_mutex_init(&n->qmtx, NULL);
	pthread_mutex_init(&n->rlmtx, NULL);
	pthread_mutex_init(&n->relmtx, NULL);
	if ((rv = fs_conf_load(&n->conf, conf, why, whycap)) != 0) {
		goto fail;
	}
	if ((s = fs_conf_section_find(n->conf, "node", NULL)) == NULL) {
		snprintf(why, whycap,
		    "%s: expected a [node] section with name, key and db",
		    conf);
		rv = FS_ERR_CONFIG;
		goto fail;
	}
	if ((rv = fs_issuer_peer_load(
	         n->conf, &n->issuer, &n->issuer_url, why, whycap))
	        != 0
	    || (rv = load(n, s, why, whycap)) != 0) {
		goto fail;
	}
	if (sodium_is_zero(n->issuer.oprf, sizeof(n->issuer.oprf))) {
		snprintf(why, whycap,
		    "%s: expected oprf in the [issuer] section: the issuer's "
		    "OPRF public key file, which nodes check its proofs with",
		    conf);
		rv = FS_ERR_CONFIG;
		goto fail;
	}
	if ((rv = fs_replay_init(&n->replay, 1 << 16, (uint64_t) n->skew_ms))
	    != 0) {
		goto fail;
	}
	*np = n;
	return (FS_OK);
fail:
	fs_node_close(n);
	return (rv);
}
