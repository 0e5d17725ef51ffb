#include "report.h"

#include "../core/period.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
iso_time(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A published count as a JSON value: a number, or "[c]" when withheld. */
static const char *
count_json(uint64_t v, char buf[24])
{
    if (v == COUNT_WITHHELD)
        return "\"[c]\"";
    return count_text(v, buf);
}

static int
suppressed(const struct published_cell *c)
{
    return published_hidden(c);
}

/* A line chart of the grand total per period; suppressed points are gaps. */
static void
chart(struct strbuf *sb, const struct published_table *t,
      const struct period *periods)
{
    const int w = 640, h = 200, pad = 40;
    int64_t max = 0;
    int p, pen = 0, shown = 0;
    char a[11], b[11];

    for (p = 0; p < t->nperiods; p++) {
        const struct published_cell *c =
            &t->cells[(size_t)p * t->ncells_per_period +
                      t->ncells_per_period - 1];

        if (!suppressed(c) && c->value > max)
            max = c->value;
        shown += !suppressed(c);
    }
    if (max == 0)
        max = 1;
    strbuf_addf(sb, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                    "role=\"img\" aria-label=\"total per month\">\n",
                w, h, w, h);
    strbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                    "stroke=\"#888\"/>\n",
                pad, h - pad, w - 10, h - pad);
    strbuf_addf(sb, "<text x=\"4\" y=\"%d\" font-size=\"11\">%lld</text>\n",
                pad, (long long)max);
    strbuf_addf(sb, "<text x=\"4\" y=\"%d\" font-size=\"11\">0</text>\n",
                h - pad);
    strbuf_adds(sb, "<path fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"2\" "
                    "d=\"");
    for (p = 0; p < t->nperiods; p++) {
        const struct published_cell *c =
            &t->cells[(size_t)p * t->ncells_per_period +
                      t->ncells_per_period - 1];
        int x = pad + (t->nperiods > 1
                           ? (w - pad - 10) * p / (t->nperiods - 1)
                           : 0);
        int y = (int)(h - pad - (int64_t)(h - 2 * pad) * c->value / max);

        if (suppressed(c)) {
            pen = 0;
            continue;
        }
        strbuf_addf(sb, "%c%d %d ", pen ? 'L' : 'M', x, y);
        pen = 1;
    }
    strbuf_adds(sb, "\"/>\n");
    if (!shown)
        strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" font-size=\"13\">Every "
                        "month's total is suppressed (fewer persons than "
                        "the threshold).</text>\n", pad + 10, h / 2);
    period_label(&periods[0], a);
    period_label(&periods[t->nperiods - 1], b);
    strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
                pad, h - pad + 16, a);
    strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
                    "text-anchor=\"end\">%s</text>\n</svg>\n",
                w - 10, h - pad + 16, b);
}

static void
latest_table(struct strbuf *sb, const struct cohort_result *cr)
{
    const struct published_table *t = &cr->table;
    const struct published_cell *c =
        t->cells + (size_t)(t->nperiods - 1) * t->ncells_per_period;
    size_t i, j;

    strbuf_adds(sb, "<table>\n<tr>");
    for (j = 0; j < t->nby; j++) {
        strbuf_adds(sb, "<th>");
        strbuf_add_html(sb, cohort_by_name(cr->plan, j));
        strbuf_adds(sb, "</th>");
    }
    strbuf_adds(sb, "<th>count</th></tr>\n");
    for (i = 0; i < t->ncells_per_period; i++) {
        strbuf_adds(sb, "<tr>");
        for (j = 0; j < t->nby; j++) {
            strbuf_adds(sb, "<td>");
            strbuf_add_html(sb, c[i].coord[j] == COORD_TOTAL
                                    ? "Total"
                                    : t->dim_labels[j][c[i].coord[j]]);
            strbuf_adds(sb, "</td>");
        }
        if (published_symbol_text(&c[i]))
            strbuf_addf(sb, "<td class=\"n\">%s</td>",
                        published_symbol_text(&c[i]));
        else
            strbuf_addf(sb, "<td class=\"n\">%lld</td>",
                        (long long)c[i].value);
        strbuf_adds(sb, "</tr>\n");
    }
    strbuf_adds(sb, "</table>\n");
}

