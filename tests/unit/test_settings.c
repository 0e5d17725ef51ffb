/*
 * test_settings.c - core/settings.c's parsers, and every stage's settings
 * table through the job file: for each stage a key it owns taking effect,
 * a bad value refused with the file:line message the README promises, and
 * a key no stage owns refused as unknown. Then the tables themselves:
 * every key has help, no key of a section is owned twice, and the keys
 * the README's job-file reference documents are exactly the tables' keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/config.h"
#include "anonymise/disclosure_settings.h"
#include "core/settings.h"

/* ---- core/settings.c on a struct of its own ---- */

struct sample {
    char *text;
    int number;
    size_t size;
    int flag;
    char ch;
    uint32_t rate;
    int colour;
    int colour_line;
};

static const struct setting_choice colours[] = {
    {"red", 1}, {"green", 2}, {"verde", 2}, {NULL, 0}};

static int
check_not_x(const struct setting *s, void *obj, const char *value,
            struct setting_ctx *ctx)
{
    (void)s;
    (void)obj;
    return strcmp(value, "x") ? 0 : setting_bad_value(ctx, NULL, "not x");
}

#define AT(m) offsetof(struct sample, m)

static const struct setting sample_settings[] = {
    {.name = "text", .type = SETTING_STRING, .offset = AT(text),
     .check = check_not_x, .boot = "hello", .help = "h"},
    {.name = "number", .type = SETTING_INT, .offset = AT(number), .min = -2,
     .max = 7, .boot = "3", .help = "h"},
    {.name = "size", .type = SETTING_SIZE, .offset = AT(size), .min = 1,
     .max = 100, .help = "h"},
    {.name = "flag", .type = SETTING_BOOL, .offset = AT(flag), .help = "h"},
    {.name = "ch", .type = SETTING_CHAR, .offset = AT(ch), .help = "h"},
    {.name = "rate", .type = SETTING_RATE, .offset = AT(rate),
     .expect = "a rate", .help = "h"},
    {.name = "colour", .type = SETTING_ENUM, .offset = AT(colour),
     .choices = colours, .expect = "red or green", .flags =
     SETTING_NOCASE | SETTING_KEEP_LINE, .line_offset = AT(colour_line),
     .help = "h"},
    {.name = "pre.", .type = SETTING_STRING, .offset = AT(text), .help = "h"},
    {.name = NULL},
};

struct generic_case {
    const char *key, *value;
    int rc;
    const char *msg; /* on CE_CONFIG */
};

static const struct generic_case generic_cases[] = {
    {"text", "abc", 0, NULL},
    {"text", "x", CE_CONFIG, "bad value for 'text' in [sample s]: expected not x"},
    {"number", "-2", 0, NULL},
    {"number", "8", CE_CONFIG,
     "bad value for 'number' in [sample s]: expected a whole number from -2 "
     "to 7"},
    {"number", " 1", CE_CONFIG, NULL},
    {"size", "100", 0, NULL},
    {"size", "0", CE_CONFIG, NULL},
    {"flag", "Yes", 0, NULL},
    {"flag", "perhaps", CE_CONFIG,
     "bad value for 'flag' in [sample s]: expected yes or no"},
    {"ch", "tab", 0, NULL},
    {"ch", ";", 0, NULL},
    {"ch", ";;", CE_CONFIG,
     "bad value for 'ch' in [sample s]: expected one character, or tab"},
    {"rate", "12.5%", 0, NULL},
    {"rate", "101%", CE_CONFIG,
     "bad value for 'rate' in [sample s]: expected a rate"},
    {"colour", "VERDE", 0, NULL},
    {"colour", "blue", CE_CONFIG,
     "bad value for 'colour' in [sample s]: expected red or green"},
    {"pre.anything", "p", 0, NULL},
};

