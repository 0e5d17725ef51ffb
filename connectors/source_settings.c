/*
 * source_settings.c - the connector's [source] keys as a table. The caps'
 * defaults are source.h's, so `cohort protect`, which opens a CSV file
 * without a job file, reads with the same ones.
 */
#include "source_settings.h"
#include "source.h"
#include "xml_source.h"
#include "../core/strnum.h"

#include <stddef.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

_Static_assert(sizeof(enum source_format) == sizeof(int),
               "SETTING_ENUM stores an int");
_Static_assert(sizeof(enum text_encoding) == sizeof(int),
               "SETTING_ENUM stores an int");

static const struct setting_choice formats[] = {
    {"csv", SRC_CSV}, {"postgres", SRC_POSTGRES}, {"xml", SRC_XML},
    {NULL, 0}};

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

/* xml_record = /Message/Children/Child/CINdetails */
static int
set_xml_record(const struct setting *s, void *obj, const char *value,
               struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *why = xml_path_check(value, 1);

    if (why)
        return setting_fail(ctx, "bad value for '%s' in [%s]: %s",
                            ctx->key, ctx->section, why);
    (void)s;
    sp->xml_record_line = ctx->line;
    return setting_set_string(&sp->xml_record, value, ctx);
}

/* xml_column.NAME = PATH[|PATH...] */
static int
set_xml_column(const struct setting *s, void *obj, const char *value,
               struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *name = ctx->key + strlen(s->name), *why;
    struct cell c = {name, strlen(name)};

    if (!source_column_name_plain(&c))
        return setting_fail(ctx, "key '%s': a column name is 1 to 64 "
                                 "letters, digits, spaces, '_', '-' or '.'",
                            ctx->key);
    if ((why = xml_path_check(value, 0)))
        return setting_fail(ctx, "bad value for '%s' in [%s]: %s",
                            ctx->key, ctx->section, why);
    if (source_plan_set_xml_column(sp, name, value, ctx->line) < 0)
        return setting_nomem(ctx);
    return 0;
}

#define AT(member) offsetof(struct source_plan, member)

const struct setting source_connector_settings[] = {
    {.name = "format", .type = SETTING_ENUM, .offset = AT(format),
     .choices = formats, .expect = "csv, postgres or xml", .boot = "csv",
     .help = "the backend: csv files, a postgres query or xml files"},
    {.name = "path", .type = SETTING_STRING, .offset = AT(path),
     .help = "csv, xml: a glob; its matches are read in sorted order"},
    {.name = "xml_record", .type = SETTING_CUSTOM, .offset = AT(xml_record),
     .check = set_xml_record,
     .help = "xml: the repeating element a row is read from, as an "
             "absolute path (/Message/Children/Child/CINdetails)"},
    {.name = "xml_column.", .type = SETTING_CUSTOM,
     .offset = AT(xml_columns), .check = set_xml_column,
     .help = "xml_column.NAME: the element column NAME is read from, "
             "relative to the record or absolute; '|' between "
             "alternatives"},
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
    if (s->format != SRC_XML && (s->xml_record_line || s->nxml_columns))
        return setting_fail_at(ctx, s->xml_record_line ? s->xml_record_line
                                                       : s->xml_columns[0].line,
                               "[source %s]: xml_record and xml_column.NAME "
                               "are for format = xml", s->name);
    if (s->format == SRC_XML && (!s->xml_record || !s->nxml_columns))
        return setting_fail_at(ctx, s->line, "[source %s] (format = xml) "
                                             "needs 'xml_record' and "
                                             "xml_column.NAME keys, or a "
                                             "profile that has them",
                               s->name);
    if (s->format == SRC_XML) {
        struct diag d;
        int rc = xml_layout_check(s, &d);

        if (rc == CE_NOMEM)
            return setting_nomem(ctx);
        if (rc < 0)
            return setting_fail_at(ctx, (int)d.line, "[source %s]: %s",
                                   s->name, d.msg);
    }
    if ((s->format == SRC_CSV || s->format == SRC_XML) && !s->path)
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
