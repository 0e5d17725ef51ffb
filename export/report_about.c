/*
 * report_about.c - what report.html says after its findings: the codes and
 * symbols, the data's quality and linkage, how the numbers are protected,
 * and which run and rules made them (report_parts.h).
 */
#include "report_parts.h"

#include "report_chart.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* 1 when some cohort of the page breaks down by b. */
static int
any_by(const struct run_summary *s, enum by_column b)
{
    size_t i, j;

    for (i = 0; i < s->ncohorts; i++)
        for (j = 0; s->cohorts[i].plan && j < s->cohorts[i].plan->nby; j++)
            if (s->cohorts[i].plan->by[j] == b)
                return 1;
    return 0;
}

/*
 * A table wider than a phone: it scrolls inside its own region (named by
 * its caption, focusable so a keyboard can scroll it) instead of the page
 * scrolling sideways, as WCAG 1.4.10 allows for data tables.
 */
static void
wide_table_open(struct strbuf *sb, const char *id, const char *caption)
{
    strbuf_addf(sb,
                "<div class=\"wide\" role=\"region\" tabindex=\"0\" "
                "aria-labelledby=\"%s\">\n<table>\n<caption id=\"%s\">",
                id, id);
    strbuf_add_html(sb, caption);
    strbuf_adds(sb, "</caption>\n");
}

static void
wide_table_close(struct strbuf *sb)
{
    strbuf_adds(sb, "</tbody>\n</table>\n</div>\n");
}

/* The symbols that stand for values anywhere in the page's tables, each
 * with its meaning. */
static void
glossary_symbols(const struct run_summary *s, struct strbuf *sb)
{
    unsigned char seen[256] = {0};
    size_t i, k, ncells;
    int sym;

    for (i = 0; i < s->ncohorts; i++) {
        const struct published_table *t = &s->cohorts[i].table;

        ncells = (size_t)t->nperiods * t->ncells_per_period;
        for (k = 0; t->cells && k < ncells; k++)
            seen[t->cells[k].symbol] = 1;
    }
    seen[PUB_CONFIDENTIAL] = 1; /* the lede and the charts' keys name it */
    for (sym = 0; sym < 256; sym++) {
        struct published_cell c;

        if (!seen[sym] || sym == PUB_SHOWN)
            continue;
        memset(&c, 0, sizeof(c));
        c.symbol = (uint8_t)sym;
        strbuf_adds(sb, "<dt>");
        strbuf_add_html(sb, report_symbol(&c));
        strbuf_adds(sb, "</dt>\n<dd>");
        strbuf_add_html(sb, report_symbol_meaning((uint8_t)sym));
        strbuf_adds(sb, ".</dd>\n");
    }
}

/* Age bands as the first table with an age band labels them. */
static void
glossary_age(const struct run_summary *s, struct strbuf *sb)
{
    size_t i, j, v;
    int unknown = 0;

    for (i = 0; i < s->ncohorts; i++) {
        const struct cohort_result *cr = &s->cohorts[i];

        for (j = 0; cr->plan && j < cr->table.nby; j++) {
            if (cr->plan->by[j] != BY_AGE_BAND)
                continue;
            strbuf_adds(sb, "<dt>Age band</dt>\n<dd>Age in whole years at "
                            "the end of the month, in the bands the tables "
                            "show: ");
            for (v = 0; v < cr->table.dim_n[j]; v++) {
                strbuf_adds(sb, v ? ", " : "");
                strbuf_add_html(sb, cr->table.dim_labels[j][v]);
                unknown |= !strcmp(cr->table.dim_labels[j][v], "UNKNOWN");
            }
            strbuf_adds(sb,
                        unknown ? ". UNKNOWN: no valid date of birth." : ".");
            strbuf_adds(sb, "</dd>\n");
            return;
        }
    }
}