static void
test_generic_types(void **state)
{
    struct sample smp;
    struct setting_ctx ctx;
    size_t i;

    (void)state;
    memset(&smp, 0, sizeof(smp));
    setting_ctx_init(&ctx, "sample s", NULL, 0);
    assert_int_equal(settings_boot(sample_settings, &smp, &ctx), 0);
    assert_string_equal(smp.text, "hello");
    assert_int_equal(smp.number, 3);
    for (i = 0; i < sizeof(generic_cases) / sizeof(generic_cases[0]); i++) {
        const struct generic_case *gc = &generic_cases[i];
        const struct setting *s = settings_find(sample_settings, gc->key);
        int rc;

        assert_non_null(s);
        setting_ctx_init(&ctx, "sample s", gc->key, 40 + (int)i);
        rc = setting_apply(s, &smp, gc->value, &ctx);
        if (rc != gc->rc || (gc->msg && strcmp(ctx.msg, gc->msg)))
            fail_msg("case %zu: rc %d msg '%s'", i, rc, ctx.msg);
    }
    /* what the good cases stored (a refused value leaves the old one) */
    assert_string_equal(smp.text, "p");
    assert_int_equal(smp.number, -2);
    assert_int_equal(smp.size, 100);
    assert_int_equal(smp.flag, 1);
    assert_int_equal(smp.ch, ';');
    assert_int_equal(smp.rate, 125000);
    assert_int_equal(smp.colour, 2);
    assert_int_equal(smp.colour_line, 54); /* the line of "VERDE" */
    assert_null(settings_find(sample_settings, "pre"));
    assert_null(settings_find(sample_settings, "textual"));
    settings_release(sample_settings, &smp);
    assert_null(smp.text);
}

/* ---- every stage's table through the job file ---- */

static const char base[] =
    "[job]\n"                                   /* 1 */
    "name = t\n"
    "key_file = k.key\n"
    "output_dir = out\n"
    "lookup = pc.csv\n"
    "reference_date = 2026-10-31\n"
    "[source s]\n"                              /* 7 */
    "department = housing\n"
    "path = s*.csv\n"
    "field.nhs_number = NHS\n"
    "field.service = SVC\n"
    "field.start_date = START\n"
    "value.service.TA = temporary_accommodation\n"
    "[linkage]\n"                               /* 14 */
    "[disclosure]\n"                            /* 15 */
    "[cohort c]\n"                              /* 16 */
    "where = all\n"
    "[output o]\n"                              /* 18 */
    "type = csv\n";

struct stage_case {
    const char *header; /* the section the line goes into, just after it */
    const char *line;
    const char *msg;    /* NULL: loads, and ok() holds */
    int (*ok)(const struct job_plan *p);
};

static int
ok_periods(const struct job_plan *p)
{
    return p->periods == 6;
}

static int
ok_encoding(const struct job_plan *p)
{
    return p->sources[0].encoding == ENC_LATIN1;
}

static int
ok_date_format(const struct job_plan *p)
{
    return !strcmp(p->sources[0].date_format, "%Y%m%d") &&
           p->sources[0].max_reject_ppm == 50000;
}

static int
ok_date_list(const struct job_plan *p)
{
    return !strcmp(p->sources[0].date_format, "%d/%m/%Y, %d-%b-%Y");
}

static int
ok_dob_format(const struct job_plan *p)
{
    return !strcmp(p->sources[0].field_date_format[CF_DOB], "%d-%b-%Y") &&
           !p->sources[0].date_format;
}

/* a value map entry of field vf: code -> canonical, from origin */
static int
has_entry(const struct source_plan *sp, int vf, const char *code,
          const char *canonical, int origin)
{
    size_t i;

    for (i = 0; i < sp->values[vf].n; i++)
        if (!strcmp(sp->values[vf].entries[i].code, code))
            return !strcmp(sp->values[vf].entries[i].canonical, canonical) &&
                   sp->values[vf].entries[i].origin == origin;
    return 0;
}

static int
ok_value_map(const struct job_plan *p)
{
    return has_entry(&p->sources[0], VF_ETHNICITY,
                     "Asian or Asian British: Pakistani", "ASIAN",
                     VALUE_FROM_LIST) &&
           !strcmp(p->sources[0].values[VF_ETHNICITY].list, "cld_ethnicity");
}

static int
ok_colon_key(const struct job_plan *p)
{
    return has_entry(&p->sources[0], VF_ETHNICITY,
                     "Asian or Asian British: Indian", "ASIAN",
                     VALUE_FROM_KEY);
}

static int
ok_may_be_empty(const struct job_plan *p)
{
    return p->sources[0].may_be_empty == 1;
}

static int
ok_unmapped(const struct job_plan *p)
{
    return !p->sources[0].column[CF_SURNAME] &&
           p->sources[0].column_line[CF_SURNAME] == 8;
}

static int
ok_row_change(const struct job_plan *p)
{
    return p->sources[0].max_row_change_ppm == 500000;
}

