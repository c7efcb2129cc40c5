// SPDX-License-Identifier: Apache-2.0
//
// consent.c -- whether a lookup may be answered: the revocation list
// fresh enough, the consent token (issuer signature, region, times, not
// revoked), its subject equal to the subject looked up, and a scope that
// needs the score; and the contribution then computed.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeimpl.h"

// node_consent checks the token of l under the lock, and scores.
fs_err
node_consent(fs_node *n, const fs_lookup *l, uint64_t now, fs_claims *cl,
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
