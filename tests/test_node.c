// SPDX-License-Identifier: Apache-2.0
//
// test_node.c -- the department node: the CSV reader, rules, the scoring
// rules of the policies, working days, and imports that either succeed
// whole or change nothing (checked by hashing the database's content).
// Pseudonyms are put in the node's cache directly, so no issuer runs here;
// tests/node.sh runs a real one.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/revocations.h"
#include "wire/token.h"

// CSV ---------------------------------------------------------------------

static void
test_csv_reads_rfc4180(void **state)
{
	static const char in[] = "\xef\xbb\xbf"
	                         "a,b,c\r\n"
	                         "\"x, y\",\"say \"\"hi\"\"\",\r\n"
	                         "\"two\nlines\",,z\n"
	                         "last,\xe5\xb8\x82,end";
	fs_csv           *r;
	size_t            nf, len;
	char              why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(
	    fs_csv_open_mem(&r, in, sizeof(in) - 1, "t.csv"), FS_OK);
	assert_int_equal(fs_csv_next(r, &nf, why, sizeof(why)), FS_OK);
	assert_int_equal(nf, 3);
	assert_string_equal(fs_csv_field(r, 0, NULL), "a");
	assert_int_equal(fs_csv_line(r), 1);
	assert_int_equal(fs_csv_next(r, &nf, why, sizeof(why)), FS_OK);
	assert_int_equal(nf, 3);
	assert_string_equal(fs_csv_field(r, 0, NULL), "x, y");
	assert_string_equal(fs_csv_field(r, 1, &len), "say \"hi\"");
	assert_int_equal(len, 8);
	assert_string_equal(fs_csv_field(r, 2, NULL), "");
	assert_int_equal(fs_csv_next(r, &nf, why, sizeof(why)), FS_OK);
	assert_string_equal(fs_csv_field(r, 0, NULL), "two\nlines");
	assert_int_equal(fs_csv_line(r), 3);
	assert_int_equal(fs_csv_next(r, &nf, why, sizeof(why)), FS_OK);
	assert_int_equal(fs_csv_line(r), 5); // after a quoted line break
	assert_string_equal(fs_csv_field(r, 1, NULL), "\xe5\xb8\x82");
	assert_string_equal(fs_csv_field(r, 2, NULL), "end");
	assert_int_equal(fs_csv_next(r, &nf, why, sizeof(why)), FS_OK);
	assert_int_equal(nf, 0);
	assert_int_equal(fs_csv_offset(r), sizeof(in) - 1);
	fs_csv_close(r);
}

static void
test_csv_refuses_with_line(void **state)
{
	static const struct {
		const char *in;
		fs_err      err;
		const char *want;
	} cases[] = {
		{ "a\n\nb\n", FS_ERR_MALFORMED,
		    "t.csv:2: expected a record, "
		    "found an empty line" },
		{ "a\nb\"c\n", FS_ERR_MALFORMED,
		    "t.csv:2: expected a quote only around a whole field" },
		{ "a\n\"b\"c\n", FS_ERR_MALFORMED,
		    "t.csv:2: expected ',' or the end of the line after a "
		    "closing quote, found 'c'" },
		{ "a\n\"open\nstill\n", FS_ERR_TRUNCATED,
		    "t.csv:4: expected a closing quote, found end of file" },
		{ "a\nb\rc\n", FS_ERR_MALFORMED, "t.csv:2: expected CR only" },
		{ "a\nb\x01\n", FS_ERR_MALFORMED,
		    "t.csv:2: expected text, found control character 0x01" },
		{ "a\nb\xff\n", FS_ERR_MALFORMED,
		    "t.csv:2: expected UTF-8 text, found byte 0xff" },
		{ "a\n\xc0\xaf\n", FS_ERR_MALFORMED,
		    "t.csv:2: expected UTF-8" },
		{ "a\n1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n",
		    FS_ERR_TOO_LARGE, "t.csv:2: expected at most 16 fields" },
	};
	char why[FS_WHY_MAX];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fs_csv *r;
		size_t  nf;
		fs_err  rv;

		assert_int_equal(fs_csv_open_mem(&r, cases[i].in,
		                     strlen(cases[i].in), "t.csv"),
		    FS_OK);
		while ((rv = fs_csv_next(r, &nf, why, sizeof(why))) == FS_OK
		    && nf > 0) {
		}
		if (rv != cases[i].err || strstr(why, cases[i].want) == NULL) {
			fail_msg(
			    "case %zu: got %s '%s'", i, fs_err_name(rv), why);
		}
		fs_csv_close(r);
	}
}

static void
test_csv_bounds_fields_and_records(void **state)
{
	size_t  n  = 3 * FS_CSV_RECORD_MAX;
	char   *in = malloc(n + 1), why[FS_WHY_MAX];
	fs_csv *r;
	size_t  nf;

	(void) state;
	memset(in, 'x', n);
	in[n] = '\0';
	assert_int_equal(fs_csv_open_mem(&r, in, n, "t.csv"), FS_OK);
	assert_int_equal(
	    fs_csv_next(r, &nf, why, sizeof(why)), FS_ERR_TOO_LARGE);
	fs_csv_close(r);
	in[FS_CSV_FIELD_MAX + 1] = '\n';
	assert_int_equal(fs_csv_open_mem(&r, in, n, "t.csv"), FS_OK);
	assert_int_equal(
	    fs_csv_next(r, &nf, why, sizeof(why)), FS_ERR_TOO_LARGE);
	assert_non_null(strstr(why, "field 1 of at most 1024 bytes"));
	fs_csv_close(r);
	free(in);
}

// Dates and working days --------------------------------------------------

static fs_day
d(const char *s)
{
	fs_day v;

	assert_int_equal(fs_date_parse(&v, s, strlen(s)), FS_OK);
	return (v);
}

static void
test_dates(void **state)
{
	char   out[FS_DATE_LEN + 1];
	fs_day v;

	(void) state;
	assert_int_equal(d("1970-01-01"), 0);
	assert_int_equal(d("2024-03-01") - d("2024-02-28"), 2); // leap
	fs_date_format(out, d("2026-11-23"));
	assert_string_equal(out, "2026-11-23");
	assert_int_equal(fs_date_parse(&v, "2023-02-29", 10), FS_ERR_MALFORMED);
	assert_int_equal(fs_date_parse(&v, "2024-13-01", 10), FS_ERR_MALFORMED);
	assert_int_equal(fs_date_parse(&v, "2024-1-01", 9), FS_ERR_MALFORMED);
	assert_int_equal(fs_date_parse(&v, "2024/01/01", 10), FS_ERR_MALFORMED);
	// 2026-11-23T20:00:00Z is 2026-11-24 in China.
	assert_int_equal(fs_today(1795464000), d("2026-11-24"));
}

static void put(const char *path, const char *text);

