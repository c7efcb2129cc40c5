// SPDX-License-Identifier: Apache-2.0
//
// access.c -- fedscore access: a citizen lists who looked their score up,
// and checks every item against the coordinator's signed log instead of
// taking the coordinator's word for it.
//
// For each disclosure the coordinator lists, the command checks that the
// log entry names this citizen (its subject commitment opens with the
// salt given and the subject of the citizen's own token), that the entry
// says what the list says (requester, purpose, scope, time), and that the
// entry is in the log: its leaf hash, the inclusion proof and the root
// of the checkpoint, whose signature by the coordinator's key is checked
// first.  An item without a proof is newer than the checkpoint: reported
// as pending, not as verified.

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "crypto/paseto.h"
#include "net/http.h"
#include "wire/logcommit.h"
#include "wire/note.h"
#include "wire/token.h"

static const char usage[]
    = "usage: fedscore access --coordinator URL --coordinator-key PUB "
      "[--json] [--cacert FILE] TOKEN\n";

#define TIMEOUT_MS 30000

// matches checks the item d against its log entry e: the entry is
// about subject (its commitment opens with the item's salt), and says
// what the item says.
static bool
matches(json_t *d, const fs_audit_entry *e,
    const uint8_t subject[static FS_SUBJECT_BYTES], const uint8_t salt[16],
    char *why, size_t whycap)
{
	const char *field[] = { "requester", "purpose", "scope" };
	const char *time    = json_string_value(json_object_get(d, "time"));
	uint8_t     commit[32];
	char        t[FS_TIME_LEN + 1];

	if (e->version == FS_LOG_ENTRY_VERSION) {
		fs_log_commit(
		    commit, salt, "subject", subject, FS_SUBJECT_BYTES);
	} else {
		crypto_generichash(commit, sizeof(commit), subject,
		    FS_SUBJECT_BYTES, salt, 16);
	}
	if (sodium_memcmp(commit, e->commit, sizeof(commit)) != 0) {
		snprintf(why, whycap, "the log entry is not about you");
		return (false);
	}
	for (size_t i = 0; i < 3; i++) {
		const char *a = json_string_value(json_object_get(d, field[i]));
		const char *b = i == 0 ? e->requester
		    : i == 1           ? e->purpose
		                       : e->scope;

		if (a == NULL || strcmp(a, b) != 0) {
			snprintf(why, whycap,
			    "the list says %s '%s', the log entry '%s'",
			    field[i], a != NULL ? a : "", b);
			return (false);
		}
	}
	fs_time_format(t, e->time);
	if (strcmp(t, time) != 0) {
		snprintf(why, whycap, "the list says time %s, the log entry %s",
		    time, t);
		return (false);
	}
	return (true);
}

// included checks the item's inclusion proof of entry at index against
// the signed checkpoint; an item without one is pending when the
// checkpoint does not cover it yet.
static bool
included(json_t *d, const char *entry, uint64_t index, const fs_checkpoint *cp,
    bool *pending, char *why, size_t whycap)
{
	json_t         *inc = json_object_get(d, "inclusion");
	fs_merkle_proof p;
	uint8_t         leaf[FS_MERKLE_HASH_BYTES];
	size_t          got, i;
	json_t         *v;

	if (inc == NULL) {
		*pending = index >= cp->size;
		snprintf(why, whycap, "%s",
		    *pending ? "not yet in a signed checkpoint"
		             : "no inclusion proof, though the checkpoint "
		               "covers it");
		return (false);
	}
	memset(&p, 0, sizeof(p));
	if (!json_is_array(inc) || json_array_size(inc) > FS_MERKLE_PROOF_MAX) {
		snprintf(why, whycap, "expected an inclusion proof");
		return (false);
	}
	json_array_foreach (inc, i, v) {
		const char *h = json_string_value(v);

		if (h == NULL
		    || fs_b64std_decode(
		           p.hash[i], FS_MERKLE_HASH_BYTES, &got, h, strlen(h))
		        != FS_OK
		    || got != FS_MERKLE_HASH_BYTES) {
			snprintf(why, whycap,
			    "hash %zu of the inclusion proof is not base64 of "
			    "32 bytes",
			    i);
			return (false);
		}
	}
	p.n = json_array_size(inc);
	fs_merkle_leaf_hash(leaf, (const uint8_t *) entry, strlen(entry));
	if (fs_merkle_verify_inclusion(leaf, index, cp->size, &p, cp->root)
	    != FS_OK) {
		snprintf(why, whycap,
		    "the inclusion proof does not verify against the signed "
		    "checkpoint of %llu entries",
		    (unsigned long long) cp->size);
		return (false);
	}
	return (true);
}

