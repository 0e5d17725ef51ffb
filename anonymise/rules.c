#include "rules.h"

#include "../core/calendar.h"
#include "../core/schema.h"
#include "link_settings.h"
#include "secondary.h"
#include "../transform/map_settings.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/*
 * The document is a list of sections of (name, rule) items, built once and
 * rendered three ways, so the formats cannot drift apart.
 */
struct rules_item {
    char *name;
    char *rule;
};

struct rules_section {
    char *title;
    struct rules_item *items;
    size_t nitems, alloc;
};

struct rules_doc {
    struct rules_section *sections;
    size_t nsections, alloc;
    int failed;
};

static struct rules_section *
doc_section(struct rules_doc *doc, const char *title)
{
    struct rules_section *s;

    if (doc->nsections == doc->alloc) {
        size_t n = doc->alloc ? doc->alloc * 2 : 8;
        void *p = realloc(doc->sections, n * sizeof(*doc->sections));

        if (!p) {
            doc->failed = 1;
            return NULL;
        }
        doc->sections = p;
        doc->alloc = n;
    }
    s = &doc->sections[doc->nsections++];
    memset(s, 0, sizeof(*s));
    s->title = strdup(title);
    if (!s->title)
        doc->failed = 1;
    return s;
}

static void
doc_item(struct rules_doc *doc, struct rules_section *s, const char *name,
         struct strbuf *rule)
{
    struct rules_item *it;

    if (!s || doc->failed || strbuf_failed(rule)) {
        doc->failed = 1;
        strbuf_release(rule);
        return;
    }
    if (s->nitems == s->alloc) {
        size_t n = s->alloc ? s->alloc * 2 : 8;
        void *p = realloc(s->items, n * sizeof(*s->items));

        if (!p) {
            doc->failed = 1;
            strbuf_release(rule);
            return;
        }
        s->items = p;
        s->alloc = n;
    }
    it = &s->items[s->nitems++];
    it->name = strdup(name);
    it->rule = strbuf_detach(rule);
    if (!it->name || !it->rule)
        doc->failed = 1;
}

static void
doc_release(struct rules_doc *doc)
{
    size_t i, j;

    for (i = 0; i < doc->nsections; i++) {
        for (j = 0; j < doc->sections[i].nitems; j++) {
            free(doc->sections[i].items[j].name);
            free(doc->sections[i].items[j].rule);
        }
        free(doc->sections[i].items);
        free(doc->sections[i].title);
    }
    free(doc->sections);
    memset(doc, 0, sizeof(*doc));
}

/* Match keys (1-based, in order) that use component kc, as "1, 3". */
static void
keys_using(const struct job_plan *plan, int field, struct strbuf *sb)
{
    size_t k, c;
    int any = 0;

    for (k = 0; k < plan->linkage.nkeys; k++) {
        const struct match_key_plan *mk = &plan->linkage.keys[k];
        int uses = 0;

        for (c = 0; c < mk->ncomponents; c++) {
            int kc = mk->components[c];

            if (kc == KC_FIELD_BASE + field)
                uses = 1;
            /* derived components read their base field */
            if ((field == CF_FORENAME && (kc == KC_INITIAL || kc == KC_FORENAME_ROOT)) ||
                (field == CF_POSTCODE && (kc == KC_SECTOR || kc == KC_DISTRICT)) ||
                (field == CF_DOB && (kc == KC_DOB_YEAR || kc == KC_DOB_UNORDERED)) ||
                (field == CF_SURNAME && kc == KC_SURNAME_PHONETIC))
                uses = 1;
        }
        if (uses) {
            strbuf_addf(sb, "%s%zu (%s)", any ? ", " : "", k + 1, mk->text);
            any = 1;
        }
    }
    if (!any)
        strbuf_adds(sb, "none");
}

static void
field_fate(const struct job_plan *plan, const struct source_plan *sp, int f,
           struct strbuf *sb)
{
    size_t i;

