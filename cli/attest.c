// SPDX-License-Identifier: Apache-2.0
//
// attest.c -- fedscore attest: sign a trust list, recognize a foreign
// attestation offline or at a coordinator, and show an attestation as a
// credit code.
//
// verify is the verifier's whole check, offline, with what it holds: the
// signed trust list and its credit office's public key.  The ID number
// and the salt, when the citizen shows them, are used for the subject
// binding and never printed.

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "crypto/paseto.h"
#include "net/http.h"
#include "wire/attest.h"
#include "wire/note.h"
#include "wire/recognize.h"
#include "wire/request.h"
#include "wire/scheme.h"
#include "wire/trust.h"

static const char usage[]
    = "usage: fedscore attest trust sign -k KEY [--name NAME] -o LIST "
      "TRUST.ini\n"
      "       fedscore attest verify --trust LIST --office PUB [--name "
      "NAME] [--id ID --salt SALT] TOKEN\n"
      "       fedscore attest recognize --coordinator URL "
      "[--coordinator-key PUB] [--cacert FILE] TOKEN\n"
      "       fedscore attest code [--png FILE] TOKEN\n";

typedef struct opts {
	const char *key, *name, *out, *trust, *office, *id, *salt, *url, *png;
	const char *ckey, *cacert;
} opts;

// token_arg is the TOKEN argument, or standard input for "-", without
// surrounding white space (zbarimg and shells add a newline).
static char *
token_arg(const char *arg)
{
	char  *t;
	size_t n;

	if (strcmp(arg, "-") != 0) {
		return (strdup(arg));
	}
	if (cli_read_file(&t, &n, "-", FS_PASETO_MAX_LEN + 16) != FS_OK) {
		return (NULL);
	}
	while (n > 0 && strchr(" \t\r\n", t[n - 1]) != NULL) {
		t[--n] = '\0';
	}
	return (t);
}

static int
trust_sign(const opts *o, const char *ini)
{
	char     *text = NULL, *note = NULL;
	size_t    len, nlen;
	fs_key   *k = NULL;
	fs_trust *t = NULL;
	fs_scheme s;
	char      why[FS_WHY_MAX] = "";
	char      pid[FS_PASERK_PID_LEN + 1];
	fs_err    rv;

	if ((rv = cli_read_file(&text, &len, ini, FS_CONF_MAX)) != FS_OK) {
		fprintf(stderr, "fedscore attest trust sign: %s: %s\n", ini,
		    fs_strerror(rv));
		goto out;
	}
	if (len == 0 || text[len - 1] != '\n') {
		text[len++] = '\n'; // a note's text ends in a newline
		text[len]   = '\0';
	}
	// Check what is signed as a verifier will read it: the scheme path
	// relative to the list, and the mapping against that scheme.
	if ((rv = fs_trust_parse(&t, text, len, o->out, why, sizeof(why)))
	        != FS_OK
	    || (rv = fs_scheme_load(
	            &s, fs_trust_scheme_path(t), why, sizeof(why)))
	        != FS_OK
	    || (rv = fs_trust_bind(t, &s, why, sizeof(why))) != FS_OK) {
		fprintf(stderr,
		    "fedscore attest trust sign: %s: not signed: %s\n", ini,
		    why);
		goto out;
	}
	if ((rv = cli_secret_key(&k, o->key, "attest trust sign")) != FS_OK) {
		goto out;
	}
	if ((rv = fs_note_sign(&note, &nlen, text, len, o->name, k)) != FS_OK) {
		fprintf(stderr,
		    "fedscore attest trust sign: %s: %s (expected UTF-8 text "
		    "without tabs or other control characters, and a key name "
		    "without spaces or '+')\n",
		    ini, fs_strerror(rv));
		goto out;
	}
	if ((rv = cli_write_file(o->out, note, nlen)) != FS_OK) {
		fprintf(stderr, "fedscore attest trust sign: cannot write %s\n",
		    o->out);
		goto out;
	}
	fs_paserk_pid(pid, fs_key_public(k)->pk);
	printf("trust list of %s, %zu region%s, signed as %s by %s\n",
	    fs_trust_local(t), fs_trust_count(t),
	    fs_trust_count(t) == 1 ? "" : "s", o->name, pid);
	for (size_t i = 0; i < fs_trust_count(t); i++) {
		const fs_trust_region *r = fs_trust_region_at(t, i);
		char                   nb[FS_TIME_LEN + 1], na[FS_TIME_LEN + 1];

		fs_time_format(nb, r->not_before);
		fs_time_format(na, r->not_after);
		printf("  %s: %s to %s, %zu tier map%s%s, %zu retired key%s\n",
		    r->id, nb, na, r->nmaps, r->nmaps == 1 ? "" : "s",
		    r->linear ? " and score = linear" : "", r->nretired,
		    r->nretired == 1 ? "" : "s");
	}
out:
	free(text);
	free(note);
	fs_key_free(k);
	fs_trust_free(t);
	return (cli_exit(rv));
}

