#include "options.h"
#include "commands.h"

#include <string.h>

static int
find_long(const struct option_spec *specs, const char *name, size_t len)
{
    int i;

    for (i = 0; specs[i].name; i++)
        if (strlen(specs[i].name) == len && !strncmp(specs[i].name, name, len))
            return i;
    return -1;
}

static int
find_short(const struct option_spec *specs, char c)
{
    int i;

    for (i = 0; specs[i].name; i++)
        if (specs[i].short_name && specs[i].short_name == c)
            return i;
    return -1;
}

int
options_parse(int argc, char **argv, const struct option_spec *specs,
              const char **values, const char **pos, int maxpos,
              struct diag *d)
{
    int i, npos = 0, only_pos = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = NULL;
        int k;

        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (npos >= maxpos) {
                diag_set(d, NULL, 0, 0, NULL, "too many arguments");
                return CE_CONFIG;
            }
            pos[npos++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (a[1] == '-') {
            eq = strchr(a + 2, '=');
            k = find_long(specs, a + 2, eq ? (size_t)(eq - (a + 2)) : strlen(a + 2));
        } else {
            k = a[2] ? -1 : find_short(specs, a[1]);
        }
        if (k < 0) {
            diag_set(d, NULL, 0, 0, NULL, "unknown option '%s'", a);
            return CE_CONFIG;
        }
        if (specs[k].kind == OPT_FLAG) {
            if (eq) {
                diag_set(d, NULL, 0, 0, NULL, "option '--%s' takes no value",
                         specs[k].name);
                return CE_CONFIG;
            }
            values[k] = "1";
        } else if (eq) {
            values[k] = eq + 1;
        } else if (i + 1 < argc) {
            values[k] = argv[++i];
        } else {
            diag_set(d, NULL, 0, 0, NULL, "option '--%s' needs a value",
                     specs[k].name);
            return CE_CONFIG;
        }
    }
    return npos;
}

void
options_print_help(FILE *f, const struct option_spec *specs)
{
    int i;

    for (i = 0; specs[i].name; i++) {
        char left[64];

        if (specs[i].kind == OPT_VALUE)
            snprintf(left, sizeof(left), "--%s %s", specs[i].name,
                     specs[i].metavar ? specs[i].metavar : "VALUE");
        else
            snprintf(left, sizeof(left), "--%s", specs[i].name);
        if (specs[i].short_name)
            fprintf(f, "  -%c, %-26s %s\n", specs[i].short_name, left,
                    specs[i].help);
        else
            fprintf(f, "      %-26s %s\n", left, specs[i].help);
    }
}

int
options_prologue(const struct command_syntax *cs, int argc, char **argv,
                 const char **values, const char **pos)
{
    struct diag d;
    int n, i;

    diag_clear(&d);
    n = options_parse(argc, argv, cs->specs, values, pos, cs->npos, &d);
    if (n < 0)
        return usage_error(cs->usage, d.msg);
    for (i = 0; cs->specs[i].name; i++)
        if (!strcmp(cs->specs[i].name, "help") && values[i]) {
            fputs(cs->usage, stdout);
            options_print_help(stdout, cs->specs);
            return finish_stdout(0);
        }
    if (n != cs->npos)
        return usage_error(cs->usage, cs->npos_error);
    return OPTIONS_CONTINUE;
}
