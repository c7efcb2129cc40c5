// SPDX-License-Identifier: Apache-2.0
//
// server.c -- the coordinator's configuration, registries and the
// thread that keeps the revocation list current; and the test hook that
// makes it die at a step of a lookup (tests/crash.sh).

#include <sodium.h>

#include <sqlite3.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "common/db.h"
#include "common/err.h"
#include "common/log.h"
#include "common/stop.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "net/httpd.h"
#include "net/issuer_client.h"
#include "net/revfresh.h"
#include "net/transport.h"
#include "wire/attest.h"
#include "wire/envelope.h"
#include "wire/note.h"
#include "wire/revocations.h"
#include "wire/scheme.h"
#include "wire/token.h"
#include "wire/trust.h"

#define WHO "coordinator"

static const char *const coord_keys[] = { "name", "key", "db", "scheme",
	"listen", "http", "skew", "revocation_refresh", "revocation_max_age",
	"log_key", "log_origin", "witnesses", "attest_ttl", "trust", "office",
	"office_name", FS_HTTPD_CONF_KEYS, NULL };
static const char *const coord_required[]
    = { "name", "key", "db", "scheme", "http", NULL };
static const char *const node_keys[]      = { "key", "url", NULL };
static const char *const requester_keys[] = { "key", "purposes", NULL };

static fs_err
read_pub(fs_pubkey *pub, const fs_conf *conf, const fs_conf_section *s,
    char *why, size_t whycap)
{
	char  *path = fs_conf_path(conf, s, "key");
	fs_err rv;

	if (path == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_keyfile_read_public(pub, path)) != FS_OK) {
		snprintf(why, whycap, "%s:%d: [%s %s] key %s: %s", conf->path,
		    s->line, s->type, s->name, path, fs_strerror(rv));
	}
	free(path);
	return (rv);
}

