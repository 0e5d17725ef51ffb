/*
 * transition_settings.c - the [transition] keys as a table, and the names
 * of every table a job publishes.
 */
#include "transition_settings.h"
#include "cohort_settings.h"
#include "flows.h"
#include "linkgroup.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(member) offsetof(struct transition_plan, member)

const struct setting transition_settings[] = {
    {.name = "title", .type = SETTING_STRING, .offset = AT(table.title),
     .check = cohort_settings_check_title, .expect = "UTF-8 text",
     .joiner = " ",
     .help = "shown in the report and table comments (default: the name)"},
    {.name = "from", .type = SETTING_STRING, .offset = AT(from),
     .flags = SETTING_KEEP_LINE, .line_offset = AT(from_line),
     .check = setting_check_name, .expect = "the name of a [cohort]",
     .help = "the cohort persons are in the month before"},
    {.name = "to", .type = SETTING_STRING, .offset = AT(to),
     .flags = SETTING_KEEP_LINE, .line_offset = AT(to_line),
     .check = setting_check_name, .expect = "the name of a [cohort]",
     .help = "the cohort they are in that month"},
    /* the table is the first member: the by check sees a cohort_plan */
    {.name = "by", .type = SETTING_CUSTOM, .offset = AT(table.by),
     .check = cohort_settings_set_by,
     .help = "breakdown columns and DEPARTMENT.SERVICE flags, that month"},
    {.name = NULL},
};

static const struct {
    const char *name;
    unsigned bit;
} standard_names[] = {{"service_transitions", STD_SERVICE_TRANSITIONS},
                      {"overlap", STD_OVERLAP},
                      {"linkage_by_group", STD_LINKAGE}};

/* standard_tables = service_transitions, overlap, linkage_by_group (or
 * none) */
static int
set_standard_tables(const struct setting *s, void *obj, const char *value,
                    struct setting_ctx *ctx)
{
    struct job_plan *pl = obj;
    const char *p = value;
    size_t i;

    pl->standard_tables = 0;
    while (*p) {
        size_t len;

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        len = strcspn(p, " ,");
        for (i = 0; i < sizeof(standard_names) / sizeof(standard_names[0]);
             i++)
            if (strlen(standard_names[i].name) == len &&
                !strncmp(standard_names[i].name, p, len))
                break;
        if (i < sizeof(standard_names) / sizeof(standard_names[0]))
            pl->standard_tables |= standard_names[i].bit;
        else if (!(len == 4 && !strncmp(p, "none", 4)))
            return setting_bad_value(ctx, NULL, s->expect);
        p += len;
    }
    return 0;
}

const struct setting tables_job_settings[] = {
    {.name = "standard_tables", .type = SETTING_CUSTOM,
     .offset = offsetof(struct job_plan, standard_tables),
     .check = set_standard_tables, .boot = "none",
     .expect = "none, or service_transitions, overlap and "
               "linkage_by_group",
     .help = "standard tables: service_transitions (per department), "
             "overlap (departments per person), linkage_by_group (persons "
             "linked across departments per ethnic group, sex, age band)"},
    {.name = NULL},
};

_Static_assert(offsetof(struct transition_plan, table) == 0,
               "the [transition] by key is applied to the table");

/* The index of cohort `name` in plan, or -1. */
static int
find_cohort(const struct job_plan *plan, const char *name)
{
    size_t i;

    for (i = 0; i < plan->ncohorts; i++)
        if (!strcmp(plan->cohorts[i].name, name))
            return (int)i;
    return -1;
}

/* A transition follows persons from one month to the next: household
 * cohorts and composition columns mean nothing to it. */
static int
transition_persons_only(const struct transition_plan *tp,
                        const struct job_plan *plan, struct setting_ctx *ctx)
{
    const struct cohort_plan *k = &tp->table;
    size_t j;

    if (plan->cohorts[tp->from_cohort].unit == UNIT_HOUSEHOLDS ||
        plan->cohorts[tp->to_cohort].unit == UNIT_HOUSEHOLDS)
        return setting_fail_at(ctx, k->line, "[transition %s]: a transition "
                                             "follows persons; its cohorts "
                                             "need unit = persons",
                               k->name);
    for (j = 0; j < k->nby; j++)
        if (BY_IS_COMPOSITION(k->by[j]))
            return setting_fail_at(ctx, k->by_line, "[transition %s]: 'by' "
                                                    "%s describes a "
                                                    "household",
                                   k->name,
                                   by_column_name((enum by_column)k->by[j]));
    return 0;
}

int
transition_settings_finish(struct transition_plan *tp,
                           const struct job_plan *plan,
                           struct setting_ctx *ctx)
{
    struct cohort_plan *k = &tp->table;
    int rc;

    if (!tp->from || !tp->to)
        return setting_fail_at(ctx, k->line, "missing key '%s' in "
                                             "[transition %s]",
                               tp->from ? "to" : "from", k->name);
    tp->from_cohort = find_cohort(plan, tp->from);
    if (tp->from_cohort < 0)
        return setting_fail_at(ctx, tp->from_line, "[transition %s]: 'from' "
                                                   "names no [cohort] of this "
                                                   "job",
                               k->name);
    tp->to_cohort = find_cohort(plan, tp->to);
    if (tp->to_cohort < 0)
        return setting_fail_at(ctx, tp->to_line, "[transition %s]: 'to' "
                                                 "names no [cohort] of this "
                                                 "job",
                               k->name);
    if ((rc = transition_persons_only(tp, plan, ctx)) < 0)
        return rc;
    if (!k->title && setting_set_string(&k->title, k->name, ctx) < 0)
        return CE_NOMEM;
    return cohort_settings_finish_by(k, plan, "transition", ctx);
}

