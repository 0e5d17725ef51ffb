/*
 * rules_canonical.c - the canonical form of a job plan and the plan hash
 * taken of it (rules.h), and the document's section that says what the
 * hash covers and how to recompute it.
 *
 * The canonical form is plain text, one setting a line ("key = value"),
 * sections in a fixed order, every default and profile already applied,
 * so two job files that say the same thing in a different layout, order
 * or with other comments have one hash, and any change to what a run does
 * with the data changes it. Values are escaped so that each stays on its
 * line: a backslash as \\, a control byte as \xNN.
 */
#include "rules_parts.h"

#include "../core/calendar.h"
#include "../core/schema.h"
#include "link_settings.h"
#include "pseudonym.h"
#include "../transform/map_settings.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CANONICAL_VERSION 1

/* A file the plan reads besides the extracts, hashed by its contents. */
struct plan_file {
    const char *key; /* its key in the canonical form ("lookup") */
    const char *path;
    const char *rule; /* its loader's rule name, for the diagnostic */
    const char *what; /* "the lookup table", as its loader says it */
    char hex[65];
};

/* The files of plan: the lookup, the nickname and name-variant tables
 * (when set), the ptable (with cell-key perturbation) and the population
 * table (denominators, when set). Returns how many. */
#define PLAN_FILES 5
static size_t
plan_files(const struct job_plan *plan, struct plan_file out[PLAN_FILES])
{
    size_t n = 0;

    memset(out, 0, PLAN_FILES * sizeof(*out));
    out[n++] = (struct plan_file){"lookup", plan->lookup, "lookup",
                                  "the lookup table", ""};
    if (plan->nicknames && plan->nicknames[0])
        out[n++] = (struct plan_file){"nicknames", plan->nicknames,
                                      "nicknames", "the nicknames table", ""};
    if (plan->name_variants && plan->name_variants[0])
        out[n++] = (struct plan_file){"name_variants", plan->name_variants,
                                      "name_variants",
                                      "the name_variants table", ""};
    if (plan->disclosure.perturbation == PERTURB_CELLKEY &&
        plan->disclosure.ptable)
        out[n++] = (struct plan_file){"ptable", plan->disclosure.ptable,
                                      "ptable", "the ptable", ""};
    if (plan->denominators && plan->denominators[0])
        out[n++] = (struct plan_file){"denominators", plan->denominators,
                                      "denominators", "the population table",
                                      ""};
    return n;
}

/* BLAKE2b-256 of the file's bytes as hex. CE_CONFIG, with the words its
 * loader uses, when it cannot be read. */
static int
plan_file_hash(struct plan_file *pf, struct diag *d)
{
    crypto_generichash_state st;
    unsigned char buf[65536], h[32];
    FILE *f = fopen(pf->path, "rb");
    size_t n;
    int e;

    if (!f) {
        e = errno;
        diag_set(d, pf->path, 0, 0, pf->rule, "cannot read %s: %s", pf->what,
                 strerror(e));
        return e == ENOMEM ? CE_NOMEM : CE_CONFIG;
    }
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_generichash_update(&st, buf, n);
    e = ferror(f) ? errno : 0;
    fclose(f);
    if (e) {
        diag_set(d, pf->path, 0, 0, pf->rule, "cannot read %s: %s", pf->what,
                 strerror(e));
        return CE_CONFIG;
    }
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(pf->hex, sizeof(pf->hex), h, sizeof(h));
    return 0;
}

static int
plan_files_hash(struct plan_file *pf, size_t n, struct diag *d)
{
    size_t i;
    int rc;

    for (i = 0; i < n; i++)
        if ((rc = plan_file_hash(&pf[i], d)) < 0)
            return rc;
    return 0;
}

/* "key = value\n", the value escaped onto one line. */
static void
kv(struct strbuf *sb, const char *key, const char *value)
{
    const unsigned char *p;

    strbuf_addf(sb, "%s = ", key);
    for (p = (const unsigned char *)(value ? value : ""); *p; p++) {
        if (*p == '\\')
            strbuf_adds(sb, "\\\\");
        else if (*p < 0x20 || *p == 0x7f)
            strbuf_addf(sb, "\\x%02x", *p);
        else
            strbuf_add(sb, p, 1);
    }
    strbuf_adds(sb, "\n");
}

static void
kvf(struct strbuf *sb, const char *key, long long v)
{
    strbuf_addf(sb, "%s = %lld\n", key, v);
}

/* Each [transition] (none: nothing, so a job without them keeps its
 * hash). */
