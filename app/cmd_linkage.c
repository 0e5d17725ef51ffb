/*
 * cmd_linkage.c - `cohort linkage JOB.conf [--truth FILE] [--trace FILE]`:
 * how well the job's linkage finds the same person.
 *
 * It reads, pseudonymises and links every source as `cohort run` does
 * (job_link_trace()), publishes nothing and takes no lock. With --truth it
 * measures the links against a truth file (linktruth.h): pairwise
 * precision, recall and F1 overall in one line first, then per pair of
 * departments, the persons split and merged, and per group of each group
 * column the truth carries. Then, with or without truth, the diagnostics
 * of the linker a user can read on real data: what each match key did,
 * the records linked to another department per department and per ethnic
 * group, and records per person. Each part is a titled section, so later
 * stages add theirs after these.
 *
 * Nothing printed holds an identifier: positions, numbers, the job's
 * names and group labels fit to print. Person numbers (--trace) count
 * persons in order of first appearance in the input, so they say nothing
 * a keyed hash would. Without a truth file the counts of persons --
 * persons, links, refusals, persons per size -- go through the job's
 * disclosure rule as `cohort run` prints them, and counts of records stay
 * exact. With one every figure is exact: a truth file means labelled test
 * data, and a measure must not be blurred.
 */
#include "commands.h"
#include "../core/atomic.h"
#include "../core/strbuf.h"
#include "job.h"
#include "linkdiag.h"
#include "linkeval.h"
#include "linktruth.h"
#include "options.h"
#include "../anonymise/disclosure.h"
#include "../anonymise/match.h"
#include "config.h"
#include "../core/log.h"
#include "../core/schema.h"
#include "../core/strnum.h"
#include "../core/published.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A figure resting on fewer true pairs than this is marked, not hidden. */
#define LINKAGE_FEW_PAIRS 30
/* ... and a share resting on fewer records. */
#define LINKAGE_FEW_RECORDS 30
/* The label column: the longest department pair fits; a longer match key
 * pushes its own line's numbers right. */
#define LABEL_WIDTH 44

static const char usage[] =
    "usage: cohort linkage JOB.conf [--truth FILE] [--trace FILE] "
    "[--threads N]\n";

enum { O_TRUTH, O_TRACE, O_THREADS, O_HELP, O_N };

static const struct option_spec specs[] = {
    [O_TRUTH] = {"truth", 't', OPT_VALUE, "FILE",
                 "measure against this truth file (source,line,person,...)"},
    [O_TRACE] = {"trace", 0, OPT_VALUE, "FILE",
                 "write source,line,person for every accepted record"},
    [O_THREADS] = {"threads", 'j', OPT_VALUE, "N",
                   "threads reading sources (default: the CPUs, at most 8)"},
    [O_HELP] = {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "linkage needs one job file"};

static void
on_signal(int sig)
{
    (void)sig;
    job_stop_requested = 1;
}

/* "0.9876", or "n/a" for a measure with nothing under it (v < 0). */
static const char *
ratio_text(double v, char buf[16])
{
    if (v < 0)
        snprintf(buf, 16, "n/a");
    else
        snprintf(buf, 16, "%.4f", v);
    return buf;
}

/* A count of persons: exact against a truth file, else as `cohort run`
 * prints it (the job's rule, no perturbation: these counts have no one
 * set of persons behind them). */
static const char *
persons_text(const struct job_plan *plan, int exact, uint64_t n, char buf[24])
{
    if (!exact)
        n = disclosure_publish_count(&plan->disclosure, NULL, n, 0);
    return count_text(n, buf);
}

/* Renumbers the trace's persons in order of first appearance: the linker
 * already does, but the measure must not rest on how it numbers. */
static int
renumber_persons(struct link_trace *tr, size_t n, size_t *npersons)
{
    uint32_t max = 0, *map, next = 0;
    size_t i;

    for (i = 0; i < n; i++)
        if (tr[i].person > max)
            max = tr[i].person;
    if (!(map = malloc(((size_t)max + 1) * sizeof(*map))))
        return CE_NOMEM;
    for (i = 0; i <= max; i++)
        map[i] = UINT32_MAX;
    for (i = 0; i < n; i++) {
        if (map[tr[i].person] == UINT32_MAX)
            map[tr[i].person] = next++;
        tr[i].person = map[tr[i].person];
    }
    free(map);
    *npersons = next;
    return 0;
}

/*
 * --trace: source,line,person per record (and file_number when a source
 * read several files), written through core/atomic: a reader sees the old
 * file or the whole new one.
 */
static int
write_trace(const char *path, const struct job_plan *plan,
            const struct link_trace *tr, size_t n, struct diag *d)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    int files = 0, rc;

    for (i = 0; i < n; i++)
        files |= tr[i].file > 0;
    strbuf_addf(&sb, "source,line,person%s\n", files ? ",file_number" : "");
    for (i = 0; i < n && !job_stop_requested; i++) {
        /* source names are the job file's plain names */
        strbuf_add_csv(&sb, plan->sources[tr[i].source].name);
        strbuf_addf(&sb, ",%ld,%lu", tr[i].line, (unsigned long)tr[i].person);
        if (files)
            strbuf_addf(&sb, ",%lu", (unsigned long)tr[i].file + 1);
        strbuf_adds(&sb, "\n");
    }
    if (job_stop_requested) {
        diag_set(d, path, 0, 0, NULL, "interrupted");
        rc = CE_INTERRUPTED;
    } else if (strbuf_failed(&sb)) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    } else {
        rc = atomic_write_file(path, sb.buf, sb.len, 0666, d);
    }
    strbuf_release(&sb);
    return rc;
}

