/*
 * test_map.c - transform/map.c on hand-made rows: unmapped codes are
 * quarantined as unmapped_value and counted per field and code; a value
 * that is not a plain code or has an identifier's shape (a name, an NHS or
 * NI number however spaced, a postcode, a phone number, an e-mail, a date,
 * a long number, free text) is counted but never kept; and a kept code is
 * named only when enough distinct persons -- not rows -- carry it.
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

#include "connectors/source.h"
#include "app/config.h"
#include "transform/map.h"
#include "transform/quarantine.h"

static const char conf[] =
    "[job]\nname = t\nreference_date = 2026-10-31\nkey_file = k\n"
    "output_dir = o\nlookup = l\n"
    "[source s]\ndepartment = housing\npath = x.csv\n"
    "date_format = %d/%m/%Y\nfield.forename = FN\nfield.surname = SN\n"
    "field.dob = DOB\nfield.postcode = PC\nfield.sex = SEX\n"
    "field.service = SVC\nfield.start_date = START\n"
    "value.service.TA = temporary_accommodation\n"
    "[cohort c]\nwhere = housing.any\n";

static const char *const header[] = {"FN", "SN", "DOB", "PC", "SEX", "SVC",
                                     "START"};

static char report[2048];

static int
collect(void *ctx, const char *field, const char *what, uint64_t n)
{
    size_t len = strlen(report);

    (void)ctx;
    snprintf(report + len, sizeof(report) - len, "%s=%s:%llu;", field, what,
             (unsigned long long)n);
    return 0;
}

static int
map_one(const struct source_mapping *m, struct quarantine *q, const char *sex,
        const char *svc, long line)
{
    const char *vals[7] = {"Ann", "Smith", "12/03/2014", "LS20 1BY", sex, svc,
                           "01/02/2026"};
    struct cell cells[7];
    struct raw_row row;
    struct record rec;
    size_t i;

    for (i = 0; i < 7; i++) {
        cells[i].ptr = vals[i];
        cells[i].len = strlen(vals[i]);
    }
    memset(&row, 0, sizeof(row));
    row.cells = cells;
    row.ncells = 7;
    row.file_index = 0;
    row.line = line;
    return map_row(m, &row, &rec, q);
}

/* A mapping of conf over header, for map_one(). */
static void
load(struct job_plan *plan, struct source *src, struct cell *cols,
     struct source_mapping *m)
{
    struct diag d;
    char path[] = "/tmp/cohort-map-XXXXXX";
    int fd = mkstemp(path), i;
    FILE *f;

    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs(conf, f);
    fclose(f);
    if (job_plan_load(plan, path, &d) != 0)
        fail_msg("%ld: %s", d.line, d.msg);
    unlink(path);
    memset(src, 0, sizeof(*src));
    for (i = 0; i < 7; i++) {
        cols[i].ptr = header[i];
        cols[i].len = strlen(header[i]);
    }
    src->columns = cols;
    src->ncolumns = 7;
    src->plan = &plan->sources[0];
    assert_int_equal(mapping_init(m, plan, &plan->sources[0], src->columns, src->ncolumns,
                                  &d), 0);
}

/* Sets the person count of the source's code `code` (as linkage would). */
static void
set_persons(struct quarantine *q, const char *code, uint64_t persons)
{
    size_t i;

    for (i = 0; i < q->unmapped.ncodes; i++)
        if (!strcmp(q->unmapped.codes[i].code, code)) {
            q->unmapped.codes[i].persons = persons;
            return;
        }
    fail_msg("no code %s kept", code);
}

