// SPDX-License-Identifier: Apache-2.0
//
// consent.c -- whether a lookup may be answered: the revocation list
// fresh enough, the consent token (issuer signature, region, times, not
// revoked), its subject equal to the subject looked up, and a scope that
// needs the score; and the contribution then computed.

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "net/revfresh.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/consent.h"
#include "wire/lookup.h"
#include "wire/token.h"

// token_checked checks, against the revocation list in force, that the
// list is fresh enough and that l carries a valid consent token, not
// revoked, whose claims it reads into *cl.
static fs_err
token_checked(fs_node *n, const fs_lookup *l, uint64_t now, fs_claims *cl,
    char *why, size_t whycap)
{
	fs_err rv;

	pthread_mutex_lock(&n->rlmtx);
	if ((rv = fs_revocations_fresh(
	         n->have_rl, n->rl_fetched_ms, n->max_age_ms, now, why, whycap))
	    != FS_OK) {
	} else if (l->token[0] == '\0') {
		snprintf(why, whycap,
		    "expected the citizen's consent token, "
		    "found none");
		rv = FS_ERR_REFUSED;
	} else if ((rv = fs_consent_verify(cl, l->token, strlen(l->token),
	                &n->issuer.key, n->issuer.region, &n->rl,
	                (int64_t) (now / 1000), why, whycap))
	    == FS_ERR_REVOKED) {
		// The log keeps token ids out, as the release log does.
		snprintf(why, whycap, "consent revoked (revocation list %llu)",
		    (unsigned long long) n->rl.seq);
	}
	pthread_mutex_unlock(&n->rlmtx);
	return (rv);
}

// needs_score tells the scopes a node answers: those that need the score.
static bool
needs_score(fs_scope scope)
{
	switch (scope) {
	case FS_SCOPE_TIER:
	case FS_SCOPE_SCORE:
	case FS_SCOPE_BREAKDOWN:
	case FS_SCOPE_ATTEST:
	case FS_SCOPE_SELF:
		return (true);
	default:
		return (false);
	}
}

// node_consent checks the token of l and the subject and scope it
// consents to, and computes the contribution.
fs_err
node_consent(fs_node *n, const fs_lookup *l, uint64_t now, fs_claims *cl,
    fs_contribution *c, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = token_checked(n, l, now, cl, why, whycap)) != FS_OK) {
		return (rv);
	}
	if (sodium_memcmp(cl->sub, l->subject, FS_SUBJECT_BYTES) != 0) {
		snprintf(why, whycap,
		    "expected a consent token for the subject "
		    "looked up, found one for another subject");
		return (FS_ERR_WRONG_SUBJECT);
	}
	if (!needs_score(cl->scope)) {
		snprintf(why, whycap, "expected a scope that needs the score");
		return (FS_ERR_SCOPE);
	}
	if ((rv = fs_node_contribution(
	         n, l->subject, fs_today((int64_t) (now / 1000)), c))
	    != FS_OK) {
		snprintf(why, whycap, "cannot compute the contribution: %s",
		    fs_strerror(rv));
	}
	return (rv);
}
