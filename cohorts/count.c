#include "count.h"
#include "household_count.h"

#include "../core/calendar.h"
#include "../core/error.h"
#include "../core/label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A service flag's coordinates. */
enum { FLAG_YES, FLAG_NO };

static char *flag_labels[] = {"yes", "no"};

/* The labels of a spell category's by column: the job's groups of it,
 * UNKNOWN first (core/plan.h, struct category_labels); fixed when the job
 * is read, never derived from the data. */
static char **
by_category_labels(const struct job_plan *plan, int cat, uint32_t *n)
{
    *n = (uint32_t)plan->categories[cat].n;
    return (char **)plan->categories[cat].label;
}

/* Person p's coordinate in the by column of spell category cat in period
 * pr: the group of their latest-starting spell that carries one and
 * overlaps the month (measure = at_end: is open on its last day, the day
 * the snapshot counts), else 0, UNKNOWN. */
static uint32_t
by_category_coord(const struct cohort_plan *c, int cat,
                  const struct person_set *ps, size_t p,
                  const struct period *pr)
{
    int32_t from = c->measure == MEASURE_AT_END ? pr->end : pr->start;
    uint32_t i, got = 0;

    for (i = ps->spell_first[p]; i < ps->spell_first[p + 1]; i++) {
        const struct spell *s = &ps->spells[i];

        if (s->start > pr->end)
            break; /* spells are sorted by start */
        if (s->category[cat] && (s->end == DAY_OPEN || s->end >= from))
            got = s->category[cat]; /* a later start wins */
    }
    return got;
}

char **
cohort_by_labels(const struct job_plan *plan, const struct person_set *ps,
                 int by, uint32_t *n, int *owned, struct by_codes *codes)
{
    char **l;
    size_t i, count;
    uint32_t mask;

    *owned = 0;
    if (by_column_category((enum by_column)by) >= 0)
        return by_category_labels(plan, by_column_category(
                                            (enum by_column)by), n);
    switch (by) {
    case BY_AGE_BAND:
        l = calloc(plan->nage_bands + 1, sizeof(char *));
        if (!l)
            return NULL;
        *owned = 1;
        for (i = 0; i < plan->nage_bands; i++) {
            char buf[32];

            age_band_label(plan->age_bands[i].lo, plan->age_bands[i].hi, buf,
                           sizeof(buf));
            l[i] = strdup(buf);
        }
        l[plan->nage_bands] = strdup("UNKNOWN");
        for (i = 0; i <= plan->nage_bands; i++)
            if (!l[i]) {
                for (i = 0; i <= plan->nage_bands; i++)
                    free(l[i]);
                free(l);
                return NULL;
            }
        *n = (uint32_t)plan->nage_bands + 1;
        return l;
    case BY_SEX:
    case BY_ETHNICITY:
        /* a code no source can give is no category: it would be a column
         * of zeros that says nothing */
        count = by == BY_SEX ? SEX_COUNT : ETH_COUNT;
        mask = by == BY_SEX ? ps->sex_possible : ps->ethnicity_possible;
        if (!mask)
            mask = (1u << count) - 1;
        l = calloc(count, sizeof(char *));
        if (!l)
            return NULL;
        *owned = 2; /* the array only: the names are static */
        *n = 0;
        for (i = 0; i < count; i++) {
            codes->coord[i] = BY_NO_COORD;
            if (!(mask & (1u << i)))
                continue;
            l[*n] = (char *)(by == BY_SEX
                                 ? sex_name((enum sex_code)i)
                                 : ethnic_group_name((enum ethnic_group)i));
            codes->code[*n] = (uint8_t)i;
            codes->coord[i] = (uint8_t)*n;
            (*n)++;
        }
        return l;
    /* Geography labels are the lookup's name tables, complete before any
     * row is read (anonymise/generalise.h): never derived from the data,
     * so no one's own postcode makes a category. */
    case BY_WARD:
        *n = (uint32_t)ps->geo->nward;
        return ps->geo->ward;
    case BY_LSOA:
        *n = (uint32_t)ps->geo->nlsoa;
        return ps->geo->lsoa;
    case BY_SERVICE:
        *n = 2;
        return flag_labels;
    case BY_HOUSEHOLD_SIZE:
    case BY_CHILDREN:
    case BY_HOUSEHOLD_TYPE:
        return household_by_labels(by, n);
    default:
        *n = (uint32_t)ps->geo->ndistrict;
        return ps->geo->district;
    }
}