static void
test_unmapped_codes(void **state)
{
    struct job_plan plan;
    struct source src;
    struct cell cols[7];
    struct source_mapping m;
    struct quarantine q;
    int i;
    static const char *const hidden[] = {
        "Smith",        /* the row's own surname: a shifted column */
        "ann",          /* its forename, another case */
        "12/03/2014",   /* a date */
        "2014-03-12",
        "LS20 1BY",     /* a postcode */
        "ls201by",
        "9434765919",   /* an NHS number */
        "A950000178301",
        "Zo\xc3\xab",   /* not plain ASCII */
        "temporary accommodation (long)", /* over 24 bytes */
        "a,b",
    };

    (void)state;
    load(&plan, &src, cols, &m);
    quarantine_init(&q, &plan.sources[0]);

    assert_int_equal(map_one(&m, &q, "F", "TA", 2), 0);
    for (i = 0; i < 12; i++)
        assert_int_equal(map_one(&m, &q, "F", "TA2", 3 + i),
                         1 + QR_UNMAPPED_VALUE);
    assert_int_equal(q.unmapped.last, 0); /* TA2 was kept, as code 0 */
    assert_int_equal(map_one(&m, &q, "F", "HP-1", 20), 1 + QR_UNMAPPED_VALUE);
    assert_int_equal(map_one(&m, &q, "F", "HP-1", 21), 1 + QR_UNMAPPED_VALUE);
    assert_int_equal(map_one(&m, &q, "F", "", 22), 1 + QR_UNMAPPED_VALUE);
    assert_int_equal(q.unmapped.last, -1);
    assert_int_equal(map_one(&m, &q, "Q", "TA", 23), 1 + QR_UNMAPPED_VALUE);
    for (i = 0; i < (int)(sizeof(hidden) / sizeof(hidden[0])); i++) {
        assert_int_equal(map_one(&m, &q, "F", hidden[i], 30 + i),
                         1 + QR_UNMAPPED_VALUE);
        assert_int_equal(q.unmapped.last, -1);
    }
    assert_int_equal(q.rows_accepted, 1);
    assert_int_equal(q.by_reason[QR_UNMAPPED_VALUE], 12 + 2 + 1 + 1 + 11);
    /* the row's position: the service column (6th), never the value */
    assert_int_equal(q.rows[0].line, 3);
    assert_int_equal(q.rows[0].column, 6);
    assert_int_equal(q.rows[15].column, 5); /* the sex column */

    /* Twelve rows are not twelve persons: until persons are counted, and
     * while fewer than 10 carry it, TA2 is not named, however many rows */
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, 10, collect, NULL),
                     0);
    assert_string_equal(report, "sex=(rare):1;service=(rare):14;"
                                "service=(empty):1;service=(not shown):11;");
    set_persons(&q, "TA2", 9);
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, 10, collect, NULL),
                     0);
    assert_string_equal(report, "sex=(rare):1;service=(rare):14;"
                                "service=(empty):1;service=(not shown):11;");
    /* ten distinct persons name it */
    set_persons(&q, "TA2", 10);
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, 10, collect, NULL),
                     0);
    assert_string_equal(report, "sex=(rare):1;service=TA2:12;service=(rare):2;"
                                "service=(empty):1;service=(not shown):11;");
    set_persons(&q, "HP-1", 1);
    set_persons(&q, "Q", 1);
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, 1, collect, NULL),
                     0);
    assert_string_equal(report, "sex=Q:1;service=TA2:12;service=HP-1:2;"
                                "service=(empty):1;service=(not shown):11;");
    /* `cohort check` counts no person: nothing is named at all */
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, UNMAPPED_UNCOUNTED,
                                              collect, NULL),
                     0);
    assert_string_equal(report, "sex=(code):1;service=(code):14;"
                                "service=(empty):1;service=(not shown):11;");
    /* nothing else was kept */
    for (i = 0; i < (int)q.unmapped.ncodes; i++)
        assert_true(!strcmp(q.unmapped.codes[i].code, "TA2") ||
                    !strcmp(q.unmapped.codes[i].code, "HP-1") ||
                    !strcmp(q.unmapped.codes[i].code, "Q"));
    /* a column of names mapped to service by mistake: 70 distinct values,
     * each carried by 12 rows, make the field free text -- none of its
     * values is named, however common, the code-like ones included */
    for (i = 0; i < 70 * 12; i++) {
        char name[16];

        snprintf(name, sizeof(name), "Fam%c%c", 'a' + (i % 70) / 26,
                 'a' + (i % 70) % 26);
        assert_int_equal(map_one(&m, &q, "F", name, 100 + i),
                         1 + QR_UNMAPPED_VALUE);
    }
    for (i = 0; i < (int)q.unmapped.ncodes; i++)
        q.unmapped.codes[i].persons = 1000;
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, 10, collect, NULL),
                     0);
    assert_string_equal(report, "sex=Q:1;service=(empty):1;"
                                "service=(not shown):865;");
    quarantine_release(&q);
    mapping_release(&m);
    job_plan_release(&plan);
}

/*
 * The naming rules, one value at a time. Every identifier below is
 * refused however it is written -- spaced, hyphenated, lower case, in free
 * text -- and the shape rules alone find each one that is not plainly
 * free text, spaces and punctuation set aside.
 */
