/*
 * coded.h - a source's coded columns (README "Statutory code lists"): the
 * columns of a statutory return that hold codes of an official code set
 * (SSDA903's PLACE, LS, CIN, REC ...; the CIN census' PrimaryNeedCode,
 * ReferralSource ...), each checked against its code list, and three of
 * them carried per spell as a category a cohort can be broken down by
 * (placement_type, legal_status, category_of_need).
 *
 * The keys, declared in transform/map_settings.c's table:
 *     code_list.COLUMN = LIST      the column's codes are LIST's (a shipped
 *                                  list's name or a .csv file); empty: the
 *                                  column is not checked
 *     category.NAME = COLUMN       the spell category NAME is the group of
 *                                  COLUMN's code in its list; empty: none
 * A profile (transform/profiles.h) declares its coded columns; a key set
 * in the [source] replaces the profile's, so a council's own list file
 * replaces a shipped one, groups included.
 *
 * Calling sequence: the settings handlers while the section is read;
 * coded_apply_profile() when it ends (after the keys); coded_finish_plan()
 * once every section is read (the job's category labels); then per
 * source, coded_mapping_init() against the header and coded_map_row() per
 * row that map_row() accepts.
 *
 * A code not on its list is a dropped field, never a quarantined row (the
 * service column's own value map quarantines, as before): the row is kept
 * without it, the drop counted per column towards max_drop_rate, and the
 * code counted per column and code under the rule for naming unmapped
 * codes (transform/quarantine.h): as `code.COLUMN=CODE` only when enough
 * persons carry it.
 */
#ifndef COHORT_CODED_H
#define COHORT_CODED_H

#include "../core/plan.h"
#include "../core/row.h"
#include "../core/settings.h"

struct quarantine;

/* code_list.COLUMN = LIST (a SETTING_CUSTOM check). */
int coded_set_list(const struct setting *s, void *obj, const char *value,
                   struct setting_ctx *ctx);

/* category.NAME = COLUMN (a SETTING_CUSTOM check). */
int coded_set_category(const struct setting *s, void *obj, const char *value,
                       struct setting_ctx *ctx);

/* The profile's coded columns and categories where the [source] set
 * none (profile_name may be NULL: nothing to do), then the checks of the
 * section: a category's column has a list. 0 or CE_CONFIG/CE_NOMEM. */
int coded_apply_profile(struct source_plan *s, const char *profile_name,
                        struct setting_ctx *ctx);

/* The job's category labels from every source's category columns, each
 * group checked as a published label (core/label.h). 0, or CE_CONFIG with
 * ctx naming the source's line. */
int coded_finish_plan(struct job_plan *plan, struct setting_ctx *ctx);

/* "placement_type", "legal_status", "category_of_need". */
const char *spell_category_name(int category);

/* Where a source's coded columns are in one file's header. */
struct coded_mapping {
    int column[SOURCE_CODED_MAX]; /* header index, -1: not read */
};

/*
 * Resolves the coded columns against the header: a profile's column the
 * header lacks is not read; one the [source] named is CE_DATA with d
 * naming it (rule "column"). 0 otherwise.
 */
int coded_mapping_init(struct coded_mapping *cm,
                       const struct source_plan *source,
                       const struct cell *header, size_t ncolumns,
                       struct diag *d);

/*
 * One accepted row's coded cells: a listed code sets its category in
 * category[CAT_COUNT] (when its column carries one); an unlisted one is
 * counted in q (quarantine_coded()), its code kept for naming only when
 * code_like(ctx, p, n) says it is a plain code with no identifier shape.
 */
void coded_map_row(const struct coded_mapping *cm,
                   const struct source_plan *source,
                   const struct raw_row *row, uint8_t category[CAT_COUNT],
                   struct quarantine *q,
                   int (*code_like)(const void *ctx, const char *p, size_t n),
                   const void *ctx);

/* The source named by code list name: the shipped list's publisher and
 * licence, or NULL for a file of the job's own. Static. */
const char *coded_list_source(const char *list);

#endif
