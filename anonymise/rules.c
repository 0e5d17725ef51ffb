/*
 * rules.c - the sections of the rules document drawn from the plan alone:
 * the job, the sources and their columns, id scopes, linkage,
 * generalisation, cohorts and outputs (disclosure control, the key,
 * retention, the plan hash and the publication are in rules_ig.c), and
 * rules_render(). Each rule is written once, as prose with its fields
 * beside it (rules_doc.h).
 */
#include "rules.h"
#include "../core/label.h"

#include "../core/calendar.h"
#include "../core/schema.h"
#include "link_settings.h"
#include "pseudonym.h"
#include "rules_doc.h"
#include "rules_parts.h"
#include "../transform/coded.h"
#include "../transform/map_settings.h"

#include <stdio.h>
#include <string.h>

/* Match keys (1-based, in order) that use field, as "1 (nhs_number), 3
 * (...)"; their numbers into arr when not NULL. */
static void
keys_using(struct rdoc *doc, const struct job_plan *plan, int field,
           struct strbuf *sb, struct rnode *arr)
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
            if ((field == CF_FORENAME &&
                 (kc == KC_INITIAL || kc == KC_FORENAME_ROOT)) ||
                (field == CF_POSTCODE &&
                 (kc == KC_SECTOR || kc == KC_DISTRICT)) ||
                (field == CF_DOB &&
                 (kc == KC_DOB_YEAR || kc == KC_DOB_UNORDERED)) ||
                (field == CF_SURNAME && kc == KC_SURNAME_PHONETIC))
                uses = 1;
        }
        if (uses) {
            strbuf_addf(sb, "%s%zu (%s)", any ? ", " : "", k + 1, mk->text);
            rn_int(doc, arr, NULL, (int64_t)k + 1);
            any = 1;
        }
    }
    if (!any)
        strbuf_adds(sb, "none");
}

/* Where a code list came from, for the IG reviewer: a shipped list's
 * publisher and licence, or the job's own file. */
static const char *
code_list_source(const char *list)
{
    const char *src = coded_list_source(list);

    return src ? src : "the job's own list";
}

/* A value map as " ('TA' -> x, 'HP' -> y)" and as fields. */
static void
value_map(struct rdoc *doc, const struct value_map *vm, struct rnode *r,
          struct strbuf *sb, const char *open, const char *close)
{
    struct rnode *arr = rn_arr(doc, r, "values");
    size_t i;

    for (i = 0; i < vm->n; i++) {
        struct rnode *e = rn_obj(doc, arr, NULL);

        strbuf_addf(sb, "%s'%s' -> %s", i ? ", " : open, vm->entries[i].code,
                    vm->entries[i].canonical);
        rn_str(doc, e, "code", vm->entries[i].code);
        rn_str(doc, e, "canonical", vm->entries[i].canonical);
    }
    if (vm->n)
        strbuf_adds(sb, close);
    if (vm->default_value)
        rn_str(doc, r, "default", vm->default_value);
}

/* The fate of a comparison-only field (address, email, phone, town). */
static void
contact_fate(struct rdoc *doc, const struct job_plan *plan, int f,
             struct rnode *r, struct strbuf *sb)
{
    rn_str(doc, r, "kind", "comparison-only identifier");
    strbuf_addf(sb,
                "comparison-only identifier: normalised (%s), then, with "
                "the probabilistic stage on, a keyed SipHash of it under "
                "its own subkey compared exact / else between records "
                "(weighed by EM like the other fields%s); never in a match "
                "key, never written, wiped with the row",
                f == CF_ADDRESS ? "folded as names are, street words in "
                                  "their short form"
                : f == CF_EMAIL ? "lower case, one '@', a dotted domain"
                : f == CF_PHONE ? "the digits, a UK number in its national "
                                  "form"
                                : "folded as names are",
                f == CF_TOWN ? "" : "; an agreement stands in for the "
                                    "address when a date of birth is "
                                    "missing");
    if (!plan->linkage.probabilistic)
        strbuf_adds(sb, "; probabilistic = no: not used at all");
}

/* What becomes of the household id and lead columns (README
 * "Households"). */
