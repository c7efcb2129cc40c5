// SPDX-License-Identifier: Apache-2.0
//
// process.h -- fedscore commands run as processes, their output in files,
// and the directory they ran in removed: for fedscore demo, and for the
// benchmarks that run a whole federation (bench/ links this part of
// cli/, and only this part).

#ifndef FS_CLI_PROCESS_H
#define FS_CLI_PROCESS_H

#include <sys/types.h>

#define CLI_SPAWN_ARGS_MAX 32

// cli_spawn starts the program at path as "fedscore ARGS..." (args ends
// with NULL; the arguments after the first CLI_SPAWN_ARGS_MAX are left
// out), with its stdout to the file out, emptied first, and its stderr
// appended to the file err: 0 with its pid in *pidp, or posix_spawn's
// error number.
int cli_spawn(pid_t *pidp, const char *path, const char *const args[],
    const char *out, const char *err);

// cli_rmtree removes dir and all it holds, from outside it (the process
// moves to /): 0, or -1.
int cli_rmtree(const char *dir);

#endif // FS_CLI_PROCESS_H
