/*
 * projected.h - a cohort's baseline projection as export/ sees it: plain
 * numbers computed by forecast/ from published tables only (so it holds
 * nothing a published table does not), per series (the cohort's total and
 * each age band with enough history): twelve projected months with their
 * 80 % and 95 % intervals beside a seasonal-naive benchmark, and the
 * back-test over the last twelve published months with its error.
 *
 * forecast/projection.h fills one; run_summary_release() frees it.
 */
#ifndef COHORT_PROJECTED_H
#define COHORT_PROJECTED_H

#include <stddef.h>
#include <stdint.h>

#define PROJECTION_HORIZON 12

enum projection_kind {
    PROJ_FORECAST, /* a month after the last published one */
    PROJ_BACKTEST  /* a published month, projected from twelve before it */
};

/* One month of one series. Values are persons in the cohort that month. */
struct projection_row {
    int32_t period_start;  /* the month's first day (day number) */
    uint8_t kind;          /* enum projection_kind */
    double point;          /* the stock-flow model's mean */
    double lo80, hi80;     /* its 80 % interval */
    double lo95, hi95;     /* its 95 % interval */
    double naive;          /* seasonal naive: the same month a year before */
    double actual;         /* PROJ_BACKTEST: the published value, else NAN */
};

struct projection_series {
    char *label;           /* "Total" or the age band's label */
    struct projection_row *rows; /* back-test months, then forecast months */
    size_t nrows;
    /* the back-test (NAN / 0 when there was none): MASE of the model and
     * of the benchmark on the same scale, and how many of its months'
     * published values each interval held */
    double mase, mase_naive;
    int ntested, covered80, covered95;
};

struct projection {
    char *cohort;          /* the cohort's name; published as COHORT_forecast */
    char *name;            /* "COHORT_forecast" */
    struct projection_series *series; /* [0] is the total */
    size_t nseries;
    /* why there is no back-test or no projection ("fewer than 24
     * published months"), or NULL; static storage */
    const char *note;
};

/* Frees what p owns and zeroes it. */
void projection_release(struct projection *p);

#endif