/* Every published table's name, with the line of what makes it. */
struct table_names {
    char (*name)[80];
    int *line;
    size_t n, cap;
};

static int
names_add(struct table_names *tn, const char *a, const char *b, int line)
{
    if (tn->n == tn->cap) {
        size_t cap = tn->cap ? 2 * tn->cap : 32;
        void *p = realloc(tn->name, cap * sizeof(*tn->name));
        void *q;

        if (!p)
            return CE_NOMEM;
        tn->name = p;
        if (!(q = realloc(tn->line, cap * sizeof(*tn->line))))
            return CE_NOMEM;
        tn->line = q;
        tn->cap = cap;
    }
    snprintf(tn->name[tn->n], sizeof(tn->name[0]), "%s%s%s", a, b ? "_" : "",
             b ? b : "");
    tn->line[tn->n++] = line;
    return 0;
}

/* The names the plan's tables take, in publication order. */
static int
collect_names(const struct job_plan *plan, struct table_names *tn)
{
    size_t i;
    int f, d, rc = 0;

    for (i = 0; i < plan->ncohorts && rc == 0; i++) {
        const struct cohort_plan *c = &plan->cohorts[i];

        rc = names_add(tn, c->name, NULL, c->line);
        for (f = 0; f < FLOW_COUNT && c->forecast && rc == 0; f++)
            rc = names_add(tn, c->name, flow_table_suffix((enum flow_table)f),
                           c->line);
        if (c->forecast && rc == 0)
            rc = names_add(tn, c->name, FLOW_FORECAST_SUFFIX, c->line);
    }
    for (i = 0; i < plan->ntransitions && rc == 0; i++)
        rc = names_add(tn, plan->transitions[i].table.name, NULL,
                       plan->transitions[i].table.line);
    for (d = 0; d < (int)job_plan_ndepartments(plan) && rc == 0; d++)
        if ((plan->standard_tables & STD_SERVICE_TRANSITIONS) &&
            service_transitions_wanted(plan, d)) {
            char name[80];

            snprintf(name, sizeof(name), "%s%s", SERVICE_TRANSITIONS_PREFIX,
                     job_plan_department_name(plan, d));
            rc = names_add(tn, name, NULL, 0);
        }
    if ((plan->standard_tables & STD_OVERLAP) && rc == 0)
        rc = names_add(tn, OVERLAP_TABLE, NULL, 0) < 0
                 ? CE_NOMEM
                 : names_add(tn, OVERLAP_COUNT_TABLE, NULL, 0);
    for (i = 0; i < LINKGROUP_NBY && (plan->standard_tables & STD_LINKAGE) &&
                rc == 0;
         i++) {
        char name[80];

        snprintf(name, sizeof(name), "%s%s", LINKGROUP_PREFIX,
                 by_column_name((enum by_column)linkgroup_by[i]));
        rc = names_add(tn, name, NULL, 0);
    }
    return rc;
}

int
published_tables_check(const struct job_plan *plan, struct setting_ctx *ctx)
{
    /* the names of the files and tables every run publishes */
    static const char *const taken[] = {"runs", "quality", "linkage",
                                        "manifest", "report", "latest",
                                        "quarantine"};
    struct table_names tn;
    size_t i, j;
    int rc = 0;

    if ((plan->standard_tables & STD_OVERLAP) &&
        job_plan_ndepartments(plan) > OVERLAP_MAX_DEPARTMENTS)
        return setting_fail_at(ctx, 0, "standard_tables = overlap takes at "
                                       "most %d departments; the job has %zu",
                               OVERLAP_MAX_DEPARTMENTS,
                               job_plan_ndepartments(plan));
    memset(&tn, 0, sizeof(tn));
    if (collect_names(plan, &tn) < 0) {
        rc = setting_nomem(ctx);
        goto out;
    }
    for (i = 0; i < tn.n && rc == 0; i++) {
        for (j = 0; j < sizeof(taken) / sizeof(taken[0]); j++)
            if (!strcmp(tn.name[i], taken[j]))
                rc = setting_fail_at(ctx, tn.line[i], "the table name '%s' is "
                                                      "taken by a published "
                                                      "file or table; choose "
                                                      "another name",
                                     tn.name[i]);
        /* the publisher derives names with __ (NAME__history) */
        if (rc == 0 && strstr(tn.name[i], "__"))
            rc = setting_fail_at(ctx, tn.line[i], "the table name '%s' has "
                                                  "__, kept for the tables "
                                                  "the publisher derives "
                                                  "(NAME__history); rename "
                                                  "its section",
                                 tn.name[i]);
        for (j = 0; j < i && rc == 0; j++)
            if (!strcmp(tn.name[i], tn.name[j]))
                rc = setting_fail_at(ctx, tn.line[i] ? tn.line[i] : tn.line[j],
                                     "two published tables would be named "
                                     "'%s' (a cohort, a forecast cohort's "
                                     "_new, _ended, _duration and _forecast, "
                                     "a transition or a standard table); "
                                     "rename one",
                                     tn.name[i]);
    }
out:
    free(tn.name);
    free(tn.line);
    return rc;
}
