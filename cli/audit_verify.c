// SPDX-License-Identifier: Apache-2.0
//
// audit_verify.c -- fedscore audit verify: reads the coordinator's and
// the witnesses' keys and, with --full, the full records, the issuer's
// key and its signed revocations; fs_audit_verify fetches and checks
// the log.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit_cmd.h"
#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "net/http.h"
#include "wire/note.h"
#include "wire/revocations.h"
#include "wire/token.h"

// revocations reads the issuer's signed revocations (fedscore issuer
// revocations) for the region given, or else the one the note names.
static int
revocations(const audit_opts *o, const fs_pubkey *issuer, fs_revocations *rs,
    int64_t *grace)
{
	char        region[FS_CLAIM_STR_MAX + 1] = "";
	char       *buf;
	size_t      len;
	int64_t     ms = 120000;
	const char *slash;
	fs_err      rv;

	if (o->grace != NULL
	    && (fs_parse_duration(o->grace, &ms) != FS_OK || ms < 0)) {
		fprintf(stderr,
		    "fedscore audit: expected --grace as a duration (30s, "
		    "2m), found '%s'\n",
		    o->grace);
		return (-1);
	}
	*grace = ms / 1000;
	if ((buf = fs_audit_slurp(o->revocations, FS_NOTE_MAX, &len)) == NULL) {
		fprintf(stderr, "fedscore audit: %s: %s\n", o->revocations,
		    strerror(errno));
		return (-1);
	}
	if (o->region != NULL) {
		snprintf(region, sizeof(region), "%s", o->region);
	} else if (strncmp(buf, "fedscore.", 9) == 0
	    && (slash = strchr(buf + 9, '/')) != NULL
	    && (size_t) (slash - buf - 9) < sizeof(region)) {
		snprintf(region, sizeof(region), "%.*s",
		    (int) (slash - buf - 9), buf + 9);
	}
	if ((rv = fs_revocations_open(rs, buf, len, issuer, region)) != FS_OK) {
		fprintf(stderr,
		    "fedscore audit: %s: %s (expected the issuer's signed "
		    "revocations of region %s, from fedscore issuer "
		    "revocations)\n",
		    o->revocations, fs_strerror(rv),
		    region[0] ? region : "(none named)");
		free(buf);
		return (-1);
	}
	free(buf);
	return (0);
}

int
audit_verify(const audit_opts *o)
{
	fs_audit_witness     w[WITNESSES_MAX];
	fs_pubkey            coord, issuer;
	fs_audit_record     *recs  = NULL;
	size_t               nrecs = 0;
	fs_audit_report      rep;
	fs_revocations       revs            = { 0 };
	fs_audit_verify_opts vo              = { .log = o->log,
		             .coord                   = &coord,
		             .witnesses               = w,
		             .nwitnesses              = o->nwitness,
		             .state      = o->state != NULL ? o->state : STATE_DEFAULT,
		             .since      = o->since,
		             .region     = o->region,
		             .timeout_ms = 30000 };
	char                 why[FS_WHY_MAX] = "";
	int                  rc              = EXIT_USAGE;
	fs_err               rv;

	if (cli_public_key(&coord, o->key, "audit", "coordinator") != 0) {
		return (EXIT_USAGE);
	}
	fs_http_set_cacert(o->cacert);
	for (size_t i = 0; i < o->nwitness; i++) {
		const char *eq = strchr(o->witness[i], '=');
		char        name[FS_NOTE_NAME_MAX + 1];
		fs_pubkey   k;

		if (eq == NULL || eq == o->witness[i]
		    || (size_t) (eq - o->witness[i]) > FS_NOTE_NAME_MAX) {
			fprintf(stderr,
			    "fedscore audit: expected --witness NAME=PUB, "
			    "found '%s'\n",
			    o->witness[i]);
			return (EXIT_USAGE);
		}
		snprintf(name, sizeof(name), "%.*s", (int) (eq - o->witness[i]),
		    o->witness[i]);
		if (cli_public_key(&k, eq + 1, "audit", "witness") != 0) {
			return (EXIT_USAGE);
		}
		if (fs_audit_witness_init(&w[i], name, &k) != FS_OK) {
			fprintf(stderr,
			    "fedscore audit: expected a witness name without "
			    "spaces or '+', found '%s'\n",
			    name);
			return (EXIT_USAGE);
		}
	}
	if (o->full != NULL) {
		if (cli_public_key(&issuer, o->issuer, "audit", "issuer") != 0
		    || (o->revocations != NULL
		        && revocations(o, &issuer, &revs, &vo.grace_s) != 0)
		    || audit_load_records(o, &recs, &nrecs) != 0) {
			fs_revocations_fini(&revs);
			return (EXIT_USAGE);
		}
		vo.records  = recs;
		vo.nrecords = nrecs;
		vo.issuer   = &issuer;
		vo.revoked  = o->revocations != NULL ? &revs : NULL;
	}
	fs_audit_report_init(&rep);
	rv = fs_audit_verify(&vo, &rep, why, sizeof(why));
	if (rv == FS_OK || rv == FS_ERR_BAD_PROOF) {
		rc = audit_print("verify", &rep);
	} else {
		audit_print("verify", &rep);
		cli_fail(rv, why, "audit verify");
	}
	fs_audit_report_fini(&rep);
	fs_audit_records_free(recs, nrecs);
	fs_revocations_fini(&revs);
	return (rc);
}