static void
glossary_codes(const struct run_summary *s, struct strbuf *sb)
{
    if (any_by(s, BY_SEX))
        strbuf_adds(sb, "<dt>Sex</dt>\n<dd><ul>\n<li>M: male</li>\n"
                        "<li>F: female</li>\n<li>U: not known or not "
                        "recorded</li>\n<li>X: indeterminate, not specified "
                        "or another answer</li>\n</ul></dd>\n");
    if (any_by(s, BY_ETHNICITY))
        strbuf_adds(sb,
                    "<dt>Ethnic group</dt>\n<dd>The six top-level groups "
                    "of the 2021 Census, whatever detailed code a system "
                    "records:<ul>\n<li>WHITE: White</li>\n<li>MIXED: Mixed "
                    "or Multiple ethnic groups</li>\n<li>ASIAN: Asian, "
                    "Asian British or Asian Welsh</li>\n<li>BLACK: Black, "
                    "Black British, Black Welsh, Caribbean or African</li>\n"
                    "<li>OTHER: Other ethnic group, including Arab</li>\n"
                    "<li>UNKNOWN: not stated, refused or not recorded</li>\n"
                    "</ul></dd>\n");
    if (any_by(s, BY_WARD) || any_by(s, BY_LSOA) || any_by(s, BY_DISTRICT))
        strbuf_adds(sb, "<dt>Ward, small area (LSOA) and postcode district"
                        "</dt>\n<dd>Where the person lived, from their "
                        "postcode through the council's lookup. UNKNOWN: the "
                        "postcode was missing, not valid or not in the "
                        "lookup.</dd>\n");
    if (any_by(s, BY_SERVICE))
        strbuf_adds(sb, "<dt>yes / no</dt>\n<dd>Whether the person also had "
                        "that service at some time in the month.</dd>\n");
}

/* The departments the job file declares, with what each service it
 * describes is, and the need areas count(need.*) counts: only when it
 * declares them (the default four need no gloss). */
static void
glossary_departments(const struct job_plan *plan, struct strbuf *sb)
{
    size_t d, i;

    for (d = 0; d < plan->ndepartments; d++) {
        const struct department_plan *dp = &plan->departments[d];
        int any = 0;

        if (!dp->line)
            continue;
        strbuf_adds(sb, "<dt>");
        strbuf_add_html(sb, job_plan_department_title(plan, (int)d));
        strbuf_adds(sb, "</dt>\n<dd>A department whose records the job "
                        "reads");
        for (i = 0; i < dp->nservices; i++) {
            if (!dp->services[i].description)
                continue;
            strbuf_adds(sb, any++ ? "</li>\n<li>" : ":<ul>\n<li>");
            strbuf_add_html(sb, dp->services[i].name);
            strbuf_adds(sb, ": ");
            strbuf_add_html(sb, dp->services[i].description);
        }
        strbuf_adds(sb, any ? "</li>\n</ul></dd>\n" : ".</dd>\n");
    }
    if (!plan->nneeds)
        return;
    strbuf_adds(sb, "<dt>Needs</dt>\n<dd>The need areas a person is counted "
                    "for, each defined on the job's records:<ul>\n");
    for (i = 0; i < plan->nneeds; i++) {
        strbuf_adds(sb, "<li>");
        strbuf_add_html(sb, plan->needs[i].title);
        strbuf_adds(sb, ": <code>");
        strbuf_add_html(sb, plan->needs[i].where);
        strbuf_adds(sb, "</code></li>\n");
    }
    strbuf_adds(sb, "</ul></dd>\n");
}

void
report_glossary(const struct report_ctx *rc, struct strbuf *sb)
{
    const struct run_summary *s = rc->s;
    const struct disclosure_plan *dp = &s->plan->disclosure;

    strbuf_adds(sb, "<section aria-labelledby=\"glossary\">\n<h2 "
                    "id=\"glossary\">Codes and symbols</h2>\n<dl>\n");
    glossary_symbols(s, sb);
    strbuf_adds(sb, "<dt>Total</dt>\n<dd>Everyone in the rows above it "
                    "together.</dd>\n<dt>Month</dt>\n<dd>A month counts the "
                    "distinct people who were in the group at any time in it, "
                    "each once however many records they have in however "
                    "many systems.</dd>\n");
    if (dp->perturbation == PERTURB_CELLKEY)
        strbuf_adds(sb, "<dt>Noise</dt>\n<dd>Every published number has a "
                        "small amount added or taken away, the same every "
                        "night for the same people, so that numbers cannot "
                        "be subtracted from each other to reveal someone. A "
                        "total may differ from the sum of its rows.</dd>\n");
    else if (dp->rounding > 1)
        strbuf_addf(sb,
                    "<dt>Rounding</dt>\n<dd>Every published number is "
                    "rounded to the nearest %d, so a total may differ "
                    "from the sum of its rows, and a small change from "
                    "one month to the next may be rounding.</dd>\n",
                    dp->rounding);
    glossary_age(s, sb);
    glossary_codes(s, sb);
    glossary_departments(s->plan, sb);
    strbuf_adds(sb, "</dl>\n</section>\n");
}

