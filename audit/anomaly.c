// SPDX-License-Identifier: Apache-2.0
//
// anomaly.c -- unusual patterns of use in the full disclosure records
// (Jiangyin: real-time detection of abnormal use), with thresholds from
// the [anomalies] section of a config file.
//
// Rules, each one finding per requester or token:
// * many subjects: a requester looks up more distinct subjects within
//   `window` than `max_subjects` (a bank that pages through citizens);
// * burst: more than `max_rate_per_minute` lookups by one requester in
//   any 60 seconds;
// * quiet hours: lookups between the hours of `quiet_hours` ("0-6",
//   local time at `utc_offset`), when people do not apply for loans;
// * one consent token (by its hash) disclosed to several requesters, or
//   more often than both `token_max_uses` and `token_use_factor` times
//   the median of all tokens.
// Windows slide over each requester's records sorted by time; distinct
// subjects are counted with an open-addressing table, so a run is
// O(n log n) for the sort and O(n) after.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "wire/token.h"

void
fs_anomaly_conf_default(fs_anomaly_conf *c)
{
	c->window_ms        = 3600 * 1000;
	c->max_subjects     = 50;
	c->max_rate         = 60;
	c->quiet            = true;
	c->quiet_from       = 0;
	c->quiet_to         = 6;
	c->utc_offset_s     = 8 * 3600; // China Standard Time
	c->token_max_uses   = 20;
	c->token_use_factor = 10;
}

static const char *const keys[]
    = { "window", "max_subjects", "max_rate_per_minute", "quiet_hours",
	      "utc_offset", "token_max_uses", "token_use_factor", NULL };
static const char *const none[] = { NULL };

static fs_err
quiet_hours(fs_anomaly_conf *c, const char *v, const char *path, char *why,
    size_t whycap)
{
	int a, b, n = 0;

	if (strcmp(v, "none") == 0) {
		c->quiet = false;
		return (FS_OK);
	}
	if (sscanf(v, "%d-%d%n", &a, &b, &n) != 2 || v[n] != '\0' || a < 0
	    || a > 23 || b < 1 || b > 24 || a == b) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected quiet_hours as FROM-TO hours like 0-6 or "
		    "22-6, or none, found '%s'",
		    path, v));
	}
	c->quiet      = true;
	c->quiet_from = a;
	c->quiet_to   = b;
	return (FS_OK);
}

static fs_err
from_conf(fs_anomaly_conf *c, const fs_conf *conf, char *why, size_t whycap)
{
	const fs_conf_section *s;
	fs_anomaly_conf        t;
	const char            *v;
	int64_t                x;
	fs_err                 rv;

	fs_anomaly_conf_default(&t);
	if ((s = fs_conf_section_find(conf, "anomalies", NULL)) == NULL) {
		*c = t; // no section: the defaults
		return (FS_OK);
	}
	if ((rv = fs_conf_check(conf, s, keys, none, why, whycap)) != FS_OK
	    || (rv = fs_conf_int(conf, s, "max_subjects", t.max_subjects, 1,
	            1000000, &t.max_subjects, why, whycap))
	        != FS_OK
	    || (rv = fs_conf_int(conf, s, "max_rate_per_minute", t.max_rate, 1,
	            1000000, &t.max_rate, why, whycap))
	        != FS_OK
	    || (rv = fs_conf_int(conf, s, "utc_offset", t.utc_offset_s / 3600,
	            -12, 14, &x, why, whycap))
	        != FS_OK
	    || (rv = fs_conf_int(conf, s, "token_max_uses", t.token_max_uses, 1,
	            1000000, &t.token_max_uses, why, whycap))
	        != FS_OK
	    || (rv = fs_conf_int(conf, s, "token_use_factor",
	            t.token_use_factor, 1, 1000000, &t.token_use_factor, why,
	            whycap))
	        != FS_OK) {
		return (rv);
	}
	t.utc_offset_s = x * 3600;
	if ((v = fs_conf_get(s, "window")) != NULL
	    && (fs_parse_duration(v, &t.window_ms) != FS_OK
	        || t.window_ms < 1000)) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected window as a duration of at least 1s like "
		    "1h, found '%s'",
		    conf->path, v));
	}
	if ((v = fs_conf_get(s, "quiet_hours")) != NULL
	    && (rv = quiet_hours(&t, v, conf->path, why, whycap)) != FS_OK) {
		return (rv);
	}
	*c = t;
	return (FS_OK);
}

