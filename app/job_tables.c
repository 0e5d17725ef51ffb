/*
 * job_tables.c - derived tables, rates and projections: the steps of the
 * job after its cohorts' tables (job_tables.h).
 */
#include "job_tables.h"
#include "job_read.h"

#include "../anonymise/disclosure.h"
#include "../anonymise/disclosure_check.h"
#include "../anonymise/flows_audit.h"
#include "../cohorts/flows.h"
#include "../cohorts/linkgroup.h"
#include "../cohorts/where.h"
#include "../core/log.h"
#include "../forecast/denominators.h"
#include "../forecast/projection.h"
#include "../forecast/rates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The standard tables the plan publishes, in order. */
static size_t
standard_count(const struct job_plan *plan)
{
    size_t n = 0;
    int d;

    for (d = 0; d < (int)job_plan_ndepartments(plan); d++)
        n += (plan->standard_tables & STD_SERVICE_TRANSITIONS) &&
             service_transitions_wanted(plan, d);
    return n + ((plan->standard_tables & STD_OVERLAP) ? 2 : 0) +
           ((plan->standard_tables & STD_LINKAGE) ? LINKGROUP_NBY : 0);
}

static size_t
forecast_count(const struct job_plan *plan)
{
    size_t i, n = 0;

    for (i = 0; i < plan->ncohorts; i++)
        n += plan->cohorts[i].forecast != 0;
    return n;
}

size_t
job_table_count(const struct job_plan *plan)
{
    return plan->ncohorts + FLOW_COUNT * forecast_count(plan) +
           plan->ntransitions + standard_count(plan);
}

/* The release check and the publication of a protected table, with the
 * counts of what each rule did; counted is released. */
static int
finish_table(struct count_table *counted, const struct table_job *tj,
             const char *name, int derived, const struct disclosure_stats *st,
             struct cohort_result *cr, struct diag *d)
{
    struct diag inner;
    int rc;

    /* the release check `cohort protect` applies: a table that cannot be
     * protected fails the run before anything is published */
    diag_clear(&inner);
    rc = disclosure_check(counted, &tj->plan->disclosure, tj->threads,
                          &inner);
    /* with cell-key noise the threshold applies to the noisy counts, as
     * ONS's method has it: a small cohort's total can fall below it on
     * some nights, and a run must not fail on noise */
    if (rc == CE_DATA && !strcmp(inner.rule, "all_suppressed") &&
        (derived ||
         tj->plan->disclosure.perturbation == PERTURB_CELLKEY)) {
        log_msg(LOG_WARN, "table %s: every cell is hidden (too few "
                          "persons); published all [c]", name);
        rc = 0;
    } else if (rc < 0) {
        diag_set(d, NULL, 0, 0, inner.rule[0] ? inner.rule : NULL,
                 "[%s %s] %s", derived ? "table" : "cohort", name, inner.msg);
    }
    /* only the published table goes on: true counts and cell keys end
     * here */
    if (rc == 0 && (rc = disclosure_publish(counted, &cr->table)) < 0)
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
    table_release(counted);
    if (rc < 0)
        return rc;
    cr->cells = st->cells;
    cr->suppressed = st->suppressed;
    cr->secondary = st->secondary;
    cr->rounded = st->rounded;
    cr->perturbed = st->perturbed;
    cr->structural = st->structural;
    return 0;
}

int
job_protect_table(struct count_table *counted, const struct table_job *tj,
                  const char *name, int derived, struct cohort_result *cr,
                  struct diag *d)
{
    struct disclosure_stats st;
    int rc;

    memset(&st, 0, sizeof(st));
    rc = disclosure_protect(counted, &tj->plan->disclosure, tj->pt,
                            tj->threads, &st, d);
    if (rc < 0) {
        table_release(counted);
        return rc;
    }
    return finish_table(counted, tj, name, derived, &st, cr, d);
}

/* The refusal of job_check_derived(), naming what derives the tables. */
static int
refuse(const struct job_plan *plan, int line, const char *what,
       struct diag *d)
{
    diag_set(d, plan->config_path, line, 0, "nested_tables",
             "%s publishes tables of persons that the cohort tables (and "
             "each other) also count, so subtracting one from another can "
             "reveal cells either hides; set perturbation = cellkey (with a "
             "ptable) or rounding >= %d (the protection level) in "
             "[disclosure]",
             what, plan->disclosure.protection_level);
    return CE_CONFIG;
}

