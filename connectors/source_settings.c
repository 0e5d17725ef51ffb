/*
 * source_settings.c - the connector's [source] keys as a table. The caps'
 * defaults are source.h's, so `cohort protect`, which opens a CSV file
 * without a job file, reads with the same ones.
 */
#include "source_settings.h"
#include "source.h"
#include "../core/strnum.h"

#include <stddef.h>

#define STR_(x) #x
#define STR(x) STR_(x)

_Static_assert(sizeof(enum source_format) == sizeof(int),
               "SETTING_ENUM stores an int");
_Static_assert(sizeof(enum text_encoding) == sizeof(int),
               "SETTING_ENUM stores an int");

static const struct setting_choice formats[] = {
    {"csv", SRC_CSV}, {"postgres", SRC_POSTGRES}, {NULL, 0}};

static const struct setting_choice encodings[] = {
    {"utf-8", ENC_UTF8},         {"utf8", ENC_UTF8},
    {"windows-1252", ENC_WINDOWS_1252}, {"cp1252", ENC_WINDOWS_1252},
    {"latin-1", ENC_LATIN1},     {"latin1", ENC_LATIN1},
    {"iso-8859-1", ENC_LATIN1},  {NULL, 0}};

/* statement_timeout is written in seconds and kept in milliseconds. */
static int
set_statement_timeout(const struct setting *s, void *obj, const char *value,
                      struct setting_ctx *ctx)
{
    int64_t v;

    if (parse_int64_str(value, s->min, s->max, &v) < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    ((struct source_plan *)obj)->statement_timeout_ms = (long)v * 1000;
    return 0;
}

#define AT(member) offsetof(struct source_plan, member)

const struct setting source_connector_settings[] = {
    {.name = "format", .type = SETTING_ENUM, .offset = AT(format),
     .choices = formats, .expect = "csv or postgres", .boot = "csv",
     .help = "the backend: csv files or a postgres query"},
    {.name = "path", .type = SETTING_STRING, .offset = AT(path),
     .help = "csv: a glob; its matches are read in sorted order"},
    {.name = "encoding", .type = SETTING_ENUM, .offset = AT(encoding),
     .choices = encodings, .flags = SETTING_NOCASE, .boot = "utf-8",
     .expect = "utf-8, windows-1252 or latin-1",
     .help = "csv: the files' character encoding"},
    {.name = "delimiter", .type = SETTING_CHAR, .offset = AT(delimiter),
     .boot = ",", .help = "csv: the field separator (tab for a tab)"},
    {.name = "quote", .type = SETTING_CHAR, .offset = AT(quote),
     .boot = "\"", .help = "csv: the quote character"},
    {.name = "header", .type = SETTING_BOOL, .offset = AT(header),
     .boot = "yes", .help = "csv: a header row names the columns"},
    {.name = "max_field_bytes", .type = SETTING_SIZE,
     .offset = AT(max_field_bytes), .min = 16, .max = (int64_t)1 << 30,
     .boot = STR(SOURCE_MAX_FIELD_BYTES_DEFAULT),
     .help = "a longer field makes its row a field_too_long fault"},
    {.name = "max_columns", .type = SETTING_SIZE, .offset = AT(max_columns),
     .min = 1, .max = 65536, .boot = STR(SOURCE_MAX_COLUMNS_DEFAULT),
     .help = "a wider row is a too_many_columns fault"},
    {.name = "conninfo", .type = SETTING_STRING, .offset = AT(conninfo),
     .help = "postgres: the libpq connection string"},
    {.name = "query", .type = SETTING_STRING, .offset = AT(query),
     .joiner = " ", .help = "postgres: the query read with COPY ... TO STDOUT"},
    {.name = "table", .type = SETTING_STRING, .offset = AT(table),
     .help = "postgres: a table read whole, instead of a query"},
    {.name = "statement_timeout", .type = SETTING_CUSTOM,
     .offset = AT(statement_timeout_ms), .check = set_statement_timeout,
     .min = 0, .max = 86400, .expect = "a whole number from 0 to 86400",
     .help = "postgres: seconds before the query is cancelled"},
    {.name = NULL},
};

int
source_connector_finish(const struct source_plan *s, struct setting_ctx *ctx)
{
    if (s->format == SRC_CSV && !s->path)
        return setting_fail_at(ctx, s->line,
                               "missing key 'path' in [source %s]", s->name);
    if (s->format == SRC_POSTGRES) {
        if (!s->conninfo)
            return setting_fail_at(ctx, s->line, "missing key 'conninfo' in "
                                                 "[source %s]", s->name);
        if (!s->query == !s->table)
            return setting_fail_at(ctx, s->line, "[source %s] needs exactly "
                                                 "one of 'query' or 'table'",
                                   s->name);
    }
    return 0;
}
