// SPDX-License-Identifier: Apache-2.0
//
// demo.c -- fedscore demo: the whole federation on this machine, end to
// end, in a temporary directory.
//
// An issuer, four department nodes with the sample records of
// deploy/sample, and a coordinator with the Yuxi scheme, each its own
// process on its own socket; a bank and a landlord as requesters.  The
// demo grants consent, looks scores up by scope, shows refusals and a
// node down, then stops everything and removes the directory.  Every
// step is a real fedscore command, as an operator would run it; the demo
// only orchestrates them (processes are started with posix_spawn, before
// this process touches nng).  At the end a privacy auditor verifies the
// coordinator's log and reconciles every department's signed release log
// with it.

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/rfc3339.h"
#include "crypto/paseto.h"

extern char **environ;

static const char usage[] = "usage: fedscore demo [--keep] [--data DIR]\n";

#define ARGS_MAX 24
#define NODES    4

static const char *const nodes[NODES]
    = { "traffic", "court", "tax", "volunteer" };
static const char *const node_titles[NODES] = { "公安交警 traffic police",
	"法院 court", "税务 tax bureau", "民政 civil affairs (volunteering)" };

typedef struct demo {
	char  dir[PATH_MAX];
	char  data[PATH_MAX];
	char  schemes[PATH_MAX + 16]; // data + "/../schemes"
	int   port;
	pid_t issuer, coord, node[NODES];
	char  names[8][64];
	char  ids[8][24];
	int   ncitizens;
} demo;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

// spawn runs "fedscore ARGS..." with its stdout to out (or /dev/null) and
// its stderr appended to log, both in the demo's directory.
static pid_t
spawn(const demo *d, const char *out, const char *log, const char *args[])
{
	posix_spawn_file_actions_t fa;
	char                      *argv[ARGS_MAX + 2];
	char                       outp[PATH_MAX + 64], logp[PATH_MAX + 64];
	pid_t                      pid;
	int                        rv, i;

	if (out != NULL) {
		snprintf(outp, sizeof(outp), "%s/%s", d->dir, out);
	} else {
		snprintf(outp, sizeof(outp), "/dev/null");
	}
	snprintf(logp, sizeof(logp), "%s/%s", d->dir, log);
	argv[0] = (char *) "fedscore";
	for (i = 0; args[i] != NULL && i < ARGS_MAX; i++) {
		argv[i + 1] = (char *) args[i];
	}
	argv[i + 1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(
	    &fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(
	    &fa, 2, logp, O_WRONLY | O_CREAT | O_APPEND, 0600);
	rv = posix_spawn(&pid, cli_self, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rv != 0) {
		fprintf(stderr, "fedscore demo: cannot start %s: %s\n",
		    cli_self, strerror(rv));
		return (-1);
	}
	return (pid);
}

static int
wait_for(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		return (-1);
	}
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

// run runs a command to its end; its stdout goes to the file out.
static int
run(const demo *d, const char *out, const char *args[])
{
	return (wait_for(spawn(d, out, "commands.log", args)));
}

static char *
slurp(const demo *d, const char *name)
{
	char  path[PATH_MAX + 64];
	FILE *f;
	char *buf;
	long  n;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		return (strdup(""));
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if ((buf = calloc(1, (size_t) n + 1)) != NULL) {
		n      = (long) fread(buf, 1, (size_t) n, f);
		buf[n] = '\0';
	}
	fclose(f);
	return (buf);
}

static int put(const demo *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
put(const demo *d, const char *name, const char *fmt, ...)
{
	char    path[PATH_MAX + 64];
	FILE   *f;
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		return (-1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	return (fclose(f));
}

static int
free_port(void)
{
	struct sockaddr_in a    = { .sin_family = AF_INET };
	socklen_t          len  = sizeof(a);
	int                s    = socket(AF_INET, SOCK_STREAM, 0);
	int                port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *) &a, sizeof(a)) == 0
	    && getsockname(s, (struct sockaddr *) &a, &len) == 0) {
		port = ntohs(a.sin_port);
	}
	if (s >= 0) {
		close(s);
	}
	return (port);
}

// wait_listening polls until the coordinator accepts connections.
static bool
wait_listening(int port)
{
	struct sockaddr_in a  = { .sin_family = AF_INET };
	struct timespec    ts = { 0, 50 * 1000 * 1000 };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port        = htons((uint16_t) port);
	for (int i = 0; i < 200; i++) {
		int  s  = socket(AF_INET, SOCK_STREAM, 0);
		bool ok = s >= 0
		    && connect(s, (struct sockaddr *) &a, sizeof(a)) == 0;

		if (s >= 0) {
			close(s);
		}
		if (ok) {
			return (true);
		}
		nanosleep(&ts, NULL);
	}
	return (false);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return (remove(path));
}

// find_data locates deploy/sample: --data, then beside the build tree or
// the installed share directory.
static bool
find_data(demo *d, const char *given)
{
	char        self[PATH_MAX], base[PATH_MAX];
	const char *tries[] = { "%s/../../deploy/sample", "%s/../deploy/sample",
		"%s/../share/fedscore/sample" };
	struct stat st;

	if (given != NULL) {
		if (realpath(given, d->data) == NULL) {
			return (false);
		}
	} else {
		if (realpath(cli_self, self) == NULL) {
			return (false);
		}
		snprintf(base, sizeof(base), "%s", dirname(self));
		d->data[0] = '\0';
		for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
			char p[PATH_MAX + 64];

			snprintf(p, sizeof(p), tries[i], base);
			if (realpath(p, d->data) != NULL
			    && stat(d->data, &st) == 0) {
				break;
			}
			d->data[0] = '\0';
		}
		if (d->data[0] == '\0') {
			return (false);
		}
	}
	snprintf(d->schemes, sizeof(d->schemes), "%s/../schemes", d->data);
	return (true);
}