// check verifies one listed disclosure; why says what fails.
static bool
check(json_t *d, const fs_checkpoint *cp,
    const uint8_t subject[static FS_SUBJECT_BYTES], bool *pending, char *why,
    size_t whycap)
{
	const char    *entry = json_string_value(json_object_get(d, "entry"));
	const char    *salt  = json_string_value(json_object_get(d, "salt"));
	json_t        *idx   = json_object_get(d, "index");
	const char    *time  = json_string_value(json_object_get(d, "time"));
	fs_audit_entry e;
	uint8_t        s[16];
	size_t         got;

	*pending = false;
	if (entry == NULL || salt == NULL || !json_is_integer(idx)
	    || json_integer_value(idx) < 0 || time == NULL
	    || fs_b64_decode(s, sizeof(s), &got, salt, strlen(salt)) != FS_OK
	    || got != sizeof(s)
	    || fs_audit_entry_parse(&e, entry, strlen(entry)) != FS_OK) {
		snprintf(why, whycap,
		    "expected index, time, entry and salt, found an item "
		    "without them");
		return (false);
	}
	return (matches(d, &e, subject, s, why, whycap)
	    && included(d, entry, (uint64_t) json_integer_value(idx), cp,
	        pending, why, whycap));
}

// report checks every item and prints them; returns the failures.
static size_t
report(json_t *list, const fs_checkpoint *cp,
    const uint8_t subject[static FS_SUBJECT_BYTES], bool as_json)
{
	json_t *out = json_array(), *d;
	size_t  i, failed = 0, pending = 0;

	if (!as_json) {
		printf("disclosure log %.*s: checkpoint of %llu entries, "
		       "signature verified\n",
		    (int) cp->origin_len, cp->origin,
		    (unsigned long long) cp->size);
		printf("%zu disclosure%s of your score:\n",
		    json_array_size(list),
		    json_array_size(list) == 1 ? "" : "s");
	}
	json_array_foreach (list, i, d) {
		char        why[FS_WHY_MAX] = "";
		bool        wait;
		bool        ok = check(d, cp, subject, &wait, why, sizeof(why));
		const char *tm = json_string_value(json_object_get(d, "time"));
		const char *rq
		    = json_string_value(json_object_get(d, "requester"));
		const char *pu
		    = json_string_value(json_object_get(d, "purpose"));
		const char *sc = json_string_value(json_object_get(d, "scope"));
		json_int_t ix = json_integer_value(json_object_get(d, "index"));

		failed += !ok && !wait;
		pending += wait;
		if (as_json) {
			json_t *o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, "
			                      "s:b, s:b}",
			    "index", ix, "time", tm, "requester", rq, "purpose",
			    pu, "scope", sc, "verified", ok, "pending", wait);

			if (!ok) {
				json_object_set_new(
				    o, "problem", json_string(why));
			}
			json_array_append_new(out, o);
			continue;
		}
		printf("  #%-6lld %s  %-16s %-14s %-10s %s%s\n", (long long) ix,
		    tm != NULL ? tm : "?", rq != NULL ? rq : "?",
		    pu != NULL ? pu : "?", sc != NULL ? sc : "?",
		    ok         ? "proof verified"
		        : wait ? "pending: "
		               : "FAILED: ",
		    ok ? "" : why);
	}
	if (as_json) {
		char    r[45];
		json_t *o;

		fs_b64std_encode(r, cp->root, FS_MERKLE_HASH_BYTES);
		o = json_pack("{s:s%, s:I, s:s, s:o, s:b}", "log", cp->origin,
		    cp->origin_len, "size", (json_int_t) cp->size, "root", r,
		    "disclosures", out, "verified", failed == 0);
		cli_print_json(o);
		json_decref(o);
	} else {
		json_decref(out);
		if (failed == 0) {
			printf("all %zu listed disclosures are in the signed "
			       "log%s\n",
			    json_array_size(list) - pending,
			    pending > 0 ? " (the pending ones: not yet)" : "");
		} else {
			printf("%zu disclosure%s FAILED verification\n", failed,
			    failed == 1 ? "" : "s");
		}
	}
	return (failed);
}

typedef struct opts {
	const char *base, *pubpath, *token;
	bool        as_json;
} opts;