uint32_t
cohort_by_coord(const struct job_plan *plan, const struct cohort_plan *c,
                size_t j, const struct person_set *ps, size_t p, int period,
                const struct period *pr, const struct by_codes *codes)
{
    uint8_t band;
    int svc;

    if (by_column_category((enum by_column)c->by[j]) >= 0)
        return by_category_coord(
            c, by_column_category((enum by_column)c->by[j]), ps, p, pr);
    switch (c->by[j]) {
    case BY_AGE_BAND:
        band = ps->age_band[p * (size_t)ps->nperiods + (size_t)period];
        return band == AGE_BAND_UNKNOWN ? (uint32_t)plan->nage_bands : band;
    case BY_SEX:
        return codes->coord[ps->sex[p]];
    case BY_ETHNICITY:
        return codes->coord[ps->ethnicity[p]];
    case BY_WARD:
        return ps->ward[p];
    case BY_LSOA:
        return ps->lsoa[p];
    case BY_SERVICE:
        svc = c->by_service[j];
        return where_service_active(ps, p, plan->services[svc].department, svc,
                                    pr->start, pr->end)
                   ? FLAG_YES
                   : FLAG_NO;
    default:
        return ps->district[p];
    }
}

void
cohort_by_labels_free(char **labels, uint32_t n, int owned)
{
    uint32_t i;

    if (!owned || !labels)
        return;
    for (i = 0; owned == 1 && i < n; i++)
        free(labels[i]);
    free(labels);
}

void
period_before(const struct period *first, struct period *out)
{
    int y, m, d;

    civil_from_days(first->start - 1, &y, &m, &d);
    out->start = days_from_civil(y, m, 1);
    out->end = first->start - 1;
}

void
period_after(const struct period *last, struct period *out)
{
    int y, m, d;

    civil_from_days(last->end + 1, &y, &m, &d);
    out->start = last->end + 1;
    out->end = days_from_civil(y, m, days_in_month(y, m));
}

/* 1 when person p counts in period i of a table of measure m, given
 * whether the where holds in the month before, that month and the month
 * after. */
static int
counts_in(enum measure m, int before, int in, int after)
{
    if (!in)
        return 0;
    return m == MEASURE_NEW ? !before : m == MEASURE_ENDED ? !after : 1;
}

/* A person as a counting unit: the where and the coordinates of person
 * u. */
struct person_units {
    const struct job_plan *plan;
    const struct cohort_plan *c;
    const struct where_expr *e;
    const struct person_set *ps;
    const struct by_codes *codes; /* per by column (cohort_by_labels()) */
};

static int
person_in(void *ctx, size_t u, int i, int32_t start, int32_t end)
{
    const struct person_units *pu = ctx;

    return where_eval(pu->e, pu->ps, u, i, start, end);
}

static uint32_t
person_coord(void *ctx, size_t u, size_t j, int i, const struct period *pr)
{
    const struct person_units *pu = ctx;

    return cohort_by_coord(pu->plan, pu->c, j, pu->ps, u, i, pr,
                           &pu->codes[j]);
}

static uint8_t
person_key(void *ctx, size_t u)
{
    const struct person_units *pu = ctx;

    return pu->ps->record_key[u];
}

/* Unit u into its cell of period i (pr that period). */
static void
count_cell(const struct cohort_plan *c, const struct count_units *cu,
           size_t u, int i, const struct period *pr, struct count_table *t)
{
    uint32_t coord[TABLE_MAX_DIMS];
    struct table_cell *cell;
    size_t j;

    for (j = 0; j < c->nby; j++)
        coord[j] = cu->coord(cu->ctx, u, j, i, pr);
    /* a code the sources cannot give would be a bug in
     * map_codes_possible(): no cell holds it */
    for (j = 0; j < c->nby; j++)
        if (coord[j] >= t->dim_n[j])
            return;
    cell = table_interior(t, i, coord);
    cell->count++;
    cell->ckey = (cell->ckey + cu->key(cu->ctx, u)) & 0xFF;
}