static void
household_fate(struct rdoc *doc, const struct source_plan *sp, int f,
               struct rnode *r, struct strbuf *sb)
{
    if (f == CF_HOUSEHOLD_ID) {
        rn_str(doc, r, "kind", "household identifier");
        strbuf_addf(sb,
                    "household identifier: a keyed SipHash-128 (own subkey, "
                    "cohortmk 1002) of %s %s and the id, numbered in memory "
                    "so that the persons of one household at a period form "
                    "a household; never a match key, never written, wiped "
                    "with the row",
                    sp->id_scope ? "id scope" : "source",
                    sp->id_scope ? sp->id_scope : sp->name);
        return;
    }
    rn_str(doc, r, "kind", "household lead flag");
    strbuf_adds(sb, "household lead flag: Y, Yes, True, 1, L or Lead "
                    "marks the row's person as the household's lead; "
                    "kept as one bit beside the household; published "
                    "only through household_type");
}

/* What happens to field f of source sp: prose into sb, fields into r. */
static void
field_fate(struct rdoc *doc, const struct job_plan *plan,
           const struct source_plan *sp, int f, struct rnode *r,
           struct strbuf *sb)
{
    const struct value_map *vm;

    switch (f) {
    case CF_NHS_NUMBER:
    case CF_UPN:
    case CF_ULN:
    case CF_NI_NUMBER:
    case CF_UPRN:
    case CF_LOCAL_ID:
    case CF_FORENAME:
    case CF_SURNAME:
        rn_str(doc, r, "kind", "identifier");
        strbuf_adds(sb,
                    "identifier: normalised and validated (an invalid value is "
                    "dropped), used only inside keyed SipHash-128 match keys ");
        keys_using(doc, plan, f, sb, rn_arr(doc, r, "match_keys"));
        doc_prob_use(plan, f, sb);
        strbuf_adds(sb, ", then wiped from memory with the row; never written");
        if (f == CF_LOCAL_ID && sp->id_scope)
            strbuf_addf(sb,
                        "; also joins this table's rows to the other tables "
                        "of id scope %s (a keyed SipHash-128 of scope and id, "
                        "own subkey)",
                        sp->id_scope);
        else if (f == CF_LOCAL_ID)
            strbuf_addf(sb, "; scoped to source %s", sp->name);
        break;
    case CF_HOUSEHOLD_ID:
    case CF_LEAD:
        household_fate(doc, sp, f, r, sb);
        break;
    case CF_DOB:
        rn_str(doc, r, "kind", "identifier");
        strbuf_adds(sb, "identifier: used inside match keys ");
        keys_using(doc, plan, f, sb, rn_arr(doc, r, "match_keys"));
        doc_prob_use(plan, f, sb);
        strbuf_adds(sb,
                    "; generalised to an age band at the end of each period "
                    "(only year and month of birth kept in memory for that); "
                    "the date itself is wiped with the row and never written");
        break;
    case CF_POSTCODE:
        rn_str(doc, r, "kind", "identifier");
        strbuf_adds(sb, "identifier: used inside match keys ");
        keys_using(doc, plan, f, sb, rn_arr(doc, r, "match_keys"));
        doc_prob_use(plan, f, sb);
        strbuf_addf(
            sb,
            "; generalised to ward, LSOA and postcode district through "
            "the lookup '%s' before it is wiped with the row; never written",
            plan->lookup);
        if (sp->postcode_any)
            strbuf_adds(sb, "; postcode_country = any: a postcode that is "
                            "not a UK one is kept as a token of its letters "
                            "and digits, used the same way for linkage, "
                            "with no geography (unknown ward, LSOA and "
                            "district)");
        break;
    case CF_SEX:
        rn_str(doc, r, "kind", "quasi-identifier");
        strbuf_adds(sb, "quasi-identifier: mapped to M, F, U or X");
        value_map(doc, &sp->values[VF_SEX], r, sb, " (", ")");
        strbuf_adds(sb, "; published only as a table dimension");
        break;
    case CF_ETHNICITY:
        rn_str(doc, r, "kind", "quasi-identifier");
        strbuf_adds(sb,
                    "quasi-identifier: generalised to the six top-level groups "
                    "WHITE, MIXED, ASIAN, BLACK, OTHER, UNKNOWN");
        /* the codes themselves can be hundreds: their number and list */
        if (sp->values[VF_ETHNICITY].list)
            strbuf_addf(sb, " (%zu source codes mapped, code list '%s': %s)",
                        sp->values[VF_ETHNICITY].n,
                        sp->values[VF_ETHNICITY].list,
                        code_list_source(sp->values[VF_ETHNICITY].list));
        else
            value_map(doc, &sp->values[VF_ETHNICITY], r, sb, " (", ")");
        strbuf_adds(sb, "; published only as a table dimension");
        break;
    case CF_SERVICE:
        vm = &sp->values[VF_SERVICE];
        rn_str(doc, r, "kind", "service");
        strbuf_adds(sb, "service code mapped to canonical services");
        if (vm->list)
            strbuf_addf(sb, " by code list '%s' (%s)", vm->list,
                        code_list_source(vm->list));
        value_map(doc, vm, r, sb, ": ", "");
        if (vm->default_value)
            strbuf_addf(sb, "; any other code -> %s", vm->default_value);
        else
            strbuf_adds(sb, "; any other code quarantines the row");
        break;
    case CF_ADDRESS:
    case CF_EMAIL:
    case CF_PHONE:
    case CF_TOWN:
        contact_fate(doc, plan, f, r, sb);
        break;
    case CF_START_DATE:
    case CF_END_DATE:
        rn_str(doc, r, "kind", "spell date");
        strbuf_adds(
            sb, "spell date: generalised to the monthly periods in which the "
                "spell is active; never written");
        break;
    default:
        rn_str(doc, r, "kind", "dropped");
        strbuf_adds(sb, "dropped");
    }
}

