/*
 * report.h - the run's HTML report and manifest, rendered from the run
 * summary alone (so they can hold nothing the summary does not: names,
 * counts, published values).
 *
 * report.html is one self-contained page (inline CSS and SVG, no script,
 * no external asset) written for a councillor first and an analyst
 * second, in this order:
 *   - headlines: per cohort the latest complete month's published total
 *     (the month holding the reference date counts only when the reference
 *     date is its last day; the page says so when it is not), the change
 *     on the same month a year before, and the cohort's `where` in plain
 *     English;
 *   - per cohort a chart of the published total per month
 *     (report_chart.h: labelled axes, round ticks, months whose total is
 *     not published marked, every number in its <desc>), the same numbers
 *     as a table, and for the latest complete month one table per `by`
 *     column read from the published margins -- never worked out from
 *     other cells, so nothing hidden can be recomputed -- with a link to
 *     the full CSV;
 *   - a glossary of the codes and symbols the tables use;
 *   - data quality, id scopes and linkage; how the numbers are protected;
 *     the run's ids and the rules in force.
 * Every table has a caption and th scope, every chart and figure a unique
 * name; tests/cli/report.sh checks the page in headless Chromium
 * (tests/cli/a11y.py). A print stylesheet opens the folded tables.
 *
 * Labels (age bands, wards, ...) are the published table's own; a symbol
 * that replaces a value is written as published ("[c]"), whatever it is.
 *
 * manifest.json is the run's audit record: run id, times, version, plan
 * hash (the one `cohort rules` prints), key id, input files with their
 * BLAKE2b-256, every published file with its size and BLAKE2b-256, and the
 * cells each disclosure rule touched per cohort.
 */
#ifndef COHORT_REPORT_H
#define COHORT_REPORT_H

#include <stddef.h>

#include "../core/run.h"
#include "../core/strbuf.h"
#include "files.h"

/* Appends report.html for s to sb (strbuf failure marks sb). */
void render_report_html(const struct run_summary *s, struct strbuf *sb);

/* Appends manifest.json for s and the files published before it. */
void render_manifest(const struct run_summary *s,
                     const struct published_file *files, size_t nfiles,
                     struct strbuf *sb);

#endif
