/*
 * cmd_keygen.c - `cohort keygen FILE`: a new random key, mode 0600. It never
 * overwrites: losing the old key would unlink every earlier run's
 * pseudonyms from the next.
 */
#include "commands.h"
#include "../core/log.h"
#include "options.h"

#include "../anonymise/keys.h"

#include <stdio.h>

static const char usage[] = "usage: cohort keygen FILE\n";

static const struct option_spec specs[] = {
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "keygen needs one file name"};

int
cmd_keygen(int argc, char **argv)
{
    const char *vals[1] = {0}, *pos[1];
    struct diag d;
    char id[17];
    int rc;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    if ((rc = key_generate(pos[0], id, &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    printf("key written to %s (id %s)\n", pos[0], id);
    return finish_stdout(0);
}