static void
test_workdays_skip_weekends_and_holidays(void **state)
{
	fs_day      hol[] = { d("2025-10-01"), d("2025-10-02"), d("2025-10-03"),
		     d("2025-10-06"), d("2025-10-07"), d("2025-10-08") };
	fs_day      work[] = { d("2025-09-28"), d("2025-10-11") };
	fs_holidays h      = { .days = hol, .n = 6 };
	fs_holidays h2     = { .days = hol, .n = 6, .work = work, .nwork = 2 };
	char        dir[]  = "/tmp/fs-hol-XXXXXX", p[64], why[FS_WHY_MAX];
	fs_holidays l;

	(void) state;
	// Friday + 3 working days = Wednesday.
	assert_int_equal(
	    fs_workdays_add(NULL, d("2026-11-20"), 3), d("2026-11-25"));
	// Received on a Saturday: the count starts on Monday.
	assert_int_equal(
	    fs_workdays_add(NULL, d("2026-11-21"), 1), d("2026-11-23"));
	assert_int_equal(
	    fs_workdays_add(NULL, d("2026-11-20"), 15), d("2026-12-11"));
	// National Day week: received 2025-09-30, flag due on the 3rd
	// working day after 1-8 October.
	assert_int_equal(
	    fs_workdays_add(&h, d("2025-09-30"), 3), d("2025-10-13"));
	assert_false(fs_workday(&h, d("2025-10-06")));
	assert_true(fs_workday(&h, d("2025-10-09")));
	// With the make-up working days (调休) of that year: Saturday 11
	// October is worked, and is the third working day.
	assert_true(fs_workday(&h2, d("2025-10-11")));
	assert_false(fs_workday(&h2, d("2025-10-12")));
	assert_int_equal(
	    fs_workdays_add(&h2, d("2025-09-30"), 3), d("2025-10-11"));
	// The file: holidays, then "work" days; a weekday marked work or
	// another word is refused with its line.
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/h.txt", dir);
	put(p,
	    "# 2025 National Day\n2025-09-28 work\n2025-10-01\n"
	    "2025-10-02\n 2025-10-03 \n2025-10-06\n2025-10-07\n"
	    "2025-10-08\n2025-10-11   work\n\n");
	assert_int_equal(fs_holidays_load(&l, p, why, sizeof(why)), FS_OK);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.nwork, 2);
	assert_int_equal(
	    fs_workdays_add(&l, d("2025-09-30"), 3), d("2025-10-11"));
	fs_holidays_fini(&l);
	put(p, "2025-10-01\n2025-10-09 work\n");
	assert_int_equal(
	    fs_holidays_load(&l, p, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(strstr(why, "h.txt:2: expected 'work' on a Saturday"));
	put(p, "2025-10-11 off\n");
	assert_int_equal(
	    fs_holidays_load(&l, p, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(strstr(why, "h.txt:1: expected a date YYYY-MM-DD"));
	unlink(p);
	rmdir(dir);
}

static void
test_event_ref_normal_form(void **state)
{
	char   out[64];
	size_t len;

	(void) state;
	assert_int_equal(fs_event_ref_normalize(out, &len,
	                     "\xef\xbc\x88"
	                     "2024\xef\xbc\x89 su 1\xe3\x80\x80号",
	                     strlen("\xef\xbc\x88"
	                            "2024\xef\xbc\x89 su "
	                            "1\xe3\x80\x80号")),
	    FS_OK);
	assert_string_equal(out, "(2024)SU1号");
	assert_int_equal(
	    fs_event_ref_normalize(out, &len, "\xe3\x80\x94x\xe3\x80\x95", 7),
	    FS_OK);
	assert_string_equal(out, "(X)");
	assert_int_equal(
	    fs_event_ref_normalize(out, &len, "\xff", 1), FS_ERR_MALFORMED);
}

// Rules -------------------------------------------------------------------

static const char rules_csv[]
    = "code,name,dimension,points,valid_days,severe,shared,repair_bonus\n"
      "NEG,违法,negative,-50,,1,0,5\n"
      "SH,失信被执行人,negative,-100,1825,1,1,10\n"
      "POS,志愿服务,positive,10,365,0,0,\n"
      "SHP,见义勇为,positive,30,,0,1,\n";

static fs_err
parse_rules(const char *text, fs_ruleset *rs, char *why)
{
	fs_csv *r;
	fs_err  rv;

	assert_int_equal(
	    fs_csv_open_mem(&r, text, strlen(text), "rules.csv"), FS_OK);
	rv = fs_rules_parse(rs, r, FS_NODE_VALID_DAYS_DEFAULT, why, FS_WHY_MAX);
	fs_csv_close(r);
	return (rv);
}

static void
test_rules_version_is_content(void **state)
{
	fs_ruleset a, b;
	char       why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &a, why), FS_OK);
	assert_int_equal(a.n, 4);
	assert_int_equal(fs_ruleset_find(&a, "NEG")->valid_days, 1095);
	assert_int_equal(fs_ruleset_find(&a, "SH")->repair_bonus, 10);
	assert_true(fs_ruleset_find(&a, "SH")->shared);
	assert_null(fs_ruleset_find(&a, "NOPE"));
	assert_int_equal(strlen(a.version), 32);
	// Another order, quoting and line ends: the same version.
	assert_int_equal(
	    parse_rules("code,name,dimension,points,valid_days,severe,shared,"
	                "repair_bonus\r\n"
	                "\"SHP\",见义勇为,positive,30,1095,0,1,0\r\n"
	                "POS,志愿服务,positive,+10,365,0,0,\r\n"
	                "SH,失信被执行人,negative,-100,1825,1,1,10\r\n"
	                "NEG,\"违法\",negative,-50,1095,1,0,5\r\n",
	        &b, why),
	    FS_OK);
	assert_string_equal(a.version, b.version);
	fs_ruleset_fini(&b);
	assert_int_equal(parse_rules("code,name,dimension,points,valid_days,"
	                             "severe,shared,repair_bonus\n"
	                             "NEG,违法,negative,-51,,1,0,5\n",
	                     &b, why),
	    FS_OK);
	assert_string_not_equal(a.version, b.version);
	fs_ruleset_fini(&a);
	fs_ruleset_fini(&b);
}

static void
test_rules_refused_with_line(void **state)
{
	static const char h[]
	    = "code,name,dimension,points,valid_days,severe,shared,"
	      "repair_bonus\n";
	static const struct {
		const char *rows;
		const char *want;
	} cases[] = {
		{ "A,n,negative,5,,0,0,\n",
		    "rules.csv:2: expected points <= 0 for dimension negative, "
		    "found 5" },
		{ "A,n,positive,-5,,0,0,\n",
		    "rules.csv:2: expected points >= 0 for dimension "
		    "positive" },
		{ "A,n,bad,-5,,0,0,\n",
		    "rules.csv:2: expected dimension basic, positive, "
		    "negative, "
		    "repair or usage, found 'bad'" },
		{ "A,n,negative,-5,,2,0,\n",
		    "rules.csv:2: expected severe 0 or 1, found '2'" },
		{ "A,n,negative,-5,0,0,0,\n",
		    "rules.csv:2: expected valid_days empty (1095) or from 1" },
		{ "A,n,negative,x,,0,0,\n",
		    "rules.csv:2: expected points as an integer" },
		{ "A,n,negative,-5,,0,0,\nA,m,negative,-5,,0,0,\n",
		    "rules.csv:3: expected each code once, found 'A' again" },
		{ "A b,n,negative,-5,,0,0,\n", "rules.csv:2: expected a code" },
		{ "A,,negative,-5,,0,0,\n", "rules.csv:2: expected a name" },
		{ "A,n,positive,5,,1,0,\n",
		    "rules.csv:2: expected severe 0 for dimension positive" },
		{ "A,n,positive,5,,0,0,3\n",
		    "rules.csv:2: expected repair_bonus 0 for dimension "
		    "positive" },
		{ "A,n,negative,-5,,0,0\n",
		    "rules.csv:2: expected 8 fields, found 7" },
		{ "", "rules.csv:2: expected at least one rule" },
	};
	char why[FS_WHY_MAX], text[512];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fs_ruleset rs;

		snprintf(text, sizeof(text), "%s%s", h, cases[i].rows);
		if (parse_rules(text, &rs, why) == FS_OK
		    || strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: '%s'", i, why);
		}
	}
	assert_int_not_equal(parse_rules("code,name\n", NULL, why), FS_OK);
	assert_non_null(strstr(why,
	    "rules.csv:1: expected the header "
	    "'code,name,dimension"));
}