/* measure = at_end: each period asks the where on its last day only, so
 * a unit counts when it is in the cohort that day (a person with a spell
 * open then; a household with its members of that day). */
static void
count_at_end(const struct cohort_plan *c, const struct count_units *cu,
             const struct period *pr, int n, struct count_table *t)
{
    size_t u;
    int i;

    for (u = 0; u < cu->n; u++)
        for (i = 0; i < n; i++)
            if (cu->in(cu->ctx, u, i, pr[i].end, pr[i].end))
                count_cell(c, cu, u, i, &pr[i], t);
}

/*
 * The measure: each unit (a person, or a household) in the cohort in
 * period i is counted there when counts_in() says so, given the where in
 * the month before, that month and the month after (at_end: on its last
 * day). Persons and households go through these loops, so every measure
 * means the same for both.
 */
static void
count_units(const struct job_plan *plan, const struct cohort_plan *c,
            const struct count_units *cu, const struct period *pr,
            struct count_table *t)
{
    int i, n = plan->periods;
    size_t u;
    struct period before, after;

    if (c->measure == MEASURE_AT_END) {
        count_at_end(c, cu, pr, n, t);
        return;
    }
    /* the month before the first period, for measure = new, and the one
     * after the last (the rest of its month when it is partial), for
     * measure = ended; both with the ages of the nearest period */
    period_before(&pr[0], &before);
    period_after(&pr[n - 1], &after);

    for (u = 0; u < cu->n; u++) {
        int prev = c->measure == MEASURE_NEW
                       ? cu->in(cu->ctx, u, 0, before.start, before.end)
                       : 0;
        int in = cu->in(cu->ctx, u, 0, pr[0].start, pr[0].end);

        for (i = 0; i < n; i++) {
            int next = i + 1 < n ? cu->in(cu->ctx, u, i + 1, pr[i + 1].start,
                                          pr[i + 1].end)
                       : c->measure == MEASURE_ENDED
                           ? cu->in(cu->ctx, u, i, after.start, after.end)
                           : 0;

            if (counts_in(c->measure, prev, in, next))
                count_cell(c, cu, u, i, &pr[i], t);
            prev = in;
            in = next;
        }
    }
}

int
cohort_mark_structural(const struct job_plan *plan,
                       const struct cohort_plan *c, const struct where_expr *e,
                       struct count_table *t, const struct by_codes *codes)
{
    uint8_t *impossible = calloc(t->ninterior ? t->ninterior : 1, 1);
    size_t i, j;
    int rc;

    if (!impossible)
        return CE_NOMEM;
    for (i = 0; i < t->ninterior; i++) {
        const struct table_cell *cell = &t->cells[i];
        struct where_facts f;

        memset(&f, 0, sizeof(f));
        f.age_band = f.sex = f.ethnicity = -1;
        for (j = 0; j < c->nby; j++) {
            uint32_t v = cell->coord[j];

            switch (c->by[j]) {
            case BY_AGE_BAND:
                f.age_band = v == plan->nage_bands ? AGE_BAND_UNKNOWN : (int)v;
                break;
            case BY_SEX:
                f.sex = codes[j].code[v];
                break;
            case BY_ETHNICITY:
                f.ethnicity = codes[j].code[v];
                break;
            case BY_SERVICE:
                f.flag_service[f.nflags] = c->by_service[j];
                f.flag_dept[f.nflags] =
                    plan->services[c->by_service[j]].department;
                f.flag_yes[f.nflags] = v == FLAG_YES;
                f.nflags++;
                break;
            default:
                break;
            }
        }
        impossible[i] = !where_possible(e, &f);
    }
    rc = table_mark_structural(t, impossible) < 0 ? CE_NOMEM : 0;
    free(impossible);
    return rc;
}

