// SPDX-License-Identifier: Apache-2.0
//
// crypto.h -- primitives and formats of fedscore, with no I/O beyond key
// files: the error enum every module shares, Ed25519 identities and their
// PASERK names, base64url, the OPRF behind pseudonyms, citizen ID
// numbers, RFC 3339 times, PASETO v4.public and consent tokens.
// PASERK names, base64, Merkle trees, signed notes and checkpoints.
//
// Design notes.
// * Every party has one Ed25519 identity.  Its public key is written as
//   PASERK "k4.public.<b64url(pk)>" and identified by PASERK
//   "k4.pid.<b64url(BLAKE2b-264("k4.pid." || paserk_public))>".  The raw
//   33-byte digest of the pid is what travels in envelopes.
// * Secret keys live in sodium_malloc() memory, read-only once loaded, and
//   are wiped by sodium_free().  Copies on the stack are wiped with
//   sodium_memzero().
// * Functions return an fs_err; out-parameters are written only on success.
// * Consent tokens are PASETO v4.public (see their section below and
//   docs/consent-tokens.md); their claims are JSON decoded with jansson
//   under fedscore's own bounds.

#ifndef FS_CRYPTO_H
#define FS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sodium.h>

typedef enum fs_err {
	FS_OK = 0,
	FS_ERR_NOMEM,          // out of memory
	FS_ERR_IO,             // read or write failed; see errno
	FS_ERR_INVALID,        // invalid argument from the caller
	FS_ERR_MALFORMED,      // input does not follow its format
	FS_ERR_TRUNCATED,      // input ends before its format says it must
	FS_ERR_TOO_LARGE,      // input exceeds a size bound
	FS_ERR_TRAILING,       // bytes left after a complete object
	FS_ERR_TYPE,           // a field has another type than expected
	FS_ERR_VERSION,        // unknown or unsupported version
	FS_ERR_BAD_SIGNATURE,  // signature does not verify
	FS_ERR_WRONG_KEY,      // signed or addressed with another key
	FS_ERR_DECRYPT,        // ciphertext does not open
	FS_ERR_CLOCK_SKEW,     // message time too far from ours
	FS_ERR_EXPIRED,        // past its expiry
	FS_ERR_NOT_YET_VALID,  // before its start of validity
	FS_ERR_REVOKED,        // revoked
	FS_ERR_REPLAYED,       // seen before
	FS_ERR_EXISTS,         // refusing to overwrite
	FS_ERR_NOT_FOUND,      // no such file, key or record
	FS_ERR_PERMISSION,     // file permissions are unsafe
	FS_ERR_CRYPTO,         // a primitive failed (e.g. identity point)
	FS_ERR_TIMEOUT,        // peer did not answer in time
	FS_ERR_TRANSPORT,      // network failure
	FS_ERR_UNREGISTERED,   // sender is not registered with us
	FS_ERR_REFUSED,        // peer refused the request
	FS_ERR_WRONG_REGION,   // token for another region
	FS_ERR_WRONG_AUDIENCE, // token for another requester
	FS_ERR_PURPOSE,        // purpose not allowed
	FS_ERR_SCOPE,          // scope not allowed or unknown
	FS_ERR_USED_UP,        // consent has no uses left
	FS_ERR_ID_NUMBER,      // invalid citizen ID number
	FS_ERR_CONFIG,         // configuration file is wrong
	FS_ERR_UNBOUND,        // reply does not answer our request
	FS_ERR_PROOF,          // a zero-knowledge proof does not verify
	FS_ERR_FOOTER,         // token footer is not the one expected
	FS_ERR_BAD_PROOF,      // Merkle proof does not verify
	FS_ERR_WRONG_SUBJECT,  // token for another subject than asked about
	FS_ERR_STALE,          // our state is too old to decide (fail closed)
	FS_ERR_NUM             // not an error: the count
} fs_err;

// fs_strerror returns a static, human-readable description of err.
const char *fs_strerror(fs_err err);

// fs_err_name returns the stable symbolic name of err ("bad-signature"),
// used on the wire and in machine-readable output.
const char *fs_err_name(fs_err err);

// fs_crypto_init initializes libsodium; call once before anything else.
fs_err fs_crypto_init(void);

// Base64url without padding (RFC 4648 section 5), strict: padding,
// whitespace and non-zero trailing bits are refused.
size_t fs_b64_encoded_len(size_t binlen);
// fs_b64_encode writes a NUL-terminated string; out needs
// fs_b64_encoded_len(binlen) + 1 bytes.
void fs_b64_encode(char *out, const uint8_t *bin, size_t binlen);
// fs_b64_decode decodes exactly len characters of in into at most maxlen
// bytes and stores the length decoded in *outlen.
fs_err fs_b64_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len);

// Standard base64 with padding (RFC 4648 section 4), as signed notes and
// checkpoints use it; as strict as base64url above.
size_t fs_b64std_encoded_len(size_t binlen);
void   fs_b64std_encode(char *out, const uint8_t *bin, size_t binlen);
fs_err fs_b64std_decode(
    uint8_t *out, size_t maxlen, size_t *outlen, const char *in, size_t len);

// Keys.
#define FS_PK_BYTES     crypto_sign_PUBLICKEYBYTES // 32
#define FS_SK_BYTES     crypto_sign_SECRETKEYBYTES // 64 (seed || pk)
#define FS_SEED_BYTES   crypto_sign_SEEDBYTES      // 32
#define FS_SIG_BYTES    crypto_sign_BYTES          // 64
#define FS_KID_BYTES    33                         // BLAKE2b-264
#define FS_X25519_BYTES crypto_box_PUBLICKEYBYTES