    switch (f) {
    case CF_NHS_NUMBER:
    case CF_UPN:
    case CF_ULN:
    case CF_NI_NUMBER:
    case CF_UPRN:
    case CF_LOCAL_ID:
    case CF_FORENAME:
    case CF_SURNAME:
        strbuf_adds(sb, "identifier: normalised and validated (an invalid value is "
                        "dropped), used only inside keyed BLAKE2b match keys ");
        keys_using(plan, f, sb);
        strbuf_adds(sb, ", then wiped from memory with the row; never written");
        if (f == CF_LOCAL_ID && sp->id_scope)
            strbuf_addf(sb, "; also joins this table's rows to the other tables "
                            "of id scope %s (a keyed BLAKE2b of scope and id, "
                            "own subkey)", sp->id_scope);
        else if (f == CF_LOCAL_ID)
            strbuf_addf(sb, "; scoped to source %s", sp->name);
        break;
    case CF_DOB:
        strbuf_adds(sb, "identifier: used inside match keys ");
        keys_using(plan, f, sb);
        strbuf_adds(sb, "; generalised to an age band at the end of each period "
                        "(only year and month of birth kept in memory for that); "
                        "the date itself is wiped with the row and never written");
        break;
    case CF_POSTCODE:
        strbuf_adds(sb, "identifier: used inside match keys ");
        keys_using(plan, f, sb);
        strbuf_addf(sb, "; generalised to ward, LSOA and postcode district through "
                        "the lookup '%s' before it is wiped with the row; never written",
                    plan->lookup);
        break;
    case CF_SEX:
        strbuf_adds(sb, "quasi-identifier: mapped to M, F, U or X");
        for (i = 0; i < sp->values[VF_SEX].n; i++)
            strbuf_addf(sb, "%s'%s' -> %s", i ? ", " : " (", sp->values[VF_SEX].entries[i].code,
                        sp->values[VF_SEX].entries[i].canonical);
        if (sp->values[VF_SEX].n)
            strbuf_adds(sb, ")");
        strbuf_adds(sb, "; published only as a table dimension");
        break;
    case CF_ETHNICITY:
        strbuf_adds(sb, "quasi-identifier: generalised to the six top-level groups "
                        "WHITE, MIXED, ASIAN, BLACK, OTHER, UNKNOWN; published only "
                        "as a table dimension");
        break;
    case CF_SERVICE:
        strbuf_adds(sb, "service code mapped to canonical services");
        for (i = 0; i < sp->values[VF_SERVICE].n; i++)
            strbuf_addf(sb, "%s'%s' -> %s", i ? ", " : ": ",
                        sp->values[VF_SERVICE].entries[i].code,
                        sp->values[VF_SERVICE].entries[i].canonical);
        if (sp->values[VF_SERVICE].default_value)
            strbuf_addf(sb, "; any other code -> %s",
                        sp->values[VF_SERVICE].default_value);
        else
            strbuf_adds(sb, "; any other code quarantines the row");
        break;
    case CF_START_DATE:
    case CF_END_DATE:
        strbuf_adds(sb, "spell date: generalised to the monthly periods in which the "
                        "spell is active; never written");
        break;
    default:
        strbuf_adds(sb, "dropped");
    }
}

static void
doc_job(const struct job_plan *plan, struct rules_doc *doc,
        struct strbuf *sb)
{
    struct rules_section *s;
    char date[11];

    s = doc_section(doc, "Job");
    strbuf_adds(sb, plan->name);
    doc_item(doc, s, "name", sb);
    if (plan->reference_is_today)
        strbuf_adds(sb, "today (the day of each run)");
    else {
        format_iso_date(plan->reference_date, date);
        strbuf_adds(sb, date);
    }
    doc_item(doc, s, "reference date", sb);
    strbuf_addf(sb, "%d monthly periods ending at the reference date", plan->periods);
    doc_item(doc, s, "periods", sb);
    strbuf_adds(sb, "every column of every source that is not listed below is never read");
    doc_item(doc, s, "unlisted columns", sb);
}

static void
doc_sources(const struct job_plan *plan, struct rules_doc *doc,
            struct strbuf *sb)
{
    struct rules_section *s;
    size_t i;