static void
show(const fs_recognition *r, const char *local, bool bound)
{
	const fs_attestation *a = &r->att;
	char                  exp[FS_TIME_LEN + 1];

	fs_time_format(exp, a->exp);
	printf("recognized: %s (%s) in %s\n", r->local.name, r->local.label,
	    local);
	printf("  attested by %s: tier %s (%s)", a->iss, a->tier.name,
	    a->tier.label);
	if (a->has_score) {
		printf(", score %lld of %lld..%lld", (long long) a->score,
		    (long long) a->scale_min, (long long) a->scale_max);
	}
	printf("; scheme %s %s; disclosure %lld of its log\n", a->scheme_id,
	    a->scheme_version, (long long) a->log_index);
	if (r->by_score) {
		printf("  rule: score = linear (%lld here)\n",
		    (long long) r->local_score);
	} else {
		printf("  rule: %s\n", r->rule);
	}
	printf("  valid until %s\n", exp);
	printf("  subject: %s\n",
	    bound ? "bound to the ID number and salt shown"
	          : (a->has_idc ? "not checked (no --id and --salt)"
	                        : "the attestation carries no subject "
	                          "binding"));
}

static int
verify(const opts *o, const char *token)
{
	fs_pubkey      office;
	fs_trust      *t = NULL;
	fs_recognition r;
	uint8_t        salt[FS_IDC_SALT_BYTES];
	char           norm[FS_IDNUM_LEN + 1];
	char           why[FS_WHY_MAX] = "";
	size_t         n;
	int            rc = EXIT_USAGE;
	fs_err         rv;

	if ((rv = cli_public_key(
	         &office, o->office, "attest verify", "credit office"))
	    != FS_OK) {
		goto out;
	}
	if (o->id != NULL
	    && ((rv = fs_idnum_normalize(
	             norm, o->id, strlen(o->id), time(NULL), why, sizeof(why)))
	            != FS_OK
	        || fs_b64_decode(
	               salt, sizeof(salt), &n, o->salt, strlen(o->salt))
	            != FS_OK
	        || n != sizeof(salt))) {
		fprintf(stderr, "fedscore attest verify: %s\n",
		    rv != FS_OK ? why
		                : "expected --salt as the 22 characters "
		                  "the issuer gave the citizen");
		goto out;
	}
	if ((rv = fs_trust_load(
	         &t, o->trust, &office, o->name, why, sizeof(why)))
	    != FS_OK) {
		// A list that does not verify is refused, like a forgery.
		fprintf(stderr, "fedscore attest verify: trust list %s\n", why);
		rc = rv == FS_ERR_BAD_SIGNATURE || rv == FS_ERR_WRONG_KEY
		    ? EXIT_REFUSED
		    : EXIT_USAGE;
		goto out;
	}
	rv = fs_recognize(&r, t, token, strlen(token), (int64_t) time(NULL),
	    why, sizeof(why));
	if (rv == FS_OK && o->id != NULL
	    && (rv = fs_attest_bound(&r.att, norm, strlen(norm), salt))
	        != FS_OK) {
		snprintf(why, sizeof(why), "%s",
		    r.att.has_idc ? "the attestation is not bound to the ID "
		                    "number and salt shown: it is another "
		                    "citizen's, or the salt is wrong"
		                  : "the attestation carries no subject "
		                    "binding to check the ID number against");
	}
	if (rv != FS_OK) {
		fprintf(stderr,
		    "fedscore attest verify: not recognized: %s (%s)\n", why,
		    fs_err_name(rv));
		rc = EXIT_REFUSED; // whatever is wrong, it is not recognized
		goto out;
	}
	show(&r, fs_trust_local(t), o->id != NULL);
	rc = 0;
out:
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(salt, sizeof(salt));
	fs_trust_free(t);
	return (rc);
}

