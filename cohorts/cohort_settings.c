/*
 * cohort_settings.c - the [cohort] keys as a table, and the checks that
 * need the whole plan.
 */
#include "cohort_settings.h"
#include "../core/label.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(enum measure) == sizeof(int),
               "SETTING_ENUM stores an int");
_Static_assert(sizeof(enum cohort_unit) == sizeof(int),
               "SETTING_ENUM stores an int");

/* The title is published (report, PostgreSQL's COMMENT ON), and PostgreSQL
 * refuses invalid UTF-8 (SQLSTATE 22021) on every run: a job file saved as
 * Windows-1252 must fail here, not nightly. */
int
cohort_settings_check_title(const struct setting *s, void *obj, const char *value,
            struct setting_ctx *ctx)
{
    (void)obj;
    if (utf8_valid_prefix((const unsigned char *)value, strlen(value)) ==
        strlen(value))
        return 0;
    return setting_bad_value(ctx, NULL, s->expect);
}

/* One term of a by list, p[0..len): a fixed column, or BY_SERVICE with the
 * DEPARTMENT.SERVICE term copied into term; CE_CONFIG with ctx set. */
static int
by_term(const char *p, size_t len, char *term, size_t term_size,
        struct setting_ctx *ctx)
{
    const char *dot = memchr(p, '.', len);
    size_t dl;
    int b, found = -1;

    for (b = 0; b < BY_COUNT; b++) {
        const char *n = by_column_name((enum by_column)b);

        /* the fixed columns, a household's composition and the spell
         * categories; service flags and the derived tables' columns are
         * not written by name */
        if ((b < BY_SERVICE || BY_IS_COMPOSITION(b) ||
             by_column_category((enum by_column)b) >= 0) &&
            strlen(n) == len && !strncmp(n, p, len))
            found = b;
    }
    if (found >= 0)
        return found;
    if (!dot)
        return setting_bad_value(ctx, "by", "columns from age_band, sex, "
                                            "ethnicity, ward, lsoa, district, "
                                            "household_size, children, "
                                            "household_type, placement_type, "
                                            "legal_status, category_of_need or "
                                            "DEPARTMENT.SERVICE flags");
    dl = (size_t)(dot - p);
    if (len >= term_size || dl >= 64)
        return setting_bad_value(ctx, "by", "DEPARTMENT.SERVICE with a known "
                                            "department and service");
    memcpy(term, p, len);
    term[len] = '\0';
    term[dl] = '\0';
    /* the department is resolved at the end: [department] sections may
     * follow the cohort */
    if (!setting_name_ok(term) || !setting_name_ok(term + dl + 1))
        return setting_bad_value(ctx, "by", "DEPARTMENT.SERVICE with a "
                                            "declared department and "
                                            "service");
    term[dl] = '.';
    return BY_SERVICE;
}

/* A by list: fixed column names and DEPT.SERVICE flags. A flag's service
 * is resolved in cohort_settings_finish, once every source's map is
 * known; until then by_name holds the term as written. */
int
cohort_settings_set_by(const struct setting *s, void *obj, const char *value,
       struct setting_ctx *ctx)
{
    struct cohort_plan *k = obj;
    const char *p = value;
    size_t i;

    (void)s;
    for (i = 0; i < k->nby; i++) {
        free(k->by_name[i]);
        k->by_name[i] = NULL;
    }
    k->nby = 0;
    k->by_line = ctx->line;
    while (*p) {
        const char *q;
        int found;
        char term[112];

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        q = p;
        while (*q && *q != ',' && *q != ' ')
            q++;
        if ((found = by_term(p, (size_t)(q - p), term, sizeof(term), ctx)) < 0)
            return found;
        for (i = 0; i < k->nby; i++)
            if (k->by[i] == found &&
                (found != BY_SERVICE || !strcmp(k->by_name[i], term)))
                return setting_fail(ctx, "'by' names %s twice",
                                    found == BY_SERVICE
                                        ? term
                                        : by_column_name((enum by_column)found));
        if (k->nby >= COHORT_MAX_BY)
            return setting_fail(ctx, "'by' takes at most %d columns",
                                COHORT_MAX_BY);
        k->by_service[k->nby] = -1;
        if (found == BY_SERVICE && !(k->by_name[k->nby] = strdup(term)))
            return setting_nomem(ctx);
        k->by[k->nby++] = (uint8_t)found;
        p = q;
    }
    return 0;
}