    for (i = 0; i < plan->nsources; i++) {
        const struct source_plan *sp = &plan->sources[i];
        char title[160];
        int f;

        snprintf(title, sizeof(title), "Source %s (%s)", sp->name,
                 department_name(sp->department));
        s = doc_section(doc, title);
        for (f = 0; f < CF_COUNT; f++) {
            char name[160];

            if (!sp->column[f])
                continue;
            snprintf(name, sizeof(name), "%s <- column %s",
                     common_field_name((enum common_field)f), sp->column[f]);
            field_fate(plan, sp, f, sb);
            doc_item(doc, s, name, sb);
        }
        if (sp->fixed_service) {
            strbuf_addf(sb, "every row is service %s", sp->fixed_service);
            doc_item(doc, s, "service", sb);
        }
        strbuf_addf(sb, "rows that cannot become a record are quarantined (counted "
                         "by reason, with file and line, never values); more than "
                         "%.2f%% quarantined fails the run",
                    (double)sp->max_reject_ppm / 10000.0);
        doc_item(doc, s, "quarantine", sb);
    }
}

static void
doc_scopes(const struct job_plan *plan, struct rules_doc *doc,
           struct strbuf *sb)
{
    struct rules_section *s;
    size_t i, k, c;

    if (plan->nscopes) {
        s = doc_section(doc, "Id scopes");
        for (k = 0; k < plan->nscopes; k++) {
            char name[160];

            snprintf(name, sizeof(name), "scope %s", plan->scopes[k]);
            for (c = 0, i = 0; i < plan->nsources; i++) {
                const struct source_plan *sp = &plan->sources[i];

                if (sp->scope != (int)k)
                    continue;
                strbuf_addf(sb, "%s%s (%s", c++ ? "; " : "", sp->name,
                            source_role_name(sp->role));
                if (sp->role == ROLE_HEADER && !sp->has_spells)
                    strbuf_adds(sb, ", persons only");
                strbuf_addf(sb, ") joins on column %s",
                            sp->column[CF_LOCAL_ID]);
            }
            doc_item(doc, s, name, sb);
        }
        strbuf_adds(sb, "rows of one scope that share the id are one person, "
                         "before linkage across departments; ids of different "
                         "scopes never match; a header defines the person, an "
                         "events row whose id no header of its scope lists is "
                         "quarantined as orphan_local_id; ids whose rows disagree "
                         "on the NHS number (kept apart by the guard) or the date "
                         "of birth (kept as one person) are counted in "
                         "quality.csv");
        doc_item(doc, s, "rule", sb);
    }
}

static void
doc_linkage(const struct job_plan *plan, struct rules_doc *doc,
            struct strbuf *sb)
{
    struct rules_section *s;
    size_t k, c;

    s = doc_section(doc, "Linkage");
    for (k = 0; k < plan->linkage.nkeys; k++) {
        const struct match_key_plan *mk = &plan->linkage.keys[k];
        char name[32];

        snprintf(name, sizeof(name), "match key %zu", k + 1);
        strbuf_adds(sb, "keyed BLAKE2b (own subkey) over ");
        for (c = 0; c < mk->ncomponents; c++)
            strbuf_addf(sb, "%s%s", c ? " + " : "", key_component_name(mk->components[c]));
        strbuf_adds(sb, "; absent when any part is missing or invalid");
        doc_item(doc, s, name, sb);
    }
    strbuf_adds(sb, "records sharing any match key are one person, keys tried "
                     "strictest first; a link that would join two different valid "
                     "NHS numbers or UPNs is refused and counted");
    doc_item(doc, s, "rule", sb);
    strbuf_adds(sb, "each person is an internal number; a per-person record key "
                     "(0-255), a keyed hash of the person's token under its own "
                     "subkey (unrelated to any match key), is used only for "
                     "cell-key noise");
    doc_item(doc, s, "persons", sb);
}

static void
doc_generalisation(const struct job_plan *plan, struct rules_doc *doc,
                   struct strbuf *sb)
{
    struct rules_section *s;
    size_t k;

    s = doc_section(doc, "Generalisation");
    for (k = 0; k < plan->nage_bands; k++) {
        if (plan->age_bands[k].hi < 0)
            strbuf_addf(sb, "%s%d+", k ? ", " : "", plan->age_bands[k].lo);
        else
            strbuf_addf(sb, "%s%d-%d", k ? ", " : "", plan->age_bands[k].lo,
                        plan->age_bands[k].hi);
    }
    doc_item(doc, s, "age bands", sb);
    strbuf_addf(sb, "postcode -> ward, LSOA, postcode district via '%s'; the "
                     "categories are the lookup's only: a postcode not in it "
                     "is UNKNOWN in every geography, its district too",
                plan->lookup);
    doc_item(doc, s, "geography", sb);
}