static void
canon_transitions(const struct job_plan *plan, struct strbuf *sb)
{
    size_t i, j;

    for (i = 0; i < plan->ntransitions; i++) {
        const struct transition_plan *tp = &plan->transitions[i];

        strbuf_addf(sb, "[transition %s]\n", tp->table.name);
        kv(sb, "title", tp->table.title);
        kv(sb, "from", tp->from);
        kv(sb, "to", tp->to);
        strbuf_adds(sb, "by =");
        for (j = 0; j < tp->table.nby; j++)
            strbuf_addf(sb, "%s %s", j ? "," : "",
                        cohort_by_name(&tp->table, j));
        strbuf_adds(sb, "\n");
    }
}

static void
canon_job(const struct job_plan *plan, const struct plan_file *pf, size_t nf,
          struct strbuf *sb)
{
    char date[11];
    size_t i;

    strbuf_adds(sb, "[job]\n");
    kv(sb, "name", plan->name);
    if (plan->reference_is_today) {
        kv(sb, "reference_date", "today");
    } else {
        format_iso_date(plan->reference_date, date);
        kv(sb, "reference_date", date);
    }
    kvf(sb, "periods", plan->periods);
    /* keys added after canonical version 1: written only when set, so a
     * job without them keeps its hash */
    if (plan->include_partial)
        kv(sb, "include_partial", "yes");
    if (plan->standard_tables)
        strbuf_addf(sb, "standard_tables =%s%s%s\n",
                    plan->standard_tables & STD_SERVICE_TRANSITIONS
                        ? " service_transitions"
                        : "",
                    plan->standard_tables & STD_OVERLAP ? " overlap" : "",
                    plan->standard_tables & STD_LINKAGE ? " linkage_by_group"
                                                        : "");
    kv(sb, "key_file", plan->key_file);
    kv(sb, "output_dir", plan->output_dir);
    for (i = 0; i < nf; i++) {
        if (!strcmp(pf[i].key, "ptable"))
            continue; /* with [disclosure] */
        kv(sb, pf[i].key, pf[i].path);
        strbuf_addf(sb, "%s.blake2b = %s\n", pf[i].key, pf[i].hex);
    }
    if (!plan->nicknames || !plan->nicknames[0])
        kv(sb, "nicknames", "(built in only)");
    if (!plan->name_variants || !plan->name_variants[0])
        kv(sb, "name_variants", "(none)");
    strbuf_adds(sb, "age_bands =");
    for (i = 0; i < plan->nage_bands; i++) {
        if (plan->age_bands[i].hi < 0)
            strbuf_addf(sb, "%s %d+", i ? "," : "", plan->age_bands[i].lo);
        else
            strbuf_addf(sb, "%s %d-%d", i ? "," : "", plan->age_bands[i].lo,
                        plan->age_bands[i].hi);
    }
    strbuf_adds(sb, "\n");
}

static void
canon_values(const struct source_plan *sp, struct strbuf *sb)
{
    static const char *const vf_names[VF_COUNT] = {"sex", "ethnicity",
                                                   "service"};
    char key[256];
    size_t i;
    int v;

    for (v = 0; v < VF_COUNT; v++) {
        const struct value_map *vm = &sp->values[v];

        for (i = 0; i < vm->n; i++) {
            snprintf(key, sizeof(key), "value.%s.%s", vf_names[v],
                     vm->entries[i].code);
            kv(sb, key, vm->entries[i].canonical);
        }
        if (vm->default_value) {
            snprintf(key, sizeof(key), "value.%s.default", vf_names[v]);
            kv(sb, key, vm->default_value);
        }
    }
}

