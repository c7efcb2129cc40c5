// SPDX-License-Identifier: Apache-2.0
//
// node.c -- fedscore node: run a department node.  Imports, disputes,
// repair, the counter view of a citizen, and the daemon; the work is in
// node/, this file parses options and prints.

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "common/log.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "wire/lookup.h"

static const char usage[]
    = "usage: fedscore node rules import -c CONF RULES.csv\n"
      "       fedscore node records import -c CONF RECORDS.csv "
      "[--progress]\n"
      "       fedscore node serve -c CONF\n"
      "       fedscore node show -c CONF --id ID\n"
      "       fedscore node dispute open -c CONF --record RID "
      "--reason TEXT [--received DATE]\n"
      "       fedscore node dispute resolve -c CONF --record RID "
      "--upheld|--corrected [--points N]\n"
      "       fedscore node disputes -c CONF [--overdue]\n"
      "       fedscore node repair -c CONF --record RID --date DATE\n"
      "       fedscore node releases -c CONF [--checkpoint FILE]\n";

#define VERB_MAX 32

typedef struct opts {
	const char *verb;
	const char *conf, *id, *record, *reason, *received, *points, *date;
	const char *file, *checkpoint;
	bool        progress, upheld, corrected, overdue;
} opts;

static void
progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	int pct = total > 0 ? (int) (done * 100 / total) : 0;
	int bar = pct / 4;

	(void) arg;
	fprintf(stderr, "\r%-14s [%.*s%*s] %3d%%", phase, bar,
	    "#########################", 25 - bar, "", pct);
	if (done >= total) {
		fputc('\n', stderr);
	}
	fflush(stderr);
}

static fs_err
parse_date(const char *s, fs_day *d, const char *opt, char *why, size_t cap)
{
	if (fs_date_parse(d, s, strlen(s)) != FS_OK) {
		snprintf(why, cap,
		    "expected %s as a date YYYY-MM-DD that exists, found '%s'",
		    opt, s);
		return (FS_ERR_INVALID);
	}
	return (FS_OK);
}

static fs_err
rules_import(fs_node *n, const opts *o, char *why, size_t cap)
{
	char   version[FS_VERSION_MAX + 1];
	bool   changed;
	fs_err rv;

	if ((rv = fs_node_rules_import(n, o->file, version, &changed, why, cap))
	    == FS_OK) {
		printf(changed ? "rules version %s imported and current\n"
		               : "rules unchanged: version %s is current\n",
		    version);
	}
	return (rv);
}

static fs_err
records_import(fs_node *n, const opts *o, char *why, size_t cap)
{
	fs_import_stats st;
	bool            bar = o->progress && isatty(STDERR_FILENO);
	fs_err          rv;

	rv = fs_node_records_import(
	    n, o->file, bar ? progress : NULL, NULL, &st, why, cap);
	if (rv == FS_OK) {
		printf("imported %llu records: %llu new, %llu updated; %llu ID "
		       "numbers pseudonymized through the issuer, ",
		    (unsigned long long) st.records,
		    (unsigned long long) st.inserted,
		    (unsigned long long) st.updated,
		    (unsigned long long) st.evaluated);
		// A bulk import does not read the cache for known citizens.
		if (st.bulk) {
			printf("the others from the cache\n");
		} else {
			printf("%llu from the cache\n",
			    (unsigned long long) st.cached);
		}
	}
	return (rv);
}

// releases exports the release log, and with --checkpoint FILE the
// node's signed checkpoint of exactly what it exported.
static fs_err
releases(fs_node *n, const opts *o, char *why, size_t cap)
{
	uint64_t cnt;
	char    *note = NULL;
	fs_err   rv;

	if ((rv = fs_node_releases_export(n, stdout, &cnt,
	         o->checkpoint != NULL ? &note : NULL, why, cap))
	    != FS_OK) {
		return (rv);
	}
	if (fflush(stdout) != 0) {
		snprintf(why, cap, "cannot write the releases");
		free(note);
		return (FS_ERR_IO);
	}
	if (note != NULL) {
		if (cli_write_file(o->checkpoint, note, strlen(note))
		    != FS_OK) {
			snprintf(why, cap, "%s: cannot write the checkpoint",
			    o->checkpoint);
			free(note);
			return (FS_ERR_IO);
		}
		free(note);
	}
	fprintf(stderr, "%llu releases\n", (unsigned long long) cnt);
	return (FS_OK);
}