// Lengths of the PASERK strings, without the terminating NUL.
#define FS_PASERK_PUBLIC_LEN (10 + 43) // "k4.public." + 43
#define FS_PASERK_SECRET_LEN (10 + 86) // "k4.secret." + 86
#define FS_PASERK_PID_LEN    (7 + 44)  // "k4.pid." + 44
#define FS_KEY_NAME_MAX      64

// A public identity: the Ed25519 key, its id, and the X25519 key that
// sealed boxes are addressed to (converted once, when the key is loaded).
typedef struct fs_pubkey {
	uint8_t pk[FS_PK_BYTES];
	uint8_t kid[FS_KID_BYTES];
	uint8_t xpk[FS_X25519_BYTES];
} fs_pubkey;

// A secret identity.  Opaque: its secret half is in guarded memory.
typedef struct fs_key fs_key;

// PASERK encodings.  out must hold the _LEN + 1 bytes.
void fs_paserk_public(char out[static FS_PASERK_PUBLIC_LEN + 1],
    const uint8_t          pk[static FS_PK_BYTES]);
void fs_paserk_pid(char out[static FS_PASERK_PID_LEN + 1],
    const uint8_t       pk[static FS_PK_BYTES]);
void fs_paserk_pid_from_kid(char out[static FS_PASERK_PID_LEN + 1],
    const uint8_t                kid[static FS_KID_BYTES]);
void fs_paserk_secret(char out[static FS_PASERK_SECRET_LEN + 1],
    const uint8_t          sk[static FS_SK_BYTES]);
void fs_kid_compute(
    uint8_t kid[static FS_KID_BYTES], const uint8_t pk[static FS_PK_BYTES]);

// Parsers.  The string must be exactly one PASERK of the given type.
fs_err fs_paserk_parse_public(
    uint8_t pk[static FS_PK_BYTES], const char *s, size_t len);
fs_err fs_paserk_parse_pid(
    uint8_t kid[static FS_KID_BYTES], const char *s, size_t len);
// Parses into guarded memory that the caller frees with sodium_free().
// The secret key's public half must match its seed.
fs_err fs_paserk_parse_secret(uint8_t **skp, const char *s, size_t len);

// fs_pubkey_init fills pub from a raw Ed25519 key of len bytes; any
// other length than FS_PK_BYTES (a key of another PASERK version) is
// refused.  A key that is not a point on the curve gets an all-zero
// X25519 key, which sealing refuses.
fs_err fs_pubkey_init(fs_pubkey *pub, const uint8_t *pk, size_t len);

fs_err fs_key_generate(fs_key **kp);
fs_err fs_key_from_seed(fs_key **kp, const uint8_t seed[static FS_SEED_BYTES]);
fs_err fs_key_from_secret(fs_key **kp, const uint8_t sk[static FS_SK_BYTES]);
void   fs_key_free(fs_key *k);
const fs_pubkey *fs_key_public(const fs_key *k);
void             fs_key_sign(const fs_key *k, uint8_t sig[static FS_SIG_BYTES],
                const uint8_t *msg, size_t len);
bool fs_key_verify(const fs_pubkey *pub, const uint8_t sig[static FS_SIG_BYTES],
    const uint8_t *msg, size_t len);
// fs_key_open_sealed opens a libsodium sealed box addressed to this key's
// X25519 half.  out needs len - crypto_box_SEALBYTES bytes.
fs_err fs_key_open_sealed(
    const fs_key *k, uint8_t *out, const uint8_t *c, size_t len);
// fs_key_secret exposes the 64-byte Ed25519 secret key (seed || pk) for
// signing formats that need it (PASETO).  Read-only.
const uint8_t *fs_key_secret(const fs_key *k);

// Key files.  A secret key file holds one line "k4.secret.…", after an
// optional comment line "# NAME"; it is created O_CREAT|O_EXCL|O_NOFOLLOW
// with mode 0600, and refused on read if group or others can read it.  A
// public key file holds one line "k4.public.…".  Readers skip lines that
// start with '#'.
fs_err fs_keyfile_write_secret(
    const char *path, const fs_key *k, const char *name);
fs_err fs_keyfile_write_public(const char *path, const fs_pubkey *pub);
fs_err fs_keyfile_read_secret(fs_key **kp, const char *path);
fs_err fs_keyfile_read_public(fs_pubkey *pub, const char *path);

// OPRF and VOPRF (RFC 9497, modes 0 and 1), suite ristretto255-SHA512.
//
// Design notes.
// * The issuer holds an fs_oprf_key: the secret scalar lives in guarded
//   memory, read-only once made; the key remembers its mode, because the
//   mode is part of every domain separation tag.
// * A client blinds each input (fs_oprf_blind), the server evaluates the
//   blinded elements and, in VOPRF mode, proves with ONE batched DLEQ
//   proof for the whole batch that it used the key behind its public key;
//   the client checks the proof and unblinds (fs_voprf_finalize).
// * Elements and scalars travel as their 32-byte encodings.  A point that
//   does not decode is FS_ERR_MALFORMED, the identity is FS_ERR_CRYPTO, a
//   proof that does not verify (tampered, or made with another key) is
//   FS_ERR_PROOF.  Scalars of a proof must be canonical (below the group
//   order).
// * The _fixed variants take the randomness from the caller, only so that
//   tests can reproduce the RFC's vectors.  Never use them otherwise.
#define FS_OPRF_ELEMENT_BYTES crypto_core_ristretto255_BYTES       // 32
#define FS_OPRF_SCALAR_BYTES  crypto_core_ristretto255_SCALARBYTES // 32
#define FS_OPRF_PROOF_BYTES   (2 * FS_OPRF_SCALAR_BYTES)           // c || s
#define FS_OPRF_OUTPUT_BYTES  crypto_hash_sha512_BYTES             // 64
#define FS_OPRF_SEED_BYTES    32
// Inputs, key info and batches are counted in two bytes on the wire of
// the transcripts.
#define FS_OPRF_INPUT_MAX 65535
#define FS_OPRF_BATCH_MAX 65535