// load_node reads a [node NAME] section: its key and its URL.
static fs_err
load_node(fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	coord_node *n = &c->nodes[c->nnodes];
	fs_err      rv;

	if (c->nnodes == NODES_MAX || s->name == NULL
	    || strlen(s->name) > FS_NAME_MAX) {
		snprintf(why, whycap,
		    "%s:%d: expected [node NAME], at "
		    "most %d",
		    c->conf->path, s->line, NODES_MAX);
		return (FS_ERR_CONFIG);
	}
	if ((rv = fs_conf_check(c->conf, s, node_keys, node_keys, why, whycap))
	        != 0
	    || (rv = read_pub(&n->key, c->conf, s, why, whycap)) != 0) {
		return (rv);
	}
	snprintf(n->name, sizeof(n->name), "%s", s->name);
	if ((n->url = fs_conf_path(c->conf, s, "url")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	c->nnodes++;
	return (FS_OK);
}

// load_requester reads a [requester ID] section: its key and the purposes
// it is registered for.
static fs_err
load_requester(fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	coord_requester *r = &c->requesters[c->nrequesters];
	const char      *p;
	fs_err           rv;

	if (c->nrequesters == REQUESTERS_MAX || s->name == NULL
	    || strlen(s->name) > FS_CLAIM_STR_MAX) {
		snprintf(why, whycap,
		    "%s:%d: expected [requester ID], "
		    "at most %d",
		    c->conf->path, s->line, REQUESTERS_MAX);
		return (FS_ERR_CONFIG);
	}
	if ((rv = fs_conf_check(
	         c->conf, s, requester_keys, requester_keys, why, whycap))
	        != 0
	    || (rv = read_pub(&r->key, c->conf, s, why, whycap)) != 0) {
		return (rv);
	}
	snprintf(r->id, sizeof(r->id), "%s", s->name);
	for (p = fs_conf_get(s, "purposes"); *p != '\0';) {
		size_t n = strcspn(p, " ,");

		if (n > 0 && n <= FS_LABEL_MAX
		    && r->npurposes < FS_PURPOSES_MAX) {
			memcpy(r->purposes[r->npurposes], p, n);
			r->purposes[r->npurposes++][n] = '\0';
		}
		p += n;
		p += strspn(p, " ,");
	}
	c->nrequesters++;
	return (FS_OK);
}

// load_parties reads the nodes and the requesters; the other sections
// must be [coordinator] or [issuer].
static fs_err
load_parties(fs_coord *c, char *why, size_t whycap)
{
	for (size_t i = 0; i < c->conf->n; i++) {
		const fs_conf_section *s  = &c->conf->sections[i];
		fs_err                 rv = FS_OK;

		if (strcmp(s->type, "node") == 0) {
			rv = load_node(c, s, why, whycap);
		} else if (strcmp(s->type, "requester") == 0) {
			rv = load_requester(c, s, why, whycap);
		} else if (strcmp(s->type, "coordinator") != 0
		    && strcmp(s->type, "issuer") != 0) {
			snprintf(why, whycap,
			    "%s:%d: expected [coordinator], "
			    "[issuer], [node NAME] or [requester ID], found "
			    "[%s]",
			    c->conf->path, s->line, s->type);
			rv = FS_ERR_CONFIG;
		}
		if (rv != FS_OK) {
			return (rv);
		}
	}
	if (c->nnodes == 0) {
		snprintf(why, whycap, "%s: expected at least one [node NAME]",
		    c->conf->path);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

void
fs_coord_close(fs_coord *c)
{
	if (c == NULL) {
		return;
	}
	fs_stop_set(&c->stop);
	fs_revfresh_stop(c->rf);
	if (c->checkpointer_started) {
		pthread_join(c->checkpointer, NULL);
	}
	free(c->checkpoint);
	free(c->base);
	for (size_t i = 0; i < c->nnodes; i++) {
		fs_client_close(c->nodes[i].client);
		free(c->nodes[i].url);
	}
	fs_revlist_fini(&c->revoked);
	fs_trust_free(c->trust);
	free(c->trust_path);
	sqlite3_finalize(c->log_get);
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(c->stmts[i]);
	}
	fs_db_close(c->db);
	fs_key_free(c->key);
	sodium_free(c->logkey);
	fs_conf_free(c->conf);
	free(c->listen);
	free(c->http);
	fs_httpd_conf_fini(&c->hconf);
	free(c->issuer_url);
	free(c);
}

// coord_new allocates a coordinator and its locks, before anything is
// read.
static fs_coord *
coord_new(void)
{
	fs_coord *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		return (NULL);
	}
	pthread_mutex_init(&c->dbmtx, NULL);
	pthread_mutex_init(&c->cpmtx, NULL);
	fs_merkle_state_init(&c->mst);
	pthread_mutex_init(&c->revmtx, NULL);
	pthread_mutex_init(&c->trustmtx, NULL);
	fs_stop_init(&c->stop);
	return (c);
}

// read_settings reads the plain values of [coordinator]: the durations,
// the name and the addresses.
static fs_err
read_settings(fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = fs_conf_check(
	         c->conf, s, coord_keys, coord_required, why, whycap))
	        != 0
	    || (rv = fs_conf_duration(c->conf, s, "skew", FS_SKEW_DEFAULT_MS,
	            &c->skew_ms, why, whycap))
	        != 0
	    || (rv = fs_conf_duration(c->conf, s, "revocation_refresh",
	            FS_REVOCATION_REFRESH_DEFAULT_MS, &c->refresh_ms, why,
	            whycap))
	        != 0
	    || (rv = fs_conf_duration(c->conf, s, "revocation_max_age",
	            FS_REVOCATION_MAX_AGE_DEFAULT_MS, &c->max_age_ms, why,
	            whycap))
	        != 0
	    || (rv = fs_conf_duration(c->conf, s, "attest_ttl",
	            FS_ATTEST_TTL_DEFAULT * 1000, &c->attest_ttl_s, why,
	            whycap))
	        != 0) {
		return (rv);
	}
	// Attestations live for whole seconds, a day at most: they are for
	// showing now, not for keeping.
	c->attest_ttl_s /= 1000;
	if (c->attest_ttl_s < 1 || c->attest_ttl_s > 86400) {
		snprintf(why, whycap,
		    "%s: expected attest_ttl from 1s to 1d, found '%s'",
		    c->conf->path, fs_conf_get(s, "attest_ttl"));
		return (FS_ERR_CONFIG);
	}
	snprintf(c->name, sizeof(c->name), "%s", fs_conf_get(s, "name"));
	c->listen = fs_conf_path(c->conf, s, "listen");
	c->http   = fs_conf_path(c->conf, s, "http");
	return (fs_httpd_conf_read(&c->hconf, c->conf, s, why, whycap));
}

