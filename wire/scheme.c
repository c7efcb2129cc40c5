// SPDX-License-Identifier: Apache-2.0
//
// scheme.c -- scheme files: a city's scale, base, tiers and purposes.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "wire/scheme.h"

static const char *const scheme_keys[] = { "id", "version", "name", "region",
	"scale_min", "scale_max", "base", "default_valid_days", "require_all",
	"deadline", "purposes", NULL };
static const char *const scheme_required[] = { "id", "version", "region",
	"scale_min", "scale_max", "base", "purposes", NULL };
static const char *const tier_keys[]       = { "label", "min", NULL };

static fs_err
copy_label(char out[static FS_LABEL_MAX + 1], const fs_conf *c,
    const fs_conf_section *s, const char *key, char *why, size_t whycap)
{
	const char *v = fs_conf_get(s, key);

	if (v == NULL) {
		out[0] = '\0';
		return (FS_OK);
	}
	if (strlen(v) == 0 || strlen(v) > FS_LABEL_MAX) {
		snprintf(why, whycap,
		    "%s: expected %s of 1 to %d bytes, found %zu", c->path, key,
		    FS_LABEL_MAX, strlen(v));
		return (FS_ERR_CONFIG);
	}
	snprintf(out, FS_LABEL_MAX + 1, "%s", v);
	return (FS_OK);
}

static int
tier_cmp(const void *a, const void *b)
{
	const fs_tier *x = a, *y = b;

	return ((x->min < y->min) - (x->min > y->min));
}

static fs_err
parse_purposes(
    fs_scheme *s, const char *v, const char *path, char *why, size_t whycap)
{
	while (*v != '\0') {
		size_t n = strcspn(v, " ,");

		if (n > 0) {
			if (s->npurposes == FS_PURPOSES_MAX
			    || n > FS_LABEL_MAX) {
				snprintf(why, whycap,
				    "%s: expected at most %d purposes of at "
				    "most %d "
				    "characters",
				    path, FS_PURPOSES_MAX, FS_LABEL_MAX);
				return (FS_ERR_CONFIG);
			}
			memcpy(s->purposes[s->npurposes], v, n);
			s->purposes[s->npurposes++][n] = '\0';
		}
		v += n;
		v += strspn(v, " ,");
	}
	return (FS_OK);
}