static void
doc_job(const struct job_plan *plan, struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "job", "Job"), *r;
    char date[11];

    strbuf_adds(sb, plan->name);
    r = rn_rule(doc, s, "name", NULL, sb);
    rn_str(doc, r, "value", plan->name);
    if (plan->reference_is_today) {
        strbuf_adds(sb, "today (the day of each run)");
        r = rn_rule(doc, s, "reference_date", "reference date", sb);
        rn_null(doc, r, "date");
    } else {
        format_iso_date(plan->reference_date, date);
        strbuf_adds(sb, date);
        r = rn_rule(doc, s, "reference_date", "reference date", sb);
        rn_str(doc, r, "date", date);
    }
    rn_bool(doc, r, "today", plan->reference_is_today);
    strbuf_addf(sb, "%d monthly periods ending at the reference date",
                plan->periods);
    /* said only where it changes what is published: a reference date
     * that is not the last day of its month, or include_partial */
    if (plan->include_partial)
        strbuf_adds(sb, "; the month holding it is published with "
                        "complete = no until it is over");
    else if (plan->reference_is_today ||
             job_plan_period_end(plan) != plan->reference_date)
        strbuf_adds(sb, "; the month holding it is left out until it is "
                        "over, so the periods end with the last whole month");
    r = rn_rule(doc, s, "periods", NULL, sb);
    rn_int(doc, r, "count", plan->periods);
    if (plan->include_partial)
        rn_bool(doc, r, "include_partial", 1);
}

/* One column rule: its position in the header (0: not in it), its name as
 * shown, the fields mapped to it and what becomes of each. */
static void
column_rule(struct rdoc *doc, const struct job_plan *plan,
            const struct source_plan *sp, struct rnode *arr, size_t position,
            const char *name, uint32_t fields, int in_header, struct strbuf *sb)
{
    struct strbuf label = STRBUF_INIT;
    struct rnode *r, *maps;
    int f, n = 0;

    for (f = 0; f < CF_COUNT; f++)
        if (fields & (1u << f))
            strbuf_addf(&label, "%s%s", n++ ? "+" : "",
                        common_field_name((enum common_field)f));
    if (n)
        strbuf_adds(&label, " <- ");
    if (name)
        strbuf_addf(&label, "column %s", name);
    else
        strbuf_addf(&label, "column %zu (its name is not shown)", position);
    r = rn_obj(doc, arr, NULL);
    rn_str(doc, r, "name", strbuf_str(&label));
    if (position)
        rn_int(doc, r, "position", (int64_t)position);
    else
        rn_null(doc, r, "position");
    if (name)
        rn_str(doc, r, "column", name);
    else
        rn_null(doc, r, "column");
    rn_str(doc, r, "fate", !n ? "discarded" : in_header ? "mapped" : "missing");
    maps = rn_arr(doc, r, "mappings");
    for (n = 0, f = 0; f < CF_COUNT; f++) {
        struct rnode *m;

        if (!(fields & (1u << f)))
            continue;
        if (n++)
            strbuf_addf(sb,
                        "; as %s: ", common_field_name((enum common_field)f));
        m = rn_obj(doc, maps, NULL);
        rn_str(doc, m, "field", common_field_name((enum common_field)f));
        field_fate(doc, plan, sp, f, m, sb);
    }
    if (!n)
        strbuf_adds(sb, "parsed with each row (a row must parse to be read), "
                        "then discarded: mapped to no field, never stored, "
                        "logged or written");
    else if (!in_header)
        strbuf_adds(sb, "; NOT IN THE HEADER: cohort check and cohort run "
                        "stop at it");
    if (strbuf_failed(sb) || strbuf_failed(&label))
        doc->failed = 1;
    rn_str(doc, r, "text", strbuf_str(sb));
    strbuf_reset(sb);
    strbuf_release(&label);
}