/* One line of a measure: label, true pairs, precision, recall, a mark. */
static void
print_measure(const char *label, const struct pair_counts *c)
{
    char p[16], r[16];

    printf("  %-*s %10llu %9s %9s%s\n", LABEL_WIDTH, label,
           (unsigned long long)c->truth,
           ratio_text(pair_precision(c), p), ratio_text(pair_recall(c), r),
           c->truth < LINKAGE_FEW_PAIRS ? "  (few pairs)" : "");
}

/* The evaluation records: those with a truth row, labelled by label[i]
 * (NULL: 0). */
static size_t
eval_records(const struct link_trace *tr, size_t n, const struct link_truth *t,
             const uint8_t *label, struct linkeval_record *out)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (t->person[i] == TRUTH_NONE)
            continue;
        out[k].linked = tr[i].person;
        out[k].truth = t->person[i];
        out[k].label = label ? label[i] : 0;
        k++;
    }
    return k;
}

/* The accuracy sections: overall, department pairs, persons, groups. */
static int
print_accuracy(const struct job_plan *plan, const struct link_trace *tr,
               size_t n, const struct link_truth *t)
{
    struct linkeval_record *r = malloc((t->matched + 1) * sizeof(*r));
    uint8_t *dept = malloc(n + 1);
    struct pair_counts all, bydept[DEPT_MAX * DEPT_MAX];
    size_t nd = job_plan_ndepartments(plan);
    struct pair_counts *bygroup = NULL;
    struct person_counts pc;
    char p[16], rc_[16], f1[16];
    size_t i, k, a, b;
    int rc = CE_NOMEM, g;

    if (!r || !dept)
        goto out;
    for (i = 0; i < n; i++)
        dept[i] = (uint8_t)plan->sources[tr[i].source].department;
    k = eval_records(tr, n, t, NULL, r);
    if ((rc = linkeval_count(r, k, 1, LINKEVAL_ALL, &all, &pc)) < 0)
        goto out;
    printf("precision %s recall %s f1 %s\n", ratio_text(pair_precision(&all), p),
           ratio_text(pair_recall(&all), rc_), ratio_text(pair_f1(&all), f1));
    printf("records: %zu accepted, %llu with a truth row, %llu without\n", n,
           (unsigned long long)t->matched,
           (unsigned long long)(n - t->matched));
    printf("truth rows: %llu, %llu for no accepted record (quarantined rows, "
           "sources the job does not read)\n",
           (unsigned long long)t->rows,
           (unsigned long long)t->rows_unmatched);
    printf("pairs: %llu true, %llu linked, %llu both\n",
           (unsigned long long)all.truth, (unsigned long long)all.linked,
           (unsigned long long)all.both);
    printf("persons: %llu true, %llu linked; %llu true persons split over "
           "several linked persons, %llu linked persons merging several true "
           "persons\n",
           (unsigned long long)pc.truth, (unsigned long long)pc.linked,
           (unsigned long long)pc.split, (unsigned long long)pc.merged);

    k = eval_records(tr, n, t, dept, r);
    if ((rc = linkeval_count(r, k, (uint32_t)nd, LINKEVAL_LABEL_PAIR, bydept,
                             NULL)) < 0)
        goto out;
    printf("\ndepartment pairs: record pairs with one record in each "
           "department\n");
    printf("  %-*s %10s %9s %9s\n", LABEL_WIDTH, "departments", "true pairs",
           "precision", "recall");
    for (a = 0; a < nd; a++)
        for (b = a; b < nd; b++) {
            const struct pair_counts *c = &bydept[a * nd + b];
            char label[96];

            if (!c->truth && !c->linked)
                continue;
            snprintf(label, sizeof(label), "%s + %s",
                     job_plan_department_name(plan, (int)a),
                     job_plan_department_name(plan, (int)b));
            print_measure(label, c);
        }

    for (g = 0; g < TG_COUNT; g++) {
        if (!t->has_group[g])
            continue;
        free(bygroup);
        if (!(bygroup = calloc(t->nlabels[g] + 1, sizeof(*bygroup)))) {
            rc = CE_NOMEM;
            goto out;
        }
        k = eval_records(tr, n, t, t->group[g], r);
        if ((rc = linkeval_count(r, k, (uint32_t)t->nlabels[g], LINKEVAL_LABEL,
                                 bygroup, NULL)) < 0)
            goto out;
        printf("\n%s (from the truth): record pairs with a record in the "
               "group\n", truth_group_name((enum truth_group)g));
        printf("  %-*s %10s %9s %9s\n", LABEL_WIDTH,
               truth_group_name((enum truth_group)g), "true pairs",
               "precision", "recall");
        for (a = 0; a < t->nlabels[g]; a++)
            print_measure(t->labels[g][a], &bygroup[a]);
    }
    rc = 0;
out:
    free(bygroup);
    free(dept);
    free(r);
    return rc;
}

