/*
 * household_count.h - households as the unit a cohort counts
 * (`unit = households`, README "Households").
 *
 * A household's members in a month are the persons with a membership
 * (anonymise/household.h) overlapping it, each once; a member is its
 * lead that month when one of those memberships says so. A household
 * with no member in a month is in no cohort that month. Its `where`
 * is evaluated over those members (where.h, where_eval_household()), and
 * its composition in the month, from the members' age bands at the
 * month's end and the lead flag, gives the `by` columns:
 *
 *   household_size  1 person, 2 persons, 3 persons, 4 persons,
 *                   5 or more persons
 *   children        members under 18: no children, 1 child, 2 children,
 *                   3 or more children; UNKNOWN when a member's age is
 *                   not known
 *   household_type  with exactly one member flagged lead, who is 18 or
 *                   over: single adult (the lead alone), couple (the lead
 *                   and one other adult, no children), lone parent (the
 *                   lead, the only adult, with children), couple with
 *                   children (the lead, one other adult, children);
 *                   other for every other household (three or more
 *                   adults, no lead or two, a lead under 18); UNKNOWN
 *                   when a member's age is not known
 *
 * Adults and children need an age band starting at 18
 * (cohort_settings.c refuses a composition column without one). A
 * service flag `by` column is `yes` when any member had a spell of the
 * service overlapping the month, or the household one of its own (a
 * source of household events, anonymise/household.h). With `measure = at_end` a household is
 * asked on the month's last day: its members are that day's, for the
 * where and for the composition (a service flag still asks about the
 * month, as a person's does).
 *
 *     struct count_units cu;
 *     struct household_units hu;
 *     household_units_init(&hu, plan, c, e, ps, &cu);   -- CE_NOMEM
 *     ... count cu (count.c) ...
 *     household_units_release(&hu);
 */
#ifndef COHORT_HOUSEHOLD_COUNT_H
#define COHORT_HOUSEHOLD_COUNT_H

#include "count.h"

/* The counting context of one household cohort: scratch for one
 * household's members in one month. Owned; household_units_release(). */
struct household_units {
    const struct job_plan *plan;
    const struct cohort_plan *c;
    const struct where_expr *e;
    const struct person_set *ps;
    size_t *person;
    uint8_t *lead;
    size_t alloc;
};

/* Readies hu and points cu at ps's households. 0 or CE_NOMEM. */
int household_units_init(struct household_units *hu,
                         const struct job_plan *plan,
                         const struct cohort_plan *c,
                         const struct where_expr *e,
                         const struct person_set *ps, struct count_units *cu);

void household_units_release(struct household_units *hu);

/* Household h's members over [start, end] into hu's scratch, *m pointing
 * at them (valid until the next call). */
void household_members(struct household_units *hu, size_t h, int32_t start,
                       int32_t end, struct where_members *m);

/* The labels of composition column by (BY_HOUSEHOLD_SIZE, BY_CHILDREN,
 * BY_HOUSEHOLD_TYPE) and their number into *n; static, never freed. */
char **household_by_labels(int by, uint32_t *n);

/* The coordinate of members m, with the ages of period i, in composition
 * column by. */
uint32_t household_composition(const struct job_plan *plan,
                               const struct person_set *ps,
                               const struct where_members *m, int by, int i);

#endif
