/*
 * test_coded.c - transform/coded.c on hand-made rows of the SSDA903
 * episodes profile: every coded column is checked against its shipped
 * list (ignoring case, a blank cell no code); a listed code sets its
 * spell category to its group's label; a code not on the list drops the
 * field, never the row, and is counted per column and code (never kept
 * when it has an identifier's shape), and not counted as a drop once the
 * row is withdrawn (an orphan); the drop limit names the column; a
 * job's own list replaces the shipped one; a list whose groups cannot be
 * published labels, or that maps one code twice, is refused.
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
#include "transform/coded.h"
#include "transform/map.h"
#include "transform/quarantine.h"

static const char base[] =
    "[job]\nname = t\nreference_date = 2018-03-31\nkey_file = k\n"
    "output_dir = o\nlookup = l\n"
    "[source h]\nprofile = ssda903_header\npath = h.csv\n"
    "[source e]\nprofile = ssda903_episodes\npath = e.csv\n%s\n"
    "[cohort c]\nwhere = children_social_care.any\nby = placement_type\n";

static const char *const header[] = {"CHILD", "DECOM", "RNE", "LS", "CIN",
                                     "PLACE", "DEC", "REC"};
#define NCOLS 8

/* Loads base with extra keys in [source e]: 0 and plan, or the error. */
static int
load(struct job_plan *plan, const char *extra, struct diag *d)
{
    char path[] = "/tmp/cohort-coded-XXXXXX";
    int fd = mkstemp(path), rc;
    FILE *f;

    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fprintf(f, base, extra);
    fclose(f);
    rc = job_plan_load(plan, path, d);
    unlink(path);
    return rc;
}

/* The episodes' mapping over header. */
static void
mapping(struct job_plan *plan, struct cell *cols, struct source_mapping *m)
{
    struct diag d;
    int i;

    for (i = 0; i < NCOLS; i++) {
        cols[i].ptr = header[i];
        cols[i].len = strlen(header[i]);
    }
    assert_int_equal(mapping_init(m, plan, &plan->sources[1], cols, NCOLS, &d),
                     0);
}

/* Maps one episode with these LS, PLACE and REC cells into rec. */
static int
map_one(const struct source_mapping *m, struct quarantine *q, const char *ls,
        const char *place, const char *rec_code, struct record *rec)
{
    const char *vals[NCOLS] = {"C1", "01/05/2017", "S", ls, "N1", place, "",
                               rec_code};
    struct cell cells[NCOLS];
    struct raw_row row;
    size_t i;

    for (i = 0; i < NCOLS; i++) {
        cells[i].ptr = vals[i];
        cells[i].len = strlen(vals[i]);
    }
    memset(&row, 0, sizeof(row));
    row.cells = cells;
    row.ncells = NCOLS;
    row.line = 2;
    return map_row(m, &row, rec, q);
}

/* The coded column of source s read from column, or -1. */
static long
coded_index(const struct source_plan *s, const char *column)
{
    size_t k;

    for (k = 0; k < s->ncoded; k++)
        if (!strcmp(s->coded[k].column, column))
            return (long)k;
    return -1;
}

static char report[1024];

static int
collect(void *ctx, const char *field, const char *what, uint64_t n)
{
    size_t len = strlen(report);

    (void)ctx;
    snprintf(report + len, sizeof(report) - len, "%s=%s:%llu;", field, what,
             (unsigned long long)n);
    return 0;
}

