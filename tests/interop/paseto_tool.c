// SPDX-License-Identifier: Apache-2.0
//
// paseto_tool.c -- a test helper that exposes fedscore's PASETO functions
// to the interop script, keys given as PASERK strings.  Not installed: the
// fedscore command will grow its own token subcommands.
//
// Exit codes as the fedscore command's: 0 ok, 1 refused, 2 usage or I/O.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "wire/token.h"

static const char *usage
    = "usage: paseto_tool keygen\n"
      "       paseto_tool pid K4PUBLIC\n"
      "       paseto_tool sign K4SECRET FOOTER IMPLICIT  < message\n"
      "       paseto_tool open K4PUBLIC FOOTER IMPLICIT TOKEN\n"
      "       paseto_tool issue K4SECRET REGION\n"
      "       paseto_tool verify K4PUBLIC REGION TOKEN\n";

static int
refused(const char *what, fs_err rv)
{
	fprintf(stderr, "paseto_tool: %s: %s: %s\n", what, fs_err_name(rv),
	    fs_strerror(rv));
	return (rv == FS_ERR_NOMEM || rv == FS_ERR_IO || rv == FS_ERR_INVALID
	        ? 2
	        : 1);
}

static fs_err
load_secret(fs_key **kp, const char *s)
{
	uint8_t *sk;
	fs_err   rv;

	if ((rv = fs_paserk_parse_secret(&sk, s, strlen(s))) != FS_OK) {
		return (rv);
	}
	rv = fs_key_from_secret(kp, sk);
	sodium_free(sk);
	return (rv);
}

static fs_err
load_public(fs_pubkey *pub, const char *s)
{
	uint8_t pk[FS_PK_BYTES];
	fs_err  rv;

	if ((rv = fs_paserk_parse_public(pk, s, strlen(s))) != FS_OK) {
		return (rv);
	}
	return (fs_pubkey_init(pub, pk, sizeof(pk)));
}

static int
keygen_main(void)
{
	char    sec[FS_PASERK_SECRET_LEN + 1], pub[FS_PASERK_PUBLIC_LEN + 1];
	fs_key *k;
	fs_err  rv;

	if ((rv = fs_key_generate(&k)) != FS_OK) {
		return (refused("keygen", rv));
	}
	fs_paserk_secret(sec, fs_key_secret(k));
	fs_paserk_public(pub, fs_key_public(k)->pk);
	printf("%s\n%s\n", sec, pub);
	sodium_memzero(sec, sizeof(sec));
	fs_key_free(k);
	return (0);
}

static int
pid_main(const char *k4pub)
{
	fs_pubkey pub;
	char      pid[FS_PASERK_PID_LEN + 1];
	fs_err    rv;

	if ((rv = load_public(&pub, k4pub)) != FS_OK) {
		return (refused("public key", rv));
	}
	fs_paserk_pid_from_kid(pid, pub.kid);
	printf("%s\n", pid);
	return (0);
}

static int
sign_main(const char *k4sec, const char *footer, const char *implicit)
{
	static uint8_t msg[FS_PASETO_MAX_LEN + 1];
	size_t         n;
	fs_key        *k;
	char          *tok;
	fs_err         rv;

	n = fread(msg, 1, sizeof(msg), stdin);
	if (ferror(stdin)) {
		return (refused("message", FS_ERR_IO));
	}
	if ((rv = load_secret(&k, k4sec)) != FS_OK) {
		return (refused("secret key", rv));
	}
	rv = fs_paseto_sign(&tok, k, msg, n, footer, (const uint8_t *) implicit,
	    strlen(implicit));
	fs_key_free(k);
	if (rv != FS_OK) {
		return (refused("sign", rv));
	}
	printf("%s\n", tok);
	free(tok);
	return (0);
}

static int
open_main(const char *k4pub, const char *footer, const char *implicit,
    const char *tok)
{
	fs_pubkey pub;
	uint8_t  *msg;
	size_t    n;
	fs_err    rv;

	if ((rv = load_public(&pub, k4pub)) != FS_OK) {
		return (refused("public key", rv));
	}
	if ((rv = fs_paseto_verify(&msg, &n, tok, strlen(tok), &pub, footer,
	         (const uint8_t *) implicit, strlen(implicit)))
	    != FS_OK) {
		return (refused("verify", rv));
	}
	fwrite(msg, 1, n, stdout);
	free(msg);
	return (0);
}

static int
issue_main(const char *k4sec, const char *region)
{
	fs_claims c;
	fs_key   *k;
	char     *tok;
	fs_err    rv;

	fs_claims_init(&c);
	strcpy(c.iss, "issuer.interop");
	randombytes_buf(c.sub, sizeof(c.sub));
	strcpy(c.aud, "bank.example");
	strcpy(c.purpose, "loan");
	c.scope = FS_SCOPE_SCORE;
	c.iat   = (int64_t) time(NULL);
	c.nbf   = c.iat;
	c.exp   = c.iat + 3600;
	c.uses  = 2;
	if ((rv = load_secret(&k, k4sec)) != FS_OK) {
		return (refused("secret key", rv));
	}
	rv = fs_token_issue(&tok, k, &c, region);
	fs_key_free(k);
	if (rv != FS_OK) {
		return (refused("issue", rv));
	}
	printf("%s\n", tok);
	free(tok);
	return (0);
}

static int
verify_main(const char *k4pub, const char *region, const char *tok)
{
	fs_pubkey pub;
	fs_claims c;
	char     *json;
	fs_err    rv;

	if ((rv = load_public(&pub, k4pub)) != FS_OK) {
		return (refused("public key", rv));
	}
	if ((rv = fs_token_verify(&c, tok, strlen(tok), &pub, region,
	         (int64_t) time(NULL), FS_SKEW_DEFAULT))
	    != FS_OK) {
		return (refused("verify", rv));
	}
	if ((rv = fs_claims_encode(&json, NULL, &c)) != FS_OK) {
		return (refused("claims", rv));
	}
	printf("%s\n", json);
	free(json);
	return (0);
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (fs_crypto_init() != FS_OK) {
		return (2);
	}
	if (strcmp(cmd, "keygen") == 0 && argc == 2) {
		return (keygen_main());
	}
	if (strcmp(cmd, "pid") == 0 && argc == 3) {
		return (pid_main(argv[2]));
	}
	if (strcmp(cmd, "sign") == 0 && argc == 5) {
		return (sign_main(argv[2], argv[3], argv[4]));
	}
	if (strcmp(cmd, "open") == 0 && argc == 6) {
		return (open_main(argv[2], argv[3], argv[4], argv[5]));
	}
	if (strcmp(cmd, "issue") == 0 && argc == 4) {
		return (issue_main(argv[2], argv[3]));
	}
	if (strcmp(cmd, "verify") == 0 && argc == 5) {
		return (verify_main(argv[2], argv[3], argv[4]));
	}
	fputs(usage, stderr);
	return (2);
}