static int
ok_keys(const struct job_plan *p)
{
    return p->linkage.nkeys == 2 && !strcmp(p->linkage.keys[1].text,
                                            "dob+sex");
}

static int
ok_probabilistic(const struct job_plan *p)
{
    /* off, and the stage's other keys keep their defaults */
    return !p->linkage.probabilistic && p->linkage.match_threshold == 0.99 &&
           p->linkage.block_cap == 200 && p->linkage.max_cluster == 20 &&
           p->linkage.dice[0] == 80 && p->linkage.dice[2] == 50;
}

static int
ok_threshold(const struct job_plan *p)
{
    return p->linkage.probabilistic && p->linkage.match_threshold == 0.95;
}

static int
ok_dice(const struct job_plan *p)
{
    return p->linkage.dice[0] == 90 && p->linkage.dice[1] == 70 &&
           p->linkage.dice[2] == 40;
}

static int
ok_rounding(const struct job_plan *p)
{
    return p->disclosure.rounding == 10 && p->disclosure.suppress_hi == 9;
}

static int
ok_measure(const struct job_plan *p)
{
    return p->cohorts[0].measure == MEASURE_NEW;
}

static int
ok_retain(const struct job_plan *p)
{
    return p->outputs[0].retain == 7;
}

static const struct stage_case stage_cases[] = {
    /* app/job_settings.c */
    {"[job]", "periods = 6", NULL, ok_periods},
    {"[job]", "periods = 0",
     "bad value for 'periods' in [job]: expected a whole number from 1 to "
     "120", NULL},
    {"[job]", "age_bands = 0-4, 6+",
     "age_bands must start at 0 and leave no gap or overlap (a band should "
     "start at 5)", NULL},
    {"[job]", "reference_day = today", "unknown key 'reference_day' in [job]",
     NULL},
    /* connectors/source_settings.c */
    {"[source s]", "encoding = Latin-1", NULL, ok_encoding},
    {"[source s]", "encoding = ebcdic",
     "bad value for 'encoding' in [source s]: expected utf-8, windows-1252 "
     "or latin-1", NULL},
    {"[source s]", "statement_timeout = 86401",
     "bad value for 'statement_timeout' in [source s]: expected a whole "
     "number from 0 to 86400", NULL},
    {"[source s]", "delimiter = ;;",
     "bad value for 'delimiter' in [source s]: expected one character, or "
     "tab", NULL},
    /* transform/map_settings.c */
    {"[source s]", "date_format = %Y%m%d", NULL, ok_date_format},
    {"[source s]", "date_format = dd/mm/yyyy",
     "bad value for 'date_format' in [source s]: expected formats such as "
     "%d/%m/%Y, %d-%b-%Y (a day, a month and a year each)", NULL},
    {"[source s]", "date_format = %d/%m/%Y, %d-%b-%Y", NULL, ok_date_list},
    {"[source s]", "date_format = %d/%m/%Y,", "bad value for 'date_format' in "
     "[source s]: expected formats such as %d/%m/%Y, %d-%b-%Y (a day, a "
     "month and a year each)", NULL},
    {"[source s]", "date_format.dob = %d-%b-%Y", NULL, ok_dob_format},
    {"[source s]", "date_format.sex = %d-%b-%Y",
     "key 'date_format.sex': a date format is set for dob, start_date or "
     "end_date", NULL},
    {"[source s]", "value_map.ethnicity = cld_ethnicity", NULL, ok_value_map},
    {"[source s]", "value_map.ethnicity = no_such_list",
     "code list 'no_such_list': neither a .csv file nor a shipped code list "
     "(cin_category_of_abuse, cin_primary_need, cin_reason_for_closure, "
     "cin_referral_source, cld_ethnicity, cld_service_type, dfe_ethnicity, "
     "hclic_duty_type, hclic_ta_type, "
     "school_census_sen_provision, ssda903_category_of_need, "
     "ssda903_legal_status, ssda903_legal_status_group, "
     "ssda903_placement_provider, ssda903_placement_type, "
     "ssda903_reason_episode_ceased, ssda903_reason_place_change, "
     "ssda903_rne)", NULL},
    {"[source s]", "value.ethnicity.Asian or Asian British: Indian = ASIAN",
     NULL, ok_colon_key},
    {"[source s]", "may_be_empty = yes", NULL, ok_may_be_empty},
    {"[source s]", "field.surname =", NULL, ok_unmapped},
    {"[source s]", "value.sex.1 = Q",
     "bad value for 'value.sex' in [source s]: expected M, F, U or X", NULL},
    {"[source s]", "field.shoe_size = SHOE",
     "unknown common field 'shoe_size' in key 'field.shoe_size'", NULL},
    {"[source s]", "fields.dob = DOB", "unknown key 'fields.dob' in [source s]",
     NULL},
    /* app/job_settings.c: the drift guard's [source] key */
    {"[source s]", "max_row_change = 50%", NULL, ok_row_change},
    {"[source s]", "max_row_change = lots",
     "bad value for 'max_row_change' in [source s]: expected a rate such as "
     "20% or 0.2", NULL},
    /* anonymise/link_settings.c */
    {"[linkage]", "keys = upn; dob + sex", NULL, ok_keys},
    {"[linkage]", "keys = upn; shoe_size",
     "unknown match key component in key 2 (use identifier fields, sex, "
     "initial, sector, district, dob_year, forename_root, dob_unordered, "
     "surname_phonetic)", NULL},
    {"[linkage]", "keys = ;",
     "bad value for 'keys' in [linkage]: expected match keys separated by "
     "';'", NULL},
    {"[linkage]", "key = upn", "unknown key 'key' in [linkage]", NULL},
    {"[linkage]", "probabilistic = no", NULL, ok_probabilistic},
    {"[linkage]", "match_threshold = 0.95", NULL, ok_threshold},
    {"[linkage]", "match_threshold = 1",
     "bad value for 'match_threshold' in [linkage]: expected a match "
     "probability from 0.5 up to 1 (not 1), e.g. 0.99", NULL},
    {"[linkage]", "match_threshold = 99%",
     "bad value for 'match_threshold' in [linkage]: expected a match "
     "probability from 0.5 up to 1 (not 1), e.g. 0.99", NULL},
    {"[linkage]", "dice_bands = 90, 70, 40", NULL, ok_dice},
    {"[linkage]", "dice_bands = 50, 65, 80",
     "bad value for 'dice_bands' in [linkage]: expected three whole "
     "percentages from 1 to 100, descending, e.g. 80, 65, 50", NULL},
    {"[linkage]", "dice_bands = 80, 65",
     "bad value for 'dice_bands' in [linkage]: expected three whole "
     "percentages from 1 to 100, descending, e.g. 80, 65, 50", NULL},
    {"[linkage]", "block_cap = 1",
     "bad value for 'block_cap' in [linkage]: expected a whole number from 2 "
     "to 100000", NULL},
    {"[linkage]", "max_cluster = 5000",
     "bad value for 'max_cluster' in [linkage]: expected a whole number from "
     "2 to 1000", NULL},
    /* anonymise/disclosure_settings.c */
    {"[disclosure]", "rounding = 10", NULL, ok_rounding},
    {"[disclosure]", "suppress = 9-1",
     "bad value for 'suppress' in [disclosure]: expected an inclusive range "
     "such as 1-9", NULL},
    {"[disclosure]", "preset = statcan",
     "bad value for 'preset' in [disclosure]: expected ons (suppress below "
     "10, round to 5) or nhs (suppress 1-7, round to 5)", NULL},
    {"[disclosure]", "min_counts = 5", "unknown key 'min_counts' in "
                                       "[disclosure]", NULL},
    /* cohorts/cohort_settings.c */
    {"[cohort c]", "measure = new", NULL, ok_measure},
    {"[cohort c]", "measure = old",
     "bad value for 'measure' in [cohort c]: expected persons, new, ended or at_end", NULL},
    {"[cohort c]", "by = sex, age_band, sex", "'by' names sex twice", NULL},
    {"[cohort c]", "group_by = sex", "unknown key 'group_by' in [cohort c]",
     NULL},
    /* export/output_settings.c */
    {"[output o]", "retain = 7", NULL, ok_retain},
    {"[output o]", "retain = -1",
     "bad value for 'retain' in [output o]: expected a whole number from 0 "
     "to 100000", NULL},
    {"[output o]", "schema = Public",
     "bad value for 'schema' in [output o]: expected lower-case letters, "
     "digits and _", NULL},
    {"[output o]", "compress = yes", "unknown key 'compress' in [output o]",
     NULL},
};