int
cohort_count(const struct job_plan *plan, const struct cohort_plan *c,
             const struct where_expr *e, const struct person_set *ps,
             const struct period *pr, struct count_table *t)
{
    uint32_t dim_n[TABLE_MAX_DIMS];
    char **labels[TABLE_MAX_DIMS] = {NULL};
    int owned[TABLE_MAX_DIMS] = {0};
    struct by_codes codes[TABLE_MAX_DIMS];
    struct person_units pu = {plan, c, e, ps, codes};
    struct count_units cu = {ps->npersons, person_in, person_coord,
                             person_key, &pu};
    struct household_units hu;
    size_t j;
    int rc = 0;

    memset(t, 0, sizeof(*t));
    for (j = 0; j < c->nby; j++) {
        labels[j] = cohort_by_labels(plan, ps, c->by[j], &dim_n[j],
                                     &owned[j], &codes[j]);
        if (!labels[j]) {
            rc = CE_NOMEM;
            goto out;
        }
    }
    /* [z] is reasoned on a person's where; a household cohort's terms
     * mean "any member" (a household can hold a member with a service
     * and one without), so none of its cells is called impossible */
    if (table_init(t, plan->periods, c->nby, dim_n,
                   (char *const *const *)labels) < 0 ||
        (c->unit != UNIT_HOUSEHOLDS &&
         cohort_mark_structural(plan, c, e, t, codes) < 0)) {
        rc = CE_NOMEM;
        goto out;
    }
    if (c->unit == UNIT_HOUSEHOLDS) {
        if (household_units_init(&hu, plan, c, e, ps, &cu) < 0) {
            rc = CE_NOMEM;
            goto out;
        }
        count_units(plan, c, &cu, pr, t);
        household_units_release(&hu);
    } else {
        count_units(plan, c, &cu, pr, t);
    }
    table_fill_margins(t);
out:
    for (j = 0; j < c->nby; j++)
        if (labels[j])
            cohort_by_labels_free(labels[j], dim_n[j], owned[j]);
    return rc;
}

/* Values of by column j of cohort c, before its margin. */
static uint64_t
dim_size(const struct job_plan *plan, const struct cohort_plan *c, size_t j,
         const struct geo_names *geo)
{
    uint32_t n;

    if (by_column_category((enum by_column)c->by[j]) >= 0)
        return plan->categories[by_column_category(
                                    (enum by_column)c->by[j])].n;
    switch (c->by[j]) {
    case BY_AGE_BAND:
        return plan->nage_bands + 1;
    case BY_SEX:
        return SEX_COUNT;
    case BY_ETHNICITY:
        return ETH_COUNT;
    case BY_WARD:
        return geo->nward;
    case BY_LSOA:
        return geo->nlsoa;
    case BY_SERVICE:
        return 2;
    case BY_HOUSEHOLD_SIZE:
    case BY_CHILDREN:
    case BY_HOUSEHOLD_TYPE:
        household_by_labels(c->by[j], &n);
        return n;
    default:
        return geo->ndistrict;
    }
}

uint64_t
cohort_table_cells(const struct job_plan *plan, const struct cohort_plan *c,
                   const struct geo_names *geo)
{
    uint64_t cells = (uint64_t)plan->periods;
    size_t j;

    for (j = 0; j < c->nby; j++) {
        cells *= dim_size(plan, c, j, geo) + 1;
        if (cells > COHORT_MAX_CELLS)
            return COHORT_MAX_CELLS + 1; /* enough to refuse; no overflow */
    }
    return cells;
}

int
cohort_check_sizes(const struct job_plan *plan, const struct geo_names *geo,
                   struct diag *d)
{
    size_t i;

    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *c = &plan->cohorts[i];

        if (cohort_table_cells(plan, c, geo) > COHORT_MAX_CELLS) {
            diag_set(d, plan->config_path, c->by_line ? c->by_line : c->line,
                     0, "table_size",
                     "[cohort %s]: its table would have more than %d cells "
                     "(%d periods times each by column's values and its "
                     "Total); break it down by fewer columns or publish "
                     "fewer periods", c->name, COHORT_MAX_CELLS,
                     plan->periods);
            return CE_CONFIG;
        }
    }
    return 0;
}
