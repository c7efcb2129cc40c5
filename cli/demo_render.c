// SPDX-License-Identifier: Apache-2.0
//
// demo_render.c -- how fedscore demo shows what the commands it runs
// answered: a lookup's answer or refusal, a command's result, the lines
// of a report that matter to the story.  Output goes to stdout, flushed
// at once, as the commands run between the lines.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void
demo_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

// say_breakdown shows the score by dimension of the result r.
static void
say_breakdown(json_t *r)
{
	json_t *b = json_object_get(r, "breakdown");

	if (b == NULL) {
		return;
	}
	demo_say("      by dimension: basic %lld, positive %+lld, negative "
	         "%+lld, "
	         "repair %+lld, usage %+lld%s\n",
	    (long long) json_integer_value(json_object_get(b, "basic")),
	    (long long) json_integer_value(json_object_get(b, "positive")),
	    (long long) json_integer_value(json_object_get(b, "negative")),
	    (long long) json_integer_value(json_object_get(b, "repair")),
	    (long long) json_integer_value(json_object_get(b, "usage")),
	    json_is_true(json_object_get(r, "disputed"))
	        ? "; includes a disputed record"
	        : "");
}

void
demo_say_answer(const char *json)
{
	json_t *a = json_loads(json, 0, NULL);
	json_t *r = json_object_get(a, "result");
	json_t *t = json_object_get(r, "tier");
	json_t *n = json_object_get(a, "nodes");
	json_t *s = json_object_get(a, "scheme");
	json_t *m = json_object_get(n, "missing");

	if (a == NULL) {
		demo_say("    (unreadable answer)\n");
		return;
	}
	demo_say("    → ");
	if (json_is_integer(json_object_get(r, "score"))) {
		demo_say("score %lld, ",
		    (long long) json_integer_value(
		        json_object_get(r, "score")));
	}
	demo_say("tier %s (%s)\n",
	    json_string_value(json_object_get(t, "label")),
	    json_string_value(json_object_get(t, "name")));
	say_breakdown(r);
	demo_say("      %lld of %lld departments answered%s; scheme %s %s; "
	         "disclosure #%lld logged\n",
	    (long long) json_integer_value(json_object_get(n, "answered")),
	    (long long) json_integer_value(json_object_get(n, "expected")),
	    json_is_true(json_object_get(a, "complete")) ? "" : " (INCOMPLETE)",
	    json_string_value(json_object_get(s, "id")),
	    json_string_value(json_object_get(s, "version")),
	    (long long) json_integer_value(
	        json_object_get(json_object_get(a, "disclosure"), "index")));
	for (size_t i = 0; i < json_array_size(m); i++) {
		json_t *x = json_array_get(m, i);

		demo_say("      missing: %s (%s)\n",
		    json_string_value(json_object_get(x, "node")),
		    json_string_value(json_object_get(x, "reason")));
	}
	json_decref(a);
}

void
demo_say_refusal(const char *err)
{
	const char *line = strstr(err, "refused");

	demo_say("    → refused: %s", line != NULL ? line : err);
}

void
demo_say_result(const char *text)
{
	char *copy = strdup(text), *line;

	if (copy == NULL) {
		return;
	}
	for (line = strtok(copy, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		demo_say("    %s%s\n", line[0] == ' ' ? "" : "→ ", line);
	}
	free(copy);
}

void
demo_say_lines(const char *text, const char *const *prefixes)
{
	char *copy = strdup(text), *line;

	if (copy == NULL) {
		return;
	}
	for (line = strtok(copy, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		for (const char *const *p = prefixes; *p != NULL; p++) {
			if (strncmp(line, *p, strlen(*p)) == 0) {
				demo_say("    %s\n", line);
				break;
			}
		}
	}
	free(copy);
}
