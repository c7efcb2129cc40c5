// SPDX-License-Identifier: Apache-2.0
//
// ping.c -- fedscore ping: check that two parties' keys and transport
// work, with a sealed, signed request and its bound reply.

#include <sodium.h>

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "net/replay.h"
#include "net/transport.h"
#include "wire/envelope.h"

static const char usage[]
    = "usage: fedscore ping -k KEY --peer PUB -d URL [-m TEXT]\n"
      "       fedscore ping serve -k KEY --peer PUB... -l URL\n";

#define MAX_PEERS       16
#define PING_TIMEOUT_MS 10000

typedef struct server {
	fs_key    *key;
	fs_pubkey  peers[MAX_PEERS];
	fs_keyring ring;
	fs_replay *replay;
} server;

static void
handle(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	server         *s   = arg;
	fs_envelope     env = { 0 };
	fs_envelope_out out = { .type = FS_MSG_PONG, .enc = FS_ENC_SEALED };
	uint64_t        now = fs_now_ms();
	fs_err          rv;

	rv = fs_envelope_open(&env, req, len, s->key, fs_keyring_lookup,
	    &s->ring, now, FS_SKEW_DEFAULT_MS);
	if (rv == FS_OK && env.type != FS_MSG_PING) {
		rv = FS_ERR_TYPE;
	}
	if (rv == FS_OK) {
		rv = fs_replay_check(s->replay, &env, now);
	}
	if (rv != FS_OK) {
		fprintf(stderr, "fedscore ping serve: refused a request: %s\n",
		    fs_strerror(rv));
		(void) fs_reply_error(s->key, req, len, rv,
		    "expected a fresh ping from a registered peer", repp,
		    replenp);
		fs_envelope_fini(&env);
		return;
	}
	for (size_t i = 0; i < s->ring.n; i++) {
		if (sodium_memcmp(s->peers[i].kid, env.sender, FS_KID_BYTES)
		    == 0) {
			out.recipient = &s->peers[i];
		}
	}
	out.reply_to = env.hash;
	out.time_ms  = fs_now_ms();
	out.body     = env.body;
	out.body_len = env.body_len;
	(void) fs_envelope_seal(s->key, &out, repp, replenp);
	fs_envelope_fini(&env);
}

static int
ping_serve(
    const char *keypath, const char **peerpaths, size_t npeers, const char *url)
{
	server     s   = { .ring = { .n = npeers } };
	fs_server *srv = NULL;
	sigset_t   sigs;
	fs_err     rv;
	int        sig;

	s.ring.keys = s.peers;
	if ((rv = cli_secret_key(&s.key, keypath, "ping serve")) != 0) {
		return (cli_exit(rv));
	}
	for (size_t i = 0; i < npeers; i++) {
		if ((rv = cli_public_key(
		         &s.peers[i], peerpaths[i], "ping serve", NULL))
		    != 0) {
			goto out;
		}
	}
	if ((rv = fs_replay_init(&s.replay, 1 << 16, FS_SKEW_DEFAULT_MS))
	    != 0) {
		goto out;
	}
	// Signals are taken synchronously below, not by nng's threads.
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if ((rv = fs_server_start(&srv, url, 4, handle, &s)) != 0) {
		fprintf(stderr,
		    "fedscore ping serve: cannot listen on %s: %s\n", url,
		    fs_strerror(rv));
		goto out;
	}
	sigwait(&sigs, &sig);
out:
	fs_server_stop(srv);
	fs_replay_fini(s.replay);
	fs_key_free(s.key);
	return (cli_exit(rv));
}

// pong reads the peer's reply to a ping of text sent at t0: an error
// is a refusal, whatever the peer's reason; a pong must echo text.
static fs_err
pong(const char *url, const fs_envelope *env, const char *text, uint64_t t0)
{
	char   detail[256];
	fs_err code, rv;

	if (env->type == FS_MSG_ERROR) {
		rv = fs_error_body_decode(
		    env->body, env->body_len, &code, detail, sizeof(detail));
		if (rv == FS_OK) {
			rv = code;
		} else {
			snprintf(
			    detail, sizeof(detail), "unreadable error reply");
		}
		fprintf(stderr, "fedscore ping: %s refused the ping: %s (%s)\n",
		    url, fs_strerror(rv), detail);
		return (FS_ERR_REFUSED);
	}
	if (env->type != FS_MSG_PONG || env->body_len != strlen(text)
	    || memcmp(env->body, text, env->body_len) != 0) {
		fprintf(stderr,
		    "fedscore ping: expected a pong echoing %zu bytes, got "
		    "message "
		    "type %u of %zu bytes\n",
		    strlen(text), env->type, env->body_len);
		return (FS_ERR_MALFORMED);
	}
	printf("pong from %s: %zu bytes sealed both ways, signatures verified, "
	       "reply bound to request, %llu ms\n",
	    url, env->body_len, (unsigned long long) (fs_now_ms() - t0));
	return (FS_OK);
}

