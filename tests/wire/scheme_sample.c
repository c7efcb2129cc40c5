// SPDX-License-Identifier: Apache-2.0
//
// scheme_sample.c -- a scheme with Yuxi's values.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "tests/wire/scheme_sample.h"
#include "wire/scheme.h"

const char yuxi[] = "[scheme]\n"
                    "id = yuxi\nversion = t1\nregion = yuxi\n"
                    "scale_min = 0\nscale_max = 1000\nbase = 500\n"
                    "purposes = credit_loan rental self\n"
                    "[tier excellent]\nlabel = 优秀\nmin = 800\n"
                    "[tier good]\nlabel = 良好\nmin = 600\n"
                    "[tier fair]\nlabel = 一般\nmin = 500\n"
                    "[tier poor]\nlabel = 不足\nmin = 0\n";

void
load(fs_scheme *s, const char *text)
{
	char why[FS_WHY_MAX];

	if (fs_scheme_parse(s, text, strlen(text), "t.scheme", why, sizeof(why))
	    != FS_OK) {
		fail_msg("scheme: %s", why);
	}
}