static void
test_profile_codes(void **state)
{
    struct job_plan plan;
    struct cell cols[NCOLS];
    struct source_mapping m;
    struct quarantine q;
    struct record rec;
    const struct category_labels *pt, *ls;
    long place, recc;
    struct diag d;

    (void)state;
    memset(&plan, 0, sizeof(plan));
    if (load(&plan, "field.postcode =", &d) != 0)
        fail_msg("%ld: %s", d.line, d.msg);
    /* the profile's seven coded columns, three carrying categories */
    assert_int_equal(plan.sources[1].ncoded, 7);
    place = coded_index(&plan.sources[1], "PLACE");
    recc = coded_index(&plan.sources[1], "REC");
    assert_true(place >= 0 && recc >= 0);
    assert_int_equal(plan.sources[1].coded[place].category,
                     CAT_PLACEMENT_TYPE);
    pt = &plan.categories[CAT_PLACEMENT_TYPE];
    ls = &plan.categories[CAT_LEGAL_STATUS];
    assert_int_equal(pt->n, 9); /* UNKNOWN and the eight groups */
    assert_string_equal(pt->label[0], "UNKNOWN");
    mapping(&plan, cols, &m);
    quarantine_init(&q, &plan.sources[1]);

    /* listed codes, any case: their groups */
    assert_int_equal(map_one(&m, &q, "c2", "U1", "", &rec), 0);
    assert_string_equal(pt->label[rec.category[CAT_PLACEMENT_TYPE]],
                        "foster_care");
    assert_string_equal(ls->label[rec.category[CAT_LEGAL_STATUS]],
                        "care_order");
    assert_string_equal(
        plan.categories[CAT_CATEGORY_OF_NEED]
            .label[rec.category[CAT_CATEGORY_OF_NEED]],
        "abuse_or_neglect");
    assert_int_equal(map_one(&m, &q, "V3", " k2 ", "E11", &rec), 0);
    assert_string_equal(pt->label[rec.category[CAT_PLACEMENT_TYPE]],
                        "childrens_home");
    assert_string_equal(ls->label[rec.category[CAT_LEGAL_STATUS]],
                        "short_breaks");

    /* a code not on the list: the row is kept, the field dropped */
    assert_int_equal(map_one(&m, &q, "C2", "Q9", "", &rec), 0);
    assert_int_equal(rec.category[CAT_PLACEMENT_TYPE], 0);
    assert_int_equal(q.coded_dropped[place], 1);
    assert_int_equal(q.unmapped.nrow_codes, 1);
    /* a blank cell is no code; a postcode is never kept */
    assert_int_equal(map_one(&m, &q, "C2", "", "SW1A 1AA", &rec), 0);
    assert_int_equal(rec.category[CAT_PLACEMENT_TYPE], 0);
    assert_int_equal(q.coded_dropped[place], 1);
    assert_int_equal(q.coded_dropped[recc], 1);
    assert_int_equal(q.unmapped.nrow_codes, 0);
    assert_int_equal(q.rows_accepted, 4);
    assert_int_equal(q.rows_quarantined, 0);

    report[0] = '\0';
    assert_int_equal(quarantine_each_unmapped(&q.unmapped, UNMAPPED_UNCOUNTED,
                                              collect, NULL),
                     0);
    assert_string_equal(report,
                        "code.PLACE=(code):1;code.REC=(not shown):1;");
    assert_null(strstr(report, "SW1A"));
    /* named only when enough persons carry it */
    q.unmapped.codes[0].persons = 10;
    report[0] = '\0';
    quarantine_each_unmapped(&q.unmapped, 10, collect, NULL);
    assert_string_equal(report, "code.PLACE=Q9:1;code.REC=(not shown):1;");
    q.unmapped.codes[0].persons = 9;
    report[0] = '\0';
    quarantine_each_unmapped(&q.unmapped, 10, collect, NULL);
    assert_string_equal(report,
                        "code.PLACE=(rare):1;code.REC=(not shown):1;");

    /* 1 of 4 rows lost PLACE: over 5%, the column named, not the code */
    assert_int_equal(quarantine_check_policy(&q, &d), CE_DATA);
    assert_string_equal(d.rule, "max_drop_rate");
    assert_non_null(strstr(d.msg, "coded column 'PLACE' dropped from 1 of 4"));
    assert_null(strstr(d.msg, "Q9"));
    /* a kept row withdrawn (an orphan episode) is no drop */
    assert_int_equal(map_one(&m, &q, "C2", "Q9", "", &rec), 0);
    assert_int_equal(q.coded_dropped[place], 2);
    assert_int_equal(quarantine_withdraw(&q, 0, 2, 1, QR_ORPHAN_LOCAL_ID), 0);
    assert_int_equal(q.coded_dropped[place], 1);
    assert_int_equal(q.rows_in, 5);
    quarantine_release(&q);
    mapping_release(&m);
    job_plan_release(&plan);
}

