// SPDX-License-Identifier: Apache-2.0
//
// test_csv.c -- the CSV reader: RFC 4180 with a BOM, quotes and line
// breaks, every refusal with its line, and the bounds of fields and
// records.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "node/node.h"
#include "node/nodeimpl.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_reads_rfc4180),
		cmocka_unit_test(test_csv_refuses_with_line),
		cmocka_unit_test(test_csv_bounds_fields_and_records),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