/* base with line inserted after header; *line_no receives its line. */
static void
compose(char *buf, size_t n, const char *header, const char *line,
        int *line_no)
{
    const char *h = strstr(base, header);
    const char *p;
    size_t head;

    assert_non_null(h);
    h = strchr(h, '\n') + 1;
    head = (size_t)(h - base);
    *line_no = 1;
    for (p = base; p < h; p++)
        *line_no += *p == '\n';
    assert_true(head + strlen(line) + strlen(h) + 2 < n);
    snprintf(buf, n, "%.*s%s\n%s", (int)head, base, line, h);
}

static int
load_text(struct job_plan *plan, const char *text, char *path, size_t n,
          struct diag *d)
{
    FILE *f;
    int fd, rc;

    snprintf(path, n, "/tmp/cohort-settings-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    rc = job_plan_load(plan, path, d);
    unlink(path);
    return rc;
}

static void
test_stage_tables(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(stage_cases) / sizeof(stage_cases[0]); i++) {
        const struct stage_case *sc = &stage_cases[i];
        struct job_plan plan;
        struct diag d;
        char text[2048], path[64], got[1024], want[1024];
        int line, rc;

        compose(text, sizeof(text), sc->header, sc->line, &line);
        rc = load_text(&plan, text, path, sizeof(path), &d);
        if (!sc->msg) {
            if (rc != 0)
                fail_msg("case %zu (%s): line %ld: %s", i, sc->line, d.line,
                         d.msg);
            if (!sc->ok(&plan))
                fail_msg("case %zu (%s): not applied", i, sc->line);
            job_plan_release(&plan);
            continue;
        }
        diag_format(&d, got, sizeof(got));
        snprintf(want, sizeof(want), "%s:%d: %s", path, line, sc->msg);
        if (rc != CE_CONFIG || strcmp(got, want))
            fail_msg("case %zu: rc %d\n got  '%s'\n want '%s'", i, rc, got,
                     want);
    }
}