// Scoring -----------------------------------------------------------------

static fs_node_record
rec(const char *id, const char *code, const char *ref, const char *on)
{
	fs_node_record r = { 0 };

	snprintf(r.record_id, sizeof(r.record_id), "%s", id);
	snprintf(r.code, sizeof(r.code), "%s", code);
	snprintf(r.event_ref, sizeof(r.event_ref), "%s", ref);
	r.occurred_on = d(on);
	return (r);
}

static void
shared_key(fs_node_record *r, uint8_t k)
{
	r->has_behavior_key = true;
	memset(r->behavior_key, k, sizeof(r->behavior_key));
}

static void
test_score_validity(void **state)
{
	fs_ruleset      rs;
	fs_contribution c;
	fs_node_record  r[4];
	char            why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &rs, why), FS_OK);
	r[0]             = rec("a", "NEG", "", "2021-01-01"); // 1095 days
	r[1]             = rec("b", "POS", "", "2024-01-01"); // 365 days
	r[2]             = rec("c", "POS", "", "2024-06-01");
	r[2].valid_until = d("2024-06-02"); // its own validity
	r[3]             = rec("d", "GONE", "", "2024-01-01");
	// On the last valid day both count; the day after, neither.
	assert_int_equal(fs_score(&rs, r, 4, d("2023-12-31"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_COUNTED);
	assert_int_equal(r[1].status, FS_REC_NOT_YET);
	assert_int_equal(r[3].status, FS_REC_UNKNOWN_CODE);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-01-01"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_EXPIRED);
	assert_int_equal(r[1].status, FS_REC_COUNTED);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], 0);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 10);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 20);
	assert_int_equal(c.counted, 2);
	assert_int_equal(c.considered, 4);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-02"), &c), FS_OK);
	assert_int_equal(r[2].status, FS_REC_EXPIRED);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 10);
	assert_string_equal(c.rules_version, rs.version);
	assert_false(c.disputed);
	fs_ruleset_fini(&rs);
}

static void
test_score_repair_and_disputes(void **state)
{
	fs_ruleset      rs;
	fs_contribution c;
	fs_node_record  r[4];
	char            why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &rs, why), FS_OK);
	r[0]                      = rec("a", "NEG", "x1", "2024-01-01");
	r[0].repaired             = true;
	r[0].repaired_on          = d("2024-06-01");
	r[1]                      = rec("b", "NEG", "x2", "2024-01-01");
	r[1].disputed             = true; // open: counts, and says so
	r[2]                      = rec("c", "NEG", "x3", "2024-01-01");
	r[2].dispute              = FS_DISPUTE_CORRECTED;
	r[2].has_corrected_points = true;
	r[2].corrected_points     = -20;
	r[3]                      = rec("e", "NEG", "x4", "2024-01-01");
	r[3].dispute              = FS_DISPUTE_CORRECTED; // withdrawn
	assert_int_equal(fs_score(&rs, r, 4, d("2024-05-31"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_COUNTED); // not yet repaired
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50 - 50 - 20);
	assert_int_equal(r[3].status, FS_REC_WITHDRAWN);
	assert_true(c.disputed);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-01"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_REPAIRED);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50 - 20);
	assert_int_equal(c.dims[FS_DIM_REPAIR], 5);
	assert_int_equal(c.counted, 3);
	// Once the disputed record is checked and upheld, no flag.
	r[1].disputed = false;
	r[1].dispute  = FS_DISPUTE_UPHELD;
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-01"), &c), FS_OK);
	assert_false(c.disputed);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -70);
	fs_ruleset_fini(&rs);
}

