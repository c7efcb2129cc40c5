// SPDX-License-Identifier: Apache-2.0
//
// pseudonym.c -- fedscore pseudonym: a citizen's subject pseudonym, as
// department staff need it at the counter.  The ID number is blinded
// before it leaves this process; the issuer's proof is checked.

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "net/issuer_client.h"

static const char usage[] = "usage: fedscore pseudonym -c CONF --id ID\n";

// read_node_key reads the key of conf's [node] section.
static fs_err
read_node_key(const fs_conf *conf, const char *confpath, fs_key **keyp,
    char *why, size_t cap)
{
	const fs_conf_section *s;
	char                  *keypath = NULL;
	fs_err                 rv;

	if ((s = fs_conf_section_find(conf, "node", NULL)) == NULL
	    || (keypath = fs_conf_path(conf, s, "key")) == NULL) {
		snprintf(why, cap,
		    "%s: expected a [node] section with "
		    "the node's key",
		    confpath);
		return (FS_ERR_CONFIG);
	}
	if ((rv = fs_keyfile_read_secret(keyp, keypath)) != 0) {
		snprintf(why, cap, "%s: %s", keypath, fs_strerror(rv));
	}
	free(keypath);
	return (rv);
}

int
pseudonym_main(int argc, char **argv)
{
	const char   *confpath = NULL, *id = NULL;
	const cli_opt opts[] = {
		{ "config", 'c', .value = &confpath, .need = true },
		{ "id", .value = &id, .need = true },
		{ 0 },
	};
	char              why[FS_WHY_MAX] = "";
	char              norm[FS_IDNUM_LEN + 1];
	char              out[64];
	const char       *ids[1] = { norm };
	uint8_t           y[FS_OPRF_OUTPUT_BYTES];
	uint8_t           subject[FS_PSEUDONYM_BYTES];
	fs_conf          *conf = NULL;
	fs_issuer_peer    peer;
	fs_issuer_client *ic  = NULL;
	fs_key           *key = NULL;
	char             *url = NULL;
	fs_err            rv;
	int               c;

	if ((c = cli_options(&argc, &argv, NULL, opts, 0, usage)) >= 0) {
		return (c);
	}
	if ((rv = fs_idnum_normalize(
	         norm, id, strlen(id), time(NULL), why, sizeof(why)))
	        == 0
	    && (rv = fs_conf_load(&conf, confpath, why, sizeof(why))) == 0
	    && (rv = fs_issuer_peer_load(conf, &peer, &url, why, sizeof(why)))
	        == 0
	    && (rv = read_node_key(conf, confpath, &key, why, sizeof(why))) == 0
	    && (rv = fs_issuer_client_open(&ic, key, &peer)) == 0
	    && (rv = fs_issuer_pseudonyms(ic, ids, 1, y, why, sizeof(why)))
	        == 0) {
		fs_pseudonym_subject(subject, y);
		fs_b64_encode(out, subject, sizeof(subject));
		printf("%s\n", out);
	}
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(y, sizeof(y));
	fs_issuer_client_close(ic);
	fs_key_free(key);
	fs_conf_free(conf);
	free(url);
	return (rv == FS_OK ? 0 : cli_fail(rv, why, "pseudonym"));
}