static const struct setting_choice units[] = {
    {"persons", UNIT_PERSONS}, {"households", UNIT_HOUSEHOLDS}, {NULL, 0}};

static const struct setting_choice measures[] = {
    {"persons", MEASURE_PERSONS}, {"new", MEASURE_NEW},
    {"ended", MEASURE_ENDED}, {"at_end", MEASURE_AT_END}, {NULL, 0}};

#define AT(member) offsetof(struct cohort_plan, member)

const struct setting cohort_settings[] = {
    {.name = "title", .type = SETTING_STRING, .offset = AT(title),
     .check = cohort_settings_check_title, .expect = "UTF-8 text", .joiner = " ",
     .help = "shown in the report and table comments (default: the name)"},
    {.name = "where", .type = SETTING_STRING, .offset = AT(where),
     .flags = SETTING_KEEP_LINE, .line_offset = AT(where_line),
     .joiner = " ", .help = "who is in the cohort in a period"},
    {.name = "by", .type = SETTING_CUSTOM, .offset = AT(by),
     .check = cohort_settings_set_by,
     .help = "breakdown columns and DEPARTMENT.SERVICE flags"},
    {.name = "measure", .type = SETTING_ENUM, .offset = AT(measure),
     .choices = measures, .expect = "persons, new, ended or at_end",
     .boot = "persons",
     .help = "persons in the cohort that month, new ones, ones whose "
             "last month in it it is, or ones in it on its last day"},
    {.name = "unit", .type = SETTING_ENUM, .offset = AT(unit),
     .choices = units, .expect = "persons or households",
     .boot = "persons",
     .help = "count persons, or households whose members satisfy the "
             "where (README \"Households\")"},
    {.name = "forecast", .type = SETTING_BOOL, .offset = AT(forecast),
     .boot = "no",
     .help = "also publish its flows, months in the cohort and a 12-month "
             "projection"},
    {.name = NULL},
};

/* Resolves the cohort's service flags against the plan's services and
 * turns each term into its column name. */
int
cohort_settings_finish_by(struct cohort_plan *k, const struct job_plan *pl,
                          const char *kind, struct setting_ctx *ctx)
{
    size_t j, i;

    for (j = 0; j < k->nby; j++) {
        char *name = k->by_name[j], *dot;
        int dep, idx, cat = by_column_category((enum by_column)k->by[j]);

        /* a category no source carries would be one UNKNOWN row: a
         * mistake, not a table */
        if (cat >= 0 && pl->categories[cat].n <= 1)
            return setting_fail_at(ctx, k->by_line, "[%s %s]: 'by' names "
                                                    "%s, which no source "
                                                    "carries (category.%s, "
                                                    "or a profile's coded "
                                                    "column)",
                                   kind, k->name,
                                   by_column_name((enum by_column)k->by[j]),
                                   by_column_name((enum by_column)k->by[j]));
        if (k->by[j] != BY_SERVICE)
            continue;
        dot = strchr(name, '.');
        *dot = '\0';
        dep = job_plan_department_lookup(pl, name);
        if (dep < 0) {
            char known[512];

            job_plan_department_names(pl, known, sizeof(known));
            return setting_fail_at(ctx, k->by_line, "[%s %s]: 'by' names "
                                                    "unknown department '%s' "
                                                    "(declared: %s)",
                                   kind, k->name, name, known);
        }
        idx = job_plan_service_index(pl, dep, dot + 1);
        if (idx < 0) {
            char known[512];
            size_t o = 0;

            known[0] = '\0';
            for (i = 0; i < pl->nservices && o < sizeof(known); i++)
                if (pl->services[i].department == dep)
                    o += (size_t)snprintf(known + o, sizeof(known) - o,
                                          "%s%s", o ? ", " : "",
                                          pl->services[i].name);
            return setting_fail_at(ctx, k->by_line, "[%s %s]: 'by' names "
                                                    "unknown service '%s' in "
                                                    "%s (known: %s)",
                                   kind, k->name, dot + 1, name,
                                   o ? known : "none mapped");
        }
        *dot = '_';
        k->by_service[j] = idx;
    }
    return 0;
}