typedef enum fs_oprf_mode {
	FS_OPRF_MODE_OPRF  = 0,
	FS_OPRF_MODE_VOPRF = 1,
} fs_oprf_mode;

// One input of a batch.
typedef struct fs_oprf_input {
	const uint8_t *data;
	size_t         len;
} fs_oprf_input;

typedef struct fs_oprf_key fs_oprf_key;

// DeriveKeyPair(seed, info) of RFC 9497 section 3.2.1.
fs_err fs_oprf_key_derive(fs_oprf_key **kp, fs_oprf_mode mode,
    const uint8_t seed[static FS_OPRF_SEED_BYTES], const uint8_t *info,
    size_t infolen);
fs_err fs_oprf_key_generate(fs_oprf_key **kp, fs_oprf_mode mode);
// fs_oprf_key_from_scalar loads a stored secret scalar; it must be
// canonical and not zero.
fs_err fs_oprf_key_from_scalar(fs_oprf_key **kp, fs_oprf_mode mode,
    const uint8_t sk[static FS_OPRF_SCALAR_BYTES]);
void   fs_oprf_key_free(fs_oprf_key *k);
// The public key pkS, and the secret scalar skS (read-only) for storage.
const uint8_t *fs_oprf_key_public(const fs_oprf_key *k);
const uint8_t *fs_oprf_key_secret(const fs_oprf_key *k);
fs_oprf_mode   fs_oprf_key_mode(const fs_oprf_key *k);

// Client: Blind.  blind is a secret the client keeps until it finalizes,
// then wipes.
fs_err fs_oprf_blind(fs_oprf_mode mode,
    uint8_t                       blind[static FS_OPRF_SCALAR_BYTES],
    uint8_t blinded[static FS_OPRF_ELEMENT_BYTES], const uint8_t *input,
    size_t len);
fs_err fs_oprf_blind_fixed(fs_oprf_mode mode,
    const uint8_t                       blind[static FS_OPRF_SCALAR_BYTES],
    uint8_t blinded[static FS_OPRF_ELEMENT_BYTES], const uint8_t *input,
    size_t len);

// Server, OPRF mode: BlindEvaluate of one element.
fs_err fs_oprf_blind_evaluate(const fs_oprf_key *k,
    uint8_t       evaluated[static FS_OPRF_ELEMENT_BYTES],
    const uint8_t blinded[static FS_OPRF_ELEMENT_BYTES]);
// Server, VOPRF mode: BlindEvaluate of n elements (n * 32 bytes each way)
// with one proof for the batch.
fs_err fs_voprf_blind_evaluate(const fs_oprf_key *k, uint8_t *evaluated,
    uint8_t proof[static FS_OPRF_PROOF_BYTES], const uint8_t *blinded,
    size_t n);
fs_err fs_voprf_blind_evaluate_fixed(const fs_oprf_key *k, uint8_t *evaluated,
    uint8_t proof[static FS_OPRF_PROOF_BYTES], const uint8_t *blinded, size_t n,
    const uint8_t r[static FS_OPRF_SCALAR_BYTES]);

// Client, OPRF mode: Finalize one evaluation.
fs_err fs_oprf_finalize(uint8_t out[static FS_OPRF_OUTPUT_BYTES],
    const uint8_t *input, size_t len,
    const uint8_t blind[static FS_OPRF_SCALAR_BYTES],
    const uint8_t evaluated[static FS_OPRF_ELEMENT_BYTES]);
// Client, VOPRF mode: check the batch's proof against the server's public
// key pk, then Finalize every element: out gets n * 64 bytes.  blinds,
// blinded and evaluated hold n * 32 bytes each, in the order sent.
fs_err fs_voprf_verify(const uint8_t pk[static FS_OPRF_ELEMENT_BYTES],
    const uint8_t *blinded, const uint8_t *evaluated, size_t n,
    const uint8_t proof[static FS_OPRF_PROOF_BYTES]);
fs_err fs_voprf_finalize(uint8_t *out,
    const uint8_t pk[static FS_OPRF_ELEMENT_BYTES], const fs_oprf_input *in,
    const uint8_t *blinds, const uint8_t *blinded, const uint8_t *evaluated,
    size_t n, const uint8_t proof[static FS_OPRF_PROOF_BYTES]);

// Server: Evaluate, the unblinded PRF, for inputs the server may see.
fs_err fs_oprf_evaluate(const fs_oprf_key *k,
    uint8_t out[static FS_OPRF_OUTPUT_BYTES], const uint8_t *input, size_t len);

