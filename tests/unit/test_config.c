/* Unit tests for app/config.c: the job file parser and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../app/config.h"
#include "../../core/calendar.h"

static const char base[] =
    "[job]\n"
    "name = nightly\n"
    "reference_date = 2026-10-31\n"
    "periods = 12\n"
    "key_file = k.key\n"
    "output_dir = out\n"
    "lookup = pc.csv\n"
    "\n"
    "[source housing]\n"
    "department = housing\n"
    "path = h*.csv\n"
    "encoding = windows-1252\n"
    "date_format = %d/%m/%Y\n"
    "field.forename = FIRST_NAME\n"
    "field.dob = DATE_OF_BIRTH\n"
    "field.service = TENURE\n"
    "field.start_date = START\n"
    "value.service.TA = temporary_accommodation\n"
    "value.service.HP = homeless_prevention\n"
    "\n"
    "[cohort ta]\n"
    "title = In temporary accommodation\n"
    "where = housing.temporary_accommodation\n"
    "by = age_band, sex\n";

static char path[64];

static int
load_text(struct job_plan *plan, const char *text, struct diag *d)
{
    FILE *f;
    int fd;

    snprintf(path, sizeof(path), "/tmp/cohort-config-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return job_plan_load(plan, path, d);
}

static void
test_good_plan(void **state)
{
    struct job_plan plan;
    struct diag d;
    const struct source_plan *s;

    (void)state;
    assert_int_equal(load_text(&plan, base, &d), 0);
    unlink(path);
    assert_string_equal(plan.name, "nightly");
    assert_int_equal(plan.reference_date, days_from_civil(2026, 10, 31));
    assert_int_equal(plan.periods, 12);
    assert_int_equal(plan.nsources, 1);
    s = &plan.sources[0];
    assert_int_equal(s->department, DEPT_HOUSING);
    assert_int_equal(s->encoding, ENC_WINDOWS_1252);
    assert_string_equal(s->column[CF_FORENAME], "FIRST_NAME");
    assert_int_equal(s->column_line[CF_FORENAME], 14);
    assert_int_equal(s->values[VF_SERVICE].n, 2);
    assert_int_equal(plan.nservices, 2);
    assert_int_equal(job_plan_service_index(&plan, DEPT_HOUSING,
                                            "homeless_prevention"), 1);
    assert_int_equal(job_plan_service_index(&plan, DEPT_EDUCATION,
                                            "homeless_prevention"), -1);
    /* defaults */
    assert_int_equal(plan.linkage.nkeys, 4);
    assert_string_equal(plan.linkage.keys[2].text,
                        "forename+surname+dob+postcode");
    assert_int_equal(plan.linkage.keys[3].components[0], KC_INITIAL);
    assert_int_equal(plan.disclosure.suppress_lo, 1);
    assert_int_equal(plan.disclosure.suppress_hi, 9);
    assert_int_equal(plan.disclosure.rounding, 5);
    assert_int_equal(plan.nage_bands, 7);
    assert_int_equal(plan.age_bands[6].lo, 65);
    assert_int_equal(plan.age_bands[6].hi, -1);
    assert_int_equal(plan.ncohorts, 1);
    assert_int_equal(plan.cohorts[0].nby, 2);
    assert_int_equal(plan.cohorts[0].by[1], BY_SEX);
    assert_int_equal(plan.noutputs, 1);
    assert_int_equal(plan.outputs[0].type, OUT_CSV);
    job_plan_release(&plan);
}

/* base with extra text appended (extra sections / keys at the end). */
static int
load_with(struct job_plan *plan, const char *extra, struct diag *d)
{
    char buf[4096];
    int rc;

    snprintf(buf, sizeof(buf), "%s%s", base, extra);
    rc = load_text(plan, buf, d);
    unlink(path);
    return rc;
}

struct bad_case {
    const char *extra;   /* appended to base */
    long line;
    const char *msg;     /* substring expected in the message */
};