/* ONS's cell-key method: noise, threshold, no secondary suppression. */
static void
doc_cellkey(const struct disclosure_plan *dp, struct rules_doc *doc,
            struct rules_section *s, struct strbuf *sb)
{
    strbuf_addf(sb, "ONS's cell-key method with the perturbation table "
                     "'%s': every count first gets the noise the table "
                     "gives its count and cell key (the sum of its "
                     "persons' record keys mod 256), then every cell "
                     "whose perturbed count is below %d is suppressed, "
                     "empty cells included%s; counts above the table's "
                     "largest cycle through its last block of counts "
                     "(ONS's pcv,ckey,pvalue layout: the last third, "
                     "rows 501-750 of ptable_10_5; the other layouts: "
                     "the largest count's rows); the same persons always "
                     "get the same noise; cell keys and noise are never "
                     "published",
                dp->ptable ? dp->ptable : "", dp->suppress_hi + 1,
                dp->suppress_hi > 0 ? "" : " (min_count 1: none)");
    doc_item(doc, s, "perturbation", sb);
    strbuf_adds(sb, "none, as in ONS's method: the noise every published "
                    "cell, margin and total carries, not a pattern of "
                    "further hidden cells, keeps a suppressed cell from "
                    "being worked out exactly from its margins");
    doc_item(doc, s, "secondary suppression", sb);
    if (dp->rounding > 1) {
        strbuf_addf(sb, "published counts rounded to the nearest %d "
                         "after the noise", dp->rounding);
        doc_item(doc, s, "rounding", sb);
    }
}

/* Primary and least-cost secondary suppression, then rounding. */
static void
doc_suppression(const struct disclosure_plan *dp, struct rules_doc *doc,
                struct rules_section *s, struct strbuf *sb)
{
    static const char *const cost_words[] = {
        [COST_VALUE] = "the total count of the cells hidden",
        [COST_CELLS] = "the number of cells hidden",
        [COST_LOG_VALUE] = "the sum of log(1 + count) of the cells hidden",
    };

    strbuf_addf(sb, "every cell, margin and total with a count from %d "
                     "to %d inclusive is suppressed%s",
                dp->suppress_lo, dp->suppress_hi,
                dp->protect_zeros ? ", and so is every zero" : "");
    doc_item(doc, s, "primary suppression", sb);
    strbuf_addf(sb, "further cells are suppressed until a "
                     "linear-programming attacker using every published "
                     "cell, margin and total (%s; [z] cells as 0) ",
                dp->rounding > 1
                    ? "each rounded value as the interval of counts that "
                      "round to it and that the rule would not have "
                      "suppressed"
                    : "taken as the exact true counts");
    if (dp->protection_lower || dp->protection_upper)
        strbuf_addf(sb, "cannot confine any primary suppressed cell x "
                         "to a range that fails to reach x - %d%s or "
                         "x + %d%s",
                    dp->protection_lower,
                    dp->protection_lower_pct ? "% of x" : "",
                    dp->protection_upper,
                    dp->protection_upper_pct ? "% of x" : "");
    else
        strbuf_addf(sb, "cannot narrow any primary suppressed cell to a "
                         "range narrower than %d",
                    dp->protection_level);
    strbuf_addf(sb, "; the pattern is the one of least cost (%s), "
                     "proven optimal by a mixed-integer program for "
                     "periods of up to %d cells and chosen by "
                     "rectangles and hypercubes beyond; %s; a further "
                     "cell the others make unneeded is published again",
                cost_words[dp->suppression_cost], SECONDARY_EXACT_CELLS,
                dp->protect_zeros
                    ? "an empty cell may be hidden like any other"
                    : "an empty cell is hidden only when nothing else "
                      "protects (it can only move up, and a [c] pinned "
                      "to a few counts reads like a small count)");
    doc_item(doc, s, "secondary suppression", sb);
    strbuf_addf(sb, "published counts rounded to the nearest %d",
                dp->rounding);
    doc_item(doc, s, "rounding", sb);
}

