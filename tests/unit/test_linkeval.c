/* Unit tests for app/linkeval.c (pairwise accuracy counted from cluster
 * sizes, checked against pairs enumerated one by one) and app/linktruth.c
 * (the truth file: its rules, and matching rows to records). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../app/linkeval.h"
#include "../../app/linktruth.h"
#include "../../core/error.h"

static void
test_pairs(void **state)
{
    static const struct {
        uint64_t n, want;
    } t[] = {
        {0, 0}, {1, 0}, {2, 1}, {3, 3}, {4, 6}, {10, 45}, {1001, 500500},
        /* no overflow where n(n-1) alone would need 65 bits */
        {UINT64_C(4294967297), UINT64_C(9223372039002259456)},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_true(linkeval_pairs(t[i].n) == t[i].want);
}

/* Counts by enumerating every pair: what linkeval_count must equal. */
static void
brute(const struct linkeval_record *r, size_t n, uint32_t nl,
      enum linkeval_by by, struct pair_counts *out)
{
    size_t i, j, nout = by == LINKEVAL_ALL     ? 1
                        : by == LINKEVAL_LABEL ? nl
                                               : (size_t)nl * nl;

    memset(out, 0, nout * sizeof(*out));
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            int t = r[i].truth == r[j].truth, l = r[i].linked == r[j].linked;
            size_t slot[2];
            size_t ns = 0, s;

            if (by == LINKEVAL_ALL) {
                slot[ns++] = 0;
            } else if (by == LINKEVAL_LABEL) {
                slot[ns++] = r[i].label;
                if (r[j].label != r[i].label)
                    slot[ns++] = r[j].label;
            } else {
                uint32_t a = r[i].label, b = r[j].label;

                slot[ns++] = a < b ? (size_t)a * nl + b : (size_t)b * nl + a;
            }
            for (s = 0; s < ns; s++) {
                out[slot[s]].truth += t;
                out[slot[s]].linked += l;
                out[slot[s]].both += t && l;
            }
        }
}

static void
assert_counts_equal(const struct pair_counts *a, const struct pair_counts *b,
                    size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        assert_true(a[i].truth == b[i].truth);
        assert_true(a[i].linked == b[i].linked);
        assert_true(a[i].both == b[i].both);
    }
}

/* A worked example: true persons A = {0,1,2}, B = {3,4}, C = {5}; the
 * linker joined 0,1 and 2,3,4 and left 5 alone. */
