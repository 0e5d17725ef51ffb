/*
 * options.h - command-line options as data. Each cmd_*.c declares a table of
 * struct option_spec and calls options_parse(); unknown options and missing
 * values are reported once, in one line, and the caller prints its usage and
 * exits 2.
 *
 *     static const struct option_spec specs[] = {
 *         {"seed", 0, OPT_VALUE, "N", "random seed (default 1)"},
 *         {"help", 'h', OPT_FLAG, NULL, "show this help"},
 *         {NULL, 0, 0, NULL, NULL}};
 *     const char *vals[2] = {0};
 *     int npos = options_parse(argc, argv, specs, vals, pos, 4, &d);
 *
 * A flag's value is "1" when given. --name=value and --name value both work;
 * "--" ends the options.
 */
#ifndef COHORT_OPTIONS_H
#define COHORT_OPTIONS_H

#include <stdio.h>

#include "../core/error.h"

enum option_kind { OPT_FLAG, OPT_VALUE };

struct option_spec {
    const char *name;       /* long name without "--"; NULL ends the table */
    char short_name;        /* 0 for none */
    enum option_kind kind;
    const char *metavar;    /* for OPT_VALUE, shown in help */
    const char *help;
};

/*
 * Parses argv[1..argc-1] (argv[0] is the command). values[i] receives the
 * value of specs[i] (NULL when absent; argv strings are borrowed). The
 * positional arguments are stored in pos (at most maxpos). Returns the
 * number of positional arguments, or CE_CONFIG with d set.
 */
int options_parse(int argc, char **argv, const struct option_spec *specs,
                  const char **values, const char **pos, int maxpos,
                  struct diag *d);

/* Prints one line per option to f. */
void options_print_help(FILE *f, const struct option_spec *specs);

/* What a command accepts, for options_prologue(). */
struct command_syntax {
    const char *usage;               /* printed after an error and by --help */
    const struct option_spec *specs; /* with a {"help", 'h', OPT_FLAG} entry */
    int npos;                        /* positional arguments it takes */
    const char *npos_error;          /* the error when they are not there */
};

#define OPTIONS_CONTINUE (-1)

/*
 * The argv prologue every cmd_*.c shares: options_parse() into values and
 * pos (at most cs->npos positional arguments); a bad option prints
 * "cohort: error: ..." and the usage on stderr; --help prints the usage and
 * the option list on stdout; too few positional arguments print
 * cs->npos_error and the usage. Returns OPTIONS_CONTINUE when the command
 * goes on, else the exit code the command returns (EXIT_USAGE, or 0 after
 * --help).
 *
 *     if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
 *         OPTIONS_CONTINUE)
 *         return rc;
 */
int options_prologue(const struct command_syntax *cs, int argc, char **argv,
                     const char **values, const char **pos);

#endif