static void
doc_disclosure(const struct job_plan *plan, struct rules_doc *doc,
               struct strbuf *sb)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    struct rules_section *s;

    s = doc_section(doc, "Disclosure control");
    if (dp->preset) {
        strbuf_adds(sb, dp->preset);
        doc_item(doc, s, "preset", sb);
    }
    strbuf_adds(sb, "a cell that the cohort's own definition makes "
                    "impossible (an age band outside its age condition, "
                    "'no' for a service it requires) is published as [z], "
                    "known to be 0; a sex or ethnicity code that no source "
                    "can give is not a category at all");
    doc_item(doc, s, "structural zeros", sb);
    if (dp->perturbation == PERTURB_CELLKEY)
        doc_cellkey(dp, doc, s, sb);
    else
        doc_suppression(dp, doc, s, sb);
    strbuf_adds(sb, "every hidden cell is shown as [c], whichever rule hid "
                     "it, and nothing says whether a shown count is exact, "
                     "rounded or perturbed; [z] marks a structural zero; "
                     "a margin column says which rows are margins or the "
                     "total; the audit's attacker has every number "
                     "published anywhere in the run");
    doc_item(doc, s, "published symbols", sb);
    strbuf_adds(sb, "persons per department and in all, ids per id scope, "
                     "their conflicts, and links made and refused per link "
                     "key are published (quality.csv, linkage.csv, manifest, "
                     "report, PostgreSQL, the run summary) through the same "
                     "suppression and rounding as a table's cell");
    if (dp->perturbation == PERTURB_CELLKEY)
        strbuf_adds(sb, ", and persons with the noise those persons get in "
                         "any cell");
    strbuf_adds(sb, "; counts of rows and records are exact: they are not "
                     "counts of persons");
    doc_item(doc, s, "counts outside the tables", sb);
    if (dp->perturbation == PERTURB_CELLKEY)
        strbuf_adds(sb, "a reader learns, for each shown cell, its count with "
                        "noise that the same persons always get; for each "
                        "hidden cell, an estimate from its margins that "
                        "carries the noise of every cell it uses, never an "
                        "exact count; a reader cannot learn which cells were "
                        "perturbed or by how much");
    else if (dp->protection_lower || dp->protection_upper)
        strbuf_addf(sb, "a reader learns, for each shown cell, its count %s; "
                         "for each suppressed count x, no range that stops "
                         "short of x - %d%s or of x + %d%s, from the tables "
                         "of one run together with the counts above; a "
                         "reader cannot learn which rule hid a cell",
                    dp->rounding > 1 ? "to within the rounding" : "exactly",
                    dp->protection_lower,
                    dp->protection_lower_pct ? "% of x" : "",
                    dp->protection_upper,
                    dp->protection_upper_pct ? "% of x" : "");
    else
        strbuf_addf(sb, "a reader learns, for each shown cell, its count %s; "
                         "for each hidden cell, no range narrower than %d "
                         "from the tables of one run together with the "
                         "counts above; a reader cannot learn which rule hid "
                         "a cell",
                    dp->rounding > 1 ? "to within the rounding" : "exactly",
                    dp->protection_level);
    doc_item(doc, s, "what a reader can learn", sb);
    strbuf_addf(sb, "two cohorts of this job whose where expressions show "
                     "that one population lies within the other (the same "
                     "expression, or one more 'and') are %s; what remains is "
                     "differencing that the expressions do not show: the "
                     "same persons selected by two differently written "
                     "expressions, a cohort's table subtracted from last "
                     "night's, or from another job's or another publisher's "
                     "table. %s",
                dp->perturbation == PERTURB_CELLKEY ||
                        dp->rounding >= dp->protection_level
                    ? "allowed, as the noise or the rounding answers their "
                      "difference"
                    : "refused unless perturbation = cellkey or rounding is "
                      "at least the protection level",
                dp->perturbation == PERTURB_CELLKEY
                    ? "Cell-key perturbation answers these: the same persons "
                      "always get the same noise, so a difference between "
                      "two published counts is the true difference plus "
                      "noise of at most the ptable's range"
                    : "Cell-key perturbation (perturbation = cellkey) would "
                      "answer these: the same persons always get the same "
                      "noise, so a difference between two published counts "
                      "carries noise, not a hidden cell's exact count");
    doc_item(doc, s, "differencing", sb);
}

