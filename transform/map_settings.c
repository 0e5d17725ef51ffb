/*
 * map_settings.c - the mapping's [source] keys as a table, with the checks
 * that need the whole section (a profile's gaps filled, a role inferred, a
 * service and an identifier required).
 */
#include "map_settings.h"
#include "codelist.h"
#include "coded.h"
#include "../core/calendar.h"
#include "normalise.h"
#include "profiles.h"

#include "../core/calendar.h"
#include "../core/strnum.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(sizeof(enum source_role) == sizeof(int),
               "SETTING_ENUM stores an int");

const char *
source_role_name(enum source_role r)
{
    static const char *const names[] = {"records", "header", "events"};

    return (unsigned)r < 3 ? names[r] : "?";
}

static int
set_department(const struct setting *s, void *obj, const char *value,
               struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;

    /* resolved against the job's departments once every [department]
     * section is read (they may follow the source) */
    if (!setting_name_ok(value))
        return setting_bad_value(ctx, NULL, s->expect);
    sp->department_line = ctx->line;
    return setting_set_string(&sp->department_name, value, ctx);
}

static int
check_profile(const struct setting *s, void *obj, const char *value,
              struct setting_ctx *ctx)
{
    (void)s;
    (void)obj;
    return profile_find(value) ? 0
                               : setting_bad_value(ctx, NULL, profile_names());
}

/* Checks a date_format value: one or more formats, comma-separated,
 * each with a day, a month and a year (normalise.h). */
static int
date_formats_ok(const char *value)
{
    const char *starts[DATE_FORMATS_MAX];
    size_t lens[DATE_FORMATS_MAX];
    int n = date_format_split(value, starts, lens, DATE_FORMATS_MAX), i;

    for (i = 0; i < n; i++)
        if (date_format_valid(starts[i], lens[i]) < 0)
            return 0;
    return n > 0;
}

/* date_format = FORMAT[, FORMAT ...]; empty: ISO and yyyymmdd only,
 * whatever the profile says */
static int
set_date_format(const struct setting *s, void *obj, const char *value,
                struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;

    if (*value && !date_formats_ok(value))
        return setting_bad_value(ctx, NULL, s->expect);
    sp->date_format_line = ctx->line;
    free(sp->date_format);
    sp->date_format = NULL;
    return *value ? setting_set_string(&sp->date_format, value, ctx) : 0;
}

/* max_drop_rate.FIELD = RATE for a field a row can lose (an identifier
 * that does not validate, the date of birth, the postcode) */
static int
set_field_drop_rate(const struct setting *s, void *obj, const char *value,
                    struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    int f = common_field_lookup(ctx->key + strlen(s->name));

    if (f < 0 || !common_field_is_identifier((enum common_field)f) ||
        f == CF_LOCAL_ID || f == CF_FORENAME || f == CF_SURNAME)
        return setting_fail(ctx, "key '%s': a field-drop limit is set for "
                                 "dob, postcode, nhs_number, upn, uln, "
                                 "ni_number or uprn", ctx->key);
    if (parse_rate_ppm(value, &sp->field_drop_ppm[f]) < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    sp->field_drop_set[f] = 1;
    return 0;
}

/* return_year_end = MM-DD (a day every year has), or none */
static int
set_return_year_end(const struct setting *s, void *obj, const char *value,
                    struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    int m, d;

    sp->return_year_end_line = ctx->line;
    if (!strcmp(value, "none")) {
        sp->return_year_end = 0;
        return 0;
    }
    if (strlen(value) != 5 || value[2] != '-' ||
        !isdigit((unsigned char)value[0]) || !isdigit((unsigned char)value[1]) ||
        !isdigit((unsigned char)value[3]) || !isdigit((unsigned char)value[4]))
        return setting_bad_value(ctx, NULL, s->expect);
    m = (value[0] - '0') * 10 + (value[1] - '0');
    d = (value[3] - '0') * 10 + (value[4] - '0');
    /* 29 February is not a day every year has */
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(2023, m))
        return setting_bad_value(ctx, NULL, s->expect);
    sp->return_year_end = m * 100 + d;
    return 0;
}

