/*
 * rules_ig.c - the sections of the rules document an information-
 * governance reviewer signs beside the mapping (rules_parts.h): the key,
 * retention, disclosure control, and what the latest publication hid.
 */
#include "rules_parts.h"
#include "secondary.h"

#include "../core/published.h"

#include <stdio.h>
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

/* The key file's facts as fields of r. */
static void
key_fields(struct rdoc *doc, const char *path, const struct rules_key_info *k,
           struct rnode *r)
{
    char when[32], mode[8];

    rn_str(doc, r, "path", path);
    rn_bool(doc, r, "exists", k->exists);
    if (!k->exists) {
        rn_null(doc, r, "id");
        rn_str(doc, r, "problem", k->problem);
        return;
    }
    iso_time(k->created, when);
    snprintf(mode, sizeof(mode), "%04o", k->mode);
    rn_str(doc, r, "owner", k->owner);
    rn_int(doc, r, "uid", k->uid);
    rn_str(doc, r, "group", k->group);
    rn_int(doc, r, "gid", k->gid);
    rn_str(doc, r, "mode", mode);
    rn_str(doc, r, "created", when);
    rn_bool(doc, r, "created_is_birth_time", k->created_is_birth);
    if (k->id[0])
        rn_str(doc, r, "id", k->id);
    else
        rn_null(doc, r, "id");
    if (k->problem[0])
        rn_str(doc, r, "problem", k->problem);
    else
        rn_null(doc, r, "problem");
}

void
doc_key(const struct job_plan *plan, const struct rules_key_info *k,
        struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "key", "Key"), *r;
    char when[32];

    if (!k) {
        strbuf_addf(sb, "'%s' (not looked at)", plan->key_file);
        r = rn_rule(doc, s, "file", "key file", sb);
        rn_str(doc, r, "path", plan->key_file);
    } else if (!k->exists) {
        strbuf_addf(sb,
                    "'%s' cannot be found (%s): make it with cohort "
                    "keygen before the first run",
                    plan->key_file, k->problem);
        r = rn_rule(doc, s, "file", "key file", sb);
        key_fields(doc, plan->key_file, k, r);
    } else {
        iso_time(k->created, when);
        strbuf_addf(sb,
                    "'%s': owner %s (uid %ld), group %s (gid %ld), mode "
                    "%04o, %s %s; key id %s%s%s",
                    plan->key_file, k->owner[0] ? k->owner : "?", k->uid,
                    k->group[0] ? k->group : "?", k->gid, k->mode,
                    k->created_is_birth ? "created"
                                        : "last written (the file "
                                          "system keeps no creation time)",
                    when, k->id[0] ? k->id : "unknown",
                    k->problem[0] ? "; a run cannot use it: " : "", k->problem);
        r = rn_rule(doc, s, "file", "key file", sb);
        key_fields(doc, plan->key_file, k, r);
    }
    strbuf_adds(sb, "32 random bytes from cohort keygen (mode 0600; a run "
                    "refuses a key file others can read). Every match key and "
                    "comparison encoding is a keyed SipHash-2-4 (128-bit for "
                    "match keys) under a subkey derived from it (crypto_kdf, "
                    "one per purpose), so without "
                    "the key no one can hash every possible NHS number to "
                    "reverse them. The key is never shown, logged or written; "
                    "its id, a hash of it that reveals nothing, names it in "
                    "each manifest");
    rn_rule(doc, s, "use", "what it is for", sb);
    strbuf_adds(sb, "make a new key with cohort keygen and point key_file at "
                    "it: persons are linked afresh and nothing ties runs "
                    "under the old key to runs under the new one; keep the "
                    "old key only while old nights may need rerunning");
    rn_rule(doc, s, "rotation", NULL, sb);
}