static void
doc_cohorts(const struct job_plan *plan, char *const *where_plain,
                   struct rules_doc *doc,
            struct strbuf *sb)
{
    struct rules_section *s;
    size_t i, k;

    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *cp = &plan->cohorts[i];
        char title[160];

        snprintf(title, sizeof(title), "Cohort %s", cp->name);
        s = doc_section(doc, title);
        strbuf_adds(sb, cp->title);
        doc_item(doc, s, "title", sb);
        strbuf_adds(sb, cp->where);
        doc_item(doc, s, "where", sb);
        if (where_plain && where_plain[i]) {
            strbuf_adds(sb, where_plain[i]);
            doc_item(doc, s, "meaning", sb);
        }
        for (k = 0; k < cp->nby; k++) {
            if (cp->by[k] == BY_SERVICE) {
                const struct service_def *sd =
                    &plan->services[cp->by_service[k]];

                strbuf_addf(sb, "%s%s.%s (yes when the person had a spell "
                                 "of it overlapping the month, else no)",
                            k ? ", " : "",
                            department_name((enum department)sd->department),
                            sd->name);
            } else {
                strbuf_addf(sb, "%s%s", k ? ", " : "",
                            by_column_name((enum by_column)cp->by[k]));
            }
        }
        if (!cp->nby)
            strbuf_adds(sb, "(totals only)");
        doc_item(doc, s, "by", sb);
        strbuf_adds(sb, cp->measure == MEASURE_NEW
                             ? "persons entering the cohort in the period"
                             : "distinct persons in the cohort in the period");
        doc_item(doc, s, "measure", sb);
        strbuf_adds(sb, "period");
        for (k = 0; k < cp->nby; k++)
            strbuf_addf(sb, ", %s", cohort_by_name(cp, k));
        strbuf_adds(sb, ", count ([c] when hidden, [z] when impossible), "
                        "margin (yes on a margin or total row)");
        doc_item(doc, s, "published columns", sb);
    }
}

static void
doc_outputs(const struct job_plan *plan, struct rules_doc *doc,
            struct strbuf *sb)
{
    struct rules_section *s;
    size_t i;

    s = doc_section(doc, "Outputs");
    for (i = 0; i < plan->noutputs; i++) {
        const struct output_plan *op = &plan->outputs[i];

        if (op->type == OUT_CSV)
            strbuf_addf(sb, "files%s under '%s': one table per cohort, quality, "
                             "linkage, manifest and report",
                        op->gzip ? " (gzip)" : "", plan->output_dir);
        else
            strbuf_addf(sb, "PostgreSQL schema '%s': one table per cohort, runs, "
                             "quality%s%s",
                        op->schema ? op->schema : "cohorts",
                        op->grant_to ? "; SELECT granted to " : "",
                        op->grant_to ? op->grant_to : "");
        doc_item(doc, s, op->name, sb);
    }
}

/* The document, section by section (each below 120 lines). */
static void
build_doc(const struct job_plan *plan, char *const *where_plain,
          struct rules_doc *doc)
{
    struct strbuf sb = STRBUF_INIT;

    doc_job(plan, doc, &sb);
    doc_sources(plan, doc, &sb);
    doc_scopes(plan, doc, &sb);
    doc_linkage(plan, doc, &sb);
    doc_generalisation(plan, doc, &sb);
    doc_disclosure(plan, doc, &sb);
    doc_cohorts(plan, where_plain, doc, &sb);
    doc_outputs(plan, doc, &sb);
    strbuf_release(&sb);
}

static void
render_text(const struct rules_doc *doc, struct strbuf *sb)
{
    size_t i, j;

    for (i = 0; i < doc->nsections; i++) {
        const struct rules_section *s = &doc->sections[i];

        strbuf_addf(sb, "%s%s\n", i ? "\n" : "", s->title);
        for (j = 0; j < s->nitems; j++)
            strbuf_addf(sb, "  %s: %s\n", s->items[j].name, s->items[j].rule);
    }
}

