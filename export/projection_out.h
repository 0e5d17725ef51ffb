/*
 * projection_out.h - a forecast cohort's projection (core/projected.h)
 * as a published CSV file, PostgreSQL COPY rows, an SVG chart for the
 * report, and its lines of the manifest; and the population table's vintage for the manifest.
 * Everything here is rendered from the run summary, which holds only
 * published values and numbers computed from them.
 *
 * COHORT_forecast.csv: age_band ("Total" or a band), kind (backtest: a
 * published month projected from twelve months before it; projection: a
 * month after the last published one), period (the month's first day),
 * persons (the stock-flow model's mean), lower_80, upper_80, lower_95,
 * upper_95 (its intervals), seasonal_naive (the published value of the
 * same month a year before), published (backtest: the month's published
 * value), mase and mase_seasonal_naive (backtest: the error of the model
 * and of the benchmark over the back-test, on one scale). Numbers to one
 * decimal (MASE to three); empty where there is none.
 */
#ifndef COHORT_PROJECTION_OUT_H
#define COHORT_PROJECTION_OUT_H

#include "../core/projected.h"
#include "../core/run.h"
#include "../core/strbuf.h"

/* The CSV of one projection (deterministic). */
void render_projection_csv(const struct projection *p, struct strbuf *sb);

/* The rows of p as PostgreSQL COPY text (run_id first, then the CSV's
 * columns; \N where the CSV is empty), for SCHEMA.COHORT_forecast
 * (export/postgres.c, pg_schema.h pg_table_projection()). */
void render_projection_copy(const struct projection *p, const char *run_id,
                            struct strbuf *sb);

/*
 * A self-contained SVG chart of p's total: the back-test months' published
 * values and projection, then the twelve projected months, with the 95 %
 * and 80 % intervals as bands and the seasonal-naive benchmark dashed,
 * and the back-test's MASE. For the report (export/report.c) to place
 * after the cohort's history; nothing when p has no series.
 */
void render_projection_svg(const struct projection *p, struct strbuf *sb);

/* The report's section for every projection of s: a heading, the chart,
 * the back-test's figures in words. Nothing when s has none. */
void render_projections_html(const struct run_summary *s, struct strbuf *sb);

/*
 * The manifest's members for forecasting, each followed by ",\n":
 * "forecasts" (per projection and series: MASE of the model and the
 * benchmark, months tested and covered by each interval) and
 * "denominators" (the population table's BLAKE2b-256, rows and the years
 * it covers: its vintage), when there are any.
 */
void render_manifest_forecast(const struct run_summary *s, struct strbuf *sb);

#endif