static void
test_contingency_example(void **state)
{
    struct linkeval_record r[] = {
        {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, {1, 1, 1}, {1, 1, 1}, {2, 2, 0},
    };
    struct pair_counts all, pairs[4], touch[2];
    struct person_counts pc;
    const size_t n = sizeof(r) / sizeof(r[0]);

    (void)state;
    assert_int_equal(linkeval_count(r, n, 1, LINKEVAL_ALL, &all, &pc), 0);
    /* true: C(3,2) + C(2,2) = 4; linked: C(2,2) + C(3,2) = 4; both: the
     * cells (0,A)=2, (1,A)=1, (1,B)=2, (2,C)=1 -> 1 + 0 + 1 + 0 = 2 */
    assert_true(all.truth == 4 && all.linked == 4 && all.both == 2);
    assert_true(pair_precision(&all) == 0.5);
    assert_true(pair_recall(&all) == 0.5);
    assert_true(pair_f1(&all) == 0.5);
    assert_true(pc.records == 6 && pc.truth == 3 && pc.linked == 3);
    assert_true(pc.split == 1);   /* A over linked 0 and 1 */
    assert_true(pc.merged == 1);  /* linked 1 holds A and B */

    assert_int_equal(linkeval_count(r, n, 2, LINKEVAL_LABEL_PAIR, pairs, NULL),
                     0);
    /* labels: 0 -> records 0,2,5; 1 -> records 1,3,4 */
    /* 0+0: true {0,2}; linked none (0 with 2? no) */
    assert_true(pairs[0].truth == 1 && pairs[0].linked == 0 &&
                pairs[0].both == 0);
    /* 0+1: true {0,1},{2,1}; linked {0,1},{2,3},{2,4}; both {0,1} */
    assert_true(pairs[1].truth == 2 && pairs[1].linked == 3 &&
                pairs[1].both == 1);
    assert_true(pairs[2].truth == 0 && pairs[2].linked == 0);
    /* 1+1: true {3,4}; linked {3,4}; both */
    assert_true(pairs[3].truth == 1 && pairs[3].linked == 1 &&
                pairs[3].both == 1);

    assert_int_equal(linkeval_count(r, n, 2, LINKEVAL_LABEL, touch, NULL), 0);
    assert_true(touch[0].truth == 3 && touch[0].linked == 3 &&
                touch[0].both == 1);
    assert_true(touch[1].truth == 3 && touch[1].linked == 4 &&
                touch[1].both == 2);
}

/* Random partitions of every shape, against the enumeration. */
static void
test_against_enumeration(void **state)
{
    static const struct {
        size_t n;
        uint32_t persons, linked, labels;
    } t[] = {
        {0, 1, 1, 1},    {1, 1, 1, 3},     {2, 1, 1, 2},    {50, 1, 1, 4},
        {50, 50, 50, 4}, {200, 20, 25, 4}, {300, 40, 10, 7}, {300, 10, 80, 1},
        {400, 400, 3, 5},
    };
    struct linkeval_record *r, *copy;
    struct pair_counts got[64], want[64];
    unsigned seed = 12345;
    size_t i, k;
    int by;

    (void)state;
    r = malloc(500 * sizeof(*r));
    copy = malloc(500 * sizeof(*copy));
    assert_non_null(r);
    assert_non_null(copy);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        for (k = 0; k < t[i].n; k++) {
            seed = seed * 1103515245u + 12345u;
            r[k].truth = (seed >> 8) % t[i].persons;
            seed = seed * 1103515245u + 12345u;
            /* linked mostly follows truth, so cells are not all singletons */
            r[k].linked = (seed >> 8) % 3 ? r[k].truth % t[i].linked
                                          : (seed >> 12) % t[i].linked;
            seed = seed * 1103515245u + 12345u;
            r[k].label = (seed >> 8) % t[i].labels;
        }
        for (by = LINKEVAL_ALL; by <= LINKEVAL_LABEL; by++) {
            size_t nout = by == LINKEVAL_ALL     ? 1
                          : by == LINKEVAL_LABEL ? t[i].labels
                                                 : (size_t)t[i].labels *
                                                       t[i].labels;

            memcpy(copy, r, t[i].n * sizeof(*r));
            brute(r, t[i].n, t[i].labels, (enum linkeval_by)by, want);
            assert_int_equal(linkeval_count(copy, t[i].n, t[i].labels,
                                            (enum linkeval_by)by, got, NULL),
                             0);
            assert_counts_equal(got, want, nout);
        }
    }
    free(r);
    free(copy);
}

static void
test_undefined_and_faults(void **state)
{
    struct pair_counts none = {0, 0, 0}, only_true = {5, 0, 0};
    struct linkeval_record r[] = {{0, 0, 3}};
    struct pair_counts out[4];

    (void)state;
    /* no pair: no measure, never a silent 1.0 */
    assert_true(pair_precision(&none) < 0);
    assert_true(pair_recall(&none) < 0);
    assert_true(pair_f1(&none) < 0);
    assert_true(pair_precision(&only_true) < 0);
    assert_true(pair_recall(&only_true) == 0);
    assert_true(pair_f1(&only_true) == 0);
    assert_int_equal(linkeval_count(r, 1, 2, LINKEVAL_LABEL, out, NULL),
                     CE_INTERNAL);
    assert_int_equal(linkeval_count(r, 1, 0, LINKEVAL_ALL, out, NULL),
                     CE_INTERNAL);
    /* labels are ignored when counting all pairs */
    assert_int_equal(linkeval_count(r, 1, 1, LINKEVAL_ALL, out, NULL), 0);
}