static void
test_score_one_behavior_counts_once(void **state)
{
	fs_ruleset      rs;
	fs_contribution c;
	fs_node_record  r[7];
	char            why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &rs, why), FS_OK);
	// The same code and reference twice (reference written two ways).
	r[0] = rec("a", "NEG", "（2024）1号", "2024-01-01");
	r[1] = rec("b", "NEG", "(2024)1号", "2024-02-01");
	// Without a reference each record is its own behavior.
	r[2] = rec("c", "POS", "", "2024-01-01");
	r[3] = rec("d", "POS", "", "2024-01-02");
	// A shared behavior twice: one item; corrected to a smaller
	// deduction on one record, the largest deduction stays.
	r[4] = rec("e", "SH", "k", "2024-01-01");
	shared_key(&r[4], 7);
	r[5] = rec("f", "SH", "k", "2024-01-01");
	shared_key(&r[5], 7);
	r[5].dispute              = FS_DISPUTE_CORRECTED;
	r[5].has_corrected_points = true;
	r[5].corrected_points     = -30;
	r[6]                      = rec("g", "SHP", "h", "2024-01-01");
	shared_key(&r[6], 9);
	assert_int_equal(fs_score(&rs, r, 7, d("2024-03-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(r[0].status, FS_REC_COUNTED);
	assert_int_equal(r[1].status, FS_REC_DUPLICATE);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 20);
	assert_int_equal(c.nshared, 2);
	assert_int_equal(c.shared[0].behavior_key[0], 7);
	assert_int_equal(c.shared[0].dim, FS_DIM_NEGATIVE);
	assert_int_equal(c.shared[0].points, -100);
	assert_int_equal(r[5].status, FS_REC_DUPLICATE);
	assert_int_equal(c.shared[1].behavior_key[0], 9);
	assert_int_equal(c.shared[1].points, 30);
	assert_int_equal(c.counted, 5);
	assert_int_equal(c.considered, 7);
	fs_contribution_fini(&c);
	fs_ruleset_fini(&rs);
}

// A node on disk ------------------------------------------------------------

typedef struct fixture {
	char     dir[64];
	char     conf[128];
	fs_node *n;
	fs_key  *node, *issuer, *coord;
} fixture;

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup_node(void **state)
{
	fixture     *fx = calloc(1, sizeof(*fx));
	fs_oprf_key *ok;
	char         p[256], b64[64], why[FS_WHY_MAX];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fs-node-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_int_equal(fs_key_generate(&fx->node), FS_OK);
	assert_int_equal(fs_key_generate(&fx->issuer), FS_OK);
	assert_int_equal(fs_key_generate(&fx->coord), FS_OK);
	snprintf(p, sizeof(p), "%s/node.key", fx->dir);
	assert_int_equal(fs_keyfile_write_secret(p, fx->node, "t"), FS_OK);
	snprintf(p, sizeof(p), "%s/issuer.pub", fx->dir);
	assert_int_equal(
	    fs_keyfile_write_public(p, fs_key_public(fx->issuer)), FS_OK);
	snprintf(p, sizeof(p), "%s/coord.pub", fx->dir);
	assert_int_equal(
	    fs_keyfile_write_public(p, fs_key_public(fx->coord)), FS_OK);
	assert_int_equal(fs_oprf_key_generate(&ok, FS_OPRF_MODE_VOPRF), FS_OK);
	fs_b64_encode(b64, fs_oprf_key_public(ok), FS_OPRF_ELEMENT_BYTES);
	fs_oprf_key_free(ok);
	snprintf(p, sizeof(p), "%s/oprf.pub", fx->dir);
	strcat(b64, "\n");
	put(p, b64);
	snprintf(fx->conf, sizeof(fx->conf), "%s/node.conf", fx->dir);
	put(fx->conf,
	    "[node]\nname = t\nkey = node.key\ndb = node.db\n"
	    "coordinator = coord.pub\n"
	    "[issuer]\nurl = ipc:///nonexistent/issuer\nkey = issuer.pub\n"
	    "oprf = oprf.pub\nregion = r\n");
	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	put(p, rules_csv);
	assert_int_equal(
	    fs_node_open(&fx->n, fx->conf, why, sizeof(why)), FS_OK);
	*state = fx;
	return (0);
}

static int
teardown_node(void **state)
{
	fixture *fx = *state;
	char     cmd[128];

	fs_node_close(fx->n);
	fs_key_free(fx->node);
	fs_key_free(fx->issuer);
	fs_key_free(fx->coord);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return (0);
}

// db_hash hashes every row of every table of both databases.
static void
db_hash(const fixture *fx, uint8_t out[static 32])
{
	static const char       *files[] = { "node.db", "node.db.release" };
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, 32);
	for (size_t f = 0; f < 2; f++) {
		sqlite3      *db;
		sqlite3_stmt *tables, *rows;
		char          path[256], sql[256];

		snprintf(path, sizeof(path), "%s/%s", fx->dir, files[f]);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db,
		                     "SELECT name FROM sqlite_master WHERE "
		                     "type = 'table' ORDER BY name",
		                     -1, &tables, NULL),
		    SQLITE_OK);
		while (sqlite3_step(tables) == SQLITE_ROW) {
			const char *t
			    = (const char *) sqlite3_column_text(tables, 0);

			snprintf(sql, sizeof(sql),
			    "SELECT * FROM \"%s\" ORDER BY 1", t);
			crypto_generichash_update(
			    &hs, (const uint8_t *) t, strlen(t) + 1);
			assert_int_equal(
			    sqlite3_prepare_v2(db, sql, -1, &rows, NULL),
			    SQLITE_OK);
			while (sqlite3_step(rows) == SQLITE_ROW) {
				for (int i = 0; i < sqlite3_column_count(rows);
				     i++) {
					const void *v
					    = sqlite3_column_blob(rows, i);
					int n = sqlite3_column_bytes(rows, i);

					crypto_generichash_update(&hs,
					    (const uint8_t *) &n, sizeof(n));
					if (n > 0) {
						crypto_generichash_update(
						    &hs, v, (size_t) n);
					}
				}
			}
			sqlite3_finalize(rows);
		}
		sqlite3_finalize(tables);
		sqlite3_close(db);
	}
	crypto_generichash_final(&hs, out, 32);
}

#define ID_A "320402198503120019"
#define ID_B "320402199001010025"

// import_st writes text to the fixture's records.csv and imports it.
static fs_err
import_st(fixture *fx, const char *text, fs_import_stats *st, char *why)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/records.csv", fx->dir);
	put(p, text);
	return (
	    fs_node_records_import(fx->n, p, NULL, NULL, st, why, FS_WHY_MAX));
}

static fs_err
import(fixture *fx, const char *text, char *why)
{
	fs_import_stats st;

	return (import_st(fx, text, &st, why));
}

// rules imports the fixture's rules.csv.
static void
rules(fixture *fx)
{
	char p[256], why[FS_WHY_MAX], version[FS_VERSION_MAX + 1];
	bool changed;

	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
}

static void
cache(fixture *fx, const char *id)
{
	uint8_t y[FS_OPRF_OUTPUT_BYTES];

	// Stands in for the issuer's evaluation.
	crypto_generichash(
	    y, sizeof(y), (const uint8_t *) id, strlen(id), NULL, 0);
	assert_int_equal(fs_node_cache_put(fx->n, &id, y, 1), FS_OK);
}

static void
test_import_bad_records_change_nothing(void **state)
{
	fixture          *fx = *state;
	static const char h[]
	    = "record_id,id_number,code,event_ref,occurred_on,valid_until\n";
	static const char good[] = "G1," ID_A ",NEG,e1,2024-01-01,\n";
	static const struct {
		const char *rows;
		const char *want;
	} cases[] = {
		{ "R1," ID_A ",NOPE,,2024-01-01,\n",
		    "records.csv:3: expected a code of the current rules" },
		{ "R1,320402198503120018,NEG,,2024-01-01,\n",
		    "records.csv:3: expected a valid ID number in id_number: "
		    "check character" },
		{ "R1," ID_A ",NEG,,2024-02-30,\n",
		    "records.csv:3: expected occurred_on as a date YYYY-MM-DD "
		    "that exists, found '2024-02-30'" },
		{ "R1," ID_A ",NEG,,2024-01-01\n",
		    "records.csv:3: expected 6 fields as in the header, found "
		    "5" },
		{ "R1," ID_A ",SH,,2024-01-01,\n",
		    "records.csv:3: expected an event_ref for code SH" },
		{ "record_id,id_number,code,event_ref,occurred_on,valid_"
		  "until\n",
		    "records.csv:3: expected a record, found the header "
		    "again" },
		{ "R1," ID_A ",NEG,,2024-01-01,2023-01-01\n",
		    "records.csv:3: expected valid_until after occurred_on "
		    "(2024-01-01), found 2023-01-01" },
		{ "R1," ID_A ",NEG,,2999-01-01,\n",
		    "records.csv:3: expected occurred_on no later than today" },
		{ " R1," ID_A ",NEG,,2024-01-01,\n",
		    "records.csv:3: expected a record_id of 1 to 64 bytes" },
		{ "R1," ID_A ",NEG,\"x\"y,2024-01-01,\n",
		    "records.csv:3: expected ',' or the end of the line" },
		{ "R1," ID_A ",NEG,,2024-01-01,\nR1," ID_B
		  ",POS,,2024-01-01,\n",
		    "records.csv:4: expected each record_id once, found 'R1' "
		    "again" },
		{ "G1," ID_B ",POS,,2024-01-01,\n",
		    "records.csv:3: expected each record_id once, found 'G1' "
		    "again" },
	};
	char    why[FS_WHY_MAX];
	uint8_t before[32], after[32];
	char    text[1024];

	rules(fx);
	cache(fx, ID_A);
	cache(fx, ID_B);
	snprintf(text, sizeof(text), "%s%s", h, good);
	assert_int_equal(import(fx, text, why), FS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		db_hash(fx, before);
		snprintf(text, sizeof(text), "%s%s%s", h, good, cases[i].rows);
		why[0] = '\0';
		if (import(fx, text, why) == FS_OK
		    || strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: '%s'", i, why);
		}
		// Never the ID number in a message.
		assert_null(strstr(why, ID_A));
		db_hash(fx, after);
		if (memcmp(before, after, 32) != 0) {
			fail_msg("case %zu changed the database", i);
		}
	}
	// A wrong header, or an empty file, changes nothing either.
	db_hash(fx, before);
	assert_int_not_equal(import(fx, "record_id,id,code\n", why), FS_OK);
	assert_non_null(strstr(why, "records.csv:1: expected the header"));
	assert_int_not_equal(import(fx, "", why), FS_OK);
	db_hash(fx, after);
	assert_memory_equal(before, after, 32);
}