static bool
load_citizens(demo *d)
{
	char  path[PATH_MAX + 64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/citizens.csv", d->data);
	if ((f = fopen(path, "r")) == NULL) {
		return (false);
	}
	while (fgets(line, sizeof(line), f) != NULL && d->ncitizens < 8) {
		char *comma = strrchr(line, ',');

		if (comma == NULL || strncmp(line, "name,", 5) == 0) {
			continue;
		}
		*comma = '\0';
		snprintf(
		    d->names[d->ncitizens], sizeof(d->names[0]), "%.63s", line);
		snprintf(d->ids[d->ncitizens], sizeof(d->ids[0]), "%.18s",
		    comma + 1);
		d->ncitizens++;
	}
	fclose(f);
	return (d->ncitizens >= 5);
}

static void
stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		wait_for(*pid);
		*pid = 0;
	}
}

// grant asks the issuer for a consent token, into the file tok.
static bool
grant(demo *d, int who, const char *to, const char *purpose, const char *scope,
    const char *uses)
{
	const char *args[] = { "consent", "grant", "-c", "issuer.conf", "--id",
		d->ids[who], "--to", to, "--purpose", purpose, "--scope", scope,
		"--uses", uses, NULL };

	return (run(d, "token", args) == 0);
}

static void
show_answer(const char *json)
{
	json_t *a = json_loads(json, 0, NULL);
	json_t *r = json_object_get(a, "result");
	json_t *t = json_object_get(r, "tier");
	json_t *n = json_object_get(a, "nodes");
	json_t *s = json_object_get(a, "scheme");
	json_t *b = json_object_get(r, "breakdown");
	json_t *m = json_object_get(n, "missing");

	if (a == NULL) {
		say("    (unreadable answer)\n");
		return;
	}
	say("    → ");
	if (json_is_integer(json_object_get(r, "score"))) {
		say("score %lld, ",
		    (long long) json_integer_value(
		        json_object_get(r, "score")));
	}
	say("tier %s (%s)\n", json_string_value(json_object_get(t, "label")),
	    json_string_value(json_object_get(t, "name")));
	if (b != NULL) {
		say("      by dimension: basic %lld, positive %+lld, negative "
		    "%+lld, "
		    "repair %+lld, usage %+lld%s\n",
		    (long long) json_integer_value(json_object_get(b, "basic")),
		    (long long) json_integer_value(
		        json_object_get(b, "positive")),
		    (long long) json_integer_value(
		        json_object_get(b, "negative")),
		    (long long) json_integer_value(
		        json_object_get(b, "repair")),
		    (long long) json_integer_value(json_object_get(b, "usage")),
		    json_is_true(json_object_get(r, "disputed"))
		        ? "; includes a disputed record"
		        : "");
	}
	say("      %lld of %lld departments answered%s; scheme %s %s; "
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

		say("      missing: %s (%s)\n",
		    json_string_value(json_object_get(x, "node")),
		    json_string_value(json_object_get(x, "reason")));
	}
	json_decref(a);
}