static void
canon_source(const struct source_plan *sp, struct strbuf *sb)
{
    static const char *const encodings[] = {"utf-8", "windows-1252", "latin-1"};
    char key[64], ch[2] = {0, 0};
    int f;

    strbuf_adds(sb, "[source ");
    strbuf_adds(sb, sp->name);
    strbuf_adds(sb, "]\n");
    kv(sb, "department", sp->department_name);
    kv(sb, "format", source_format_name(sp->format));
    kv(sb, "profile", sp->profile ? sp->profile : "(none)");
    kv(sb, "id_scope", sp->id_scope ? sp->id_scope : "(none)");
    kv(sb, "role", source_role_name(sp->role));
    kv(sb, "spells", sp->has_spells ? "yes" : "no");
    if (sp->format == SRC_CSV) {
        kv(sb, "path", sp->path);
        kv(sb, "encoding",
           (unsigned)sp->encoding < 3 ? encodings[sp->encoding] : "?");
        ch[0] = sp->delimiter;
        kv(sb, "delimiter", ch);
        ch[0] = sp->quote;
        kv(sb, "quote", ch);
        kv(sb, "header", sp->header ? "yes" : "no");
        kvf(sb, "max_field_bytes", (long long)sp->max_field_bytes);
        kvf(sb, "max_columns", (long long)sp->max_columns);
    } else if (sp->format == SRC_XML) {
        size_t j;

        /* the layout decides which element each mapped column is */
        kv(sb, "path", sp->path);
        kv(sb, "xml_record", sp->xml_record);
        for (j = 0; j < sp->nxml_columns; j++) {
            snprintf(key, sizeof(key), "xml_column.%s",
                     sp->xml_columns[j].name);
            kv(sb, key, sp->xml_columns[j].path);
        }
        kvf(sb, "max_field_bytes", (long long)sp->max_field_bytes);
    } else {
        /* conninfo is left out: it may hold a password, and says where the
         * rows come from, not what is done with them */
        kv(sb, "query", sp->query ? sp->query : "(none)");
        kv(sb, "table", sp->table ? sp->table : "(none)");
        kvf(sb, "statement_timeout_ms", sp->statement_timeout_ms);
    }
    kv(sb, "date_format", sp->date_format ? sp->date_format : "(ISO)");
    for (f = 0; f < CF_COUNT; f++) {
        if (!sp->column[f])
            continue;
        snprintf(key, sizeof(key), "field.%s",
                 common_field_name((enum common_field)f));
        kv(sb, key, sp->column[f]);
    }
    canon_values(sp, sb);
    kv(sb, "service", sp->fixed_service ? sp->fixed_service : "(column)");
    for (f = 0; f < CF_COUNT; f++)
        if (sp->field_drop_set[f])
            strbuf_addf(sb, "max_drop_rate.%s = %u ppm\n",
                        common_field_name((enum common_field)f),
                        (unsigned)sp->field_drop_ppm[f]);
    canon_coded_columns(sp, sb);
    if (sp->period_column && *sp->period_column) {
        kv(sb, "period_column", sp->period_column);
        kv(sb, "period_start_codes", sp->period_start_codes);
    }
    if (sp->return_year_end)
        strbuf_addf(sb, "return_year_end = %02d-%02d\n",
                    sp->return_year_end / 100, sp->return_year_end % 100);
    strbuf_addf(sb, "max_reject_rate = %u ppm\nmax_drop_rate = %u ppm\n"
                    "max_row_change = %u ppm\n",
                (unsigned)sp->max_reject_ppm, (unsigned)sp->max_drop_ppm,
                (unsigned)sp->max_row_change_ppm);
}