/* The data-quality table: rows per source, reasons, dropped fields. */
static void
report_quality(const struct run_summary *s, struct strbuf *sb)
{
    const struct job_plan *plan = s->plan;
    size_t i, j;

    strbuf_adds(sb, "<h2>Data quality</h2>\n<table>\n<tr><th>source</th>"
                    "<th>rows in</th><th>accepted</th><th>quarantined</th>"
                    "<th>reasons</th><th>fields dropped</th></tr>\n");
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];

        strbuf_adds(sb, "<tr><td>");
        strbuf_add_html(sb, plan->sources[i].name);
        strbuf_addf(sb, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu"
                        "</td><td class=\"n\">%llu</td><td>",
                    (unsigned long long)ss->rows_in,
                    (unsigned long long)ss->rows_accepted,
                    (unsigned long long)ss->rows_quarantined);
        for (j = 0; j < ss->nquarantined; j++)
            strbuf_addf(sb, "%s%s %llu", j ? ", " : "",
                        ss->quarantined[j].reason,
                        (unsigned long long)ss->quarantined[j].n);
        for (j = 0; j < ss->nunmapped; j++) {
            strbuf_adds(sb, j ? ", " : "; unmapped ");
            strbuf_add_html(sb, ss->unmapped[j].label);
            strbuf_addf(sb, " %llu", (unsigned long long)ss->unmapped[j].n);
        }
        strbuf_adds(sb, "</td><td>");
        for (j = 0; j < ss->nnotes; j++)
            strbuf_addf(sb, "%s%s %llu", j ? ", " : "", ss->notes[j].reason,
                        (unsigned long long)ss->notes[j].n);
        strbuf_adds(sb, "</td></tr>\n");
    }
}

/* The id scopes table, when the job has scopes. */
static void
report_scopes(const struct run_summary *s, struct strbuf *sb)
{
    char nb[3][24];
    size_t i;

    if (s->nscopes) {
        strbuf_adds(sb, "</table>\n<h2>Id scopes</h2>\n<p>Tables of one "
                        "system joined by that system's own person id, before "
                        "linkage across departments.</p>\n<table>\n<tr>"
                        "<th>scope</th><th>ids</th><th>header rows</th>"
                        "<th>events joined</th><th>orphans (quarantined)</th>"
                        "<th>ids with two NHS numbers (kept apart)</th>"
                        "<th>ids with two dates of birth</th></tr>\n");
        for (i = 0; i < s->nscopes; i++) {
            const struct scope_summary *sc = &s->scopes[i];

            strbuf_adds(sb, "<tr><td>");
            strbuf_add_html(sb, sc->name);
            strbuf_addf(sb, "</td><td class=\"n\">%s</td><td class=\"n\">"
                            "%llu</td><td class=\"n\">%llu</td><td "
                            "class=\"n\">%llu</td><td class=\"n\">%s</td>"
                            "<td class=\"n\">%s</td></tr>\n",
                        count_text(sc->ids, nb[0]),
                        (unsigned long long)sc->header_rows,
                        (unsigned long long)sc->events_joined,
                        (unsigned long long)sc->events_orphaned,
                        count_text(sc->nhs_conflicts, nb[1]),
                        count_text(sc->dob_conflicts, nb[2]));
        }
    }
}

/* Links made and refused per match key. */
static void
report_linkage(const struct run_summary *s, struct strbuf *sb)
{
    char nb[2][24];
    size_t i;

    strbuf_adds(sb, "</table>\n<h2>Linkage</h2>\n<table>\n<tr><th>key</th>"
                    "<th>records with the key</th><th>links</th>"
                    "<th>refused (different NHS number or UPN)</th></tr>\n");
    for (i = 0; i < s->nkeys; i++) {
        strbuf_addf(sb, "<tr><td>%zu. ", i + 1);
        strbuf_add_html(sb, s->keys[i].key_text ? s->keys[i].key_text : "");
        strbuf_addf(sb, "</td><td class=\"n\">%llu</td><td class=\"n\">%s"
                        "</td><td class=\"n\">%s</td></tr>\n",
                    (unsigned long long)s->keys[i].records_with_key,
                    count_text(s->keys[i].links, nb[0]),
                    count_text(s->keys[i].conflicts, nb[1]));
    }
    strbuf_adds(sb, "</table>\n");
}

/* Per cohort: who, what was hidden, the chart and the latest month. */
static void
report_cohorts(const struct run_summary *s, const struct period *periods,
               const char *label, struct strbuf *sb)
{
    size_t i;

    for (i = 0; i < s->ncohorts; i++) {
        const struct cohort_result *cr = &s->cohorts[i];

        if (!cr->plan)
            continue;
        strbuf_adds(sb, "<h2>");
        strbuf_add_html(sb, cr->plan->title);
        strbuf_adds(sb, "</h2>\n<p class=\"where\">Who: ");
        strbuf_add_html(sb, cr->where_text_plain ? cr->where_text_plain
                                                 : cr->plan->where);
        strbuf_addf(sb, ".</p>\n<p>Table <code>%s</code>: %llu cells, "
                        "%llu suppressed, %llu suppressed to protect them."
                        "</p>\n",
                    cr->plan->name, (unsigned long long)cr->cells,
                    (unsigned long long)cr->suppressed,
                    (unsigned long long)cr->secondary);
        chart(sb, &cr->table, periods);
        strbuf_addf(sb, "<h3>%s</h3>\n", label);
        latest_table(sb, cr);
    }
}