void
doc_retention(const struct job_plan *plan, struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "retention",
                                 "Retention: what is kept, "
                                 "and what is deleted when");
    struct rnode *arr = rn_arr(doc, s, "outputs"), *r;
    size_t i;

    for (i = 0; i < plan->noutputs; i++) {
        const struct output_plan *op = &plan->outputs[i];

        if (op->type == OUT_CSV && op->retain > 0)
            strbuf_addf(sb,
                        "keeps the newest %d runs under '%s/runs': after "
                        "each successful publication the older run "
                        "directories (tables, quality.csv, quarantine.csv, "
                        "linkage.csv, manifest.json, report.html) are "
                        "deleted; the run 'latest' points to never is",
                        op->retain, op->dir ? op->dir : plan->output_dir);
        else if (op->type == OUT_CSV)
            strbuf_addf(sb,
                        "keeps every run under '%s/runs' (retain = 0): "
                        "cohort deletes none, so their retention is the "
                        "operator's",
                        op->dir ? op->dir : plan->output_dir);
        else if (op->retain > 0)
            strbuf_addf(sb, "each run replaces the rows of every cohort, "
                            "quality and linkage table in one transaction; "
                            "each table's __history keeps the newest %d "
                            "runs' rows (older runs' rows are deleted in the "
                            "same transaction); the runs table keeps one row "
                            "per run and cohort never deletes it",
                        op->retain);
        else
            strbuf_adds(sb, "each run replaces the rows of every cohort, "
                            "quality and linkage table in one transaction; "
                            "each table's __history keeps every run's rows "
                            "(retain = 0: cohort deletes none); the runs "
                            "table keeps one row per run");
        r = rn_rule(doc, arr, NULL, op->name, sb);
        rn_str(doc, r, "type", op->type == OUT_CSV ? "csv" : "postgres");
        rn_int(doc, r, "retain", op->retain);
    }
    strbuf_adds(sb, "a run that fails deletes its staging directory at once; "
                    "one left by a killed run is deleted when the next run "
                    "publishes; staged files hold published values only");
    rn_rule(doc, s, "failed_runs", "failed runs", sb);
    strbuf_addf(sb,
                "'%s/.cohort-state' holds each source's rows in and rows "
                "quarantined of the last published run (counts only), "
                "replaced by each; '%s/.cohort.lock' holds the pid and "
                "start time of the last run that took it (locked while a "
                "run goes)",
                plan->output_dir, plan->output_dir);
    rn_rule(doc, s, "state", NULL, sb);
    strbuf_adds(sb, "read, never changed, moved or deleted: their retention "
                    "is the council's. Identifiers from them live only in "
                    "memory while their row is processed, then are wiped; no "
                    "identifier is written to any file, temporary file or log");
    rn_rule(doc, s, "extracts", NULL, sb);
    strbuf_adds(sb, "written to standard error only (rule names, positions and "
                    "counts, never a value); their rotation is the operator's");
    rn_rule(doc, s, "logs", NULL, sb);
}

/* The symbols a published cell may carry, each with what it tells. */
static void
disclosure_symbols(struct rdoc *doc, struct rnode *s, struct strbuf *sb)
{
    static const struct {
        int symbol;
        const char *text, *meaning;
    } symbols[] = {
        {PUB_CONFIDENTIAL, "[c]",
         "hidden, whichever rule hid it (primary or secondary suppression)"},
        {PUB_STRUCTURAL, "[z]",
         "not applicable: the cohort's own definition makes the cell "
         "impossible (an age band outside its age condition, 'no' for a "
         "service it requires), so it is known to be 0"},
    };
    struct rnode *r, *arr, *e;
    size_t i;

    for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        strbuf_addf(sb, "%s%s: %s", i ? "; " : "", symbols[i].text,
                    symbols[i].meaning);
    strbuf_adds(sb, "; nothing says whether a shown count is exact, rounded "
                    "or perturbed, or which rule hid a cell; a margin column "
                    "says which rows are margins or the total; a sex or "
                    "ethnicity code that no source can give is not a "
                    "category at all");
    r = rn_rule(doc, s, "symbols", "published symbols", sb);
    arr = rn_arr(doc, r, "symbols");
    for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
        e = rn_obj(doc, arr, NULL);
        rn_str(doc, e, "symbol", symbols[i].text);
        rn_str(doc, e, "meaning", symbols[i].meaning);
    }
}