static const struct bad_case bad_cases[] = {
    {"pathh = x\n", 25, "unknown key 'pathh' in [cohort ta]"},
    {"[source housing]\ndepartment = housing\n", 25,
     "duplicate section [source housing]"},
    {"[cohort ta]\nwhere = all\n", 25, "duplicate section [cohort ta]"},
    {"title = again\n", 25, "duplicate key 'title'"},
    {"[output x]\ntype = parquet\n", 26, "bad value for 'type'"},
    {"[linkage]\nkeys = nhs_number; shoe_size\n", 26,
     "unknown match key component"},
    {"[disclosure]\nmin_count = ten\n", 26, "bad value for 'min_count'"},
    {"[frobnicate]\nx = 1\n", 25, "unknown section [frobnicate]"},
    {"[source b]\ndepartment = housing\npath = x\nfield.dob = D\n", 25,
     "needs 'field.service'"},
    /* departments are resolved once every [department] is read */
    {"[source b]\ndepartment = parks\npath = x\nservice = ta\n"
     "field.nhs_number = N\nfield.start_date = S\n", 26,
     "[source b]: unknown department 'parks' (declared: housing, "
     "children_social_care, adult_social_care, education)"},
    {"[source b]\ndepartment = Parks\n", 26, "bad value for 'department'"},
    /* a declared department with its services closes the list */
    {"[department parks]\ntitle = Parks\nservices = swings, slides\n"
     "[source b]\ndepartment = parks\npath = x\nservice = roundabout\n"
     "field.nhs_number = N\nfield.start_date = S\n", 31,
     "[source b]: service 'roundabout' is not one department 'parks' "
     "carries (declared on line 27: swings, slides)"},
    {"[department parks]\nservices = swings\n"
     "[source b]\ndepartment = parks\npath = x\n"
     "field.service = S\nvalue.service.R = roundabout\n"
     "field.nhs_number = N\nfield.start_date = S\n", 27,
     "service 'roundabout' is not one department 'parks' carries"},
    {"[department parks]\nservices = swings\nservice.slides = Slides\n", 27,
     "[department parks]: service.slides describes a service 'services' "
     "does not list (declared: swings)"},
    {"[department parks]\nservices = Swings\n", 26,
     "bad value for 'services'"},
    {"[department parks]\ntitle = Parks\n[department parks]\ntitle = P\n",
     27,
     "duplicate section [department parks]"},
    {"[department parks]\nservices = swings\n[cohort c5]\n"
     "where = all\nby = parks.slides\n", 29,
     "unknown service 'slides' in parks (known: swings)"},
    {"[need edu]\ntitle = Education\n", 25, "missing key 'where' in "
     "[need edu]"},
    {"[department need]\ntitle = Needs\n", 25, "'need' names the need "
     "groups in a where"},
    {"[source b]\nfield.shoe = S\n", 26, "unknown common field 'shoe'"},
    {"[source Bad]\ndepartment = housing\n", 25, "bad name"},
    {"[job2]\n", 0, NULL}, /* empty unknown section: no key, no error */
    {"[output w]\ntype = postgres\n", 25, "missing key 'conninfo'"},
    {"[cohort c2]\ntitle = x\n", 25, "missing key 'where'"},
    {"[source b]\ndepartment = housing\npath = x\nservice = ta\n"
     "field.start_date = S\n", 25, "maps no identifier"},
    {"[disclosure]\nperturbation = cellkey\n", 25, "needs 'ptable'"},
    {"[cohort c3]\nwhere = all\nby = age_band, shoe\n", 27,
     "bad value for 'by'"},
    {"by2 = age_band, age_band\n", 25, "unknown key 'by2'"},
    /* service flags: resolved after every source's map, on the by line */
    {"[cohort c3]\nwhere = all\nby = sex, housing.shoe\n", 27,
     "unknown service 'shoe' in housing (known: temporary_accommodation, "
     "homeless_prevention)"},
    {"[cohort c3]\nwhere = all\nby = parks.swings\n", 27,
     "[cohort c3]: 'by' names unknown department 'parks' (declared: "
     "housing, children_social_care, adult_social_care, education)"},
    {"[cohort c3]\nwhere = all\nby = housing.Bad\n", 27,
     "bad value for 'by'"},
    {"[cohort c3]\nwhere = all\nby = housing.homeless_prevention, "
     "housing.homeless_prevention\n", 27,
     "'by' names housing.homeless_prevention twice"},
    {"[source b]\nvalue.service.X = Not A Name\n", 26,
     "bad value for 'value.service'"},
    /* a title is published (report, PostgreSQL comments): UTF-8 only */
    {"[cohort c4]\ntitle = Children\x92s services\nwhere = all\n", 26,
     "bad value for 'title'"},
    {"[cohort c4]\ntitle = Children\xe2\x80\x99s services\nwhere = all\n",
     0, NULL},
};

