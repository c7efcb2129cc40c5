// SPDX-License-Identifier: Apache-2.0
//
// trust.c -- trust lists: which foreign regions' attestations this region
// recognizes, under which keys and dates, and how their tiers map onto
// ours (docs/recognition.md).
//
// A trust list is a C2SP signed note whose text is INI, signed by the
// receiving region's credit office.  The signature is checked before a
// byte of the text is parsed; the text is then held to the same rules as
// every fedscore configuration (unknown keys are errors with their line),
// and the local tier names are checked against the local scheme once it
// is bound.  Keys are unique across the list: one key, one region, and a
// retired key is never current anywhere.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "wire/note.h"
#include "wire/noteimpl.h"
#include "wire/scheme.h"
#include "wire/trust.h"
#include "wire/wireimpl.h"

static const char *const trust_keys[]     = { "local", "scheme", "skew", NULL };
static const char *const trust_required[] = { "local", "scheme", NULL };
static const char *const region_required[]
    = { "key", "not_before", "not_after", NULL };

void
fs_trust_free(fs_trust *t)
{
	if (t == NULL) {
		return;
	}
	free(t->scheme_path);
	free(t->regions);
	free(t);
}

// name_ok: a region id or a tier name, which the list holds as section
// names and keys.
static bool
name_ok(const char *s)
{
	return (fs_conf_word_ok(s, strlen(s)));
}

// entry_line finds the line of key in s, for messages.
static int
entry_line(const fs_conf_section *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->entries[i].key, key) == 0) {
			return (s->entries[i].line);
		}
	}
	return (s->line);
}

static fs_err
parse_time(const fs_conf *c, const fs_conf_section *s, const char *key,
    int64_t *t, char *why, size_t whycap)
{
	const char *v = fs_conf_get(s, key);

	if (fs_time_parse(t, v, strlen(v)) != FS_OK) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s:%d: expected %s as an RFC 3339 time like "
		    "2026-01-01T00:00:00Z, found '%s'",
		    c->path, entry_line(s, key), key, v));
	}
	return (FS_OK);
}

static fs_err
parse_key(const fs_conf *c, const fs_conf_section *s, const char *key,
    const char *v, size_t len, fs_pubkey *pub, char *why, size_t whycap)
{
	uint8_t pk[FS_PK_BYTES];

	if (fs_paserk_parse_public(pk, v, len) != FS_OK
	    || fs_pubkey_init(pub, pk, sizeof(pk)) != FS_OK) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s:%d: expected %s as k4.public.<43 characters>, found "
		    "'%.*s'",
		    c->path, entry_line(s, key), key,
		    (int) (len > 60 ? 60 : len), v));
	}
	return (FS_OK);
}