// Pseudonyms (DESIGN.md), from the OPRF output y of a normalized ID
// number: the subject pseudonym that travels, the behavior base that stays
// with nodes, and the behavior key of one event reference, equal across
// departments.
#define FS_PSEUDONYM_BYTES 32
#define FS_IDC_BYTES       32
#define FS_IDC_SALT_BYTES  16
void fs_pseudonym_subject(uint8_t subject[static FS_PSEUDONYM_BYTES],
    const uint8_t                 y[static FS_OPRF_OUTPUT_BYTES]);
void fs_pseudonym_behavior_base(uint8_t base[static FS_PSEUDONYM_BYTES],
    const uint8_t                       y[static FS_OPRF_OUTPUT_BYTES]);
void fs_behavior_key(uint8_t key[static FS_PSEUDONYM_BYTES],
    const uint8_t base[static FS_PSEUDONYM_BYTES], const char *ref, size_t len);

// fs_idc_commit computes the subject binding of an attestation:
// idc = BLAKE2b-256(key = salt, message = normalized ID number).  The
// issuer draws the salt, puts idc in an attest consent and hands the salt
// to the citizen only; whoever is shown the ID number and the salt can
// check that an attestation is about that citizen, and nobody else can
// test guesses against idc (docs/recognition.md).
void fs_idc_commit(uint8_t idc[static FS_IDC_BYTES],
    const uint8_t salt[static FS_IDC_SALT_BYTES], const char *idnum,
    size_t len);

// Citizen ID numbers (GB 11643-1999), 18 characters: 6-digit region code,
// birth date YYYYMMDD, 3-digit sequence, ISO 7064 MOD 11-2 check
// character.  fs_idnum_normalize trims surrounding whitespace, upper-cases
// the check character 'x' and validates every part, with birth dates from
// 1900-01-01 to the day of now (UTC+8, China's time).  On failure it
// returns FS_ERR_ID_NUMBER and, when why is not NULL, writes there which
// part is wrong, what was expected and what was found (never the whole
// number).
#define FS_IDNUM_LEN 18
fs_err fs_idnum_normalize(char out[static FS_IDNUM_LEN + 1], const char *in,
    size_t len, time_t now, char *why, size_t whycap);
// PASETO v4.public (https://github.com/paseto-standard/paseto-spec).
//
// Design notes.
// * A token is "v4.public." b64url(message || Ed25519 signature), then
//   "." b64url(footer) when the footer is not empty.  The signature covers
//   PAE(header, message, footer, implicit assertion); the implicit
//   assertion is never in the token, so a verifier must know it.
// * Parsing is strict and comes before any signature check: the exact
//   header (another version or purpose is FS_ERR_VERSION), base64url
//   without padding (FS_ERR_MALFORMED), no bare trailing dot, at least a
//   signature (FS_ERR_TRUNCATED), at most FS_PASETO_MAX_LEN characters
//   (FS_ERR_TOO_LARGE).  Tokens longer than that are neither issued nor
//   read.
// * Every parser takes bytes and a length and needs no NUL: a fuzzer can
//   call it directly.
// * Tokens, messages and footers returned are malloc'd and NUL-terminated;
//   release them with free().
#define FS_PASETO_MAX_LEN 8192

// fs_paseto_sign signs msg with k.  footer is a string, NULL or "" for
// none; implicit (ilen bytes) is the implicit assertion, NULL when ilen
// is 0.
fs_err fs_paseto_sign(char **tokenp, const fs_key *k, const uint8_t *msg,
    size_t msglen, const char *footer, const uint8_t *implicit, size_t ilen);

// fs_paseto_verify checks token (len characters) against pub and the
// implicit assertion, and on success returns its message in *msgp (may be
// NULL to only verify) and its length in *msglenp (may be NULL).  When
// footer is not NULL, the token's footer must be exactly that string ("" for
// none), else FS_ERR_FOOTER; when it is NULL any footer is accepted: it is
// covered by the signature, and fs_paseto_footer reads it.
fs_err fs_paseto_verify(uint8_t **msgp, size_t *msglenp, const char *token,
    size_t len, const fs_pubkey *pub, const char *footer,
    const uint8_t *implicit, size_t ilen);

// fs_paseto_footer returns the footer of a well-formed v4.public token,
// "" if it has none, without checking the signature: it is untrusted until
// fs_paseto_verify succeeds, and serves to choose the key.  *lenp (may be
// NULL) receives its length, which may differ from strlen() if the footer
// holds a NUL.
fs_err fs_paseto_footer(
    char **footerp, size_t *lenp, const char *token, size_t len);

// Times: RFC 3339 date-times, as PASETO's registered claims use them.
//
// fs_time_format always writes UTC with a "Z" and whole seconds
// ("2026-11-23T10:00:00Z").  fs_time_parse takes the RFC 3339 grammar
// strictly: upper-case "T" and "Z", an optional fraction of up to nine
// digits (dropped: times are whole seconds), "Z" or a numeric offset, which
// is applied.  Leap seconds (":60") and years outside 0000..9999 are
// refused.
#define FS_TIME_LEN     20 // "YYYY-MM-DDTHH:MM:SSZ"
#define FS_TIME_MAX_LEN 35 // with nine fraction digits and an offset
fs_err fs_time_format(char out[static FS_TIME_LEN + 1], int64_t t);
// Days since 1970-01-01 of a date in the proleptic Gregorian calendar,
// and back (H. Hinnant's algorithms); m is 1..12, d 1..31.
int64_t fs_days_from_civil(int64_t y, unsigned m, unsigned d);
void    fs_civil_from_days(int64_t z, int64_t *yp, unsigned *mp, unsigned *dp);
fs_err  fs_time_parse(int64_t *tp, const char *s, size_t len);