int
rules_render(const struct job_plan *plan, char *const *where_plain,
             enum rules_format format, struct strbuf *sb)
{
    struct rules_doc doc;
    char hash[65];
    size_t i, j;
    int rc = 0;

    memset(&doc, 0, sizeof(doc));
    build_doc(plan, where_plain, &doc);
    /* a document with a section or rule missing, or without its hash, is
     * not the one reviewed: render nothing rather than part of it */
    if (doc.failed || rules_plan_hash(plan, where_plain, hash) != 0) {
        rc = CE_NOMEM;
        goto out;
    }
    switch (format) {
    case RULES_TEXT:
        strbuf_addf(sb, "Anonymisation rules for job %s\nplan hash: %s\n\n",
                    plan->name, hash);
        render_text(&doc, sb);
        break;
    case RULES_JSON:
        strbuf_adds(sb, "{\"job\":");
        strbuf_add_json(sb, plan->name);
        strbuf_addf(sb, ",\"plan_hash\":\"%s\",\"sections\":[", hash);
        for (i = 0; i < doc.nsections; i++) {
            strbuf_adds(sb, i ? ",{\"title\":" : "{\"title\":");
            strbuf_add_json(sb, doc.sections[i].title);
            strbuf_adds(sb, ",\"rules\":[");
            for (j = 0; j < doc.sections[i].nitems; j++) {
                strbuf_adds(sb, j ? ",{\"name\":" : "{\"name\":");
                strbuf_add_json(sb, doc.sections[i].items[j].name);
                strbuf_adds(sb, ",\"rule\":");
                strbuf_add_json(sb, doc.sections[i].items[j].rule);
                strbuf_adds(sb, "}");
            }
            strbuf_adds(sb, "]}");
        }
        strbuf_adds(sb, "]}\n");
        break;
    case RULES_HTML:
        strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<title>Anonymisation rules: ");
        strbuf_add_html(sb, plan->name);
        strbuf_adds(sb, "</title><style>body{font-family:sans-serif;max-width:60em;"
                        "margin:2em auto;color:#222}table{border-collapse:collapse;"
                        "width:100%}td,th{border:1px solid #bbb;padding:.3em .5em;"
                        "text-align:left;vertical-align:top}th{width:25%;"
                        "background:#f3f3f3}code{font-size:.9em}</style></head><body>\n"
                        "<h1>Anonymisation rules: ");
        strbuf_add_html(sb, plan->name);
        strbuf_addf(sb, "</h1>\n<p>Plan hash <code>%s</code>: every run's manifest "
                        "records the hash of the rules it applied.</p>\n", hash);
        for (i = 0; i < doc.nsections; i++) {
            strbuf_adds(sb, "<h2>");
            strbuf_add_html(sb, doc.sections[i].title);
            strbuf_adds(sb, "</h2>\n<table>\n");
            for (j = 0; j < doc.sections[i].nitems; j++) {
                strbuf_adds(sb, "<tr><th>");
                strbuf_add_html(sb, doc.sections[i].items[j].name);
                strbuf_adds(sb, "</th><td>");
                strbuf_add_html(sb, doc.sections[i].items[j].rule);
                strbuf_adds(sb, "</td></tr>\n");
            }
            strbuf_adds(sb, "</table>\n");
        }
        strbuf_adds(sb, "</body></html>\n");
        break;
    }
    if (strbuf_failed(sb))
        rc = CE_NOMEM;
out:
    doc_release(&doc);
    return rc;
}

int
rules_plan_hash(const struct job_plan *plan, char *const *where_plain,
                char hash[65])
{
    struct rules_doc doc;
    struct strbuf sb = STRBUF_INIT;
    unsigned char h[32];
    int rc = 0;

    memset(&doc, 0, sizeof(doc));
    build_doc(plan, where_plain, &doc);
    render_text(&doc, &sb);
    if (doc.failed || strbuf_failed(&sb)) {
        rc = CE_NOMEM;
        goto out;
    }
    crypto_generichash(h, sizeof(h), (const unsigned char *)strbuf_str(&sb),
                       sb.len, NULL, 0);
    sodium_bin2hex(hash, 65, h, sizeof(h));
out:
    strbuf_release(&sb);
    doc_release(&doc);
    return rc;
}