void
render_report_html(const struct run_summary *s, struct strbuf *sb)
{
    const struct job_plan *plan = s->plan;
    struct period *periods = calloc((size_t)plan->periods, sizeof(*periods));
    char started[32], finished[32], label[11], nb[3][24];


    if (!periods) {
        sb->failed = 1;
        return;
    }
    periods_compute(plan->reference_date, plan->periods, periods);
    iso_time(s->started, started);
    iso_time(s->finished, finished);
    strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n<title>cohort: ");
    strbuf_add_html(sb, plan->name);
    strbuf_adds(sb, "</title>\n<style>\n"
                    "body{font-family:sans-serif;max-width:60em;margin:2em auto;"
                    "color:#0b0c0c}\n"
                    "table{border-collapse:collapse;margin:1em 0}\n"
                    "td,th{border:1px solid #b1b4b6;padding:2px 8px;"
                    "text-align:left}\n"
                    "td.n{text-align:right}\n"
                    ".where{font-style:italic}\n"
                    "pre{white-space:pre-wrap;font-size:85%}\n"
                    "</style>\n</head>\n<body>\n<h1>");
    strbuf_add_html(sb, plan->name);
    strbuf_adds(sb, "</h1>\n<p>Run ");
    strbuf_add_html(sb, s->run_id);
    strbuf_addf(sb, ", started %s, finished %s; cohort %s; plan hash "
                    "<code>%s</code>; key id <code>%s</code>.</p>\n",
                started, finished, s->version ? s->version : "",
                s->plan_hash, s->key_id);
    period_label(&periods[plan->periods - 1], label);
    if (plan->disclosure.perturbation == PERTURB_CELLKEY)
        strbuf_addf(sb, "<p>%d monthly periods, the last starting %s. "
                        "%s persons linked across departments. Every count "
                        "carries cell-key noise; counts below %d after it "
                        "are suppressed ([c]), and counts are rounded to "
                        "the nearest %d. [z]: the cohort's definition makes "
                        "the cell impossible.</p>\n",
                    plan->periods, label, count_text(s->persons, nb[0]),
                    plan->disclosure.suppress_hi + 1,
                    plan->disclosure.rounding);
    else
        strbuf_addf(sb, "<p>%d monthly periods, the last starting %s. "
                        "%s persons linked across departments. Counts below "
                        "%d are suppressed ([c]), further cells are "
                        "suppressed so none can be worked out from the "
                        "totals, and counts are rounded to the nearest %d. "
                        "[z]: the cohort's definition makes the cell "
                        "impossible.</p>\n",
                    plan->periods, label, count_text(s->persons, nb[0]),
                    plan->disclosure.suppress_hi + 1,
                    plan->disclosure.rounding);

    report_quality(s, sb);
    report_scopes(s, sb);
    report_linkage(s, sb);
    report_cohorts(s, periods, label, sb);
    if (s->rules_text) {
        strbuf_adds(sb, "<h2>Rules in force</h2>\n<p>As `cohort rules` shows "
                        "them to the information-governance reviewer; the "
                        "plan hash above proves these are the rules this run "
                        "applied.</p>\n<pre>");
        strbuf_add_html(sb, s->rules_text);
        strbuf_adds(sb, "</pre>\n");
    }
    strbuf_adds(sb, "</body>\n</html>\n");
    free(periods);
}