// lookup runs "fedscore lookup" as requester with the token in tok and
// shows the answer or the refusal; want_ok says which is expected.
static bool
lookup(demo *d, const char *requester, const char *scope, bool want_ok)
{
	char        url[64], key[320];
	char       *tok    = slurp(d, "token"), *out, *err;
	const char *args[] = { "lookup", "--coordinator", url,
		"--coordinator-key", "coord.key.pub", "--key", key, "--scope",
		scope, tok, NULL };
	int         rc;
	bool        ok;

	tok[strcspn(tok, "\n")] = '\0';
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", d->port);
	snprintf(key, sizeof(key), "%s.key", requester);
	if (scope == NULL) {
		args[7] = tok;
		args[8] = NULL;
	}
	{
		char p[PATH_MAX + 64];

		snprintf(p, sizeof(p), "%s/lookup.err", d->dir);
		unlink(p);
	}
	rc  = wait_for(spawn(d, "answer.json", "lookup.err", args));
	out = slurp(d, "answer.json");
	err = slurp(d, "lookup.err");
	if (rc == 0) {
		show_answer(out);
	} else {
		char *line = strstr(err, "refused");

		say("    → refused: %s", line != NULL ? line : err);
	}
	ok = (rc == 0) == want_ok;
	if (!ok) {
		say("    !! expected %s\n",
		    want_ok ? "an answer" : "a refusal");
	}
	free(tok);
	free(out);
	free(err);
	return (ok);
}

static bool
setup(demo *d)
{
	const char *issuer_init[]
	    = { "issuer", "init", "-c", "issuer.conf", NULL };
	char keyname[64];

	if (put(d, "issuer.conf",
	        "[issuer]\nname = yuxi-real-name-platform\nregion = yuxi\n"
	        "key = issuer.key\noprf_seed = oprf.seed\ndb = issuer.db\n"
	        "listen = ipc://%s/issuer.sock\n"
	        "purposes = credit_loan rental hotel travel self\n",
	        d->dir)
	        != 0
	    || run(d, NULL, issuer_init) != 0) {
		return (false);
	}
	say("  issuer: Ed25519 key for consent tokens, OPRF key for "
	    "pseudonyms\n");
	for (int i = 0; i < NODES + 3; i++) {
		const char *name = i < NODES ? nodes[i]
		    : i == NODES             ? "coord"
		    : i == NODES + 1         ? "bank-a"
		                             : "landlord-b";
		const char *args[]
		    = { "keygen", "-o", keyname, "--name", name, NULL };

		snprintf(keyname, sizeof(keyname), "%s.key", name);
		if (run(d, NULL, args) != 0) {
			return (false);
		}
	}
	say("  keys for 4 nodes, the coordinator, a bank and a landlord\n");
	for (int i = 0; i < NODES + 1; i++) {
		const char *name = i < NODES ? nodes[i] : "coord";
		char        pub[64];
		const char *args[] = { "issuer", "register", "-c",
			"issuer.conf", "--name", name, "--role",
			i < NODES ? "node" : "coordinator", "--key", pub,
			NULL };

		snprintf(pub, sizeof(pub), "%s.key.pub", name);
		if (run(d, NULL, args) != 0) {
			return (false);
		}
	}
	return (true);
}

