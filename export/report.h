/*
 * report.h - the run's HTML report and manifest, rendered from the run
 * summary alone (so they can hold nothing the summary does not: names,
 * counts, published values).
 *
 * report.html is one self-contained page (inline CSS and SVG, no script,
 * no external asset): the run, data quality per source, linkage per key,
 * and per cohort its title, its `where` in plain English, a chart of the
 * published total per month (suppressed months are gaps) and the latest
 * month's table.
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

void render_report_html(const struct run_summary *s, struct strbuf *sb);

void render_manifest(const struct run_summary *s,
                     const struct published_file *files, size_t nfiles,
                     struct strbuf *sb);

#endif