static void
print_contribution(const fs_contribution *c)
{
	char key[17];

	printf("contribution now (rules %s):\n ", c->rules_version);
	for (int d = 0; d < FS_DIM_COUNT; d++) {
		printf(" %s %lld%s", fs_dim_name((fs_dim) d),
		    (long long) c->dims[d], d + 1 < FS_DIM_COUNT ? "," : "\n");
	}
	for (size_t i = 0; i < c->nshared; i++) {
		fs_hexid(key, c->shared[i].behavior_key);
		printf("  shared behavior %s: %s %lld\n", key,
		    fs_dim_name(c->shared[i].dim),
		    (long long) c->shared[i].points);
	}
	printf("  %u of %u records counted%s\n", c->counted, c->considered,
	    c->disputed ? "; a counted record is under dispute" : "");
}

static fs_err
show(fs_node *n, const opts *o, char *why, size_t cap)
{
	char            norm[FS_IDNUM_LEN + 1], sub[64];
	char            d1[FS_DATE_LEN + 1], d2[FS_DATE_LEN + 1];
	uint8_t         subject[FS_PSEUDONYM_BYTES];
	fs_node_record *recs = NULL;
	size_t          cnt;
	fs_contribution c = { 0 };
	bool            known;
	time_t          now = time(NULL);
	fs_err          rv;

	rv = fs_idnum_normalize(norm, o->id, strlen(o->id), now, why, cap);
	if (rv == FS_OK) {
		rv = fs_node_subject(n, norm, subject, &known, why, cap);
	}
	sodium_memzero(norm, sizeof(norm));
	if (rv != FS_OK) {
		return (rv);
	}
	fs_b64_encode(sub, subject, sizeof(subject));
	printf("subject: %s\n", sub);
	if ((rv = fs_node_records_of(n, subject, fs_today((int64_t) now), &recs,
	         &cnt, &c, why, cap))
	    != 0) {
		return (rv);
	}
	printf("records held: %zu\n", cnt);
	if (cnt > 0) {
		printf("  %-20s %-12s %-9s %6s %-10s %-10s %s\n", "RECORD",
		    "CODE", "DIMENSION", "POINTS", "OCCURRED", "UNTIL",
		    "STATUS");
	}
	for (size_t i = 0; i < cnt; i++) {
		const fs_node_record *r = &recs[i];

		fs_date_format(d1, r->occurred_on);
		fs_date_format(d2, r->until);
		printf("  %-20s %-12s %-9s %6lld %-10s %-10s %s%s%s%s\n",
		    r->record_id, r->code,
		    r->status == FS_REC_UNKNOWN_CODE ? "-"
		                                     : fs_dim_name(r->dim),
		    (long long) r->points, d1,
		    r->status == FS_REC_UNKNOWN_CODE ? "-" : d2,
		    fs_record_status_name(r->status),
		    r->disputed ? ", disputed" : "",
		    r->dispute == FS_DISPUTE_CORRECTED ? ", corrected" : "",
		    r->event_ref[0] != '\0' ? "" : ", no event_ref");
	}
	print_contribution(&c);
	fs_contribution_fini(&c);
	free(recs);
	return (FS_OK);
}

static fs_err
dispute_open(fs_node *n, const opts *o, char *why, size_t cap)
{
	fs_dispute_info d;
	fs_day          today    = fs_today((int64_t) time(NULL));
	fs_day          received = today;
	char            a[FS_DATE_LEN + 1], b[FS_DATE_LEN + 1];
	fs_err          rv;

	if (o->received != NULL
	    && (rv = parse_date(o->received, &received, "--received", why, cap))
	        != 0) {
		return (rv);
	}
	if ((rv = fs_node_dispute_open(
	         n, o->record, o->reason, received, today, &d, why, cap))
	    == FS_OK) {
		fs_date_format(a, d.flag_due);
		fs_date_format(b, d.check_due);
		printf("record %s flagged as disputed; flag due %s, check due "
		       "%s%s\n",
		    d.record_id, a, b,
		    d.opened_on > d.flag_due ? " (flagged late)" : "");
	}
	return (rv);
}

