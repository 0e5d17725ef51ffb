/*
 * flows.c - the derived tables of flows.h: entries, exits and months in a
 * cohort, transitions between cohorts and between a department's
 * services, and the overlap of departments.
 */
#include "flows.h"
#include "count.h"

#include "../core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Labelled as age bands are (core/label.h age_band_label(): "3-5" would
 * be 5 March to a spreadsheet). Bands of three months and more: with
 * bands of single months the
 * persons of one band and month would be those of the band before, the
 * month before, less its exits -- an exact identity across tables that
 * would narrow their hidden cells (anonymise/flows_audit.h). */
const char *const duration_band_labels[DURATION_BANDS] = {
    "0 to 2", "3 to 5", "6 to 11", "12 to 23", "24 and over"};

/* How far back months in the cohort are looked for: the open band's
 * start. */
#define DURATION_LOOKBACK 24

const char *
flow_table_suffix(enum flow_table f)
{
    static const char *const names[FLOW_COUNT] = {"new", "ended", "duration"};

    return (unsigned)f < FLOW_COUNT ? names[f] : "unknown";
}

int
duration_band(int months)
{
    if (months < 3)
        return 0;
    if (months < 6)
        return 1;
    if (months < 12)
        return 2;
    return months < 24 ? 3 : 4;
}

int
flows_by_age(const struct cohort_plan *c)
{
    size_t j;

    for (j = 0; j < c->nby; j++)
        if (c->by[j] == BY_AGE_BAND)
            return 1;
    return 0;
}

/* Person p's age band coordinate in period i: the plan's band or UNKNOWN
 * after them. */
static uint32_t
age_coord(const struct job_plan *plan, const struct person_set *ps, size_t p,
          int i)
{
    uint8_t band = ps->age_band[p * (size_t)ps->nperiods + (size_t)i];

    return band == AGE_BAND_UNKNOWN ? (uint32_t)plan->nage_bands : band;
}

/* A table of nby columns: age bands (when with_age) then `extra` labels
 * (n of them; NULL for none). 0 or CE_NOMEM. */
static int
init_with_age(struct count_table *t, const struct job_plan *plan,
              const struct person_set *ps, int with_age,
              const char *const *extra, uint32_t n)
{
    uint32_t dim_n[2];
    char **labels[2];
    char **age = NULL;
    uint32_t nage = 0;
    size_t nby = 0;
    int owned = 0, rc;

    if (with_age) {
        if (!(age = cohort_by_labels(plan, ps, BY_AGE_BAND, &nage, &owned,
                                     NULL)))
            return CE_NOMEM;
        labels[nby] = age;
        dim_n[nby++] = nage;
    }
    if (extra) {
        labels[nby] = (char **)extra;
        dim_n[nby++] = n;
    }
    rc = table_init(t, plan->periods, nby, dim_n,
                    (char *const *const *)labels) < 0
             ? CE_NOMEM
             : 0;
    cohort_by_labels_free(age, nage, owned);
    return rc;
}

/* Marks as structural zeros ([z]) t's interior cells whose age band
 * (column 0) e rules out: a person is counted in a flow table only in a
 * month e holds for them, with that month's age band, as in the cohort's
 * own table (count.h). The months-in-cohort bands are all possible: the
 * look-back reaches before the first period. 0 or CE_NOMEM. */
static int
mark_age_structural(const struct job_plan *plan, const struct where_expr *e,
                    struct count_table *t)
{
    uint8_t *impossible = calloc(t->ninterior ? t->ninterior : 1, 1);
    size_t i;
    int rc;

    if (!impossible)
        return CE_NOMEM;
    for (i = 0; i < t->ninterior; i++) {
        struct where_facts f;
        uint32_t v = t->cells[i].coord[0];

        memset(&f, 0, sizeof(f));
        f.sex = f.ethnicity = -1;
        f.age_band = v == plan->nage_bands ? AGE_BAND_UNKNOWN : (int)v;
        impossible[i] = !where_possible(e, &f);
    }
    rc = table_mark_structural(t, impossible) < 0 ? CE_NOMEM : 0;
    free(impossible);
    return rc;
}