/* The columns of one source: the header's, in order, when it was read;
 * else the mapped ones. */
static void
source_columns(struct rdoc *doc, const struct job_plan *plan,
               const struct source_plan *sp,
               const struct rules_source_columns *sc, struct rnode *s,
               struct strbuf *sb)
{
    struct rnode *arr, *r;
    uint32_t seen = 0;
    size_t i;
    int f;

    if (sc && sc->read)
        strbuf_addf(sb,
                    "read by cohort rules from the %s: %zu columns, each "
                    "listed below in order with its fate; a name that is not "
                    "plain or has an identifier's shape is given by its "
                    "number only%s",
                    sp->format == SRC_CSV   ? "first file's header"
                    : sp->format == SRC_XML ? "XML layout's columns"
                                            : "query's columns",
                    sc->ncolumns,
                    sc->suspect ? ". A mapped column is missing from it, so "
                                  "it may be a row of data: none of its "
                                  "other names is shown"
                                : "");
    else
        strbuf_addf(sb,
                    "not read (%s): only the mapped columns are listed; "
                    "every other column is parsed with each row and "
                    "discarded",
                    sc ? sc->error
                       : "not looked at here: cohort rules reads it");
    r = rn_rule(doc, s, "header", NULL, sb);
    rn_bool(doc, r, "read", sc && sc->read);
    if (sc && sc->read)
        rn_int(doc, r, "columns", (int64_t)sc->ncolumns);
    arr = rn_arr(doc, s, "columns");
    for (i = 0; sc && sc->read && i < sc->ncolumns; i++) {
        const char *name = sc->names[i];

        /* a mapped column's name is the job file's, which is published */
        for (f = 0; !name && f < CF_COUNT; f++)
            if ((sc->fields[i] & (1u << f)) && sp->column[f])
                name = sp->column[f];
        column_rule(doc, plan, sp, arr, i + 1, name, sc->fields[i], 1, sb);
        seen |= sc->fields[i];
    }
    for (f = 0; f < CF_COUNT; f++)
        if (sp->column[f] && !(seen & (1u << f)))
            column_rule(doc, plan, sp, arr, 0, sp->column[f], 1u << f,
                        !(sc && sc->read), sb);
}

static void
doc_sources(const struct job_plan *plan, const struct rules_inputs *in,
            struct rdoc *doc, struct strbuf *sb)
{
    size_t i;

    for (i = 0; i < plan->nsources; i++) {
        const struct source_plan *sp = &plan->sources[i];
        struct rnode *s, *r;

        strbuf_addf(sb, "Source %s (%s)", sp->name, sp->department_name);
        doc->failed |= strbuf_failed(sb);
        s = rn_section_in(doc, "sources", strbuf_str(sb));
        strbuf_reset(sb);
        rn_str(doc, s, "name", sp->name);
        rn_str(doc, s, "department", sp->department_name);
        rn_str(doc, s, "format", source_format_name(sp->format));
        if (sp->format == SRC_CSV || sp->format == SRC_XML)
            rn_str(doc, s, "path", sp->path);
        if (sp->format == SRC_XML)
            rn_str(doc, s, "xml_record", sp->xml_record);
        rn_str(doc, s, "role", source_role_name(sp->role));
        source_columns(doc, plan, sp, in->columns ? &in->columns[i] : NULL, s,
                       sb);
        if (sp->fixed_service) {
            strbuf_addf(sb, "every row is service %s", sp->fixed_service);
            r = rn_rule(doc, s, "service", NULL, sb);
            rn_str(doc, r, "value", sp->fixed_service);
        }
        strbuf_addf(sb,
                    "rows that cannot become a record are quarantined (counted "
                    "by reason, with file and line, never values); more than "
                    "%.2f%% quarantined fails the run, and so does one field "
                    "(a date of birth, a postcode, an identifier) dropped as "
                    "invalid from more than %.2f%% of the rows",
                    (double)sp->max_reject_ppm / 10000.0,
                    (double)sp->max_drop_ppm / 10000.0);
        r = rn_rule(doc, s, "quarantine", NULL, sb);
        rn_real(doc, r, "max_reject_rate", (double)sp->max_reject_ppm / 1e6);
        rn_real(doc, r, "max_drop_rate", (double)sp->max_drop_ppm / 1e6);
        if (sp->period_column && *sp->period_column) {
            strbuf_addf(sb,
                        "column '%s' read with each row for periods: a "
                        "spell whose code is one of '%s' starts a period, "
                        "any other code continues one (new(...) counts "
                        "period starts); then discarded",
                        sp->period_column, sp->period_start_codes);
            rn_rule(doc, s, "periods", NULL, sb);
        }
        doc_coded_columns(sp, doc, s, sb);
        if (sp->return_year_end) {
            strbuf_addf(sb,
                        "each file is one yearly return (years ending on "
                        "%02d-%02d); per person, returns read together are "
                        "reconciled before counting: an exact duplicate "
                        "episode is kept once; an episode a later return "
                        "records again (same start) is replaced by it; an "
                        "earlier return's episode is cut at the start of a "
                        "later return's year, or dropped when it starts in "
                        "it, since the later return lists every child of its "
                        "year; an episode left open is closed when the next "
                        "starts (the intent of liiatools' episodes_fix rules "
                        "1 to 4). Each rule's records are counted in "
                        "quality.csv, never which child's",
                        sp->return_year_end / 100, sp->return_year_end % 100);
            rn_rule(doc, s, "stacked_returns", NULL, sb);
        }
    }
}

