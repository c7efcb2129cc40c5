// SPDX-License-Identifier: Apache-2.0
//
// client.c -- the node's side of the issuer: pseudonyms by blinded,
// batched, proven evaluation, and the revocation list.

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "net/issuer_client.h"
#include "net/transport.h"
#include "wire/envelope.h"
#include "wire/mp.h"
#include "wire/revocations.h"

#define CALL_TIMEOUT_MS 10000

struct fs_issuer_client {
	const fs_key  *self;
	fs_issuer_peer peer;
	fs_keyring     ring;
	fs_client     *cl;
};

fs_err
fs_issuer_client_open(
    fs_issuer_client **cp, const fs_key *self, const fs_issuer_peer *peer)
{
	fs_issuer_client *c;
	fs_err            rv;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	c->self      = self;
	c->peer      = *peer;
	c->ring.keys = &c->peer.key;
	c->ring.n    = 1;
	if ((rv = fs_client_open(&c->cl, peer->url)) != 0) {
		free(c);
		return (rv);
	}
	*cp = c;
	return (FS_OK);
}

void
fs_issuer_client_close(fs_issuer_client *c)
{
	if (c != NULL) {
		fs_client_close(c->cl);
		free(c);
	}
}

// call sends one request and returns the verified reply of the expected
// type; a refusal is returned as the issuer's error code, with its detail
// in why.
static fs_err
call(fs_issuer_client *c, uint16_t type, const uint8_t *body, size_t blen,
    uint16_t want, fs_envelope *rep, char *why, size_t whycap)
{
	fs_envelope_out m   = { .type = type,
		  .recipient          = &c->peer.key,
		  .enc                = FS_ENC_NONE,
		  .body               = body,
		  .body_len           = blen };
	uint8_t        *req = NULL, *buf = NULL;
	size_t          reqlen, len;
	uint8_t         hash[FS_HASH_BYTES];
	fs_err          rv, code;

	m.time_ms = fs_now_ms();
	if ((rv = fs_envelope_seal(c->self, &m, &req, &reqlen)) != 0) {
		return (rv);
	}
	crypto_generichash(hash, sizeof(hash), req, reqlen, NULL, 0);
	rv = fs_client_call(c->cl, req, reqlen, CALL_TIMEOUT_MS, &buf, &len);
	free(req);
	if (rv != FS_OK) {
		return (fs_why(why, whycap, rv, "issuer at %s: %s", c->peer.url,
		    fs_strerror(rv)));
	}
	rv = fs_envelope_open(rep, buf, len, c->self, fs_keyring_lookup,
	    &c->ring, fs_now_ms(), FS_SKEW_DEFAULT_MS);
	free(buf);
	if (rv == FS_OK && (rv = fs_envelope_check_reply(rep, hash)) != 0) {
		fs_envelope_fini(rep);
	}
	if (rv != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "reply from the issuer refused: %s", fs_strerror(rv)));
	}
	if (rep->type == FS_MSG_ERROR) {
		char detail[256];

		rv = fs_error_body_decode(
		    rep->body, rep->body_len, &code, detail, sizeof(detail));
		fs_envelope_fini(rep);
		if (rv != FS_OK) {
			snprintf(
			    why, whycap, "unreadable error from the issuer");
			return (rv);
		}
		return (fs_why(why, whycap, code, "the issuer refused: %s%s%s",
		    fs_strerror(code), detail[0] ? ": " : "", detail));
	}
	if (rep->type != want) {
		snprintf(why, whycap,
		    "expected reply type %u from the issuer, "
		    "found %u",
		    want, rep->type);
		fs_envelope_fini(rep);
		return (FS_ERR_TYPE);
	}
	return (FS_OK);
}