// Consent tokens: the claims a consent token carries, and its footer.
//
// Design notes.
// * The message is one JSON object, compact with sorted keys when we write
//   it.  On reading it must be an object (FS_ERR_TYPE), at most
//   FS_CLAIMS_MAX_LEN bytes and FS_JSON_MAX_DEPTH levels deep
//   (FS_ERR_TOO_LARGE; the depth is checked by a scan before jansson sees
//   the input), valid UTF-8 without duplicate keys (FS_ERR_MALFORMED).
// * Claims, all required except nbf (default: iat) and uses (default 1):
//     iss      issuer name                  1..64 token-safe characters
//     sub      subject pseudonym            b64url of 32 bytes
//     aud      requester id                 1..64 token-safe characters
//     purpose  the one purpose of the use   1..64 token-safe characters
//     scope    "tier" "score" "breakdown" "attest" "self"
//     iat nbf exp                           RFC 3339 date-times
//     jti      token id                     b64url of 16 random bytes
//     uses     lookups allowed              integer 1..FS_CLAIM_USES_MAX
//     reg      region of the coordinator    1..64 token-safe characters
//     idc      optional, scope attest only: commitment to the ID number,
//              b64url of 32 bytes (see fs_idc_commit)
//   Token-safe characters are A-Z a-z 0-9 and "-._~:/".  A value of another
//   JSON type is FS_ERR_TYPE, an unknown scope FS_ERR_SCOPE, anything else
//   wrong FS_ERR_MALFORMED.
// * Unknown claims are refused, not ignored: a token says exactly what the
//   citizen consented to, and a claim that one verifier ignores cannot
//   mean something to another.
// * The footer is {"kid":"k4.pid.…"}, naming the issuer's key; no other
//   key is allowed in it.
#define FS_SUBJECT_BYTES  32
#define FS_JTI_BYTES      16
#define FS_CLAIM_STR_MAX  64
#define FS_CLAIM_USES_MAX 1000000
#define FS_CLAIMS_MAX_LEN 2048
#define FS_FOOTER_MAX_LEN 256
#define FS_JSON_MAX_DEPTH 4
#define FS_FOOTER_LEN     (8 + FS_PASERK_PID_LEN + 2) // {"kid":"…"}
#define FS_SKEW_DEFAULT   300                         // seconds
#define FS_SKEW_MAX       86400

typedef enum fs_scope {
	FS_SCOPE_TIER = 1,  // the tier only
	FS_SCOPE_SCORE,     // the score and its tier
	FS_SCOPE_BREAKDOWN, // the score per dimension
	FS_SCOPE_ATTEST,    // a signed attestation of the score
	FS_SCOPE_SELF,      // a citizen viewing their own data
} fs_scope;

// fs_scope_name returns the claim value of scope, or NULL if unknown.
const char *fs_scope_name(fs_scope scope);
// fs_scope_parse refuses anything but a known name with FS_ERR_SCOPE.
fs_err fs_scope_parse(fs_scope *scopep, const char *s, size_t len);
// fs_scope_rank orders the scopes of a lookup by what they disclose: tier
// 1, score 2, breakdown 3; others 0.  fs_scope_covers says whether a
// consent of scope granted allows a lookup of scope asked: less or as
// much as granted; an attest consent allows attest (tier and score in an
// attestation) or tier (the tier only: the credit code).
int  fs_scope_rank(fs_scope scope);
bool fs_scope_covers(fs_scope granted, fs_scope asked);

typedef struct fs_claims {
	char     iss[FS_CLAIM_STR_MAX + 1];
	uint8_t  sub[FS_SUBJECT_BYTES];
	char     aud[FS_CLAIM_STR_MAX + 1];
	char     purpose[FS_CLAIM_STR_MAX + 1];
	fs_scope scope;
	int64_t  iat; // Unix seconds
	int64_t  nbf;
	int64_t  exp; // valid while now < exp
	uint8_t  jti[FS_JTI_BYTES];
	uint32_t uses;
	char     reg[FS_CLAIM_STR_MAX + 1];
	bool     has_idc; // scope attest only
	uint8_t  idc[FS_IDC_BYTES];
} fs_claims;

// fs_claims_init clears c, draws a random jti and sets uses to 1.
void fs_claims_init(fs_claims *c);
// fs_claims_encode writes c as compact JSON with sorted keys into a
// malloc'd string; claims that would not decode are FS_ERR_INVALID (or
// FS_ERR_SCOPE).  *lenp may be NULL.
fs_err fs_claims_encode(char **jsonp, size_t *lenp, const fs_claims *c);
// fs_claims_decode parses len bytes of JSON as described above.
fs_err fs_claims_decode(fs_claims *c, const uint8_t *json, size_t len);
// fs_claims_check checks the times of c against now, allowing skew seconds
// (0..FS_SKEW_MAX) each way: FS_ERR_EXPIRED from exp on,
// FS_ERR_NOT_YET_VALID before nbf or iat.  Claims that would not encode
// are FS_ERR_INVALID.
fs_err fs_claims_check(const fs_claims *c, int64_t now, int64_t skew);

// The consent token footer {"kid":"k4.pid.…"}.
void fs_footer_encode(
    char out[static FS_FOOTER_LEN + 1], const uint8_t kid[static FS_KID_BYTES]);