static void
canon_rest(const struct job_plan *plan, const struct plan_file *pf, size_t nf,
           struct strbuf *sb)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    char key[64];
    size_t i, j;

    strbuf_adds(sb, "[linkage]\n");
    kv(sb, "pseudonym", PSEUDONYM_FUNCTION);
    for (i = 0; i < plan->linkage.nkeys; i++) {
        snprintf(key, sizeof(key), "key.%zu", i + 1);
        kv(sb, key, plan->linkage.keys[i].text);
    }
    kv(sb, "probabilistic", plan->linkage.probabilistic ? "yes" : "no");
    if (plan->linkage.probabilistic) {
        strbuf_addf(sb, "match_threshold = %.6f\n",
                    plan->linkage.match_threshold);
        kvf(sb, "block_cap", plan->linkage.block_cap);
        kvf(sb, "max_cluster", plan->linkage.max_cluster);
        strbuf_addf(sb, "dice_bands = %d, %d, %d\n", plan->linkage.dice[0],
                    plan->linkage.dice[1], plan->linkage.dice[2]);
    }
    strbuf_adds(sb, "[disclosure]\n");
    kv(sb, "preset", dp->preset ? dp->preset : "(custom)");
    strbuf_addf(sb, "suppress = %d-%d\n", dp->suppress_lo, dp->suppress_hi);
    kvf(sb, "rounding", dp->rounding);
    kv(sb, "protect_zeros", dp->protect_zeros ? "yes" : "no");
    kvf(sb, "protection_level", dp->protection_level);
    kv(sb, "perturbation",
       dp->perturbation == PERTURB_CELLKEY ? "cellkey" : "none");
    for (i = 0; i < nf; i++)
        if (!strcmp(pf[i].key, "ptable")) {
            kv(sb, "ptable", pf[i].path);
            strbuf_addf(sb, "ptable.blake2b = %s\n", pf[i].hex);
        }
    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *cp = &plan->cohorts[i];

        strbuf_addf(sb, "[cohort %s]\n", cp->name);
        kv(sb, "title", cp->title);
        kv(sb, "where", cp->where);
        strbuf_adds(sb, "by =");
        for (j = 0; j < cp->nby; j++) {
            strbuf_addf(sb, "%s %s", j ? "," : "", cohort_by_name(cp, j));
            if (cp->by[j] == BY_SERVICE && cp->by_service[j] >= 0) {
                const struct service_def *sd =
                    &plan->services[cp->by_service[j]];

                strbuf_addf(sb, " (%s.%s)",
                            job_plan_department_name(plan, sd->department),
                            sd->name);
            }
        }
        strbuf_adds(sb, "\n");
        kv(sb, "measure", measure_name(cp->measure));
        /* said only for households, so the plan hash of every person
         * cohort stays what it was */
        if (cp->unit == UNIT_HOUSEHOLDS)
            kv(sb, "unit", "households");
        if (cp->forecast)
            kv(sb, "forecast", "yes");
    }
    canon_transitions(plan, sb);
    for (i = 0; i < plan->noutputs; i++) {
        const struct output_plan *op = &plan->outputs[i];

        strbuf_addf(sb, "[output %s]\n", op->name);
        kv(sb, "type", op->type == OUT_CSV ? "csv" : "postgres");
        kv(sb, "gzip", op->gzip ? "yes" : "no");
        kvf(sb, "retain", op->retain);
        if (op->type == OUT_CSV)
            kv(sb, "dir", op->dir ? op->dir : plan->output_dir);
        if (op->type == OUT_POSTGRES) {
            kv(sb, "schema", op->schema ? op->schema : "cohorts");
            kv(sb, "grant_to", op->grant_to ? op->grant_to : "(none)");
            kvf(sb, "lock_timeout", op->lock_timeout);
        }
    }
}

/* The departments the job file declares or redeclares, and its need
 * groups; the default set, unchanged, is the program's (its version is
 * in the form), so a job that declares none has the form it always had. */
static void
canon_departments(const struct job_plan *plan, struct strbuf *sb)
{
    size_t i, j;

    for (i = 0; i < plan->ndepartments; i++) {
        const struct department_plan *dp = &plan->departments[i];

        if (!dp->line)
            continue;
        strbuf_addf(sb, "[department %s]\n", dp->name);
        kv(sb, "title", job_plan_department_title(plan, (int)i));
        strbuf_adds(sb, "services =");
        if (!dp->services_line)
            strbuf_adds(sb, " (open)");
        for (j = 0; j < dp->nservices; j++)
            if (dp->services[j].listed)
                strbuf_addf(sb, " %s", dp->services[j].name);
        strbuf_adds(sb, "\n");
        for (j = 0; j < dp->nservices; j++)
            if (dp->services[j].description) {
                char key[80];

                snprintf(key, sizeof(key), "service.%s", dp->services[j].name);
                kv(sb, key, dp->services[j].description);
            }
    }
    for (i = 0; i < plan->nneeds; i++) {
        strbuf_addf(sb, "[need %s]\n", plan->needs[i].name);
        kv(sb, "title", plan->needs[i].title);
        kv(sb, "where", plan->needs[i].where);
    }
}

int
rules_canonical(const struct job_plan *plan, const struct rules_inputs *in,
                struct strbuf *sb, struct diag *d)
{
    struct plan_file pf[PLAN_FILES];
    size_t nf = plan_files(plan, pf), i;
    int rc;

    if ((rc = plan_files_hash(pf, nf, d)) < 0)
        return rc;
    strbuf_addf(sb, "cohort-plan %d\n", CANONICAL_VERSION);
    kv(sb, "program", in->version ? in->version : "");
    canon_job(plan, pf, nf, sb);
    for (i = 0; i < plan->nsources; i++)
        canon_source(&plan->sources[i], sb);
    canon_departments(plan, sb);
    canon_rest(plan, pf, nf, sb);
    if (strbuf_failed(sb)) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    return 0;
}