/* date_format.FIELD = FORMAT[, FORMAT ...] for dob, start_date, end_date */
static int
set_field_date_format(const struct setting *s, void *obj, const char *value,
                      struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *name = ctx->key + strlen(s->name);
    int f = common_field_lookup(name);

    if (f != CF_DOB && f != CF_START_DATE && f != CF_END_DATE)
        return setting_fail(ctx, "key '%s': a date format is set for dob, "
                                 "start_date or end_date", ctx->key);
    if (!date_formats_ok(value))
        return setting_bad_value(ctx, NULL, s->expect);
    return setting_set_string(&sp->field_date_format[f], value, ctx);
}

/* field.FIELD = COLUMN; empty: the field is not read, whatever the
 * profile says */
static int
set_field(const struct setting *s, void *obj, const char *value,
          struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    int f = common_field_lookup(ctx->key + strlen(s->name));

    if (f < 0)
        return setting_fail(ctx, "unknown common field '%s' in key '%s'",
                            ctx->key + strlen(s->name), ctx->key);
    sp->column_line[f] = ctx->line;
    free(sp->column[f]);
    sp->column[f] = NULL;
    return *value ? setting_set_string(&sp->column[f], value, ctx) : 0;
}

/*
 * Adds code -> canonical to vm from origin. A code already there from a
 * less specific origin is mapped again, one from a more specific origin
 * stays. Twice from one origin: an error for keys, nothing for the same
 * value from a list, 1 (the caller says where) for another value.
 */
static int
add_value_entry(struct value_map *vm, const char *code, const char *canonical,
                enum value_origin origin, struct setting_ctx *ctx)
{
    struct value_map_entry *e;
    size_t i;

    for (i = 0; i < vm->n; i++) {
        e = &vm->entries[i];
        if (strcasecmp(e->code, code))
            continue;
        if (e->origin > origin)
            return 0;
        if (e->origin == origin && origin == VALUE_FROM_KEY)
            return setting_fail(ctx, "code mapped twice");
        if (e->origin == origin)
            return strcmp(e->canonical, canonical) ? 1 : 0;
        e->origin = (uint8_t)origin;
        return setting_set_string(&e->canonical, canonical, ctx);
    }
    e = realloc(vm->entries, (vm->n + 1) * sizeof(*e));
    if (!e)
        return setting_nomem(ctx);
    vm->entries = e;
    e = &vm->entries[vm->n];
    memset(e, 0, sizeof(*e));
    e->origin = (uint8_t)origin;
    if (!(e->code = strdup(code)) || !(e->canonical = strdup(canonical))) {
        free(e->code);
        e->code = NULL;
        return setting_nomem(ctx);
    }
    vm->n++;
    return 0;
}

static const char *const value_fields[VF_COUNT] = {"sex", "ethnicity",
                                                   "service"};

/* The value field named by name[0 .. len), or -1. */
static int
value_field(const char *name, size_t len)
{
    int vf;

    for (vf = 0; vf < VF_COUNT; vf++)
        if (strlen(value_fields[vf]) == len &&
            !strncmp(name, value_fields[vf], len))
            return vf;
    return -1;
}

/* A canonical value a value map may map to; key names it in a message. */
static int
check_canonical(enum value_field vf, const char *value, const char *key,
                struct setting_ctx *ctx)
{
    size_t i;

