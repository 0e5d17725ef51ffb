/*
 * job.c - the nightly job, stage after stage (ARCHITECTURE.md, "The data
 * path"): what happens in which order, on which threads, and how long it
 * took. What happens to a row or a person is a call into its stage:
 *
 *     read      per source, on threads: app/source_reader.h (connector,
 *               map, quarantine), each row through anonymise/record.h
 *               (the pseudonymous record; plaintext ends there)
 *     drift     app/drift.h
 *     link      anonymise/link.h (the keys), then anonymise/prob_link.h
 *               (the probabilistic stage, anonymise/match.h); unmapped
 *               codes' persons (person.h)
 *     persons   anonymise/person.h (the attribute rules IG signs off)
 *     cohorts   cohorts/count.h, then anonymise/disclosure.h per table;
 *               the derived tables, rates and projections (job_tables.h)
 *     publish   export/publish.h (every output, committed together; a
 *               publication an earlier run left half done is finished
 *               or reversed first); drift recorded
 *
 * Memory: per accepted record we keep 16 bytes (its spell and the number
 * of its generalised attributes, which a run of a person's rows shares:
 * anonymise/record.h, struct record_list) plus the linker's per-record
 * state, and per distinct comparison record 128 bytes until the matcher
 * holds it;
 * the extracts themselves are streamed.
 */
#include "job.h"
#include "commands.h"
#include "drift.h"
#include "job_read.h"
#include "job_tables.h"
#include "source_reader.h"
#include "../core/log.h"
#include "../core/period.h"
#include "../core/strbuf.h"

#include "../anonymise/compare_fields.h"
#include "../anonymise/comparison.h"
#include "../anonymise/keys.h"
#include "../anonymise/person.h"
#include "../anonymise/prob_link.h"
#include "../anonymise/published_counts.h"
#include "../anonymise/disclosure.h"
#include "../anonymise/disclosure_check.h"
#include "../anonymise/household.h"
#include "../anonymise/ptable.h"
#include "../anonymise/rules.h"
#include "../cohorts/where.h"
#include "../cohorts/count.h"
#include "../export/publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t job_stop_requested;

int
job_compile_cohorts(const struct job_plan *plan, struct where_expr **exprs,
                    char **plain, struct diag *d)
{
    size_t i;
    int rc;

    /* each [need] group on its own first, so its errors name its line */
    for (i = 0; i < plan->nneeds; i++) {
        const struct need_plan *np = &plan->needs[i];
        struct where_expr *ne = NULL;

        diag_clear(d);
        rc = where_parse_group(np->where, plan, &ne, d);
        where_free(ne);
        if (rc < 0) {
            struct diag inner = *d;

            diag_set(d, plan->config_path, np->where_line, inner.column,
                     "where", "[need %s] where: %s", np->name, inner.msg);
            return rc;
        }
    }
    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *c = &plan->cohorts[i];

        diag_clear(d);
        rc = where_parse(c->where, plan, &exprs[i], d);
        if (rc < 0) {
            struct diag inner = *d;

            diag_set(d, plan->config_path, c->where_line, inner.column,
                     "where", "[cohort %s] where: %s", c->name, inner.msg);
            return rc;
        }
        if (c->unit == UNIT_PERSONS && where_has_members(exprs[i])) {
            diag_set(d, plan->config_path, c->where_line, 0, "where",
                     "[cohort %s] where: any member, all members and lead "
                     "qualify a household's members: they need unit = "
                     "households", c->name);
            return CE_CONFIG;
        }
        if (plain) {
            plain[i] = where_plain(exprs[i], plan);
            if (!plain[i]) {
                diag_set(d, plan->config_path, c->where_line, 0, NULL,
                         "out of memory");
                return CE_NOMEM;
            }
        }
    }
    if ((rc = job_check_nesting(plan, exprs, d)) < 0)
        return rc;
    return job_check_derived(plan, d);
}