static void
doc_scopes(const struct job_plan *plan, struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s, *arr, *r, *t;
    size_t i, k, c;

    if (!plan->nscopes)
        return;
    s = rn_section(doc, "id_scopes", "Id scopes");
    arr = rn_arr(doc, s, "scopes");
    for (k = 0; k < plan->nscopes; k++) {
        struct rnode *tables;
        char name[160];

        snprintf(name, sizeof(name), "scope %s", plan->scopes[k]);
        r = rn_obj(doc, arr, NULL);
        tables = rn_arr(doc, r, "tables");
        for (c = 0, i = 0; i < plan->nsources; i++) {
            const struct source_plan *sp = &plan->sources[i];

            if (sp->scope != (int)k)
                continue;
            strbuf_addf(sb, "%s%s (%s", c++ ? "; " : "", sp->name,
                        source_role_name(sp->role));
            if (sp->role == ROLE_HEADER && !sp->has_spells)
                strbuf_adds(sb, ", persons only");
            if (sp->household_events)
                strbuf_adds(sb, ", the household's own spells, no person");
            /* a table with no local id shares the scope's households only */
            strbuf_addf(sb, ") %s column %s",
                        sp->column[CF_LOCAL_ID] ? "joins on"
                                                : "shares households by",
                        sp->column[CF_LOCAL_ID] ? sp->column[CF_LOCAL_ID]
                                                : sp->column[CF_HOUSEHOLD_ID]);
            t = rn_obj(doc, tables, NULL);
            rn_str(doc, t, "source", sp->name);
            rn_str(doc, t, "role", source_role_name(sp->role));
            rn_str(doc, t, "column", sp->column[CF_LOCAL_ID]
                                         ? sp->column[CF_LOCAL_ID]
                                         : sp->column[CF_HOUSEHOLD_ID]);
        }
        rn_str(doc, r, "name", name);
        rn_str(doc, r, "text", strbuf_str(sb));
        strbuf_reset(sb);
    }
    strbuf_adds(sb, "rows of one scope that share the id are one person, "
                    "before linkage across departments; ids of different "
                    "scopes never match; a header defines the person, an "
                    "events row whose id no header of its scope lists is "
                    "quarantined as orphan_local_id; ids whose rows disagree "
                    "on the NHS number (kept apart by the guard) or the date "
                    "of birth (kept as one person) are counted in "
                    "quality.csv");
    rn_rule(doc, s, "rule", NULL, sb);
}