/* The data-quality table: rows per source, reasons, dropped fields. */
static void
about_quality(const struct run_summary *s, struct strbuf *sb)
{
    const struct job_plan *plan = s->plan;
    char nb[4][32];
    size_t i, j;

    strbuf_adds(sb, "<h3>Records read</h3>\n");
    wide_table_open(sb, "t-quality",
                    "Rows read from each source, and the "
                    "rows set aside (quarantined)");
    strbuf_adds(sb, "<thead><tr><th scope=\"col\">"
                    "Source</th><th scope=\"col\" class=\"n\">Rows in</th>"
                    "<th scope=\"col\" class=\"n\">Accepted</th><th "
                    "scope=\"col\" class=\"n\">Quarantined</th><th "
                    "scope=\"col\">Why quarantined</th><th scope=\"col\">"
                    "Fields dropped</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];

        strbuf_adds(sb, "<tr><th scope=\"row\">");
        strbuf_add_html(sb, plan->sources[i].name);
        strbuf_addf(sb,
                    "</th><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                    "<td class=\"n\">%s</td><td>",
                    count_commas((int64_t)ss->rows_in, nb[0]),
                    count_commas((int64_t)ss->rows_accepted, nb[1]),
                    count_commas((int64_t)ss->rows_quarantined, nb[2]));
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
    wide_table_close(sb);
}

/* The id scopes table, when the job has scopes. */
static void
about_scopes(const struct run_summary *s, struct strbuf *sb)
{
    char nb[3][24];
    size_t i;

    if (!s->nscopes)
        return;
    strbuf_adds(sb, "<h3>Id scopes</h3>\n<p>Tables of one system joined by "
                    "that system's own person id, before linkage across "
                    "departments.</p>\n");
    wide_table_open(sb, "t-scopes",
                    "Id scopes: ids and rows joined by each "
                    "system's own id");
    strbuf_adds(sb, "<thead><tr><th scope=\"col\">Scope</th><th scope=\"col\" "
                    "class=\"n\">Ids</th><th scope=\"col\" class=\"n\">Header "
                    "rows</th><th scope=\"col\" class=\"n\">Events joined</th>"
                    "<th scope=\"col\" class=\"n\">Orphans (quarantined)</th>"
                    "<th scope=\"col\" class=\"n\">Ids with two NHS numbers "
                    "(kept apart)</th><th scope=\"col\" class=\"n\">Ids with "
                    "two dates of birth</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < s->nscopes; i++) {
        const struct scope_summary *sc = &s->scopes[i];

        strbuf_adds(sb, "<tr><th scope=\"row\">");
        strbuf_add_html(sb, sc->name);
        strbuf_addf(sb,
                    "</th><td class=\"n\">%s</td><td class=\"n\">%llu</td>"
                    "<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
                    "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
                    "</tr>\n",
                    count_text(sc->ids, nb[0]),
                    (unsigned long long)sc->header_rows,
                    (unsigned long long)sc->events_joined,
                    (unsigned long long)sc->events_orphaned,
                    count_text(sc->nhs_conflicts, nb[1]),
                    count_text(sc->dob_conflicts, nb[2]));
    }
    wide_table_close(sb);
}

/* The probabilistic stage: what it did, beside the keys' table. */
static void
about_linkage_prob(const struct prob_summary *p, struct strbuf *sb)
{
    char nb[6][24];

    strbuf_adds(sb, "<p>After the keys, a probabilistic stage compares pairs "
                    "of records the keys did not link, field by field, from "
                    "keyed codes of names, dates and postcodes, and links a "
                    "pair whose match probability reaches the threshold; it "
                    "never joins two different NHS numbers or UPNs.</p>\n");
    wide_table_open(sb, "t-linkage-prob", "What the probabilistic stage did");
    strbuf_addf(sb,
                "<thead><tr><th scope=\"col\" class=\"n\">Pairs "
                "compared</th><th scope=\"col\" class=\"n\">Accepted</th>"
                "<th scope=\"col\" class=\"n\">Refused by the guard "
                "(names, date of birth)</th><th scope=\"col\" "
                "class=\"n\">Joins refused (cluster guard or size)</th>"
                "<th scope=\"col\" class=\"n\">Blocks over the cap</th>"
                "<th scope=\"col\" class=\"n\">Their pairs</th><th "
                "scope=\"col\" class=\"n\">Fields on default m</th></tr>"
                "</thead>\n<tbody>\n<tr><td class=\"n\">%s</td><td "
                "class=\"n\">%s</td><td class=\"n\">%s</td><td "
                "class=\"n\">%s</td><td class=\"n\">%s</td><td "
                "class=\"n\">%s</td><td class=\"n\">%u</td></tr>\n",
                count_text(p->pairs_compared, nb[0]),
                count_text(p->pairs_accepted, nb[1]),
                count_text(p->refused_guard, nb[2]),
                count_text(p->refused_other, nb[3]),
                count_text(p->blocks_over_cap, nb[4]),
                count_text(p->pairs_over_cap, nb[5]), p->em_defaulted);
    wide_table_close(sb);
}

/* Links made and refused per match key. */
static void
about_linkage(const struct run_summary *s, struct strbuf *sb)
{
    char nb[3][24];
    size_t i;

    strbuf_addf(sb,
                "<h3>Linkage</h3>\n<p>Records of the same person in "
                "different systems are linked by keyed codes made from "
                "their identifiers, strictest first; %s people were "
                "found in all.</p>\n",
                count_text(s->persons, nb[2]));
    wide_table_open(sb, "t-linkage", "Links made by each match key");
    strbuf_adds(sb, "<thead><tr><th scope=\"col\">Match "
                    "key</th><th scope=\"col\" class=\"n\">Records with the "
                    "key</th><th scope=\"col\" class=\"n\">Links</th><th "
                    "scope=\"col\" class=\"n\">Refused (different NHS number "
                    "or UPN)</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < s->nkeys; i++) {
        strbuf_addf(sb, "<tr><th scope=\"row\">%zu. ", i + 1);
        strbuf_add_html(sb, s->keys[i].key_text ? s->keys[i].key_text : "");
        strbuf_addf(sb,
                    "</th><td class=\"n\">%llu</td><td class=\"n\">%s"
                    "</td><td class=\"n\">%s</td></tr>\n",
                    (unsigned long long)s->keys[i].records_with_key,
                    count_text(s->keys[i].links, nb[0]),
                    count_text(s->keys[i].conflicts, nb[1]));
    }
    if (s->prob.ran)
        strbuf_addf(sb,
                    "<tr><th scope=\"row\">%zu. probabilistic (match "
                    "probability &ge; %.4f)</th><td class=\"n\">%llu</td>"
                    "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                    s->nkeys + 1, s->prob.threshold,
                    (unsigned long long)s->prob.records,
                    count_text(s->prob.links, nb[0]),
                    count_text(s->prob.refused_strong_id, nb[1]));
    wide_table_close(sb);
    if (s->prob.ran)
        about_linkage_prob(&s->prob, sb);
}

void
report_about_data(const struct report_ctx *rc, struct strbuf *sb)
{
    strbuf_adds(sb, "<section aria-labelledby=\"data\">\n<h2 id=\"data\">"
                    "About the data</h2>\n<p>Counts of rows and records are "
                    "exact; counts of people pass the same protection as the "
                    "tables.</p>\n");
    about_quality(rc->s, sb);
    about_scopes(rc->s, sb);
    about_linkage(rc->s, sb);
    report_linkage_groups(rc, sb);
    strbuf_adds(sb, "</section>\n");
}

void
report_protection(const struct report_ctx *rc, struct strbuf *sb)
{
    const struct run_summary *s = rc->s;
    const struct disclosure_plan *dp = &s->plan->disclosure;
    char nb[2][32];
    size_t i, k;

    if (dp->perturbation == PERTURB_CELLKEY)
        /* ONS's method: the noise first, then the threshold */
        strbuf_addf(sb,
                    "<section aria-labelledby=\"protection\">\n<h2 "
                    "id=\"protection\">How the numbers are protected</h2>\n"
                    "<p>Every number has a little noise added, the same "
                    "every night for the same people; any number below %d "
                    "after the noise is hidden, and shown as [c].",
                    dp->suppress_hi + 1);
    else
        strbuf_addf(sb,
                    "<section aria-labelledby=\"protection\">\n<h2 "
                    "id=\"protection\">How the numbers are protected</h2>\n"
                    "<p>Any number from %d to %d is hidden, and so are "
                    "enough others that no hidden number can be worked out "
                    "from the totals or the other tables; each is shown as "
                    "[c], whichever the reason.",
                    dp->suppress_lo, dp->suppress_hi);
    if (dp->perturbation != PERTURB_CELLKEY && dp->rounding > 1)
        strbuf_addf(sb, " Every number shown is rounded to the nearest %d.",
                    dp->rounding);
    strbuf_adds(sb, "</p>\n");
    wide_table_open(sb, "t-hidden",
                    "Numbers hidden in each table, all "
                    "months, totals included");
    strbuf_adds(sb, "<thead><tr><th "
                    "scope=\"col\">Table</th><th scope=\"col\" class=\"n\">"
                    "Numbers</th><th scope=\"col\" class=\"n\">Hidden</th><th "
                    "scope=\"col\" class=\"n\">Share hidden</th></tr></thead>\n"
                    "<tbody>\n");
    for (i = 0; i < s->ncohorts; i++) {
        const struct published_table *t = &s->cohorts[i].table;
        size_t n = (size_t)t->nperiods * t->ncells_per_period, hidden = 0;

        if (!s->cohorts[i].plan)
            continue;
        for (k = 0; t->cells && k < n; k++)
            hidden += published_hidden(&t->cells[k]);
        strbuf_adds(sb, "<tr><th scope=\"row\">");
        strbuf_add_html(sb, s->cohorts[i].plan->title);
        strbuf_addf(sb,
                    "</th><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                    "<td class=\"n\">%.1f%%</td></tr>\n",
                    count_commas((int64_t)n, nb[0]),
                    count_commas((int64_t)hidden, nb[1]),
                    n ? 100.0 * (double)hidden / (double)n : 0.0);
    }
    wide_table_close(sb);
    strbuf_adds(sb, "</section>\n");
}

static void
iso_time_of(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
report_run(const struct report_ctx *rc, struct strbuf *sb)
{
    const struct run_summary *s = rc->s;
    char started[32], finished[32];

    iso_time_of(s->started, started);
    iso_time_of(s->finished, finished);
    strbuf_adds(sb, "<section aria-labelledby=\"run\">\n<h2 id=\"run\">About "
                    "this run</h2>\n<dl>\n<dt>Run</dt>\n<dd><code>");
    strbuf_add_html(sb, s->run_id);
    strbuf_addf(sb,
                "</code>, started %s, finished %s</dd>\n<dt>Program"
                "</dt>\n<dd>cohort ",
                started, finished);
    strbuf_add_html(sb, s->version ? s->version : "");
    strbuf_addf(sb,
                "</dd>\n<dt>Plan hash</dt>\n<dd><code>%s</code>: the "
                "rules below, the lookups and the program, as "
                "<code>cohort rules</code> shows them to the "
                "information-governance reviewer</dd>\n<dt>Key id</dt>\n"
                "<dd><code>%s</code></dd>\n</dl>\n",
                s->plan_hash, s->key_id);
    if (s->rules_text) {
        strbuf_adds(sb, "<details>\n<summary>Rules in force, as <code>cohort "
                        "rules</code> prints them</summary>\n<pre>");
        strbuf_add_html(sb, s->rules_text);
        strbuf_adds(sb, "</pre>\n</details>\n");
    }
    strbuf_adds(sb, "</section>\n");
}