static void
test_import_then_contribution(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256], version[FS_VERSION_MAX + 1];
	char            text[1024];
	bool            changed;
	uint8_t         subject[FS_PSEUDONYM_BYTES];
	bool            known;
	fs_contribution c;
	fs_dispute_info di;
	fs_day          today = fs_today((int64_t) time(NULL));
	int32_t         pts   = -7;

	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
	assert_true(changed);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
	assert_false(changed);
	cache(fx, ID_A);
	snprintf(text, sizeof(text),
	    "record_id,id_number,code,event_ref,occurred_on\n"
	    "N1," ID_A ",NEG,e1,2024-01-01\n"
	    "N2," ID_A ",NEG,e2,2024-01-01\n"
	    "S1," ID_A ",SH,（2024）苏1号,2024-01-01\n"
	    "S2,%s,SH,(2024)苏1号,2024-02-01\n",
	    ID_A);
	// valid for 1095 days from 2024-01-01: count on days before 2027.
	assert_int_equal(import(fx, text, why), FS_OK);
	assert_int_equal(
	    fs_node_subject(fx->n, ID_A, subject, &known, why, sizeof(why)),
	    FS_OK);
	assert_true(known);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -100);
	assert_int_equal(c.nshared, 1); // the same case number, written twice
	assert_int_equal(c.shared[0].points, -100);
	assert_int_equal(c.considered, 4);
	assert_int_equal(c.counted, 3);
	fs_contribution_fini(&c);

	assert_int_equal(fs_node_dispute_open(fx->n, "N1", "not me", today,
	                     today, &di, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(di.check_due, fs_workdays_add(NULL, today, 15));
	assert_int_equal(fs_node_dispute_open(fx->n, "N1", "again", today,
	                     today, &di, why, sizeof(why)),
	    FS_ERR_EXISTS);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_true(c.disputed);
	fs_contribution_fini(&c);
	pts = 7;
	assert_int_equal(fs_node_dispute_resolve(
	                     fx->n, "N1", true, &pts, today, why, sizeof(why)),
	    FS_ERR_INVALID); // a negative record cannot become positive
	pts = -7;
	assert_int_equal(fs_node_dispute_resolve(
	                     fx->n, "N1", true, &pts, today, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_node_repair(fx->n, "N2", d("2024-06-01"), today,
	                     why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_node_repair(fx->n, "N2", d("2024-06-01"), today,
	                     why, sizeof(why)),
	    FS_ERR_EXISTS);
	assert_int_equal(fs_node_repair(fx->n, "NOPE", d("2024-06-01"), today,
	                     why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_false(c.disputed);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -7);
	assert_int_equal(c.dims[FS_DIM_REPAIR], 5);
	fs_contribution_fini(&c);
	// Everything has expired by 2030.
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2030-01-01"), &c), FS_OK);
	assert_int_equal(c.counted, 0);
	fs_contribution_fini(&c);
}

// A re-import updates the records it holds and inserts the new ones,
// whichever comes first, and still refuses a record_id twice in one file:
// in the bulk path and the small one alike.
static void
test_import_updates_and_refuses_twice(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX];
	fs_import_stats st;
	char            text[512];

	rules(fx);
	cache(fx, ID_A);
	for (int bulk = 0; bulk < 2; bulk++) {
		int pre = bulk ? 'B' : 'S';

		node_big_import = bulk ? 1 : 1000;
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-01\n"
		    "%c2," ID_A ",NEG,e2,2024-01-01\n",
		    pre, pre);
		assert_int_equal(import_st(fx, text, &st, why), FS_OK);
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-02\n"
		    "%c9," ID_A ",NEG,e9,2024-01-01\n"
		    "%c2," ID_A ",NEG,e2,2024-01-02\n",
		    pre, pre, pre);
		assert_int_equal(import_st(fx, text, &st, why), FS_OK);
		assert_int_equal(st.bulk, bulk);
		assert_int_equal(st.inserted, 1);
		assert_int_equal(st.updated, 2);
		// Twice after an update, and twice after an insert.
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-03\n"
		    "%c1," ID_A ",NEG,e1,2024-01-04\n",
		    pre, pre);
		assert_int_equal(
		    import_st(fx, text, &st, why), FS_ERR_MALFORMED);
		assert_non_null(
		    strstr(why, ":3: expected each record_id once"));
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-03\n"
		    "%cM," ID_A ",NEG,m1,2024-01-03\n"
		    "%cM," ID_A ",NEG,m1,2024-01-04\n",
		    pre, pre, pre);
		assert_int_equal(
		    import_st(fx, text, &st, why), FS_ERR_MALFORMED);
		assert_non_null(
		    strstr(why, ":4: expected each record_id once"));
	}
}

