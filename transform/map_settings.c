/*
 * map_settings.c - the mapping's [source] keys as a table, with the checks
 * that need the whole section (a profile's gaps filled, a role inferred, a
 * service and an identifier required).
 */
#include "map_settings.h"
#include "profiles.h"

#include <stddef.h>
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
    int dep = department_lookup(value);

    if (dep < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    ((struct source_plan *)obj)->department = (enum department)dep;
    return 0;
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

static int
check_date_format(const struct setting *s, void *obj, const char *value,
                  struct setting_ctx *ctx)
{
    (void)obj;
    return strchr(value, '%') ? 0 : setting_bad_value(ctx, NULL, s->expect);
}

/* field.FIELD = COLUMN */
static int
set_field(const struct setting *s, void *obj, const char *value,
          struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    int f = common_field_lookup(ctx->key + strlen(s->name));

    if (f < 0)
        return setting_fail(ctx, "unknown common field '%s' in key '%s'",
                            ctx->key + strlen(s->name), ctx->key);
    if (!*value)
        return setting_bad_value(ctx, NULL, "a source column name");
    sp->column_line[f] = ctx->line;
    return setting_set_string(&sp->column[f], value, ctx);
}

static int
add_value_entry(struct value_map *vm, const char *code, const char *canonical,
                struct setting_ctx *ctx)
{
    struct value_map_entry *e;
    size_t i;

    for (i = 0; i < vm->n; i++)
        if (!strcasecmp(vm->entries[i].code, code))
            return setting_fail(ctx, "code mapped twice");
    e = realloc(vm->entries, (vm->n + 1) * sizeof(*e));
    if (!e)
        return setting_nomem(ctx);
    vm->entries = e;
    e = &vm->entries[vm->n];
    memset(e, 0, sizeof(*e));
    if (!(e->code = strdup(code)) || !(e->canonical = strdup(canonical))) {
        free(e->code);
        e->code = NULL;
        return setting_nomem(ctx);
    }
    vm->n++;
    return 0;
}

/* A canonical value a value map may map to. */
static int
check_canonical(enum value_field vf, const char *value,
                struct setting_ctx *ctx)
{
    size_t i;

    if (vf == VF_SEX) {
        for (i = 0; i < SEX_COUNT; i++)
            if (!strcmp(value, sex_name((enum sex_code)i)))
                return 0;
        return setting_bad_value(ctx, "value.sex", "M, F, U or X");
    }
    if (vf == VF_ETHNICITY) {
        for (i = 0; i < ETH_COUNT; i++)
            if (!strcmp(value, ethnic_group_name((enum ethnic_group)i)))
                return 0;
        return setting_bad_value(ctx, "value.ethnicity",
                                 "WHITE, MIXED, ASIAN, BLACK, OTHER or "
                                 "UNKNOWN");
    }
    if (!setting_name_ok(value))
        return setting_bad_value(ctx, "value.service", "a service name in "
                                                       "lower-case letters, "
                                                       "digits and _");
    return 0;
}

/* value.FIELD.CODE = CANONICAL, and value.FIELD.default */
static int
set_value(const struct setting *s, void *obj, const char *value,
          struct setting_ctx *ctx)
{
    static const char *const fields[VF_COUNT] = {"sex", "ethnicity",
                                                 "service"};
    struct source_plan *sp = obj;
    const char *field = ctx->key + strlen(s->name), *dot = strchr(field, '.');
    int vf, rc;

    if (!dot || !dot[1])
        return setting_fail(ctx, "key '%s': expected value.FIELD.CODE",
                            ctx->key);
    for (vf = 0; vf < VF_COUNT; vf++)
        if (strlen(fields[vf]) == (size_t)(dot - field) &&
            !strncmp(field, fields[vf], (size_t)(dot - field)))
            break;
    if (vf == VF_COUNT)
        return setting_fail(ctx, "key '%s': value maps exist for sex, "
                                 "ethnicity and service", ctx->key);
    if ((rc = check_canonical((enum value_field)vf, value, ctx)) < 0)
        return rc;
    if (!strcmp(dot + 1, "default"))
        return setting_set_string(&sp->values[vf].default_value, value, ctx);
    return add_value_entry(&sp->values[vf], dot + 1, value, ctx);
}

static const struct setting_choice roles[] = {
    {"header", ROLE_HEADER}, {"events", ROLE_EVENTS}, {NULL, 0}};

#define AT(member) offsetof(struct source_plan, member)

const struct setting source_map_settings[] = {
    {.name = "department", .type = SETTING_CUSTOM, .offset = AT(department),
     .check = set_department,
     .expect = "housing, children_social_care, adult_social_care or "
               "education",
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
    {.name = "date_format", .type = SETTING_STRING, .offset = AT(date_format),
     .check = check_date_format, .expect = "a format such as %d/%m/%Y",
     .help = "strptime-style; ISO and yyyymmdd are always accepted too"},
    {.name = "field.", .type = SETTING_CUSTOM, .offset = AT(column),
     .check = set_field,
     .help = "field.FIELD: the source column feeding common field FIELD"},
    {.name = "value.", .type = SETTING_CUSTOM, .offset = AT(values),
     .check = set_value, .flags = SETTING_REPEATABLE,
     .help = "value.FIELD.CODE: maps a source code to a canonical value"},
    {.name = "service", .type = SETTING_STRING, .offset = AT(fixed_service),
     .check = setting_check_name,
     .expect = "a service name in lower-case letters, digits and _",
     .help = "the one service of a source that records only one"},
    {.name = "max_reject_rate", .type = SETTING_RATE,
     .offset = AT(max_reject_ppm), .boot = "5%",
     .expect = "a rate such as 5% or 0.05",
     .help = "more quarantined rows than this fails the run"},
    {.name = NULL},
};

void
source_map_init(struct source_plan *s)
{
    s->department = DEPT_COUNT;
    s->scope = -1;
}

int
source_map_apply_profile(struct source_plan *s, struct setting_ctx *ctx)
{
    const struct profile *p = profile_find(s->profile);
    size_t i, j;
    int rc;

    if (p && s->department == DEPT_COUNT)
        s->department = p->department;
    if (p && !s->date_format && p->date_format &&
        (rc = setting_set_string(&s->date_format, p->date_format, ctx)) < 0)
        return rc;
    if (p && !s->fixed_service && p->fixed_service &&
        (rc = setting_set_string(&s->fixed_service, p->fixed_service, ctx)) < 0)
        return rc;
    if (p && !s->id_scope && p->id_scope &&
        (rc = setting_set_string(&s->id_scope, p->id_scope, ctx)) < 0)
        return rc;
    for (i = 0; p && i < p->ncolumns; i++) {
        int f = p->columns[i].field;

        if (s->column[f])
            continue;
        if ((rc = setting_set_string(&s->column[f], p->columns[i].column,
                                     ctx)) < 0)
            return rc;
        s->column_line[f] = s->line;
    }
    for (i = 0; p && i < p->nvalues; i++) {
        struct value_map *vm = &s->values[p->values[i].field];
        int dup = 0;

        for (j = 0; j < vm->n; j++)
            if (!strcasecmp(vm->entries[j].code, p->values[i].code))
                dup = 1;
        if (!dup && (rc = add_value_entry(vm, p->values[i].code,
                                          p->values[i].canonical, ctx)) < 0)
            return rc;
    }
    if (s->department == DEPT_COUNT)
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
    if (!s->column[CF_LOCAL_ID])
        return setting_fail_at(ctx, s->line, "[source %s] has id_scope '%s' "
                                             "but no 'field.local_id' to "
                                             "join on",
                               s->name, s->id_scope);
    for (f = 0; f < CF_COUNT; f++)
        if (s->column[f] && f != CF_LOCAL_ID && f != CF_POSTCODE &&
            f != CF_UPRN && common_field_is_identifier((enum common_field)f))
            person_id = 1;
    if (!s->role_set)
        s->role = person_id ? ROLE_HEADER : ROLE_EVENTS;
    return 0;
}

int
source_map_finish(struct source_plan *s, struct setting_ctx *ctx)
{
    int f, have_id = 0, rc;

    if ((rc = finish_role(s, ctx)) < 0)
        return rc;
    /* A header may list persons only: no service and no dates. */
    s->has_spells = !(s->role == ROLE_HEADER && !s->fixed_service &&
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
    for (f = 0; f < CF_COUNT; f++)
        if (s->column[f] && common_field_is_identifier((enum common_field)f))
            have_id = 1;
    if (!have_id)
        return setting_fail_at(ctx, s->line, "[source %s] maps no identifier "
                                             "field (nhs_number, upn, dob, "
                                             "... ): its rows could never "
                                             "link", s->name);
    return 0;
}
