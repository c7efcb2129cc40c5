// SPDX-License-Identifier: Apache-2.0
//
// report.c -- an audit's report: lines of information and findings, in
// the order found, for a command to print.  Out of memory, a line is
// dropped but a finding is still counted, so a report never reads
// cleaner than what was found.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "common/err.h"
#include "common/grow.h"

void
fs_audit_report_init(fs_audit_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
fs_audit_report_fini(fs_audit_report *r)
{
	if (r == NULL) {
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		free(r->lines[i].text);
	}
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

static void
add(fs_audit_report *r, bool finding, const char *fmt, va_list ap)
{
	char   *text;
	va_list aq;
	int     n;

	if (finding) {
		r->findings++;
	}
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || (text = malloc((size_t) n + 1)) == NULL) {
		return;
	}
	vsnprintf(text, (size_t) n + 1, fmt, ap);
	if (fs_grow(&r->lines, &r->cap, r->n, sizeof(*r->lines), 16) != FS_OK) {
		free(text);
		return;
	}
	r->lines[r->n].finding = finding;
	r->lines[r->n].text    = text;
	r->n++;
}

void
fs_audit_info(fs_audit_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(r, false, fmt, ap);
	va_end(ap);
}

void
fs_audit_finding(fs_audit_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(r, true, fmt, ap);
	va_end(ap);
}