/* Adds person p to t's interior cell of period i at coord. */
static void
add_person(struct count_table *t, const struct person_set *ps, size_t p,
           int i, const uint32_t *coord)
{
    struct table_cell *cell = table_interior(t, i, coord);

    cell->count++;
    cell->ckey = (cell->ckey + ps->record_key[p]) & 0xFF;
}

/* Months without a break before period 0 in which p was in the cohort,
 * up to DURATION_LOOKBACK (with period 0's ages). */
static int
months_before(const struct where_expr *e, const struct person_set *ps,
              size_t p, const struct period *first)
{
    struct period m = *first, b;
    int k;

    for (k = 0; k < DURATION_LOOKBACK; k++) {
        period_before(&m, &b);
        if (!where_eval(e, ps, p, 0, b.start, b.end))
            break;
        m = b;
    }
    return k;
}

int
flows_count(const struct job_plan *plan, const struct cohort_plan *c,
            const struct where_expr *e, const struct person_set *ps,
            const struct period *pr, struct count_table t[FLOW_COUNT])
{
    int with_age = flows_by_age(c), n = plan->periods, i, f, rc = 0;
    struct period after;
    size_t p;

    memset(t, 0, FLOW_COUNT * sizeof(*t));
    if ((rc = init_with_age(&t[FLOW_NEW], plan, ps, with_age, NULL, 0)) < 0 ||
        (rc = init_with_age(&t[FLOW_ENDED], plan, ps, with_age,
                            duration_band_labels, DURATION_BANDS)) < 0 ||
        (rc = init_with_age(&t[FLOW_DURATION], plan, ps, with_age,
                            duration_band_labels, DURATION_BANDS)) < 0)
        goto fail;
    for (f = 0; with_age && f < FLOW_COUNT; f++)
        if ((rc = mark_age_structural(plan, e, &t[f])) < 0)
            goto fail;
    period_after(&pr[n - 1], &after);
    for (p = 0; p < ps->npersons; p++) {
        int in = where_eval(e, ps, p, 0, pr[0].start, pr[0].end);
        /* months in the cohort before this one; -1: not in it */
        int run = in ? months_before(e, ps, p, &pr[0]) : -1;

        for (i = 0; i < n; i++) {
            int next = i + 1 < n ? where_eval(e, ps, p, i + 1, pr[i + 1].start,
                                              pr[i + 1].end)
                                 : where_eval(e, ps, p, i, after.start,
                                              after.end);
            uint32_t coord[2];
            size_t k = 0;

            if (in) {
                if (with_age)
                    coord[k++] = age_coord(plan, ps, p, i);
                if (run == 0)
                    add_person(&t[FLOW_NEW], ps, p, i, coord);
                coord[k] = (uint32_t)duration_band(run);
                add_person(&t[FLOW_DURATION], ps, p, i, coord);
                if (!next)
                    add_person(&t[FLOW_ENDED], ps, p, i, coord);
            }
            run = next ? run + 1 : -1;
            in = next;
        }
    }
    for (f = 0; f < FLOW_COUNT; f++)
        table_fill_margins(&t[f]);
    return 0;
fail:
    for (f = 0; f < FLOW_COUNT; f++)
        table_release(&t[f]);
    return rc;
}

int
transition_count(const struct job_plan *plan, const struct transition_plan *tp,
                 const struct where_expr *from, const struct where_expr *to,
                 const struct person_set *ps, const struct period *pr,
                 struct count_table *t)
{
    const struct cohort_plan *c = &tp->table;
    uint32_t dim_n[TABLE_MAX_DIMS] = {0};
    char **labels[TABLE_MAX_DIMS] = {NULL};
    int owned[TABLE_MAX_DIMS] = {0};
    struct by_codes codes[TABLE_MAX_DIMS];
    struct period before;
    size_t j, p;
    int i, rc = 0;

