/*
 * plan.c - the job plan's own data: names of its enums, lookups over it and
 * its release. Nothing here parses a job file (app/config.c does, with each
 * stage's settings table).
 */
#include "plan.h"
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

static const char *const by_names[BY_COUNT] = {
    "age_band", "sex", "ethnicity", "ward", "lsoa", "district", "service",
    "months_in_cohort", "from_service", "to_service", "departments",
    "departments_known", "household_size", "children", "household_type"};

const char *
by_column_name(enum by_column b)
{
    return (unsigned)b < BY_COUNT ? by_names[b] : "unknown";
}

const char *
cohort_by_name(const struct cohort_plan *k, size_t j)
{
    if (k->by[j] == BY_SERVICE && k->by_name[j])
        return k->by_name[j];
    return by_column_name((enum by_column)k->by[j]);
}

int32_t
job_plan_period_end(const struct job_plan *plan)
{
    int y, m, d;

    civil_from_days(plan->reference_date, &y, &m, &d);
    if (plan->include_partial || d == days_in_month(y, m))
        return plan->reference_date;
    return days_from_civil(y, m, 1) - 1;
}

int
job_plan_last_period_partial(const struct job_plan *plan)
{
    int y, m, d;

    civil_from_days(job_plan_period_end(plan), &y, &m, &d);
    return d != days_in_month(y, m);
}

/* What a cohort_plan owns. */
static void
cohort_plan_release(struct cohort_plan *k)
{
    size_t j;

    free(k->name);
    free(k->title);
    free(k->where);
    for (j = 0; j < k->nby; j++)
        free(k->by_name[j]);
}

int
job_plan_service_index(const struct job_plan *plan, int department,
                       const char *name)
{
    size_t i;

    for (i = 0; i < plan->nservices; i++)
        if (plan->services[i].department == department &&
            !strcmp(plan->services[i].name, name))
            return (int)i;
    return -1;
}

void
disclosure_plan_release(struct disclosure_plan *dp)
{
    free(dp->preset);
    free(dp->ptable);
    memset(dp, 0, sizeof(*dp));
}

void
job_plan_release(struct job_plan *pl)
{
    size_t i, j;
    int f, v;

    if (!pl)
        return;
    free(pl->config_path);
    free(pl->name);
    free(pl->key_file);
    free(pl->output_dir);
    free(pl->lookup);
    free(pl->nicknames);
    free(pl->name_variants);
    free(pl->age_bands);
    for (i = 0; i < pl->nsources; i++) {
        struct source_plan *s = &pl->sources[i];

        free(s->name);
        free(s->profile);
        free(s->id_scope);
        free(s->path);
        free(s->conninfo);
        free(s->query);
        free(s->table);
        free(s->date_format);
        free(s->fixed_service);
        for (f = 0; f < CF_COUNT; f++) {
            free(s->column[f]);
            free(s->field_date_format[f]);
        }
        for (v = 0; v < VF_COUNT; v++) {
            for (j = 0; j < s->values[v].n; j++) {
                free(s->values[v].entries[j].code);
                free(s->values[v].entries[j].canonical);
            }
            free(s->values[v].entries);
            free(s->values[v].default_value);
            free(s->values[v].list);
        }
    }
    free(pl->sources);
    for (i = 0; i < pl->nscopes; i++)
        free(pl->scopes[i]);
    free(pl->scopes);
    for (i = 0; i < pl->nservices; i++)
        free(pl->services[i].name);
    free(pl->services);
    for (i = 0; i < pl->linkage.nkeys; i++)
        free(pl->linkage.keys[i].text);
    free(pl->linkage.keys);
    disclosure_plan_release(&pl->disclosure);
    for (i = 0; i < pl->ncohorts; i++)
        cohort_plan_release(&pl->cohorts[i]);
    free(pl->cohorts);
    for (i = 0; i < pl->ntransitions; i++) {
        cohort_plan_release(&pl->transitions[i].table);
        free(pl->transitions[i].from);
        free(pl->transitions[i].to);
    }
    free(pl->transitions);
    free(pl->denominators);
    for (i = 0; i < pl->noutputs; i++) {
        free(pl->outputs[i].name);
        free(pl->outputs[i].conninfo);
        free(pl->outputs[i].schema);
        free(pl->outputs[i].grant_to);
        free(pl->outputs[i].dir);
    }
    free(pl->outputs);
    memset(pl, 0, sizeof(*pl));
}