static void
test_bad_plans(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct job_plan plan;
        struct diag d;
        int rc = load_with(&plan, bad_cases[i].extra, &d);

        if (!bad_cases[i].msg) {
            assert_int_equal(rc, 0);
            job_plan_release(&plan);
            continue;
        }
        if (rc != CE_CONFIG || d.line != bad_cases[i].line ||
            !strstr(d.msg, bad_cases[i].msg))
            fail_msg("case %zu: rc %d line %ld msg '%s'", i, rc, d.line,
                     d.msg);
        assert_string_equal(d.source, path);
        assert_null(plan.sources); /* released on error */
    }
}

/* [department NAME]: a new department follows the default four, a
 * redeclared default keeps its place, a declared service list closes the
 * department and its services join the plan's even when no source maps
 * them, and a source resolves its department by name whatever the order
 * of the sections. */
static void
test_departments(void **state)
{
    struct job_plan plan;
    struct diag d;
    int yj;

    (void)state;
    assert_int_equal(
        load_with(&plan,
                  "[source yot]\ndepartment = youth_justice\npath = y.csv\n"
                  "field.nhs_number = N\nfield.service = S\n"
                  "field.start_date = A\nvalue.service.O = order\n"
                  "[department youth_justice]\ntitle = Youth justice\n"
                  "services = order, caution\n"
                  "service.order = A court order supervised by the YOT\n"
                  "[department housing]\ntitle = Housing & homelessness\n"
                  "[need crime]\nwhere = youth_justice.any\n",
                  &d),
        0);
    assert_int_equal(plan.ndepartments, DEPT_DEFAULT_COUNT + 1);
    yj = job_plan_department_lookup(&plan, "youth_justice");
    assert_int_equal(yj, DEPT_DEFAULT_COUNT);
    assert_int_equal(plan.sources[1].department, yj);
    assert_string_equal(job_plan_department_title(&plan, yj),
                        "Youth justice");
    assert_string_equal(job_plan_department_title(&plan, DEPT_HOUSING),
                        "Housing & homelessness");
    assert_string_equal(job_plan_department_title(&plan, DEPT_EDUCATION),
                        "education");
    assert_int_equal(plan.departments[DEPT_HOUSING].services_line, 0);
    assert_true(job_plan_service_index(&plan, yj, "order") >= 0);
    /* declared, mapped by no source: still a service where may name */
    assert_true(job_plan_service_index(&plan, yj, "caution") >= 0);
    assert_string_equal(
        job_plan_service_description(
            &plan, job_plan_service_index(&plan, yj, "order")),
        "A court order supervised by the YOT");
    assert_null(job_plan_service_description(
        &plan, job_plan_service_index(&plan, yj, "caution")));
    assert_int_equal(plan.nneeds, 1);
    assert_string_equal(plan.needs[0].title, "crime");
    assert_int_equal(job_plan_need_lookup(&plan, "crime"), 0);
    job_plan_release(&plan);
}

static void
test_bad_job_keys(void **state)
{
    static const char *const texts[] = {
        "[job]\nname = x\nreference_date = 2026-02-30\n",
        "[job]\nname = x\nperiods = 0\n",
        "[job]\nname = x\nage_bands = 0-4, 6-10, 11+\n",
        "[job]\nname = x\nage_bands = 0-4, 5-10\n",
        "name = x\n",
        "[job]\nname = x\nkey_file = a\noutput_dir = b\nlookup = c\n",
    };
    static const char *const msgs[] = {
        "reference_date", "periods", "gap", "last band must be open",
        "outside any section", "no [source NAME] section"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct job_plan plan;
        struct diag d;
        int rc = load_text(&plan, texts[i], &d);

        unlink(path);
        if (rc != CE_CONFIG || !strstr(d.msg, msgs[i]))
            fail_msg("case %zu: rc %d msg '%s'", i, rc, d.msg);
    }
}