static void
doc_linkage(const struct job_plan *plan, struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "linkage", "Linkage"), *arr, *r, *comp;
    size_t k, c;

    arr = rn_arr(doc, s, "keys");
    for (k = 0; k < plan->linkage.nkeys; k++) {
        const struct match_key_plan *mk = &plan->linkage.keys[k];
        char name[32];

        snprintf(name, sizeof(name), "match key %zu", k + 1);
        strbuf_adds(sb, "keyed SipHash-128 (own subkey) over the keyed "
                        "encodings (one subkey per kind) of ");
        for (c = 0; c < mk->ncomponents; c++)
            strbuf_addf(sb, "%s%s", c ? " + " : "",
                        key_component_name(mk->components[c]));
        strbuf_adds(sb, "; absent when any part is missing or invalid");
        r = rn_rule(doc, arr, NULL, name, sb);
        rn_int(doc, r, "order", (int64_t)k + 1);
        comp = rn_arr(doc, r, "components");
        for (c = 0; c < mk->ncomponents; c++)
            rn_str(doc, comp, NULL, key_component_name(mk->components[c]));
    }
    strbuf_adds(sb,
                "each value a key uses is first encoded with SipHash-2-4 "
                "under its kind's own subkey (128-bit output), and each key "
                "is SipHash-2-4 of its parts' encodings under the key's "
                "subkey: a keyed pseudorandom function, so without the key "
                "no value can be hashed to find a match, and at 128 bits "
                "two people's keys collide with probability about n^2 / "
                "2^129 (below 10^-23 for 70 million people)");
    r = rn_rule(doc, s, "pseudonym_function", NULL, sb);
    rn_str(doc, r, "function", PSEUDONYM_FUNCTION);
    strbuf_adds(sb,
                "records sharing any match key are one person, keys tried "
                "strictest first; a link that would join two different valid "
                "NHS numbers or UPNs is refused and counted");
    rn_rule(doc, s, "rule", NULL, sb);
    doc_probabilistic(plan, doc, s, sb);
    strbuf_adds(sb,
                "each person is an internal number; a per-person record key "
                "(0-255), a keyed hash of the person's token under its own "
                "subkey (unrelated to any match key), is used only for "
                "cell-key noise");
    rn_rule(doc, s, "persons", NULL, sb);
    doc_linkage_fairness(plan, doc, s, sb);
}

static void
doc_generalisation(const struct job_plan *plan, struct rdoc *doc,
                   struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "generalisation", "Generalisation");
    struct rnode *r, *arr;
    size_t k;

    /* as they are published (core/label.h), so the review, the tables
     * and the report say the same */
    for (k = 0; k < plan->nage_bands; k++) {
        char band[32];

        age_band_label(plan->age_bands[k].lo, plan->age_bands[k].hi, band,
                       sizeof(band));
        strbuf_addf(sb, "%s%s", k ? ", " : "", band);
    }
    r = rn_rule(doc, s, "age_bands", "age bands", sb);
    arr = rn_arr(doc, r, "bands");
    for (k = 0; k < plan->nage_bands; k++) {
        struct rnode *b = rn_obj(doc, arr, NULL);

        rn_int(doc, b, "from", plan->age_bands[k].lo);
        if (plan->age_bands[k].hi < 0)
            rn_null(doc, b, "to");
        else
            rn_int(doc, b, "to", plan->age_bands[k].hi);
    }
    strbuf_addf(sb,
                "postcode -> ward, LSOA, postcode district via '%s'; the "
                "categories are the lookup's only: a postcode not in it "
                "is UNKNOWN in every geography, its district too",
                plan->lookup);
    r = rn_rule(doc, s, "geography", NULL, sb);
    rn_str(doc, r, "lookup", plan->lookup);
}

/* The by columns of a cohort, in prose and as fields. */
static void
cohort_by(const struct job_plan *plan, const struct cohort_plan *cp,
          struct rdoc *doc, struct rnode *s, struct strbuf *sb)
{
    struct rnode *r, *arr;
    size_t k;

    for (k = 0; k < cp->nby; k++) {
        if (cp->by[k] == BY_SERVICE) {
            const struct service_def *sd = &plan->services[cp->by_service[k]];

            strbuf_addf(sb,
                        "%s%s.%s (yes when %s had a spell "
                        "of it overlapping the month, else no)",
                        k ? ", " : "",
                        job_plan_department_name(plan, sd->department),
                        sd->name,
                        cp->unit == UNIT_HOUSEHOLDS ? "a member of the household"
                                                    : "the person");
        } else {
            strbuf_addf(sb, "%s%s", k ? ", " : "",
                        by_column_name((enum by_column)cp->by[k]));
        }
    }
    if (!cp->nby)
        strbuf_adds(sb, "(totals only)");
    r = rn_rule(doc, s, "by", NULL, sb);
    arr = rn_arr(doc, r, "columns");
    for (k = 0; k < cp->nby; k++)
        rn_str(doc, arr, NULL, cohort_by_name(cp, k));
}

static void
doc_cohorts(const struct job_plan *plan, char *const *where_plain,
            struct rdoc *doc, struct strbuf *sb)
{
    size_t i, k;

    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *cp = &plan->cohorts[i];
        struct rnode *s, *r, *arr;

