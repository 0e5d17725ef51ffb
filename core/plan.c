/*
 * plan.c - the job plan's own data: names of its enums, lookups over it and
 * its release. Nothing here parses a job file (app/config.c does, with each
 * stage's settings table).
 */
#include "plan.h"
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The default set: every job knows these without declaring them (their
 * indexes are enum default_department). The titles are the words the
 * report and `cohort rules` have always used. */
static const struct {
    const char *name, *title;
} default_departments[DEPT_DEFAULT_COUNT] = {
    [DEPT_HOUSING] = {"housing", "housing"},
    [DEPT_CHILDREN_SOCIAL_CARE] = {"children_social_care",
                                   "children's social care"},
    [DEPT_ADULT_SOCIAL_CARE] = {"adult_social_care", "adult social care"},
    [DEPT_EDUCATION] = {"education", "education"},
};

static const char *const by_names[BY_COUNT] = {
    "age_band", "sex", "ethnicity", "ward", "lsoa", "district", "service",
    "months_in_cohort", "from_service", "to_service", "departments",
    "departments_known", "household_size", "children", "household_type",
    "placement_type", "legal_status", "category_of_need",
    "linked_departments"};

const char *
measure_name(enum measure m)
{
    switch (m) {
    case MEASURE_NEW:
        return "new";
    case MEASURE_ENDED:
        return "ended";
    case MEASURE_AT_END:
        return "at_end";
    default:
        return "persons";
    }
}

const char *
by_column_name(enum by_column b)
{
    return (unsigned)b < BY_COUNT ? by_names[b] : "unknown";
}

int
by_column_category(enum by_column b)
{
    return b >= BY_PLACEMENT_TYPE && b < BY_PLACEMENT_TYPE + CAT_COUNT
               ? (int)(b - BY_PLACEMENT_TYPE)
               : -1;
}

/* Frees what a source's coded columns own. */
static void
coded_columns_release(struct source_plan *s)
{
    size_t k, j;

    for (k = 0; k < s->ncoded; k++) {
        struct coded_column *cc = &s->coded[k];

        free(cc->column);
        free(cc->list);
        for (j = 0; j < cc->nentries; j++)
            free(cc->entries[j].code);
        free(cc->entries);
        for (j = 0; j < cc->ngroups; j++)
            free(cc->groups[j]);
        free(cc->groups);
    }
    s->ncoded = 0;
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

size_t
job_plan_ndepartments(const struct job_plan *plan)
{
    return plan->ndepartments ? plan->ndepartments : DEPT_DEFAULT_COUNT;
}

const char *
job_plan_department_name(const struct job_plan *plan, int d)
{
    if (d < 0 || (size_t)d >= job_plan_ndepartments(plan))
        return "?";
    return plan->ndepartments ? plan->departments[d].name
                              : default_departments[d].name;
}

const char *
job_plan_department_title(const struct job_plan *plan, int d)
{
    if (d < 0 || (size_t)d >= job_plan_ndepartments(plan))
        return "?";
    if (!plan->ndepartments)
        return default_departments[d].title;
    return plan->departments[d].title ? plan->departments[d].title
                                      : plan->departments[d].name;
}

int
job_plan_department_lookup(const struct job_plan *plan, const char *name)
{
    size_t i, n = job_plan_ndepartments(plan);

    for (i = 0; i < n; i++)
        if (!strcmp(job_plan_department_name(plan, (int)i), name))
            return (int)i;
    return -1;
}

void
job_plan_department_names(const struct job_plan *plan, char *buf, size_t n)
{
    size_t i, o = 0, nd = job_plan_ndepartments(plan);

    if (n)
        buf[0] = '\0';
    for (i = 0; i < nd && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
                              job_plan_department_name(plan, (int)i));
}

const char *
job_plan_service_description(const struct job_plan *plan, int service)
{
    const struct department_plan *dp;
    size_t i;

    if (service < 0 || (size_t)service >= plan->nservices ||
        plan->services[service].department >= plan->ndepartments)
        return NULL;
    dp = &plan->departments[plan->services[service].department];
    for (i = 0; i < dp->nservices; i++)
        if (!strcmp(dp->services[i].name, plan->services[service].name))
            return dp->services[i].description;
    return NULL;
}

int
job_plan_need_lookup(const struct job_plan *plan, const char *name)
{
    size_t i;

    for (i = 0; i < plan->nneeds; i++)
        if (!strcmp(plan->needs[i].name, name))
            return (int)i;
    return -1;
}

const char *
source_format_name(enum source_format f)
{
    switch (f) {
    case SRC_CSV:
        return "csv";
    case SRC_POSTGRES:
        return "postgres";
    case SRC_XML:
        return "xml";
    }
    return "unknown";
}

int
source_plan_xml_column(const struct source_plan *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->nxml_columns; i++)
        if (!strcasecmp(s->xml_columns[i].name, name))
            return (int)i;
    return -1;
}