int
job_check_nesting(const struct job_plan *plan,
                  struct where_expr *const *exprs, struct diag *d)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    size_t i, j;

    /* Noise that the same persons always get, or rounding as coarse as
     * the protection level, is what answers a subtraction; the audit of
     * each table alone does not. */
    if (dp->perturbation == PERTURB_CELLKEY ||
        dp->rounding >= dp->protection_level)
        return 0;
    for (j = 1; j < plan->ncohorts; j++)
        for (i = 0; i < j; i++) {
            const struct cohort_plan *a = &plan->cohorts[i];
            const struct cohort_plan *b = &plan->cohorts[j];
            /* a household table and a person table count different
             * things: neither is the other's subset */
            int same = a->unit == b->unit;
            int b_in_a = same && where_within(exprs[j], exprs[i]);
            int a_in_b = same && where_within(exprs[i], exprs[j]);

            if (!b_in_a && !a_in_b)
                continue;
            diag_set(d, plan->config_path, b->where_line, 0, "nested_cohorts",
                     "[cohort %s] and [cohort %s] count %s, so subtracting "
                     "one table from the other can reveal cells either "
                     "hides; publish one of them, or set perturbation = "
                     "cellkey (with a ptable) or rounding >= %d (the "
                     "protection level) in [disclosure]",
                     a->name, b->name,
                     b_in_a && a_in_b ? "the same persons"
                                      : "persons of which one is part of "
                                        "the other",
                     dp->protection_level);
            return CE_CONFIG;
        }
    return 0;
}

void
job_free_cohorts(const struct job_plan *plan, struct where_expr **exprs,
                 char **plain)
{
    size_t i;

    for (i = 0; i < plan->ncohorts; i++) {
        if (exprs && exprs[i])
            where_free(exprs[i]);
        if (plain)
            free(plain[i]);
    }
}

static void
make_run_id(struct run_summary *sum)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    sum->started = (int64_t)ts.tv_sec;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(sum->run_id, sizeof(sum->run_id),
             "%04u%02u%02uT%02u%02u%02u.%03uZ", (unsigned)tm.tm_year + 1900,
             (unsigned)tm.tm_mon % 12 + 1, (unsigned)tm.tm_mday % 32,
             (unsigned)tm.tm_hour % 24, (unsigned)tm.tm_min % 60,
             (unsigned)tm.tm_sec % 62, (unsigned)(ts.tv_nsec / 1000000) % 1000);
}

/* What the stages share: the key and what is derived from it, the
 * lookup, the perturbation table, and what reading left. */
struct job_state {
    const struct job_plan *plan;
    struct cohort_key key;
    int have_key;
    struct pseudonymiser ps;
    int have_ps;
    struct comparison_encoder enc; /* with a probabilistic stage */
    int have_enc;
    struct geo_lookup geo;
    int have_geo;
    struct ptable pt;             /* job_run() with cell-key perturbation */
    int have_pt;
    struct read_result rr;        /* records, linker, unmapped codes, scopes */
};

/* Copies the scopes' counts into the summary and logs what needs a look. */
static int
summarise_scopes(const struct job_state *js, struct run_summary *sum)
{
    const struct job_plan *plan = js->plan;
    size_t i;

    if (!plan->nscopes)
        return 0;
    sum->scopes = calloc(plan->nscopes, sizeof(*sum->scopes));
    if (!sum->scopes)
        return CE_NOMEM;
    sum->nscopes = plan->nscopes;
    for (i = 0; i < plan->nscopes; i++) {
        const struct scope_stats *st = &js->rr.scopes.stats[i];
        struct scope_summary *sc = &sum->scopes[i];

        sc->name = plan->scopes[i];
        sc->ids = st->ids;
        sc->header_rows = st->header_rows;
        sc->events_joined = st->events_joined;
        sc->events_orphaned = st->events_orphaned;
        sc->nhs_conflicts = st->nhs_conflicts;
        sc->dob_conflicts = st->dob_conflicts;
        if (st->events_orphaned)
            log_msg(LOG_WARN, "id scope %s: %llu events rows name an id no "
                              "header lists (quarantined as orphan_local_id)",
                    sc->name, (unsigned long long)st->events_orphaned);
        if (st->nhs_conflicts)
            log_msg(LOG_WARN, "id scope %s: %llu ids carry two NHS numbers "
                              "across their rows (kept apart, not merged)",
                    sc->name, (unsigned long long)st->nhs_conflicts);
        if (st->dob_conflicts)
            log_msg(LOG_WARN, "id scope %s: %llu ids carry two dates of birth "
                              "across their rows (one person; the most "
                              "frequent date is used)",
                    sc->name, (unsigned long long)st->dob_conflicts);
    }
    return 0;
}