/* The checks over the whole plan (export/output_settings.c
 * output_settings_check_plan, cohorts/cohort_settings.c): each case is
 * base with text appended (or, for the cohort name, put in place of
 * "[cohort c]"); msg NULL: it loads. */
static void
test_whole_plan_checks(void **state)
{
    static const struct {
        const char *append, *cohort_header, *msg;
        int line;
    } t[] = {
        {"[output p]\ntype = csv\n", NULL,
         "[output o] and [output p] both write to 'out'; give one of them its "
         "own 'dir'", 20},
        {"[output p]\ntype = csv\ndir = ./out//\n", NULL,
         "[output o] and [output p] both write to './out//'", 20},
        {"[output p]\ntype = csv\ndir = out2\ngzip = yes\n", NULL, NULL, 0},
        {"[output p]\ntype = postgres\nconninfo = dbname=x\n"
         "[output q]\ntype = postgres\nconninfo = dbname=x\n", NULL,
         "[output p] and [output q] both publish to schema 'cohorts' of one "
         "database", 23},
        {"[output p]\ntype = postgres\nconninfo = dbname=x\n"
         "[output q]\ntype = postgres\nconninfo = dbname=x\nschema = b\n",
         NULL, NULL, 0},
        {"[output p]\ntype = postgres\nconninfo = dbname=x\ndir = d\n", NULL,
         "[output p]: dir and gzip are for type = csv", 20},
        {"[output p]\ntype = csv\ndir = d\ngrant_to = policy\n", NULL,
         "[output p]: conninfo, schema and grant_to are for type = postgres",
         20},
        {"", "[cohort adults__staging]",
         "[cohort adults__staging]: a cohort name may not contain __", 16},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct job_plan plan;
        struct diag d;
        char text[4096], path[64];
        const char *c = strstr(base, "[cohort c]");
        int rc;

        if (t[i].cohort_header)
            snprintf(text, sizeof(text), "%.*s%s%s%s", (int)(c - base), base,
                     t[i].cohort_header, c + strlen("[cohort c]"),
                     t[i].append);
        else
            snprintf(text, sizeof(text), "%s%s", base, t[i].append);
        rc = load_text(&plan, text, path, sizeof(path), &d);
        if (!t[i].msg) {
            if (rc != 0)
                fail_msg("case %zu: line %ld: %s", i, d.line, d.msg);
            assert_string_equal(plan.outputs[0].dir, "out");
            job_plan_release(&plan);
            continue;
        }
        if (rc != CE_CONFIG || !strstr(d.msg, t[i].msg) || d.line != t[i].line)
            fail_msg("case %zu: rc %d line %ld '%s'\n want line %d '%s'", i,
                     rc, d.line, d.msg, t[i].line, t[i].msg);
    }
}