// considered returns how many records the node counts for a citizen.
static int
considered(fixture *fx, const char *id)
{
	char            why[FS_WHY_MAX];
	uint8_t         subject[FS_PSEUDONYM_BYTES];
	bool            known;
	fs_contribution c;
	int             n;

	assert_int_equal(
	    fs_node_subject(fx->n, id, subject, &known, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	n = (int) c.considered;
	fs_contribution_fini(&c);
	return (n);
}

// A large re-export, its records mostly held, keeps the index by
// citizen and updates the records in place; a record that moved to
// another citizen is found under the new one only, a record_id twice is
// still refused, and a large file of new records sorts the index anew.
static void
test_import_reexport_keeps_index(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX];
	uint8_t         before[32], after[32];
	fs_import_stats st;

	rules(fx);
	cache(fx, ID_A);
	cache(fx, ID_B);
	node_big_import = 1;
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "R1," ID_A ",NEG,e1,2024-01-01\n"
	                     "R2," ID_A ",NEG,e2,2024-01-01\n"
	                     "R3," ID_A ",NEG,e3,2024-01-01\n"
	                     "R4," ID_A ",NEG,e4,2024-01-01\n",
	                     &st, why),
	    FS_OK);
	assert_true(st.bulk);
	assert_true(st.reindexed);
	assert_int_equal(considered(fx, ID_A), 4);

	// Four of five held: R2 moves to citizen B, R3 changes date, R5 is new.
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "R1," ID_A ",NEG,e1,2024-01-01\n"
	                     "R2," ID_B ",NEG,e2,2024-01-01\n"
	                     "R3," ID_A ",NEG,e3,2024-03-01\n"
	                     "R4," ID_A ",NEG,e4,2024-01-01\n"
	                     "R5," ID_B ",NEG,e5,2024-01-01\n",
	                     &st, why),
	    FS_OK);
	assert_true(st.bulk);
	assert_false(st.reindexed);
	assert_int_equal(st.inserted, 1);
	assert_int_equal(st.updated, 4);
	// The import's page cache went back to the connection.
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(fx->n->db,
		                     "PRAGMA cache_size", -1, &q, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), -2000);
		sqlite3_finalize(q);
	}
	assert_int_equal(considered(fx, ID_A), 3);
	assert_int_equal(considered(fx, ID_B), 2);

	// Twice in a re-export, after an update of the same citizen's record.
	db_hash(fx, before);
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "R1," ID_A ",NEG,e1,2024-01-02\n"
	                     "R2," ID_B ",NEG,e2,2024-01-01\n"
	                     "R1," ID_A ",NEG,e1,2024-01-03\n"
	                     "R4," ID_A ",NEG,e4,2024-01-01\n",
	                     &st, why),
	    FS_ERR_MALFORMED);
	assert_non_null(strstr(why, ":4: expected each record_id once"));
	db_hash(fx, after);
	assert_memory_equal(before, after, 32);

	// A large file of records the node does not hold.
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,n1,2024-01-01\n"
	                     "N2," ID_B ",NEG,n2,2024-01-01\n"
	                     "N3," ID_B ",NEG,n3,2024-01-01\n"
	                     "R1," ID_A ",NEG,e1,2024-01-01\n",
	                     &st, why),
	    FS_OK);
	assert_true(st.reindexed);
	assert_int_equal(considered(fx, ID_A), 4);
	assert_int_equal(considered(fx, ID_B), 4);
}

// many writes n records "<pre><i>" from i = from, the even ones of
// citizen A, the odd ones of B, each its own behavior, after the header
// if head.
static char *
many(char *p, const char *pre, int from, int n, bool head)
{
	if (head) {
		p += sprintf(
		    p, "record_id,id_number,code,event_ref,occurred_on\n");
	}
	for (int i = from; i < from + n; i++) {
		p += sprintf(p, "%s%d,%s,NEG,%s%d,2024-01-01\n", pre, i,
		    i % 2 == 0 ? ID_A : ID_B, pre, i);
	}
	return (p);
}

// A file that looks like a re-export by its head and its size but brings
// thousands of new records after: the records read across the whole file
// tell, the index is sorted anew, and every record is found by its
// citizen.
static void
test_import_reexport_guessed_wrong(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX];
	fs_import_stats st;
	char           *text = malloc(12000 * 64), *end;

	assert_non_null(text);
	rules(fx);
	cache(fx, ID_A);
	cache(fx, ID_B);
	node_big_import = 1;
	many(text, "R", 0, 6000, true);
	assert_int_equal(import_st(fx, text, &st, why), FS_OK);
	assert_true(st.reindexed);
	end = many(text, "R", 0, 1200, true);
	many(end, "N", 0, 5000, false);
	assert_int_equal(import_st(fx, text, &st, why), FS_OK);
	assert_true(st.bulk);
	assert_true(st.reindexed);
	assert_int_equal(st.updated, 1200);
	assert_int_equal(st.inserted, 5000);
	assert_int_equal(considered(fx, ID_A), 5500);
	assert_int_equal(considered(fx, ID_B), 5500);
	free(text);
}