static void
job_state_release(struct job_state *js)
{
    read_result_release(&js->rr);
    if (js->have_ps)
        pseudonymiser_release(&js->ps);
    if (js->have_enc)
        comparison_encoder_release(&js->enc);
    if (js->have_geo)
        geo_lookup_release(&js->geo);
    if (js->have_pt)
        ptable_release(&js->pt);
    if (js->have_key)
        key_release(&js->key);
}

/*
 * What reading needs, in this order: the key (its id into key_id, when
 * not NULL), the lookup, the perturbation table (with_ptable, when the
 * plan perturbs) and the pseudonymiser.
 */
static int
job_state_load(struct job_state *js, int with_ptable, char *key_id,
               struct diag *d)
{
    const struct job_plan *plan = js->plan;
    int rc;

    if ((rc = key_load(&js->key, plan->key_file, d)) < 0)
        return rc;
    js->have_key = 1;
    if (key_id)
        memcpy(key_id, js->key.id, sizeof(js->key.id));
    if ((rc = geo_lookup_load(&js->geo, plan->lookup, d)) < 0)
        return rc;
    js->have_geo = 1;
    if (with_ptable && plan->disclosure.perturbation == PERTURB_CELLKEY) {
        if ((rc = ptable_load(&js->pt, plan->disclosure.ptable, d)) < 0)
            return rc;
        js->have_pt = 1;
    }
    if ((rc = pseudonymiser_init(&js->ps, plan, &js->key, d)) < 0)
        return rc;
    js->have_ps = 1;
    if (plan->linkage.probabilistic) {
        if (comparison_encoder_init(&js->enc, &js->key) < 0) {
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            return CE_NOMEM;
        }
        js->have_enc = 1;
    }
    return 0;
}

/*
 * The probabilistic stage's outcome for the outputs, and a warning per
 * field EM did not train (its documented defaults are used): the field by
 * name, never a value.
 */
static void
summarise_prob(const struct match_stats *st, const struct job_plan *plan,
               struct prob_summary *ps)
{
    const struct linkage_plan *lp = &plan->linkage;
    unsigned f, r;
    char rule[128];

    memset(ps, 0, sizeof(*ps));
    ps->ran = 1;
    ps->threshold = lp->match_threshold;
    snprintf(ps->key_text, sizeof(ps->key_text),
             "probabilistic match probability >= %.4f", lp->match_threshold);
    ps->records = st->records;
    ps->pairs_compared = st->pairs_compared;
    ps->pairs_accepted = st->pairs_accepted;
    ps->refused_guard = st->refused_disagree + st->refused_no_dob;
    ps->refused_strong_id = st->refused_strong_id;
    ps->refused_other =
        st->refused_conflict + st->refused_size + st->refused_generations +
        st->refused_ambiguous;
    ps->links = st->links;
    prob_link_summarise_assembly(st, ps);
    for (r = 0; r < st->nrules; r++) {
        const struct match_rule_stats *rs = &st->rule[r];

        ps->blocks_over_cap += rs->blocks_over_cap;
        ps->pairs_over_cap += rs->pairs_over_cap;
        if (rs->blocks_over_cap)
            log_msg(LOG_WARN, "probabilistic linkage: blocking rule %u (%s): "
                              "blocks over block_cap = %d records: %llu, "
                              "their %llu pairs not compared under it",
                    r + 1, match_rule_text(rs->rule, rule, sizeof(rule)),
                    lp->block_cap, (unsigned long long)rs->blocks_over_cap,
                    (unsigned long long)rs->pairs_over_cap);
    }
    for (f = 0; f < st->nfields; f++)
        if (st->field[f].defaulted) {
            ps->em_defaulted++;
            log_msg(LOG_WARN, "probabilistic linkage: EM did not converge "
                              "for the field %s on any blocking rule; its "
                              "documented default m is used",
                    compare_fields_name(plan, (enum match_field)f));
        }
}