fs_err fs_footer_decode(
    uint8_t kid[static FS_KID_BYTES], const char *s, size_t len);

// fs_token_issue signs c as a consent token with the issuer's key, for
// region, which is both the implicit assertion and the claim "reg".
// c->reg must be empty or equal to region.
fs_err fs_token_issue(char **tokenp, const fs_key *issuer, const fs_claims *c,
    const char *region);

// fs_token_verify checks a consent token for region at time now (with skew
// seconds of tolerance) and returns its claims.  In order: the token's
// form, the footer's kid (FS_ERR_WRONG_KEY when it names another key than
// issuer), the signature with region as implicit assertion, the claims,
// the claim "reg", the times.
//
// A token made for another region fails the signature, like a forgery.
// To tell the two apart, a failed token is verified once more under the
// region its own (so far untrusted) claim "reg" names: only if the
// signature verifies there is the error FS_ERR_WRONG_REGION; otherwise it
// is FS_ERR_BAD_SIGNATURE.  Either way the token is refused.
//
// Audience, purpose, scope, uses and revocation are the caller's to check.
fs_err fs_token_verify(fs_claims *c, const char *token, size_t len,
    const fs_pubkey *issuer, const char *region, int64_t now, int64_t skew);
// Merkle trees: RFC 9162 section 2.1 with SHA-256.
//
// Design notes.
// * A leaf hash is SHA-256(0x00 || entry), a node SHA-256(0x01 || l || r);
//   the empty tree hashes to SHA-256("").  Proofs are lists of hashes in
//   the RFC's order, deepest first, exactly as Go's sumdb/tlog and the
//   transparency-dev verifiers take them.
// * Stored hashes are addressed as in C2SP tlog-tiles: (level, index) is
//   the complete subtree of 2^level leaves starting at leaf index << level;
//   level 0 holds the leaf hashes.  An append-only log stores each such
//   hash once, when its subtree completes, and never changes it.  Proof
//   generation reads them through an fs_merkle_get_fn, so that the caller
//   can serve them from SQLite, from tiles, or from fs_merkle_mem in tests.
// * fs_merkle_state is the right edge of the tree: one hash per set bit of
//   the size.  Appending costs one leaf hash plus one node hash per
//   trailing one bit of the old size (two hashes on average), and the root
//   at most 63 more; the state is a plain struct of 2 KiB with no
//   allocation, so a log keeps one in memory and can rebuild it from
//   storage with fs_merkle_state_load.
// * Verification runs the RFC 9162 algorithms (2.1.3.2 and 2.1.4.2), and
//   compares hashes with sodium_memcmp.  A consistency proof from size 0
//   is refused: it proves nothing, and the transparency-dev vectors expect
//   the refusal.  Sizes are uint64_t, so a proof has at most 64 hashes for
//   inclusion and 65 for consistency.

#define FS_MERKLE_HASH_BYTES crypto_hash_sha256_BYTES // 32
#define FS_MERKLE_LEVELS     64
#define FS_MERKLE_PROOF_MAX  (FS_MERKLE_LEVELS + 1)

typedef struct fs_merkle_proof {
	size_t  n; // number of hashes
	uint8_t hash[FS_MERKLE_PROOF_MAX][FS_MERKLE_HASH_BYTES];
} fs_merkle_proof;

// fs_merkle_get_fn stores in out the hash of the complete subtree at
// (level, index), or returns an error (FS_ERR_NOT_FOUND, FS_ERR_IO...)
// that the proof functions pass back unchanged.
typedef fs_err (*fs_merkle_get_fn)(void *arg, uint64_t level, uint64_t index,
    uint8_t out[FS_MERKLE_HASH_BYTES]);

// fs_merkle_put_fn is told each hash that becomes permanent as a leaf is
// appended: the leaf hash at level 0, then every subtree it completes.
typedef fs_err (*fs_merkle_put_fn)(void *arg, uint64_t level, uint64_t index,
    const uint8_t hash[FS_MERKLE_HASH_BYTES]);

void fs_merkle_leaf_hash(
    uint8_t out[static FS_MERKLE_HASH_BYTES], const uint8_t *entry, size_t len);
void fs_merkle_node_hash(uint8_t out[static FS_MERKLE_HASH_BYTES],
    const uint8_t                left[static FS_MERKLE_HASH_BYTES],
    const uint8_t                right[static FS_MERKLE_HASH_BYTES]);
void fs_merkle_empty_root(uint8_t out[static FS_MERKLE_HASH_BYTES]);

// fs_merkle_root computes the tree hash of n leaf hashes, held one after
// the other in leaves (n * FS_MERKLE_HASH_BYTES bytes), in O(log n) memory.
void fs_merkle_root(
    uint8_t root[static FS_MERKLE_HASH_BYTES], const uint8_t *leaves, size_t n);

typedef struct fs_merkle_state {
	uint64_t size;
	// edge[l] is the hash of the complete subtree of 2^l leaves on the
	// right edge, valid where bit l of size is set.
	uint8_t edge[FS_MERKLE_LEVELS][FS_MERKLE_HASH_BYTES];
} fs_merkle_state;

void fs_merkle_state_init(fs_merkle_state *st);
// fs_merkle_state_append adds one leaf hash.  put, if not NULL, is told
// every hash that became permanent; if it fails, st is left unchanged and
// its error returned (a retry puts the same hashes again, so a store
// should take an identical hash twice).  A tree of 2^64 - 1 leaves is
// full: FS_ERR_TOO_LARGE.
fs_err fs_merkle_state_append(fs_merkle_state *st,
    const uint8_t leaf[static FS_MERKLE_HASH_BYTES], fs_merkle_put_fn put,
    void *arg);