static const struct shape_case {
    const char *value;
    int plain;     /* map_value_is_plain_code */
    int shape;     /* map_value_has_identifier_shape; -1: either */
} shape_cases[] = {
    /* NHS numbers, written as people write them; any 10 digits */
    {"999 000 0182", 0, 1},
    {"999-000-0182", 1, 1},
    {"9990000182", 1, 1},
    {"943 476 5919", 0, 1},
    {"1234567890", 1, 1},        /* no valid check digit: still 10 digits */
    /* NI numbers */
    {"ab 12 34 56 c", 0, 1},
    {"AB 12 34 56 C", 0, 1},
    {"AB123456C", 1, 1},
    {"ab-12-34-56-c", 1, 1},
    /* UK postcodes */
    {"SW1A 1AA", 0, 1},
    {"sw1a1aa", 1, 1},
    {"SW1A-1AA", 1, 1},
    {"ls20 1by", 0, 1},
    {"GIR 0AA", 0, 1},
    /* phone numbers */
    {"07700 900123", 0, 1},
    {"+44 7700 900123", 0, 1},
    {"07700-900-123", 1, 1},
    {"(0113) 496 0000", 0, 1},
    /* e-mail */
    {"a.b@example.org", 0, 1},
    {"uma.lake@example.org", 0, 1},
    /* dates */
    {"12-03-2011", 1, 1},
    {"12/03/2011", 0, 1},
    {"2011-03-12", 1, 1},
    {"12 Mar 2011", 0, 1},
    {"12-Mar-2011", 1, 1},
    {"12mar2011", 1, 1},
    {"12 March 2011", 0, 1},
    {"March 12 2011", 0, 1},
    {"12.03.11", 1, 1},
    {"1-3-11", 1, 1},
    {"Mar-2011", 1, 1},
    {"03/2011", 0, 1},
    {"12032011", 1, 1},
    {"20110312", 1, 1},
    /* UPN, ULN, UPRN, long numbers */
    {"A123456789012", 1, 1},
    {"a123456789012", 1, 1},
    {"100023336956", 1, 1},
    {"123456", 1, 1},
    {"X-12345-6", 1, -1},
    /* not plain codes: names, addresses, free text, other characters */
    {"Uma Lake", 0, 0},
    {"Mrs Quinn DV refuge", 0, -1},
    {"Mrs Q\xe2\x80\xa6 DV refuge", 0, -1},
    {"12 High Street", 0, 0},
    {"Flat 3, 12 High St", 0, 0},
    {"Zo\xc3\xab", 0, 0},
    {"TA 2", 0, 0},
    {"TA/2", 0, 0},
    {"temporary_accommodation_x", 0, 0}, /* 25 characters */
    {"", 0, 0},
    {"--", 0, 0},
    /* plain codes: named when enough persons carry them */
    {"TA2", 1, 0},
    {"LTS_OLD", 1, 0},
    {"SH.1", 1, 0},
    {"HP-1", 1, 0},
    {"XX", 1, 0},
    {"K", 1, 0},
    {"FSM", 1, 0},
    {"CIN-2", 1, 0},
    {"TA2011", 1, 0},
    {"LTS.OLD-2", 1, 0},
    {"temporary_accommodation", 1, 0},
    {"ABC12345", 1, 0},
};

static void
test_identifier_shapes(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(shape_cases) / sizeof(shape_cases[0]); i++) {
        const struct shape_case *c = &shape_cases[i];
        size_t n = strlen(c->value);
        int plain = map_value_is_plain_code(c->value, n);
        int shape = map_value_has_identifier_shape(c->value, n, "%d/%m/%Y",
                                                   2026);
        int nameable = map_value_nameable(c->value, n, "%d/%m/%Y", 2026);

        if (plain != c->plain || (c->shape >= 0 && shape != c->shape) ||
            nameable != (c->plain && c->shape == 0))
            fail_msg("case %zu: plain %d shape %d nameable %d", i, plain,
                     shape, nameable);
    }
}

/*
 * The same values through map_row in the service column: only the plain
 * codes are kept as codes; every identifier is counted as (not shown) and
 * never kept -- whatever the row's own identifier cells hold.
 */
static void
test_unmapped_identifiers_never_kept(void **state)
{
    struct job_plan plan;
    struct source src;
    struct cell cols[7];
    struct source_mapping m;
    struct quarantine q;
    size_t i, kept = 0, hidden = 0;

    (void)state;
    load(&plan, &src, cols, &m);
    quarantine_init(&q, &plan.sources[0]);
    for (i = 0; i < sizeof(shape_cases) / sizeof(shape_cases[0]); i++) {
        const struct shape_case *c = &shape_cases[i];
        int named = c->plain && c->shape == 0;

        assert_int_equal(map_one(&m, &q, "F", c->value, (long)(10 + i)),
                         1 + QR_UNMAPPED_VALUE);
        if (named != (q.unmapped.last >= 0))
            fail_msg("case %zu: kept %ld", i, q.unmapped.last);
        kept += named;
        hidden += !named && c->value[0];
    }
    assert_int_equal(q.unmapped.ncodes, kept);
    assert_int_equal(q.unmapped.hidden[VF_SERVICE], hidden);
    for (i = 0; i < q.unmapped.ncodes; i++)
        q.unmapped.codes[i].persons = 1000;
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, 10, collect, NULL),
                     0);
    assert_null(strstr(report, "0182"));
    assert_null(strstr(report, "@"));
    assert_null(strstr(report, "03-2011"));
    assert_null(strstr(report, "ar2011"));
    assert_null(strstr(report, "1AA"));
    assert_null(strstr(report, "Lake"));
    assert_non_null(strstr(report, "service=LTS_OLD:1;"));
    quarantine_release(&q);
    mapping_release(&m);
    job_plan_release(&plan);
}

