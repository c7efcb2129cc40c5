// SPDX-License-Identifier: Apache-2.0
//
// demo.h -- shared by the files of fedscore demo; private to cli/.
// demo_harness.c runs fedscore commands and daemons in a directory of
// their own, as operators would run them; demo_render.c prints what they
// answer; demo.c is the story told with the two.

#ifndef FS_DEMO_H
#define FS_DEMO_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define DEMO_ARGS_MAX    24 // the arguments of one command
#define DEMO_DAEMONS_MAX 16
#define DEMO_FILE_MAX    (1 << 20) // what demo_slurp reads of a file

// A harness: the directory every command runs in, and the daemons
// started in it.
typedef struct demo_harness {
	char   dir[PATH_MAX];
	char   self[PATH_MAX]; // the fedscore binary, absolute
	pid_t  daemons[DEMO_DAEMONS_MAX];
	size_t ndaemons;
} demo_harness;

// demo_find_data locates the sample departments, deploy/sample: given,
// or else beside the build tree or in the installed share directory.
bool demo_find_data(char data[static PATH_MAX], const char *given);

// demo_open makes a new directory from tmpl ("/tmp/NAME.XXXXXX") and
// moves into it, as every command runs there, as an operator's would in
// the party's own; fedscore is then found by its absolute path.  False
// (and a message) when it cannot.
bool demo_open(demo_harness *h, const char *tmpl);
// demo_close stops the daemons still running and, unless keep, removes
// the directory.
void demo_close(demo_harness *h, bool keep);

// demo_spawn starts "fedscore ARGS..." (args ends with NULL) with its
// stdout to the file out, or /dev/null when out is NULL, and its stderr
// appended to the file log, both in the directory: its pid, or -1.
pid_t demo_spawn(const demo_harness *h, const char *out, const char *log,
    const char *args[]);
// demo_wait waits for pid to end: its exit status, or -1.
int demo_wait(pid_t pid);
// demo_run runs a command to its end, its stdout to the file out and its
// stderr to commands.log: its exit status.
int demo_run(const demo_harness *h, const char *out, const char *args[]);

// demo_daemon starts a daemon, its stderr to log, and keeps it to stop;
// demo_stop stops one (SIGTERM, then waits for it), demo_stop_all all,
// the last started first.
pid_t demo_daemon(demo_harness *h, const char *log, const char *args[]);
void  demo_stop(demo_harness *h, pid_t pid);
void  demo_stop_all(demo_harness *h);
// demo_free_port: a TCP port free on the loopback now, or -1;
// demo_wait_listening polls until something accepts connections on it,
// for up to 10 s.
int  demo_free_port(void);
bool demo_wait_listening(int port);

// Files of the directory: demo_slurp reads one whole (malloc'd; "" when
// it cannot, or it is larger than DEMO_FILE_MAX), demo_put writes one,
// demo_unlink removes one.
char *demo_slurp(const demo_harness *h, const char *name);
int   demo_put(const demo_harness *h, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void demo_unlink(const demo_harness *h, const char *name);

// The federation (demo_federation.c): the departments and their names
// as the story tells them, the sample citizens, and the daemons.
#define DEMO_NODES 4
extern const char *const demo_nodes[DEMO_NODES];

// A demo: its harness, the sample data, the coordinator's port and
// whether it serves HTTPS, the departments' daemons, and the citizens of
// citizens.csv.
typedef struct demo {
	demo_harness h;
	char         data[PATH_MAX];
	char         schemes[PATH_MAX + 16]; // data + "/../schemes"
	int          port;
	bool         tls;
	char         url[64]; // the coordinator's, once started
	pid_t        coord;
	pid_t        node[DEMO_NODES];
	char         names[8][64];
	char         ids[8][24];
	int          ncitizens;
} demo;

// demo_load_citizens reads the names and ID numbers of the sample
// citizens, in data/citizens.csv: false when there are fewer than 5.
bool demo_load_citizens(demo *d);
// demo_start_federation tells scenes 1 to 3 as it makes the parties'
// keys, registers and configures them, and starts the issuer, the
// departments and the coordinator, ready for lookups on d->port.
bool demo_start_federation(demo *d);
// demo_partial_scheme starts the coordinator again, on the same port and
// database, with the Yuxi preset changed to accept a partial score
// (require_all = false), as yuxi-partial.conf.
bool demo_partial_scheme(demo *d);

// demo_make_tls (demo_tls.c) makes a throwaway CA and a certificate for
// 127.0.0.1 it signs, in the directory: ca.pem, tls.pem, tls.key.
bool demo_make_tls(const demo_harness *h);

// Rendering (demo_render.c).  demo_say prints to stdout at once, as the
// commands the demo runs print too.
void demo_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// demo_say_answer shows a lookup's answer (JSON, as fedscore lookup
// prints it): score, tier, breakdown, departments and disclosure.
void demo_say_answer(const char *json);
// demo_say_refusal shows why a lookup was refused, from its stderr.
void demo_say_refusal(const char *err);
// demo_say_result shows a command's output indented, its lines that
// start a result marked with an arrow.
void demo_say_result(const char *text);
// demo_say_lines shows the lines of text that start with one of the
// prefixes (NULL-terminated), indented.
void demo_say_lines(const char *text, const char *const *prefixes);

#endif // FS_DEMO_H
