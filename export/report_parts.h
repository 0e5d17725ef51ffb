/*
 * report_parts.h - the sections of report.html (report.h) and what they
 * share; for export/report*.c only.
 *
 * report.c draws the findings (headlines, one section per cohort);
 * report_about.c the glossary and what comes after the findings (data
 * quality, id scopes, linkage, protection, the run). Both read the run
 * summary through one struct report_ctx, made once per page.
 */
#ifndef COHORT_REPORT_PARTS_H
#define COHORT_REPORT_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/period.h"
#include "../core/run.h"
#include "../core/strbuf.h"

struct report_ctx {
    const struct run_summary *s;
    const struct period *periods; /* the plan's months, oldest first */
    int nperiods;
    int latest;          /* latest complete month, or -1 when none is */
    int last_incomplete; /* the last month runs only to the reference date */
};

/*
 * The text a published cell shows instead of a number ("[c]"), or NULL
 * when it shows its value. Every symbol of core/published.h has a row in
 * report.c's table, which also says what it means (for the glossary).
 */
const char *report_symbol(const struct published_cell *c);

/* What symbol (enum published_symbol) means, for the glossary; NULL when
 * it shows a value. */
const char *report_symbol_meaning(uint8_t symbol);

/* A count or symbol as the page shows it ("1,234" or "[c]") into buf. */
const char *report_cell_text(const struct published_cell *c, char buf[32]);

/* The cohort's table name as a fragment id ("c-NAME"): plan names are
 * letters, digits and '_' (setting_name_ok). */
void report_cohort_anchor(const struct cohort_result *cr, char buf[80]);

/* "people" or "people joining": what a cohort's count counts. */
const char *report_unit(const struct cohort_result *cr);

/* A by column's heading: "Age band", "Ethnic group", "Ward", ...; with
 * lower, starting in lower case ("age band") for the middle of a line. */
void report_by_heading(const struct job_plan *plan, const struct cohort_plan *k,
                       size_t j, int lower, struct strbuf *sb);

/* The codes and symbols the tables use (report_about.c). */
void report_glossary(const struct report_ctx *rc, struct strbuf *sb);

/* Data quality, id scopes and linkage (report_about.c). */
void report_about_data(const struct report_ctx *rc, struct strbuf *sb);

/* The linkage-by-group tables' persons, linked persons and share per
 * group for the latest complete month, with what the share can and
 * cannot say; nothing when the job publishes no such table
 * (report_linkage.c). */
void report_linkage_groups(const struct report_ctx *rc, struct strbuf *sb);

/* How the numbers are protected: the rule and what it hid per table. */
void report_protection(const struct report_ctx *rc, struct strbuf *sb);

/* The run's ids, times and plan hash, and the rules in force. */
void report_run(const struct report_ctx *rc, struct strbuf *sb);

#endif
