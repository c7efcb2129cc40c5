// SPDX-License-Identifier: Apache-2.0
//
// fixture.h -- dates, files, rules and a node on disk with its keys and
// configuration, for the tests of the department node.  Pseudonyms are put
// in the node's cache directly, so no issuer runs here; tests/node.sh runs
// a real one.

#ifndef FS_TEST_NODE_FIXTURE_H
#define FS_TEST_NODE_FIXTURE_H

#include <stdint.h>

#include "common/err.h"
#include "crypto/key.h"
#include "node/node.h"
#include "node/nodeimpl.h"

// d parses the date s; the test fails when it cannot.
fs_day d(const char *s);

// put writes text to the file at path.
void put(const char *path, const char *text);

// rules_csv holds four rules, one of each kind: negative and positive,
// shared across departments or not.
extern const char rules_csv[];

// parse_rules parses text as the rules file rules.csv into rs.
fs_err parse_rules(const char *text, fs_ruleset *rs, char *why);

// A node on disk, in the directory dir, with its configuration at
// conf and the keys of the node, its issuer and its coordinator.
typedef struct fixture {
	char     dir[64];
	char     conf[128];
	fs_node *n;
	fs_key  *node, *issuer, *coord;
} fixture;

// setup_node makes a node of rules_csv in a new directory, as a
// cmocka setup; teardown_node closes it and removes the directory.
int setup_node(void **state);
int teardown_node(void **state);

// db_hash hashes every row of every table of both databases.
void db_hash(const fixture *fx, uint8_t out[static 32]);

#define ID_A "320402198503120019"
#define ID_B "320402199001010025"

// import_st writes text to the fixture's records.csv and imports it;
// import does the same without the counts.
fs_err import_st(fixture *fx, const char *text, fs_import_stats *st, char *why);
fs_err import(fixture *fx, const char *text, char *why);

// rules imports the fixture's rules.csv.
void rules(fixture *fx);

// cache puts id's pseudonyms in the node's cache.
void cache(fixture *fx, const char *id);

#endif // FS_TEST_NODE_FIXTURE_H
