#include "rules.h"

#include "../core/calendar.h"
#include "../core/schema.h"
#include "link_settings.h"
#include "match.h"
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

/* What the probabilistic stage makes of field f, when the plan has it. */
static void
prob_use(const struct job_plan *plan, int f, struct strbuf *sb)
{
    if (!plan->linkage.probabilistic)
        return;
    switch (f) {
    case CF_FORENAME:
    case CF_SURNAME:
        strbuf_adds(sb, " and in the probabilistic stage's comparison record "
                        "(keyed SipHash tokens of the name, its nickname root "
                        "or Soundex and initial, and a keyed Bloom filter of "
                        "its letter pairs)");
        break;
    case CF_DOB:
        strbuf_adds(sb, " and in the probabilistic stage's comparison record "
                        "(keyed SipHash tokens of the date, of the date with "
                        "day and month swapped and of the day; the year and "
                        "month as numbers)");
        break;
    case CF_POSTCODE:
        strbuf_adds(sb, " and in the probabilistic stage's comparison record "
                        "(keyed SipHash tokens of the unit, sector and "
                        "district)");
        break;
    case CF_NHS_NUMBER:
    case CF_UPN:
        strbuf_adds(sb, "; its keyed anchor also keeps the probabilistic "
                        "stage from joining two different valid values");
        break;
    default:
        break;
    }
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
        prob_use(plan, f, sb);
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
        prob_use(plan, f, sb);
        strbuf_adds(sb, "; generalised to an age band at the end of each period "
                        "(only year and month of birth kept in memory for that); "
                        "the date itself is wiped with the row and never written");
        break;
    case CF_POSTCODE:
        strbuf_adds(sb, "identifier: used inside match keys ");
        keys_using(plan, f, sb);
        prob_use(plan, f, sb);
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

/* The probabilistic stage (prob_link.h, match.h): what it keeps, what it
 * compares with which encodings, the weights, the threshold, the guard. */
static void
doc_probabilistic(const struct job_plan *plan, struct rules_doc *doc,
                  struct rules_section *s, struct strbuf *sb)
{
    const struct linkage_plan *lp = &plan->linkage;
    struct match_config mc;
    char rule[128];
    unsigned r;

    if (!lp->probabilistic) {
        strbuf_adds(sb, "off (probabilistic = no): the match keys alone make "
                        "the persons");
        doc_item(doc, s, "probabilistic stage", sb);
        return;
    }
    strbuf_adds(sb, "on: after the match keys, pairs of records they did not "
                    "link are compared field by field from keyed encodings "
                    "and linked by Fellegi-Sunter scoring");
    doc_item(doc, s, "probabilistic stage", sb);
    strbuf_adds(sb, "made from each kept row before its plaintext is wiped: "
                    "SipHash-2-4 tokens under subkeys of their own (context "
                    "cohortcr, one per kind, none a match key's) of the "
                    "normalised forename and surname (one key for both, so "
                    "that a swap shows), the forename's nickname root and "
                    "initial, the surname's Soundex code, the date of birth, "
                    "the date with day and month swapped and the day of the "
                    "month, the postcode unit, sector and district; the birth "
                    "year and month and the sex code as numbers; keyed Bloom "
                    "filters of the forename's and surname's letter pairs "
                    "(256 bits, 4 per pair, positions from SipHash under "
                    "their own subkey, context cohortbf); the keyed anchors "
                    "of the NHS number and UPN. Held in memory only (128 "
                    "bytes per distinct record, hashes folded to 32 bits) "
                    "until linkage ends; never written, logged or published");
    doc_item(doc, s, "comparison records", sb);
    match_config_default(&mc);
    strbuf_adds(sb, "pairs of records that share a block under any of the "
                    "blocking rules");
    for (r = 0; r < mc.nrules; r++)
        strbuf_addf(sb, "%s%s", r ? "; " : " ",
                    match_rule_text(mc.rules[r], rule, sizeof(rule)));
    strbuf_addf(sb, " (dob_year: the year of birth; initial: the forename's; "
                    "surname_phonetic: Soundex) -- a block of more than %d "
                    "records (block_cap) is not compared under its rule, and "
                    "is counted; records the match keys joined are not "
                    "compared with each other",
                lp->block_cap);
    doc_item(doc, s, "candidate pairs", sb);
    strbuf_addf(sb, "forename: exact, swapped with the surname, nickname "
                    "root, Bloom-filter Dice >= %d%%, >= %d%%, >= %d%%, "
                    "initial (one is an initial), sharing only the initial, "
                    "else; surname: exact, Dice >= %d%%, Soundex, Dice >= "
                    "%d%%, >= %d%%, else; date of birth: exact, day and "
                    "month swapped, year +-1, only the day, only the month, "
                    "only the year differs, only the year agrees, else; "
                    "postcode: unit, sector, district, else; sex: agrees, "
                    "differs; a field missing on either side is no evidence",
                lp->dice[0], lp->dice[1], lp->dice[2], lp->dice[0],
                lp->dice[1], lp->dice[2]);
    doc_item(doc, s, "comparison levels", sb);
    strbuf_adds(sb, "Fellegi-Sunter: m per level estimated by EM over each "
                    "blocking rule's pairs (never a field on the rule that "
                    "blocks on it; where EM does not converge the documented "
                    "defaults are used, with a warning, counted in "
                    "linkage.csv), u from random pairs, term frequencies "
                    "for exact names (a common name weighs less), the prior "
                    "from the candidates");
    doc_item(doc, s, "weights", sb);
    strbuf_addf(sb, "a pair is linked when its match probability is at "
                    "least %.4f (match_threshold)",
                lp->match_threshold);
    doc_item(doc, s, "threshold", sb);
    strbuf_addf(sb, "never linked, whatever the score: two forenames both "
                    "given that share at most the initial, or two dates of "
                    "birth both given that differ in the year and more "
                    "(twins, a parent and child of one name); a person "
                    "holding two different valid NHS numbers or UPNs (as for "
                    "the keys: absolute); a person joining more than %d "
                    "persons of the keys (max_cluster). Every refusal is "
                    "counted",
                lp->max_cluster);
    doc_item(doc, s, "guard", sb);
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
    doc_probabilistic(plan, doc, s, sb);
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
    strbuf_addf(sb, "every cell, margin and total with a count from %d to %d "
                     "inclusive is suppressed%s",
                dp->suppress_lo, dp->suppress_hi,
                dp->protect_zeros ? ", and so is every zero" : "");
    doc_item(doc, s, "primary suppression", sb);
    strbuf_addf(sb, "further cells are suppressed until a linear-programming "
                     "attacker using every published cell, margin and total "
                     "(%s) cannot narrow any suppressed cell to a range "
                     "narrower than %d",
                dp->rounding > 1 && dp->perturbation == PERTURB_NONE
                    ? "each rounded value as the interval of counts that round "
                      "to it and that the rule would not have suppressed"
                    : "taken as the exact true counts",
                dp->protection_level);
    doc_item(doc, s, "secondary suppression", sb);
    if (dp->perturbation == PERTURB_CELLKEY) {
        strbuf_addf(sb, "cell-key method with the perturbation table '%s'; the "
                         "same persons always get the same noise; cell keys and "
                         "noise are never published", dp->ptable ? dp->ptable : "");
        doc_item(doc, s, "perturbation", sb);
    } else {
        strbuf_addf(sb, "published counts rounded to the nearest %d", dp->rounding);
        doc_item(doc, s, "rounding", sb);
    }
    strbuf_adds(sb, "every hidden cell is shown as [c], whichever rule hid "
                     "it, and nothing says whether a shown count is exact, "
                     "rounded or perturbed; the audit's attacker has every "
                     "number published anywhere in the run");
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
    strbuf_addf(sb, "a reader learns, for each shown cell, its count %s; "
                     "for each hidden cell, no range narrower than %d from "
                     "the tables of one run together with the counts above; "
                     "a reader cannot learn which rule hid a cell",
                dp->perturbation == PERTURB_CELLKEY
                    ? "with noise that the same persons always get"
                : dp->rounding > 1 ? "to within the rounding"
                                   : "exactly",
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
        strbuf_adds(sb, ", count ([c] when hidden)");
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