// read_options: -1 to go on, or the exit code of usage asked or wrong.
static int
read_options(int argc, char **argv, opts *o)
{
	const char   *cacert = NULL;
	const cli_opt opts[] = {
		{ "coordinator", .value = &o->base, .need = true },
		{ "coordinator-key", .value = &o->pubpath, .need = true },
		{ "json", .flag = &o->as_json },
		{ "cacert", .value = &cacert },
		{ 0 },
	};
	int c = cli_options(&argc, &argv, NULL, opts, 1, usage);

	if (c >= 0) {
		return (c);
	}
	if (o->base[0] == '\0') {
		return (cli_usage(usage, false));
	}
	fs_http_set_cacert(cacert);
	o->token = argv[0];
	return (-1);
}

// fetch asks the coordinator for the disclosures of the token's
// citizen, the token as the bearer: 0 with the reply in *op, or the exit
// code.
static int
fetch(const opts *o, json_t **op)
{
	const char *base = o->base;
	char        url[2048], auth[FS_PASETO_MAX_LEN + 16];
	uint8_t    *body = NULL;
	size_t      len;
	int         status;
	fs_err      rv;

	snprintf(url, sizeof(url), "%s%s", base,
	    base[strlen(base) - 1] == '/' ? "v1/me/access" : "/v1/me/access");
	snprintf(auth, sizeof(auth), "Bearer %s", o->token);
	rv = fs_http_request_with("GET", url,
	    (const char *[]) { "Authorization", auth, NULL }, NULL, NULL, 0,
	    TIMEOUT_MS, &status, &body, &len);
	sodium_memzero(auth, sizeof(auth));
	if (rv != FS_OK) {
		fprintf(
		    stderr, "fedscore access: %s: %s\n", url, fs_http_why());
		return (EXIT_USAGE);
	}
	*op = json_loadb((const char *) body, len, 0, NULL);
	free(body);
	if (status != 200) {
		const char *d
		    = json_string_value(json_object_get(*op, "detail"));

		fprintf(stderr, "fedscore access: refused (%d): %s\n", status,
		    d != NULL ? d : "no detail");
		return (
		    status == 401 || status == 403 ? EXIT_REFUSED : EXIT_USAGE);
	}
	return (0);
}

// verify_list checks the signed checkpoint of the reply, then every
// disclosure it lists against it, and prints them.
static int
verify_list(json_t *o, const fs_pubkey *coord,
    const uint8_t subject[static FS_SUBJECT_BYTES], bool as_json)
{
	const char *note = json_string_value(json_object_get(o, "checkpoint"));
	fs_note    *n    = NULL;
	fs_checkpoint cp;
	char          why[FS_WHY_MAX];
	int           rc;

	if (note == NULL || !json_is_array(json_object_get(o, "disclosures"))) {
		fprintf(stderr,
		    "fedscore access: expected a checkpoint and a list of "
		    "disclosures, found something else\n");
		return (EXIT_USAGE);
	}
	if (fs_audit_checkpoint_open(
	        &n, &cp, note, strlen(note), coord, NULL, why, sizeof(why))
	    != FS_OK) {
		fprintf(stderr, "fedscore access: %s\n", why);
		return (EXIT_REFUSED);
	}
	rc = report(json_object_get(o, "disclosures"), &cp, subject, as_json)
	        == 0
	    ? 0
	    : EXIT_REFUSED;
	fs_note_free(n);
	return (rc);
}

int
access_main(int argc, char **argv)
{
	opts      o = { 0 };
	fs_pubkey coord;
	fs_claims me;
	json_t   *reply = NULL;
	int       rc;

	if ((rc = read_options(argc, argv, &o)) >= 0) {
		return (rc);
	}
	if (cli_public_key(&coord, o.pubpath, "access", "coordinator") != 0) {
		return (EXIT_USAGE);
	}
	// The subject is the citizen's own: read from their own token.
	if (strlen(o.token) > FS_PASETO_MAX_LEN
	    || fs_token_peek(&me, o.token, strlen(o.token)) != FS_OK) {
		fprintf(stderr,
		    "fedscore access: expected your consent token of scope "
		    "self (v4.public), cannot read it\n");
		return (EXIT_USAGE);
	}
	if ((rc = fetch(&o, &reply)) == 0) {
		rc = verify_list(reply, &coord, me.sub, o.as_json);
	}
	json_decref(reply);
	return (rc);
}
