/*
 * files.h - the file publisher: a run's tables, quality and linkage
 * statistics, manifest and HTML report, staged whole before anything is
 * switched (export/publish.h does the switching, export/run_dir.h the
 * directories).
 *
 * Layout under a csv output's dir (output_dir unless it names one):
 *     runs/RUN_ID/COHORT.csv[.gz]  one per cohort
 *     runs/RUN_ID/quality.csv      source,measure,value (run_tables.h)
 *     runs/RUN_ID/quarantine.csv   source,file,file_blake2b,line,column,reason
 *     runs/RUN_ID/linkage.csv      order,key,records_with_key,links,refused
 *     runs/RUN_ID/report.html      export/report.h
 *     runs/RUN_ID/manifest.json    export/report.h (hashes of the above)
 *     latest -> runs/RUN_ID
 * files_stage() writes every file into runs/.tmp-RUN_ID, each fsync'd,
 * then the directory; a failure removes the staging directory.
 *
 * Only the published value and the symbol of a cell are written, never a
 * true count or a cell key.
 */
#ifndef COHORT_FILES_H
#define COHORT_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/run.h"
#include "../core/strbuf.h"

/* One file of a publication, for the manifest. */
struct published_file {
    char name[128];
    uint64_t bytes;
    char blake2b_hex[65];
};

/*
 * Writes the whole run into out->dir/runs/.tmp-RUN_ID, fsync'd: every
 * cohort table, quality, quarantine, linkage, the report and last the
 * manifest. 0; CE_IO, CE_NOMEM or CE_CONFIG with d naming the file (the
 * staging directory is then removed).
 */
int files_stage(const struct run_summary *s, const struct output_plan *out,
                struct diag *d);

/* Removes what files_stage() staged for s (a publication that failed
 * before it committed). */
void files_unstage(const struct run_summary *s,
                   const struct output_plan *out);

/*
 * A protected table as CSV, the layout every cohort table is published in:
 * a header `[PERIOD_COLUMN,]BY_NAME...,count`, then per period
 * (period_labels[p], in table order) one row per cell -- interior cells,
 * each by column's margins, the grand total -- with `Total` for a margin's
 * coordinate and the published value, `[c]` for every hidden cell whatever
 * rule hid it. No column says which rule touched a cell (primary or
 * secondary, exact or rounded): that would narrow the hidden cells beyond
 * what the audit assumes. period_column NULL leaves the period column
 * out. Only cell->published is written, never a true count or a cell key.
 * Labels are always quoted; any header, period or label cell that starts
 * with =, +, -, @, a tab or a carriage return gets a leading '
 * (strbuf_add_csv).
 */
void render_table_csv(const struct published_table *t, const char *period_column,
                      const char *const *period_labels,
                      const char *const *by_names, struct strbuf *sb);

/* The CSV of one cohort table (deterministic: same table, same bytes). */
void render_cohort_csv(const struct run_summary *s,
                       const struct cohort_result *cr, struct strbuf *sb);

#endif