static int
ping_send(const char *keypath, const char *peerpath, const char *url,
    const char *text)
{
	fs_key         *key = NULL;
	fs_pubkey       peer;
	fs_keyring      ring = { &peer, 1 };
	fs_client      *cl   = NULL;
	fs_envelope     env  = { 0 };
	fs_envelope_out out  = { 0 };
	uint8_t        *req = NULL, *rep = NULL;
	size_t          reqlen, replen;
	uint8_t         reqhash[FS_HASH_BYTES];
	uint64_t        t0;
	fs_err          rv;

	if ((rv = cli_secret_key(&key, keypath, "ping")) != 0
	    || (rv = cli_public_key(&peer, peerpath, "ping", NULL)) != 0) {
		goto out;
	}
	out.type      = FS_MSG_PING;
	out.recipient = &peer;
	out.enc       = FS_ENC_SEALED;
	out.body      = (const uint8_t *) text;
	out.body_len  = strlen(text);
	t0 = out.time_ms = fs_now_ms();
	if ((rv = fs_envelope_seal(key, &out, &req, &reqlen)) != 0
	    || (rv = fs_client_open(&cl, url)) != 0
	    || (rv = fs_client_call(
	            cl, req, reqlen, PING_TIMEOUT_MS, &rep, &replen))
	        != 0) {
		fprintf(
		    stderr, "fedscore ping: %s: %s\n", url, fs_strerror(rv));
		goto out;
	}
	crypto_generichash(reqhash, sizeof(reqhash), req, reqlen, NULL, 0);
	if ((rv = fs_envelope_open(&env, rep, replen, key, fs_keyring_lookup,
	         &ring, fs_now_ms(), FS_SKEW_DEFAULT_MS))
	        != 0
	    || (rv = fs_envelope_check_reply(&env, reqhash)) != 0) {
		fprintf(stderr, "fedscore ping: reply from %s refused: %s\n",
		    url, fs_strerror(rv));
		goto out;
	}
	rv = pong(url, &env, text, t0);
out:
	fs_envelope_fini(&env);
	fs_client_close(cl);
	free(req);
	free(rep);
	fs_key_free(key);
	return (cli_exit(rv));
}

int
ping_main(int argc, char **argv)
{
	const char   *key = NULL, *dial = NULL, *listen = NULL;
	const char   *text = "ping";
	const char   *peers[MAX_PEERS + 1]; // one too many is refused below
	size_t        npeers = 0;
	bool          serve  = false;
	const cli_opt opts[] = {
		{ "key", 'k', .value = &key, .need = true },
		{ "peer", 'p', .list = peers, .n = &npeers,
		    .max = MAX_PEERS + 1, .need = true },
		{ "dial", 'd', .value = &dial },
		{ "listen", 'l', .value = &listen },
		{ "message", 'm', .value = &text },
		{ 0 },
	};
	int c;

	if (argc > 1 && strcmp(argv[1], "serve") == 0) {
		serve = true;
		argc--;
		argv++;
	}
	if ((c = cli_options(&argc, &argv, NULL, opts, 0, usage)) >= 0) {
		return (c);
	}
	if (npeers > MAX_PEERS) {
		fprintf(stderr, "fedscore ping: at most %d peers\n", MAX_PEERS);
		return (EXIT_USAGE);
	}
	if (serve) {
		if (listen == NULL || dial != NULL) {
			return (cli_usage(usage, false));
		}
		return (ping_serve(key, peers, npeers, listen));
	}
	if (dial == NULL || listen != NULL || npeers != 1) {
		return (cli_usage(usage, false));
	}
	return (ping_send(key, peers[0], dial, text));
}
