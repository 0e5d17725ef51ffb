/*
 * test_linkage.c - linkage accuracy on synthetic extracts with known truth:
 * the demo job -- its match keys, then the probabilistic stage -- on 5 000
 * synthetic people must keep pairwise precision >= 99.5 % and recall >=
 * 98.5 % (measured: 1.0000 and 0.9929; the keys alone measured 0.9963 and
 * 0.9573 with the twins' key the demo job had before the stage). The
 * synth carries the errors real extracts have (both names mistyped, names
 * swapped, missing names and dates of birth, dob errors beyond a day/month
 * swap, movers, twins, common names, no shared strong id, every
 * community's naming conventions); issue 15's targets are precision >=
 * 0.995 and recall >= 0.98, and these floors stop a regression below
 * them. Per department pair and per naming convention, ethnic group, sex
 * and age band: `cohort linkage --truth` (tests/cli/linkage.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <unistd.h>

#include "../../anonymise/keys.h"
#include "../../core/calendar.h"
#include "../../app/synth.h"
#include "../linkage_eval.h"

static void
test_accuracy(void **state)
{
    char dir[] = "/tmp/cohort-linkage-XXXXXX", path[256], id[17],
         cmd[512];
    struct synth_options o;
    struct synth_counts c;
    struct job_plan plan;
    struct linkage_accuracy acc;
    struct diag d;
    FILE *in, *out;
    char line[512];

    (void)state;
    assert_non_null(mkdtemp(dir));
    o.dir = dir;
    o.lookup = "config/lookups/postcodes.csv";
    o.people = 5000;
    o.seed = 3;
    o.reference = days_from_civil(2026, 10, 31);
    o.spells = 1;
    assert_int_equal(synth_write(&o, &c, &d), 0);
    snprintf(path, sizeof(path), "%s/k.key", dir);
    assert_int_equal(key_generate(path, id, &d), 0);
    /* the demo job, pointed at this directory */
    in = fopen("config/demo.conf", "r");
    snprintf(path, sizeof(path), "%s/job.conf", dir);
    out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    while (fgets(line, sizeof(line), in)) {
        char *p = strstr(line, "demo/extracts/");

        if (!strncmp(line, "key_file", 8))
            fprintf(out, "key_file = %s/k.key\n", dir);
        else if (p)
            fprintf(out, "%.*s%s/%s", (int)(p - line), line, dir, p + 14);
        else
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
    assert_int_equal(job_plan_load(&plan, path, &d), 0);
    {
        /* the demo job reads a header + events pair (SSDA903) */
        size_t i, events = 0;

        for (i = 0; i < plan.nsources; i++)
            events += plan.sources[i].role == ROLE_EVENTS;
        assert_true(events >= 1);
    }
    snprintf(path, sizeof(path), "%s/truth_SYNTHETIC_IDENTIFIERS.csv", dir);
    assert_int_equal(linkage_evaluate(&plan, path, &acc), 0);
    print_message("linkage: %zu records, %.0f true pairs, precision %.5f, "
                  "recall %.5f\n", acc.records, acc.pairs_true,
                  acc.precision, acc.recall);
    assert_true(acc.records > 1000);
    assert_true(acc.pairs_true > 100);
    assert_true(acc.precision >= 0.995);
    assert_true(acc.recall >= 0.985);
    {
        /* sources read on threads: the same records in the same order,
         * linked into the same person numbers */
        struct link_trace *t1 = NULL, *t3 = NULL;
        size_t n1 = 0, n3 = 0, i, persons = 0;

        assert_int_equal(job_link_trace(&plan, 1, &t1, &n1, NULL, NULL, &d), 0);
        assert_int_equal(job_link_trace(&plan, 3, &t3, &n3, NULL, NULL, &d), 0);
        assert_true(n1 > 1000);
        assert_int_equal(n1, n3);
        for (i = 0; i < n1; i++) {
            assert_int_equal(t1[i].source, t3[i].source);
            assert_int_equal(t1[i].file, t3[i].file);
            assert_int_equal(t1[i].line, t3[i].line);
            assert_int_equal(t1[i].person, t3[i].person);
            /* numbered in order of each person's first record */
            assert_true(t1[i].person <= persons);
            if (t1[i].person == persons)
                persons++;
        }
        assert_int_not_equal(t1[0].source, t1[n1 - 1].source);
        free(t1);
        free(t3);
    }
    job_plan_release(&plan);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