/* ONS's cell-key method: the noise, then the threshold; no secondary
 * suppression. */
static void
disclosure_cellkey(const struct disclosure_plan *dp, struct rdoc *doc,
                   struct rnode *s, struct strbuf *sb)
{
    struct rnode *r;

    strbuf_addf(sb,
                "ONS's cell-key method with the perturbation table '%s': "
                "every count (margins and totals too) first gets the noise "
                "the table gives its count and cell key (the sum of its "
                "persons' record keys mod 256), then every cell whose "
                "perturbed count is below %d is suppressed, empty cells "
                "included%s; counts above the table's largest cycle "
                "through its last block of counts (ONS's pcv,ckey,pvalue "
                "layout: the last third, rows 501-750 of ptable_10_5; the "
                "other layouts: the largest count's rows); the same "
                "persons always get the same noise; cell keys and noise "
                "are never published",
                dp->ptable ? dp->ptable : "", dp->suppress_hi + 1,
                dp->suppress_hi > 0 ? "" : " (min_count 1: none)");
    r = rn_rule(doc, s, "perturbation", NULL, sb);
    rn_str(doc, r, "method", "cellkey");
    rn_str(doc, r, "ptable", dp->ptable ? dp->ptable : "");
    rn_int(doc, r, "threshold", dp->suppress_hi + 1);
    /* the primary rule on the perturbed counts, zeros included (from 1
     * to 0, none, when min_count is 1) */
    if (dp->suppress_hi > 0)
        strbuf_addf(sb, "after the noise, every cell, margin and total "
                        "whose perturbed count is from 0 to %d inclusive is "
                        "suppressed",
                    dp->suppress_hi);
    else
        strbuf_adds(sb, "none (min_count 1)");
    r = rn_rule(doc, s, "primary", "primary suppression", sb);
    rn_int(doc, r, "from", dp->suppress_hi > 0 ? 0 : 1);
    rn_int(doc, r, "to", dp->suppress_hi);
    strbuf_adds(sb, "none, as in ONS's method: the noise every published "
                    "cell, margin and total carries, not a pattern of "
                    "further hidden cells, keeps a suppressed cell from "
                    "being worked out exactly from its margins");
    r = rn_rule(doc, s, "secondary", "secondary suppression", sb);
    rn_bool(doc, r, "applied", 0);
    /* the job's setting, unused by the method; the schema's field */
    rn_int(doc, r, "protection_level", dp->protection_level);
    if (dp->rounding > 1) {
        strbuf_addf(sb,
                    "published counts rounded to the nearest %d after the "
                    "noise",
                    dp->rounding);
        r = rn_rule(doc, s, "rounding", NULL, sb);
        rn_int(doc, r, "base", dp->rounding);
    }
}

/* Primary and least-cost secondary suppression, then rounding. */
static void
disclosure_suppression(const struct disclosure_plan *dp, struct rdoc *doc,
                       struct rnode *s, struct strbuf *sb)
{
    static const char *const cost_words[] = {
        [COST_VALUE] = "the total count of the cells hidden",
        [COST_CELLS] = "the number of cells hidden",
        [COST_LOG_VALUE] = "the sum of log(1 + count) of the cells hidden",
    };
    static const char *const cost_names[] = {
        [COST_VALUE] = "value",
        [COST_CELLS] = "cells",
        [COST_LOG_VALUE] = "log_value",
    };
    struct rnode *r;

