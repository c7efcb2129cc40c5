// SPDX-License-Identifier: Apache-2.0
//
// revfresh.c -- the revocation list refresher every party runs, and the
// staleness rule (revfresh.h).

#include <stddef.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "common/stop.h"
#include "net/issuer_client.h"
#include "net/revfresh.h"
#include "wire/revocations.h"

struct fs_revfresh {
	fs_revfresh_conf  conf;
	fs_issuer_client *ic;
	bool              ok; // the last fetch succeeded; the thread's
	pthread_t         thr;
	fs_stop           stop; // tells the thread to end
};

// fetch gets the list once and hands it over; it logs only changes of
// state, not every fetch.
static void
fetch(fs_revfresh *r)
{
	const fs_revfresh_conf *c = &r->conf;
	fs_revlist              rl;
	char                    why[FS_WHY_MAX] = "";
	fs_err                  rv;

	rv = fs_issuer_revocations(r->ic, &rl, why, sizeof(why));
	if (rv == FS_OK) {
		rv = c->install(c->arg, &rl, fs_now_ms());
		if (rv == FS_ERR_REPLAYED) {
			snprintf(why, sizeof(why),
			    "the issuer sent list %llu, older than ours",
			    (unsigned long long) rl.seq);
		}
		if (rv == FS_OK && !r->ok) {
			fs_log(FS_LOG_INFO, c->who,
			    "revocation list %llu fetched (%zu revoked)",
			    (unsigned long long) rl.seq, rl.n);
		}
		fs_revlist_fini(&rl);
	}
	if (rv != FS_OK && r->ok) {
		fs_log(FS_LOG_WARN, c->who,
		    "cannot refresh the revocation list: %s; keeping the last "
		    "one, and refusing consents once it is %llds old",
		    why[0] ? why : fs_strerror(rv),
		    (long long) (c->max_age_ms / 1000));
	}
	r->ok = rv == FS_OK;
}

static void *
refresher(void *arg)
{
	fs_revfresh *r = arg;

	while (fs_stop_wait(&r->stop, r->conf.refresh_ms)) {
		fetch(r);
	}
	return (NULL);
}

// release frees what fs_revfresh_start made, once no thread runs.
static void
release(fs_revfresh *r)
{
	fs_issuer_client_close(r->ic);
	fs_stop_fini(&r->stop);
	free(r);
}

fs_err
fs_revfresh_start(
    fs_revfresh **rp, const fs_revfresh_conf *conf, char *why, size_t whycap)
{
	fs_revfresh *r;
	fs_err       rv;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	r->conf = *conf;
	r->ok   = false;
	if ((rv = fs_issuer_client_open(&r->ic, conf->key, conf->issuer))
	    != FS_OK) {
		free(r);
		return (fs_why(why, whycap, rv, "issuer at %s: %s",
		    conf->issuer->url, fs_strerror(rv)));
	}
	fs_stop_init(&r->stop);
	// One fetch before serving, so that a fresh start is not stale.
	fetch(r);
	if (!r->ok) {
		fs_log(FS_LOG_WARN, conf->who,
		    "no revocation list from the issuer at %s yet: consents "
		    "are refused until one is fetched",
		    conf->issuer->url);
	}
	if (pthread_create(&r->thr, NULL, refresher, r) != 0) {
		release(r);
		return (fs_why(why, whycap, FS_ERR_NOMEM,
		    "cannot start the revocation refresher"));
	}
	*rp = r;
	return (FS_OK);
}

void
fs_revfresh_stop(fs_revfresh *r)
{
	if (r == NULL) {
		return;
	}
	fs_stop_set(&r->stop);
	pthread_join(r->thr, NULL);
	release(r);
}

fs_err
fs_revocations_fresh(bool have, uint64_t fetched_ms, int64_t max_age_ms,
    uint64_t now_ms, char *why, size_t whycap)
{
	if (have && now_ms <= fetched_ms + (uint64_t) max_age_ms) {
		return (FS_OK);
	}
	snprintf(why, whycap,
	    "the revocation list is %s (at most %llds old allowed): refusing "
	    "until the issuer answers",
	    have ? "too old" : "not fetched yet",
	    (long long) (max_age_ms / 1000));
	return (FS_ERR_STALE);
}