// A large import writes each record by its citizen's ID hash without
// reading the cache, and pseudonymizes after the whole file is checked
// the citizens the cache does not hold: known ones are found by their
// subject as before; with a new one and no issuer to ask, the import
// writes nothing.
static void
test_import_large_path(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256];
	uint8_t         subject[FS_PSEUDONYM_BYTES], before[32], after[32];
	bool            known;
	fs_contribution c;
	fs_import_stats st;

	rules(fx);
	cache(fx, ID_A);
	node_big_import = 1;
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n"
	                     "S1," ID_A ",SH,（2024）苏1号,2024-01-01\n"
	                     "S2," ID_A ",SH,(2024)苏1号,2024-02-01\n",
	                     &st, why),
	    FS_OK);
	assert_int_equal(st.inserted, 3);
	assert_true(st.bulk);
	assert_int_equal(st.evaluated, 0);
	assert_int_equal(
	    fs_node_subject(fx->n, ID_A, subject, &known, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(c.nshared, 1);
	assert_int_equal(c.shared[0].points, -100);
	fs_contribution_fini(&c);

	// A node database of schema version 1 (records by subject, behavior
	// keys stored) is upgraded when opened, and counts the same.
	{
		sqlite3 *db;

		fs_node_close(fx->n);
		snprintf(p, sizeof(p), "%s/node.db", fx->dir);
		assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
		assert_int_equal(
		    sqlite3_exec(db,
		        "DROP INDEX pseudonym_subject;"
		        "CREATE TABLE p1 (idhash BLOB PRIMARY KEY, subject "
		        "BLOB NOT NULL, behavior_base BLOB NOT NULL) "
		        "WITHOUT ROWID;"
		        "INSERT INTO p1 SELECT idhash || zeroblob(16), "
		        "subject, behavior_base FROM pseudonym;"
		        "CREATE TABLE r1 (record_id TEXT PRIMARY KEY, subject "
		        "BLOB NOT NULL, code TEXT NOT NULL, event_ref TEXT NOT "
		        "NULL, occurred_on INTEGER NOT NULL, valid_until "
		        "INTEGER, behavior_key BLOB, import INTEGER NOT NULL) "
		        "WITHOUT ROWID;"
		        "INSERT INTO r1 SELECT r.record_id, p.subject, r.code, "
		        "r.event_ref, r.occurred_on, r.valid_until, NULL, "
		        "r.import FROM record r JOIN pseudonym p USING "
		        "(idhash);"
		        "DROP TABLE record; ALTER TABLE r1 RENAME TO record;"
		        "DROP TABLE pseudonym;"
		        "ALTER TABLE p1 RENAME TO pseudonym;"
		        "CREATE INDEX record_subject ON record(subject);"
		        "PRAGMA user_version = 1;",
		        NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(
		    fs_node_open(&fx->n, fx->conf, why, sizeof(why)), FS_OK);
		assert_int_equal(
		    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c),
		    FS_OK);
		assert_int_equal(c.considered, 3);
		assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
		assert_int_equal(c.nshared, 1);
		fs_contribution_fini(&c);
	}

	db_hash(fx, before);
	assert_int_equal(import(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n"
	                     "B1," ID_B ",NEG,e1,2024-01-01\n",
	                     why),
	    FS_ERR_TIMEOUT);
	assert_non_null(strstr(why, "issuer at ipc:///nonexistent/issuer"));
	db_hash(fx, after);
	assert_memory_equal(before, after, 32);
	node_big_import = 100000;
}

// seal_lookup makes a lookup for subject with token, sealed to the node by
// the coordinator (or by from, when not NULL).
static void
seal_lookup(fixture *fx, const fs_key *from, const uint8_t subject[static 32],
    const char *token, uint8_t **reqp, size_t *reqlenp)
{
	fs_lookup       l = { 0 };
	fs_envelope_out m = { .type = FS_MSG_LOOKUP, .enc = FS_ENC_SEALED };
	uint8_t        *body;
	size_t          blen;

	memcpy(l.subject, subject, 32);
	snprintf(l.token, sizeof(l.token), "%s", token);
	l.deadline_ms = fs_now_ms() + 10000;
	assert_int_equal(fs_lookup_encode(&l, &body, &blen), FS_OK);
	m.recipient = fs_key_public(fx->node);
	m.time_ms   = fs_now_ms();
	m.body      = body;
	m.body_len  = blen;
	assert_int_equal(fs_envelope_seal(from != NULL ? from : fx->coord, &m,
	                     reqp, reqlenp),
	    FS_OK);
	free(body);
}

// open_reply opens the node's reply buf (and frees it): the contribution
// in *c, or the refusal's code.
static fs_err
open_reply(fixture *fx, uint8_t *buf, size_t len, fs_contribution *c)
{
	fs_envelope rep;
	fs_keyring  ring = { fs_key_public(fx->node), 1 };
	char        detail[600];
	fs_err      code;

	assert_int_equal(fs_envelope_open(&rep, buf, len, fx->coord,
	                     fs_keyring_lookup, &ring, fs_now_ms(), 300000),
	    FS_OK);
	free(buf);
	if (rep.type == FS_MSG_ERROR) {
		assert_int_equal(fs_error_body_decode(rep.body, rep.body_len,
		                     &code, detail, sizeof(detail)),
		    FS_OK);
		fs_envelope_fini(&rep);
		return (code);
	}
	assert_int_equal(rep.type, FS_MSG_CONTRIBUTION);
	assert_int_equal(rep.enc, FS_ENC_SEALED);
	assert_int_equal(
	    fs_contribution_decode(c, rep.body, rep.body_len), FS_OK);
	fs_envelope_fini(&rep);
	return (FS_OK);
}

// ask sends one lookup for subject with token as the coordinator (or as
// from, when not NULL) and returns the node's reply: the contribution in
// *c, or the refusal's code.
static fs_err
ask(fixture *fx, const fs_key *from, const uint8_t subject[static 32],
    const char *token, fs_contribution *c)
{
	uint8_t *req, *buf;
	size_t   reqlen, len;

	seal_lookup(fx, from, subject, token, &req, &reqlen);
	fs_node_answer(fx->n, req, reqlen, &buf, &len);
	free(req);
	return (open_reply(fx, buf, len, c));
}

static char *
token_for(fixture *fx, const uint8_t subject[static 32], uint32_t uses,
    uint8_t jti[static FS_JTI_BYTES])
{
	fs_claims c;
	char     *tok;

	fs_claims_init(&c);
	memcpy(c.sub, subject, 32);
	strcpy(c.iss, "iss");
	strcpy(c.aud, "bank");
	strcpy(c.purpose, "credit_loan");
	c.scope = FS_SCOPE_SCORE;
	c.iat = c.nbf = (int64_t) time(NULL);
	c.exp         = c.iat + 600;
	c.uses        = uses;
	assert_int_equal(fs_token_issue(&tok, fx->issuer, &c, "r"), FS_OK);
	memcpy(jti, c.jti, FS_JTI_BYTES);
	return (tok);
}

static int64_t
count(fixture *fx, const char *sql)
{
	sqlite3      *db;
	sqlite3_stmt *st;
	char          path[256];
	int64_t       v = -1;

	snprintf(path, sizeof(path), "%s/node.db.release", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (v);
}

// release_log_rebuilt exports the release log with its signed checkpoint,
// turns the release database back into version 1 (no tree) and opens
// the node again: the tree is rebuilt from the releases, to the same
// checkpoint.
static void
release_log_rebuilt(fixture *fx)
{
	char     why[FS_WHY_MAX], p[256], *note1, *note2;
	uint64_t n1, n2;
	FILE    *out = fopen("/dev/null", "w");
	sqlite3 *db;

	assert_non_null(out);
	assert_int_equal(
	    fs_node_releases_export(fx->n, out, &n1, &note1, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(n1, 2);
	assert_non_null(strstr(note1, "fedscore.r/t/releases\n2\n"));
	fs_node_close(fx->n);
	snprintf(p, sizeof(p), "%s/node.db.release", fx->dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	        "DROP TABLE release_hash; PRAGMA user_version = 1;", NULL, NULL,
	        NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(
	    fs_node_open(&fx->n, fx->conf, why, sizeof(why)), FS_OK);
	assert_int_equal(
	    fs_node_releases_export(fx->n, out, &n2, &note2, why, sizeof(why)),
	    FS_OK);
	// The same size and root; the signature line may differ only if
	// Ed25519 were randomized, which it is not.
	assert_string_equal(note1, note2);
	free(note1);
	free(note2);
	fclose(out);
}

static void
test_answer_checks_counts_and_logs(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256], version[FS_VERSION_MAX + 1];
	char            jtis[FS_JTI_STR_LEN + 1];
	uint8_t         y[FS_OPRF_OUTPUT_BYTES], sa[32], sb[32];
	uint8_t         jti[FS_JTI_BYTES], jti2[FS_JTI_BYTES];
	const char     *id = ID_A;
	bool            changed;
	fs_contribution c;
	fs_revlist      rl = { 0 };
	char           *t1, *t2, *tb;

	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
	crypto_generichash(
	    y, sizeof(y), (const uint8_t *) id, strlen(id), NULL, 0);
	assert_int_equal(fs_node_cache_put(fx->n, &id, y, 1), FS_OK);
	fs_pseudonym_subject(sa, y);
	memset(sb, 7, sizeof(sb));
	assert_int_equal(import(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n",
	                     why),
	    FS_OK);
	t1 = token_for(fx, sa, 2, jti);
	// Before any revocation list: fail closed.
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_ERR_STALE);
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_OK);
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(c.considered, 1);
	assert_string_equal(c.rules_version, version);
	fs_contribution_fini(&c);
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_OK);
	fs_contribution_fini(&c);
	assert_int_equal(ask(fx, NULL, sa, t1, &c), FS_ERR_USED_UP);
	assert_int_equal(count(fx, "SELECT count(*) FROM release"), 2);
	assert_int_equal(count(fx, "SELECT uses FROM token_use"), 2);
	// Not the coordinator; another subject; no token.
	assert_int_equal(ask(fx, fx->node, sa, t1, &c), FS_ERR_UNREGISTERED);
	tb = token_for(fx, sb, 1, jti2);
	assert_int_equal(ask(fx, NULL, sa, tb, &c), FS_ERR_WRONG_SUBJECT);
	assert_int_equal(ask(fx, NULL, sa, "", &c), FS_ERR_REFUSED);
	// Revoked, and a list older than ours is not taken.
	t2 = token_for(fx, sa, 5, jti2);
	fs_jti_string(jtis, jti2);
	rl.seq = 3;
	rl.n   = 1;
	rl.jti = calloc(1, sizeof(*rl.jti));
	snprintf(rl.jti[0], sizeof(rl.jti[0]), "%s", jtis);
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_OK);
	assert_int_equal(ask(fx, NULL, sa, t2, &c), FS_ERR_REVOKED);
	rl.seq = 2;
	rl.n   = 0;
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_ERR_REPLAYED);
	assert_int_equal(ask(fx, NULL, sa, t2, &c), FS_ERR_REVOKED);
	// A list fetched too long ago: fail closed again.
	rl.seq = 3;
	rl.n   = 1;
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms() - 3 * 60 * 1000),
	    FS_OK);
	assert_int_equal(ask(fx, NULL, sa, t2, &c), FS_ERR_STALE);
	assert_int_equal(count(fx, "SELECT count(*) FROM release"), 2);
	release_log_rebuilt(fx);
	fs_revlist_fini(&rl);
	free(t1);
	free(t2);
	free(tb);
}

