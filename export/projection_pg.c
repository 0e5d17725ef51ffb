/*
 * projection_pg.c - SCHEMA.COHORT_forecast (projection_pg.h).
 */
#include "projection_pg.h"

#include "../core/calendar.h"
#include "../core/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The output's error with the result's SQLSTATE; clears res. */
static int
fail(PGconn *conn, PGresult *res, const struct output_plan *out,
     const char *what, struct diag *d)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    diag_set(d, out->name, 0, 0, "postgres", "[output %s] %s failed (SQLSTATE %s)",
             out->name, what,
             state ? state
                   : (PQstatus(conn) == CONNECTION_BAD ? "connection lost"
                                                       : "unknown"));
    if (res)
        PQclear(res);
    return CE_IO;
}

static int
run(PGconn *conn, const char *sql, const struct output_plan *out,
    const char *what, struct diag *d)
{
    PGresult *res = PQexec(conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return fail(conn, res, out, what, d);
    PQclear(res);
    return 0;
}

/* A quoted identifier (a failed quoting fails sb). */
static void
add_ident(PGconn *conn, struct strbuf *sb, const char *name)
{
    char *q = PQescapeIdentifier(conn, name, strlen(name));

    if (!q)
        sb->failed = 1;
    else
        strbuf_adds(sb, q);
    PQfreemem(q);
}

/* schema.name, each quoted. */
static void
add_table(PGconn *conn, struct strbuf *sb, const char *schema,
          const char *name)
{
    char *q = PQescapeIdentifier(conn, schema, strlen(schema));
    char *r = PQescapeIdentifier(conn, name, strlen(name));

    if (!q || !r)
        sb->failed = 1;
    else
        strbuf_addf(sb, "%s.%s", q, r);
    PQfreemem(q);
    PQfreemem(r);
}

/* "\tV" to one decimal, or "\t\N". */
static void
copy_number(struct strbuf *sb, double v, int decimals)
{
    if (isnan(v) || isinf(v))
        strbuf_adds(sb, "\t\\N");
    else
        strbuf_addf(sb, "\t%.*f", decimals, v);
}

/* The rows of p, COPY text format. Labels are "Total" and age bands
 * printed from numbers: nothing to escape. */
static void
copy_rows(const struct projection *p, const char *run_id, struct strbuf *sb)
{
    size_t s, i;
    char date[11];

    for (s = 0; s < p->nseries; s++) {
        const struct projection_series *sr = &p->series[s];

        for (i = 0; i < sr->nrows; i++) {
            const struct projection_row *r = &sr->rows[i];
            int bt = r->kind == PROJ_BACKTEST;

            format_iso_date(r->period_start, date);
            strbuf_addf(sb, "%s\t%s\t%s\t%s", run_id, sr->label,
                        bt ? "backtest" : "projection", date);
            copy_number(sb, r->point, 1);
            copy_number(sb, r->lo80, 1);
            copy_number(sb, r->hi80, 1);
            copy_number(sb, r->lo95, 1);
            copy_number(sb, r->hi95, 1);
            copy_number(sb, r->naive, 1);
            copy_number(sb, bt ? r->actual : NAN, 1);
            copy_number(sb, bt ? sr->mase : NAN, 3);
            copy_number(sb, bt ? sr->mase_naive : NAN, 3);
            strbuf_adds(sb, "\n");
        }
    }
}

static int
copy_in(PGconn *conn, const char *schema, const char *staging,
        const struct projection *p, const char *run_id,
        const struct output_plan *out, struct diag *d)
{
    struct strbuf sql = STRBUF_INIT, data = STRBUF_INIT;
    PGresult *res;
    int rc = 0;

    strbuf_adds(&sql, "COPY ");
    add_table(conn, &sql, schema, staging);
    strbuf_adds(&sql, " FROM STDIN");
    copy_rows(p, run_id, &data);
    if (strbuf_failed(&sql) || strbuf_failed(&data)) {
        diag_set(d, out->name, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto out;
    }
    res = PQexec(conn, strbuf_str(&sql));
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = fail(conn, res, out, "COPY", d);
        goto out;
    }
    PQclear(res);
    if ((data.len && PQputCopyData(conn, data.buf, (int)data.len) != 1) ||
        PQputCopyEnd(conn, NULL) != 1) {
        rc = fail(conn, NULL, out, "COPY", d);
        goto out;
    }
    res = PQgetResult(conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = fail(conn, res, out, "COPY", d);
        goto out;
    }
    PQclear(res);
    while ((res = PQgetResult(conn)))
        PQclear(res);
out:
    strbuf_release(&sql);
    strbuf_release(&data);
    return rc;
}

int
publish_projection_pg(PGconn *conn, const struct output_plan *out,
                      const struct projection *p, const char *run_id,
                      struct diag *d)
{
    struct strbuf sql = STRBUF_INIT;
    char staging[160];
    int rc = 0;

    snprintf(staging, sizeof(staging), "%s__staging", p->name);
    strbuf_adds(&sql, "DROP TABLE IF EXISTS ");
    add_table(conn, &sql, out->schema, staging);
    strbuf_adds(&sql, "; CREATE TABLE ");
    add_table(conn, &sql, out->schema, staging);
    strbuf_adds(&sql, " (run_id text NOT NULL, age_band text NOT NULL, kind "
                      "text NOT NULL, period date NOT NULL, persons numeric, "
                      "lower_80 numeric, upper_80 numeric, lower_95 numeric, "
                      "upper_95 numeric, seasonal_naive numeric, published "
                      "numeric, mase numeric, mase_seasonal_naive numeric)");
    if (strbuf_failed(&sql) ||
        (rc = run(conn, strbuf_str(&sql), out, "creating a staging table",
                  d)) < 0 ||
        (rc = copy_in(conn, out->schema, staging, p, run_id, out, d)) < 0)
        goto done;
    strbuf_reset(&sql);
    strbuf_adds(&sql, "DROP TABLE IF EXISTS ");
    add_table(conn, &sql, out->schema, p->name);
    strbuf_adds(&sql, "; ALTER TABLE ");
    add_table(conn, &sql, out->schema, staging);
    strbuf_adds(&sql, " RENAME TO ");
    add_ident(conn, &sql, p->name);
    strbuf_adds(&sql, "; COMMENT ON TABLE ");
    add_table(conn, &sql, out->schema, p->name);
    strbuf_adds(&sql, " IS 'Persons in the cohort: a stock-flow projection "
                      "computed from its published tables only, with 80 and "
                      "95 per cent intervals and a seasonal-naive benchmark; "
                      "kind backtest: published months projected from twelve "
                      "months before them, with the published value and the "
                      "back-test MASE of the model and the benchmark'");
    if (out->grant_to) {
        strbuf_adds(&sql, "; GRANT SELECT ON ");
        add_table(conn, &sql, out->schema, p->name);
        strbuf_adds(&sql, " TO ");
        add_ident(conn, &sql, out->grant_to);
    }
    if (strbuf_failed(&sql)) {
        diag_set(d, out->name, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto done;
    }
    rc = run(conn, strbuf_str(&sql), out, "replacing a projection table", d);
done:
    if (strbuf_failed(&sql) && rc == 0) {
        diag_set(d, out->name, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    }
    strbuf_release(&sql);
    return rc;
}
