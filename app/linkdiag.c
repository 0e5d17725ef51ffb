#include "linkdiag.h"
#include "../anonymise/compare_fields.h"

#include "../anonymise/disclosure.h"
#include "../core/published.h"

#include <math.h>
#include <stdio.h>

#define LABEL_WIDTH 44

/* A count of pairs or links: exact against a truth file, else through the
 * job's rule (no perturbation: no one set of persons is behind it). */
static const char *
pairs_text(const struct job_plan *plan, int exact, uint64_t n, char buf[24])
{
    if (!exact)
        n = disclosure_publish_count(&plan->disclosure, NULL, n, 0);
    return count_text(n, buf);
}

static void
print_overview(const struct job_plan *plan, const struct match_stats *st,
               int exact)
{
    char nb[6][24];

    printf("\nprobabilistic linkage: pairs of records the keys did not "
           "link, scored by Fellegi-Sunter over keyed comparison records\n");
    printf("  threshold: match probability %.4f = weight %.2f bits; prior "
           "%.2f bits (%.0f matching pairs estimated among the candidates)\n",
           plan->linkage.match_threshold, st->threshold_weight, st->prior,
           st->candidates_matching);
    printf("  records: %llu compared (%llu identical ones of one person "
           "folded), %llu persons of the keys\n",
           (unsigned long long)st->records, (unsigned long long)st->folded,
           (unsigned long long)st->groups);
    printf("  pairs: %s compared, %s over the threshold and accepted, %s "
           "over it but refused by the guard (forenames that share at most "
           "the initial, dates of birth that differ in the year and more)\n",
           pairs_text(plan, exact, st->pairs_compared, nb[0]),
           pairs_text(plan, exact, st->pairs_accepted, nb[1]),
           pairs_text(plan, exact, st->refused_disagree, nb[2]));
    printf("  without a date of birth on one side: %s over the threshold "
           "but refused (names and postcode sector not both agreeing, no "
           "extra identifier agreeing), %s accepted but dropped (a record "
           "accepted with two generations)\n",
           pairs_text(plan, exact, st->refused_no_dob, nb[3]),
           pairs_text(plan, exact, st->refused_generations, nb[4]));
    printf("  clusters: %s links made; refused: %s two NHS numbers or UPNs, "
           "%s two records the guard refuses in one person, %s over "
           "max_cluster = %d, %s ambiguous (as good a pair with two persons "
           "of dates of birth the guard keeps apart)\n",
           pairs_text(plan, exact, st->links, nb[3]),
           pairs_text(plan, exact, st->refused_strong_id, nb[4]),
           pairs_text(plan, exact, st->refused_conflict, nb[5]),
           pairs_text(plan, exact, st->refused_size, nb[0]),
           plan->linkage.max_cluster,
           pairs_text(plan, exact, st->refused_ambiguous, nb[1]));
    if (plan->nscopes)
        printf("  person assembly inside id scopes, before the pairs were "
               "compared: %s ids, their %llu records, %llu of them "
               "completed from their id's other rows; %s ids lent no NHS "
               "number or UPN (two on their rows)\n",
               pairs_text(plan, exact, st->assembled_ids, nb[2]),
               (unsigned long long)st->assembled_records,
               (unsigned long long)st->assembled_completed,
               pairs_text(plan, exact, st->assembled_conflicts, nb[3]));
}

static void
print_rules(const struct job_plan *plan, const struct match_stats *st,
            int exact)
{
    char rule[128], label[160], nb[4][24];
    unsigned r, f;

    printf("\nblocking rules: records with a key, blocks of 2 or more, pairs "
           "compared under the rule (not under an earlier one), blocks over "
           "block_cap = %d (their pairs are not compared under the rule)\n",
           plan->linkage.block_cap);
    for (r = 0; r < st->nrules; r++) {
        const struct match_rule_stats *rs = &st->rule[r];

        snprintf(label, sizeof(label), "%u %s", r + 1,
                 match_rule_text(rs->rule, rule, sizeof(rule)));
        printf("  %-*s %10llu records %8s blocks %10s pairs; over the cap: "
               "%s blocks, %llu records, %s pairs\n",
               LABEL_WIDTH, label, (unsigned long long)rs->records,
               pairs_text(plan, exact, rs->blocks, nb[0]),
               pairs_text(plan, exact, rs->pairs_compared, nb[1]),
               pairs_text(plan, exact, rs->blocks_over_cap, nb[2]),
               (unsigned long long)rs->records_over_cap,
               pairs_text(plan, exact, rs->pairs_over_cap, nb[3]));
    }
    printf("\nEM per blocking rule: iterations, converged, share of matches "
           "among its pairs (lambda), the fields it estimated (never those "
           "it blocks on)\n");
    for (r = 0; r < st->nrules; r++) {
        const struct match_rule_stats *rs = &st->rule[r];
        int any = 0;

        snprintf(label, sizeof(label), "%u %s", r + 1,
                 match_rule_text(rs->rule, rule, sizeof(rule)));
        printf("  %-*s %4u iterations, %s, lambda %.4f, fields:", LABEL_WIDTH,
               label, rs->em_iterations,
               rs->em_converged ? "converged" : "NOT converged", rs->em_lambda);
        for (f = 0; f < st->nfields; f++)
            if (rs->trained_fields & (1u << f)) {
                printf("%s %s", any ? "," : "",
                       compare_fields_name(plan, (enum match_field)f));
                any = 1;
            }
        printf("%s\n", any ? "" : " none");
    }
}

