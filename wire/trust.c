// SPDX-License-Identifier: Apache-2.0
//
// trust.c -- trust lists: which foreign regions' attestations this region
// recognizes, under which keys and dates, and how their tiers map onto
// ours (docs/recognition.md).
//
// A trust list is a C2SP signed note whose text is INI, signed by the
// receiving region's credit office.  The signature is checked before a
// byte of the text is parsed (trustfile.c); the text is then held here to
// the same rules as every fedscore configuration (unknown keys are errors
// with their line), and the local tier names are checked against the
// local scheme once it is bound.  Keys are unique across the list: one
// key, one region, and a retired key is never current anywhere.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "common/text.h"
#include "crypto/key.h"
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

static bool
name_ok(const char *s)
{
	return (fs_word_ok(s, strlen(s), FS_LABEL_MAX, "-._"));
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
		snprintf(why, whycap,
		    "%s:%d: expected %s as an RFC 3339 time like "
		    "2026-01-01T00:00:00Z, found '%s'",
		    c->path, entry_line(s, key), key, v);
		return (FS_ERR_CONFIG);
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
		snprintf(why, whycap,
		    "%s:%d: expected %s as k4.public.<43 characters>, found "
		    "'%.*s'",
		    c->path, entry_line(s, key), key,
		    (int) (len > 60 ? 60 : len), v);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// region_entry reads one entry of a [region ID] section: a map line or
// the score rule; the keys read_region_keys reads pass, others are
// refused.
static fs_err
region_entry(const fs_conf *c, const fs_conf_entry *e, fs_trust_region *r,
    char *why, size_t whycap)
{
	const char *k = e->key, *val = e->value;

	if (strncmp(k, "map.", 4) == 0) {
		fs_trust_map *m = &r->maps[r->nmaps];

		if (!name_ok(k + 4) || !name_ok(val)) {
			snprintf(why, whycap,
			    "%s:%d: expected map.<foreign tier> = "
			    "<local tier>, tier names of letters, "
			    "digits, '-', '.' or '_', found '%s = %s'",
			    c->path, e->line, k, val);
			return (FS_ERR_CONFIG);
		}
		if (r->nmaps == FS_TIERS_MAX) {
			snprintf(why, whycap,
			    "%s:%d: expected at most %d map lines", c->path,
			    e->line, FS_TIERS_MAX);
			return (FS_ERR_CONFIG);
		}
		snprintf(m->foreign, sizeof(m->foreign), "%s", k + 4);
		snprintf(m->local, sizeof(m->local), "%s", val);
		r->nmaps++;
	} else if (strcmp(k, "score") == 0) {
		if (strcmp(val, "linear") != 0) {
			snprintf(why, whycap,
			    "%s:%d: expected score = linear, found "
			    "'%s'",
			    c->path, e->line, val);
			return (FS_ERR_CONFIG);
		}
		r->linear = true;
	} else if (strcmp(k, "key") != 0 && strcmp(k, "not_before") != 0
	    && strcmp(k, "not_after") != 0 && strcmp(k, "retired") != 0) {
		snprintf(why, whycap,
		    "%s:%d: '%s' is not a setting of section [region]; "
		    "expected key, not_before, not_after, retired, "
		    "score or map.<tier>",
		    c->path, e->line, k);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// read_region_keys reads the region's current key and the dates it is
// valid between.
static fs_err
read_region_keys(const fs_conf *c, const fs_conf_section *s, fs_trust_region *r,
    char *why, size_t whycap)
{
	const char *v;
	fs_err      rv;

	for (const char *const *k = region_required; *k != NULL; k++) {
		if (fs_conf_get(s, *k) == NULL) {
			snprintf(why, whycap,
			    "%s:%d: section [region %s] needs '%s = ...'",
			    c->path, s->line, r->id, *k);
			return (FS_ERR_CONFIG);
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
		snprintf(why, whycap,
		    "%s:%d: expected not_before before not_after for region "
		    "%s",
		    c->path, entry_line(s, "not_after"), r->id);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// read_retired reads the region's retired keys, if any.
static fs_err
read_retired(const fs_conf *c, const fs_conf_section *s, fs_trust_region *r,
    char *why, size_t whycap)
{
	fs_err rv;

	for (const char *v = fs_conf_get(s, "retired");
	     v != NULL && *v != '\0';) {
		size_t n = strcspn(v, " ,");

		if (n > 0) {
			if (r->nretired == FS_TRUST_RETIRED_MAX) {
				snprintf(why, whycap,
				    "%s:%d: expected at most %d retired keys",
				    c->path, entry_line(s, "retired"),
				    FS_TRUST_RETIRED_MAX);
				return (FS_ERR_CONFIG);
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
	return (FS_OK);
}

// parse_region reads one [region ID] section.
static fs_err
parse_region(const fs_conf *c, const fs_conf_section *s, fs_trust_region *r,
    char *why, size_t whycap)
{
	fs_err rv;

	memset(r, 0, sizeof(*r));
	r->line = s->line;
	if (s->name == NULL || !name_ok(s->name)) {
		snprintf(why, whycap,
		    "%s:%d: expected [region ID] with the foreign region's id",
		    c->path, s->line);
		return (FS_ERR_CONFIG);
	}
	snprintf(r->id, sizeof(r->id), "%s", s->name);
	for (size_t i = 0; i < s->n; i++) {
		if ((rv = region_entry(c, &s->entries[i], r, why, whycap))
		    != FS_OK) {
			return (rv);
		}
	}
	if ((rv = read_region_keys(c, s, r, why, whycap)) != FS_OK
	    || (rv = read_retired(c, s, r, why, whycap)) != FS_OK) {
		return (rv);
	}
	if (r->nmaps == 0 && !r->linear) {
		snprintf(why, whycap,
		    "%s:%d: region %s has no recognition rule: expected "
		    "map.<foreign tier> = <local tier> lines or score = linear",
		    c->path, s->line, r->id);
		return (FS_ERR_CONFIG);
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
						snprintf(why, whycap,
						    "%s:%d: a key of region "
						    "%s is listed again, in "
						    "region %s: one key "
						    "belongs to one region, "
						    "current or retired",
						    path, r->line, r->id,
						    q->id);
						return (FS_ERR_CONFIG);
					}
				}
			}
		}
	}
	return (FS_OK);
}

// find_sections finds the one [trust] section and counts the [region ID]
// sections in t->nregions; there may be no other section.
static fs_err
find_sections(fs_trust *t, const fs_conf *c, const fs_conf_section **sp,
    const char *path, char *why, size_t whycap)
{
	const fs_conf_section *s = NULL;

	for (size_t i = 0; i < c->n; i++) {
		const fs_conf_section *x = &c->sections[i];

		if (strcmp(x->type, "trust") == 0 && x->name == NULL
		    && s == NULL) {
			s = x;
		} else if (strcmp(x->type, "region") == 0) {
			t->nregions++;
		} else {
			snprintf(why, whycap,
			    "%s:%d: expected one [trust] and [region ID] "
			    "sections, found [%s%s%s]",
			    path, x->line, x->type, x->name ? " " : "",
			    x->name ? x->name : "");
			return (FS_ERR_CONFIG);
		}
	}
	if (s == NULL || t->nregions == 0
	    || t->nregions > FS_TRUST_REGIONS_MAX) {
		snprintf(why, whycap,
		    "%s: expected a [trust] section and 1 to %d [region ID] "
		    "sections, found %s and %zu",
		    path, FS_TRUST_REGIONS_MAX, s != NULL ? "one" : "none",
		    t->nregions);
		return (FS_ERR_CONFIG);
	}
	*sp = s;
	return (FS_OK);
}

// read_trust reads the [trust] section: this region's id, the clock skew
// allowed, and the local scheme's path.
static fs_err
read_trust(fs_trust *t, const fs_conf *c, const fs_conf_section *s,
    const char *path, char *why, size_t whycap)
{
	const char *v;
	fs_err      rv;

	if ((rv = fs_conf_check(c, s, trust_keys, trust_required, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	if (!name_ok(fs_conf_get(s, "local"))) {
		snprintf(why, whycap,
		    "%s:%d: expected local = the id of this region, found "
		    "'%s'",
		    path, entry_line(s, "local"), fs_conf_get(s, "local"));
		return (FS_ERR_CONFIG);
	}
	snprintf(t->local, sizeof(t->local), "%s", fs_conf_get(s, "local"));
	if ((v = fs_conf_get(s, "skew")) != NULL) {
		int64_t ms;

		if (fs_parse_duration(v, &ms) != FS_OK || ms > 3600 * 1000) {
			snprintf(why, whycap,
			    "%s:%d: expected skew as a duration from 0s to 1h, "
			    "found '%s'",
			    path, entry_line(s, "skew"), v);
			return (FS_ERR_CONFIG);
		}
		t->skew_s = ms / 1000;
	}
	if ((t->scheme_path = fs_conf_path(c, s, "scheme")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	return (FS_OK);
}

// new_region refuses a region listed twice, or this region itself: a
// region does not recognize itself.
static fs_err
new_region(const fs_trust *t, const fs_conf_section *x, const char *path,
    char *why, size_t whycap)
{
	for (size_t j = 0; j < t->nregions; j++) {
		if (x->name != NULL && strcmp(t->regions[j].id, x->name) == 0) {
			snprintf(why, whycap,
			    "%s:%d: region %s is already listed on "
			    "line %d",
			    path, x->line, x->name, t->regions[j].line);
			return (FS_ERR_CONFIG);
		}
	}
	if (x->name != NULL && strcmp(x->name, t->local) == 0) {
		snprintf(why, whycap,
		    "%s:%d: region %s is this region (local): a region "
		    "does not recognize itself",
		    path, x->line, t->local);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// read_regions reads the t->nregions [region ID] sections.
static fs_err
read_regions(
    fs_trust *t, const fs_conf *c, const char *path, char *why, size_t whycap)
{
	fs_err rv;

	if ((t->regions = calloc(t->nregions, sizeof(*t->regions))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	t->nregions = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->sections[i].type, "region") != 0) {
			continue;
		}
		if ((rv = new_region(t, &c->sections[i], path, why, whycap))
		        != FS_OK
		    || (rv = parse_region(c, &c->sections[i],
		            &t->regions[t->nregions], why, whycap))
		        != FS_OK) {
			return (rv);
		}
		t->nregions++;
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
	fs_err                 rv;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_conf_parse(&c, text, len, path, why, whycap)) != FS_OK) {
		goto fail;
	}
	t->skew_s = FS_TRUST_SKEW_DEFAULT;
	if ((rv = find_sections(t, c, &s, path, why, whycap)) != FS_OK
	    || (rv = read_trust(t, c, s, path, why, whycap)) != FS_OK
	    || (rv = read_regions(t, c, path, why, whycap)) != FS_OK
	    || (rv = unique(t, path, why, whycap)) != FS_OK) {
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
