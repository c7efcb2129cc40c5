// SPDX-License-Identifier: Apache-2.0
//
// coordimpl.h -- internals shared by the files of coordinator/.  Must not
// be exposed to other modules: they use coordinator.h.

#ifndef FS_COORDIMPL_H
#define FS_COORDIMPL_H

#include <jansson.h>

#include <sqlite3.h>

#include <pthread.h>
#include <sys/stat.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "common/stop.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "net/httpd.h"
#include "net/issuer_client.h"
#include "net/revfresh.h"
#include "net/transport.h"
#include "wire/attest.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/note.h"
#include "wire/request.h"
#include "wire/revocations.h"
#include "wire/scheme.h"
#include "wire/token.h"
#include "wire/trust.h"

#define NODES_MAX      64
#define REQUESTERS_MAX 256

typedef struct coord_node {
	char       name[FS_NAME_MAX + 1];
	char      *url;
	fs_pubkey  key;
	fs_client *client;
	// The size of the last checkpoint it cosigned: read at startup, then
	// the checkpointer thread's only.  maybe is a larger size it may have
	// cosigned without our knowing (its answer came late, or a stop cut
	// it off: the witness keeps what it cosigned, we may not have), 0 if
	// none; the checkpointer's only too.
	uint64_t witnessed;
	uint64_t maybe;
} coord_node;

typedef struct coord_requester {
	char      id[FS_CLAIM_STR_MAX + 1];
	fs_pubkey key;
	size_t    npurposes;
	char      purposes[FS_PURPOSES_MAX][FS_LABEL_MAX + 1];
} coord_requester;

// A disclosure as the log and its full record hold it.  The log entry
// holds no personal data; the full record beside it (the subject and the
// salt of its commitment) is for auditors and for the citizen's own
// access view.
typedef struct coord_disclosure {
	int64_t     time_ms;
	const char *requester;
	const char *purpose;
	const char *scope;
	uint8_t     subject[FS_SUBJECT_BYTES];
	uint8_t     salt[16];  // of an entry of version 1, else zero
	uint8_t     nonce[16]; // the salt's nonce (wire/logcommit.h)
	const char *consent;   // the token, kept for auditors
	const char *entry;     // the log entry, JSON
} coord_disclosure;

// An admitted request.  Admission is written ahead (store.c): before any
// node is asked, its nonce and one use of its consent are spent and the
// lookup is recorded as the interrupted entry the log takes if the
// coordinator stops before recording its outcome.
typedef struct coord_admission {
	uint8_t          kid[FS_KID_BYTES];
	char             req_jti[FS_CLAIM_STR_MAX + 1];
	int64_t          req_exp_ms;
	char             consent_jti[FS_JTI_STR_LEN + 1];
	uint32_t         max_uses;
	uint8_t          request_id[16]; // the lookup's, sent to the nodes
	coord_disclosure pending;        // the interrupted entry, and record
	char            *pending_entry;  // malloc'd, pending.entry
	bool             active; // admitted, the outcome not recorded yet
} coord_admission;

// The statements a lookup runs, prepared once (store.c).
typedef enum coord_stmt {
	ST_NONCE_EXPIRE,
	ST_NONCE_ADD,
	ST_USE,
	ST_ADMIT,
	ST_ADMITTED,
	ST_DISCLOSE,
	ST_LOG_PUT,
	ST_COUNT,
} coord_stmt;

// The locks of a coordinator.  Each guards the fields that follow it, up
// to the next blank line.  They nest only one way: a recognition holds
// trustmtx while it records its decision in the log, which takes dbmtx.
// No other of them is taken while one is held, and none is held across
// a call to a node or to the issuer.  The fields under no lock are set
// by fs_coord_open (the node clients and ic by coord_start) before any
// other thread runs, and only read after, unless a comment names the one
// thread that uses them.
struct fs_coord {
	fs_conf      *conf;
	char          name[FS_NAME_MAX + 1];
	fs_key       *key;
	fs_scheme     scheme;
	char         *listen; // nng, optional
	char         *http;   // HTTP API URL
	fs_httpd_conf hconf;  // its limits and certificate
	int64_t       skew_ms;
	int64_t       refresh_ms;

	// dbmtx guards the database: the connection db, its prepared
	// statements and the disclosure log's tree mst (coord_log_get runs
	// under it).  Innermost: it may be taken while trustmtx is held,
	// never the other way round.  Only at startup (coord_store_open,
	// coord_store_log_load, coord_log_start) is the database read
	// without it, before any request can arrive.
	pthread_mutex_t dbmtx;
	sqlite3        *db;
	uint8_t        *logkey;  // guarded, read-only (logkey.c)
	fs_merkle_state mst;     // the disclosure log's tree
	sqlite3_stmt   *log_get; // prepared once, see coord_log_get
	sqlite3_stmt   *stmts[ST_COUNT];

