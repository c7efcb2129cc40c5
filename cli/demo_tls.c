// SPDX-License-Identifier: Apache-2.0
//
// demo_tls.c -- the throwaway certificate authority of fedscore demo
// --tls: a CA, and a certificate for 127.0.0.1 that it signs, made with
// OpenSSL's libcrypto in the demo's directory: ca.pem for the commands'
// --cacert, tls.pem and tls.key (0600) for the coordinator.  The CA's
// key is never written: nothing else will be signed by it.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/demo.h"
#include "common/err.h"
#include "common/file.h"

#define VALID_S (2 * 86400) // the demo lasts minutes

// add_ext adds the extension nid, value as openssl's configuration
// writes it, to cert, issued by issuer.
static bool
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX      ctx;
	X509_EXTENSION *ex;
	bool            ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL) {
		return (false);
	}
	ok = X509_add_ext(cert, ex, -1) == 1;
	X509_EXTENSION_free(ex);
	return (ok);
}

// make_cert makes a certificate for key named cn, signed by signer
// under issuer's name (itself when issuer is NULL), with the extensions
// of a CA or of a server for 127.0.0.1.
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *signer)
{
	X509         *c = X509_new();
	unsigned char serial[8];
	BIGNUM       *bn = NULL;
	bool          ok = c != NULL && RAND_bytes(serial, sizeof(serial)) == 1
	    && (bn = BN_bin2bn(serial, sizeof(serial), NULL)) != NULL
	    && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) != NULL
	    && X509_set_version(c, 2) == 1
	    && X509_gmtime_adj(X509_getm_notBefore(c), -3600) != NULL
	    && X509_gmtime_adj(X509_getm_notAfter(c), VALID_S) != NULL
	    && X509_set_pubkey(c, key) == 1
	    && X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN",
	           MBSTRING_ASC, (const unsigned char *) cn, -1, -1, 0)
	        == 1
	    && X509_set_issuer_name(
	           c, X509_get_subject_name(issuer != NULL ? issuer : c))
	        == 1;

	BN_free(bn);
	if (ok && issuer == NULL) {
		ok = add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE")
		    && add_ext(
		        c, c, NID_key_usage, "critical,keyCertSign,cRLSign")
		    && add_ext(c, c, NID_subject_key_identifier, "hash");
	} else if (ok) {
		ok = add_ext(c, issuer, NID_basic_constraints, "CA:FALSE")
		    && add_ext(c, issuer, NID_subject_alt_name,
		        "IP:127.0.0.1,DNS:localhost")
		    && add_ext(c, issuer, NID_ext_key_usage, "serverAuth")
		    && add_ext(
		        c, issuer, NID_authority_key_identifier, "keyid");
	}
	if (!ok || X509_sign(c, signer, EVP_sha256()) <= 0) {
		X509_free(c);
		return (NULL);
	}
	return (c);
}

// save writes what bio holds to the file name of the directory, with
// mode (0600 for the key, created as every key file is).
static bool
save(const demo_harness *h, const char *name, BIO *bio, mode_t mode)
{
	char  path[PATH_MAX + 64];
	char *data;
	long  n = BIO_get_mem_data(bio, &data);

	snprintf(path, sizeof(path), "%s/%s", h->dir, name);
	return (n > 0 && fs_file_create(path, mode, data, (size_t) n) == FS_OK);
}

bool
demo_make_tls(const demo_harness *h)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
	X509     *ca = NULL, *cert = NULL;
	BIO      *a = BIO_new(BIO_s_mem()), *b = BIO_new(BIO_s_mem()),
	    *k  = BIO_new(BIO_s_mem());
	bool ok = cakey != NULL && key != NULL && a != NULL && b != NULL
	    && k != NULL
	    && (ca = make_cert(cakey, "fedscore demo CA", NULL, cakey)) != NULL
	    && (cert = make_cert(key, "127.0.0.1", ca, cakey)) != NULL
	    && PEM_write_bio_X509(a, ca) == 1
	    && PEM_write_bio_X509(b, cert) == 1
	    && PEM_write_bio_PrivateKey(k, key, NULL, NULL, 0, NULL, NULL) == 1
	    && save(h, "ca.pem", a, 0644) && save(h, "tls.pem", b, 0644)
	    && save(h, "tls.key", k, 0600);

	BIO_free(a);
	BIO_free(b);
	BIO_free(k);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	return (ok);
}