int
job_check_derived(const struct job_plan *plan, struct diag *d)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    char what[160];
    size_t i;

    if (dp->perturbation == PERTURB_CELLKEY ||
        dp->rounding >= dp->protection_level)
        return 0;
    for (i = 0; i < plan->ncohorts; i++)
        if (plan->cohorts[i].forecast) {
            snprintf(what, sizeof(what), "[cohort %s] forecast = yes",
                     plan->cohorts[i].name);
            return refuse(plan, plan->cohorts[i].line, what, d);
        }
    if (plan->ntransitions) {
        snprintf(what, sizeof(what), "[transition %s]",
                 plan->transitions[0].table.name);
        return refuse(plan, plan->transitions[0].table.line, what, d);
    }
    if (standard_count(plan))
        return refuse(plan, 0, "standard_tables in [job]", d);
    return 0;
}

/* A derived table's plan, in the summary (which owns its strings). */
static struct cohort_plan *
derived_plan(struct run_summary *sum, const char *name, const char *suffix,
             const char *title, enum measure measure, size_t nby,
             const uint8_t *by)
{
    struct cohort_plan *k = &sum->table_plans[sum->ntable_plans];
    char buf[128];
    size_t j;

    memset(k, 0, sizeof(*k));
    snprintf(buf, sizeof(buf), "%s%s%s", name, suffix ? "_" : "",
             suffix ? suffix : "");
    k->name = strdup(buf);
    k->title = strdup(title);
    k->where = strdup(title);
    if (!k->name || !k->title || !k->where) {
        free(k->name);
        free(k->title);
        free(k->where);
        return NULL;
    }
    k->nby = nby;
    for (j = 0; j < nby; j++) {
        k->by[j] = by[j];
        k->by_service[j] = -1;
    }
    k->measure = measure;
    sum->ntable_plans++;
    return k;
}

/* The next result slot, given its plan and the words for who is in it. */
static struct cohort_result *
next_result(struct run_summary *sum, const struct cohort_plan *k,
            const char *who)
{
    struct cohort_result *cr = &sum->cohorts[sum->ncohorts];

    memset(cr, 0, sizeof(*cr));
    if (!k || !(cr->where_text_plain = strdup(who)))
        return NULL;
    cr->plan = k;
    sum->ncohorts++;
    return cr;
}

