// SPDX-License-Identifier: Apache-2.0
//
// test_conf.c -- configuration files: sections, paths, whole numbers,
// durations, and the line each error names.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"

static fs_err
parse(const char *text, fs_conf **cp, char *why)
{
	return (fs_conf_parse(
	    cp, text, strlen(text), "/etc/fs/t.conf", why, FS_WHY_MAX));
}

static void
test_conf_sections_and_paths(void **state)
{
	static const char     *allowed[]  = { "key", "listen", "db", NULL };
	static const char     *required[] = { "key", NULL };
	char                   why[FS_WHY_MAX];
	fs_conf               *c;
	const fs_conf_section *s;
	char                  *p;

	(void) state;
	assert_int_equal(
	    parse("# issuer\n[issuer]\nkey = issuer.key\n"
	          "  listen=tcp://127.0.0.1:7400  \n"
	          "[node traffic]\nkey = /abs/t.pub ; not a comment\n",
	        &c, why),
	    FS_OK);
	assert_int_equal(c->n, 2);
	s = fs_conf_section_find(c, "issuer", NULL);
	assert_non_null(s);
	assert_int_equal(
	    fs_conf_check(c, s, allowed, required, why, sizeof(why)), FS_OK);
	p = fs_conf_path(c, s, "key");
	assert_string_equal(p, "/etc/fs/issuer.key");
	free(p);
	p = fs_conf_path(c, s, "listen");
	assert_string_equal(p, "tcp://127.0.0.1:7400");
	free(p);
	s = fs_conf_section_find(c, "node", "traffic");
	assert_non_null(s);
	assert_string_equal(
	    fs_conf_get(s, "key"), "/abs/t.pub ; not a comment");
	assert_null(fs_conf_section_find(c, "node", "court"));
	assert_int_equal(fs_conf_check(c, s, allowed,
	                     (const char *[]) { "db", NULL }, why, sizeof(why)),
	    FS_ERR_CONFIG);
	assert_non_null(strstr(why, "t.conf:5: section [node traffic] needs"));
	fs_conf_free(c);
}

static void
test_conf_errors_name_the_line(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "key = x\n",
		    "t.conf:1: expected 'key = value' inside a section" },
		{ "[a]\nno equals sign\n", "t.conf:2: expected 'key = value'" },
		{ "[a\n", "t.conf:1: expected a section header" },
		{ "[a b c]\n", "t.conf:1: expected section type and name" },
		{ "[a]\nk = 1\nk = 2\n",
		    "t.conf:3: 'k' is already set on line 2" },
		{ "[a]\nbad key = 1\n", "t.conf:2: expected a key" },
		{ "[a]\nunknown = 1\n",
		    "t.conf:2: 'unknown' is not a setting" },
	};
	static const char *allowed[] = { "k", NULL };
	char               why[FS_WHY_MAX];
	fs_conf           *c;

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fs_err rv = parse(cases[i].text, &c, why);

		if (rv == FS_OK) {
			rv = fs_conf_check(c, &c->sections[0], allowed, NULL,
			    why, sizeof(why));
			fs_conf_free(c);
		}
		assert_int_equal(rv, FS_ERR_CONFIG);
		if (strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: expected '%s' in '%s'", i,
			    cases[i].want, why);
		}
	}
}

static void
test_conf_int_and_duration(void **state)
{
	char     why[FS_WHY_MAX];
	fs_conf *c;
	int64_t  v;

	(void) state;
	assert_int_equal(parse("[a]\nn = 12\nbad = 12x\n", &c, why), FS_OK);
	assert_int_equal(fs_conf_int(c, &c->sections[0], "n", 0, 1, 100, &v,
	                     why, sizeof(why)),
	    FS_OK);
	assert_int_equal(v, 12);
	assert_int_equal(fs_conf_int(c, &c->sections[0], "missing", 7, 1, 100,
	                     &v, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(v, 7);
	assert_int_equal(fs_conf_int(c, &c->sections[0], "bad", 0, 1, 100, &v,
	                     why, sizeof(why)),
	    FS_ERR_CONFIG);
	assert_non_null(
	    strstr(why, "t.conf:3: expected bad to be a whole number"));
	assert_int_equal(fs_conf_int(c, &c->sections[0], "n", 0, 1, 10, &v, why,
	                     sizeof(why)),
	    FS_ERR_CONFIG);
	fs_conf_free(c);

	assert_int_equal(fs_parse_duration("10m", &v), FS_OK);
	assert_int_equal(v, 600000);
	assert_int_equal(fs_parse_duration("250ms", &v), FS_OK);
	assert_int_equal(v, 250);
	assert_int_equal(fs_parse_duration("3d", &v), FS_OK);
	assert_int_equal(v, 3 * 86400000LL);
	assert_int_equal(fs_parse_duration("10", &v), FS_ERR_MALFORMED);
	assert_int_equal(fs_parse_duration("-1s", &v), FS_ERR_MALFORMED);
	assert_int_equal(fs_parse_duration("m", &v), FS_ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_sections_and_paths),
		cmocka_unit_test(test_conf_errors_name_the_line),
		cmocka_unit_test(test_conf_int_and_duration),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