static fs_err
dispute_resolve(fs_node *n, const opts *o, char *why, size_t cap)
{
	int32_t p;
	char   *end;
	long    v;
	fs_err  rv;

	if (o->points != NULL) {
		v = strtol(o->points, &end, 10);
		if (*end != '\0' || end == o->points || v < -FS_NODE_POINTS_MAX
		    || v > FS_NODE_POINTS_MAX) {
			snprintf(why, cap,
			    "expected --points as an integer from %d to %d, "
			    "found '%s'",
			    -FS_NODE_POINTS_MAX, FS_NODE_POINTS_MAX, o->points);
			return (FS_ERR_INVALID);
		}
		p = (int32_t) v;
	}
	rv = fs_node_dispute_resolve(n, o->record, o->corrected,
	    o->points != NULL ? &p : NULL, fs_today((int64_t) time(NULL)), why,
	    cap);
	if (rv == FS_OK) {
		if (!o->corrected) {
			printf("dispute on record %s resolved: upheld\n",
			    o->record);
		} else if (o->points != NULL) {
			printf("dispute on record %s resolved: corrected to %d "
			       "points\n",
			    o->record, p);
		} else {
			printf("dispute on record %s resolved: corrected, the "
			       "record is withdrawn\n",
			    o->record);
		}
	}
	return (rv);
}

static fs_err
disputes(fs_node *n, const opts *o, char *why, size_t cap)
{
	fs_dispute_info *list;
	size_t           cnt;
	fs_day           today = fs_today((int64_t) time(NULL));
	char             a[FS_DATE_LEN + 1], b[FS_DATE_LEN + 1];
	char             c[FS_DATE_LEN + 1], d[FS_DATE_LEN + 1];
	fs_err           rv;

	if ((rv = fs_node_disputes(n, o->overdue, today, &list, &cnt, why, cap))
	    != 0) {
		return (rv);
	}
	if (cnt > 0) {
		printf("%-20s %-10s %-10s %-10s %-10s %s\n", "RECORD",
		    "RECEIVED", "FLAGGED", "FLAG DUE", "CHECK DUE", "STATE");
	}
	for (size_t i = 0; i < cnt; i++) {
		const fs_dispute_info *e = &list[i];

		fs_date_format(a, e->received_on);
		fs_date_format(b, e->opened_on);
		fs_date_format(c, e->flag_due);
		fs_date_format(d, e->check_due);
		printf("%-20s %-10s %-10s %-10s %-10s %s%s\n", e->record_id, a,
		    b, c, d, today > e->check_due ? "check overdue" : "open",
		    e->opened_on > e->flag_due ? ", flagged late" : "");
	}
	printf("%zu open dispute%s%s\n", cnt, cnt == 1 ? "" : "s",
	    o->overdue ? " past their check due date" : "");
	free(list);
	return (FS_OK);
}

static fs_err
repair(fs_node *n, const opts *o, char *why, size_t cap)
{
	fs_day date;
	fs_err rv;

	if ((rv = parse_date(o->date, &date, "--date", why, cap)) == FS_OK
	    && (rv = fs_node_repair(n, o->record, date,
	            fs_today((int64_t) time(NULL)), why, cap))
	        == FS_OK) {
		printf("record %s repaired on %s\n", o->record, o->date);
	}
	return (rv);
}

// check says whether the options fit the verb.
static bool
check(const opts *o)
{
	const char *v     = o->verb;
	bool        files = o->file != NULL;
	bool extra = o->id || o->record || o->reason || o->received || o->points
	    || o->date || o->progress || o->upheld || o->corrected
	    || o->overdue;

	if (o->checkpoint != NULL && strcmp(v, "releases") != 0) {
		return (false);
	}
	if (strcmp(v, "rules import") == 0) {
		return (files && !extra);
	}
	if (strcmp(v, "records import") == 0) {
		return (files && !(extra && !o->progress));
	}
	if (files) {
		return (false);
	}
	if (strcmp(v, "serve") == 0) {
		return (!extra);
	}
	if (strcmp(v, "show") == 0) {
		return (o->id != NULL);
	}
	if (strcmp(v, "dispute open") == 0) {
		return (o->record && o->reason && !o->upheld && !o->corrected
		    && !o->points && !o->date);
	}
	if (strcmp(v, "dispute resolve") == 0) {
		return (o->record && o->upheld != o->corrected && !o->reason
		    && !o->date);
	}
	if (strcmp(v, "disputes") == 0) {
		return (!(extra && !o->overdue));
	}
	if (strcmp(v, "releases") == 0) {
		return (!extra);
	}
	if (strcmp(v, "repair") == 0) {
		return (o->record && o->date && !o->reason && !o->points);
	}
	return (false);
}