	char      origin[FS_NOTE_NAME_MAX + 1]; // checkpoint origin
	bool      witnessing;                   // nodes are asked to cosign
	char     *base; // the checkpoint signed by us only: checkpointer's
	pthread_t checkpointer;
	bool      checkpointer_started;
	// cpmtx guards the checkpoint served and its size: the checkpointer
	// thread, their only writer, writes both under it (and reads them
	// without it); the handlers read them under it.  Never nested.
	pthread_mutex_t cpmtx;
	char           *checkpoint; // latest checkpoint, cosigned, served
	uint64_t        checkpoint_size;

	fs_issuer_peer   issuer;
	char            *issuer_url;
	int64_t          max_age_ms; // revocation list: fail closed past
	fs_revfresh_conf rfconf;     // the revocation refresher's
	fs_revfresh     *rf;
	// revmtx guards the revocation list and when it was fetched: the
	// refresher swaps in a new list under it, and a consent is checked
	// against the list, fs_consent_verify included, under it.  Never
	// nested.
	pthread_mutex_t revmtx;
	fs_revlist      revoked;
	bool            have_revoked;
	uint64_t        revoked_at_ms;

	// Set when the coordinator stops; coord_pause waits on it (its lock
	// is innermost, common/stop.c).
	fs_stop stop;

	size_t          nnodes;
	coord_node      nodes[NODES_MAX];
	size_t          nrequesters;
	coord_requester requesters[REQUESTERS_MAX];

	int64_t   attest_ttl_s; // validity of the attestations made here
	char     *trust_path;
	fs_pubkey office;
	char      office_name[FS_NOTE_NAME_MAX + 1];
	char      crash_at[32]; // FS_TEST_CRASH_AT, "" unless set
	// The foreign regions recognized, or NULL, read again when the file
	// changes (trustlist.c).  trustmtx guards trust and trust_st, and is
	// held for a whole recognition: reading the list again if its file
	// changed, deciding, and recording the decision, which takes dbmtx
	// inside it.  Outermost.
	pthread_mutex_t trustmtx;
	fs_trust       *trust;
	struct stat     trust_st; // of the file last read, loaded or not
};

// store.c
fs_err coord_store_open(
    fs_coord *c, const char *path, char *why, size_t whycap);

// coord_store_admit refuses a replayed request (FS_ERR_REPLAYED) or a
// consent without uses left (FS_ERR_USED_UP), or admits a: its nonce,
// one use of its consent and its pending entry, committed to disk.
fs_err coord_store_admit(fs_coord *c, coord_admission *a);
// coord_store_disclose appends n disclosures in one transaction, the log
// tree with them, and returns their indexes in the log.
fs_err coord_store_disclose(
    fs_coord *c, const coord_disclosure *d, size_t n, int64_t *indexes);
// coord_store_finish ends an admission with its outcome d, a disclosure
// or a refusal, which takes the place of its pending entry in the log.
fs_err coord_store_finish(fs_coord *c, coord_admission *a,
    const coord_disclosure *d, int64_t *indexp);
// coord_store_recover, at startup, logs every admission a stop left
// without an outcome as the interrupted entry it holds.
fs_err coord_store_recover(fs_coord *c, char *why, size_t whycap);
// coord_store_log_load restores the log's tree state at startup.
fs_err coord_store_log_load(fs_coord *c);
// coord_log_get is an fs_merkle_get_fn over the stored hashes; the caller
// holds dbmtx.
fs_err coord_log_get(
    void *arg, uint64_t level, uint64_t index, uint8_t out[32]);

// server.c: coord_start dials the nodes and the issuer and starts the
// thread that keeps the revocation list current.  coord_pause waits ms
// milliseconds, or less when the coordinator stops; false when it stops.
// Its background threads pace themselves with it.
fs_err coord_start(fs_coord *c, char *why, size_t whycap);
bool   coord_pause(fs_coord *c, int64_t ms);

// A test hook: when the environment sets FS_TEST_CRASH_AT to the name of
// a step of a lookup (before-admission, after-admission, fanout,
// after-answers, after-disclosure), the coordinator kills itself
// (SIGKILL) when a lookup reaches it, so that tests/crash.sh can check
// what a crash there leaves.  coord_crash_armed says whether step is the
// one; coord_crash_point kills at it.  Unset, neither does anything.
bool coord_crash_armed(const fs_coord *c, const char *step);
void coord_crash_point(const fs_coord *c, const char *step);