int
rules_plan_hash(const struct job_plan *plan, const struct rules_inputs *in,
                char hash[65], struct diag *d)
{
    struct strbuf sb = STRBUF_INIT;
    unsigned char h[32];
    int rc;

    if ((rc = rules_canonical(plan, in, &sb, d)) == 0) {
        crypto_generichash(h, sizeof(h), (const unsigned char *)strbuf_str(&sb),
                           sb.len, NULL, 0);
        sodium_bin2hex(hash, 65, h, sizeof(h));
    }
    strbuf_release(&sb);
    return rc;
}

/* A shell word for the recompute command: the path in single quotes when
 * it holds anything but plain characters. */
static void
shell_word(struct strbuf *sb, const char *s)
{
    const char *p;

    if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_-./") == strlen(s) &&
        *s) {
        strbuf_adds(sb, s);
        return;
    }
    strbuf_adds(sb, "'");
    for (p = s; *p; p++)
        strbuf_adds(sb, *p == '\'' ? "'\\''" : (char[2]){*p, 0});
    strbuf_adds(sb, "'");
}

/* 1 when the job file declares a department or a need group. */
static int
declares_any(const struct job_plan *plan)
{
    size_t i;

    for (i = 0; i < plan->ndepartments; i++)
        if (plan->departments[i].line)
            return 1;
    return plan->nneeds > 0;
}

int
doc_plan_hash(const struct job_plan *plan, const struct rules_inputs *in,
              struct rdoc *doc, struct strbuf *sb, struct diag *d)
{
    struct plan_file pf[PLAN_FILES];
    size_t nf = plan_files(plan, pf), i;
    struct strbuf cmd = STRBUF_INIT;
    struct rnode *s, *r, *arr;
    char hash[65];
    int rc;

    if ((rc = plan_files_hash(pf, nf, d)) < 0 ||
        (rc = rules_plan_hash(plan, in, hash, d)) < 0)
        return rc;
    s = rn_section(doc, "plan_hash", "Plan hash");
    rn_str(doc, s, "value", hash);
    rn_str(doc, s, "text",
           "BLAKE2b-256 of the plan's canonical form; every "
           "run's manifest records the plan hash of the run, "
           "so a reviewer can check that what ran is what "
           "was approved");
    strbuf_addf(sb,
                "every setting of the job file once defaults and profiles "
                "are applied, in a fixed order: [job], each [source] with "
                "its field mappings and value maps, [linkage], "
                "[disclosure], each [cohort] and [output] (retention "
                "included)%s; the contents of the files below, by their "
                "BLAKE2b-256; and the program's version (%s)",
                declares_any(plan) ? ", each [department] the job file "
                                     "declares and each [need] group"
                                   : "",
                in->version ? in->version : "");
    r = rn_rule(doc, s, "covers", "what it covers", sb);
    arr = rn_arr(doc, r, "parts");
    rn_str(doc, arr, NULL, "canonical configuration");
    rn_str(doc, arr, NULL, "value maps");
    rn_str(doc, arr, NULL, "file contents");
    rn_str(doc, arr, NULL, "program version");
    arr = rn_arr(doc, s, "files");
    for (i = 0; i < nf; i++) {
        strbuf_addf(sb, "%s, BLAKE2b-256 %s", pf[i].path, pf[i].hex);
        r = rn_rule(doc, arr, NULL, pf[i].key, sb);
        rn_str(doc, r, "path", pf[i].path);
        rn_str(doc, r, "blake2b", pf[i].hex);
    }
    strbuf_adds(sb, "the key (its id is in each manifest beside the plan "
                    "hash; rotating it does not change the rules), the "
                    "extracts (each manifest lists their BLAKE2b-256), "
                    "connection strings (they may hold a password), the job "
                    "file's path, layout and comments, and the date when the "
                    "reference date is 'today'");
    rn_rule(doc, s, "not_covered", "what it does not cover", sb);
    strbuf_adds(&cmd, "cohort rules ");
    shell_word(&cmd, plan->config_path ? plan->config_path : "JOB.conf");
    strbuf_adds(&cmd, " --format canonical | b2sum -l 256");
    strbuf_addf(sb,
                "%s prints the same 64 hex digits: --format canonical "
                "prints the text the hash is taken of, one setting a "
                "line, and b2sum (GNU coreutils) computes the same "
                "unkeyed BLAKE2b-256 without cohort's code",
                strbuf_str(&cmd));
    r = rn_rule(doc, s, "recompute", "to recompute it", sb);
    rn_str(doc, r, "command", strbuf_str(&cmd));
    doc->failed |= strbuf_failed(&cmd);
    strbuf_release(&cmd);
    return 0;
}
