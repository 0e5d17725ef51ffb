#include "published_counts.h"

#include "disclosure.h"

void
published_counts_protect(const struct disclosure_plan *dp,
                         const struct ptable *pt, const struct person_set *ps,
                         const uint32_t *dept_ckey, struct run_summary *sum)
{
    uint32_t all = 0;
    size_t i;

    for (i = 0; i < ps->npersons; i++)
        all += ps->record_key[i];
    sum->persons = disclosure_publish_count(dp, pt, sum->persons, all);
    for (i = 0; i < (sum->plan ? job_plan_ndepartments(sum->plan)
                               : DEPT_DEFAULT_COUNT);
         i++)
        sum->departments[i].persons = disclosure_publish_count(
            dp, pt, sum->departments[i].persons, dept_ckey[i]);
    for (i = 0; i < sum->nscopes; i++) {
        struct scope_summary *sc = &sum->scopes[i];

        sc->ids = disclosure_publish_count(dp, NULL, sc->ids, 0);
        sc->nhs_conflicts = disclosure_publish_count(dp, NULL,
                                                     sc->nhs_conflicts, 0);
        sc->dob_conflicts = disclosure_publish_count(dp, NULL,
                                                     sc->dob_conflicts, 0);
    }
    sum->scope_links = disclosure_publish_count(dp, NULL, sum->scope_links, 0);
    sum->scope_refused =
        disclosure_publish_count(dp, NULL, sum->scope_refused, 0);
    /* the probabilistic stage's pairs and links: linkage counts like the
     * keys' (records and fields stay exact) */
    sum->prob.pairs_compared =
        disclosure_publish_count(dp, NULL, sum->prob.pairs_compared, 0);
    sum->prob.pairs_accepted =
        disclosure_publish_count(dp, NULL, sum->prob.pairs_accepted, 0);
    sum->prob.refused_guard =
        disclosure_publish_count(dp, NULL, sum->prob.refused_guard, 0);
    sum->prob.refused_strong_id =
        disclosure_publish_count(dp, NULL, sum->prob.refused_strong_id, 0);
    sum->prob.refused_other =
        disclosure_publish_count(dp, NULL, sum->prob.refused_other, 0);
    sum->prob.links = disclosure_publish_count(dp, NULL, sum->prob.links, 0);
    /* person assembly's ids are persons of a system, as a scope's ids
     * are; its records stay exact */
    sum->prob.assembled_ids =
        disclosure_publish_count(dp, NULL, sum->prob.assembled_ids, 0);
    sum->prob.assembled_conflicts =
        disclosure_publish_count(dp, NULL, sum->prob.assembled_conflicts, 0);
    sum->prob.blocks_over_cap =
        disclosure_publish_count(dp, NULL, sum->prob.blocks_over_cap, 0);
    sum->prob.pairs_over_cap =
        disclosure_publish_count(dp, NULL, sum->prob.pairs_over_cap, 0);
    for (i = 0; i < sum->nkeys; i++) {
        sum->keys[i].links =
            disclosure_publish_count(dp, NULL, sum->keys[i].links, 0);
        sum->keys[i].conflicts =
            disclosure_publish_count(dp, NULL, sum->keys[i].conflicts, 0);
    }
}