static bool
start_nodes(demo *d)
{
	for (int i = 0; i < NODES; i++) {
		char conf[64], rules[PATH_MAX + 64], records[PATH_MAX + 64];
		const char *ri[]
		    = { "node", "rules", "import", "-c", conf, rules, NULL };
		const char *rr[] = { "node", "records", "import", "-c", conf,
			records, NULL };
		const char *sv[] = { "node", "serve", "-c", conf, NULL };
		char       *out;

		snprintf(conf, sizeof(conf), "%s.conf", nodes[i]);
		snprintf(
		    rules, sizeof(rules), "%s/%s.rules.csv", d->data, nodes[i]);
		snprintf(records, sizeof(records), "%s/%s.records.csv", d->data,
		    nodes[i]);
		if (put(d, conf,
		        "[node]\nname = %s\nkey = %s.key\ndb = %s.db\n"
		        "listen = ipc://%s/%s.sock\ncoordinator = "
		        "coord.key.pub\n"
		        "revocation_refresh = 1s\n"
		        "[issuer]\nurl = ipc://%s/issuer.sock\n"
		        "key = issuer.key.pub\noprf = oprf.seed.pub\n"
		        "region = yuxi\n",
		        nodes[i], nodes[i], nodes[i], d->dir, nodes[i], d->dir)
		        != 0
		    || run(d, NULL, ri) != 0 || run(d, "import.out", rr) != 0) {
			say("  !! node %s: import failed, see "
			    "%s/commands.log\n",
			    nodes[i], d->dir);
			return (false);
		}
		out                     = slurp(d, "import.out");
		out[strcspn(out, "\n")] = '\0';
		say("  %-34s %s\n", node_titles[i], out);
		free(out);
		if ((d->node[i] = spawn(d, NULL, "nodes.log", sv)) < 0) {
			return (false);
		}
	}
	return (true);
}

static bool
start_coordinator(demo *d)
{
	const char *sv[] = { "coordinator", "serve", "-c", "coord.conf", NULL };
	char        scheme[PATH_MAX + 64];
	FILE       *f;
	char        path[PATH_MAX + 64];

	snprintf(scheme, sizeof(scheme), "%s/yuxi.conf", d->schemes);
	snprintf(path, sizeof(path), "%s/coord.conf", d->dir);
	if ((d->port = free_port()) < 0 || (f = fopen(path, "w")) == NULL) {
		return (false);
	}
	fprintf(f,
	    "[coordinator]\nname = yuxi-credit-center\nkey = coord.key\n"
	    "db = coord.db\nscheme = %s\nhttp = http://127.0.0.1:%d\n"
	    "revocation_refresh = 1s\n"
	    "[issuer]\nurl = ipc://%s/issuer.sock\nkey = issuer.key.pub\n"
	    "region = yuxi\n"
	    "[requester bank-a]\nkey = bank-a.key.pub\npurposes = credit_loan\n"
	    "[requester landlord-b]\nkey = landlord-b.key.pub\n"
	    "purposes = rental\n",
	    scheme, d->port, d->dir);
	for (int i = 0; i < NODES; i++) {
		fprintf(f,
		    "[node %s]\nkey = %s.key.pub\nurl = ipc://%s/%s.sock\n",
		    nodes[i], nodes[i], d->dir, nodes[i]);
	}
	if (fclose(f) != 0
	    || (d->coord = spawn(d, NULL, "coord.log", sv)) < 0) {
		return (false);
	}
	if (!wait_listening(d->port)) {
		say("  !! the coordinator did not start; see %s/coord.log\n",
		    d->dir);
		return (false);
	}
	say("  coordinator: Yuxi scheme (base 500; 信用优秀 ≥800, 良好 ≥600, "
	    "一般 ≥500, 不足 below), http://127.0.0.1:%d\n",
	    d->port);
	return (true);
}

// value_after returns the value after prefix in text, up to the end of
// the line or a quote, in out; "" when there is none.
static void
value_after(const char *text, const char *prefix, char *out, size_t cap)
{
	const char *p = strstr(text, prefix);
	size_t      n;

	out[0] = '\0';
	if (p != NULL) {
		p += strlen(prefix);
		n = strcspn(p, "\"\n");
		snprintf(out, cap, "%.*s", (int) n, p);
	}
}