// parse_region reads one [region ID] section.
static fs_err
parse_region(const fs_conf *c, const fs_conf_section *s, fs_trust_region *r,
    char *why, size_t whycap)
{
	const char *v;
	fs_err      rv;

	memset(r, 0, sizeof(*r));
	r->line = s->line;
	if (s->name == NULL || !name_ok(s->name)) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s:%d: expected [region ID] with the foreign region's id",
		    c->path, s->line));
	}
	snprintf(r->id, sizeof(r->id), "%s", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const char *k = s->entries[i].key, *val = s->entries[i].value;

		if (strncmp(k, "map.", 4) == 0) {
			fs_trust_map *m = &r->maps[r->nmaps];

			if (!name_ok(k + 4) || !name_ok(val)) {
				return (fs_why(why, whycap, FS_ERR_CONFIG,
				    "%s:%d: expected map.<foreign tier> = "
				    "<local tier>, tier names of letters, "
				    "digits, '-', '.' or '_', found '%s = %s'",
				    c->path, s->entries[i].line, k, val));
			}
			if (r->nmaps == FS_TIERS_MAX) {
				return (fs_why(why, whycap, FS_ERR_CONFIG,
				    "%s:%d: expected at most %d map lines",
				    c->path, s->entries[i].line, FS_TIERS_MAX));
			}
			snprintf(m->foreign, sizeof(m->foreign), "%s", k + 4);
			snprintf(m->local, sizeof(m->local), "%s", val);
			r->nmaps++;
		} else if (strcmp(k, "score") == 0) {
			if (strcmp(val, "linear") != 0) {
				return (fs_why(why, whycap, FS_ERR_CONFIG,
				    "%s:%d: expected score = linear, found "
				    "'%s'",
				    c->path, s->entries[i].line, val));
			}
			r->linear = true;
		} else if (strcmp(k, "key") != 0 && strcmp(k, "not_before") != 0
		    && strcmp(k, "not_after") != 0
		    && strcmp(k, "retired") != 0) {
			return (fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: '%s' is not a setting of section [region]; "
			    "expected key, not_before, not_after, retired, "
			    "score or map.<tier>",
			    c->path, s->entries[i].line, k));
		}
	}
	for (const char *const *k = region_required; *k != NULL; k++) {
		if (fs_conf_get(s, *k) == NULL) {
			return (fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: section [region %s] needs '%s = ...'",
			    c->path, s->line, r->id, *k));
		}
	}
	v = fs_conf_get(s, "key");
	if ((rv = parse_key(c, s, "key", v, strlen(v), &r->key, why, whycap))
	        != FS_OK
	    || (rv = parse_time(
	            c, s, "not_before", &r->not_before, why, whycap))
	        != FS_OK
	    || (rv = parse_time(c, s, "not_after", &r->not_after, why, whycap))
	        != FS_OK) {
		return (rv);
	}
	if (r->not_before >= r->not_after) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s:%d: expected not_before before not_after for region "
		    "%s",
		    c->path, entry_line(s, "not_after"), r->id));
	}
	for (v = fs_conf_get(s, "retired"); v != NULL && *v != '\0';) {
		size_t n = strcspn(v, " ,");

		if (n > 0) {
			if (r->nretired == FS_TRUST_RETIRED_MAX) {
				return (fs_why(why, whycap, FS_ERR_CONFIG,
				    "%s:%d: expected at most %d retired keys",
				    c->path, entry_line(s, "retired"),
				    FS_TRUST_RETIRED_MAX));
			}
			if ((rv = parse_key(c, s, "retired", v, n,
			         &r->retired[r->nretired], why, whycap))
			    != FS_OK) {
				return (rv);
			}
			r->nretired++;
		}
		v += n;
		v += strspn(v, " ,");
	}
	if (r->nmaps == 0 && !r->linear) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s:%d: region %s has no recognition rule: expected "
		    "map.<foreign tier> = <local tier> lines or score = linear",
		    c->path, s->line, r->id));
	}
	return (FS_OK);
}

// key_at names the k-th key of region r: its key, then the retired ones.
static const fs_pubkey *
key_at(const fs_trust_region *r, size_t k)
{
	return (k == 0 ? &r->key : &r->retired[k - 1]);
}

// unique refuses a key met twice: one key
// belongs to one region, and a retired key is nowhere current.
static fs_err
unique(const fs_trust *t, const char *path, char *why, size_t whycap)
{
	for (size_t i = 0; i < t->nregions; i++) {
		const fs_trust_region *r = &t->regions[i];

		for (size_t k = 0; k <= r->nretired; k++) {
			for (size_t j = 0; j <= i; j++) {
				const fs_trust_region *q = &t->regions[j];

				for (size_t l = 0;
				     l <= q->nretired && (j < i || l < k);
				     l++) {
					if (sodium_memcmp(key_at(r, k)->pk,
					        key_at(q, l)->pk, FS_PK_BYTES)
					    == 0) {
						return (fs_why(why, whycap,
						    FS_ERR_CONFIG,
						    "%s:%d: a key of region "
						    "%s is listed again, in "
						    "region %s: one key "
						    "belongs to one region, "
						    "current or retired",
						    path, r->line, r->id,
						    q->id));
					}
				}
			}
		}
	}
	return (FS_OK);
}

