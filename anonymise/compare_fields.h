/*
 * compare_fields.h - the comparison-only fields (address lines, e-mail,
 * phone, town: core/schema.h CF_ADDRESS .. CF_TOWN, normalised by
 * transform/contact.h) as the probabilistic stage's extra identifiers
 * (match.h, MF_EXTRA0 ..): each compared exact / else as a keyed SipHash
 * of its normalised value under a subkey of its own (comparison.h,
 * K_EXTRA0 + i), weighed by Fellegi-Sunter like every other field, and
 * allowed by the guard to stand in for the address when a date of birth
 * is missing (match.h, guard_no_dob).
 *
 * A job compares the ones its sources map (any source): extra identifier
 * i is the i-th of them in CF_ADDRESS .. CF_TOWN order, the same in every
 * source, so that a value of one source meets the same field of another;
 * a field no source maps takes no slot (and no EM warning).
 *
 *     n = compare_fields_count(plan);        -- 0: none mapped
 *     comparison_list_init(&l, n); cfg.nextra = n;
 *     cfg.extra_strong = compare_fields_strong(plan);
 *     per row: compare_fields_plain(plan, rec, &plain);
 */
#ifndef COHORT_COMPARE_FIELDS_H
#define COHORT_COMPARE_FIELDS_H

#include "../core/plan.h"
#include "../core/schema.h"
#include "comparison.h"

/* The extra identifiers the job's comparison records carry: how many
 * comparison-only fields its sources map. */
unsigned compare_fields_count(const struct job_plan *plan);

/* The field (CF_ADDRESS .. CF_TOWN) of extra identifier i, or -1. */
int compare_fields_field(const struct job_plan *plan, unsigned i);

/* A comparison field's name in reports: "forename" .. "sex" as
 * match_field_name() says, an extra identifier by its common field
 * ("address", "email", ...). */
const char *compare_fields_name(const struct job_plan *plan,
                                enum match_field f);

/* The extra identifiers that may stand in for the place when a date of
 * birth is missing (match_config.extra_strong): the address lines, the
 * e-mail and the phone, not the town (thousands share one). */
uint32_t compare_fields_strong(const struct job_plan *plan);

/* Points p->extra[0 .. compare_fields_count(plan)) at rec's normalised
 * values of those fields (borrowed: wiped with rec) and sets p->nextra. */
void compare_fields_plain(const struct job_plan *plan,
                          const struct record *rec,
                          struct comparison_plain *p);

#endif