/* 1 when a band starts at 18, so every band is wholly child or adult. */
static int
bands_split_at_18(const struct job_plan *plan)
{
    size_t i;

    for (i = 0; i < plan->nage_bands; i++)
        if (plan->age_bands[i].lo == 18)
            return 1;
    return 0;
}

/* A household cohort's by columns are its composition and service flags
 * (of any member); a person cohort has no composition. */
static int
check_unit(const struct cohort_plan *k, const struct job_plan *plan,
           struct setting_ctx *ctx)
{
    size_t j;

    for (j = 0; j < k->nby; j++) {
        int b = k->by[j], comp = BY_IS_COMPOSITION(b);

        if (k->unit == UNIT_PERSONS && comp)
            return setting_fail_at(ctx, k->by_line, "[cohort %s]: 'by' %s "
                                   "describes a household: it needs unit = "
                                   "households", k->name,
                                   by_column_name((enum by_column)b));
        if (k->unit == UNIT_HOUSEHOLDS && !comp && b != BY_SERVICE)
            return setting_fail_at(ctx, k->by_line, "[cohort %s]: a "
                                   "household has no single %s: break it "
                                   "down by household_size, children, "
                                   "household_type or DEPARTMENT.SERVICE "
                                   "flags", k->name,
                                   by_column_name((enum by_column)b));
        if (comp && b != BY_HOUSEHOLD_SIZE && !bands_split_at_18(plan))
            return setting_fail_at(ctx, k->by_line, "[cohort %s]: 'by' %s "
                                   "tells children from adults: age_bands "
                                   "needs a band starting at 18", k->name,
                                   by_column_name((enum by_column)b));
    }
    if (k->unit == UNIT_HOUSEHOLDS && k->forecast)
        return setting_fail_at(ctx, k->line, "[cohort %s]: forecast = yes "
                                             "projects persons: it needs "
                                             "unit = persons", k->name);
    return 0;
}

int
cohort_settings_finish(struct cohort_plan *k, const struct job_plan *plan,
                       struct setting_ctx *ctx)
{
    /* the names of the files and tables every run publishes */
    static const char *const taken[] = {"runs", "quality", "linkage",
                                        "manifest", "report", "latest",
                                        "quarantine"};
    size_t i;
    int rc;

    if (!k->where)
        return setting_fail_at(ctx, k->line, "missing key 'where' in "
                                             "[cohort %s]", k->name);
    for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
        if (!strcmp(k->name, taken[i]))
            return setting_fail_at(ctx, k->line, "[cohort %s]: the name is "
                                                 "taken by a published file "
                                                 "or table; choose another",
                                   k->name);
    /* the publisher derives names with __ (COHORT__history), and a
     * cohort's own name must never be one of them */
    if (strstr(k->name, "__"))
        return setting_fail_at(ctx, k->line, "[cohort %s]: a cohort name may "
                                             "not contain __ (kept for the "
                                             "tables the publisher derives, "
                                             "such as NAME__history)",
                               k->name);
    if (!k->title && setting_set_string(&k->title, k->name, ctx) < 0)
        return CE_NOMEM;
    if ((rc = check_unit(k, plan, ctx)) < 0)
        return rc;
    if (k->forecast && k->measure != MEASURE_PERSONS)
        return setting_fail_at(ctx, k->line, "[cohort %s]: forecast = yes "
                                             "projects persons: it needs "
                                             "measure = persons", k->name);
    return cohort_settings_finish_by(k, plan, "cohort", ctx);
}