    memset(t, 0, sizeof(*t));
    for (j = 0; j < c->nby; j++)
        if (!(labels[j] = cohort_by_labels(plan, ps, c->by[j], &dim_n[j],
                                           &owned[j], &codes[j]))) {
            rc = CE_NOMEM;
            goto out;
        }
    /* a cell is counted in month t only when `to` holds then, with the
     * cell's age band, sex, ethnicity and service flags of month t: one
     * `to` rules out is a structural zero as in a cohort's table */
    if (table_init(t, plan->periods, c->nby, dim_n,
                   (char *const *const *)labels) < 0 ||
        cohort_mark_structural(plan, c, to, t, codes) < 0) {
        rc = CE_NOMEM;
        goto out;
    }
    period_before(&pr[0], &before);
    for (p = 0; p < ps->npersons; p++) {
        int was = where_eval(from, ps, p, 0, before.start, before.end);

        for (i = 0; i < plan->periods; i++) {
            uint32_t coord[TABLE_MAX_DIMS];

            if (was && where_eval(to, ps, p, i, pr[i].start, pr[i].end)) {
                for (j = 0; j < c->nby; j++)
                    coord[j] = cohort_by_coord(plan, c, j, ps, p, i, &pr[i],
                                               &codes[j]);
                /* no cell holds a code no source gives (count.c) */
                for (j = 0; j < c->nby && coord[j] < dim_n[j]; j++)
                    ;
                if (j == c->nby)
                    add_person(t, ps, p, i, coord);
            }
            was = where_eval(from, ps, p, i, pr[i].start, pr[i].end);
        }
    }
    table_fill_margins(t);
out:
    for (j = 0; j < c->nby; j++)
        cohort_by_labels_free(labels[j], dim_n[j], owned[j]);
    return rc;
}

int
service_transitions_wanted(const struct job_plan *plan, int dept)
{
    size_t i;

    for (i = 0; i < plan->nservices; i++)
        if (plan->services[i].department == dept)
            return 1;
    return 0;
}

/* Person p's service of dept in [start, end] as a label index (the
 * department's services in plan order), or `none` (nsvc): the service of
 * the last of p's spells of dept that overlaps it (spells are sorted by
 * start, end, department, service). */
static uint32_t
service_state(const struct person_set *ps, size_t p, int dept,
              const int *label_of, uint32_t nsvc, int32_t start, int32_t end)
{
    uint32_t i, state = nsvc;

    for (i = ps->spell_first[p]; i < ps->spell_first[p + 1]; i++) {
        const struct spell *s = &ps->spells[i];

        if (s->start > end)
            break;
        if (s->department == dept && s->end >= start)
            state = (uint32_t)label_of[s->service];
    }
    return state;
}

/* Marks the cell none to none (coordinate `none` in both columns) a
 * structural zero: nobody is counted there, by the table's definition, so
 * it is [z], not a 0 that looks like a count. 0 or CE_NOMEM. */
static int
mark_none_to_none(struct count_table *t, uint32_t none)
{
    uint8_t *impossible = calloc(t->ninterior ? t->ninterior : 1, 1);
    uint32_t coord[2] = {none, none};
    int rc;

    if (!impossible)
        return CE_NOMEM;
    impossible[table_interior(t, 0, coord) - t->cells] = 1;
    rc = table_mark_structural(t, impossible) < 0 ? CE_NOMEM : 0;
    free(impossible);
    return rc;
}

int
service_transitions_count(const struct job_plan *plan, int dept,
                          const struct person_set *ps, const struct period *pr,
                          struct count_table *t)
{
    const char **names = calloc(plan->nservices + 1, sizeof(*names));
    int *label_of = calloc(plan->nservices + 1, sizeof(*label_of));
    struct period before;
    uint32_t dim_n[2], n = 0;
    char **labels[2];
    size_t i, p;
    int k, rc = 0;

    if (!names || !label_of) {
        rc = CE_NOMEM;
        goto out;
    }
    for (i = 0; i < plan->nservices; i++)
        if (plan->services[i].department == dept) {
            label_of[i] = (int)n;
            names[n++] = plan->services[i].name;
        }
    names[n] = "none";
    dim_n[0] = dim_n[1] = n + 1;
    labels[0] = labels[1] = (char **)names;
    if (table_init(t, plan->periods, 2, dim_n,
                   (char *const *const *)labels) < 0 ||
        (rc = mark_none_to_none(t, n)) < 0) {
        rc = CE_NOMEM;
        goto out;
    }
    period_before(&pr[0], &before);
    for (p = 0; p < ps->npersons; p++) {
        uint32_t coord[2];

        coord[0] = service_state(ps, p, dept, label_of, n, before.start,
                                 before.end);
        for (k = 0; k < plan->periods; k++) {
            coord[1] = service_state(ps, p, dept, label_of, n, pr[k].start,
                                     pr[k].end);
            if (coord[0] != n || coord[1] != n)
                add_person(t, ps, p, k, coord);
            coord[0] = coord[1];
        }
    }
    table_fill_margins(t);
out:
    free(names);
    free(label_of);
    return rc;
}