fs_err
fs_issuer_pseudonyms(fs_issuer_client *c, const char *const *ids, size_t n,
    uint8_t *y, char *why, size_t whycap)
{
	uint8_t        *blinds = NULL, *blinded = NULL;
	fs_oprf_input  *in = NULL;
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	fs_envelope     rep = { 0 };
	fs_mp           r;
	const uint8_t  *evaluated, *proof;
	size_t          elen, plen;
	fs_err          rv    = FS_ERR_NOMEM;
	size_t          bytes = n * FS_OPRF_ELEMENT_BYTES;

	msgpack_sbuffer_init(&sb);
	if (n == 0 || n > FS_ISSUER_BATCH_MAX) {
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "expected 1 to %d ID numbers per batch, "
		    "found %zu",
		    FS_ISSUER_BATCH_MAX, n));
	}
	// Blinds are secrets until the batch is finalized.
	if ((blinds = sodium_malloc(bytes)) == NULL
	    || (blinded = malloc(bytes)) == NULL
	    || (in = calloc(n, sizeof(*in))) == NULL) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		in[i].data = (const uint8_t *) ids[i];
		in[i].len  = strlen(ids[i]);
		if ((rv = fs_oprf_blind(FS_OPRF_MODE_VOPRF,
		         blinds + i * FS_OPRF_SCALAR_BYTES,
		         blinded + i * FS_OPRF_ELEMENT_BYTES, in[i].data,
		         in[i].len))
		    != 0) {
			snprintf(
			    why, whycap, "cannot blind: %s", fs_strerror(rv));
			goto out;
		}
	}
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if ((msgpack_pack_array(&pk, 1)
	        | msgpack_pack_bin_with_body(&pk, blinded, bytes))
	    != 0) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	if ((rv = call(c, FS_MSG_OPRF_EVAL, (const uint8_t *) sb.data, sb.size,
	         FS_MSG_OPRF_EVAL_REPLY, &rep, why, whycap))
	    != 0) {
		goto out;
	}
	fs_mp_init(&r, rep.body, rep.body_len);
	if ((rv = fs_mp_array_of(&r, 2)) != 0
	    || (rv = fs_mp_bin(&r, &evaluated, &elen, bytes)) != 0
	    || (rv = fs_mp_bin(&r, &proof, &plen, FS_OPRF_PROOF_BYTES)) != 0
	    || (rv = fs_mp_end(&r)) != 0 || elen != bytes
	    || plen != FS_OPRF_PROOF_BYTES) {
		rv = rv != 0 ? rv : FS_ERR_MALFORMED;
		snprintf(why, whycap,
		    "expected %zu evaluated elements and a "
		    "proof from the issuer",
		    n);
		goto out;
	}
	if ((rv = fs_voprf_finalize(
	         y, c->peer.oprf, in, blinds, blinded, evaluated, n, proof))
	    != 0) {
		snprintf(why, whycap,
		    "the issuer's evaluation does not verify "
		    "against its published OPRF key: %s",
		    fs_strerror(rv));
	}
out:
	fs_envelope_fini(&rep);
	msgpack_sbuffer_destroy(&sb);
	sodium_free(blinds);
	free(blinded);
	free(in);
	return (rv);
}

fs_err
fs_issuer_revocations(
    fs_issuer_client *c, fs_revlist *rl, char *why, size_t whycap)
{
	static const uint8_t empty[] = { 0x90 };
	fs_envelope          rep;
	fs_err               rv;

	if ((rv = call(c, FS_MSG_REVOCATIONS, empty, sizeof(empty),
	         FS_MSG_REVOCATIONS_REPLY, &rep, why, whycap))
	    != 0) {
		return (rv);
	}
	rv = fs_revlist_decode(
	    rl, rep.body, rep.body_len, &c->peer.key, c->peer.region);
	if (rv != FS_OK) {
		snprintf(why, whycap, "revocation list refused: %s",
		    fs_strerror(rv));
	}
	fs_envelope_fini(&rep);
	return (rv);
}

fs_err
fs_issuer_peer_load(const fs_conf *conf, fs_issuer_peer *peer, char **urlp,
    char *why, size_t whycap)
{
	static const char *const allowed[]
	    = { "url", "key", "oprf", "region", NULL };
	static const char *const required[] = { "url", "key", "region", NULL };
	const fs_conf_section   *s;
	fs_issuer_peer           p = { 0 };
	char                    *path;
	fs_err                   rv;

	if ((s = fs_conf_section_find(conf, "issuer", NULL)) == NULL) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected an [issuer] section naming "
		    "the issuer's url, key, oprf and region",
		    conf->path));
	}
	if ((rv = fs_conf_check(conf, s, allowed, required, why, whycap))
	    != 0) {
		return (rv);
	}
	if (strlen(fs_conf_get(s, "region")) > FS_NAME_MAX) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: region is at most %d characters", conf->path,
		    FS_NAME_MAX));
	}
	snprintf(p.region, sizeof(p.region), "%s", fs_conf_get(s, "region"));
	if ((path = fs_conf_path(conf, s, "key")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	rv = fs_keyfile_load_public(&p.key, path, "issuer", why, whycap);
	free(path);
	if (rv == FS_OK && fs_conf_get(s, "oprf") != NULL) {
		if ((path = fs_conf_path(conf, s, "oprf")) == NULL) {
			return (FS_ERR_NOMEM);
		}
		if ((rv = fs_oprf_pubfile_read(p.oprf, path)) != 0) {
			snprintf(why, whycap,
			    "%s: %s (expected the issuer's OPRF "
			    "public key, one line of base64url)",
			    path, fs_strerror(rv));
		}
		free(path);
	}
	if (rv != FS_OK) {
		return (rv);
	}
	if ((*urlp = fs_conf_path(conf, s, "url")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	p.url = *urlp;
	*peer = p;
	return (FS_OK);
}