// read_values reads the values of [scheme]: names, scale, base, validity
// and purposes.
static fs_err
read_values(fs_scheme *s, const fs_conf *c, const fs_conf_section *sec,
    const char *path, char *why, size_t whycap)
{
	fs_err rv;

	if ((rv = fs_conf_check(
	         c, sec, scheme_keys, scheme_required, why, whycap))
	        != 0
	    || (rv = copy_label(s->id, c, sec, "id", why, whycap)) != 0
	    || (rv = copy_label(s->version, c, sec, "version", why, whycap))
	        != 0
	    || (rv = copy_label(s->name, c, sec, "name", why, whycap)) != 0
	    || (rv = copy_label(s->region, c, sec, "region", why, whycap)) != 0
	    || (rv = fs_conf_int(c, sec, "scale_min", 0, 0, 100000,
	            &s->scale_min, why, whycap))
	        != 0
	    || (rv = fs_conf_int(c, sec, "scale_max", 1000, 1, 100000,
	            &s->scale_max, why, whycap))
	        != 0
	    || (rv = fs_conf_int(
	            c, sec, "base", 0, 0, 100000, &s->base, why, whycap))
	        != 0
	    || (rv = fs_conf_int(c, sec, "default_valid_days", 1095, 1, 36500,
	            &s->default_valid_days, why, whycap))
	        != 0
	    || (rv = parse_purposes(
	            s, fs_conf_get(sec, "purposes"), path, why, whycap))
	        != 0) {
		return (rv);
	}
	if (s->scale_min >= s->scale_max || s->base < s->scale_min
	    || s->base > s->scale_max) {
		snprintf(why, whycap,
		    "%s: expected scale_min < scale_max and the "
		    "base within the scale, found %lld..%lld with base %lld",
		    path, (long long) s->scale_min, (long long) s->scale_max,
		    (long long) s->base);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// read_lookup_settings reads how lookups go: whether every node must
// answer (yes, unless the scheme says require_all = false: a partial
// score is allowed only when a scheme says so), and by when.
static fs_err
read_lookup_settings(fs_scheme *s, const fs_conf_section *sec, const char *path,
    char *why, size_t whycap)
{
	const char *v = fs_conf_get(sec, "require_all");

	if (v != NULL && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
		snprintf(why, whycap,
		    "%s: expected require_all = true or false, "
		    "found '%s'",
		    path, v);
		return (FS_ERR_CONFIG);
	}
	s->require_all = v == NULL || strcmp(v, "true") == 0;
	s->deadline_ms = 2000;
	if ((v = fs_conf_get(sec, "deadline")) != NULL
	    && (fs_parse_duration(v, &s->deadline_ms) != FS_OK
	        || s->deadline_ms < 1 || s->deadline_ms > 60000)) {
		snprintf(why, whycap,
		    "%s: expected deadline as a duration from "
		    "1ms to 60s, found '%s'",
		    path, v);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// read_tiers reads every [tier NAME] section; the only other section
// there may be is [scheme].
static fs_err
read_tiers(
    fs_scheme *s, const fs_conf *c, const char *path, char *why, size_t whycap)
{
	for (size_t i = 0; i < c->n; i++) {
		const fs_conf_section *t = &c->sections[i];
		fs_tier               *tier;
		int64_t                x;
		fs_err                 rv;

		if (strcmp(t->type, "tier") != 0) {
			if (strcmp(t->type, "scheme") != 0) {
				snprintf(why, whycap,
				    "%s:%d: expected [scheme] or "
				    "[tier NAME], found [%s]",
				    path, t->line, t->type);
				return (FS_ERR_CONFIG);
			}
			continue;
		}
		if (t->name == NULL || s->ntiers == FS_TIERS_MAX) {
			snprintf(why, whycap,
			    "%s:%d: expected [tier NAME], at most %d", path,
			    t->line, FS_TIERS_MAX);
			return (FS_ERR_CONFIG);
		}
		tier = &s->tiers[s->ntiers++];
		snprintf(tier->name, sizeof(tier->name), "%s", t->name);
		if ((rv = fs_conf_check(
		         c, t, tier_keys, tier_keys, why, whycap))
		        != 0
		    || (rv = copy_label(
		            tier->label, c, t, "label", why, whycap))
		        != 0
		    || (rv = fs_conf_int(c, t, "min", 0, s->scale_min,
		            s->scale_max, &x, why, whycap))
		        != 0) {
			return (rv);
		}
		tier->min = x;
	}
	return (FS_OK);
}

// sort_tiers puts the tiers from the highest down and checks that they
// cover the scale, each from its own score.
static fs_err
sort_tiers(fs_scheme *s, const char *path, char *why, size_t whycap)
{
	qsort(s->tiers, s->ntiers, sizeof(s->tiers[0]), tier_cmp);
	// Every score must fall in a tier: the lowest starts at scale_min.
	if (s->ntiers == 0 || s->tiers[s->ntiers - 1].min != s->scale_min) {
		snprintf(why, whycap,
		    "%s: expected tiers whose lowest starts at "
		    "scale_min %lld",
		    path, (long long) s->scale_min);
		return (FS_ERR_CONFIG);
	}
	for (size_t i = 1; i < s->ntiers; i++) {
		if (s->tiers[i].min == s->tiers[i - 1].min) {
			snprintf(why, whycap,
			    "%s: tiers %s and %s start at the same "
			    "score %lld",
			    path, s->tiers[i].name, s->tiers[i - 1].name,
			    (long long) s->tiers[i].min);
			return (FS_ERR_CONFIG);
		}
	}
	return (FS_OK);
}

fs_err
fs_scheme_parse(fs_scheme *out, const char *text, size_t len, const char *path,
    char *why, size_t whycap)
{
	fs_conf               *c;
	const fs_conf_section *sec;
	fs_scheme              s;
	uint8_t                h[8];
	fs_err                 rv;

	memset(&s, 0, sizeof(s));
	if ((rv = fs_conf_parse(&c, text, len, path, why, whycap)) != 0) {
		return (rv);
	}
	if ((sec = fs_conf_section_find(c, "scheme", NULL)) == NULL) {
		snprintf(why, whycap, "%s: expected a [scheme] section", path);
		rv = FS_ERR_CONFIG;
		goto out;
	}
	if ((rv = read_values(&s, c, sec, path, why, whycap)) != 0
	    || (rv = read_lookup_settings(&s, sec, path, why, whycap)) != 0
	    || (rv = read_tiers(&s, c, path, why, whycap)) != 0
	    || (rv = sort_tiers(&s, path, why, whycap)) != 0) {
		goto out;
	}
	crypto_generichash(h, sizeof(h), (const uint8_t *) text, len, NULL, 0);
	sodium_bin2hex(s.hash, sizeof(s.hash), h, sizeof(h));
	*out = s;
out:
	fs_conf_free(c);
	return (rv);
}

fs_err
fs_scheme_load(fs_scheme *s, const char *path, char *why, size_t whycap)
{
	FILE  *f;
	char  *buf;
	size_t n;
	fs_err rv;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whycap, "%s: cannot open the scheme", path);
		return (FS_ERR_NOT_FOUND);
	}
	if ((buf = malloc(FS_CONF_MAX + 1)) == NULL) {
		fclose(f);
		return (FS_ERR_NOMEM);
	}
	n  = fread(buf, 1, FS_CONF_MAX + 1, f);
	rv = ferror(f) ? FS_ERR_IO
	               : fs_scheme_parse(s, buf, n, path, why, whycap);
	fclose(f);
	free(buf);
	return (rv);
}

bool
fs_scheme_allows(const fs_scheme *s, const char *purpose)
{
	for (size_t i = 0; i < s->npurposes; i++) {
		if (strcmp(s->purposes[i], purpose) == 0) {
			return (true);
		}
	}
	return (false);
}

const fs_tier *
fs_scheme_tier_named(const fs_scheme *s, const char *name)
{
	for (size_t i = 0; i < s->ntiers; i++) {
		if (strcmp(s->tiers[i].name, name) == 0) {
			return (&s->tiers[i]);
		}
	}
	return (NULL);
}

const fs_tier *
fs_scheme_tier(const fs_scheme *s, int64_t score)
{
	for (size_t i = 0; i < s->ntiers; i++) {
		if (score >= s->tiers[i].min) {
			return (&s->tiers[i]);
		}
	}
	return (&s->tiers[s->ntiers - 1]);
}