/*
 * Witnesses: rows of one person share a token and are one witness; a code
 * keeps at most UNMAPPED_WITNESSES_MAX of them.
 */
static void
test_unmapped_witnesses(void **state)
{
    struct job_plan plan;
    struct source src;
    struct cell cols[7];
    struct source_mapping m;
    struct quarantine q;
    uint64_t t;
    int i;

    (void)state;
    load(&plan, &src, cols, &m);
    quarantine_init(&q, &plan.sources[0]);
    for (i = 0; i < 10; i++) {
        assert_int_equal(map_one(&m, &q, "F", "TA2", 2 + i),
                         1 + QR_UNMAPPED_VALUE);
        if (unmapped_codes_wants(&q.unmapped, 0, 42))
            assert_int_equal(unmapped_codes_witness(&q.unmapped, 0, 42, 7), 0);
    }
    assert_int_equal(q.unmapped.codes[0].n, 10);
    assert_int_equal(q.unmapped.codes[0].nwitness, 1);
    for (t = 0; t < 1000; t++)
        if (unmapped_codes_wants(&q.unmapped, 0, t))
            assert_int_equal(unmapped_codes_witness(&q.unmapped, 0, t,
                                                    (uint32_t)t),
                             0);
    assert_int_equal(q.unmapped.codes[0].nwitness, UNMAPPED_WITNESSES_MAX);
    assert_false(unmapped_codes_wants(&q.unmapped, 0, 5000));
    quarantine_release(&q);
    mapping_release(&m);
    job_plan_release(&plan);
}

/* The sex and ethnicity codes a plan's sources can give: unknown always;
 * the rest through a source that maps the field, unless its value map
 * takes over every built-in spelling of a code. */
static void
test_codes_possible(void **state)
{
    struct job_plan plan;
    struct source_plan src[2];
    struct value_map_entry to_u[] = {
        {"X", "U", VALUE_FROM_KEY},
        {"I", "U", VALUE_FROM_KEY},
        {"Indeterminate", "U", VALUE_FROM_KEY},
        {"Not specified", "U", VALUE_FROM_KEY},
        {"Other", "U", VALUE_FROM_KEY},
    };
    const uint32_t all_sex = (1u << SEX_COUNT) - 1;

    (void)state;
    memset(&plan, 0, sizeof(plan));
    memset(src, 0, sizeof(src));
    plan.sources = src;
    plan.nsources = 2;
    /* neither source maps sex or ethnicity: unknown only */
    assert_int_equal(map_codes_possible(&plan, VF_SEX), 1u << SEX_U);
    assert_int_equal(map_codes_possible(&plan, VF_ETHNICITY),
                     1u << ETH_UNKNOWN);
    /* one maps sex, every spelling of X sent to U: no X */
    src[1].column[CF_SEX] = "GENDER";
    src[1].values[VF_SEX].entries = to_u;
    src[1].values[VF_SEX].n = sizeof(to_u) / sizeof(to_u[0]);
    assert_int_equal(map_codes_possible(&plan, VF_SEX),
                     (1u << SEX_M) | (1u << SEX_F) | (1u << SEX_U));
    /* all but one: X stays possible */
    src[1].values[VF_SEX].n--;
    assert_int_equal(map_codes_possible(&plan, VF_SEX), all_sex);
    /* a default can give a code the built-ins would not */
    src[1].values[VF_SEX].n++;
    src[1].values[VF_SEX].default_value = "X";
    assert_int_equal(map_codes_possible(&plan, VF_SEX), all_sex);
    /* ethnicity mapped: every group */
    src[0].column[CF_ETHNICITY] = "ETH";
    assert_int_equal(map_codes_possible(&plan, VF_ETHNICITY),
                     (1u << ETH_COUNT) - 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unmapped_codes),
        cmocka_unit_test(test_identifier_shapes),
        cmocka_unit_test(test_unmapped_identifiers_never_kept),
        cmocka_unit_test(test_unmapped_witnesses),
        cmocka_unit_test(test_codes_possible),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
