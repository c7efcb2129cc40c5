// SPDX-License-Identifier: Apache-2.0
//
// trustlist.c -- the trust list this coordinator holds, if any: named by
// [coordinator] trust, office and office_name, read at startup, and read
// again when its file changes, so that recognitions follow the credit
// office's latest list.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "wire/trust.h"

#define WHO "coordinator"

// load_list reads and opens the trust list and checks that it maps onto
// the scheme this coordinator scores with.
static fs_err
load_list(const fs_coord *c, fs_trust **tp, char *why, size_t whycap)
{
	fs_trust *t = NULL;
	fs_err    rv;

	if ((rv = fs_trust_load(
	         &t, c->trust_path, &c->office, c->office_name, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	if (strcmp(fs_trust_scheme(t)->id, c->scheme.id) != 0
	    || strcmp(fs_trust_scheme(t)->version, c->scheme.version) != 0) {
		snprintf(why, whycap,
		    "%s: the trust list maps onto scheme %s %s, this "
		    "coordinator scores with %s %s",
		    c->trust_path, fs_trust_scheme(t)->id,
		    fs_trust_scheme(t)->version, c->scheme.id,
		    c->scheme.version);
		fs_trust_free(t);
		return (FS_ERR_CONFIG);
	}
	*tp = t;
	return (FS_OK);
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return (a->st_ino == b->st_ino && a->st_dev == b->st_dev
	    && a->st_size == b->st_size
	    && a->st_mtim.tv_sec == b->st_mtim.tv_sec
	    && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec);
}

// coord_trust_refresh reads the trust list again when its file changed,
// under trustmtx: the credit office publishes a new list (a region added,
// a key retired) without the coordinator stopping.  A list that does not
// open is logged and the previous one kept, until the file changes again.
void
coord_trust_refresh(fs_coord *c)
{
	struct stat st;
	fs_trust   *t               = NULL;
	char        why[FS_WHY_MAX] = "";

	if (c->trust_path == NULL || stat(c->trust_path, &st) != 0
	    || same_file(&st, &c->trust_st)) {
		return;
	}
	c->trust_st = st;
	if (load_list(c, &t, why, sizeof(why)) != FS_OK) {
		fs_log(FS_LOG_WARN, WHO,
		    "the trust list changed but is refused, the previous one "
		    "stays in force: %s",
		    why);
		return;
	}
	fs_trust_free(c->trust);
	c->trust = t;
	fs_log(FS_LOG_INFO, WHO,
	    "trust list %s read again: %zu foreign regions", c->trust_path,
	    fs_trust_count(t));
}

fs_err
coord_trust_load(
    fs_coord *c, const fs_conf_section *s, char *why, size_t whycap)
{
	const char *name = fs_conf_get(s, "office_name");
	char       *pub  = fs_conf_path(c->conf, s, "office");
	fs_err      rv   = FS_OK;

	c->trust_path = fs_conf_path(c->conf, s, "trust");
	if (c->trust_path == NULL && pub == NULL && name == NULL) {
		return (FS_OK); // recognizes no other region
	}
	if (c->trust_path == NULL || pub == NULL) {
		snprintf(why, whycap,
		    "%s: expected both trust = <trust list> and office = "
		    "<credit office k4.public key>, or neither",
		    c->conf->path);
		rv = FS_ERR_CONFIG;
		goto out;
	}
	if ((rv = fs_keyfile_read_public(&c->office, pub)) != FS_OK) {
		snprintf(why, whycap,
		    "%s: %s (expected the credit office's "
		    "k4.public key)",
		    pub, fs_strerror(rv));
		goto out;
	}
	snprintf(c->office_name, sizeof(c->office_name), "%s",
	    name != NULL ? name : FS_TRUST_OFFICE_NAME);
	if (stat(c->trust_path, &c->trust_st) != 0) {
		memset(&c->trust_st, 0, sizeof(c->trust_st));
	}
	rv = load_list(c, &c->trust, why, whycap);
out:
	free(pub);
	return (rv);
}