        strbuf_addf(sb, "Cohort %s", cp->name);
        doc->failed |= strbuf_failed(sb);
        s = rn_section_in(doc, "cohorts", strbuf_str(sb));
        strbuf_reset(sb);
        rn_str(doc, s, "name", cp->name);
        strbuf_adds(sb, cp->title);
        rn_rule(doc, s, "cohort_title", "title", sb);
        strbuf_adds(sb, cp->where);
        rn_rule(doc, s, "where", NULL, sb);
        if (where_plain && where_plain[i]) {
            strbuf_adds(sb, where_plain[i]);
            rn_rule(doc, s, "meaning", NULL, sb);
        }
        cohort_by(plan, cp, doc, s, sb);
        if (cp->unit == UNIT_HOUSEHOLDS)
            doc_household_unit(plan, cp, doc, s, sb);
        strbuf_addf(sb, cp->measure == MEASURE_NEW
                            ? "%s entering the cohort in the period"
                        : cp->measure == MEASURE_ENDED
                            ? "%s whose last month in the cohort the "
                              "period is"
                        : cp->measure == MEASURE_AT_END
                            ? "distinct %s in the cohort on the "
                              "period's last day (a snapshot)"
                            : "distinct %s in the cohort in the period",
                    cp->unit == UNIT_HOUSEHOLDS ? "households" : "persons");
        r = rn_rule(doc, s, "measure", NULL, sb);
        rn_str(doc, r, "value", measure_name(cp->measure));
        if (cp->forecast)
            doc_forecast_cohort(cp, doc, s, sb);
        strbuf_adds(sb, "period");
        for (k = 0; k < cp->nby; k++)
            strbuf_addf(sb, ", %s", cohort_by_name(cp, k));
        strbuf_adds(sb, ", count ([c] when hidden, [z] when impossible), "
                        "margin (yes on a margin or total row)");
        r = rn_rule(doc, s, "published_columns", "published columns", sb);
        arr = rn_arr(doc, r, "columns");
        rn_str(doc, arr, NULL, "period");
        for (k = 0; k < cp->nby; k++)
            rn_str(doc, arr, NULL, cohort_by_name(cp, k));
        rn_str(doc, arr, NULL, "count");
        rn_str(doc, arr, NULL, "margin");
    }
}

static void
doc_outputs(const struct job_plan *plan, struct rdoc *doc, struct strbuf *sb)
{
    struct rnode *s = rn_section(doc, "outputs", "Outputs");
    struct rnode *arr = rn_arr(doc, s, "outputs"), *r;
    size_t i;

    for (i = 0; i < plan->noutputs; i++) {
        const struct output_plan *op = &plan->outputs[i];
        char kept[48] = "every run";

        if (op->retain)
            snprintf(kept, sizeof(kept), "the newest %d runs", op->retain);
        if (op->type == OUT_CSV)
            strbuf_addf(sb,
                        "files%s under '%s': one table per cohort, quality, "
                        "quarantine, linkage, manifest and report",
                        op->gzip ? " (gzip)" : "",
                        op->dir ? op->dir : plan->output_dir);
        else
            strbuf_addf(sb,
                        "PostgreSQL schema '%s': one table per cohort, "
                        "quality and linkage, each with its __history "
                        "(%s), and runs%s%s%s",
                        op->schema ? op->schema : "cohorts", kept,
                        op->grant_to ? "; USAGE on the schema and SELECT on "
                                       "every one of them granted to "
                                     : "",
                        op->grant_to ? op->grant_to : "",
                        op->grant_to ? " only" : "");
        r = rn_rule(doc, arr, NULL, op->name, sb);
        rn_str(doc, r, "type", op->type == OUT_CSV ? "csv" : "postgres");
        if (op->type == OUT_CSV) {
            rn_str(doc, r, "directory", op->dir ? op->dir : plan->output_dir);
            rn_bool(doc, r, "gzip", op->gzip);
        } else {
            rn_str(doc, r, "schema", op->schema ? op->schema : "cohorts");
            if (op->grant_to)
                rn_str(doc, r, "grant_to", op->grant_to);
            else
                rn_null(doc, r, "grant_to");
        }
        rn_int(doc, r, "retain", op->retain);
    }
}

