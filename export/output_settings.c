/*
 * output_settings.c - the [output] keys as a table.
 */
#include "output_settings.h"

#include <stddef.h>

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
     .max = 100000, .help = "csv: keep the newest N runs; 0 keeps all"},
    {.name = "conninfo", .type = SETTING_STRING, .offset = AT(conninfo),
     .help = "postgres: the libpq connection string"},
    {.name = "schema", .type = SETTING_STRING, .offset = AT(schema),
     .check = setting_check_name, .expect = "lower-case letters, digits and _",
     .help = "postgres: the schema published into (default cohorts)"},
    {.name = "grant_to", .type = SETTING_STRING, .offset = AT(grant_to),
     .check = setting_check_name,
     .expect = "a role name in lower-case letters, digits and _",
     .help = "postgres: a role granted SELECT on the published tables"},
    {.name = NULL},
};

int
output_settings_finish(struct output_plan *o, struct setting_ctx *ctx)
{
    if (o->type != OUT_POSTGRES)
        return 0;
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
    return setting_set_string(&o->name, "files", ctx);
}