/*
 * Links the records read: the keys (link.h), then, when the plan has it,
 * the probabilistic stage (prob_link.h, scoring its blocks on `threads`
 * threads with the result of one), whose statistics go to *mst (zeroed
 * without). The comparison records are released on the way.
 */
static int
link_records(struct job_state *js, int threads, struct match_stats *mst,
             struct diag *d)
{
    const struct job_plan *plan = js->plan;
    struct match_config cfg;

    memset(mst, 0, sizeof(*mst));
    if (linker_run(&js->rr.linker) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if (!js->have_enc)
        return 0;
    prob_link_config(&plan->linkage, &cfg);
    cfg.nextra = compare_fields_count(plan);
    cfg.extra_strong = compare_fields_strong(plan);
    cfg.threads = threads > 0 ? (unsigned)threads : 1;
    return prob_link_run(&js->rr.linker, &js->rr.recs,
                         &js->rr.comparisons, &cfg, mst, d);
}

/* What job_run() carries from one step to the next. */
struct job_run {
    const struct job_plan *plan;
    const struct run_options *opts;
    struct run_summary *sum;
    struct job_state js;
    struct where_expr **exprs;    /* per cohort */
    char **plain;                 /* per cohort, until its result takes it */
    struct period *periods;
    struct person_set ps;
    int have_ps;
};

static void
set_finished(struct run_summary *sum)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    sum->finished = (int64_t)ts.tv_sec;
}