    if (vf == VF_SEX) {
        for (i = 0; i < SEX_COUNT; i++)
            if (!strcmp(value, sex_name((enum sex_code)i)))
                return 0;
        return setting_bad_value(ctx, key, "M, F, U or X");
    }
    if (vf == VF_ETHNICITY) {
        for (i = 0; i < ETH_COUNT; i++)
            if (!strcmp(value, ethnic_group_name((enum ethnic_group)i)))
                return 0;
        return setting_bad_value(ctx, key,
                                 "WHITE, MIXED, ASIAN, BLACK, OTHER or "
                                 "UNKNOWN");
    }
    if (!setting_name_ok(value))
        return setting_bad_value(ctx, key, "a service name in lower-case "
                                           "letters, digits and _");
    return 0;
}

/* value.FIELD.CODE = CANONICAL, and value.FIELD.default */
static int
set_value(const struct setting *s, void *obj, const char *value,
          struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *field = ctx->key + strlen(s->name), *dot = strchr(field, '.');
    char key[32];
    int vf, rc;

    if (!dot || !dot[1])
        return setting_fail(ctx, "key '%s': expected value.FIELD.CODE",
                            ctx->key);
    if ((vf = value_field(field, (size_t)(dot - field))) < 0)
        return setting_fail(ctx, "key '%s': value maps exist for sex, "
                                 "ethnicity and service", ctx->key);
    snprintf(key, sizeof(key), "value.%s", value_fields[vf]);
    if ((rc = check_canonical((enum value_field)vf, value, key, ctx)) < 0)
        return rc;
    if (!strcmp(dot + 1, "default"))
        return setting_set_string(&sp->values[vf].default_value, value, ctx);
    return add_value_entry(&sp->values[vf], dot + 1, value, VALUE_FROM_KEY,
                           ctx);
}

/* Reading one code list into a value map (codelist_read()). */
struct list_load {
    struct value_map *vm;
    enum value_field vf;
    enum value_origin origin;
    struct setting_ctx *ctx;
    struct setting_ctx inner;  /* a canonical value's verdict */
    long bad_line;             /* the list's line that failed */
};

static int
load_entry(void *ctx, const char *code, const char *value, long line)
{
    struct list_load *l = ctx;
    int rc;

    setting_ctx_init(&l->inner, l->ctx->section, l->ctx->key, l->ctx->line);
    if ((rc = check_canonical(l->vf, value, NULL, &l->inner)) < 0 ||
        (rc = add_value_entry(l->vm, code, value, l->origin, &l->inner)) < 0) {
        l->bad_line = line;
        return rc;
    }
    if (rc > 0) {
        l->bad_line = line;
        snprintf(l->inner.expect, sizeof(l->inner.expect), "%s",
                 "one value per code");
        return CE_CONFIG;
    }
    return 0;
}

/* Maps the codes of list (a file or a shipped list's name) into vm. */
static int
load_list(struct value_map *vm, enum value_field vf, const char *list,
          enum value_origin origin, struct setting_ctx *ctx)
{
    struct list_load l = {vm, vf, origin, ctx, {0}, 0};
    struct codelist_error e;
    int rc = codelist_read(list, load_entry, &l, &e);

    if (rc == CE_NOMEM)
        return setting_nomem(ctx);
    if (rc < 0 && l.bad_line)
        return setting_fail(ctx, "code list '%s' line %ld: expected %s",
                            list, l.bad_line, l.inner.expect);
    if (rc < 0 && e.line)
        return setting_fail(ctx, "code list '%s' line %ld: %s", list, e.line,
                            e.msg);
    if (rc < 0)
        return setting_fail(ctx, "code list '%s': %s", list, e.msg);
    return setting_set_string(&vm->list, list, ctx);
}

/* value_map.FIELD = FILE.csv or a shipped list's name */
static int
set_value_map(const struct setting *s, void *obj, const char *value,
              struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *field = ctx->key + strlen(s->name);
    int vf = value_field(field, strlen(field));

    if (vf < 0)
        return setting_fail(ctx, "key '%s': value maps exist for sex, "
                                 "ethnicity and service", ctx->key);
    if (!*value)
        return setting_bad_value(ctx, NULL, s->expect);
    return load_list(&sp->values[vf], (enum value_field)vf, value,
                     VALUE_FROM_LIST, ctx);
}