fs_err
fs_trust_parse(fs_trust **tp, const char *text, size_t len, const char *path,
    char *why, size_t whycap)
{
	fs_conf               *c = NULL;
	const fs_conf_section *s = NULL;
	fs_trust              *t;
	const char            *v;
	fs_err                 rv;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_conf_parse(&c, text, len, path, why, whycap)) != FS_OK) {
		goto fail;
	}
	t->skew_s = FS_TRUST_SKEW_DEFAULT;
	for (size_t i = 0; i < c->n; i++) {
		const fs_conf_section *x = &c->sections[i];

		if (strcmp(x->type, "trust") == 0 && x->name == NULL
		    && s == NULL) {
			s = x;
		} else if (strcmp(x->type, "region") == 0) {
			t->nregions++;
		} else {
			rv = fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: expected one [trust] and [region ID] "
			    "sections, found [%s%s%s]",
			    path, x->line, x->type, x->name ? " " : "",
			    x->name ? x->name : "");
			goto fail;
		}
	}
	if (s == NULL || t->nregions == 0
	    || t->nregions > FS_TRUST_REGIONS_MAX) {
		rv = fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected a [trust] section and 1 to %d [region ID] "
		    "sections, found %s and %zu",
		    path, FS_TRUST_REGIONS_MAX, s != NULL ? "one" : "none",
		    t->nregions);
		goto fail;
	}
	if ((rv = fs_conf_check(c, s, trust_keys, trust_required, why, whycap))
	    != FS_OK) {
		goto fail;
	}
	if (!name_ok(fs_conf_get(s, "local"))) {
		rv = fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s:%d: expected local = the id of this region, found "
		    "'%s'",
		    path, entry_line(s, "local"), fs_conf_get(s, "local"));
		goto fail;
	}
	snprintf(t->local, sizeof(t->local), "%s", fs_conf_get(s, "local"));
	if ((v = fs_conf_get(s, "skew")) != NULL) {
		int64_t ms;

		if (fs_parse_duration(v, &ms) != FS_OK || ms > 3600 * 1000) {
			rv = fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: expected skew as a duration from 0s to 1h, "
			    "found '%s'",
			    path, entry_line(s, "skew"), v);
			goto fail;
		}
		t->skew_s = ms / 1000;
	}
	if ((t->scheme_path = fs_conf_path(c, s, "scheme")) == NULL
	    || (t->regions = calloc(t->nregions, sizeof(*t->regions)))
	        == NULL) {
		rv = FS_ERR_NOMEM;
		goto fail;
	}
	t->nregions = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->sections[i].type, "region") != 0) {
			continue;
		}
		for (size_t j = 0; j < t->nregions; j++) {
			if (c->sections[i].name != NULL
			    && strcmp(t->regions[j].id, c->sections[i].name)
			        == 0) {
				rv = fs_why(why, whycap, FS_ERR_CONFIG,
				    "%s:%d: region %s is already listed on "
				    "line %d",
				    path, c->sections[i].line,
				    c->sections[i].name, t->regions[j].line);
				goto fail;
			}
		}
		if (c->sections[i].name != NULL
		    && strcmp(c->sections[i].name, t->local) == 0) {
			rv = fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: region %s is this region (local): a region "
			    "does not recognize itself",
			    path, c->sections[i].line, t->local);
			goto fail;
		}
		if ((rv = parse_region(c, &c->sections[i],
		         &t->regions[t->nregions], why, whycap))
		    != FS_OK) {
			goto fail;
		}
		t->nregions++;
	}
	if ((rv = unique(t, path, why, whycap)) != FS_OK) {
		goto fail;
	}
	fs_conf_free(c);
	*tp = t;
	return (FS_OK);
fail:
	fs_conf_free(c);
	fs_trust_free(t);
	return (rv);
}