/* The run's id and the summary's arrays; the periods. */
static int
run_begin(struct job_run *jr, struct diag *d)
{
    const struct job_plan *plan = jr->plan;
    struct run_summary *sum = jr->sum;

    make_run_id(sum);
    log_set_run_id(sum->run_id);
    sum->version = COHORT_VERSION;
    sum->plan = plan;
    sum->nsources = plan->nsources;
    sum->nkeys = plan->linkage.nkeys;
    sum->ncohorts = plan->ncohorts;
    sum->sources = calloc(plan->nsources, sizeof(*sum->sources));
    sum->keys = calloc(plan->linkage.nkeys, sizeof(*sum->keys));
    /* the cohorts' tables, then the derived ones (job_tables.h) */
    sum->cohorts = calloc(job_table_count(plan), sizeof(*sum->cohorts));
    jr->exprs = calloc(plan->ncohorts, sizeof(*jr->exprs));
    jr->plain = calloc(plan->ncohorts, sizeof(*jr->plain));
    jr->periods = calloc((size_t)plan->periods, sizeof(*jr->periods));
    if (!sum->sources || !sum->keys || !sum->cohorts || !jr->exprs ||
        !jr->plain || !jr->periods) {
        sum->nsources = sum->nkeys = sum->ncohorts = 0;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    periods_compute(job_plan_period_end(plan), plan->periods, jr->periods);
    return 0;
}

/* The rules as reviewed, and their hash for the manifest. */
static int
run_rules(struct job_run *jr, struct diag *d)
{
    /* the plan alone: the key, the headers and the last publication are
     * what `cohort rules` shows beside it, not what the run applies */
    struct rules_inputs in = {jr->plain, COHORT_VERSION, NULL, NULL, NULL};
    struct strbuf sb = STRBUF_INIT;
    int rc;

    if ((rc = job_compile_cohorts(jr->plan, jr->exprs, jr->plain, d)) < 0)
        return rc;
    if ((rc = rules_render(jr->plan, &in, RULES_TEXT, &sb, d)) < 0 ||
        (rc = rules_plan_hash(jr->plan, &in, jr->sum->plan_hash, d)) < 0) {
        strbuf_release(&sb);
        return rc;
    }
    jr->sum->rules_text = strbuf_detach(&sb);
    return 0;
}

/* read -> map -> pseudonymise: plaintext lives only inside this step. */
static int
run_read(struct job_run *jr, struct diag *d)
{
    int rc;

    if ((rc = read_sources(&jr->js.rr, jr->plan, &jr->js.ps, &jr->js.geo,
                           jr->js.have_enc ? &jr->js.enc : NULL,
                           jr->opts, 0, jr->sum->sources, d)) < 0)
        return rc;
    jr->sum->unknown_postcodes = jr->js.rr.unknown_postcodes;
    if ((rc = summarise_scopes(&jr->js, jr->sum)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    return 0;
}

/*
 * Links the records, then counts the distinct persons behind each
 * unmapped code and writes each source's unmapped-code lines again with
 * them (person.h); the links per key into the summary.
 */
static int
run_link(struct job_run *jr, struct diag *d)
{
    const struct job_plan *plan = jr->plan;
    struct job_state *js = &jr->js;
    struct run_summary *sum = jr->sum;
    struct match_stats *mst;
    size_t i;
    int rc;

    if (!(mst = malloc(sizeof(*mst))))
        goto nomem;
    rc = link_records(js, jr->opts->threads, mst, d);
    if (rc == 0 && js->have_enc)
        summarise_prob(mst, plan, &sum->prob);
    free(mst);
    if (rc < 0)
        return rc;
    for (i = 0; i < plan->nsources; i++) {
        if (!sum->sources[i].plan)
            continue;
        unmapped_count_persons(&js->rr.unmapped[i], &js->rr.linker);
        if (source_summary_set_unmapped(&sum->sources[i], &js->rr.unmapped[i],
                                        unmapped_min_persons(plan)) < 0)
            goto nomem;
    }
    for (i = 0; i < plan->linkage.nkeys; i++) {
        struct linker_key_stats st;

        linker_key_stats(&js->rr.linker, i + 1, &st);
        if (i == 0) {
            struct linker_key_stats sc;

            linker_key_stats(&js->rr.linker, 0, &sc);
            sum->scope_links = sc.links;
            sum->scope_refused = sc.conflicts;
        }
        sum->keys[i].key_text = plan->linkage.keys[i].text;
        sum->keys[i].records_with_key = st.records_with_key;
        sum->keys[i].links = st.links;
        sum->keys[i].conflicts = st.conflicts;
    }
    return 0;
nomem:
    diag_set(d, NULL, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}

/* A source's tally of stacked returns into its summary (core/run.h). */
static void
returns_summary(const struct returns_tally *t, struct source_summary *ss)
{
    ss->returns[0] = t->files;
    ss->returns[1] = t->duplicate;
    ss->returns[2] = t->replaced;
    ss->returns[3] = t->superseded;
    ss->returns[4] = t->closed;
}

/* Assembles the persons (person.h); their counts pass the rule. */
static int
run_persons(struct job_run *jr, struct diag *d)
{
    struct job_state *js = &jr->js;
    struct run_summary *sum = jr->sum;
    struct department_tally dept[DEPT_MAX];
    uint32_t dept_ckey[DEPT_MAX];
    size_t i;
    int rc;

    memset(dept, 0, sizeof(dept));
    rc = person_set_build(&jr->ps, jr->plan, jr->periods, &js->rr.recs,
                          &js->rr.linker, &js->ps,
                          &js->geo.names, dept);
    if (rc < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    jr->have_ps = 1;
    /* stacked yearly returns read as one (anonymise/returns.h) */
    if (js->rr.returns.n) {
        if ((rc = returns_reconcile(&js->rr.returns, &jr->ps)) < 0) {
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            return rc;
        }
        for (i = 0; i < jr->plan->nsources && i < js->rr.returns.nsources;
             i++)
            returns_summary(&js->rr.returns.tally[i], &sum->sources[i]);
    }
    if (household_set_build(&jr->ps, &js->rr.recs,
                            &js->rr.linker, &js->rr.scopes.households,
                            &js->ps) < 0 ||
        household_spells_build(&jr->ps, &js->rr.household_events) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < job_plan_ndepartments(jr->plan); i++) {
        sum->departments[i].records += dept[i].records;
        sum->departments[i].persons += dept[i].persons;
        dept_ckey[i] = dept[i].key_sum;
    }
    sum->persons = jr->ps.npersons;
    published_counts_protect(&jr->plan->disclosure,
                             js->have_pt ? &js->pt : NULL, &jr->ps, dept_ckey,
                             sum);
    /* The records are no longer needed once persons exist. */
    record_list_release(&js->rr.recs);
    return 0;
}

/* Counts every cohort's table and protects it; then the derived tables,
 * their rates and the projections (job_tables.h). */
static int
run_cohorts(struct job_run *jr, struct diag *d)
{
    const struct job_plan *plan = jr->plan;
    struct run_summary *sum = jr->sum;
    struct table_job tj;
    size_t i;
    double t0;
    int rc;

    tj.plan = plan;
    tj.ps = &jr->ps;
    tj.periods = jr->periods;
    tj.exprs = jr->exprs;
    tj.pt = jr->js.have_pt ? &jr->js.pt : NULL;
    tj.threads = jr->opts->threads > 0 ? jr->opts->threads : 1;
    tj.sum = sum;
    for (i = 0; i < plan->ncohorts; i++) {
        struct cohort_result *cr = &sum->cohorts[i];
        struct count_table counted;

        t0 = job_seconds();
        cr->plan = &plan->cohorts[i];
        cr->where_text_plain = jr->plain[i];
        jr->plain[i] = NULL;
        memset(&counted, 0, sizeof(counted));
        rc = cohort_count(plan, &plan->cohorts[i], jr->exprs[i], &jr->ps,
                          jr->periods, &counted);
        if (rc < 0) {
            table_release(&counted);
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            return rc;
        }
        sum->seconds_count += job_seconds() - t0;
        t0 = job_seconds();
        rc = job_protect_table(&counted, &tj, cr->plan->name, 0, cr, d);
        sum->seconds_protect += job_seconds() - t0;
        if (rc < 0)
            return rc;
    }
    t0 = job_seconds();
    if ((rc = job_derived_tables(&tj, d)) < 0 ||
        (rc = job_rates(plan, sum, d)) < 0 ||
        (rc = job_projections(plan, sum, d)) < 0)
        return rc;
    sum->seconds_forecast = job_seconds() - t0;
    return 0;
}

/* Publishes to every output, then records the drift state: also when
 * the database committed and only the files' switch is left for the
 * next run, since the run is then published. */
static int
run_publish(struct job_run *jr, struct diag *d)
{
    double t0 = job_seconds(), c0 = job_cpu_seconds();
    struct diag dd;
    int rc;

    rc = publish_run(jr->sum, d);
    jr->sum->seconds_publish = job_seconds() - t0;
    jr->sum->cpu_publish = job_cpu_seconds() - c0;
    if (jr->sum->publication != PUBLICATION_NONE &&
        drift_record(jr->plan, jr->sum, &dd) < 0)
        log_msg(LOG_WARN, "published, but the drift state could not be "
                          "recorded");
    return rc;
}

static void
job_run_release(struct job_run *jr)
{
    if (!jr->sum->finished)
        set_finished(jr->sum);
    if (jr->have_ps)
        person_set_release(&jr->ps);
    if (jr->exprs)
        job_free_cohorts(jr->plan, jr->exprs, jr->plain);
    free(jr->exprs);
    free(jr->plain);
    free(jr->periods);
    job_state_release(&jr->js);
}

int
job_run(const struct job_plan *plan, const struct run_options *opts,
        struct run_summary *sum, struct diag *d)
{
    struct job_run jr;
    double t0, c0;
    int rc;

    memset(&jr, 0, sizeof(jr));
    memset(sum, 0, sizeof(*sum));
    jr.plan = plan;
    jr.opts = opts;
    jr.sum = sum;
    jr.js.plan = plan;
    if ((rc = run_begin(&jr, d)) < 0 || (rc = run_rules(&jr, d)) < 0 ||
        (rc = job_state_load(&jr.js, 1, sum->key_id, d)) < 0 ||
        (rc = cohort_check_sizes(plan, &jr.js.geo.names, d)) < 0)
        goto out;
    /* what an earlier run left half published is settled before this one
     * reads anything (a dry run writes nothing, so leaves it) */
    if (!opts->no_publish && (rc = publish_recover(plan, d)) < 0)
        goto out;

    t0 = job_seconds();
    c0 = job_cpu_seconds();
    if ((rc = run_read(&jr, d)) < 0)
        goto out;
    /* an extract that moved too far since the last good run stops here */
    if (!opts->accept_drift && (rc = drift_check(plan, sum, d)) < 0)
        goto out;
    sum->seconds_read = job_seconds() - t0;
    sum->cpu_read = job_cpu_seconds() - c0;

    t0 = job_seconds();
    c0 = job_cpu_seconds();
    if ((rc = run_link(&jr, d)) < 0)
        goto out;
    sum->seconds_link = job_seconds() - t0;
    sum->cpu_link = job_cpu_seconds() - c0;

    t0 = job_seconds();
    c0 = job_cpu_seconds();
    if ((rc = run_persons(&jr, d)) < 0)
        goto out;
    sum->seconds_generalise = job_seconds() - t0;
    sum->cpu_generalise = job_cpu_seconds() - c0;

    c0 = job_cpu_seconds();
    if ((rc = run_cohorts(&jr, d)) < 0)
        goto out;
    sum->cpu_tables = job_cpu_seconds() - c0;
    if (job_stop_requested) {
        rc = CE_INTERRUPTED;
        diag_set(d, NULL, 0, 0, NULL, "interrupted before publishing");
        goto out;
    }
    set_finished(sum);
    if (!opts->no_publish)
        rc = run_publish(&jr, d);
out:
    job_run_release(&jr);
    return rc;
}

int
job_link_trace(const struct job_plan *plan, int threads,
               struct link_trace **out, size_t *n, struct key_summary *keys,
               struct match_stats *mst, struct diag *d)
{
    struct job_state js;
    struct run_summary tmp;
    struct run_options opts;
    struct match_stats *own = NULL;
    size_t i;
    int rc;

    if (!mst && !(mst = own = malloc(sizeof(*mst)))) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    memset(&js, 0, sizeof(js));
    memset(&tmp, 0, sizeof(tmp));
    memset(&opts, 0, sizeof(opts));
    opts.threads = threads;
    *out = NULL;
    *n = 0;
    js.plan = plan;
    tmp.sources = calloc(plan->nsources, sizeof(*tmp.sources));
    if (!tmp.sources) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    tmp.nsources = plan->nsources;
    if ((rc = job_state_load(&js, 0, NULL, d)) < 0 ||
        (rc = read_sources(&js.rr, plan, &js.ps, &js.geo,
                           js.have_enc ? &js.enc : NULL, &opts, 1,
                           tmp.sources, d)) < 0 ||
        (rc = link_records(&js, threads, mst, d)) < 0)
        goto out;
    if (js.have_enc)
        summarise_prob(mst, plan, &tmp.prob);
    for (i = 0; i < js.rr.ntrace; i++)
        js.rr.trace[i].person = linker_person(&js.rr.linker, i);
    for (i = 0; keys && i <= plan->linkage.nkeys; i++) {
        struct linker_key_stats st;

        linker_key_stats(&js.rr.linker, i, &st);
        keys[i].key_text = i ? plan->linkage.keys[i - 1].text : NULL;
        keys[i].records_with_key = st.records_with_key;
        keys[i].links = st.links;
        keys[i].conflicts = st.conflicts;
    }
    *out = js.rr.trace;
    *n = js.rr.ntrace;
    js.rr.trace = NULL;
out:
    run_summary_release(&tmp);
    job_state_release(&js);
    free(own);
    return rc;
}