/* service = NAME; empty: the profile's fixed service is dropped */
static int
set_service(const struct setting *s, void *obj, const char *value,
            struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;

    if (*value && !setting_name_ok(value))
        return setting_bad_value(ctx, NULL, s->expect);
    sp->service_line = ctx->line;
    free(sp->fixed_service);
    sp->fixed_service = NULL;
    return *value ? setting_set_string(&sp->fixed_service, value, ctx) : 0;
}

/* min_dob = YYYY-MM-DD: this source's earliest date of birth */
static int
set_source_min_dob(const struct setting *s, void *obj, const char *value,
                   struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;

    if (parse_iso_date(value, &sp->min_dob) < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    sp->min_dob_line = ctx->line ? ctx->line : 1;
    return 0;
}

static const struct setting_choice postcode_countries[] = {
    {"uk", 0}, {"any", 1}, {NULL, 0}};

static const struct setting_choice roles[] = {
    {"header", ROLE_HEADER}, {"events", ROLE_EVENTS}, {NULL, 0}};

#define AT(member) offsetof(struct source_plan, member)

const struct setting source_map_settings[] = {
    {.name = "department", .type = SETTING_CUSTOM, .offset = AT(department_name),
     .check = set_department,
     .expect = "a declared department: housing, children_social_care, "
               "adult_social_care, education or a [department NAME]",
     .help = "the department the source's services belong to"},
    {.name = "profile", .type = SETTING_STRING, .offset = AT(profile),
     .check = check_profile,
     .help = "a built-in statutory-return layout filling what is unset"},
    {.name = "id_scope", .type = SETTING_STRING, .offset = AT(id_scope),
     .check = setting_check_name,
     .expect = "a name of lower-case letters, digits and _",
     .help = "tables of one system that share its person id (local_id)"},
    {.name = "role", .type = SETTING_ENUM, .offset = AT(role),
     .choices = roles, .expect = "header or events",
     .flags = SETTING_KEEP_LINE, .line_offset = AT(role_set),
     .help = "with id_scope: header (defines persons) or events"},
    {.name = "date_format", .type = SETTING_CUSTOM, .offset = AT(date_format),
     .check = set_date_format,
     .expect = "formats such as %d/%m/%Y, %d-%b-%Y (a day, a month and a "
               "year each)",
     .help = "strptime-style formats tried in order; ISO and yyyymmdd are "
             "always accepted too"},
    {.name = "date_format.", .type = SETTING_CUSTOM,
     .offset = AT(field_date_format), .check = set_field_date_format,
     .expect = "formats such as %d/%m/%Y, %d-%b-%Y (a day, a month and a "
               "year each)",
     .help = "date_format.FIELD: the formats of dob, start_date or end_date"},
    {.name = "field.", .type = SETTING_CUSTOM, .offset = AT(column),
     .check = set_field,
     .help = "field.FIELD: the source column feeding common field FIELD "
             "(empty: not read)"},
    {.name = "value.", .type = SETTING_CUSTOM, .offset = AT(values),
     .check = set_value, .flags = SETTING_REPEATABLE,
     .help = "value.FIELD.CODE: maps a source code to a canonical value"},
    {.name = "value_map.", .type = SETTING_CUSTOM, .offset = AT(values),
     .check = set_value_map,
     .expect = "a code list: a CSV file (code,value) or a shipped list's "
               "name",
     .help = "value_map.FIELD: a code list file (code,value) or a shipped "
             "list"},
    {.name = "code_list.", .type = SETTING_CUSTOM, .offset = AT(coded),
     .check = coded_set_list,
     .expect = "a code list: a CSV file (code,value) or a shipped list's "
               "name",
     .help = "code_list.COLUMN: the code list a coded column's codes must "
             "be on (empty: not checked)"},
    {.name = "category.", .type = SETTING_CUSTOM, .offset = AT(coded),
     .check = coded_set_category,
     .help = "category.NAME: the coded column whose group is the spell's "
             "placement_type, legal_status or category_of_need"},
    {.name = "service", .type = SETTING_CUSTOM, .offset = AT(fixed_service),
     .check = set_service,
     .expect = "a service name in lower-case letters, digits and _",
     .help = "the one service of a source that records only one (empty: "
             "none)"},
    {.name = "max_reject_rate", .type = SETTING_RATE,
     .offset = AT(max_reject_ppm), .boot = "5%",
     .expect = "a rate such as 5% or 0.05",
     .help = "more quarantined rows than this fails the run"},
    {.name = "max_drop_rate", .type = SETTING_RATE,
     .offset = AT(max_drop_ppm), .boot = "5%",
     .expect = "a rate such as 5% or 0.05",
     .help = "more rows losing one field (an invalid dob, postcode or "
             "identifier) than this fails the run"},
    {.name = "max_drop_rate.", .type = SETTING_CUSTOM,
     .offset = AT(field_drop_ppm), .check = set_field_drop_rate,
     .expect = "a rate such as 5% or 0.05",
     .help = "max_drop_rate.FIELD: one field's own field-drop limit"},
    {.name = "return_year_end", .type = SETTING_CUSTOM,
     .offset = AT(return_year_end), .check = set_return_year_end,
     .expect = "MM-DD, a day every year has (03-31), or none",
     .help = "each file is one yearly return ending on this day; stacked "
             "returns are reconciled (none: the files are one extract)"},
    {.name = "period_column", .type = SETTING_STRING,
     .offset = AT(period_column), .flags = SETTING_KEEP_LINE,
     .line_offset = AT(period_column_line),
     .help = "the column saying whether a spell starts a period (SSDA903: "
             "RNE); empty: the dates decide"},
    {.name = "period_start_codes", .type = SETTING_STRING,
     .offset = AT(period_start_codes), .flags = SETTING_KEEP_LINE,
     .line_offset = AT(period_start_codes_line),
     .help = "period_column's codes that start a period, comma-separated "
             "(SSDA903: S); every other code continues one"},
    {.name = "postcode_country", .type = SETTING_ENUM,
     .offset = AT(postcode_any), .choices = postcode_countries, .boot = "uk",
     .expect = "uk or any",
     .help = "any: a postcode that is not a UK one is kept as a plain "
             "token for linkage (no geography)"},
    {.name = "min_dob", .type = SETTING_CUSTOM, .offset = AT(min_dob),
     .check = set_source_min_dob,
     .expect = "a date as YYYY-MM-DD, e.g. 1850-01-01",
     .help = "this source's earliest date of birth kept (else [linkage]'s "
             "min_dob)"},
    {.name = "may_be_empty", .type = SETTING_BOOL, .offset = AT(may_be_empty),
     .boot = "no",
     .help = "yes: a header without rows is a normal night, not a failure"},
    {.name = NULL},
};

void
source_map_init(struct source_plan *s)
{
    s->department = -1;
    s->scope = -1;
}

/* The profile's columns where the [source] set none: a field the source
 * set, even to nothing, stays as it is, and a fixed service set there
 * replaces the profile's service column. */
static int
profile_columns(struct source_plan *s, const struct profile *p,
                struct setting_ctx *ctx)
{
    size_t i;
    int rc;

    for (i = 0; i < p->ncolumns; i++) {
        int f = p->columns[i].field;

        if (s->column_line[f] || (f == CF_SERVICE && s->service_line))
            continue;
        if ((rc = setting_set_string(&s->column[f], p->columns[i].column,
                                     ctx)) < 0)
            return rc;
        s->column_line[f] = s->line;
        s->column_optional[f] = (uint8_t)(p->columns[i].optional != 0);
    }
    return 0;
}

/* The profile's code lists, for the value fields whose codes the source
 * reads: a list the [source] names replaces the profile's, and single
 * value.FIELD.CODE keys override a list's codes one by one. */
static int
profile_values(struct source_plan *s, const struct profile *p,
               struct setting_ctx *ctx)
{
    int vf, rc;

    for (vf = 0; vf < VF_COUNT; vf++) {
        const char *list = p->value_lists[vf];

        if (!list || s->values[vf].list ||
            (vf == VF_SERVICE && !s->column[CF_SERVICE]))
            continue;
        if ((rc = load_list(&s->values[vf], (enum value_field)vf, list,
                            VALUE_FROM_PROFILE, ctx)) < 0)
            return rc;
    }
    return 0;
}

/* The profile's XML layout for an XML source: the record unless the
 * [source] set one, and each column the [source] did not set. */
static int
profile_xml(struct source_plan *s, const struct profile *p,
            struct setting_ctx *ctx)
{
    const struct profile_xml *x = profile_xml_find(p->name);
    size_t i;
    int rc;

    if (s->format != SRC_XML || !x)
        return 0;
    if (!s->xml_record &&
        (rc = setting_set_string(&s->xml_record, x->record, ctx)) < 0)
        return rc;
    for (i = 0; i < x->ncolumns; i++)
        if (source_plan_xml_column(s, x->columns[i].column) < 0 &&
            source_plan_set_xml_column(s, x->columns[i].column,
                                       x->columns[i].path, s->line) < 0)
            return setting_nomem(ctx);
    return 0;
}

int
source_map_apply_profile(struct source_plan *s, struct setting_ctx *ctx)
{
    const struct profile *p = profile_find(s->profile);
    int rc;

    if (p && !s->department_name &&
        (rc = setting_set_string(&s->department_name, p->department, ctx)) < 0)
        return rc;
    if (p && !s->date_format_line && p->date_format &&
        (rc = setting_set_string(&s->date_format, p->date_format, ctx)) < 0)
        return rc;
    /* a service column the source maps replaces the profile's fixed
     * service, as `service` (even empty) does */
    if (p && !s->service_line && !s->column[CF_SERVICE] &&
        p->fixed_service &&
        (rc = setting_set_string(&s->fixed_service, p->fixed_service, ctx)) < 0)
        return rc;
    if (p && !s->return_year_end_line)
        s->return_year_end = p->return_year_end;
    if (p && !s->period_column_line && p->period_column &&
        (rc = setting_set_string(&s->period_column, p->period_column,
                                 ctx)) < 0)
        return rc;
    if (p && !s->period_start_codes_line && p->period_start_codes &&
        (rc = setting_set_string(&s->period_start_codes,
                                 p->period_start_codes, ctx)) < 0)
        return rc;
    if (s->period_column && *s->period_column &&
        (!s->period_start_codes || !*s->period_start_codes))
        return setting_fail_at(ctx, s->period_column_line
                                        ? s->period_column_line
                                        : s->line,
                               "[source %s]: period_column needs "
                               "period_start_codes (the codes that start a "
                               "period)", s->name);
    if (p && !s->id_scope && p->id_scope &&
        (rc = setting_set_string(&s->id_scope, p->id_scope, ctx)) < 0)
        return rc;
    if (p && ((rc = profile_columns(s, p, ctx)) < 0 ||
              (rc = profile_values(s, p, ctx)) < 0 ||
              (rc = profile_xml(s, p, ctx)) < 0))
        return rc;
    if ((rc = coded_apply_profile(s, s->profile, ctx)) < 0)
        return rc;
    if (!s->department_name)
        return setting_fail_at(ctx, s->line, "missing key 'department' in "
                                             "[source %s]", s->name);
    return 0;
}

/* Id scope and role: explicit, or inferred from what the table maps. */
static int
finish_role(struct source_plan *s, struct setting_ctx *ctx)
{
    int f, person_id = 0;

    if (s->role_set && !s->id_scope)
        return setting_fail_at(ctx, s->role_set, "[source %s]: 'role' needs "
                                                 "an 'id_scope' (the tables "
                                                 "that share the id)",
                               s->name);
    if (!s->id_scope)
        return 0;
    if (!s->column[CF_LOCAL_ID] && s->column[CF_HOUSEHOLD_ID] &&
        !s->role_set) {
        /* the scope shares the households (an H-CLIC case's people, main
         * and TA tables): each row carries its own identifiers, or none */
        s->role = ROLE_RECORDS;
        return 0;
    }
    if (!s->column[CF_LOCAL_ID])
        return setting_fail_at(ctx, s->line, "[source %s] has id_scope '%s' "
                                             "but no 'field.local_id' to "
                                             "join on",
                               s->name, s->id_scope);
    for (f = 0; f < CF_COUNT; f++)
        if (s->column[f] && f != CF_LOCAL_ID && f != CF_POSTCODE &&
            f != CF_UPRN && f < CF_CONTACT_FIRST &&
            common_field_is_identifier((enum common_field)f))
            person_id = 1; /* a place or a contact detail makes no header */
    if (!s->role_set)
        s->role = person_id ? ROLE_HEADER : ROLE_EVENTS;
    return 0;
}

int
source_map_finish(struct source_plan *s, struct setting_ctx *ctx)
{
    int f, have_id = 0, rc;

    /* the household id says which household, never who: it is not an
     * identifier a row could link by */
    for (f = 0; f < CF_COUNT; f++)
        if (s->column[f] && common_field_is_identifier((enum common_field)f))
            have_id = 1;
    s->household_events = !have_id && s->column[CF_HOUSEHOLD_ID];
    if (s->household_events && s->column[CF_LEAD])
        return setting_fail_at(ctx, s->column_line[CF_LEAD],
                               "[source %s] maps field.lead but no "
                               "person: a table of a household's own "
                               "spells has no lead", s->name);
    if ((rc = finish_role(s, ctx)) < 0)
        return rc;
    /* A header may list persons only: no service and no dates; so may a
     * household's list of members (an H-CLIC people table), who are
     * then members over every period. */
    s->has_spells = !((s->role == ROLE_HEADER ||
                       (s->column[CF_HOUSEHOLD_ID] && !s->household_events)) &&
                      !s->fixed_service &&
                      !s->column[CF_SERVICE] && !s->column[CF_START_DATE] &&
                      !s->column[CF_END_DATE]);
    if (s->has_spells && !s->fixed_service && !s->column[CF_SERVICE])
        return setting_fail_at(ctx, s->line, "[source %s] needs "
                                             "'field.service' (with "
                                             "value.service.CODE maps) or "
                                             "a fixed 'service'", s->name);
    if (s->fixed_service && s->column[CF_SERVICE])
        return setting_fail_at(ctx, s->line, "[source %s] has both "
                                             "'service' and 'field.service'",
                               s->name);
    if (s->column[CF_SERVICE] && !s->values[VF_SERVICE].n &&
        !s->values[VF_SERVICE].default_value)
        return setting_fail_at(ctx, s->column_line[CF_SERVICE],
                               "[source %s] maps field.service but no "
                               "value.service.CODE = service", s->name);
    if (s->has_spells && !s->column[CF_START_DATE])
        return setting_fail_at(ctx, s->line, "missing key 'field.start_date' "
                                             "in [source %s]", s->name);
    if (s->column[CF_LEAD] && !s->column[CF_HOUSEHOLD_ID])
        return setting_fail_at(ctx, s->column_line[CF_LEAD],
                               "[source %s] maps field.lead but no "
                               "field.household_id: a lead is the lead "
                               "of a household", s->name);
    if (!have_id && !s->household_events)
        return setting_fail_at(ctx, s->line, "[source %s] maps no identifier "
                                             "field (nhs_number, upn, dob, "
                                             "... ): its rows could never "
                                             "link", s->name);
    return 0;
}