fs_err
fs_trust_bind(fs_trust *t, const fs_scheme *local, char *why, size_t whycap)
{
	if (strcmp(local->region, t->local) != 0) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "the trust list is for region %s, the scheme %s for "
		    "region %s",
		    t->local, local->id, local->region));
	}
	for (size_t i = 0; i < t->nregions; i++) {
		const fs_trust_region *r = &t->regions[i];

		for (size_t m = 0; m < r->nmaps; m++) {
			if (fs_scheme_tier_named(local, r->maps[m].local)
			    == NULL) {
				return (fs_why(why, whycap, FS_ERR_CONFIG,
				    "region %s maps tier %s to %s, which is "
				    "not a tier of the %s scheme",
				    r->id, r->maps[m].foreign, r->maps[m].local,
				    local->id));
			}
		}
	}
	t->scheme = *local;
	t->bound  = true;
	return (FS_OK);
}

fs_err
fs_trust_open(fs_trust **tp, const char *note, size_t len, const char *path,
    const fs_pubkey *office, const char *name, char *why, size_t whycap)
{
	fs_note_verifier v;
	fs_note         *n;
	const char      *text;
	size_t           tlen;
	fs_err           rv;

	if (fs_note_verifier_init(&v, name, FS_NOTE_ED25519, office->pk)
	    != FS_OK) {
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "expected a note key name without spaces or '+', found "
		    "'%s'",
		    name));
	}
	if ((rv = fs_note_open(&n, note, len, &v, 1)) != FS_OK) {
		return (fs_why(why, whycap, rv, "%s: %s", path,
		    rv == FS_ERR_WRONG_KEY
		        ? "not signed by the credit office's key (under the "
		          "name given)"
		        : rv == FS_ERR_BAD_SIGNATURE
		        ? "the credit office's signature does not verify: the "
		          "list was altered"
		        : "expected a trust list as a signed note"));
	}
	text = fs_note_text(n, &tlen);
	rv   = fs_trust_parse(tp, text, tlen, path, why, whycap);
	fs_note_free(n);
	return (rv);
}

fs_err
fs_trust_load(fs_trust **tp, const char *path, const fs_pubkey *office,
    const char *name, char *why, size_t whycap)
{
	char     *buf;
	size_t    n;
	fs_scheme scheme;
	fs_trust *t = NULL;
	fs_err    rv;

	if ((rv = fs_conf_read(path, FS_NOTE_MAX, &buf, &n, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	rv = fs_trust_open(&t, buf, n, path, office, name, why, whycap);
	free(buf);
	if (rv == FS_OK
	    && ((rv = fs_scheme_load(&scheme, t->scheme_path, why, whycap))
	            != FS_OK
	        || (rv = fs_trust_bind(t, &scheme, why, whycap)) != FS_OK)) {
		fs_trust_free(t);
		return (rv);
	}
	if (rv == FS_OK) {
		*tp = t;
	}
	return (rv);
}

const char *
fs_trust_local(const fs_trust *t)
{
	return (t->local);
}

const char *
fs_trust_scheme_path(const fs_trust *t)
{
	return (t->scheme_path);
}

const fs_scheme *
fs_trust_scheme(const fs_trust *t)
{
	return (t->bound ? &t->scheme : NULL);
}

size_t
fs_trust_count(const fs_trust *t)
{
	return (t->nregions);
}

const fs_trust_region *
fs_trust_region_at(const fs_trust *t, size_t i)
{
	return (i < t->nregions ? &t->regions[i] : NULL);
}

const fs_trust_region *
fs_trust_region_find(const fs_trust *t, const char *id)
{
	for (size_t i = 0; i < t->nregions; i++) {
		if (strcmp(t->regions[i].id, id) == 0) {
			return (&t->regions[i]);
		}
	}
	return (NULL);
}

int64_t
fs_trust_skew(const fs_trust *t)
{
	return (t->skew_s);
}