// reply.c, shared by the HTTP handlers: coord_answer replies with an
// outcome, as JSON or as a problem; a 401 asks for a bearer token.
void coord_answer(fs_httpd_res *res, const fs_outcome *o);
// coord_problem makes out an RFC 9457 problem and logs the refusal of a
// `what` (a lookup, a recognition, an access view).
void coord_problem(fs_outcome *out, const char *what, int status, fs_err err,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

// ask.c: one node's part in a lookup.  coord_seal seals the lookup l to
// the node of each part (req, and its hash, which the node logs with its
// release); coord_send asks them all at once and sets ok on each part
// whose answer is a valid contribution; the others say why in reason.
typedef struct coord_part {
	coord_node     *node;
	uint8_t        *req;
	size_t          reqlen;
	uint8_t         req_hash[FS_HASH_BYTES];
	fs_contribution contrib;
	bool            ok;
	uint8_t         receipt[FS_HASH_BYTES];
	char            reason[160];
} coord_part;
void coord_seal(fs_coord *c, const fs_lookup *l, coord_part *parts, size_t n);
void coord_send(fs_coord *c, coord_part *parts, size_t n);

// lookup.c, admit.c and answer.c: what one lookup has learned so far,
// handed from step to step.  lookup.c checks the request and the
// consent; coord_admit (admit.c) seals the lookup to every node and
// commits its admission, with the entry it leaves if interrupted; lookup.c
// asks the nodes; coord_lookup_answer (answer.c) records the disclosure,
// or the refusal when no node answered or nodes that had to are missing,
// and only then makes out the signed answer in out.  The JSON values are
// the lookup's own until a step hands them on and sets them NULL;
// lookup.c releases what is left.
typedef struct coord_lookup {
	fs_coord   *c;
	fs_outcome *out;
	int64_t     now; // seconds
	// The request, checked and admitted (lookup.c).
	json_t                *o;     // the body, which token points into
	const char            *token; // the request
	uint8_t                kid[FS_KID_BYTES];
	const coord_requester *rq;
	fs_request             req;
	fs_claims              cl;
	fs_scope               scope;  // asked for, covered by the consent
	bool                   attest; // the consent is for an attestation
	coord_admission        adm;
	coord_part            *parts; // one per node, sealed (admit.c)
	// What the nodes answered, and what is made of it (answer.c).
	const fs_contribution **got; // the valid contributions
	size_t                  answered;
	json_t                 *nodes;   // who answered, for the answer
	json_t                 *missing; // who did not: held by nodes
	json_t                 *rules;   // each node's rules version
	json_t                 *receipts;
	char                    tbuf[FS_TIME_LEN + 1]; // now, for the log
	coord_disclosure        d;
	uint8_t                 salt[16];   // of the entry's commitments
	uint8_t                 commit[32]; // to the subject, under salt
	fs_score                score;
	fs_attestation          att;
	json_t                 *answer;
	json_t                 *entry; // in the disclosure log, from admit.c
	int64_t                 index; // of the disclosure in the log
} coord_lookup;
bool coord_admit(coord_lookup *lk);
void coord_lookup_answer(coord_lookup *lk);

// log.c: the checkpointer, and the handlers of GET /checkpoint,
// /tile/..., /v1/log/proof/inclusion and /v1/log/proof/consistency (arg
// the coordinator, as for every handler).
fs_err coord_log_start(fs_coord *c);
void   coord_get_checkpoint(void *arg, const fs_httpd_req *q, fs_httpd_res *r);
void   coord_get_tile(void *arg, const fs_httpd_req *q, fs_httpd_res *r);
void   coord_get_inclusion(void *arg, const fs_httpd_req *q, fs_httpd_res *r);
void   coord_get_consistency(void *arg, const fs_httpd_req *q, fs_httpd_res *r);

// witness.c: coord_witness asks every node to cosign the signed checkpoint
// note and returns it with every valid cosignature line (malloc'd).
fs_err coord_witness_load(fs_coord *c);
char  *coord_witness(fs_coord *c, const char *note, size_t nlen, uint64_t size);

// access.c: GET /v1/me/access, the citizen's own view of the log.
void coord_get_access(void *arg, const fs_httpd_req *q, fs_httpd_res *r);

// attestation.c: the attestation of a lookup.  coord_attest_prepare fills a
// from the score and the consent (with the score only for scope attest),
// with a fresh jti for the disclosure entry to name; coord_attest_sign
// adds the disclosure's index in the log and signs.
void   coord_attest_prepare(const fs_coord *c, fs_attestation *a,
      const fs_score *s, bool with_score, const fs_claims *consent, int64_t now);
fs_err coord_attest_sign(
    const fs_coord *c, fs_attestation *a, int64_t index, char **tokenp);

// trustlist.c: the trust list named by [coordinator] trust, office and
// office_name (all optional).  coord_trust_refresh reads it again if its
// file changed; the caller holds trustmtx.
fs_err coord_trust_load(
    fs_coord *c, const fs_conf_section *s, char *why, size_t whycap);
void coord_trust_refresh(fs_coord *c);

// recognition.c: POST /v1/recognitions.
void coord_post_recognition(void *arg, const fs_httpd_req *q, fs_httpd_res *r);

// logkey.c: coord_logkey_load reads the log key (log_key, default
// <db>.logkey) into guarded memory, making it first when create; a
// database row's salt is coord_row_salt: derived from its nonce under the
// key, or, for an entry of version 1, the salt kept in the row.
fs_err coord_logkey_load(const fs_conf *conf, const fs_conf_section *s,
    bool create, uint8_t **keyp, char *why, size_t whycap);
void   coord_row_salt(const uint8_t *key, const void *salt, int saltlen,
      const void *nonce, int noncelen, uint8_t out[static 16]);

// log.c: coord_proof_json is a Merkle proof as the API writes it: a
// JSON array of standard base64 hashes, deepest first.
json_t *coord_proof_json(const fs_merkle_proof *proof);

#endif // FS_COORDIMPL_H
