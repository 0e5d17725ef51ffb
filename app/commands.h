/*
 * commands.h - the subcommands. Each lives in core/cmd_<verb>.c, turns argv
 * into a plan and calls the engine; only these functions turn errors into
 * exit codes. argv[0] is the verb itself.
 */
#ifndef COHORT_COMMANDS_H
#define COHORT_COMMANDS_H

#define COHORT_VERSION "0.1.0"

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_protect(int argc, char **argv);
int cmd_linkage(int argc, char **argv);

/*
 * Shared by the commands: prints "cohort: error: MSG" and the command's
 * usage line, returns EXIT_USAGE.
 */
int usage_error(const char *usage, const char *msg);

/* Checks ferror/fclose on stdout; returns rc, or EXIT_IO if stdout failed. */
int finish_stdout(int rc);

#endif