static void
test_own_list(void **state)
{
    char extra[256], path[] = "/tmp/cohort-coded-list-XXXXXX.csv";
    struct job_plan plan;
    struct diag d;
    int fd;
    FILE *f;

    (void)state;
    fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("code,value\nU1,fostered\nU3,fostered\nK2,other\n", f);
    fclose(f);
    snprintf(extra, sizeof(extra), "code_list.PLACE = %s", path);
    memset(&plan, 0, sizeof(plan));
    if (load(&plan, extra, &d) != 0)
        fail_msg("%ld: %s", d.line, d.msg);
    /* its groups are the categories; the profile's other lists stay */
    assert_int_equal(plan.categories[CAT_PLACEMENT_TYPE].n, 3);
    assert_string_equal(plan.categories[CAT_PLACEMENT_TYPE].label[1],
                        "fostered");
    assert_int_equal(plan.sources[1].ncoded, 7);
    job_plan_release(&plan);

    /* a group that cannot be a published label, never quoted */
    f = fopen(path, "w");
    fputs("code,value\nU1,=HYPERLINK(1)\n", f);
    fclose(f);
    memset(&plan, 0, sizeof(plan));
    assert_int_not_equal(load(&plan, extra, &d), 0);
    assert_non_null(strstr(d.msg, "cannot be a published placement_type"));
    assert_null(strstr(d.msg, "HYPERLINK"));
    job_plan_release(&plan);

    /* one code, two groups */
    f = fopen(path, "w");
    fputs("code,value\nU1,a\nu1,b\n", f);
    fclose(f);
    memset(&plan, 0, sizeof(plan));
    assert_int_not_equal(load(&plan, extra, &d), 0);
    assert_non_null(strstr(d.msg, "listed twice"));
    job_plan_release(&plan);

    /* empty: PLACE not checked, so no source carries placement_type */
    memset(&plan, 0, sizeof(plan));
    assert_int_not_equal(load(&plan, "code_list.PLACE =", &d), 0);
    assert_non_null(strstr(d.msg, "placement_type, which no source carries"));
    job_plan_release(&plan);
    unlink(path);
}

static void
test_category_key(void **state)
{
    struct job_plan plan;
    struct diag d;

    (void)state;
    memset(&plan, 0, sizeof(plan));
    assert_int_not_equal(load(&plan, "category.placement = PLACE", &d), 0);
    assert_non_null(strstr(d.msg, "placement_type, legal_status and "
                                  "category_of_need"));
    job_plan_release(&plan);
    memset(&plan, 0, sizeof(plan));
    assert_int_not_equal(load(&plan, "category.placement_type = URN", &d), 0);
    assert_non_null(strstr(d.msg, "has no code_list"));
    job_plan_release(&plan);
    /* the profile's category moved to another listed column */
    memset(&plan, 0, sizeof(plan));
    if (load(&plan, "category.placement_type = PLACE_PROVIDER", &d) != 0)
        fail_msg("%ld: %s", d.line, d.msg);
    assert_int_equal(plan.categories[CAT_PLACEMENT_TYPE].n, 7);
    assert_string_equal(plan.categories[CAT_PLACEMENT_TYPE].label[1], "PR0");
    job_plan_release(&plan);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_codes),
        cmocka_unit_test(test_own_list),
        cmocka_unit_test(test_category_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