// recognition: a Yuxi citizen's tier, recognized in Changzhou.  The
// citizen grants an attest consent (and keeps the salt the issuer hands
// over); bank-a looks the tier up and gets an attestation; Changzhou's
// credit office has signed a trust list for Yuxi's key; a Changzhou
// verifier, shown the code, the ID number and the salt, checks it all
// offline.
static bool
recognition(demo *d)
{
	const char *who  = d->ids[4];
	const char *gr[] = { "consent", "grant", "-c", "issuer.conf", "--id",
		who, "--to", "bank-a", "--purpose", "credit_loan", "--scope",
		"attest", NULL };
	const char *kg[] = { "keygen", "-o", "cz-office.key", "--name",
		"changzhou credit office", NULL };
	const char *sg[] = { "attest", "trust", "sign", "-k", "cz-office.key",
		"-o", "cz-trust.list", "cz-trust.ini", NULL };
	char        salt[64], att[FS_PASETO_MAX_LEN + 1], nb[FS_TIME_LEN + 1];
	char        na[FS_TIME_LEN + 1];
	char       *err, *ans, *key, *out;
	time_t      now = time(NULL);
	bool        ok;

	say("  %s grants an attest consent; the issuer hands the salt of "
	    "the\n  subject binding to the citizen only\n",
	    d->names[4]);
	unlink("grant.err");
	if (wait_for(spawn(d, "token", "grant.err", gr)) != 0) {
		return (false);
	}
	err = slurp(d, "grant.err");
	value_after(err, "subject binding salt: ", salt, sizeof(salt));
	free(err);
	say("  bank-a asks for the tier only (the credit code):\n");
	if (!lookup(d, "bank-a", "tier", true)) {
		return (false);
	}
	ans = slurp(d, "answer.json");
	value_after(ans, "\"attestation\": \"", att, sizeof(att));
	free(ans);
	key                     = slurp(d, "coord.key.pub");
	key[strcspn(key, "\n")] = '\0';
	fs_time_format(nb, (int64_t) now - 86400);
	fs_time_format(na, (int64_t) now + 365 * 86400);
	ok = salt[0] != '\0' && strncmp(att, "v4.public.", 10) == 0
	    && run(d, NULL, kg) == 0
	    && put(d, "cz-trust.ini",
	           "[trust]\nlocal = changzhou\nscheme = %s/changzhou.conf\n"
	           "[region yuxi]\nkey = %s\nnot_before = %s\n"
	           "not_after = %s\nmap.excellent = excellent\n"
	           "map.good = good\nmap.fair = fair\nmap.poor = poor\n",
	           d->schemes, key, nb, na)
	        == 0
	    && run(d, NULL, sg) == 0;
	free(key);
	if (!ok) {
		say("  !! cannot set up the recognition; see %s/commands.log\n",
		    d->dir);
		return (false);
	}
	say("  Changzhou's credit office signs a trust list: Yuxi's "
	    "coordinator key,\n  valid for a year, each Yuxi tier onto "
	    "Changzhou's of the same rank\n");
	{
		const char *vf[] = { "attest", "verify", "--trust",
			"cz-trust.list", "--office", "cz-office.key.pub",
			"--id", who, "--salt", salt, att, NULL };
		const char *cd[] = { "attest", "code", att, NULL };
		char       *line;

		say("  a Changzhou verifier is shown the code, the ID number "
		    "and the salt:\n");
		ok  = run(d, "verify.out", vf) == 0;
		out = slurp(d, "verify.out");
		for (line = strtok(out, "\n"); line != NULL;
		     line = strtok(NULL, "\n")) {
			say("    %s%s\n", line[0] == ' ' ? "" : "→ ", line);
		}
		free(out);
		if (!ok || run(d, "code.txt", cd) != 0) {
			say("    !! expected the attestation to be "
			    "recognized\n");
			return (false);
		}
		out = slurp(d, "code.txt");
		say("  the credit code, as the citizen's phone would show it "
		    "(fedscore attest code):\n%s",
		    out);
		free(out);
	}
	return (true);
}