/* The departments (a bit per department index) with a spell of p
 * overlapping [start, end]. */
static unsigned
departments_known(const struct person_set *ps, size_t p, int32_t start,
                  int32_t end)
{
    unsigned mask = 0;
    uint32_t i;

    for (i = ps->spell_first[p]; i < ps->spell_first[p + 1]; i++) {
        const struct spell *s = &ps->spells[i];

        if (s->start > end)
            break;
        if (s->end >= start && s->department < OVERLAP_MAX_DEPARTMENTS)
            mask |= 1u << s->department;
    }
    return mask;
}

static int
ndepartments(unsigned mask)
{
    int n = 0;

    for (; mask; mask &= mask - 1)
        n++;
    return n;
}

/* Combination labels "housing+children_social_care", one per non-empty
 * set of departments (its bits, less one, is its index). */
static char **
combination_labels(const struct job_plan *plan, uint32_t *n)
{
    int d, nd = (int)job_plan_ndepartments(plan);
    uint32_t m, count;
    char **l;

    if (nd > OVERLAP_MAX_DEPARTMENTS)
        nd = OVERLAP_MAX_DEPARTMENTS; /* refused by the plan's checks */
    count = (1u << nd) - 1;
    l = calloc(count, sizeof(*l));

    if (!l)
        return NULL;
    for (m = 1; m <= count; m++) {
        char buf[512];
        size_t o = 0;

        buf[0] = '\0';
        for (d = 0; d < nd && o < sizeof(buf); d++)
            if (m & (1u << d))
                o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
                                      o ? "+" : "",
                                      job_plan_department_name(plan, d));
        if (!(l[m - 1] = strdup(buf))) {
            cohort_by_labels_free(l, m - 1, 1);
            return NULL;
        }
    }
    *n = count;
    return l;
}

int
overlap_count(const struct job_plan *plan, const struct person_set *ps,
              const struct period *pr, struct count_table *combinations,
              struct count_table *known)
{
    /* words, not bare numbers a spreadsheet would store as values
     * (core/label.h label_reads_as_value()) */
    static const char *const nknown[OVERLAP_MAX_DEPARTMENTS] = {
        "1 department",  "2 departments", "3 departments",
        "4 departments", "5 departments", "6 departments"};
    uint32_t ncomb = 0;
    char **comb = combination_labels(plan, &ncomb);
    size_t nd = job_plan_ndepartments(plan);
    size_t p;
    int i, rc = 0;

    memset(combinations, 0, sizeof(*combinations));
    memset(known, 0, sizeof(*known));
    if (!comb ||
        (rc = init_with_age(combinations, plan, ps, 1,
                            (const char *const *)comb, ncomb)) < 0 ||
        (rc = init_with_age(known, plan, ps, 1, nknown,
                            nd < OVERLAP_MAX_DEPARTMENTS
                                ? nd
                                : OVERLAP_MAX_DEPARTMENTS)) < 0) {
        rc = CE_NOMEM;
        goto out;
    }
    for (p = 0; p < ps->npersons; p++)
        for (i = 0; i < plan->periods; i++) {
            unsigned mask = departments_known(ps, p, pr[i].start, pr[i].end);
            uint32_t coord[2];

            if (!mask)
                continue;
            coord[0] = age_coord(plan, ps, p, i);
            coord[1] = mask - 1;
            add_person(combinations, ps, p, i, coord);
            coord[1] = (uint32_t)ndepartments(mask) - 1;
            add_person(known, ps, p, i, coord);
        }
    table_fill_margins(combinations);
    table_fill_margins(known);
out:
    if (rc < 0) {
        table_release(combinations);
        table_release(known);
    }
    if (comb)
        cohort_by_labels_free(comb, ncomb, 1);
    return rc;
}