/* A cohort may name a service flag before the source that maps it. */
static void
test_by_service_flag(void **state)
{
    static const char text[] =
        "[job]\nname = n\nkey_file = k\noutput_dir = o\nlookup = l\n"
        "[cohort early]\nwhere = all\n"
        "by = housing.homeless_prevention, sex, housing.temporary_accommodation\n"
        "[source h]\ndepartment = housing\npath = h.csv\nfield.nhs_number = N\n"
        "field.service = S\nfield.start_date = D\n"
        "value.service.TA = temporary_accommodation\n"
        "value.service.HP = homeless_prevention\n";
    struct job_plan plan;
    struct diag d;
    const struct cohort_plan *k;

    (void)state;
    if (load_text(&plan, text, &d) != 0)
        fail_msg("line %ld: %s", d.line, d.msg);
    unlink(path);
    k = &plan.cohorts[0];
    assert_int_equal(k->nby, 3);
    assert_int_equal(k->by[0], BY_SERVICE);
    assert_int_equal(k->by[1], BY_SEX);
    assert_int_equal(k->by[2], BY_SERVICE);
    assert_int_equal(k->by_service[0],
                     job_plan_service_index(&plan, DEPT_HOUSING,
                                            "homeless_prevention"));
    assert_int_equal(k->by_service[2],
                     job_plan_service_index(&plan, DEPT_HOUSING,
                                            "temporary_accommodation"));
    assert_int_equal(k->by_service[1], -1);
    assert_string_equal(cohort_by_name(k, 0), "housing_homeless_prevention");
    assert_string_equal(cohort_by_name(k, 1), "sex");
    assert_string_equal(cohort_by_name(k, 2),
                        "housing_temporary_accommodation");
    job_plan_release(&plan);
}

static void
test_missing_file(void **state)
{
    struct job_plan plan;
    struct diag d;

    (void)state;
    assert_int_equal(job_plan_load(&plan, "/nonexistent/job.conf", &d),
                     CE_CONFIG);
    assert_string_equal(d.source, "/nonexistent/job.conf");
    assert_non_null(strstr(d.msg, "cannot read"));
}

static void
test_continuation_and_long_where(void **state)
{
    struct job_plan plan;
    struct diag d;
    char extra[1200];
    size_t n;

    (void)state;
    /* an indented line continues the where; a 600-byte line is fine */
    n = (size_t)snprintf(extra, sizeof(extra), "[cohort long]\nwhere = all");
    while (n < 600)
        n += (size_t)snprintf(extra + n, sizeof(extra) - n, " or all");
    snprintf(extra + n, sizeof(extra) - n, "\n  and housing.any\n");
    if (load_with(&plan, extra, &d) != 0)
        fail_msg("line %ld: %s", d.line, d.msg);
    assert_non_null(strstr(plan.cohorts[1].where, "or all and housing.any"));
    assert_int_equal(plan.cohorts[1].where_line, 26);
    job_plan_release(&plan);
}

static void
test_profile_and_presets(void **state)
{
    struct job_plan plan;
    struct diag d;
    const char *extra =
        "[source lac]\nprofile = ssda903_episodes\npath = 903*.csv\n"
        "field.dob = BIRTH\n"
        "[source pupils]\nprofile = school_census\npath = sc.csv\n"
        "[disclosure]\npreset = nhs\nrounding = 10\nsuppress = 2-6\n"
        "[linkage]\nkeys = nhs_number; initial + surname_phonetic + "
        "dob_unordered + sector\n";

    (void)state;
    assert_int_equal(load_with(&plan, extra, &d), 0);
    assert_int_equal(plan.sources[1].department, DEPT_CHILDREN_SOCIAL_CARE);
    assert_string_equal(plan.sources[1].column[CF_LOCAL_ID], "CHILD");
    assert_string_equal(plan.sources[1].column[CF_DOB], "BIRTH"); /* kept */
    assert_string_equal(plan.sources[1].fixed_service, "looked_after");
    assert_string_equal(plan.sources[1].date_format, "%d/%m/%Y");
    assert_true(job_plan_service_index(&plan, DEPT_EDUCATION, "ehcp") >= 0);
    assert_int_equal(plan.disclosure.suppress_lo, 2); /* suppress = 2-6 */
    assert_int_equal(plan.disclosure.suppress_hi, 6);
    assert_int_equal(plan.disclosure.rounding, 10);
    assert_int_equal(plan.linkage.nkeys, 2);
    assert_string_equal(plan.linkage.keys[1].text,
                        "initial+surname_phonetic+dob_unordered+sector");
    assert_int_equal(plan.linkage.keys[1].ncomponents, 4);
    job_plan_release(&plan);
}