// say_lines prints the lines of a command's output that start with one
// of the prefixes, indented.
static void
say_lines(const demo *d, const char *name, const char *const *prefixes)
{
	char *out = slurp(d, name), *line;

	for (line = strtok(out, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		for (const char *const *p = prefixes; *p != NULL; p++) {
			if (strncmp(line, *p, strlen(*p)) == 0) {
				say("    %s\n", line);
				break;
			}
		}
	}
	free(out);
}

// auditor plays the privacy auditor: the coordinator's disclosure log
// verified as it is served, then every department's release log, signed
// by the department, reconciled with the full disclosures.
static bool
auditor(demo *d)
{
	static const char *const vshow[] = { "ok   checkpoint",
		"ok   full records", "ok   revocations", "audit", NULL };
	static const char *const rshow[] = { "ok   node", "audit", NULL };
	const char              *ex[]
	    = { "coordinator", "export", "-c", "coord.conf", NULL };
	const char *rc[ARGS_MAX + 1]
	    = { "audit", "reconcile", "--full", "export.jsonl" };
	char        url[64], rel[NODES][160], key[NODES][160], out[64], cp[80];
	const char *rv[]
	    = { "issuer", "revocations", "-c", "issuer.conf", NULL };
	const char *vf[] = { "audit", "verify", "--log", url, "--key",
		"coord.key.pub", "--state", "audit.state", "--full",
		"export.jsonl", "--issuer", "issuer.key.pub", "--revocations",
		"revocations.note", NULL };
	int         n    = 4;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", d->port);
	say("  the coordinator's log, as anyone can fetch it (C2SP tlog-tiles),"
	    "\n  each entry against its full record and the issuer's "
	    "revocations:\n");
	if (run(d, "export.jsonl", ex) != 0
	    || run(d, "revocations.note", rv) != 0
	    || run(d, "verify.out", vf) != 0) {
		say("    !! audit verify failed; see %s/verify.out\n", d->dir);
		return (false);
	}
	say_lines(d, "verify.out", vshow);
	say("  every department's release log, against its signed checkpoint "
	    "and\n  the coordinator's full disclosures:\n");
	for (int i = 0; i < NODES; i++) {
		char        conf[64];
		const char *rl[] = { "node", "releases", "-c", conf,
			"--checkpoint", cp, NULL };

		snprintf(conf, sizeof(conf), "%s.conf", nodes[i]);
		snprintf(out, sizeof(out), "%s.releases.jsonl", nodes[i]);
		snprintf(cp, sizeof(cp), "%s.checkpoint", out);
		snprintf(rel[i], sizeof(rel[i]), "%s=%s", nodes[i], out);
		snprintf(key[i], sizeof(key[i]), "%s=%s.key.pub", nodes[i],
		    nodes[i]);
		if (run(d, out, rl) != 0) {
			return (false);
		}
		rc[n++] = "--releases";
		rc[n++] = rel[i];
		rc[n++] = "--node-key";
		rc[n++] = key[i];
	}
	rc[n] = NULL;
	if (run(d, "reconcile.out", rc) != 0) {
		say("    !! audit reconcile failed; see %s/reconcile.out\n",
		    d->dir);
		return (false);
	}
	say_lines(d, "reconcile.out", rshow);
	return (true);
}

static bool
scenarios(demo *d)
{
	const char *dispute[] = { "node", "dispute", "open", "-c",
		"traffic.conf", "--record", "JJ-2026-0003", "--reason",
		"the car was sold before that day", NULL };
	const char *repair[] = { "node", "repair", "-c", "tax.conf", "--record",
		"SW-2026-0019", "--date", "2026-06-30", NULL };
	bool        ok       = true;

	say("\n4. Records change at the departments\n");
	ok = ok && run(d, NULL, repair) == 0;
	say("  税务: %s repaid the arrears (credit repair, Yuxi art. 23)\n",
	    d->names[2]);
	ok = ok && run(d, NULL, dispute) == 0;
	say("  交警: %s disputes a drunk-driving record (Changzhou art. 26)\n",
	    d->names[3]);

	say("\n5. Consented lookups\n");
	say("  bank-a, with %s's consent for a loan (scope score):\n",
	    d->names[0]);
	ok = ok && grant(d, 0, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "bank-a", NULL, true);
	say("  landlord-b, with %s's consent for a rental (scope tier): the "
	    "tier only\n",
	    d->names[1]);
	ok = ok && grant(d, 1, "landlord-b", "rental", "tier", "1")
	    && lookup(d, "landlord-b", NULL, true);
	say("  bank-a, %s: the court and the tax bureau report the same "
	    "default;\n  only the larger deduction counts (Changzhou art. "
	    "11.3) (scope breakdown):\n",
	    d->names[1]);
	ok = ok && grant(d, 1, "bank-a", "credit_loan", "breakdown", "2")
	    && lookup(d, "bank-a", NULL, true);
	say("  the same consent again, asking for less (scope tier):\n");
	ok = ok && lookup(d, "bank-a", "tier", true);
	say("  bank-a, %s (expired 2019 red light, repaired arrears):\n",
	    d->names[2]);
	ok = ok && grant(d, 2, "bank-a", "credit_loan", "breakdown", "1")
	    && lookup(d, "bank-a", NULL, true);
	say("  bank-a, %s (a disputed record):\n", d->names[3]);
	ok = ok && grant(d, 3, "bank-a", "credit_loan", "breakdown", "1")
	    && lookup(d, "bank-a", NULL, true);

	say("\n6. Refusals\n");
	say("  landlord-b uses a consent that %s gave bank-a:\n", d->names[4]);
	ok = ok && grant(d, 4, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "landlord-b", NULL, false);
	say("  bank-a uses it twice (granted for one use):\n");
	ok = ok && lookup(d, "bank-a", NULL, true)
	    && lookup(d, "bank-a", NULL, false);
	say("  bank-a with a consent for a hotel stay, a purpose it is not "
	    "registered for:\n");
	ok = ok && grant(d, 4, "bank-a", "hotel", "score", "1")
	    && lookup(d, "bank-a", NULL, false);

	say("\n7. Recognized in another region (mutual recognition, "
	    "Changzhou art. 23)\n");
	ok = ok && recognition(d);

	say("\n8. A department is down (the court's node stops)\n");
	stop(&d->node[1]);
	ok = ok && grant(d, 4, "bank-a", "credit_loan", "score", "1")
	    && lookup(d, "bank-a", NULL, true);

	say("\n9. The privacy auditor\n");
	ok = ok && auditor(d);
	return (ok);
}

int
demo_main(int argc, char **argv)
{
	demo        d      = { 0 };
	char        tmpl[] = "/tmp/fedscore-demo.XXXXXX";
	const char *data   = NULL;
	const char *sv[]   = { "issuer", "serve", "-c", "issuer.conf", NULL };
	bool        keep = false, ok = false;
	char        self[PATH_MAX];

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			return (cli_usage(usage, true));
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = true;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else {
			return (cli_usage(usage, false));
		}
	}
	if (!find_data(&d, data) || !load_citizens(&d)) {
		fprintf(stderr,
		    "fedscore demo: expected the sample departments "
		    "(citizens.csv, "
		    "*.rules.csv, *.records.csv) in deploy/sample beside the "
		    "build, or --data DIR\n");
		return (EXIT_USAGE);
	}
	if (mkdtemp(tmpl) == NULL) {
		fprintf(stderr, "fedscore demo: cannot create %s: %s\n", tmpl,
		    strerror(errno));
		return (EXIT_USAGE);
	}
	snprintf(d.dir, sizeof(d.dir), "%s", tmpl);
	// Every command runs in the demo's directory, as an operator's would
	// in the party's own; fedscore is found by its absolute path.
	if (realpath(cli_self, self) == NULL || chdir(d.dir) != 0) {
		fprintf(stderr, "fedscore demo: cannot run from %s: %s\n",
		    d.dir, strerror(errno));
		return (EXIT_USAGE);
	}
	cli_self = self;
	say("fedscore demo: a federation of 4 departments, in %s\n", d.dir);
	say("data: %s\n\n1. Identities\n", d.data);
	if (!setup(&d)) {
		goto out;
	}
	say("\n2. The issuer (the city's real-name platform) starts\n");
	if ((d.issuer = spawn(&d, NULL, "issuer.log", sv)) < 0) {
		goto out;
	}
	say("\n3. Departments import their rules and records; ID numbers are "
	    "blinded,\n   pseudonymized by the issuer, and never stored\n");
	if (!start_nodes(&d) || !start_coordinator(&d)) {
		goto out;
	}
	ok = scenarios(&d);
out:
	for (int i = 0; i < NODES; i++) {
		stop(&d.node[i]);
	}
	stop(&d.coord);
	stop(&d.issuer);
	say("\n10. Every process stopped%s\n",
	    keep ? "; the directory is kept" : "; the directory is removed");
	if (!keep && chdir("/") == 0) {
		nftw(d.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	say("\n%s\n",
	    ok ? "demo: ok" : "demo: FAILED (run with --keep to look)");
	return (ok ? 0 : EXIT_USAGE);
}