static void
print_levels(const struct job_plan *plan, const struct match_stats *st)
{
    unsigned f, l;

    printf("\nm and u per comparison level: m = P(level | match), u = "
           "P(level | non-match, from %llu random pairs), weight = "
           "log2(m/u) bits\n",
           (unsigned long long)st->u_pairs);
    for (f = 0; f < st->nfields; f++) {
        const struct match_field_stats *fs = &st->field[f];

        if (fs->defaulted)
            printf("  %s: EM did not converge on any blocking rule; the "
                   "documented defaults are used\n",
                   compare_fields_name(plan, (enum match_field)f));
        else
            printf("  %s: m estimated by EM on %u blocking rule%s\n",
                   compare_fields_name(plan, (enum match_field)f), fs->trained,
                   fs->trained == 1 ? "" : "s");
        for (l = 1; l < fs->nlevels && l < MATCH_MAX_LEVELS; l++) {
            double w;

            if (!(fs->m[l] > 0) && !(fs->u[l] > 0))
                continue; /* a level the field never takes */
            w = fs->m[l] > 0 && fs->u[l] > 0 ? log2(fs->m[l] / fs->u[l]) : 0;
            printf("    %-*s m %.6f  u %.6f  weight %+6.2f\n", LABEL_WIDTH - 2,
                   match_level_name((enum match_field)f, l), fs->m[l], fs->u[l],
                   w);
        }
    }
}

static void
print_weights(const struct job_plan *plan, const struct match_stats *st,
              int exact)
{
    char label[64], nb[24];
    unsigned b;

    printf("\nmatch weights: compared pairs per bit of weight (prior "
           "included; the threshold is %.2f)\n",
           st->threshold_weight);
    for (b = 0; b < MATCH_HIST_BINS; b++) {
        int lo = MATCH_HIST_MIN + (int)b;

        if (!st->weight_hist[b])
            continue;
        if (b == 0)
            snprintf(label, sizeof(label), "below %d", lo + 1);
        else if (b == MATCH_HIST_BINS - 1)
            snprintf(label, sizeof(label), "%d and above", lo);
        else
            snprintf(label, sizeof(label), "%d to %d", lo, lo + 1);
        printf("  %-*s %10s pairs\n", LABEL_WIDTH, label,
               pairs_text(plan, exact, st->weight_hist[b], nb));
    }
    printf("\nmatch probability: compared pairs per band\n");
    for (b = 0; b < MATCH_NBANDS; b++) {
        double lo = match_band_floor(b), hi = match_band_floor(b + 1);
        double t = plan->linkage.match_threshold;

        snprintf(label, sizeof(label), "%.4f to %s%.4f", lo,
                 b + 1 < MATCH_NBANDS ? "below " : "", hi);
        printf("  %-*s %10s pairs%s\n", LABEL_WIDTH, label,
               pairs_text(plan, exact, st->pairs_band[b], nb),
               t >= lo && t < hi ? "  (the threshold is in this band)" : "");
    }
}

void
linkdiag_print(const struct job_plan *plan, const struct match_stats *st,
               int exact)
{
    if (!plan->linkage.probabilistic) {
        printf("\nprobabilistic linkage: off ([linkage] probabilistic = "
               "no): the keys alone\n");
        return;
    }
    if (!st->nfields)
        return;
    print_overview(plan, st, exact);
    print_rules(plan, st, exact);
    print_levels(plan, st);
    print_weights(plan, st, exact);
}