void
render_manifest(const struct run_summary *s, const struct published_file *files,
                size_t nfiles, struct strbuf *sb)
{
    char started[32], finished[32], nb[2][24];
    size_t i, j;

    iso_time(s->started, started);
    iso_time(s->finished, finished);
    strbuf_adds(sb, "{\n  \"run_id\": ");
    strbuf_add_json(sb, s->run_id);
    strbuf_adds(sb, ",\n  \"version\": ");
    strbuf_add_json(sb, s->version ? s->version : "");
    strbuf_addf(sb, ",\n  \"started\": \"%s\",\n  \"finished\": \"%s\",\n"
                    "  \"job\": ",
                started, finished);
    strbuf_add_json(sb, s->plan->name);
    strbuf_adds(sb, ",\n  \"config\": ");
    strbuf_add_json(sb, s->plan->config_path ? s->plan->config_path : "");
    strbuf_addf(sb, ",\n  \"plan_hash\": \"%s\",\n  \"key_id\": \"%s\",\n"
                    "  \"persons\": %s,\n  \"sources\": [",
                s->plan_hash, s->key_id, count_json(s->persons, nb[0]));
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];

        strbuf_adds(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        strbuf_add_json(sb, s->plan->sources[i].name);
        strbuf_addf(sb, ", \"rows_in\": %llu, \"rows_accepted\": %llu, "
                        "\"rows_quarantined\": %llu, \"quarantined\": {",
                    (unsigned long long)ss->rows_in,
                    (unsigned long long)ss->rows_accepted,
                    (unsigned long long)ss->rows_quarantined);
        for (j = 0; j < ss->nquarantined; j++)
            strbuf_addf(sb, "%s\"%s\": %llu", j ? ", " : "",
                        ss->quarantined[j].reason,
                        (unsigned long long)ss->quarantined[j].n);
        strbuf_adds(sb, "}, \"dropped\": {");
        for (j = 0; j < ss->nnotes; j++)
            strbuf_addf(sb, "%s\"%s\": %llu", j ? ", " : "",
                        ss->notes[j].reason,
                        (unsigned long long)ss->notes[j].n);
        /* each file by its place in the sorted glob and its hash: a
         * path may be a person's name (connectors/source.h) */
        strbuf_adds(sb, "}, \"files\": [");
        for (j = 0; j < ss->nfiles; j++)
            strbuf_addf(sb,
                        "%s{\"position\": %zu, \"bytes\": %llu, "
                        "\"blake2b\": \"%s\", \"rows\": %llu}",
                        j ? ", " : "", j + 1,
                        (unsigned long long)ss->files[j].size,
                        ss->files[j].blake2b_hex,
                        (unsigned long long)ss->files[j].rows);
        strbuf_adds(sb, "]}");
    }
    strbuf_adds(sb, "\n  ],\n  \"linkage\": [");
    for (i = 0; i < s->nkeys; i++) {
        strbuf_adds(sb, i ? ",\n    {\"key\": " : "\n    {\"key\": ");
        strbuf_add_json(sb, s->keys[i].key_text ? s->keys[i].key_text : "");
        strbuf_addf(sb, ", \"records_with_key\": %llu, \"links\": %s, "
                        "\"refused\": %s}",
                    (unsigned long long)s->keys[i].records_with_key,
                    count_json(s->keys[i].links, nb[0]),
                    count_json(s->keys[i].conflicts, nb[1]));
    }
    strbuf_adds(sb, "\n  ],\n  \"cohorts\": [");
    for (i = 0; i < s->ncohorts; i++) {
        const struct cohort_result *cr = &s->cohorts[i];

        strbuf_adds(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        strbuf_add_json(sb, cr->plan ? cr->plan->name : "");
        strbuf_addf(sb, ", \"cells\": %llu, \"suppressed\": %llu, "
                        "\"secondary\": %llu, \"rounded\": %llu, "
                        "\"perturbed\": %llu, \"structural\": %llu}",
                    (unsigned long long)cr->cells,
                    (unsigned long long)cr->suppressed,
                    (unsigned long long)cr->secondary,
                    (unsigned long long)cr->rounded,
                    (unsigned long long)cr->perturbed,
                    (unsigned long long)cr->structural);
    }
    strbuf_addf(sb, "\n  ],\n  \"disclosure\": {\"suppress\": \"%d-%d\", "
                    "\"protect_zeros\": %s, \"rounding\": %d, "
                    "\"protection_level\": %d, \"suppression_cost\": \"%s\", "
                    "\"perturbation\": \"%s\"},\n"
                    "  \"outputs\": [",
                s->plan->disclosure.suppress_lo,
                s->plan->disclosure.suppress_hi,
                s->plan->disclosure.protect_zeros ? "true" : "false",
                s->plan->disclosure.rounding,
                s->plan->disclosure.protection_level,
                s->plan->disclosure.suppression_cost == COST_CELLS ? "cells"
                : s->plan->disclosure.suppression_cost == COST_LOG_VALUE
                    ? "log_value"
                    : "value",
                s->plan->disclosure.perturbation == PERTURB_CELLKEY
                    ? "cellkey"
                    : "none");
    for (i = 0; i < nfiles; i++) {
        strbuf_adds(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        strbuf_add_json(sb, files[i].name);
        strbuf_addf(sb, ", \"bytes\": %llu, \"blake2b\": \"%s\"}",
                    (unsigned long long)files[i].bytes, files[i].blake2b_hex);
    }
    strbuf_adds(sb, "\n  ]\n}\n");
}