// A lookup during an import --------------------------------------------

// Events, in the order they happen.
enum { EV_WRITING = 1, EV_ANSWERED, EV_IMPORTED };

// An import whose progress, called on the importing thread while it
// writes inside its transaction, starts a lookup on another thread and
// lets the import go on only once the lookup is answered.
typedef struct during {
	fs_node        *n;
	uint8_t        *req, *rep;
	size_t          reqlen, replen;
	pthread_t       thr;
	bool            started;
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	int             ev[3]; // the first three events
	size_t          nev;
} during;

static void
event(during *d, int ev)
{
	pthread_mutex_lock(&d->mu);
	if (d->nev < 3) {
		d->ev[d->nev] = ev;
	}
	d->nev++;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static void *
lookup_thread(void *arg)
{
	during *d = arg;

	fs_node_answer(d->n, d->req, d->reqlen, &d->rep, &d->replen);
	event(d, EV_ANSWERED);
	return (NULL);
}

static void
while_writing(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	during         *d = arg;
	struct timespec ts;

	(void) done;
	(void) total;
	if (strcmp(phase, "writing") != 0 || d->started) {
		return;
	}
	d->started = true;
	event(d, EV_WRITING);
	assert_int_equal(pthread_create(&d->thr, NULL, lookup_thread, d), 0);
	// The order of events is what is tested.  The bound only keeps a
	// lookup that waits for the import (which waits here) from hanging
	// the test: the import then goes on, and the order is wrong.
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	pthread_mutex_lock(&d->mu);
	while (d->nev < 2 && pthread_cond_timedwait(&d->cv, &d->mu, &ts) == 0) {
	}
	pthread_mutex_unlock(&d->mu);
}

// A lookup is answered while an import of the same node is writing, small
// or bulk (which drops the index by citizen in its transaction), from the
// records as they were before the import; after it, from the new ones.
static void
test_lookup_during_import(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256], text[512];
	uint8_t         y[FS_OPRF_OUTPUT_BYTES], sa[32], jti[FS_JTI_BYTES];
	const char     *id = ID_A;
	fs_revlist      rl = { 0 };
	fs_contribution c;
	fs_import_stats st;
	char           *tok;

	rules(fx);
	cache(fx, ID_A);
	crypto_generichash(
	    y, sizeof(y), (const uint8_t *) id, strlen(id), NULL, 0);
	fs_pseudonym_subject(sa, y);
	assert_int_equal(import(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n",
	                     why),
	    FS_OK);
	assert_int_equal(
	    fs_node_set_revocations(fx->n, &rl, fs_now_ms()), FS_OK);
	tok = token_for(fx, sa, 4, jti);
	snprintf(p, sizeof(p), "%s/records.csv", fx->dir);
	for (int bulk = 0; bulk < 2; bulk++) {
		during d = { .n = fx->n };

		pthread_mutex_init(&d.mu, NULL);
		pthread_cond_init(&d.cv, NULL);
		node_big_import = bulk ? 1 : 100000;
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "N1," ID_A ",NEG,e1,2024-01-01\n"
		    "N2," ID_A ",NEG,e2,2024-01-01\n%s",
		    bulk ? "N3," ID_A ",NEG,e3,2024-01-01\n" : "");
		put(p, text);
		seal_lookup(fx, NULL, sa, tok, &d.req, &d.reqlen);
		assert_int_equal(fs_node_records_import(fx->n, p, while_writing,
		                     &d, &st, why, sizeof(why)),
		    FS_OK);
		event(&d, EV_IMPORTED);
		assert_true(st.bulk == (bulk == 1));
		assert_true(d.started);
		assert_int_equal(pthread_join(d.thr, NULL), 0);
		assert_int_equal(d.nev, 3);
		assert_int_equal(d.ev[0], EV_WRITING);
		assert_int_equal(d.ev[1], EV_ANSWERED);
		assert_int_equal(d.ev[2], EV_IMPORTED);
		assert_int_equal(open_reply(fx, d.rep, d.replen, &c), FS_OK);
		assert_int_equal(c.considered, 1 + bulk);
		fs_contribution_fini(&c);
		assert_int_equal(ask(fx, NULL, sa, tok, &c), FS_OK);
		assert_int_equal(c.considered, 2 + bulk);
		fs_contribution_fini(&c);
		free(d.req);
		pthread_cond_destroy(&d.cv);
		pthread_mutex_destroy(&d.mu);
	}
	node_big_import = 100000;
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_reads_rfc4180),
		cmocka_unit_test(test_csv_refuses_with_line),
		cmocka_unit_test(test_csv_bounds_fields_and_records),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_workdays_skip_weekends_and_holidays),
		cmocka_unit_test(test_event_ref_normal_form),
		cmocka_unit_test(test_rules_version_is_content),
		cmocka_unit_test(test_rules_refused_with_line),
		cmocka_unit_test(test_score_validity),
		cmocka_unit_test(test_score_repair_and_disputes),
		cmocka_unit_test(test_score_one_behavior_counts_once),
		cmocka_unit_test_setup_teardown(
		    test_import_bad_records_change_nothing, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_then_contribution, setup_node, teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_large_path, setup_node, teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_updates_and_refuses_twice, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_reexport_keeps_index, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_reexport_guessed_wrong, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_answer_checks_counts_and_logs, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_lookup_during_import, setup_node, teardown_node),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
