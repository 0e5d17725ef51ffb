#include "prob_link.h"

#include "scope_assembly.h"

#include <stdlib.h>
#include <string.h>

void
prob_link_config(const struct linkage_plan *lp, struct match_config *c)
{
    unsigned k;

    match_config_default(c);
    c->threshold = lp->match_threshold;
    for (k = 0; k < 3; k++)
        c->dice[k] = (unsigned)lp->dice[k];
    c->block_cap = (unsigned)lp->block_cap;
    c->max_cluster = (unsigned)lp->max_cluster;
}

/*
 * Adds every record's comparison record to m with its deterministic
 * person as the group, in input order. first[p] gets the matcher index of
 * one record of person p (UINT32_MAX: none). A comparison record met
 * again with the group it was last added with is not added again (the
 * rows of one person's spells); met with another group it is (the
 * matcher folds identical records of one group only). 0 or CE_NOMEM.
 */
static int
add_records(struct matcher *m, const struct linker *l,
            const struct record_list *recs, const struct comparison_list *cl,
            uint32_t *first)
{
    uint32_t *last = malloc((cl->n ? cl->n : 1) * sizeof(*last));
    struct match_record mr;
    size_t i;
    int rc = CE_NOMEM;

    if (!last)
        return CE_NOMEM;
    for (i = 0; i < cl->n; i++)
        last[i] = UINT32_MAX;
    if (match_reserve(m, cl->n) < 0)
        goto out;
    for (i = 0; i < recs->n; i++) {
        uint32_t c = recs->attrs[recs->rows[i].attrs].comparison, g;
        long idx;

        if (c == COMPARISON_NONE || c >= cl->n)
            continue;
        g = linker_person(l, i);
        if (last[c] == g)
            continue;
        last[c] = g;
        comparison_list_get(cl, c, &mr);
        if (!comparison_useful(&mr))
            continue; /* an id's row that assembly found nothing for */
        mr.group = g;
        if ((idx = match_add(m, &mr)) < 0)
            goto out;
        if (first[g] == UINT32_MAX)
            first[g] = (uint32_t)idx;
    }
    rc = 0;
out:
    free(last);
    return rc;
}

int
prob_link_run(struct linker *l, const struct record_list *recs,
              struct comparison_list *cl,
              const struct match_config *c, struct match_stats *st,
              struct diag *d)
{
    struct matcher *m = NULL;
    struct scope_assembly_stats as;
    size_t np = linker_npersons(l), ncl, p;
    uint32_t *label = NULL;
    int rc;

    memset(st, 0, sizeof(*st));
    if ((rc = match_init(&m, c, d)) < 0) {
        comparison_list_release(cl);
        return rc;
    }
    rc = CE_NOMEM;
    if (!(label = malloc((np + 1) * sizeof(*label))))
        goto out;
    for (p = 0; p < np; p++)
        label[p] = UINT32_MAX;
    if (scope_assemble(cl, &as) < 0)
        goto out;
    if (add_records(m, l, recs, cl, label) < 0)
        goto out;
    comparison_list_release(cl);
    if ((rc = match_run(m, d)) < 0)
        goto out;
    /* a person's label: its cluster, or a number of its own past the
     * clusters when it has no matcher record */
    ncl = match_nclusters(m);
    if (ncl + np >= UINT32_MAX) {
        rc = CE_NOMEM;
        goto out;
    }
    for (p = 0; p < np; p++)
        label[p] = label[p] == UINT32_MAX ? (uint32_t)(ncl + p)
                                          : match_cluster(m, label[p]);
    if ((rc = linker_merge_persons(l, label, ncl + np)) < 0)
        goto out;
    *st = *match_stats(m);
    st->assembled_ids = as.persons;
    st->assembled_records = as.records;
    st->assembled_completed = as.completed;
    st->assembled_conflicts = as.anchor_conflicts;
out:
    if (rc == CE_NOMEM)
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
    comparison_list_release(cl);
    free(label);
    match_release(m);
    return rc;
}

void
prob_link_summarise_assembly(const struct match_stats *st,
                             struct prob_summary *ps)
{
    ps->assembled_ids = st->assembled_ids;
    ps->assembled_records = st->assembled_records;
    ps->assembled_completed = st->assembled_completed;
    ps->assembled_conflicts = st->assembled_conflicts;
}