    strbuf_addf(sb,
                "every cell, margin and total with a count from %d to %d "
                "inclusive is suppressed%s",
                dp->suppress_lo, dp->suppress_hi,
                dp->protect_zeros ? ", and so is every zero" : "");
    r = rn_rule(doc, s, "primary", "primary suppression", sb);
    rn_int(doc, r, "from", dp->suppress_lo);
    rn_int(doc, r, "to", dp->suppress_hi);
    strbuf_addf(sb,
                "further cells are suppressed until a linear-programming "
                "attacker using every published cell, margin and total "
                "(%s; [z] cells as 0) ",
                dp->rounding > 1
                    ? "each rounded value as the interval of counts that round "
                      "to it and that the rule would not have suppressed"
                    : "taken as the exact true counts");
    if (dp->protection_lower || dp->protection_upper)
        strbuf_addf(sb,
                    "cannot confine any primary suppressed cell x to a "
                    "range that fails to reach x - %d%s or x + %d%s",
                    dp->protection_lower,
                    dp->protection_lower_pct ? "% of x" : "",
                    dp->protection_upper,
                    dp->protection_upper_pct ? "% of x" : "");
    else
        strbuf_addf(sb,
                    "cannot narrow any primary suppressed cell to a range "
                    "narrower than %d",
                    dp->protection_level);
    strbuf_addf(sb,
                "; the pattern is the one of least cost (%s), proven "
                "optimal by a mixed-integer program for periods of up to "
                "%d cells and chosen by rectangles and hypercubes beyond; "
                "%s; a further cell the others make unneeded is published "
                "again",
                cost_words[dp->suppression_cost], SECONDARY_EXACT_CELLS,
                dp->protect_zeros
                    ? "an empty cell may be hidden like any other"
                    : "an empty cell is hidden only when nothing else "
                      "protects (it can only move up, and a [c] pinned to a "
                      "few counts reads like a small count)");
    r = rn_rule(doc, s, "secondary", "secondary suppression", sb);
    rn_int(doc, r, "protection_level", dp->protection_level);
    rn_int(doc, r, "protection_lower", dp->protection_lower);
    rn_bool(doc, r, "protection_lower_percent", dp->protection_lower_pct);
    rn_int(doc, r, "protection_upper", dp->protection_upper);
    rn_bool(doc, r, "protection_upper_percent", dp->protection_upper_pct);
    rn_str(doc, r, "cost", cost_names[dp->suppression_cost]);
    rn_int(doc, r, "exact_up_to_cells", SECONDARY_EXACT_CELLS);
    strbuf_addf(sb, "published counts rounded to the nearest %d",
                dp->rounding);
    r = rn_rule(doc, s, "rounding", NULL, sb);
    rn_int(doc, r, "base", dp->rounding);
}

/* Primary and secondary suppression, rounding or noise, zero cells. */
static void
disclosure_rules(const struct disclosure_plan *dp, struct rdoc *doc,
                 struct rnode *s, struct strbuf *sb)
{
    struct rnode *r;

    if (dp->preset) {
        strbuf_adds(sb, dp->preset);
        r = rn_rule(doc, s, "preset", NULL, sb);
        rn_str(doc, r, "value", dp->preset);
    }
    if (dp->perturbation == PERTURB_CELLKEY)
        disclosure_cellkey(dp, doc, s, sb);
    else
        disclosure_suppression(dp, doc, s, sb);
    if (dp->protect_zeros)
        strbuf_adds(sb, "a zero is suppressed like a small count, so no cell "
                        "shows that nobody in the cohort has its attributes");
    else
        strbuf_adds(sb, "a zero is published as 0 (protect_zeros = no): it "
                        "tells a reader that nobody in the cohort falls in "
                        "that cell, so a row whose other cells are all 0 "
                        "shows that everyone in it shares the remaining "
                        "attribute (group attribute disclosure); set "
                        "protect_zeros = yes to treat zeros as sensitive");
    r = rn_rule(doc, s, "zero_cells", "zero cells", sb);
    rn_bool(doc, r, "protected", dp->protect_zeros);
}