// read_key_and_scheme reads the coordinator's secret key and the scheme
// it scores with.
static fs_err
read_key_and_scheme(
    fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	char  *path;
	fs_err rv;

	if ((path = fs_conf_path(c->conf, s, "key")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_keyfile_read_secret(&c->key, path)) != 0) {
		snprintf(why, whycap, "%s: %s", path, fs_strerror(rv));
		free(path);
		return (rv);
	}
	free(path);
	if ((path = fs_conf_path(c->conf, s, "scheme")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	rv = fs_scheme_load(&c->scheme, path, why, whycap);
	free(path);
	return (rv);
}

// read_issuer reads the [issuer] section: an issuer of the scheme's
// region.
static fs_err
read_issuer(fs_coord *c, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = fs_issuer_peer_load(
	         c->conf, &c->issuer, &c->issuer_url, why, whycap))
	    != 0) {
		return (rv);
	}
	if (strcmp(c->issuer.region, c->scheme.region) != 0) {
		snprintf(why, whycap,
		    "%s: the issuer's region '%s' is not the "
		    "scheme's '%s'",
		    c->conf->path, c->issuer.region, c->scheme.region);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// read_log_settings reads who witnesses the disclosure log, and its
// origin.
static fs_err
read_log_settings(
    fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	// Nodes cosign checkpoints unless told not to (witnesses = false).
	c->witnessing = fs_conf_get(s, "witnesses") == NULL
	    || strcmp(fs_conf_get(s, "witnesses"), "false") != 0;
	// The log's origin names it in checkpoints and is the name of the
	// key that signs them.
	if (fs_conf_get(s, "log_origin") != NULL) {
		snprintf(c->origin, sizeof(c->origin), "%s",
		    fs_conf_get(s, "log_origin"));
	} else {
		snprintf(c->origin, sizeof(c->origin),
		    "fedscore.%s/disclosures", c->scheme.region);
	}
	if (!fs_note_name_valid(c->origin, strlen(c->origin))) {
		snprintf(why, whycap,
		    "%s: expected log_origin without spaces or "
		    "'+', found '%s'",
		    c->conf->path, c->origin);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// open_store opens the database that db names and loads the log's
// tree; the lookups a stop interrupted, admitted without an outcome, are
// logged before any other entry can be.
static fs_err
open_store(fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	char  *path = fs_conf_path(c->conf, s, "db");
	fs_err rv;

	if (path == NULL) {
		return (FS_ERR_NOMEM);
	}
	rv = coord_store_open(c, path, why, whycap);
	free(path);
	if (rv == FS_OK) {
		rv = coord_logkey_load(
		    c->conf, s, true, &c->logkey, why, whycap);
	}
	if (rv == FS_OK && (rv = coord_store_log_load(c)) != FS_OK) {
		snprintf(why, whycap, "cannot load the disclosure log: %s",
		    fs_strerror(rv));
	}
	return (rv == FS_OK ? coord_store_recover(c, why, whycap) : rv);
}

static const char *const crash_steps[]
    = { "before-admission", "after-admission", "fanout", "after-answers",
	      "after-disclosure", NULL };

// read_crash_hook reads the test hook FS_TEST_CRASH_AT, when it is set:
// one of crash_steps.
static fs_err
read_crash_hook(fs_coord *c, char *why, size_t whycap)
{
	const char *at = getenv("FS_TEST_CRASH_AT");

	if (at == NULL) {
		return (FS_OK);
	}
	for (size_t i = 0; crash_steps[i] != NULL; i++) {
		if (strcmp(at, crash_steps[i]) == 0) {
			snprintf(c->crash_at, sizeof(c->crash_at), "%s", at);
			fs_log(FS_LOG_WARN, WHO,
			    "FS_TEST_CRASH_AT=%s: a test hook; this "
			    "coordinator kills itself when a lookup "
			    "reaches that step",
			    at);
			return (FS_OK);
		}
	}
	snprintf(why, whycap,
	    "FS_TEST_CRASH_AT: expected before-admission, after-admission, "
	    "fanout, after-answers or after-disclosure, found '%s'",
	    at);
	return (FS_ERR_CONFIG);
}

bool
coord_crash_armed(const fs_coord *c, const char *step)
{
	return (c->crash_at[0] != '\0' && strcmp(c->crash_at, step) == 0);
}

void
coord_crash_point(const fs_coord *c, const char *step)
{
	if (coord_crash_armed(c, step)) {
		fs_log(FS_LOG_WARN, WHO, "FS_TEST_CRASH_AT=%s: killing myself",
		    step);
		raise(SIGKILL);
	}
}

fs_err
fs_coord_open(fs_coord **cp, const char *confpath, char *why, size_t whycap)
{
	fs_coord              *c;
	const fs_conf_section *s;
	fs_err                 rv;

	if ((c = coord_new()) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_conf_load(&c->conf, confpath, why, whycap)) != 0) {
		goto fail;
	}
	if ((s = fs_conf_section_find(c->conf, "coordinator", NULL)) == NULL) {
		snprintf(why, whycap, "%s: expected a [coordinator] section",
		    confpath);
		rv = FS_ERR_CONFIG;
		goto fail;
	}
	if ((rv = read_crash_hook(c, why, whycap)) != 0
	    || (rv = read_settings(c, s, why, whycap)) != 0
	    || (rv = read_key_and_scheme(c, s, why, whycap)) != 0
	    || (rv = coord_trust_load(c, s, why, whycap)) != 0
	    || (rv = read_issuer(c, why, whycap)) != 0
	    || (rv = load_parties(c, why, whycap)) != 0
	    || (rv = read_log_settings(c, s, why, whycap)) != 0
	    || (rv = open_store(c, s, why, whycap)) != 0) {
		goto fail;
	}
	*cp = c;
	return (FS_OK);
fail:
	fs_coord_close(c);
	return (rv);
}

// install_revocations keeps a list fetched by the refresher; a list older
// than the one held (a lower sequence number) is not taken.
static fs_err
install_revocations(void *arg, const fs_revlist *rl, uint64_t fetched_ms)
{
	fs_coord  *c = arg;
	fs_revlist copy;
	fs_err     rv = FS_OK;

	pthread_mutex_lock(&c->revmtx);
	if (c->have_revoked && rl->seq < c->revoked.seq) {
		rv = FS_ERR_REPLAYED;
	} else if ((rv = fs_revlist_copy(&copy, rl)) == FS_OK) {
		if (c->have_revoked && rl->seq > c->revoked.seq) {
			fs_log(FS_LOG_INFO, WHO,
			    "revocation list now at %llu (%zu revoked)",
			    (unsigned long long) rl->seq, rl->n);
		}
		fs_revlist_fini(&c->revoked);
		c->revoked       = copy;
		c->have_revoked  = true;
		c->revoked_at_ms = fetched_ms;
	}
	pthread_mutex_unlock(&c->revmtx);
	return (rv);
}

bool
coord_pause(fs_coord *c, int64_t ms)
{
	return (fs_stop_wait(&c->stop, ms));
}

// coord_start dials the nodes and the issuer and starts the refresher.
fs_err
coord_start(fs_coord *c, char *why, size_t whycap)
{
	fs_err rv;

	for (size_t i = 0; i < c->nnodes; i++) {
		if ((rv = fs_client_open(&c->nodes[i].client, c->nodes[i].url))
		    != 0) {
			snprintf(why, whycap, "node %s at %s: %s",
			    c->nodes[i].name, c->nodes[i].url, fs_strerror(rv));
			return (rv);
		}
	}
	c->rfconf = (fs_revfresh_conf) {
		.who        = WHO,
		.key        = c->key,
		.issuer     = &c->issuer,
		.refresh_ms = c->refresh_ms,
		.max_age_ms = c->max_age_ms,
		.install    = install_revocations,
		.arg        = c,
	};
	if ((rv = fs_revfresh_start(&c->rf, &c->rfconf, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	return (FS_OK);
}
