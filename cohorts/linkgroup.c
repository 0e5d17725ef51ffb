/*
 * linkgroup.c - persons by group and by whether the linker joined their
 * records across departments (linkgroup.h).
 */
#include "linkgroup.h"
#include "count.h"

#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

const uint8_t linkgroup_by[LINKGROUP_NBY] = {BY_ETHNICITY, BY_SEX,
                                             BY_AGE_BAND};

/* words, not bare numbers a spreadsheet would store as values
 * (core/label.h label_reads_as_value()) */
const char *const linkgroup_labels[2] = {"1 department",
                                         "2 or more departments"};

int
linkgroup_linked(const struct person_set *ps, size_t p)
{
    uint32_t i, first = ps->spell_first[p];

    for (i = first + 1; i < ps->spell_first[p + 1]; i++)
        if (ps->spells[i].department != ps->spells[first].department)
            return 1;
    return 0;
}

/* 1 when a spell of p overlaps [start, end]. */
static int
known_in(const struct person_set *ps, size_t p, int32_t start, int32_t end)
{
    uint32_t i;

    for (i = ps->spell_first[p]; i < ps->spell_first[p + 1]; i++) {
        if (ps->spells[i].start > end)
            break;
        if (ps->spells[i].end >= start)
            return 1;
    }
    return 0;
}

/* With one department nobody can be linked to another: "2 or more
 * departments" is a structural zero in every row. */
static int
mark_one_department(struct count_table *t)
{
    uint8_t *interior = calloc(t->ninterior, 1);
    size_t i;
    int rc;

    if (!interior)
        return CE_NOMEM;
    /* interior cells are row-major: the linked column varies fastest */
    for (i = 1; i < t->ninterior; i += 2)
        interior[i] = 1;
    rc = table_mark_structural(t, interior) < 0 ? CE_NOMEM : 0;
    free(interior);
    return rc;
}

int
linkgroup_count(const struct job_plan *plan, const struct person_set *ps,
                const struct period *pr, int by, struct count_table *t)
{
    struct cohort_plan k;
    struct by_codes codes;
    char **group, **labels[2];
    uint32_t dim_n[2], ngroup = 0;
    size_t p;
    int owned = 0, i, rc = 0;

    memset(t, 0, sizeof(*t));
    memset(&k, 0, sizeof(k));
    k.nby = 1;
    k.by[0] = (uint8_t)by;
    k.by_service[0] = -1;
    if (!(group = cohort_by_labels(plan, ps, by, &ngroup, &owned, &codes)))
        return CE_NOMEM;
    labels[0] = group;
    labels[1] = (char **)linkgroup_labels;
    dim_n[0] = ngroup;
    dim_n[1] = 2;
    if (table_init(t, plan->periods, 2, dim_n,
                   (char *const *const *)labels) < 0) {
        rc = CE_NOMEM;
        goto out;
    }
    for (p = 0; p < ps->npersons; p++) {
        int linked = linkgroup_linked(ps, p);

        for (i = 0; i < plan->periods; i++) {
            uint32_t coord[2];
            struct table_cell *cell;

            if (!known_in(ps, p, pr[i].start, pr[i].end))
                continue;
            coord[0] = cohort_by_coord(plan, &k, 0, ps, p, i, &pr[i], &codes);
            if (coord[0] == BY_NO_COORD)
                continue; /* a code no source gives: no source gave it */
            coord[1] = (uint32_t)linked;
            cell = table_interior(t, i, coord);
            cell->count++;
            cell->ckey = (cell->ckey + ps->record_key[p]) & 0xFF;
        }
    }
    table_fill_margins(t);
    if (job_plan_ndepartments(plan) < 2)
        rc = mark_one_department(t);
out:
    if (rc < 0)
        table_release(t);
    cohort_by_labels_free(group, ngroup, owned);
    return rc;
}