/* The sections that need no truth. */
static int
print_diagnostics(const struct job_plan *plan, const struct link_trace *tr,
                  size_t n, size_t npersons, const struct key_summary *keys,
                  int exact)
{
    static const uint64_t bounds[] = {1, 2, 3, 4, 5, 10, 20, 50};
    static const char *const bound_names[] = {"1", "2", "3", "4", "5-9",
                                              "10-19", "20-49", "50+"};
    enum { NB = sizeof(bounds) / sizeof(bounds[0]) };
    uint32_t *mask = calloc(npersons + 1, sizeof(*mask));
    uint32_t *person = malloc((n + 1) * sizeof(*person));
    uint64_t recs[DEPT_MAX] = {0}, away[DEPT_MAX] = {0};
    uint64_t erecs[ETH_COUNT] = {0}, eaway[ETH_COUNT] = {0};
    uint64_t hist[NB], largest;
    char nb[2][24];
    size_t i, k;
    int rc = CE_NOMEM, any_eth = 0, width = LABEL_WIDTH;

    if (!mask || !person)
        goto out;
    printf("linked: %zu records into %s persons\n", n,
           persons_text(plan, exact, npersons, nb[0]));

    printf("\nmatch keys, strictest first: records with the key, links made, "
           "links refused (two NHS numbers or UPNs)\n");
    for (k = 0; k <= plan->linkage.nkeys; k++)
        if (k && strlen(keys[k].key_text) + 4 > (size_t)width)
            width = (int)strlen(keys[k].key_text) + 4;
    for (k = plan->nscopes ? 0 : 1; k <= plan->linkage.nkeys; k++) {
        char label[256];

        if (k)
            snprintf(label, sizeof(label), "%zu %s", k, keys[k].key_text);
        else
            snprintf(label, sizeof(label), "id scopes (local_id)");
        printf("  %-*s %10llu records %8s links %8s refused\n", width, label, (unsigned long long)keys[k].records_with_key,
               persons_text(plan, exact, keys[k].links, nb[0]),
               persons_text(plan, exact, keys[k].conflicts, nb[1]));
    }

    for (i = 0; i < n; i++)
        mask[tr[i].person] |=
            1u << plan->sources[tr[i].source].department;
    for (i = 0; i < n; i++) {
        const struct source_plan *sp = &plan->sources[tr[i].source];
        int elsewhere = (mask[tr[i].person] & ~(1u << sp->department)) != 0;

        recs[sp->department]++;
        away[sp->department] += elsewhere;
        if (sp->column[CF_ETHNICITY] && tr[i].ethnicity < ETH_COUNT) {
            erecs[tr[i].ethnicity]++;
            eaway[tr[i].ethnicity] += elsewhere;
            any_eth = 1;
        }
    }
    printf("\ndepartments: records linked to a person another department "
           "knows\n");
    for (k = 0; k < job_plan_ndepartments(plan); k++)
        if (recs[k])
            printf("  %-*s %10llu records %8llu linked elsewhere %6.2f %%%s\n",
                   LABEL_WIDTH,
                   job_plan_department_name(plan, (int)k),
                   (unsigned long long)recs[k], (unsigned long long)away[k],
                   100.0 * (double)away[k] / (double)recs[k],
                   recs[k] < LINKAGE_FEW_RECORDS ? "  (few records)" : "");
    if (any_eth) {
        printf("\nethnic groups (records of sources that map ethnicity): "
               "records linked to a person another department knows\n");
        for (k = 0; k < ETH_COUNT; k++)
            if (erecs[k])
                printf("  %-*s %10llu records %8llu linked elsewhere %6.2f "
                       "%%%s\n",
                       LABEL_WIDTH,
                       ethnic_group_name((enum ethnic_group)k),
                       (unsigned long long)erecs[k],
                       (unsigned long long)eaway[k],
                       100.0 * (double)eaway[k] / (double)erecs[k],
                       erecs[k] < LINKAGE_FEW_RECORDS ? "  (few records)" : "");
    }

    for (i = 0; i < n; i++)
        person[i] = tr[i].person;
    if ((rc = linkeval_size_histogram(person, n, npersons, bounds, NB, hist,
                                      &largest)) < 0)
        goto out;
    printf("\nrecords per person\n");
    for (k = 0; k < NB; k++)
        printf("  %-*s %10s persons\n", LABEL_WIDTH, bound_names[k],
               persons_text(plan, exact, hist[k], nb[0]));
    printf("  %-*s %10llu records\n", LABEL_WIDTH, "largest person",
           (unsigned long long)largest);
    rc = 0;
out:
    free(mask);
    free(person);
    return rc;
}

