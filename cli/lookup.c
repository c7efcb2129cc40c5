// SPDX-License-Identifier: Apache-2.0
//
// lookup.c -- fedscore lookup: a requester asks the coordinator for a
// score with a citizen's consent token, and checks the signed answer.

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/err.h"
#include "crypto/key.h"
#include "net/http.h"
#include "wire/request.h"
#include "wire/token.h"

static const char usage[]
    = "usage: fedscore lookup --coordinator URL --coordinator-key PUB "
      "--key KEY [--scope S] [--cacert FILE] TOKEN\n";

typedef struct opts {
	const char *url, *pubpath, *keypath, *scope, *cacert, *token;
} opts;

// read_options: -1 to go on, or the exit code of usage asked or wrong.
static int
read_options(int argc, char **argv, opts *o)
{
	const cli_opt opts[] = {
		{ "coordinator", .value = &o->url, .need = true },
		{ "coordinator-key", .value = &o->pubpath, .need = true },
		{ "key", .value = &o->keypath, .need = true },
		{ "scope", .value = &o->scope },
		{ "cacert", .value = &o->cacert },
		{ 0 },
	};
	int c = cli_options(&argc, &argv, NULL, opts, 1, usage);

	if (c < 0) {
		o->token = argv[0];
		fs_http_set_cacert(o->cacert);
	}
	return (c);
}

// sign_request reads the requester's and the coordinator's keys and
// signs the request for the token, for the region its consent names
// (the coordinator checks the consent itself).
static int
sign_request(const opts *o, fs_pubkey *coord, fs_claims *peek, char **reqp)
{
	fs_key *key = NULL;
	fs_err  rv;
	int     rc = EXIT_USAGE;

	if (cli_secret_key(&key, o->keypath, "lookup") != 0
	    || cli_public_key(coord, o->pubpath, "lookup", "coordinator")
	        != 0) {
		fs_key_free(key);
		return (EXIT_USAGE);
	}
	if ((rv = fs_token_peek(peek, o->token, strlen(o->token))) != 0) {
		fprintf(stderr,
		    "fedscore lookup: expected a consent token "
		    "(v4.public), cannot read it: %s\n",
		    fs_strerror(rv));
	} else if ((rv = fs_request_sign(reqp, key, o->token, o->scope,
	                peek->reg, (int64_t) time(NULL)))
	    != 0) {
		fprintf(stderr,
		    "fedscore lookup: cannot sign the request: %s\n",
		    fs_strerror(rv));
	} else {
		rc = 0;
	}
	fs_key_free(key);
	return (rc);
}

// post_request sends the request to the coordinator; its reply, when
// the coordinator answered, in *op.
static int
post_request(const opts *o, const char *req, json_t **op)
{
	json_t *body  = json_pack("{s:s}", "request", req);
	char   *reply = NULL;
	int     status, rc = 0;
	fs_err  rv;

	rv = cli_post_json(o->url, "/v1/lookups", body, &status, op, &reply);
	json_decref(body);
	if (rv != FS_OK) {
		fprintf(stderr, "fedscore lookup: %s: %s\n", o->url,
		    rv == FS_ERR_NOMEM ? fs_strerror(rv) : cli_post_why());
		return (EXIT_USAGE);
	}
	if (status != 200) {
		const char *title
		    = json_string_value(json_object_get(*op, "title"));
		const char *detail
		    = json_string_value(json_object_get(*op, "detail"));

		fprintf(stderr, "fedscore lookup: refused (%d %s): %s\n",
		    status, title != NULL ? title : "?",
		    detail != NULL ? detail : reply);
		rc = status >= 500 || status == 422 ? EXIT_USAGE : EXIT_REFUSED;
	}
	free(reply);
	return (rc);
}

// check_answer trusts only what the coordinator signed: the answer must
// verify under its key and be the answer the reply carries.  It prints
// the answer.
static int
check_answer(
    json_t *o, const fs_pubkey *coord, const char *region, const char *pubpath)
{
	json_t     *signed_ans = NULL;
	const char *sig = json_string_value(json_object_get(o, "signed"));
	char       *aj  = NULL;
	int         rc  = EXIT_REFUSED;

	if (sig == NULL
	    || fs_answer_verify(&aj, sig, strlen(sig), coord, region) != 0) {
		fprintf(stderr,
		    "fedscore lookup: the answer's signature does not "
		    "verify under %s\n",
		    pubpath);
	} else if ((signed_ans = json_loads(aj, JSON_REJECT_DUPLICATES, NULL))
	        == NULL
	    || !json_equal(signed_ans, json_object_get(o, "answer"))) {
		fprintf(stderr,
		    "fedscore lookup: the answer differs from what the "
		    "coordinator signed\n");
	} else {
		cli_print_json(signed_ans);
		rc = 0;
	}
	json_decref(signed_ans);
	free(aj);
	return (rc);
}

int
lookup_main(int argc, char **argv)
{
	opts      o = { 0 };
	fs_pubkey coord;
	fs_claims peek;
	char     *req   = NULL;
	json_t   *reply = NULL;
	int       rc;

	if ((rc = read_options(argc, argv, &o)) >= 0) {
		return (rc);
	}
	if ((rc = sign_request(&o, &coord, &peek, &req)) == 0
	    && (rc = post_request(&o, req, &reply)) == 0) {
		rc = check_answer(reply, &coord, peek.reg, o.pubpath);
	}
	json_decref(reply);
	free(req);
	return (rc);
}