void
doc_disclosure(const struct job_plan *plan, struct rdoc *doc, struct strbuf *sb)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    struct rnode *s = rn_section(doc, "disclosure", "Disclosure control"), *r;
    int nested_ok = dp->perturbation == PERTURB_CELLKEY ||
                    dp->rounding >= dp->protection_level;

    disclosure_rules(dp, doc, s, sb);
    disclosure_symbols(doc, s, sb);
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
    rn_rule(doc, s, "outside_tables", "counts outside the tables", sb);
    if (dp->perturbation == PERTURB_CELLKEY)
        strbuf_adds(sb, "for each shown cell, its count with noise that the "
                        "same persons always get; for each hidden cell, an "
                        "estimate from its margins that carries the noise of "
                        "every cell it uses, never an exact count");
    else if (dp->protection_lower || dp->protection_upper)
        strbuf_addf(sb,
                    "for each shown cell, its count %s; for each suppressed "
                    "count x, no range that stops short of x - %d%s or of "
                    "x + %d%s, from the tables of one run together with the "
                    "counts above",
                    dp->rounding > 1 ? "to within the rounding" : "exactly",
                    dp->protection_lower,
                    dp->protection_lower_pct ? "% of x" : "",
                    dp->protection_upper,
                    dp->protection_upper_pct ? "% of x" : "");
    else
        strbuf_addf(sb,
                    "for each shown cell, its count %s; for each hidden "
                    "cell, no range narrower than %d from the tables of one "
                    "run together with the counts above",
                    dp->rounding > 1 ? "to within the rounding" : "exactly",
                    dp->protection_level);
    rn_rule(doc, s, "reader_can_learn", "what a reader can learn", sb);
    strbuf_adds(sb, "which rule hid a cell, whether a shown count was rounded "
                    "or perturbed, any true count of a hidden cell within the "
                    "protection level, any identifier, match key, cell key or "
                    "the noise itself");
    rn_rule(doc, s, "reader_cannot_learn", "what a reader cannot learn", sb);
    strbuf_addf(sb,
                "two cohorts of this job whose where expressions show "
                "that one population lies within the other (the same "
                "expression, or one more 'and') are %s; what remains is "
                "differencing that the expressions do not show: the "
                "same persons selected by two differently written "
                "expressions, a cohort's table subtracted from last "
                "night's, or from another job's or another publisher's "
                "table. %s",
                nested_ok ? "allowed, as the noise or the rounding answers "
                            "their difference"
                          : "refused unless perturbation = cellkey or rounding "
                            "is at least the protection level",
                dp->perturbation == PERTURB_CELLKEY
                    ? "Cell-key perturbation answers these: the same persons "
                      "always get the same noise, so a difference between "
                      "two published counts is the true difference plus "
                      "noise of at most the ptable's range"
                    : "Cell-key perturbation (perturbation = cellkey) would "
                      "answer these: the same persons always get the same "
                      "noise, so a difference between two published counts "
                      "carries noise, not a hidden cell's exact count");
    r = rn_rule(doc, s, "differencing", NULL, sb);
    rn_bool(doc, r, "nested_cohorts_allowed", nested_ok);
    rn_bool(doc, r, "answered_by_noise", dp->perturbation == PERTURB_CELLKEY);
}

