/*
 * flows.h - the tables a job derives for demand forecasting, counted from
 * the pseudonymous persons like a cohort's table (count.h) and protected
 * the same way by anonymise/disclosure before anyone sees them:
 *
 *   COHORT_new        a forecast cohort's entries per month, by age band
 *                     when the cohort has age_band in its `by`
 *   COHORT_ended      its exits (the month is the person's last in it), by
 *                     age band and months in the cohort
 *   COHORT_duration   its persons, by age band and months in the cohort
 *   TRANSITION        a [transition]'s persons in `from` in month t-1 and
 *                     in `to` in month t, by its own `by`
 *   service_transitions_DEPARTMENT
 *                     persons by their service of that department in
 *                     month t-1 (from_service) and in month t (to_service),
 *                     `none` when they had none, none to none left out
 *   overlap           persons by the combination of departments that know
 *                     them that month (a spell of any of its services
 *                     overlaps it), by age band
 *   overlap_count     the same persons by how many departments know them
 *                     ("1 department" to "4 departments"), by age band
 *
 * Months in the cohort: the months before this one in which the person
 * was in the cohort without a break, 0 in the month they enter; banded
 * "0 to 2", "3 to 5", "6 to 11", "12 to 23", "24 and over" (no band of a
 * single month: flows.c says why). The months before the first period are looked at (up to 24),
 * with the first period's ages.
 *
 * Structural zeros as in a cohort's table (count.h): an age band the
 * cohort's where rules out is [z] in its entries, exits and months-in-
 * cohort tables, as is one `to` rules out in a [transition]'s table
 * (with the codes the sources can give for sex and ethnicity), and the
 * cell none to none of a service transitions table, which nobody is
 * counted in.
 *
 * A person's service of a department in a month is that of the last (by
 * start, then end, then service) of their spells of it overlapping the
 * month. So every from_service row (but none) of a month sums to that
 * service's to_service column of the month before.
 *
 * Calling sequence (each table initialised here; the caller releases it):
 *     flows_count(plan, cohort, expr, persons, periods, tables[FLOW_COUNT])
 *     transition_count(plan, tp, from_expr, to_expr, persons, periods, &t)
 *     service_transitions_count(plan, department, persons, periods, &t)
 *     overlap_count(plan, persons, periods, &combinations, &known)
 * Each returns 0 or CE_NOMEM.
 */
#ifndef COHORT_FLOWS_H
#define COHORT_FLOWS_H

#include "../anonymise/person.h"
#include "../anonymise/table.h"
#include "../core/period.h"
#include "../core/plan.h"
#include "where.h"

enum flow_table { FLOW_NEW, FLOW_ENDED, FLOW_DURATION, FLOW_COUNT };

/* "new", "ended", "duration": COHORT_SUFFIX names the table. */
const char *flow_table_suffix(enum flow_table f);

/* The suffix of a forecast cohort's projection: COHORT_forecast. */
#define FLOW_FORECAST_SUFFIX "forecast"

/* The standard tables' names (service_transitions_DEPARTMENT is the
 * first with the department's name after it). */
#define SERVICE_TRANSITIONS_PREFIX "service_transitions_"
#define OVERLAP_TABLE "overlap"
#define OVERLAP_COUNT_TABLE "overlap_count"
/* The overlap tables have a row per combination of departments: a job
 * with more departments than this cannot ask for them (2^6 - 1 rows). */
#define OVERLAP_MAX_DEPARTMENTS 6

/* Months in the cohort as published: the number of bands and labels. */
#define DURATION_BANDS 5
extern const char *const duration_band_labels[DURATION_BANDS];

/* The band of a person who has been in the cohort `months` months before
 * this one. */
int duration_band(int months);

/* Whether c's table has age_band among its by columns: the flow tables
 * are then by age band too. */
int flows_by_age(const struct cohort_plan *c);

int flows_count(const struct job_plan *plan, const struct cohort_plan *c,
                const struct where_expr *e, const struct person_set *ps,
                const struct period *pr, struct count_table t[FLOW_COUNT]);

int transition_count(const struct job_plan *plan,
                     const struct transition_plan *tp,
                     const struct where_expr *from,
                     const struct where_expr *to, const struct person_set *ps,
                     const struct period *pr, struct count_table *t);

/* 1 when department dept has a service in plan (its table has rows). */
int service_transitions_wanted(const struct job_plan *plan, int dept);

int service_transitions_count(const struct job_plan *plan, int dept,
                              const struct person_set *ps,
                              const struct period *pr, struct count_table *t);

int overlap_count(const struct job_plan *plan, const struct person_set *ps,
                  const struct period *pr, struct count_table *combinations,
                  struct count_table *known);

#endif
