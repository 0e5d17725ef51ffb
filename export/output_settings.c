/*
 * output_settings.c - the [output] keys as a table, and the checks that
 * need every output of the job: two outputs never write one place, and
 * a job never publishes more than one transaction and one directory can
 * hold.
 */
#include "output_settings.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(sizeof(enum output_type) == sizeof(int),
               "SETTING_ENUM stores an int");

static const struct setting_choice types[] = {
    {"csv", OUT_CSV}, {"postgres", OUT_POSTGRES}, {NULL, 0}};

#define AT(member) offsetof(struct output_plan, member)

const struct setting output_settings[] = {
    {.name = "type", .type = SETTING_ENUM, .offset = AT(type),
     .choices = types, .expect = "csv or postgres",
     .help = "csv files under output_dir, or a postgres schema"},
    {.name = "gzip", .type = SETTING_BOOL, .offset = AT(gzip),
     .help = "csv: write .csv.gz"},
    {.name = "retain", .type = SETTING_INT, .offset = AT(retain), .min = 0,
     .max = 100000,
     .help = "the newest N runs kept (csv: run directories; postgres: "
             "rows in the __history tables); 0 keeps all"},
    {.name = "dir", .type = SETTING_STRING, .offset = AT(dir),
     .help = "csv: the directory runs/ and latest are in (default "
             "output_dir)"},
    {.name = "conninfo", .type = SETTING_STRING, .offset = AT(conninfo),
     .help = "postgres: the libpq connection string"},
    {.name = "schema", .type = SETTING_STRING, .offset = AT(schema),
     .check = setting_check_name, .expect = "lower-case letters, digits and _",
     .help = "postgres: the schema published into (default cohorts)"},
    {.name = "grant_to", .type = SETTING_STRING, .offset = AT(grant_to),
     .check = setting_check_name,
     .expect = "a role name in lower-case letters, digits and _",
     .help = "postgres: a role granted USAGE on the schema and SELECT on "
             "every published table"},
    {.name = "lock_timeout", .type = SETTING_INT, .offset = AT(lock_timeout),
     .min = 0, .max = 86400, .boot = "300",
     .help = "postgres: seconds to wait for another session's lock before "
             "failing with its name; 0 waits for ever"},
    {.name = NULL},
};

int
output_settings_finish(struct output_plan *o, struct setting_ctx *ctx)
{
    if (o->type == OUT_CSV && (o->conninfo || o->schema || o->grant_to))
        return setting_fail_at(ctx, o->line, "[output %s]: conninfo, schema "
                                             "and grant_to are for type = "
                                             "postgres", o->name);
    if (o->type != OUT_POSTGRES)
        return 0;
    if (o->dir || o->gzip)
        return setting_fail_at(ctx, o->line, "[output %s]: dir and gzip are "
                                             "for type = csv", o->name);
    if (!o->conninfo)
        return setting_fail_at(ctx, o->line, "missing key 'conninfo' in "
                                             "[output %s]", o->name);
    if (!o->schema)
        return setting_set_string(&o->schema, "cohorts", ctx);
    return 0;
}

int
output_settings_default(struct output_plan *o, struct setting_ctx *ctx)
{
    o->type = OUT_CSV;
    o->lock_timeout = 300;
    return setting_set_string(&o->name, "files", ctx);
}

/* dir as written, without "./" segments, doubled or trailing slashes. */
static void
normalise_dir(const char *dir, char *buf, size_t n)
{
    size_t o = 0;
    const char *p = dir;

    while (*p && o + 1 < n) {
        if ((p == dir || p[-1] == '/') && p[0] == '.' &&
            (p[1] == '/' || !p[1])) {
            p += p[1] ? 2 : 1;
            continue;
        }
        if (*p == '/' && o && buf[o - 1] == '/') {
            p++;
            continue;
        }
        buf[o++] = *p++;
    }
    while (o > 1 && buf[o - 1] == '/')
        o--;
    buf[o] = '\0';
}

/* 1 when the two directories are one: spelt the same once normalised, or
 * both there and the same inode (a symlink or another spelling). */
static int
same_dir(const char *a, const char *b)
{
    char na[4096], nb[4096];
    struct stat sa, sb;

    normalise_dir(a, na, sizeof(na));
    normalise_dir(b, nb, sizeof(nb));
    if (!strcmp(na, nb))
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int
output_settings_check_plan(struct job_plan *plan, struct setting_ctx *ctx)
{
    size_t i, j;

    if (plan->ncohorts > PUBLISH_MAX_COHORTS)
        return setting_fail_at(ctx, plan->cohorts[PUBLISH_MAX_COHORTS].line,
                               "%zu cohorts: a job publishes at most %d (each "
                               "is a file of every csv output and two tables "
                               "of every postgres output, all in one "
                               "publication); split the job",
                               plan->ncohorts, PUBLISH_MAX_COHORTS);
    for (i = 0; i < plan->noutputs; i++) {
        struct output_plan *o = &plan->outputs[i];

        if (o->type == OUT_CSV && !o->dir &&
            setting_set_string(&o->dir, plan->output_dir, ctx) < 0)
            return CE_NOMEM;
    }
    for (j = 1; j < plan->noutputs; j++)
        for (i = 0; i < j; i++) {
            const struct output_plan *a = &plan->outputs[i];
            const struct output_plan *b = &plan->outputs[j];

            if (a->type != b->type)
                continue;
            if (a->type == OUT_CSV && same_dir(a->dir, b->dir))
                return setting_fail_at(ctx, b->line, "[output %s] and "
                                                     "[output %s] both write "
                                                     "to '%s'; give one of "
                                                     "them its own 'dir'",
                                       a->name, b->name, b->dir);
            if (a->type == OUT_POSTGRES && !strcmp(a->conninfo, b->conninfo) &&
                !strcmp(a->schema, b->schema))
                return setting_fail_at(ctx, b->line, "[output %s] and "
                                                     "[output %s] both publish "
                                                     "to schema '%s' of one "
                                                     "database; give one of "
                                                     "them its own 'schema'",
                                       a->name, b->name, b->schema);
        }
    return 0;
}