/* 256 cohorts are a job; the 257th is refused, on its own line, with the
 * count and the limit -- never a publication cut short. */
static void
test_cohort_limit(void **state)
{
    static char text[1 << 16];
    struct job_plan plan;
    struct diag d;
    char path[64];
    size_t o;
    int n, i;

    (void)state;
    for (n = 256; n <= 257; n++) {
        o = (size_t)snprintf(text, sizeof(text), "%s", base);
        for (i = 2; i <= n; i++)
            o += (size_t)snprintf(text + o, sizeof(text) - o,
                                  "[cohort k%d]\nwhere = all\n", i);
        assert_true(o < sizeof(text));
        if (n == 256) {
            if (load_text(&plan, text, path, sizeof(path), &d) != 0)
                fail_msg("256 cohorts: line %ld: %s", d.line, d.msg);
            assert_int_equal(plan.ncohorts, 256);
            job_plan_release(&plan);
            continue;
        }
        assert_int_equal(load_text(&plan, text, path, sizeof(path), &d),
                         CE_CONFIG);
        assert_non_null(strstr(d.msg, "257 cohorts: a job publishes at most "
                                      "256"));
        assert_int_equal(d.line, 20 + 2 * 255); /* [cohort k257] */
    }
}

/* A job without reference_date ends its periods today, as the README
 * says (it once ended them on 1970-01-01). */
static void
test_reference_date_default(void **state)
{
    struct job_plan plan;
    struct diag d;
    char text[2048], path[64];
    const char *p = strstr(base, "reference_date");

    (void)state;
    snprintf(text, sizeof(text), "%.*s%s", (int)(p - base), base,
             strchr(p, '\n') + 1);
    if (load_text(&plan, text, path, sizeof(path), &d) != 0)
        fail_msg("line %ld: %s", d.line, d.msg);
    assert_int_equal(plan.reference_is_today, 1);
    assert_true(plan.reference_date > 20000);
    job_plan_release(&plan);
}

/* `cohort protect` applies the [disclosure] table to its options. */
static void
test_disclosure_keys(void **state)
{
    struct disclosure_keys k;
    struct disclosure_plan dp;
    char expect[96];

    (void)state;
    memset(&k, 0, sizeof(k));
    memset(&dp, 0, sizeof(dp));
    assert_int_equal(disclosure_keys_set(&k, "preset", "nhs", expect,
                                         sizeof(expect)), 0);
    assert_int_equal(disclosure_keys_set(&k, "rounding", "0", expect,
                                         sizeof(expect)), CE_CONFIG);
    assert_string_equal(expect, "a whole number from 1 to 1000");
    assert_int_equal(disclosure_keys_set(&k, "shoe", "1", expect,
                                         sizeof(expect)), CE_CONFIG);
    assert_string_equal(expect, ""); /* unknown: nothing expected */
    assert_int_equal(disclosure_keys_set(&k, "ptable", "p.csv", expect,
                                         sizeof(expect)), 0);
    assert_int_equal(disclosure_plan_finish(&dp, &k), 0);
    assert_string_equal(dp.preset, "nhs"); /* moved into the plan */
    assert_null(k.preset);
    assert_int_equal(dp.suppress_hi, 7);
    assert_int_equal(dp.rounding, 5);
    assert_int_equal(dp.protection_level, 7);
    disclosure_keys_release(&k);
    disclosure_plan_release(&dp);

    memset(&k, 0, sizeof(k));
    assert_int_equal(disclosure_keys_set(&k, "perturbation", "cellkey",
                                         expect, sizeof(expect)), 0);
    assert_int_equal(disclosure_plan_finish(&dp, &k), CE_CONFIG); /* no ptable */
    disclosure_keys_release(&k);
    disclosure_plan_release(&dp);
}

static const char *const kinds[] = {"job", "source", "linkage", "disclosure",
                                    "cohort", "transition", "output",
                                    "department", "need"};

/* Every key has help; enums say what they expect; no key of a section is
 * owned by two tables. */