// take_verb takes the verb off argv: one word, or two for rules,
// records and dispute ("rules import").  -1 to go on, or the exit code
// of usage asked or wrong.
static int
take_verb(int *argc, char ***argv, char verb[static VERB_MAX])
{
	char **a = *argv;

	if (*argc < 2 || cli_is_help(a[1])) {
		return (cli_usage(usage, *argc >= 2));
	}
	if ((strcmp(a[1], "rules") == 0 || strcmp(a[1], "records") == 0
	        || strcmp(a[1], "dispute") == 0)
	    && *argc >= 3 && a[2][0] != '-') {
		snprintf(verb, VERB_MAX, "%s %s", a[1], a[2]);
		*argc -= 2;
		*argv += 2;
	} else {
		snprintf(verb, VERB_MAX, "%s", a[1]);
		(*argc)--;
		(*argv)++;
	}
	return (-1);
}

// read_options reads the options and the file operand, and checks they
// fit the verb: -1 to go on, or the exit code of usage.
static int
read_options(int argc, char **argv, opts *o)
{
	const cli_opt opts[] = {
		{ "config", 'c', .value = &o->conf, .need = true },
		{ "id", .value = &o->id },
		{ "record", .value = &o->record },
		{ "reason", .value = &o->reason },
		{ "received", .value = &o->received },
		{ "points", .value = &o->points },
		{ "date", .value = &o->date },
		{ "progress", .flag = &o->progress },
		{ "upheld", .flag = &o->upheld },
		{ "corrected", .flag = &o->corrected },
		{ "overdue", .flag = &o->overdue },
		{ "checkpoint", .value = &o->checkpoint },
		{ 0 },
	};
	int c;

	if ((c = cli_options(&argc, &argv, NULL, opts, CLI_ANY, usage)) >= 0) {
		return (c);
	}
	if (argc > 1) {
		return (cli_usage(usage, false));
	}
	o->file = argc == 1 ? argv[0] : NULL;
	return (check(o) ? -1 : cli_usage(usage, false));
}

static fs_err
serve(fs_node *n, const opts *o, char *why, size_t cap)
{
	(void) o;
	return (fs_node_serve(n, why, cap));
}

// run_verb runs the verb, which check() found to be one of these.
static fs_err
run_verb(fs_node *n, const opts *o, char *why, size_t cap)
{
	static const struct {
		const char *verb;
		fs_err (*fn)(fs_node *n, const opts *o, char *why, size_t cap);
	} verbs[] = {
		{ "rules import", rules_import },
		{ "records import", records_import },
		{ "serve", serve },
		{ "show", show },
		{ "dispute open", dispute_open },
		{ "dispute resolve", dispute_resolve },
		{ "disputes", disputes },
		{ "releases", releases },
	};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(o->verb, verbs[i].verb) == 0) {
			return (verbs[i].fn(n, o, why, cap));
		}
	}
	return (repair(n, o, why, cap));
}

int
node_main(int argc, char **argv)
{
	opts     o = { 0 };
	char     verb[VERB_MAX];
	char     why[FS_WHY_MAX] = "";
	fs_node *n               = NULL;
	fs_err   rv;
	int      c;

	if ((c = take_verb(&argc, &argv, verb)) >= 0) {
		return (c);
	}
	o.verb = verb;
	if ((c = read_options(argc, argv, &o)) >= 0) {
		return (c);
	}
	if ((rv = fs_node_open(&n, o.conf, why, sizeof(why))) == FS_OK) {
		rv = run_verb(n, &o, why, sizeof(why));
	}
	fs_node_close(n);
	return (rv == FS_OK ? 0 : cli_fail(rv, why, "node %s", verb));
}