/* Id scopes: the profiles' scopes and the roles inferred from the mapping. */
static void
test_scopes_and_roles(void **state)
{
    struct job_plan plan;
    struct diag d;
    const char *extra =
        "[source lac_header]\nprofile = ssda903_header\npath = h.csv\n"
        "[source lac_episodes]\nprofile = ssda903_episodes\npath = e.csv\n"
        "[source cin]\nprofile = cin_census\npath = cin.csv\nid_scope = csc\n"
        "[source cpp]\nprofile = cin_census_plans\npath = cpp.csv\n"
        "id_scope = csc\n"
        "[source fsm]\nprofile = school_census_fsm\npath = fsm.csv\n"
        "[source odd]\ndepartment = housing\npath = o.csv\nid_scope = csc\n"
        "role = header\nfield.local_id = REF\nservice = x\n"
        "field.start_date = S\n";

    (void)state;
    if (load_with(&plan, extra, &d) != 0)
        fail_msg("line %ld: %s", d.line, d.msg);
    assert_int_equal(plan.sources[0].scope, -1); /* no id_scope: records */
    assert_int_equal(plan.sources[0].role, ROLE_RECORDS);
    assert_int_equal(plan.sources[0].has_spells, 1);
    assert_string_equal(plan.sources[1].id_scope, "ssda903");
    assert_int_equal(plan.sources[1].role, ROLE_HEADER);
    assert_int_equal(plan.sources[1].has_spells, 0); /* persons only */
    assert_int_equal(plan.sources[2].role, ROLE_EVENTS);
    assert_int_equal(plan.sources[2].scope, plan.sources[1].scope);
    assert_string_equal(plan.sources[3].id_scope, "csc"); /* written wins */
    assert_int_equal(plan.sources[3].role, ROLE_HEADER);
    assert_int_equal(plan.sources[3].has_spells, 1);
    assert_int_equal(plan.sources[4].role, ROLE_EVENTS);
    assert_int_equal(plan.sources[4].scope, plan.sources[3].scope);
    assert_string_equal(plan.sources[5].id_scope, "school_census");
    assert_int_equal(plan.sources[5].role, ROLE_EVENTS);
    assert_int_equal(plan.sources[6].role, ROLE_HEADER); /* as written */
    assert_int_equal(plan.nscopes, 3);
    assert_string_equal(plan.scopes[0], "ssda903");
    assert_string_equal(plan.scopes[1], "csc");
    assert_true(job_plan_service_index(&plan, DEPT_CHILDREN_SOCIAL_CARE,
                                       "child_protection_plan") >= 0);
    job_plan_release(&plan);

    /* errors, each naming its line */
    assert_int_equal(load_with(&plan, "[source x]\ndepartment = housing\n"
                                      "path = x.csv\nrole = events\n"
                                      "field.local_id = A\nservice = s\n"
                                      "field.start_date = S\n", &d),
                     CE_CONFIG);
    assert_non_null(strstr(d.msg, "'role' needs an 'id_scope'"));
    assert_int_equal(d.line, 28); /* the role line */
    assert_int_equal(load_with(&plan, "[source x]\ndepartment = housing\n"
                                      "path = x.csv\nrole = both\n", &d),
                     CE_CONFIG);
    assert_int_equal(load_with(&plan, "[source x]\ndepartment = housing\n"
                                      "path = x.csv\nid_scope = s\n"
                                      "field.dob = D\nservice = s\n"
                                      "field.start_date = S\n", &d),
                     CE_CONFIG);
    assert_non_null(strstr(d.msg, "no 'field.local_id'"));
    /* an events table needs its spell */
    assert_int_equal(load_with(&plan, "[source x]\ndepartment = housing\n"
                                      "path = x.csv\nid_scope = s\n"
                                      "field.local_id = A\n", &d),
                     CE_CONFIG);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plan),
        cmocka_unit_test(test_bad_plans),
        cmocka_unit_test(test_departments),
        cmocka_unit_test(test_bad_job_keys),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_by_service_flag),
        cmocka_unit_test(test_continuation_and_long_where),
        cmocka_unit_test(test_profile_and_presets),
        cmocka_unit_test(test_scopes_and_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
