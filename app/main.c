/*
 * main.c - the command table. Each command lives in core/cmd_<verb>.c.
 */
#include "commands.h"
#include "../core/error.h"
#include "../core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run the nightly job: read, link, count, protect, publish"},
    {"check", cmd_check, "validate the config, key file and sources; writes nothing"},
    {"rules", cmd_rules, "print the anonymisation rules for IG review"},
    {"keygen", cmd_keygen, "write a new random key file (mode 0600, never overwrites)"},
    {"synth", cmd_synth, "write synthetic extracts for all four departments"},
    {"linkage", cmd_linkage, "measure linkage against a truth file, or diagnose it"},
    {"protect", cmd_protect, "disclosure control on an analyst's own table (CSV)"},
    {NULL, NULL, NULL},
};

static void
print_usage(FILE *f)
{
    const struct command *c;

    fprintf(f, "usage: cohort [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
    for (c = commands; c->name; c++)
        fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n'cohort COMMAND --help' describes one command.\n");
}

int
usage_error(const char *usage, const char *msg)
{
    fprintf(stderr, "cohort: error: %s\n%s", msg, usage);
    return EXIT_USAGE;
}

int
finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cohort: error: cannot write to standard output\n");
        return rc ? rc : EXIT_IO;
    }
    return rc;
}

int
main(int argc, char **argv)
{
    const struct command *c;

    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        print_usage(stdout);
        return finish_stdout(0);
    }
    if (!strcmp(argv[1], "--version")) {
        printf("cohort %s\n", COHORT_VERSION);
        return finish_stdout(0);
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "cohort: error: libsodium failed to initialise\n");
        return EXIT_INTERNAL;
    }
    for (c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->fn(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        fprintf(stderr, "cohort: error: unknown option '%s'\n", argv[1]);
    else
        fprintf(stderr, "cohort: error: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return EXIT_USAGE;
}