int
job_plan_add_default_departments(struct job_plan *plan)
{
    size_t i;

    plan->departments = calloc(DEPT_DEFAULT_COUNT, sizeof(*plan->departments));
    if (!plan->departments)
        return CE_NOMEM;
    plan->ndepartments = DEPT_DEFAULT_COUNT;
    for (i = 0; i < DEPT_DEFAULT_COUNT; i++)
        if (!(plan->departments[i].name =
                  strdup(default_departments[i].name)) ||
            !(plan->departments[i].title =
                  strdup(default_departments[i].title)))
            return CE_NOMEM;
    return 0;
}

int
source_plan_set_xml_column(struct source_plan *s, const char *name,
                           const char *path, int line)
{
    int i = source_plan_xml_column(s, name);
    char *n = strdup(name), *p = strdup(path);
    struct xml_column_plan *c;

    if (!n || !p)
        goto nomem;
    if (i < 0) {
        c = realloc(s->xml_columns, (s->nxml_columns + 1) * sizeof(*c));
        if (!c)
            goto nomem;
        s->xml_columns = c;
        i = (int)s->nxml_columns++;
    } else {
        free(s->xml_columns[i].name);
        free(s->xml_columns[i].path);
    }
    s->xml_columns[i].name = n;
    s->xml_columns[i].path = p;
    s->xml_columns[i].line = line;
    return 0;
nomem:
    free(n);
    free(p);
    return CE_NOMEM;
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
        free(s->department_name);
        free(s->profile);
        free(s->id_scope);
        free(s->path);
        free(s->conninfo);
        free(s->query);
        free(s->table);
        free(s->xml_record);
        for (j = 0; j < s->nxml_columns; j++) {
            free(s->xml_columns[j].name);
            free(s->xml_columns[j].path);
        }
        free(s->xml_columns);
        free(s->date_format);
        free(s->fixed_service);
        free(s->period_column);
        free(s->period_start_codes);
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
        coded_columns_release(s);
    }
    free(pl->sources);
    for (v = 0; v < CAT_COUNT; v++)
        for (j = 0; j < pl->categories[v].n; j++)
            free(pl->categories[v].label[j]);
    for (i = 0; i < pl->nscopes; i++)
        free(pl->scopes[i]);
    free(pl->scopes);
    for (i = 0; i < pl->nservices; i++)
        free(pl->services[i].name);
    free(pl->services);
    for (i = 0; i < pl->ndepartments; i++) {
        struct department_plan *dp = &pl->departments[i];

        free(dp->name);
        free(dp->title);
        for (j = 0; j < dp->nservices; j++) {
            free(dp->services[j].name);
            free(dp->services[j].description);
        }
        free(dp->services);
    }
    free(pl->departments);
    for (i = 0; i < pl->nneeds; i++) {
        free(pl->needs[i].name);
        free(pl->needs[i].title);
        free(pl->needs[i].where);
    }
    free(pl->needs);
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
