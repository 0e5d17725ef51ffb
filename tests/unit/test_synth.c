/* Unit tests for core/synth.c: valid identifiers, faults at their rates,
 * determinism, and a truth line for every data row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/calendar.h"
#include "../../app/synth.h"
#include "../../transform/validate.h"

static void
test_identifiers(void **state)
{
    char nhs[11], upn[14], out[14];
    uint64_t n;

    (void)state;
    for (n = 0; n < 20000; n += 7) {
        synth_nhs_number(n, nhs);
        assert_int_equal(validate_nhs_number(nhs, 10, out), 0);
        assert_int_equal(memcmp(nhs, "999", 3), 0); /* the test range */
        synth_upn(999, (int)(n % 100), n, upn);
        assert_int_equal(validate_upn(upn, 13, out), 0);
    }
}

static long
count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    long n = 0;
    int c;

    assert_non_null(f);
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static void
test_extracts(void **state)
{
    char a[] = "/tmp/cohort-synth-XXXXXX", b[] = "/tmp/cohort-synth-XXXXXX";
    char path[256], cmd[600], line[512], out[14];
    struct synth_options o;
    struct synth_counts c;
    struct diag d;
    long truth_rows, nhs_total = 0, nhs_bad = 0;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(a));
    assert_non_null(mkdtemp(b));
    o.lookup = "config/lookups/postcodes.csv";
    o.people = 4000;
    o.seed = 5;
    o.reference = days_from_civil(2026, 10, 31);
    o.spells = 1;
    o.dir = a;
    assert_int_equal(synth_write(&o, &c, &d), 0);
    o.dir = b;
    assert_int_equal(synth_write(&o, &c, &d), 0);
    /* determinism: same seed, same bytes */
    snprintf(cmd, sizeof(cmd), "cmp -s %s/housing.csv %s/housing.csv && "
             "cmp -s %s/truth_SYNTHETIC_IDENTIFIERS.csv "
             "%s/truth_SYNTHETIC_IDENTIFIERS.csv && "
             "gzip -t %s/adult_social_care.csv.gz", a, b, a, b, a);
    assert_int_equal(system(cmd), 0);
    /* one truth line per data row */
    snprintf(path, sizeof(path), "%s/truth_SYNTHETIC_IDENTIFIERS.csv", a);
    truth_rows = count_lines(path) - 1;
    assert_int_equal(truth_rows, c.rows[0] + c.rows[1] + c.rows[2] + c.rows[3] +
                                     c.rows[4] + c.rows[5]);
    assert_true(c.rows[0] > 100 && c.rows[1] > 20 && c.rows[2] > 20 &&
                c.rows[3] > 50 && c.rows[4] > 5 && c.rows[5] > c.rows[4]);
    /* NHS numbers: nearly all valid, about 1 % deliberately not */
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        int k;

        for (k = 0; k < 3 && p; k++)
            p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        if (!p || *p == ',' || !strncmp(line, "file,", 5))
            continue;
        nhs_total++;
        if (validate_nhs_number(p, 10, out) != 0)
            nhs_bad++;
    }
    fclose(f);
    assert_true(nhs_total > 200);
    assert_true(nhs_bad * 1000 >= nhs_total * 2);   /* >= 0.2 % */
    assert_true(nhs_bad * 1000 <= nhs_total * 30);  /* <= 3 % */
    /* Windows-1252 in housing: a byte >= 0x80 that is not UTF-8 */
    snprintf(cmd, sizeof(cmd), "LC_ALL=C grep -q -P '[\\x80-\\xff]' %s/housing.csv "
             "&& ! iconv -f UTF-8 -t UTF-8 %s/housing.csv >/dev/null 2>&1", a, a);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", a, b);
    assert_int_equal(system(cmd), 0);
}

/* --spells: more rows of the same people, a truth line for each, the
 * SSDA903 header untouched, and the file still one the job reads. */
static void
test_spells(void **state)
{
    char a[] = "/tmp/cohort-synth-XXXXXX", path[256];
    struct synth_options o;
    struct synth_counts one, many;
    struct diag d;
    long truth_rows;

    (void)state;
    assert_non_null(mkdtemp(a));
    o.lookup = "config/lookups/postcodes.csv";
    o.people = 3000;
    o.seed = 9;
    o.reference = days_from_civil(2026, 10, 31);
    o.dir = a;
    o.spells = 1;
    assert_int_equal(synth_write(&o, &one, &d), 0);
    o.spells = 8;
    assert_int_equal(synth_write(&o, &many, &d), 0);
    snprintf(path, sizeof(path), "%s/truth_SYNTHETIC_IDENTIFIERS.csv", a);
    truth_rows = count_lines(path) - 1;
    assert_int_equal(truth_rows, many.rows[0] + many.rows[1] + many.rows[2] +
                                     many.rows[3] + many.rows[4] +
                                     many.rows[5]);
    assert_true(many.rows[0] > 4 * one.rows[0]);  /* housing */
    assert_true(many.rows[1] > 2 * one.rows[1]);  /* children: from birth */
    assert_true(many.rows[2] > 4 * one.rows[2]);  /* adults */
    assert_true(many.rows[3] > 2 * one.rows[3]);  /* education: from 4 */
    assert_true(many.rows[0] < 8 * one.rows[0] && many.rows[3] < 8 * one.rows[3]);
    assert_int_equal(many.rows[4], one.rows[4]);  /* SSDA903 as it was */
    snprintf(path, sizeof(path), "rm -rf %s", a);
    assert_int_equal(system(path), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_extracts),
        cmocka_unit_test(test_spells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