int
cmd_linkage(int argc, char **argv)
{
    const char *vals[O_N] = {0}, *pos[1];
    struct diag d;
    struct job_plan plan;
    struct link_trace *tr = NULL;
    struct key_summary *keys = NULL;
    struct match_stats *mst = NULL;
    struct link_truth truth;
    struct sigaction sa;
    size_t n = 0, npersons = 0;
    int rc, threads, have_truth = 0;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    memset(&truth, 0, sizeof(truth));
    {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        threads = cpus > 0 ? (cpus > 8 ? 8 : (int)cpus) : 1;
    }
    if (vals[O_THREADS]) {
        int64_t t;

        if (parse_int64_str(vals[O_THREADS], 1, 16, &t) < 0)
            return usage_error(usage, "--threads must be 1 to 16");
        threads = (int)t;
    }
    if ((rc = job_plan_load(&plan, pos[0], &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (!(keys = calloc(plan.linkage.nkeys + 1, sizeof(*keys))) ||
        !(mst = calloc(1, sizeof(*mst)))) {
        rc = CE_NOMEM;
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    if ((rc = job_link_trace(&plan, threads, &tr, &n, keys, mst, &d)) < 0)
        goto out;
    if ((rc = renumber_persons(tr, n, &npersons)) < 0) {
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    /* the truth first: a bad one is the error, before anything prints */
    if (vals[O_TRUTH]) {
        if ((rc = link_truth_load(&truth, vals[O_TRUTH], &plan, tr, n, &d)) < 0)
            goto out;
        have_truth = 1;
    }
    if (vals[O_TRACE] &&
        (rc = write_trace(vals[O_TRACE], &plan, tr, n, &d)) < 0)
        goto out;
    if (have_truth && (rc = print_accuracy(&plan, tr, n, &truth)) < 0) {
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    if (have_truth)
        printf("\n");
    if ((rc = print_diagnostics(&plan, tr, n, npersons, keys, have_truth)) <
        0) {
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    linkdiag_print(&plan, mst, have_truth);
out:
    if (rc < 0)
        log_diag(&d);
    if (have_truth)
        link_truth_release(&truth);
    free(tr);
    free(keys);
    free(mst);
    job_plan_release(&plan);
    return finish_stdout(cohort_exit_code(rc));
}
