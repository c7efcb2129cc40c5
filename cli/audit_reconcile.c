// SPDX-License-Identifier: Apache-2.0
//
// audit_reconcile.c -- fedscore audit reconcile: each node's release log
// (--releases NODE=FILE) checked against its signed checkpoint when the
// node's key is given, then every release matched to the coordinator's
// full disclosures by fs_audit_reconcile.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit_cmd.h"
#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/token.h"

// split parses NODE=VALUE, as --releases and --node-key take it.
static bool
split(
    const char *arg, char node[static FS_CLAIM_STR_MAX + 1], const char **value)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || (size_t) (eq - arg) > FS_CLAIM_STR_MAX
	    || eq[1] == '\0') {
		return (false);
	}
	snprintf(node, FS_CLAIM_STR_MAX + 1, "%.*s", (int) (eq - arg), arg);
	*value = eq + 1;
	return (true);
}

// signed_log checks node's exported release log at path against the
// node's signed checkpoint beside it (path.checkpoint), when the auditor
// named the node's key.
static int
signed_log(const audit_opts *o, const char *node, const char *path,
    fs_audit_report *rep)
{
	char        cp[4096], state[4096], n2[FS_CLAIM_STR_MAX + 1];
	char        why[FS_WHY_MAX] = "";
	const char *keypath         = NULL, *v;
	fs_pubkey   key;
	fs_err      rv;

	for (size_t i = 0; i < o->nnodekeys; i++) {
		if (split(o->nodekeys[i], n2, &v) && strcmp(n2, node) == 0) {
			keypath = v;
		}
	}
	if (keypath == NULL) {
		fs_audit_info(rep,
		    "node %s: release log taken as given (no --node-key to "
		    "check its signed checkpoint)",
		    node);
		return (0);
	}
	if (cli_public_key(&key, keypath, "audit", "node") != 0) {
		return (-1);
	}
	snprintf(cp, sizeof(cp), "%s.checkpoint", path);
	if (o->statedir != NULL) {
		snprintf(state, sizeof(state), "%s/%s.checkpoint", o->statedir,
		    node);
	}
	if ((rv = fs_audit_release_log(node, path, cp, &key,
	         o->statedir != NULL ? state : NULL, rep, why, sizeof(why)))
	    != FS_OK) {
		cli_fail(rv, why, "audit");
		return (-1);
	}
	return (0);
}

int
audit_reconcile(const audit_opts *o)
{
	fs_audit_record *recs  = NULL;
	fs_release      *rels  = NULL;
	size_t           nrecs = 0, nrels = 0;
	fs_audit_report  rep;
	char             why[FS_WHY_MAX] = "";
	int              rc              = EXIT_USAGE;
	fs_err           rv;

	for (size_t i = 0; i < o->nnodekeys; i++) {
		char node[FS_CLAIM_STR_MAX + 1], n2[FS_CLAIM_STR_MAX + 1];
		const char *v;
		bool        known = false;

		if (!split(o->nodekeys[i], node, &v)) {
			fprintf(stderr,
			    "fedscore audit: expected --node-key NODE=PUB, "
			    "found '%s'\n",
			    o->nodekeys[i]);
			return (EXIT_USAGE);
		}
		for (size_t j = 0; j < o->nreleases; j++) {
			known = known
			    || (split(o->releases[j], n2, &v)
			        && strcmp(n2, node) == 0);
		}
		if (!known) {
			fprintf(stderr,
			    "fedscore audit: --node-key names node '%s', "
			    "expected one of the --releases nodes\n",
			    node);
			return (EXIT_USAGE);
		}
	}
	if (audit_load_records(o, &recs, &nrecs) != 0) {
		return (EXIT_USAGE);
	}
	fs_audit_report_init(&rep);
	for (size_t i = 0; i < o->nreleases; i++) {
		char        node[FS_CLAIM_STR_MAX + 1];
		const char *path;

		if (!split(o->releases[i], node, &path)) {
			fprintf(stderr,
			    "fedscore audit: expected --releases NODE=FILE, "
			    "found '%s'\n",
			    o->releases[i]);
			goto out;
		}
		if ((rv = fs_releases_load(
		         &rels, &nrels, node, path, why, sizeof(why)))
		    != FS_OK) {
			cli_fail(rv, why, "audit");
			goto out;
		}
		if (signed_log(o, node, path, &rep) != 0) {
			goto out;
		}
	}
	if ((rv = fs_audit_reconcile(recs, nrecs, rels, nrels, &rep))
	    == FS_OK) {
		rc = audit_print("reconcile", &rep);
	} else {
		fprintf(
		    stderr, "fedscore audit reconcile: %s\n", fs_strerror(rv));
	}
out:
	fs_audit_report_fini(&rep);
	free(rels);
	fs_audit_records_free(recs, nrecs);
	return (rc);
}
