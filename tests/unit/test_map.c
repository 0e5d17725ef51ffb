/*
 * test_map.c - transform/map.c on hand-made rows: unmapped codes are
 * quarantined as unmapped_value and counted per field and code, and a
 * value that is not code-like (a name from a shifted column, a date, a
 * postcode, an NHS number, accents, a long text) is counted but never kept.
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
#include "core/config.h"
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

static void
test_unmapped_codes(void **state)
{
    struct job_plan plan;
    struct diag d;
    struct source src;
    struct cell cols[7];
    struct source_mapping m;
    struct quarantine q;
    char path[] = "/tmp/cohort-map-XXXXXX";
    int fd = mkstemp(path), i;
    FILE *f;
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
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs(conf, f);
    fclose(f);
    if (job_plan_load(&plan, path, &d) != 0)
        fail_msg("%ld: %s", d.line, d.msg);
    unlink(path);
    memset(&src, 0, sizeof(src));
    for (i = 0; i < 7; i++) {
        cols[i].ptr = header[i];
        cols[i].len = strlen(header[i]);
    }
    src.columns = cols;
    src.ncolumns = 7;
    src.plan = &plan.sources[0];
    assert_int_equal(mapping_init(&m, &plan, &plan.sources[0], &src, &d), 0);
    quarantine_init(&q, &plan.sources[0]);

    assert_int_equal(map_one(&m, &q, "F", "TA", 2), 0);
    for (i = 0; i < 12; i++)
        assert_int_equal(map_one(&m, &q, "F", "TA2", 3 + i),
                         1 + QR_UNMAPPED_VALUE);
    assert_int_equal(map_one(&m, &q, "F", "HP-1", 20), 1 + QR_UNMAPPED_VALUE);
    assert_int_equal(map_one(&m, &q, "F", "HP-1", 21), 1 + QR_UNMAPPED_VALUE);
    assert_int_equal(map_one(&m, &q, "F", "", 22), 1 + QR_UNMAPPED_VALUE);
    assert_int_equal(map_one(&m, &q, "Q", "TA", 23), 1 + QR_UNMAPPED_VALUE);
    for (i = 0; i < (int)(sizeof(hidden) / sizeof(hidden[0])); i++)
        assert_int_equal(map_one(&m, &q, "F", hidden[i], 30 + i),
                         1 + QR_UNMAPPED_VALUE);
    assert_int_equal(q.rows_accepted, 1);
    assert_int_equal(q.by_reason[QR_UNMAPPED_VALUE], 12 + 2 + 1 + 1 + 11);
    /* the row's position: the service column (6th), never the value */
    assert_int_equal(q.rows[0].line, 3);
    assert_int_equal(q.rows[0].column, 6);
    assert_int_equal(q.rows[15].column, 5); /* the sex column */

    /* codes carried by at least 10 rows are named, the rest grouped */
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q, 10, collect, NULL), 0);
    assert_string_equal(report, "sex=(rare):1;service=TA2:12;service=(rare):2;"
                                "service=(empty):1;service=(not shown):11;");
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q, 1, collect, NULL), 0);
    assert_string_equal(report, "sex=Q:1;service=TA2:12;service=HP-1:2;"
                                "service=(empty):1;service=(not shown):11;");
    /* nothing not code-like was kept */
    for (i = 0; i < (int)q.ncodes; i++)
        assert_true(!strcmp(q.codes[i].code, "TA2") ||
                    !strcmp(q.codes[i].code, "HP-1") ||
                    !strcmp(q.codes[i].code, "Q"));
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
    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q, 10, collect, NULL), 0);
    assert_string_equal(report, "sex=(rare):1;service=(empty):1;"
                                "service=(not shown):865;");
    quarantine_release(&q);
    mapping_release(&m);
    job_plan_release(&plan);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unmapped_codes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
