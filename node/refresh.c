// SPDX-License-Identifier: Apache-2.0
//
// refresh.c -- keeping the daemon's revocation list fresh.
//
// The list is fetched from the issuer at start and every
// revocation_refresh (default 5 s) by a thread of its own.  When the
// issuer cannot be reached the node keeps its last list and logs; past
// revocation_max_age (default 2 min) since the last successful fetch it
// fails closed: every lookup is refused as stale, because a revoked
// consent must not keep working while the issuer is unreachable.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "net/issuer_client.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/revocations.h"

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

// node_refresh_start fetches the list once and starts the refresher.
fs_err
node_refresh_start(fs_node *n, char *why, size_t whycap)
{
	bool ok = false;

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
	return (FS_OK);
}

// node_refresh_stop stops the refresher and waits for it.
void
node_refresh_stop(fs_node *n)
{
	pthread_mutex_lock(&n->mtx);
	n->stop = true;
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mtx);
	pthread_join(n->thr, NULL);
}
