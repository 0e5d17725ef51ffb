/*
 * rules_forecast.c - the rules document's section on the tables derived
 * for forecasting (rules_parts.h doc_forecasting()).
 */
#include "rules_parts.h"

/* A [transition]: who it counts, by what. */
static void
doc_transition(const struct transition_plan *tp, struct rdoc *doc,
               struct rnode *arr, struct strbuf *sb)
{
    struct rnode *r, *cols;
    size_t k;

    strbuf_addf(sb, "persons in cohort %s the month before and in cohort %s "
                    "that month, by ",
                tp->from, tp->to);
    for (k = 0; k < tp->table.nby; k++)
        strbuf_addf(sb, "%s%s", k ? ", " : "", cohort_by_name(&tp->table, k));
    if (!tp->table.nby)
        strbuf_adds(sb, "(totals only)");
    r = rn_rule(doc, arr, NULL, tp->table.name, sb);
    rn_str(doc, r, "from", tp->from);
    rn_str(doc, r, "to", tp->to);
    cols = rn_arr(doc, r, "by");
    for (k = 0; k < tp->table.nby; k++)
        rn_str(doc, cols, NULL, cohort_by_name(&tp->table, k));
}

/* What remains of differencing across the derived tables. */
static void
doc_derived_risk(const struct job_plan *plan, struct rdoc *doc,
                 struct rnode *s, struct strbuf *sb)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    int ok = dp->perturbation == PERTURB_CELLKEY ||
             dp->rounding >= dp->protection_level;
    struct rnode *r;

    strbuf_addf(sb,
                "each table above goes through the same suppression, audit "
                "and %s as a cohort table, with [z] for the cells its "
                "definition makes impossible. They count persons the cohort "
                "tables and each other also count: a forecast cohort's "
                "persons are its entries, stayers and exits (persons(t) - "
                "ended(t) = persons(t-1) - ended(t-1) + new(t) - ended(t)), "
                "a transition's persons are in both its cohorts, "
                "overlap_count's cells are sums of overlap's. So a job with "
                "any of them is refused unless perturbation = cellkey or "
                "rounding is at least the protection level (%s). A forecast "
                "cohort's three tables are audited together, every cell of "
                "every month with that identity, and a whole month of exits "
                "or entries is hidden more while a hidden count can be "
                "narrowed below %d. What "
                "remains: the other relations across tables are answered by "
                "the rounding or the noise, argued, not audited; "
                "tests/cli/attack.sh attacks the published files of the "
                "synthetic job",
                dp->perturbation == PERTURB_CELLKEY ? "cell-key noise"
                                                    : "rounding",
                ok ? "met here" : "not met: this job is refused",
                dp->protection_level);
    r = rn_rule(doc, s, "differencing", NULL, sb);
    rn_bool(doc, r, "derived_tables_allowed", ok);
}

void
doc_forecasting(const struct job_plan *plan, struct rdoc *doc,
                struct strbuf *sb)
{
    struct rnode *s, *arr, *r;
    size_t i, nf = 0;

    for (i = 0; i < plan->ncohorts; i++)
        nf += plan->cohorts[i].forecast != 0;
    if (!nf && !plan->ntransitions && !plan->standard_tables &&
        !plan->denominators)
        return;
    s = rn_section(doc, "forecasting", "Forecasting tables");
    arr = rn_arr(doc, s, "transitions");
    for (i = 0; i < plan->ntransitions; i++)
        doc_transition(&plan->transitions[i], doc, arr, sb);
    if (plan->standard_tables & STD_SERVICE_TRANSITIONS) {
        strbuf_adds(sb, "per department with services: persons by their "
                        "service of it (the last spell overlapping the "
                        "month) the month before and that month, none to "
                        "none left out");
        rn_rule(doc, s, "service_transitions", NULL, sb);
    }
    if (plan->standard_tables & STD_OVERLAP) {
        strbuf_adds(sb, "persons by the combination of departments that know "
                        "them that month (overlap) and by how many do "
                        "(overlap_count), by age band");
        rn_rule(doc, s, "overlap", NULL, sb);
    }
    if (plan->denominators) {
        strbuf_addf(sb, "rate_per_10000 from each published count and the "
                        "population table '%s' (public figures; a hidden "
                        "cell has no rate); its hash in the plan hash and "
                        "its years in the manifest",
                    plan->denominators);
        r = rn_rule(doc, s, "rates", NULL, sb);
        rn_str(doc, r, "denominators", plan->denominators);
    }
    doc_derived_risk(plan, doc, s, sb);
    if (nf) {
        strbuf_adds(sb, "computed from the published entries, exits and "
                        "persons by months in the cohort only (a hidden "
                        "cell is given its share of what the published "
                        "margins leave): it adds nothing a reader of those "
                        "tables could not compute");
        rn_rule(doc, s, "projections", NULL, sb);
    }
}

void
doc_forecast_cohort(const struct cohort_plan *cp, struct rdoc *doc,
                    struct rnode *s, struct strbuf *sb)
{
    struct rnode *r, *arr;
    size_t k;
    int age = 0;

    for (k = 0; k < cp->nby; k++)
        age |= cp->by[k] == BY_AGE_BAND;
    strbuf_addf(sb, "also published: %s_new (entries), %s_ended (exits by "
                    "months in the cohort) and %s_duration (persons by "
                    "months in the cohort)%s, through the same disclosure "
                    "control and audited together through their stock-flow "
                    "identity; and %s_forecast, a projection computed from "
                    "those published tables alone",
                cp->name, cp->name, cp->name, age ? ", by age band" : "",
                cp->name);
    r = rn_rule(doc, s, "forecast", NULL, sb);
    arr = rn_arr(doc, r, "tables");
    rn_strf(doc, arr, NULL, "%s_new", cp->name);
    rn_strf(doc, arr, NULL, "%s_ended", cp->name);
    rn_strf(doc, arr, NULL, "%s_duration", cp->name);
    rn_strf(doc, arr, NULL, "%s_forecast", cp->name);
}