static void
test_size_histogram(void **state)
{
    static const uint64_t bounds[] = {1, 2, 3, 5};
    /* persons 0:1 record, 1:2, 2:3, 3:4, 4:7 */
    static const uint32_t person[] = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3,
                                      4, 4, 4, 4, 4, 4, 4};
    uint64_t hist[4], largest;

    (void)state;
    assert_int_equal(linkeval_size_histogram(person, 17, 5, bounds, 4, hist,
                                             &largest),
                     0);
    assert_true(hist[0] == 1 && hist[1] == 1 && hist[2] == 2 && hist[3] == 1);
    assert_true(largest == 7);
}

/* --- the truth file --- */

static char truth_path[64];

/* A job of two sources: housing (a literal path) and pupils. */
static void
fake_plan(struct job_plan *plan, struct source_plan *src)
{
    memset(plan, 0, sizeof(*plan));
    memset(src, 0, 2 * sizeof(*src));
    src[0].name = "housing";
    src[0].path = "extracts/housing.csv";
    src[1].name = "pupils";
    src[1].path = "extracts/pupils_*.csv";
    plan->sources = src;
    plan->nsources = 2;
    plan->reference_date = 20000;
}

static void
write_truth(const char *text)
{
    FILE *f;
    int fd;

    snprintf(truth_path, sizeof(truth_path), "/tmp/cohort-truth-XXXXXX");
    fd = mkstemp(truth_path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_truth_rules(void **state)
{
    static const struct {
        const char *text;
        int rc;
        long line;
        const char *rule;
    } t[] = {
        {"source,line,person\nhousing,2,a\n", 0, 0, ""},
        {"Source , Line,PERSON\r\nhousing,2,a\r\n", 0, 0, ""},
        {"\xEF\xBB\xBFsource,line,person\nhousing,2,a\n", 0, 0, ""},
        {"file,line,person_id,nhs_number\nhousing.csv,2,7,\"x,y\"\n", 0, 0, ""},
        {"", CE_DATA, 1, "truth_header"},
        {"person,line,source\nhousing,2,a\n", CE_DATA, 1, "truth_header"},
        {"source,line\nhousing,2\n", CE_DATA, 1, "truth_header"},
        {"source,line,person,sex,SEX\n", CE_DATA, 1, "truth_header"},
        {"source,line,person\nhousing,two,a\n", CE_DATA, 2, "bad_line_number"},
        {"source,line,person\nhousing,0,a\n", CE_DATA, 2, "bad_line_number"},
        {"source,line,person\nhousing,-3,a\n", CE_DATA, 2, "bad_line_number"},
        {"source,line,person\nhousing, 2,a\n", CE_DATA, 2, "bad_line_number"},
        {"source,line,person\nhousing,2,a\nhousing,3\n", CE_DATA, 3,
         "ragged_row"},
        {"source,line,person\nhousing,2,a,b\n", CE_DATA, 2, "ragged_row"},
        {"source,line,person\nhousing,2,\n", CE_DATA, 2, "bad_person"},
        {"source,line,person\nhousing,2,\"a\nhousing,3,b\n", CE_DATA, 2,
         "bad_quote"},
        {"source,line,person\nhousing,2,a\"b\n", CE_DATA, 2, "bad_quote"},
        {"source,line,person\nhousing,2,a\nhousing,2,b\n", CE_DATA, 3,
         "duplicate_row"},
        /* pupils reads several files in the trace: the line alone is not
         * a row */
        {"source,line,person\npupils,2,a\n", CE_DATA, 2, "bad_file_number"},
        {"source,line,person,file_number\npupils,2,a,0\n", CE_DATA, 2,
         "bad_file_number"},
        {"source,line,person,file_number\npupils,2,a,2\n", 0, 0, ""},
        /* rows that name nothing the job accepted */
        {"source,line,person\n", CE_DATA, 0, "matches_nothing"},
        {"source,line,person\nschools,2,a\n", CE_DATA, 0, "matches_nothing"},
        {"source,line,person\nhousing,9,a\n", CE_DATA, 0, "matches_nothing"},
        {"source,line,person\nhousing,1,a\n", CE_DATA, 0, "matches_nothing"},
    };
    struct job_plan plan;
    struct source_plan src[2];
    /* housing lines 2 and 3; pupils file 2 line 2 */
    struct link_trace tr[] = {
        {0, 0, 2, 0, 0}, {0, 0, 3, 1, 0}, {1, 1, 2, 1, 0}};
    struct link_truth truth;
    struct diag d;
    size_t i;

    (void)state;
    fake_plan(&plan, src);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int rc;

        write_truth(t[i].text);
        diag_clear(&d);
        rc = link_truth_load(&truth, truth_path, &plan, tr, 3, &d);
        if (rc != t[i].rc)
            print_error("case %zu: rc %d, want %d (%s)\n", i, rc, t[i].rc,
                        d.msg);
        assert_int_equal(rc, t[i].rc);
        if (rc == 0) {
            link_truth_release(&truth);
        } else {
            assert_string_equal(d.rule, t[i].rule);
            assert_int_equal(d.line, t[i].line);
            assert_string_equal(d.source, truth_path);
        }
        unlink(truth_path);
    }
}

static void
test_truth_matching(void **state)
{
    struct job_plan plan;
    struct source_plan src[2];
    struct link_trace tr[] = {{0, 0, 2, 0, 0},
                              {0, 0, 3, 1, 0},
                              {0, 0, 4, 1, 0},
                              {1, 0, 2, 2, 0},
                              {1, 1, 2, 2, 0}};
    struct link_truth truth;
    struct diag d;

    (void)state;
    fake_plan(&plan, src);
    write_truth("source,line,person,file_number,ethnicity,nhs_number,age_band\n"
                "housing,3,P1,,WHITE,9434765919,0-4\n"
                "housing,2,P1,,white,,65+\n"
                "pupils,2,P2,2,9434765919,,5-10\n"
                "pupils,2,P1,1,,,5-10\n"
                "housing,7,P3,,ASIAN,,25-64\n"
                "elsewhere,2,P9,,ASIAN,,25-64\n");
    assert_int_equal(link_truth_load(&truth, truth_path, &plan, tr, 5, &d), 0);
    unlink(truth_path);
    assert_true(truth.rows == 6);
    assert_true(truth.matched == 4);
    assert_true(truth.rows_unmatched == 2);
    assert_true(truth.person[0] == truth.person[1]);
    assert_true(truth.person[2] == TRUTH_NONE);
    assert_true(truth.person[3] == truth.person[0]);
    assert_true(truth.person[4] != truth.person[0]);
    assert_true(truth.has_group[TG_ETHNICITY]);
    assert_true(truth.has_group[TG_AGE_BAND]);
    assert_false(truth.has_group[TG_SEX]);
    /* labels sorted; an identifier's shape is never a label */
    assert_int_equal(truth.nlabels[TG_ETHNICITY], 5);
    assert_string_equal(truth.labels[TG_ETHNICITY][0], "(empty)");
    assert_string_equal(truth.labels[TG_ETHNICITY][1], "(not shown)");
    assert_string_equal(truth.labels[TG_ETHNICITY][2], "ASIAN");
    assert_string_equal(truth.labels[TG_ETHNICITY][3], "WHITE");
    assert_string_equal(truth.labels[TG_ETHNICITY][4], "white");
    assert_int_equal(truth.group[TG_ETHNICITY][0], 4);
    assert_int_equal(truth.group[TG_ETHNICITY][1], 3);
    assert_int_equal(truth.group[TG_ETHNICITY][4], 1);
    assert_int_equal(truth.group[TG_ETHNICITY][3], 0);
    assert_string_equal(truth.labels[TG_AGE_BAND]
                                    [truth.group[TG_AGE_BAND][0]],
                        "65+");
    link_truth_release(&truth);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_contingency_example),
        cmocka_unit_test(test_against_enumeration),
        cmocka_unit_test(test_undefined_and_faults),
        cmocka_unit_test(test_size_histogram),
        cmocka_unit_test(test_truth_rules),
        cmocka_unit_test(test_truth_matching),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
