/*
 * projection.h - a baseline stock-flow projection of a cohort, computed
 * from its protected tables only (its entries, its exits by months in the
 * cohort, its persons by months in the cohort; by age band when the
 * cohort has one), so it adds no disclosure risk beyond them: every input
 * is a published number or a guess made from published numbers
 * (impute.h: hidden exits in proportion to the persons of their cell,
 * hidden entries to the persons of their age band new to the cohort), and
 * the rule's public parameters.
 *
 * The model, fitted at an origin month T (the last complete month, or
 * twelve before it for the back-test), from months up to T only:
 *   entries    per month and age band, the mean of the twelve months to
 *              T; their month-to-month spread (at least Poisson's) gives
 *              the uncertainty, with the mean's own standard error;
 *   exits      a hazard per age band a and months-in-cohort band d,
 *              h(a,d) = h(a) h(d) / h, each the exits over the persons of
 *              the up to 12 months before T (an exit in month t is known
 *              only once month t+1 is);
 *   ageing     a fraction 1/(12 x band width in years) of each band's
 *              survivors moves to the next band each month, when the next
 *              band has had persons in the cohort (else those who age out
 *              leave, and the band's hazard already counts them);
 *   duration   a fraction 1/(band width in months) of each months-in-
 *              cohort band's survivors moves to the next band.
 * Starting from month T's persons by age band and months in the cohort,
 * the projection steps twelve months. The total is projected from the
 * tables' all-ages margins, each age band from the model by age band (a
 * small cohort's cells by age band are mostly hidden; guesses spread over
 * bands it has no one in would age and leave as persons it does not
 * have). The point is the model's mean. The 80 % and 95 % intervals join
 * two spreads in quadrature: the quantiles of 2 000 simulated paths
 * (normal entries, binomial or Poisson exits, the entry mean drawn from
 * its standard error, the rounding of the published value as uniform
 * noise), and Student's t quantiles of the root mean square error of the
 * model's own mean paths from every earlier origin (6 to T-1) at that
 * horizon, which is what tells how far the model drifts from what
 * happens (the simulation alone held one back-test month in twelve on
 * the synth job). The generator is seeded from the cohort's name: the
 * same tables, the same projection.
 *
 * Benchmark: seasonal naive, the published value of the same month a year
 * before. Back-test: the model (and the benchmark) from T = the last
 * complete month less twelve, against the twelve published months after
 * it. MASE is the mean absolute error over those months divided by the
 * mean absolute one-month change of the published series up to T
 * (Hyndman and Koehler's scaling by the in-sample naive forecast); the
 * benchmark's MASE uses the same scale, so the two compare directly.
 *
 * Series: the total, then each age band (not UNKNOWN) with enough
 * history: its published persons shown in every complete month, and
 * never 0 in the twelve months up to the back-test's origin (the
 * projection's, without a back-test). A band the cohort has had no one in
 * up to the origin also gets no one ageing into it (see ageing): a cohort
 * that newly reaches a band is not foreseen.
 *
 *     struct forecast_inputs in = {...};
 *     struct projection pr;
 *     projection_compute("cohort", &in, &pr)  -> 0 or CE_NOMEM
 *     ... run_summary owns pr; projection_release(&pr) ...
 */
#ifndef COHORT_FORECAST_PROJECTION_H
#define COHORT_FORECAST_PROJECTION_H

#include <stdint.h>

#include "../core/projected.h"
#include "../core/published.h"

struct forecast_inputs {
    const struct published_table *entries; /* COHORT_new: [age_band] */
    const struct published_table *exits;   /* COHORT_ended: [age_band,] months */
    const struct published_table *stock;   /* COHORT_duration: the same */
    int with_age;            /* the tables' first column is age_band */
    int32_t first_month;     /* day number of period 0's first day */
    int complete;            /* periods 0 .. complete-1 are whole months */
    int rounding;            /* the published counts' rounding (>= 1) */
    double guess;            /* a hidden cell's value when nothing else says */
};

/* Months of history the back-test needs: twelve to fit, twelve to test. */
#define PROJECTION_MIN_BACKTEST (2 * PROJECTION_HORIZON)

/*
 * Fills out (initialised here) for cohort: series, rows, back-test
 * figures; out->note says what could not be done (no complete month; too
 * few months for a back-test). 0 or CE_NOMEM (out released).
 */
int projection_compute(const char *cohort, const struct forecast_inputs *in,
                       struct projection *out);

#endif