void   fs_merkle_state_root(
      const fs_merkle_state *st, uint8_t root[static FS_MERKLE_HASH_BYTES]);
// fs_merkle_state_load rebuilds the state of a tree of the given size
// from stored hashes (one get per set bit of size).
fs_err fs_merkle_state_load(
    fs_merkle_state *st, uint64_t size, fs_merkle_get_fn get, void *arg);

// fs_merkle_root_at computes the root of the tree's first size leaves
// from stored hashes, so a log can answer for any older size.
fs_err fs_merkle_root_at(uint8_t root[static FS_MERKLE_HASH_BYTES],
    uint64_t size, fs_merkle_get_fn get, void *arg);

// fs_merkle_prove_inclusion writes the proof that leaf index is in the
// tree of the given size (RFC 9162 2.1.3.1); index < size.
fs_err fs_merkle_prove_inclusion(fs_merkle_proof *proof, uint64_t index,
    uint64_t size, fs_merkle_get_fn get, void *arg);
// fs_merkle_prove_consistency writes the proof that the tree of size1 is
// a prefix of the tree of size2 (RFC 9162 2.1.4.1); 0 < size1 <= size2.
fs_err fs_merkle_prove_consistency(fs_merkle_proof *proof, uint64_t size1,
    uint64_t size2, fs_merkle_get_fn get, void *arg);

// Verification: FS_OK, or FS_ERR_BAD_PROOF for any proof that does not
// verify, whatever the reason (sizes, lengths, hashes).
fs_err fs_merkle_verify_inclusion(
    const uint8_t leaf[static FS_MERKLE_HASH_BYTES], uint64_t index,
    uint64_t size, const fs_merkle_proof *proof,
    const uint8_t root[static FS_MERKLE_HASH_BYTES]);
fs_err fs_merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t          root1[static FS_MERKLE_HASH_BYTES],
    const uint8_t          root2[static FS_MERKLE_HASH_BYTES],
    const fs_merkle_proof *proof);

// An in-memory store of every permanent hash of a tree (2n hashes for n
// leaves), for tests and tools.  fs_merkle_mem_get is an fs_merkle_get_fn
// whose arg is the fs_merkle_mem.
typedef struct fs_merkle_mem fs_merkle_mem;

fs_err fs_merkle_mem_create(fs_merkle_mem **mp);
void   fs_merkle_mem_free(fs_merkle_mem *m);
fs_err fs_merkle_mem_append(
    fs_merkle_mem *m, const uint8_t leaf[static FS_MERKLE_HASH_BYTES]);
uint64_t fs_merkle_mem_size(const fs_merkle_mem *m);
void     fs_merkle_mem_root(
        const fs_merkle_mem *m, uint8_t root[static FS_MERKLE_HASH_BYTES]);
fs_err fs_merkle_mem_get(void *arg, uint64_t level, uint64_t index,
    uint8_t out[FS_MERKLE_HASH_BYTES]);

// Signed notes (C2SP signed-note), tlog checkpoints (C2SP tlog-checkpoint)
// and witness cosignatures (C2SP tlog-cosignature, Ed25519 "cosignature/v1").
//
// Design notes.
// * A note is a text ending in "\n", a blank line, and signature lines
//   "— <name> <base64(key id || signature)>\n" (U+2014, standard base64).
//   The key id is the first 4 bytes of SHA-256(name || "\n" || type ||
//   public key), type 0x01 for a log's Ed25519 signature over the text,
//   0x04 for a witness cosignature.  The formats are those of Go's
//   golang.org/x/mod/sumdb/note, so its verifiers accept our notes.
// * Parsing is bounded (FS_NOTE_MAX bytes, text at most FS_NOTE_TEXT_MAX,
//   at most FS_NOTE_SIGS_MAX signatures) and strict: valid UTF-8 without
//   control characters but newline, names without Unicode spaces or '+',
//   canonical base64.
// * Verification follows the spec: signatures by unknown keys (name and
//   id not both known) are ignored; every signature by a known key must
//   verify, even a repeated one, or the note is refused with
//   FS_ERR_BAD_SIGNATURE; a note with no signature by a known key is
//   refused with FS_ERR_WRONG_KEY.
// * A cosignature signs "cosignature/v1\ntime <t>\n" followed by the
//   checkpoint text, and carries the 8-byte big-endian time t before the
//   64-byte signature.  It commits to the text, not to the witness name:
//   one key per witness.

#define FS_NOTE_TEXT_MAX (1u << 20)
#define FS_NOTE_MAX      (2u << 20)
#define FS_NOTE_SIGS_MAX 100
#define FS_NOTE_NAME_MAX 255
#define FS_NOTE_ID_BYTES 4
#define FS_NOTE_ED25519  0x01 // signature type: Ed25519 over the text
#define FS_NOTE_COSIG_V1 0x04 // signature type: timestamped cosignature
#define FS_NOTE_TIME_MAX INT64_MAX
// Lengths of key strings for a name of n bytes, without the NUL.
#define FS_NOTE_VKEY_LEN(n) ((n) + 54)      // name+%08x+base64(33)
#define FS_NOTE_SKEY_LEN(n) ((n) + 12 + 54) // PRIVATE+KEY+ then the same

