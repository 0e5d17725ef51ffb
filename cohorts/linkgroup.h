/*
 * linkgroup.h - the linkage-by-group tables: how often a group's persons
 * were linked across departments, the proxy for linkage recall by group
 * that a run can publish without any truth (issue 26). Counted from the
 * pseudonymous persons like the overlap tables (flows.h) and protected
 * by anonymise/disclosure the same way before anyone sees them:
 *
 *   linkage_by_ethnicity   persons known to a department that month, by
 *   linkage_by_sex         ethnic group (sex, age band at the end of the
 *   linkage_by_age_band    month) and linked_departments: "1 department"
 *                          when every record linked to the person is of
 *                          one department, "2 or more departments" when
 *                          the linker joined records of two or more
 *
 * linked_departments looks at every record of the person in the extracts
 * (spells of any date), not only at that month's: a person is linked
 * across departments or not, whatever month counts them. The margin of a
 * group (linked_departments Total) is its persons that month, so the
 * share linked is a ratio of two published cells; the report computes it
 * from published values only.
 *
 * A job with one department has nobody in "2 or more departments": the
 * column is a structural zero ([z]) there. A sex or ethnicity no source
 * gives has no row (count.h cohort_by_labels()).
 *
 * Calling sequence (t initialised here; the caller releases it):
 *     linkgroup_count(plan, persons, periods, BY_ETHNICITY, &t)
 * Returns 0 or CE_NOMEM.
 */
#ifndef COHORT_LINKGROUP_H
#define COHORT_LINKGROUP_H

#include "../anonymise/person.h"
#include "../anonymise/table.h"
#include "../core/period.h"
#include "../core/plan.h"

/* The tables' names: LINKGROUP_PREFIX and the by column's name. */
#define LINKGROUP_PREFIX "linkage_by_"

/* The group columns, in the order the tables are published. */
#define LINKGROUP_NBY 3
extern const uint8_t linkgroup_by[LINKGROUP_NBY];

/* Labels of linked_departments: "1 department", "2 or more departments". */
extern const char *const linkgroup_labels[2];

/* 1 when the persons' records span two or more departments: p's spells
 * are of more than one department. */
int linkgroup_linked(const struct person_set *ps, size_t p);

/*
 * Fills t with the persons known to a department in each of the plan's
 * periods pr[0 .. plan->periods-1], by `by` (BY_ETHNICITY, BY_SEX or
 * BY_AGE_BAND, labels as a cohort table's) and linked_departments, with
 * margins. 0 or CE_NOMEM.
 */
int linkgroup_count(const struct job_plan *plan, const struct person_set *ps,
                    const struct period *pr, int by, struct count_table *t);

#endif