// signed_by checks that the coordinator whose key is at path signed the
// recognition answer j: its "signed" token, for the region the answer
// names, carries exactly the rest of the answer.
static int
signed_by(const char *path, const json_t *j)
{
	const char *tok    = json_string_value(json_object_get(j, "signed"));
	const char *region = json_string_value(json_object_get(j, "region"));
	json_t     *rest, *msg = NULL;
	char       *json = NULL;
	fs_pubkey   coord;
	fs_err      rv;
	int         rc = EXIT_REFUSED;

	if (cli_public_key(&coord, path, "attest recognize", "coordinator")
	    != FS_OK) {
		return (EXIT_USAGE);
	}
	if (tok == NULL || region == NULL) {
		fprintf(stderr,
		    "fedscore attest recognize: refused: the answer is not "
		    "signed (expected \"signed\" and \"region\")\n");
		return (EXIT_REFUSED);
	}
	if ((rv = fs_recognition_answer_verify(
	         &json, tok, strlen(tok), &coord, region))
	    != FS_OK) {
		fprintf(stderr,
		    "fedscore attest recognize: refused: the answer's "
		    "signature: %s (%s)\n",
		    fs_strerror(rv), fs_err_name(rv));
		return (EXIT_REFUSED);
	}
	rest = json_deep_copy(j);
	json_object_del(rest, "signed");
	msg = json_loads(json, 0, NULL);
	if (msg != NULL && json_equal(msg, rest)) {
		fprintf(stderr,
		    "fedscore attest recognize: signed by the coordinator of "
		    "%s\n",
		    region);
		rc = 0;
	} else {
		fprintf(stderr,
		    "fedscore attest recognize: refused: the answer differs "
		    "from what the coordinator signed\n");
	}
	json_decref(rest);
	json_decref(msg);
	free(json);
	return (rc);
}

static int
recognize(const opts *o, const char *token)
{
	json_t *body = json_pack("{s:s}", "attestation", token), *j = NULL;
	char   *reply = NULL;
	int     status, rc = EXIT_USAGE;
	fs_err  rv;

	if (body == NULL) {
		fprintf(
		    stderr, "fedscore attest recognize: cannot read TOKEN\n");
		return (EXIT_USAGE);
	}
	rv = cli_post_json(
	    o->url, "/v1/recognitions", body, &status, &j, &reply);
	json_decref(body);
	if (rv != FS_OK) {
		fprintf(stderr, "fedscore attest recognize: %s: %s (%s)\n",
		    o->url, cli_post_why(), fs_strerror(rv));
		goto out;
	}
	if (status != 200) {
		const char *t = json_string_value(json_object_get(j, "type"));
		const char *d = json_string_value(json_object_get(j, "detail"));

		fprintf(stderr,
		    "fedscore attest recognize: not recognized (%d %s): %s\n",
		    status, t != NULL ? strrchr(t, ':') + 1 : "?",
		    d != NULL ? d : reply);
		rc = status == 403 ? EXIT_REFUSED : EXIT_USAGE;
		goto out;
	}
	if (o->ckey != NULL && (rc = signed_by(o->ckey, j)) != 0) {
		goto out;
	}
	cli_print_json(j);
	rc = 0;
out:
	json_decref(j);
	free(reply);
	return (rc);
}

