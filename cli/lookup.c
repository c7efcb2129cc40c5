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
#include "wire/request.h"
#include "wire/token.h"

static const char usage[]
    = "usage: fedscore lookup --coordinator URL --coordinator-key PUB "
      "--key KEY [--scope S] TOKEN\n";

int
lookup_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "coordinator", required_argument, NULL, 'C' },
		{ "coordinator-key", required_argument, NULL, 'P' },
		{ "key", required_argument, NULL, 'k' },
		{ "scope", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *pubpath = NULL, *keypath = NULL, *scope = NULL;
	const char *token;
	fs_key     *key = NULL;
	fs_pubkey   coord;
	fs_claims   peek;
	char       *req = NULL, *body = NULL, *reply = NULL, *aj = NULL;
	json_t     *o = NULL, *answer = NULL, *signed_ans = NULL;
	int         status = 0, c, rc = EXIT_USAGE;
	fs_err      rv;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			url = optarg;
			break;
		case 'P':
			pubpath = optarg;
			break;
		case 'k':
			keypath = optarg;
			break;
		case 's':
			scope = optarg;
			break;
		case 'h':
			return (cli_usage(usage, true));
		default:
			return (cli_usage(usage, false));
		}
	}
	if (url == NULL || pubpath == NULL || keypath == NULL
	    || optind != argc - 1) {
		return (cli_usage(usage, false));
	}
	token = argv[optind];
	if ((rv = fs_keyfile_read_secret(&key, keypath)) != 0) {
		fprintf(stderr, "fedscore lookup: %s: %s\n", keypath,
		    fs_strerror(rv));
		goto out;
	}
	if ((rv = fs_keyfile_read_public(&coord, pubpath)) != 0) {
		fprintf(stderr,
		    "fedscore lookup: %s: %s (expected the "
		    "coordinator's k4.public key)\n",
		    pubpath, fs_strerror(rv));
		goto out;
	}
	// The region to sign for is the one the consent names; the
	// coordinator checks the consent itself.
	if ((rv = fs_token_peek(&peek, token, strlen(token))) != 0) {
		fprintf(stderr,
		    "fedscore lookup: expected a consent token "
		    "(v4.public), cannot read it: %s\n",
		    fs_strerror(rv));
		goto out;
	}
	if ((rv = fs_request_sign(
	         &req, key, token, scope, peek.reg, (int64_t) time(NULL)))
	    != 0) {
		fprintf(stderr,
		    "fedscore lookup: cannot sign the request: %s\n",
		    fs_strerror(rv));
		goto out;
	}
	o    = json_pack("{s:s}", "request", req);
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	o = NULL;
	if (body == NULL
	    || (rv = cli_post(url, "/v1/lookups", body, &status, &reply))
	        != 0) {
		fprintf(
		    stderr, "fedscore lookup: %s: %s\n", url, fs_strerror(rv));
		goto out;
	}
	o = json_loads(reply, 0, NULL);
	if (status != 200) {
		const char *title
		    = json_string_value(json_object_get(o, "title"));
		const char *detail
		    = json_string_value(json_object_get(o, "detail"));

		fprintf(stderr, "fedscore lookup: refused (%d %s): %s\n",
		    status, title != NULL ? title : "?",
		    detail != NULL ? detail : reply);
		rc = status >= 500 || status == 422 ? EXIT_USAGE : EXIT_REFUSED;
		goto out;
	}
	// Trust only what the coordinator signed.
	if (!json_is_string(json_object_get(o, "signed"))
	    || (rv = fs_answer_verify(&aj,
	            json_string_value(json_object_get(o, "signed")),
	            strlen(json_string_value(json_object_get(o, "signed"))),
	            &coord, peek.reg))
	        != 0) {
		fprintf(stderr,
		    "fedscore lookup: the answer's signature does not "
		    "verify under %s\n",
		    pubpath);
		rc = EXIT_REFUSED;
		goto out;
	}
	signed_ans = json_loads(aj, JSON_REJECT_DUPLICATES, NULL);
	answer     = json_object_get(o, "answer");
	if (signed_ans == NULL || !json_equal(signed_ans, answer)) {
		fprintf(stderr,
		    "fedscore lookup: the answer differs from what the "
		    "coordinator signed\n");
		rc = EXIT_REFUSED;
		goto out;
	}
	json_dumpf(signed_ans, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	rc = 0;
out:
	json_decref(o);
	json_decref(signed_ans);
	free(aj);
	free(reply);
	free(body);
	free(req);
	fs_key_free(key);
	return (rc);
}
