// SPDX-License-Identifier: Apache-2.0
//
// problem.h -- RFC 9457 problem details: the one form in which every
// HTTP API of fedscore refuses, whether the refusal comes from a handler
// (a consent not valid) or from the server itself (no such path, a body
// too large).

#ifndef FS_NET_PROBLEM_H
#define FS_NET_PROBLEM_H

#include "common/err.h"

#define FS_PROBLEM_CTYPE  "application/problem+json"
#define FS_PROBLEM_PREFIX "urn:fedscore:problem:"

// fs_problem_json returns the compact JSON object
// {"type":"urn:fedscore:problem:TYPE","title":TITLE,"status":STATUS,
// "detail":DETAIL}, malloc'd, or NULL when out of memory.
char *fs_problem_json(
    int status, const char *type, const char *title, const char *detail);

// fs_problem_of_err is fs_problem_json with the type and title of err:
// its stable name ("used-up") and its description.
char *fs_problem_of_err(int status, fs_err err, const char *detail);

#endif // FS_NET_PROBLEM_H