/* Protects t as the next result, whose plan is k (NULL: out of memory). */
static int
publish_next(const struct table_job *tj, struct count_table *t,
             const struct cohort_plan *k, const char *who, struct diag *d)
{
    struct cohort_result *cr = next_result(tj->sum, k, who);

    if (!cr) {
        table_release(t);
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    return job_protect_table(t, tj, k->name, 1, cr, d);
}

/* The plan of forecast cohort c's flow table f. */
static const struct cohort_plan *
flow_plan(const struct table_job *tj, const struct cohort_plan *c, int f,
          char *title, size_t title_size)
{
    static const char *const what[FLOW_COUNT] = {
        "entering it that month (not in it the month before)",
        "whose last month in it that month is (not in it the month after), "
        "by completed months in it",
        "in it that month, by completed months in it"};
    static const enum measure measure[FLOW_COUNT] = {
        MEASURE_NEW, MEASURE_ENDED, MEASURE_PERSONS};
    uint8_t by[2];
    size_t nby = 0;

    if (flows_by_age(c))
        by[nby++] = BY_AGE_BAND;
    if (f != FLOW_NEW)
        by[nby++] = BY_MONTHS_IN_COHORT;
    snprintf(title, title_size, "%s: persons %s", c->title, what[f]);
    return derived_plan(tj->sum, c->name,
                        flow_table_suffix((enum flow_table)f), title,
                        measure[f], nby, by);
}

/* A forecast cohort's entries, exits and persons by months in it: each
 * protected, then the three audited together (anonymise/flows_audit.h),
 * then checked and published. */
static int
flow_tables(const struct table_job *tj, size_t ci, struct diag *d)
{
    const struct cohort_plan *c = &tj->plan->cohorts[ci];
    struct count_table t[FLOW_COUNT];
    struct disclosure_stats st[FLOW_COUNT];
    uint64_t more[2] = {0, 0};
    int f, rc;

    memset(st, 0, sizeof(st));
    if ((rc = flows_count(tj->plan, c, tj->exprs[ci], tj->ps, tj->periods,
                          t)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    for (f = 0; f < FLOW_COUNT && rc == 0; f++)
        rc = disclosure_protect(&t[f], &tj->plan->disclosure, tj->pt,
                                tj->threads, &st[f], d);
    if (rc == 0 &&
        (rc = flows_protect(&t[FLOW_NEW], &t[FLOW_ENDED], &t[FLOW_DURATION],
                            &tj->plan->disclosure, more, d)) < 0) {
        struct diag inner = *d;

        diag_set(d, NULL, 0, 0, inner.rule, "[cohort %s] forecast tables: %s",
                 c->name, inner.msg);
    }
    st[FLOW_NEW].secondary += more[0];
    st[FLOW_ENDED].secondary += more[1];
    for (f = 0; f < FLOW_COUNT; f++) {
        char title[512];
        const struct cohort_plan *k = rc == 0 ? flow_plan(tj, c, f, title,
                                                          sizeof(title))
                                              : NULL;
        struct cohort_result *cr = k ? next_result(tj->sum, k, title) : NULL;

        if (rc == 0 && !cr) {
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            rc = CE_NOMEM;
        }
        if (rc == 0)
            rc = finish_table(&t[f], tj, k->name, 1, &st[f], cr, d);
        else
            table_release(&t[f]);
    }
    return rc;
}

/* A [transition]'s table, whose plan is the job plan's. */
static int
transition_table(const struct table_job *tj, size_t i, struct diag *d)
{
    const struct transition_plan *tp = &tj->plan->transitions[i];
    const struct cohort_plan *from = &tj->plan->cohorts[tp->from_cohort];
    const struct cohort_plan *to = &tj->plan->cohorts[tp->to_cohort];
    struct count_table t;
    char who[512];
    int rc;

    if ((rc = transition_count(tj->plan, tp, tj->exprs[tp->from_cohort],
                               tj->exprs[tp->to_cohort], tj->ps, tj->periods,
                               &t)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    snprintf(who, sizeof(who), "persons in cohort %s (%s) the month before "
                               "and in cohort %s (%s) that month",
             from->name, from->title, to->name, to->title);
    return publish_next(tj, &t, &tp->table, who, d);
}

/* The margin of t in period at coord; found by coordinates, not position,
 * since the tables' group dimensions differ in size. */
static struct table_cell *
linkage_shared_cell(struct count_table *t, int period, const uint32_t *coord)
{
    struct table_cell *c = table_period_cells(t, period);
    size_t i;

    for (i = t->ninterior; i < t->ncells_per_period; i++)
        if (c[i].coord[0] == coord[0] && c[i].coord[1] == coord[1])
            return &c[i];
    return NULL; /* not reached: every table has each shared margin */
}

/*
 * The linkage-by-group tables share, each month, the margins of
 * linked_departments (group Total) and the grand total: the same persons,
 * so the same true count and cell key, and under rounding or noise the
 * same published value. Suppression is decided per table, so a shared
 * margin one table hides could be shown by another: hidden in one, it is
 * hidden in all (hiding more only widens what an attacker can infer).
 */
static void
linkage_hide_shared(struct count_table *t, struct disclosure_stats *st)
{
    size_t i, c, n = t[0].ncells_per_period;
    int period;

    for (period = 0; period < t[0].nperiods; period++)
        for (c = t[0].ninterior; c < n; c++) {
            int hidden = 0;

            if (table_period_cells(&t[0], period)[c].coord[0] != COORD_TOTAL)
                continue;
            for (i = 0; i < LINKGROUP_NBY; i++) {
                const struct table_cell *x = linkage_shared_cell(
                    &t[i], period, table_period_cells(&t[0], period)[c].coord);

                hidden |= x->status == CELL_SUPPRESSED ||
                          x->status == CELL_SECONDARY;
            }
            for (i = 0; hidden && i < LINKGROUP_NBY; i++) {
                struct table_cell *x = linkage_shared_cell(
                    &t[i], period, table_period_cells(&t[0], period)[c].coord);

                if (x->status != CELL_SUPPRESSED &&
                    x->status != CELL_SECONDARY) {
                    x->status = CELL_SECONDARY;
                    st[i].secondary++;
                }
            }
        }
}

/* linkage_by_ethnicity, _sex, _age_band: each protected, their shared
 * margins hidden together, then checked and published. */
static int
linkage_tables(const struct table_job *tj, struct diag *d)
{
    static const char *const titles[LINKGROUP_NBY] = {
        "Persons known to a department that month by ethnic group and "
        "whether their records were linked across departments",
        "Persons known to a department that month by sex and whether "
        "their records were linked across departments",
        "Persons known to a department that month by age band and whether "
        "their records were linked across departments"};
    struct count_table t[LINKGROUP_NBY];
    struct disclosure_stats st[LINKGROUP_NBY];
    size_t i;
    int rc = 0;

    memset(t, 0, sizeof(t));
    memset(st, 0, sizeof(st));
    for (i = 0; i < LINKGROUP_NBY && rc == 0; i++)
        if ((rc = linkgroup_count(tj->plan, tj->ps, tj->periods,
                                  linkgroup_by[i], &t[i])) < 0)
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
    for (i = 0; i < LINKGROUP_NBY && rc == 0; i++)
        rc = disclosure_protect(&t[i], &tj->plan->disclosure, tj->pt,
                                tj->threads, &st[i], d);
    if (rc == 0)
        linkage_hide_shared(t, st);
    for (i = 0; i < LINKGROUP_NBY; i++) {
        uint8_t by[2] = {linkgroup_by[i], BY_LINKED};
        char name[64];
        const struct cohort_plan *k = NULL;
        struct cohort_result *cr = NULL;

        snprintf(name, sizeof(name), "%s%s", LINKGROUP_PREFIX,
                 by_column_name((enum by_column)by[0]));
        if (rc == 0)
            k = derived_plan(tj->sum, name, NULL, titles[i], MEASURE_PERSONS,
                             2, by);
        if (k)
            cr = next_result(tj->sum, k, "persons known to any department "
                                         "that month");

        if (rc == 0 && !cr) {
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            rc = CE_NOMEM;
        }
        if (rc == 0)
            rc = finish_table(&t[i], tj, k->name, 1, &st[i], cr, d);
        else
            table_release(&t[i]);
    }
    return rc;
}

/* service_transitions_DEPARTMENT and overlap, overlap_count. */
static int
standard_tables(const struct table_job *tj, struct diag *d)
{
    static const uint8_t st_by[2] = {BY_FROM_SERVICE, BY_TO_SERVICE};
    static const uint8_t ov_by[2] = {BY_AGE_BAND, BY_DEPARTMENTS};
    static const uint8_t ok_by[2] = {BY_AGE_BAND, BY_DEPARTMENTS_KNOWN};
    const struct job_plan *plan = tj->plan;
    struct count_table t, known;
    char title[256];
    int dept, rc;

    for (dept = 0; dept < (int)job_plan_ndepartments(plan); dept++) {
        const char *dn = job_plan_department_name(plan, dept);

        if (!(plan->standard_tables & STD_SERVICE_TRANSITIONS) ||
            !service_transitions_wanted(plan, dept))
            continue;
        if ((rc = service_transitions_count(plan, dept, tj->ps, tj->periods,
                                            &t)) < 0)
            goto nomem;
        snprintf(title, sizeof(title), "Persons by their %s service the "
                                       "month before and that month", dn);
        /* service_transitions_DEPARTMENT */
        if ((rc = publish_next(tj, &t,
                               derived_plan(tj->sum, "service_transitions",
                                            dn, title, MEASURE_PERSONS, 2,
                                            st_by),
                               title, d)) < 0)
            return rc;
    }
    if (!(plan->standard_tables & STD_OVERLAP))
        return 0;
    if ((rc = overlap_count(plan, tj->ps, tj->periods, &t, &known)) < 0)
        goto nomem;
    if ((rc = publish_next(tj, &t,
                           derived_plan(tj->sum, OVERLAP_TABLE, NULL,
                                        "Persons by the departments that "
                                        "know them that month",
                                        MEASURE_PERSONS, 2, ov_by),
                           "persons known to any department that month", d)) <
        0) {
        table_release(&known);
        return rc;
    }
    return publish_next(tj, &known,
                        derived_plan(tj->sum, OVERLAP_COUNT_TABLE, NULL,
                                     "Persons by how many departments know "
                                     "them that month",
                                     MEASURE_PERSONS, 2, ok_by),
                        "persons known to any department that month", d);
nomem:
    diag_set(d, NULL, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}

int
job_derived_tables(const struct table_job *tj, struct diag *d)
{
    const struct job_plan *plan = tj->plan;
    size_t i, n = job_table_count(plan) - plan->ncohorts;
    int rc;

    if (!n)
        return 0;
    tj->sum->table_plans = calloc(n, sizeof(*tj->sum->table_plans));
    if (!tj->sum->table_plans) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < plan->ncohorts; i++)
        if (plan->cohorts[i].forecast && (rc = flow_tables(tj, i, d)) < 0)
            return rc;
    for (i = 0; i < plan->ntransitions; i++)
        if ((rc = transition_table(tj, i, d)) < 0)
            return rc;
    if ((rc = standard_tables(tj, d)) < 0)
        return rc;
    return (plan->standard_tables & STD_LINKAGE) ? linkage_tables(tj, d) : 0;
}

/* The first day of the first published period. */
static int32_t
first_month(const struct job_plan *plan)
{
    struct period *pr = calloc((size_t)plan->periods, sizeof(*pr));
    int32_t first;

    if (!pr)
        return 0;
    periods_compute(job_plan_period_end(plan), plan->periods, pr);
    first = pr[0].start;
    free(pr);
    return first;
}

int
job_rates(const struct job_plan *plan, struct run_summary *sum,
          struct diag *d)
{
    struct denominators dn;
    int32_t first = first_month(plan);
    size_t i, j;
    int rc = 0;

    if (!plan->denominators)
        return 0;
    if ((rc = denominators_load(&dn, plan->denominators, d)) < 0)
        return rc;
    sum->denominators.present = 1;
    memcpy(sum->denominators.blake2b_hex, dn.blake2b_hex,
           sizeof(dn.blake2b_hex));
    sum->denominators.rows = dn.nrows;
    sum->denominators.year_first = dn.year_first;
    sum->denominators.year_last = dn.year_last;
    for (i = 0; i < sum->ncohorts && rc == 0; i++) {
        struct cohort_result *cr = &sum->cohorts[i];
        const char *names[TABLE_MAX_DIMS];
        size_t n = (size_t)cr->table.nperiods * cr->table.ncells_per_period;

        for (j = 0; j < cr->table.nby; j++)
            names[j] = cohort_by_name(cr->plan, j);
        if (!(cr->rate_per_10000 = malloc((n ? n : 1) * sizeof(double)))) {
            rc = CE_NOMEM;
            break;
        }
        rc = rates_compute(&cr->table, names, &dn, first, cr->rate_per_10000);
        if (rc != 0) {
            free(cr->rate_per_10000);
            cr->rate_per_10000 = NULL;
            rc = rc == 1 ? 0 : rc;
        }
    }
    if (rc < 0)
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
    denominators_release(&dn);
    return rc;
}

/* The published table of sum named cohort_suffix, or NULL. */
static const struct published_table *
find_table(const struct run_summary *sum, const char *cohort,
           const char *suffix)
{
    char name[128];
    size_t i;

    snprintf(name, sizeof(name), "%s_%s", cohort, suffix);
    for (i = 0; i < sum->ncohorts; i++)
        if (sum->cohorts[i].plan && !strcmp(sum->cohorts[i].plan->name, name))
            return &sum->cohorts[i].table;
    return NULL;
}

int
job_projections(const struct job_plan *plan, struct run_summary *sum,
                struct diag *d)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    size_t i, n = forecast_count(plan);
    int rc = 0;

    if (!n)
        return 0;
    if (!(sum->projections = calloc(n, sizeof(*sum->projections))))
        goto nomem;
    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *c = &plan->cohorts[i];
        struct forecast_inputs in;

        if (!c->forecast)
            continue;
        memset(&in, 0, sizeof(in));
        in.entries = find_table(sum, c->name, flow_table_suffix(FLOW_NEW));
        in.exits = find_table(sum, c->name, flow_table_suffix(FLOW_ENDED));
        in.stock = find_table(sum, c->name, flow_table_suffix(FLOW_DURATION));
        if (!in.entries || !in.exits || !in.stock)
            continue;
        in.with_age = flows_by_age(c);
        in.first_month = first_month(plan);
        in.complete = plan->periods - job_plan_last_period_partial(plan);
        in.rounding = dp->rounding > 1 ? dp->rounding : 1;
        /* a hidden count is one the rule suppresses, as far as anyone can
         * tell: the middle of the suppression range */
        in.guess = dp->suppress_hi > 0
                       ? (dp->suppress_lo + dp->suppress_hi) / 2.0
                       : 0;
        rc = projection_compute(c->name, &in,
                                &sum->projections[sum->nprojections]);
        if (rc < 0)
            goto nomem;
        sum->nprojections++;
    }
    return 0;
nomem:
    diag_set(d, NULL, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}
