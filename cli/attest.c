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

// read_file reads at most max bytes of path (stdin for "-"), NUL-ended.
static fs_err
read_file(char **bufp, size_t *lenp, const char *path, size_t max)
{
	FILE  *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char  *buf;
	size_t n;

	if (f == NULL) {
		return (FS_ERR_NOT_FOUND);
	}
	if ((buf = malloc(max + 2)) == NULL) {
		if (f != stdin) {
			fclose(f);
		}
		return (FS_ERR_NOMEM);
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		free(buf);
		if (f != stdin) {
			fclose(f);
		}
		return (n > max ? FS_ERR_TOO_LARGE : FS_ERR_IO);
	}
	if (f != stdin) {
		fclose(f);
	}
	buf[n] = '\0';
	*bufp  = buf;
	*lenp  = n;
	return (FS_OK);
}

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
	if (read_file(&t, &n, "-", FS_PASETO_MAX_LEN + 16) != FS_OK) {
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
	FILE     *f;
	char      why[FS_WHY_MAX] = "";
	char      pid[FS_PASERK_PID_LEN + 1];
	fs_err    rv;

	if ((rv = read_file(&text, &len, ini, FS_CONF_MAX)) != FS_OK) {
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
	if ((rv = fs_keyfile_read_secret(&k, o->key)) != FS_OK) {
		fprintf(stderr, "fedscore attest trust sign: %s: %s\n", o->key,
		    fs_strerror(rv));
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
	if ((f = fopen(o->out, "w")) == NULL || fwrite(note, 1, nlen, f) != nlen
	    || fclose(f) != 0) {
		fprintf(stderr, "fedscore attest trust sign: cannot write %s\n",
		    o->out);
		rv = FS_ERR_IO;
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
verify(const opts *o, const char *arg)
{
	fs_pubkey      office;
	fs_trust      *t = NULL;
	fs_recognition r;
	uint8_t        salt[FS_IDC_SALT_BYTES];
	char           norm[FS_IDNUM_LEN + 1];
	char           why[FS_WHY_MAX] = "";
	char          *token           = token_arg(arg);
	size_t         n;
	int            rc = EXIT_USAGE;
	fs_err         rv;

	if (token == NULL) {
		fprintf(stderr, "fedscore attest verify: cannot read TOKEN\n");
		return (EXIT_USAGE);
	}
	if ((rv = fs_keyfile_read_public(&office, o->office)) != FS_OK) {
		fprintf(stderr,
		    "fedscore attest verify: %s: %s (expected the credit "
		    "office's k4.public key)\n",
		    o->office, fs_strerror(rv));
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
	free(token);
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

	if ((rv = fs_keyfile_read_public(&coord, path)) != FS_OK) {
		fprintf(stderr,
		    "fedscore attest recognize: %s: %s (expected the "
		    "coordinator's k4.public key)\n",
		    path, fs_strerror(rv));
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
recognize(const opts *o, const char *arg)
{
	char   *token = token_arg(arg), *body = NULL, *reply = NULL;
	json_t *j = NULL;
	int     status, rc = EXIT_USAGE;
	fs_err  rv;

	if (token == NULL
	    || (j = json_pack("{s:s}", "attestation", token)) == NULL
	    || (body = json_dumps(j, JSON_COMPACT)) == NULL) {
		fprintf(
		    stderr, "fedscore attest recognize: cannot read TOKEN\n");
		goto out;
	}
	json_decref(j);
	j = NULL;
	if ((rv = cli_post(o->url, "/v1/recognitions", body, &status, &reply))
	    != FS_OK) {
		fprintf(stderr, "fedscore attest recognize: %s: %s (%s)\n",
		    o->url, cli_post_why(), fs_strerror(rv));
		goto out;
	}
	j = json_loads(reply, 0, NULL);
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
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	rc = 0;
out:
	json_decref(j);
	free(reply);
	free(body);
	free(token);
	return (rc);
}

static int
code(const opts *o, const char *arg)
{
	char  *token = token_arg(arg);
	char  *footer;
	int    width;
	fs_err rv;

	// Only what looks like a token is drawn; the verifier checks it.
	if (token == NULL
	    || (rv = fs_paseto_footer(&footer, NULL, token, strlen(token)))
	        != FS_OK) {
		fprintf(stderr,
		    "fedscore attest code: expected an attestation, "
		    "v4.public.…\n");
		free(token);
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
	free(token);
	return (cli_exit(rv));
}

int
attest_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "trust", required_argument, NULL, 't' },
		{ "office", required_argument, NULL, 'O' },
		{ "id", required_argument, NULL, 'i' },
		{ "salt", required_argument, NULL, 's' },
		{ "coordinator", required_argument, NULL, 'C' },
		{ "coordinator-key", required_argument, NULL, 'K' },
		{ "png", required_argument, NULL, 'p' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	opts        o = { .name = FS_TRUST_OFFICE_NAME };
	const char *verb;
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
	{
		const char **const slots[CLI_SLOTS] = { ['k'] = &o.key,
			['n']                                 = &o.name,
			['o']                                 = &o.out,
			['t']                                 = &o.trust,
			['O']                                 = &o.office,
			['i']                                 = &o.id,
			['s']                                 = &o.salt,
			['C']                                 = &o.url,
			['K']                                 = &o.ckey,
			['p']                                 = &o.png,
			['A']                                 = &o.cacert };

		if ((c = cli_options(
		         argc, argv, "k:o:h", lopts, slots, NULL, 0, usage))
		    >= 0) {
			return (c);
		}
	}
	if (optind != argc - 1) {
		return (cli_usage(usage, false));
	}
	if (o.cacert != NULL && strcmp(verb, "recognize") != 0) {
		return (cli_usage(usage, false));
	}
	fs_http_set_cacert(o.cacert);
	if (strcmp(verb, "trust sign") == 0 && o.key && o.out && !o.trust
	    && !o.id && !o.url && !o.png && !o.ckey) {
		return (trust_sign(&o, argv[optind]));
	}
	if (strcmp(verb, "verify") == 0 && o.trust && o.office
	    && (o.id == NULL) == (o.salt == NULL) && !o.key && !o.url
	    && !o.png) {
		return (verify(&o, argv[optind]));
	}
	if (strcmp(verb, "recognize") == 0 && o.url && !o.trust && !o.id
	    && !o.key && !o.png) {
		return (recognize(&o, argv[optind]));
	}
	if (strcmp(verb, "code") == 0 && !o.trust && !o.id && !o.key && !o.url
	    && !o.ckey) {
		return (code(&o, argv[optind]));
	}
	return (cli_usage(usage, false));
}