static void
test_tables_well_formed(void **state)
{
    size_t i;

    (void)state;
    assert_null(config_section_tables("sources"));
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const struct setting *const *t = config_section_tables(kinds[i]);
        const struct setting *const *u;
        const struct setting *s, *o;

        assert_non_null(t);
        for (; *t; t++)
            for (s = *t; s->name; s++) {
                if (!s->help || !*s->help)
                    fail_msg("[%s] %s: no help", kinds[i], s->name);
                if (s->type == SETTING_ENUM && (!s->choices || !s->expect))
                    fail_msg("[%s] %s: enum without choices", kinds[i],
                             s->name);
                if (s->type == SETTING_CUSTOM && !s->check)
                    fail_msg("[%s] %s: custom without check", kinds[i],
                             s->name);
                for (u = config_section_tables(kinds[i]); *u; u++)
                    for (o = *u; o->name; o++)
                        if (o != s && !strcmp(o->name, s->name))
                            fail_msg("[%s] %s: owned twice", kinds[i],
                                     s->name);
            }
    }
}

/* ---- the README's job-file reference names exactly the tables' keys ---- */

/* The README's keys of section kind, from the first cells of the key
 * table under its "### `[kind" heading, into keys (a prefix key such as
 * field.FIELD as "field."). Returns how many. */
static size_t
readme_keys(const char *readme, const char *kind, char keys[][64], size_t max)
{
    char heading[64];
    const char *p, *end;
    size_t n = 0;

    snprintf(heading, sizeof(heading), "\n### `[%s", kind);
    p = strstr(readme, heading);
    if (!p)
        fail_msg("README: no heading for [%s]", kind);
    p += strlen(heading);
    end = strstr(p, "\n#");
    if (!end)
        end = p + strlen(p);
    while ((p = strstr(p, "\n| `")) && p < end) {
        const char *cell_end = strstr(p + 2, " |");

        p += 3;
        while (p < cell_end && (p = memchr(p, '`', (size_t)(cell_end - p)))) {
            const char *close = memchr(p + 1, '`', (size_t)(cell_end - p - 1));
            const char *dot;
            size_t len;

            assert_non_null(close);
            len = (size_t)(close - p - 1);
            dot = memchr(p + 1, '.', len);
            if (dot)
                len = (size_t)(dot - p); /* "field.FIELD" -> "field." */
            assert_true(len < 64 && n < max);
            memcpy(keys[n], p + 1, len);
            keys[n][len] = '\0';
            if (!n || strcmp(keys[n - 1], keys[n]))
                n++;
            p = close + 1;
        }
    }
    return n;
}

/* The README, in static memory so a failing check leaks nothing. */
static char readme_text[1 << 18];

static const char *
read_readme(void)
{
    const char *top = getenv("COHORT_TOP");
    char path[512];
    FILE *f;
    size_t len;

    snprintf(path, sizeof(path), "%s/README.md", top ? top : ".");
    f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    len = fread(readme_text, 1, sizeof(readme_text) - 1, f);
    fclose(f);
    assert_true(len < sizeof(readme_text) - 1);
    readme_text[len] = '\0';
    return readme_text;
}

static void
test_readme_names_every_key(void **state)
{
    const char *readme = read_readme();
    char keys[64][64];
    size_t i, j, n;

    (void)state;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const struct setting *const *t;
        const struct setting *s;

        n = readme_keys(readme, kinds[i], keys, 64);
        assert_true(n > 0);
        for (j = 0; j < n; j++) {
            const struct setting *found = NULL;

            for (t = config_section_tables(kinds[i]); *t && !found; t++)
                for (s = *t; s->name && !found; s++)
                    if (!strcmp(s->name, keys[j]))
                        found = s;
            if (!found)
                fail_msg("README documents '%s' in [%s]: no table has it",
                         keys[j], kinds[i]);
        }
        for (t = config_section_tables(kinds[i]); *t; t++)
            for (s = *t; s->name; s++) {
                for (j = 0; j < n && strcmp(s->name, keys[j]); j++)
                    ;
                if (j == n)
                    fail_msg("[%s] %s: not in the README's reference",
                             kinds[i], s->name);
            }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generic_types),
        cmocka_unit_test(test_stage_tables),
        cmocka_unit_test(test_whole_plan_checks),
        cmocka_unit_test(test_cohort_limit),
        cmocka_unit_test(test_reference_date_default),
        cmocka_unit_test(test_disclosure_keys),
        cmocka_unit_test(test_tables_well_formed),
        cmocka_unit_test(test_readme_names_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