static int
code(const opts *o, const char *token)
{
	char  *footer;
	int    width;
	fs_err rv;

	// Only what looks like a token is drawn; the verifier checks it.
	if ((rv = fs_paseto_footer(&footer, NULL, token, strlen(token)))
	    != FS_OK) {
		fprintf(stderr,
		    "fedscore attest code: expected an attestation, "
		    "v4.public.…\n");
		return (EXIT_USAGE);
	}
	free(footer);
	rv = o->png != NULL ? cli_qr_png(o->png, token, 6)
	                    : cli_qr_terminal(stdout, token, &width);
	if (rv != FS_OK) {
		fprintf(stderr, "fedscore attest code: %s%s%s\n",
		    o->png != NULL ? o->png : "", o->png != NULL ? ": " : "",
		    rv == FS_ERR_TOO_LARGE ? "too long for a QR code"
		                           : fs_strerror(rv));
	}
	return (cli_exit(rv));
}

typedef int (*token_verb)(const opts *o, const char *token);

// token_verb_of is the verb that takes a TOKEN when the options fit it,
// or NULL.
static token_verb
token_verb_of(const char *verb, const opts *o)
{
	if (strcmp(verb, "verify") == 0 && o->trust && o->office
	    && (o->id == NULL) == (o->salt == NULL) && !o->key && !o->url
	    && !o->png) {
		return (verify);
	}
	if (strcmp(verb, "recognize") == 0 && o->url && !o->trust && !o->id
	    && !o->key && !o->png) {
		return (recognize);
	}
	if (strcmp(verb, "code") == 0 && !o->trust && !o->id && !o->key
	    && !o->url && !o->ckey) {
		return (code);
	}
	return (NULL);
}

int
attest_main(int argc, char **argv)
{
	opts          o      = { .name = FS_TRUST_OFFICE_NAME };
	const cli_opt opts[] = {
		{ "key", 'k', .value = &o.key },
		{ "name", .value = &o.name },
		{ "output", 'o', .value = &o.out },
		{ "trust", .value = &o.trust },
		{ "office", .value = &o.office },
		{ "id", .value = &o.id },
		{ "salt", .value = &o.salt },
		{ "coordinator", .value = &o.url },
		{ "coordinator-key", .value = &o.ckey },
		{ "png", .value = &o.png },
		{ "cacert", .value = &o.cacert },
		{ 0 },
	};
	const char *verb;
	token_verb  fn;
	char       *token;
	int         c;

	if ((c = cli_verb(&argc, &argv, usage, &verb)) >= 0) {
		return (c);
	}
	if (strcmp(verb, "trust") == 0) {
		if (argc < 2 || strcmp(argv[1], "sign") != 0) {
			return (cli_usage(usage, false));
		}
		argc--;
		argv++;
		verb = "trust sign";
	}
	if ((c = cli_options(&argc, &argv, NULL, opts, 1, usage)) >= 0) {
		return (c);
	}
	if (o.cacert != NULL && strcmp(verb, "recognize") != 0) {
		return (cli_usage(usage, false));
	}
	fs_http_set_cacert(o.cacert);
	if (strcmp(verb, "trust sign") == 0 && o.key && o.out && !o.trust
	    && !o.id && !o.url && !o.png && !o.ckey) {
		return (trust_sign(&o, argv[0]));
	}
	if ((fn = token_verb_of(verb, &o)) == NULL) {
		return (cli_usage(usage, false));
	}
	if ((token = token_arg(argv[0])) == NULL) {
		fprintf(
		    stderr, "fedscore attest %s: cannot read TOKEN\n", verb);
		return (EXIT_USAGE);
	}
	c = fn(&o, token);
	free(token);
	return (c);
}