static double
share(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

/* One table's counts: prose and fields. */
static void
publication_table(const struct rules_table_stats *t, struct rdoc *doc,
                  struct rnode *arr, struct strbuf *sb)
{
    struct rnode *r;
    char name[200];

    snprintf(name, sizeof(name), "table %s", t->cohort);
    if (!t->found) {
        strbuf_addf(sb,
                    "%s is not in the publication, or not laid out as "
                    "this cohort's table",
                    t->file);
    } else {
        strbuf_addf(sb,
                    "%llu of %llu cells hidden (%.1f%%), margins and "
                    "totals included; %llu of the %llu cells with no "
                    "Total (%.1f%%); the month's total hidden in %llu of "
                    "%llu months",
                    (unsigned long long)t->hidden, (unsigned long long)t->cells,
                    100 * share(t->hidden, t->cells),
                    (unsigned long long)t->interior_hidden,
                    (unsigned long long)t->interior,
                    100 * share(t->interior_hidden, t->interior),
                    (unsigned long long)t->months_total_hidden,
                    (unsigned long long)t->months);
        if (t->persons)
            strbuf_addf(sb,
                        "; about %.1f%% of the persons counted in the "
                        "other months are in hidden cells (their total "
                        "less the shown cells, so within the rounding)",
                        100 * share(t->persons_hidden, t->persons));
    }
    r = rn_rule(doc, arr, NULL, name, sb);
    rn_str(doc, r, "cohort", t->cohort);
    rn_str(doc, r, "file", t->file);
    rn_bool(doc, r, "found", t->found);
    if (!t->found)
        return;
    rn_int(doc, r, "cells", (int64_t)t->cells);
    rn_int(doc, r, "hidden_cells", (int64_t)t->hidden);
    rn_real(doc, r, "hidden_share", share(t->hidden, t->cells));
    rn_int(doc, r, "interior_cells", (int64_t)t->interior);
    rn_int(doc, r, "interior_hidden", (int64_t)t->interior_hidden);
    rn_real(doc, r, "interior_hidden_share",
            share(t->interior_hidden, t->interior));
    rn_int(doc, r, "months", (int64_t)t->months);
    rn_int(doc, r, "months_total_hidden", (int64_t)t->months_total_hidden);
    rn_int(doc, r, "persons", (int64_t)t->persons);
    rn_int(doc, r, "persons_in_hidden_cells", (int64_t)t->persons_hidden);
    if (t->persons)
        rn_real(doc, r, "persons_hidden_share",
                share(t->persons_hidden, t->persons));
    else
        rn_null(doc, r, "persons_hidden_share");
}

void
doc_publication(const struct rules_publication *pub, const char *plan_hash,
                struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "publication",
                                 "Disclosure risk and "
                                 "information loss in the latest publication");
    struct rnode *arr;
    size_t i;
    int same;

    rn_bool(doc, s, "found", pub && pub->found);
    if (!pub || !pub->found) {
        rn_strf(doc, s, "text",
                "%s: run the job, then cohort rules again, "
                "to see the share of cells and persons its rules hid",
                pub ? "no publication found" : "no publication looked at");
        if (pub)
            rn_str(doc, s, "where", pub->where);
        return;
    }
    same = !strcmp(pub->plan_hash, plan_hash);
    rn_str(doc, s, "where", pub->where);
    rn_str(doc, s, "run_id", pub->run_id);
    rn_str(doc, s, "plan_hash", pub->plan_hash);
    rn_bool(doc, s, "matches_plan", same);
    strbuf_addf(sb,
                "run %s, published under '%s' %s, counted from its "
                "files alone, as a reader sees them. The share of cells "
                "hidden is how much of a table a reader cannot see; the "
                "share of persons in hidden cells, how many of the "
                "people counted a reader cannot place in a cell: the "
                "information the rules took away",
                pub->run_id[0] ? pub->run_id : "?", pub->where,
                same ? "under this plan (its plan hash matches)"
                     : "under another plan (its plan hash differs: the "
                       "counts describe the rules that ran then)");
    doc->failed |= strbuf_failed(sb);
    rn_str(doc, s, "text", strbuf_str(sb));
    strbuf_reset(sb);
    arr = rn_arr(doc, s, "tables");
    for (i = 0; i < pub->ntables; i++)
        publication_table(&pub->tables[i], doc, arr, sb);
}