/* The whole document, section by section (each below 120 lines). */
static int
build_doc(const struct job_plan *plan, const struct rules_inputs *in,
          const char *hash, struct rdoc *doc, struct diag *d)
{
    struct strbuf sb = STRBUF_INIT;
    int rc;

    rn_str(doc, doc->root, "format", "cohort-rules");
    rn_int(doc, doc->root, "format_version", 1);
    rn_str(doc, doc->root, "job_name", plan->name);
    rn_str(doc, doc->root, "program_version", in->version ? in->version : "");
    doc_job(plan, doc, &sb);
    if ((rc = doc_plan_hash(plan, in, doc, &sb, d)) < 0)
        goto out;
    doc_key(plan, in->key, doc, &sb);
    doc_retention(plan, doc, &sb);
    doc_sources(plan, in, doc, &sb);
    doc_departments(plan, doc, &sb);
    doc_scopes(plan, doc, &sb);
    doc_linkage(plan, doc, &sb);
    doc_generalisation(plan, doc, &sb);
    doc_disclosure(plan, doc, &sb);
    doc_cohorts(plan, in->where_plain, doc, &sb);
    doc_forecasting(plan, doc, &sb);
    doc_outputs(plan, doc, &sb);
    doc_publication(in->pub, hash, doc, &sb);
out:
    strbuf_release(&sb);
    return rc;
}

/* The HTML page around the sections. */
static void
render_html(const struct job_plan *plan, const struct rdoc *doc,
            const char *hash, struct strbuf *sb)
{
    strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta "
                    "charset=\"utf-8\">\n<meta name=\"viewport\" "
                    "content=\"width=device-width, initial-scale=1\">\n"
                    "<title>Anonymisation rules: ");
    strbuf_add_html(sb, plan->name);
    strbuf_adds(sb,
                "</title>\n<style>\nbody{font-family:Arial,Helvetica,"
                "sans-serif;line-height:1.45;max-width:62rem;margin:0 auto;"
                "padding:1rem 1.25rem;color:#0b0c0c}\n"
                "h1,h2{overflow-wrap:anywhere}\n"
                "h2{margin-top:2rem;border-top:2px solid #0b0c0c;"
                "padding-top:.5rem}\ntable{border-collapse:collapse;"
                "width:100%}\ncaption{position:absolute;width:1px;"
                "height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);"
                "white-space:nowrap}\n"
                "td,th{border-bottom:1px solid #b1b4b6;padding:.35rem .5rem"
                " .35rem 0;text-align:left;vertical-align:top}\n"
                "th{width:28%;font-weight:bold;overflow-wrap:anywhere}\n"
                "td{overflow-wrap:anywhere}\ncode{overflow-wrap:anywhere}\n"
                "@media (max-width:40em){table,tbody,th,td{display:block;"
                "width:auto}th,td{border:0;padding:.1rem 0}tr{display:"
                "block;border-bottom:1px solid #b1b4b6;padding:.4rem 0}}\n"
                "@media print{body{max-width:none;padding:0;font-size:10pt}"
                "tr{break-inside:avoid}h2{break-after:avoid}}\n"
                "</style>\n</head>\n<body>\n<main>\n<h1>Anonymisation rules: ");
    strbuf_add_html(sb, plan->name);
    strbuf_addf(sb,
                "</h1>\n<p>Plan hash <code>%s</code>: every run's manifest "
                "records the hash of the rules it applied.</p>\n",
                hash);
    rdoc_html(doc, sb);
    strbuf_adds(sb, "</main>\n</body>\n</html>\n");
}

int
rules_render(const struct job_plan *plan, const struct rules_inputs *in,
             enum rules_format format, struct strbuf *sb, struct diag *d)
{
    struct rdoc doc;
    char hash[65];
    int rc;

    if (format == RULES_CANONICAL) {
        if ((rc = rules_canonical(plan, in, sb, d)) < 0)
            return rc;
        return strbuf_failed(sb) ? CE_NOMEM : 0;
    }
    rdoc_init(&doc);
    /* a document with a section or rule missing, or without its hash, is
     * not the one reviewed: render nothing rather than part of it */
    if ((rc = rules_plan_hash(plan, in, hash, d)) < 0 ||
        (rc = build_doc(plan, in, hash, &doc, d)) < 0)
        goto out;
    if (rdoc_failed(&doc)) {
        rc = CE_NOMEM;
        goto out;
    }
    switch (format) {
    case RULES_TEXT:
        strbuf_addf(sb, "Anonymisation rules for job %s\nplan hash: %s\n\n",
                    plan->name, hash);
        rdoc_text(&doc, sb);
        break;
    case RULES_JSON:
        rdoc_json(&doc, sb);
        break;
    case RULES_HTML:
        render_html(plan, &doc, hash, sb);
        break;
    case RULES_CANONICAL:
        break;
    }
    if (strbuf_failed(sb))
        rc = CE_NOMEM;
out:
    if (rc == CE_NOMEM)
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
    rdoc_release(&doc);
    return rc;
}