fs_err
fs_anomaly_conf_parse(fs_anomaly_conf *c, const char *text, size_t len,
    const char *path, char *why, size_t whycap)
{
	fs_conf *conf;
	fs_err   rv;

	if ((rv = fs_conf_parse(&conf, text, len, path, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	rv = from_conf(c, conf, why, whycap);
	fs_conf_free(conf);
	return (rv);
}

fs_err
fs_anomaly_conf_load(
    fs_anomaly_conf *c, const char *path, char *why, size_t whycap)
{
	fs_conf *conf;
	fs_err   rv;

	if ((rv = fs_conf_load(&conf, path, why, whycap)) != FS_OK) {
		return (rv);
	}
	rv = from_conf(c, conf, why, whycap);
	fs_conf_free(conf);
	return (rv);
}

// The records of one requester, sorted by time.
static const fs_audit_record *sorted_recs;

static int
cmp_requester_time(const void *a, const void *b)
{
	const fs_audit_record *x = &sorted_recs[*(const size_t *) a];
	const fs_audit_record *y = &sorted_recs[*(const size_t *) b];
	int                    c = strcmp(x->requester, y->requester);

	if (c != 0) {
		return (c);
	}
	return ((x->time_ms > y->time_ms) - (x->time_ms < y->time_ms));
}

// A counting set of subjects.
typedef struct subjects {
	struct slot {
		const uint8_t *key;
		size_t         count;
	} * slots;
	size_t cap, distinct;
} subjects;

static struct slot *
slot(subjects *s, const uint8_t *key)
{
	size_t h = ((size_t) key[0] << 24 | (size_t) key[1] << 16
	               | (size_t) key[2] << 8 | key[3])
	    & (s->cap - 1);

	while (s->slots[h].key != NULL
	    && memcmp(s->slots[h].key, key, FS_SUBJECT_BYTES) != 0) {
		h = (h + 1) & (s->cap - 1);
	}
	return (&s->slots[h]);
}

static void
subjects_add(subjects *s, const uint8_t *key)
{
	struct slot *sl = slot(s, key);

	if (sl->key == NULL) {
		sl->key = key;
	}
	if (sl->count++ == 0) {
		s->distinct++;
	}
}

static void
subjects_remove(subjects *s, const uint8_t *key)
{
	// Keys stay in their slot with a zero count, so probing still
	// finds the keys placed after them.
	if (--slot(s, key)->count == 0) {
		s->distinct--;
	}
}

static void
stamp(char out[static FS_TIME_LEN + 1], int64_t ms)
{
	fs_time_format(out, ms / 1000);
}

// requester runs the per-requester rules over recs[ix[a..b)].
static fs_err
requester(const fs_anomaly_conf *c, const fs_audit_record *recs,
    const size_t *ix, size_t a, size_t b, fs_audit_report *rep)
{
	const char *who = recs[ix[a]].requester;
	subjects    s   = { 0 };
	size_t      lo, best = 0, best_at = a, quiet = 0, first_quiet = 0;
	size_t      burst = 0, burst_at = a;
	char        t[FS_TIME_LEN + 1];

	for (s.cap = 16; s.cap < 2 * (b - a); s.cap *= 2) {
	}
	if ((s.slots = calloc(s.cap, sizeof(*s.slots))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	// Distinct subjects within the window.
	lo = a;
	for (size_t i = a; i < b; i++) {
		const fs_audit_record *r = &recs[ix[i]];

		subjects_add(&s, r->subject);
		while (recs[ix[lo]].time_ms < r->time_ms - c->window_ms) {
			subjects_remove(&s, recs[ix[lo]].subject);
			lo++;
		}
		if (s.distinct > best) {
			best    = s.distinct;
			best_at = lo;
		}
	}
	free(s.slots);
	if ((int64_t) best > c->max_subjects) {
		stamp(t, recs[ix[best_at]].time_ms);
		fs_audit_finding(rep,
		    "requester %s: %zu distinct subjects looked up within "
		    "%llds "
		    "from %s (threshold %lld)",
		    who, best, (long long) (c->window_ms / 1000), t,
		    (long long) c->max_subjects);
	}
	// Bursts: lookups within any 60 seconds.
	lo = a;
	for (size_t i = a; i < b; i++) {
		while (recs[ix[lo]].time_ms <= recs[ix[i]].time_ms - 60000) {
			lo++;
		}
		if (i - lo + 1 > burst) {
			burst    = i - lo + 1;
			burst_at = lo;
		}
	}
	if ((int64_t) burst > c->max_rate) {
		stamp(t, recs[ix[burst_at]].time_ms);
		fs_audit_finding(rep,
		    "requester %s: burst of %zu lookups within a minute from "
		    "%s (threshold %lld per minute)",
		    who, burst, t, (long long) c->max_rate);
	}
	// Quiet hours, in local time.
	for (size_t i = a; c->quiet && i < b; i++) {
		int64_t local = recs[ix[i]].time_ms / 1000 + c->utc_offset_s;
		int     h  = (int) (((local % 86400) + 86400) % 86400 / 3600);
		bool    in = c->quiet_from < c->quiet_to
		       ? h >= c->quiet_from && h < c->quiet_to
		       : h >= c->quiet_from || h < c->quiet_to;

		if (in && quiet++ == 0) {
			first_quiet = ix[i];
		}
	}
	if (quiet > 0) {
		stamp(t, recs[first_quiet].time_ms);
		fs_audit_finding(rep,
		    "requester %s: %zu lookups in the quiet hours %02d-%02d "
		    "(UTC%+lld), the first at %s (entry %llu)",
		    who, quiet, c->quiet_from, c->quiet_to,
		    (long long) (c->utc_offset_s / 3600), t,
		    (unsigned long long) recs[first_quiet].index);
	}
	return (FS_OK);
}

static int
cmp_token(const void *a, const void *b)
{
	const fs_audit_record *x = &sorted_recs[*(const size_t *) a];
	const fs_audit_record *y = &sorted_recs[*(const size_t *) b];
	int                    c = memcmp(x->consent_hash, y->consent_hash, 32);

	return (c != 0 ? c : strcmp(x->requester, y->requester));
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *) a, y = *(const size_t *) b;

	return ((x > y) - (x < y));
}

// tokens runs the per-token rules; ix is sorted by token, requester.
static fs_err
tokens(const fs_anomaly_conf *c, const fs_audit_record *recs, size_t *ix,
    size_t n, fs_audit_report *rep)
{
	size_t *counts, ntok = 0, median;
	int64_t limit;
	char    h[45];

	if ((counts = malloc(n * sizeof(*counts))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	for (size_t a = 0, b; a < n; a = b) {
		size_t reqs = 1;

		for (b = a + 1; b < n
		     && memcmp(recs[ix[b]].consent_hash,
		            recs[ix[a]].consent_hash, 32)
		         == 0;
		     b++) {
			reqs += strcmp(recs[ix[b]].requester,
			            recs[ix[b - 1]].requester)
			    != 0;
		}
		counts[ntok++] = b - a;
		if (reqs > 1) {
			fs_b64_encode(h, recs[ix[a]].consent_hash, 32);
			fs_audit_finding(rep,
			    "consent %.12s…: disclosed to %zu requesters (%s, "
			    "%s, ...): a token names one",
			    h, reqs, recs[ix[a]].requester,
			    recs[ix[b - 1]].requester);
		}
	}
	qsort(counts, ntok, sizeof(*counts), cmp_size);
	median = counts[ntok / 2];
	limit  = c->token_use_factor * (int64_t) median;
	if (limit < c->token_max_uses) {
		limit = c->token_max_uses;
	}
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n
		     && memcmp(recs[ix[b]].consent_hash,
		            recs[ix[a]].consent_hash, 32)
		         == 0;
		     b++) {
		}
		if ((int64_t) (b - a) > limit) {
			fs_b64_encode(h, recs[ix[a]].consent_hash, 32);
			fs_audit_finding(rep,
			    "consent %.12s…: disclosed %zu times, above %lld "
			    "(%lld times the median of %zu, at least %lld)",
			    h, b - a, (long long) limit,
			    (long long) c->token_use_factor, median,
			    (long long) c->token_max_uses);
		}
	}
	free(counts);
	return (FS_OK);
}

fs_err
fs_audit_anomalies(const fs_anomaly_conf *c, const fs_audit_record *recs,
    size_t n, fs_audit_report *rep)
{
	size_t *ix;
	size_t  before = rep->findings;
	fs_err  rv     = FS_OK;

	if (n == 0) {
		fs_audit_info(rep, "no disclosures to examine");
		return (FS_OK);
	}
	if ((ix = malloc(n * sizeof(*ix))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	for (size_t i = 0; i < n; i++) {
		ix[i] = i;
	}
	// qsort passes no argument: the records go through a file-scope
	// pointer, set for the sorts only (not thread-safe).
	sorted_recs = recs;
	qsort(ix, n, sizeof(*ix), cmp_requester_time);
	for (size_t a = 0, b; a < n && rv == FS_OK; a = b) {
		for (b = a + 1; b < n
		     && strcmp(recs[ix[b]].requester, recs[ix[a]].requester)
		         == 0;
		     b++) {
		}
		rv = requester(c, recs, ix, a, b, rep);
	}
	if (rv == FS_OK) {
		qsort(ix, n, sizeof(*ix), cmp_token);
		rv = tokens(c, recs, ix, n, rep);
	}
	sorted_recs = NULL;
	free(ix);
	if (rv == FS_OK) {
		fs_audit_info(rep, "%zu disclosures examined: %zu anomalies", n,
		    rep->findings - before);
	}
	return (rv);
}