// A verifier key: a name, a signature type and an Ed25519 public key.
typedef struct fs_note_verifier {
	char    name[FS_NOTE_NAME_MAX + 1];
	uint8_t type; // FS_NOTE_ED25519 or FS_NOTE_COSIG_V1
	uint8_t id[FS_NOTE_ID_BYTES];
	uint8_t pk[FS_PK_BYTES];
} fs_note_verifier;

// fs_note_name_valid reports whether name (len bytes) is a valid key name
// of at most FS_NOTE_NAME_MAX bytes.
bool   fs_note_name_valid(const char *name, size_t len);
fs_err fs_note_verifier_init(fs_note_verifier *v, const char *name,
    uint8_t type, const uint8_t pk[static FS_PK_BYTES]);
// Verifier key strings "<name>+<hex id>+<base64(type || pk)>", for either
// type.  fs_note_vkey_format needs FS_NOTE_VKEY_LEN(strlen(name)) + 1
// bytes in out.
fs_err fs_note_vkey_parse(fs_note_verifier *v, const char *s, size_t len);
fs_err fs_note_vkey_format(char *out, size_t cap, const fs_note_verifier *v);
// Signer key strings "PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>",
// as Go's note.NewSigner reads them.  The string is a secret: wipe it with
// sodium_memzero.  The parser writes the name into name.
fs_err fs_note_skey_format(
    char *out, size_t cap, const char *name, const fs_key *k);
fs_err fs_note_skey_parse(fs_key **kp, char name[static FS_NOTE_NAME_MAX + 1],
    const char *s, size_t len);

// fs_note_sign signs text (which must end in "\n") with k under name, and
// returns the signed note, NUL-terminated, in *outp for the caller to
// free().
fs_err fs_note_sign(char **outp, size_t *lenp, const char *text, size_t len,
    const char *name, const fs_key *k);

// A parsed note: its text and signature lines, not yet verified.
typedef struct fs_note fs_note;

fs_err      fs_note_parse(fs_note **np, const char *msg, size_t len);
void        fs_note_free(fs_note *n);
const char *fs_note_text(const fs_note *n, size_t *lenp);
size_t      fs_note_sig_count(const fs_note *n);
// fs_note_verify checks n against nkeys known keys as the spec says (see
// the design notes).  verified, if not NULL, has nkeys entries and is set
// to which keys signed.
fs_err fs_note_verify(const fs_note *n, const fs_note_verifier *keys,
    size_t nkeys, bool *verified);
// fs_note_open parses and verifies in one step.
fs_err fs_note_open(fs_note **np, const char *msg, size_t len,
    const fs_note_verifier *keys, size_t nkeys);

// A checkpoint body.  origin and ext point into the text it was parsed
// from; ext holds the extension lines, each ending in "\n", or is empty.
typedef struct fs_checkpoint {
	const char *origin;
	size_t      origin_len;
	uint64_t    size;
	uint8_t     root[FS_MERKLE_HASH_BYTES];
	const char *ext;
	size_t      ext_len;
} fs_checkpoint;

// fs_checkpoint_format returns "<origin>\n<size>\n<base64 root>\n<ext>",
// NUL-terminated, in *outp for the caller to free().  ext may be NULL.
fs_err fs_checkpoint_format(char **outp, size_t *lenp, const char *origin,
    uint64_t size, const uint8_t root[static FS_MERKLE_HASH_BYTES],
    const char *ext, size_t ext_len);
fs_err fs_checkpoint_parse(fs_checkpoint *cp, const char *text, size_t len);

// fs_cosig_sign appends k's cosignature, made at time t (seconds since
// the epoch), to a signed note whose text is a checkpoint.  It does not
// check the log's signature or consistency: that is the witness's job
// before it cosigns.
fs_err fs_cosig_sign(char **outp, size_t *lenp, const char *note, size_t len,
    const char *name, const fs_key *k, uint64_t t);
// fs_cosig_verify finds the cosignature by witness (a FS_NOTE_COSIG_V1
// key) in n: FS_ERR_NOT_FOUND if there is none, FS_ERR_BAD_SIGNATURE if
// one does not verify, else the time of the first in *tp.
fs_err fs_cosig_verify(
    uint64_t *tp, const fs_note *n, const fs_note_verifier *witness);

// The issuer's revocations, for auditors: when it revoked each consent,
// as a C2SP signed note by the issuer's key (revocations.c has the text).
// fs_revocations_open verifies the note for region and reads it; the
// times are seconds since the epoch.
typedef struct fs_revocation {
	uint8_t jti[FS_JTI_BYTES];
	int64_t at;
} fs_revocation;

typedef struct fs_revocations {
	int64_t        iat; // when the issuer made the statement
	fs_revocation *r;   // sorted by jti
	size_t         n;
} fs_revocations;

fs_err fs_revocations_sign(char **notep, const fs_key *issuer,
    const char *region, int64_t iat, const fs_revocation *r, size_t n);
fs_err fs_revocations_open(fs_revocations *rs, const char *note, size_t len,
    const fs_pubkey *issuer, const char *region);
const fs_revocation *fs_revocations_find(
    const fs_revocations *rs, const uint8_t jti[FS_JTI_BYTES]);
void fs_revocations_fini(fs_revocations *rs);

// fs_token_peek decodes a consent token's claims WITHOUT checking its
// signature: untrusted, only for a requester to read the region and
// requester id it must use.  Never act on them.
fs_err fs_token_peek(fs_claims *c, const char *token, size_t len);

#endif // FS_CRYPTO_H
