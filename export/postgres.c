#include "postgres.h"
#include "pg_conn.h"
#include "pg_schema.h"
#include "projection_out.h"
#include "run_tables.h"

#include "../core/period.h"
#include "../core/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_publication {
    struct pg pg;
    const struct run_summary *s;
    int in_transaction;
};

static int
nomem(struct pg *pg)
{
    diag_set(pg->d, pg->out->name, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}

/* Runs sql built in sb (released here), or CE_NOMEM when building it ran
 * out of memory. */
static int
exec_built(struct pg *pg, struct strbuf *sb)
{
    int rc = strbuf_failed(sb) ? nomem(pg) : pg_exec(pg, strbuf_str(sb));

    strbuf_release(sb);
    return rc;
}

/* A published count as a COPY field: \N when withheld. */
static void
copy_count(struct strbuf *sb, uint64_t v)
{
    char nb[24];

    strbuf_adds(sb, v == COUNT_WITHHELD ? "\\N" : count_text(v, nb));
}

/* "\tRATE" to one decimal, or "\t\N" (a hidden cell, no population). */
static void
copy_rate(struct strbuf *sb, double rate)
{
    if (isnan(rate))
        strbuf_adds(sb, "\t\\N");
    else
        strbuf_addf(sb, "\t%.1f", rate);
}

/* "COPY schema.table (columns) FROM STDIN" */
static int
copy_begin(struct pg *pg, const struct pg_table *t)
{
    struct strbuf sql = STRBUF_INIT;
    int rc;

    strbuf_adds(&sql, "COPY ");
    pg_add_table(pg, &sql, t->name, "");
    strbuf_adds(&sql, " (");
    pg_table_columns(t, &sql);
    strbuf_adds(&sql, ") FROM STDIN");
    rc = strbuf_failed(&sql) ? nomem(pg) : pg_copy_begin(pg, strbuf_str(&sql));
    strbuf_release(&sql);
    return rc;
}

/* The cells of a cohort's table as COPY rows: run_id, period, the by
 * columns, count (NULL when hidden or [z]), symbol ([c], [z] or NULL) --
 * one symbol for every hidden cell, as in the CSV files, and nothing on
 * whether a shown count is exact -- and margin. */
static int
copy_cohort_rows(struct pg_publication *p, const struct pg_table *t,
                 const struct cohort_result *cr, const struct period *periods)
{
    const struct published_table *pt = &cr->table;
    struct pg *pg = &p->pg;
    struct strbuf rows = STRBUF_INIT;
    int partial = job_plan_last_period_partial(p->s->plan);
    size_t i, j;
    int period, rc;

    if ((rc = copy_begin(pg, t)) < 0)
        return rc;
    for (period = 0; period < pt->nperiods && rc == 0; period++) {
        const struct published_cell *c = published_period_cells(pt, period);
        char label[11];

        period_label(&periods[period], label);
        for (i = 0; i < pt->ncells_per_period; i++) {
            strbuf_addf(&rows, "%s\t%s", p->s->run_id, label);
            /* with include_partial: whether the month is over */
            if (p->s->plan->include_partial)
                strbuf_adds(&rows, period == pt->nperiods - 1 && partial
                                       ? "\tf"
                                       : "\tt");
            for (j = 0; j < pt->nby; j++) {
                strbuf_adds(&rows, "\t");
                pg_copy_text(&rows, c[i].coord[j] == COORD_TOTAL
                                        ? "Total"
                                        : pt->dim_labels[j][c[i].coord[j]]);
            }
            if (published_symbol_text(&c[i]))
                strbuf_addf(&rows, "\t\\N\t%s",
                            published_symbol_text(&c[i]));
            else
                strbuf_addf(&rows, "\t%lld\t\\N", (long long)c[i].value);
            if (cr->rate_per_10000)
                copy_rate(&rows, cr->rate_per_10000[(size_t)period *
                                                        pt->ncells_per_period +
                                                    i]);
            strbuf_adds(&rows,
                        published_cell_is_margin(pt, &c[i]) ? "\tt\n" : "\tf\n");
        }
        rc = pg_copy_put(pg, &rows, 0);
    }
    if (rc == 0 && (rc = pg_copy_put(pg, &rows, 1)) == 0)
        rc = pg_copy_end(pg);
    strbuf_release(&rows);
    return rc;
}

/* After the plain table has the run's rows: the same rows into the
 * history, the runs past `retain` out of it, every COMMENT. */
static int
finish_table(struct pg_publication *p, const struct pg_table *t)
{
    struct pg *pg = &p->pg;
    struct strbuf sql = STRBUF_INIT;
    int rc;

    if ((rc = pg_table_ensure(pg, t, "__history", 0)) < 0)
        return rc;
    strbuf_adds(&sql, "INSERT INTO ");
    pg_add_table(pg, &sql, t->name, "__history");
    strbuf_adds(&sql, " (");
    pg_table_columns(t, &sql);
    strbuf_adds(&sql, ") SELECT ");
    pg_table_columns(t, &sql);
    strbuf_adds(&sql, " FROM ");
    pg_add_table(pg, &sql, t->name, "");
    strbuf_adds(&sql, "; ");
    if (pg->out->retain > 0) {
        strbuf_adds(&sql, "DELETE FROM ");
        pg_add_table(pg, &sql, t->name, "__history");
        strbuf_adds(&sql, " WHERE run_id NOT IN (SELECT run_id FROM ");
        pg_add_table(pg, &sql, "runs", "");
        strbuf_addf(&sql, " ORDER BY run_id DESC LIMIT %d); ", pg->out->retain);
    }
    pg_table_comment(pg, t, &sql);
    return exec_built(pg, &sql);
}

static int
publish_cohort(struct pg_publication *p, const struct cohort_result *cr,
               const struct period *periods)
{
    struct pg *pg = &p->pg;
    struct pg_table t;
    int rc;

    pg_table_cohort(&t, p->s, cr);
    pg_step(pg, "replacing a cohort table's rows", t.name);
    if ((rc = pg_table_ensure(pg, &t, "", 1)) < 0 ||
        (rc = copy_cohort_rows(p, &t, cr, periods)) < 0)
        return rc;
    return finish_table(p, &t);
}

/* A forecast cohort's projection, as COHORT_forecast.csv has it. */
static int
publish_projection(struct pg_publication *p, const struct projection *pj)
{
    struct pg *pg = &p->pg;
    struct strbuf rows = STRBUF_INIT;
    struct pg_table t;
    int rc;

    pg_table_projection(&t, pj);
    pg_step(pg, "replacing a projection's rows", t.name);
    if ((rc = pg_table_ensure(pg, &t, "", 1)) < 0 ||
        (rc = copy_begin(pg, &t)) < 0)
        return rc;
    render_projection_copy(pj, p->s->run_id, &rows);
    if ((rc = pg_copy_put(pg, &rows, 1)) == 0)
        rc = pg_copy_end(pg);
    strbuf_release(&rows);
    return rc < 0 ? rc : finish_table(p, &t);
}

/* quality and linkage: the rows quality.csv and linkage.csv have. */
static int
publish_quality(struct pg_publication *p)
{
    struct pg *pg = &p->pg;
    struct strbuf rows = STRBUF_INIT;
    struct quality_row *q;
    struct pg_table t;
    size_t n, i;
    int rc;

    if (quality_rows(p->s, &q, &n) < 0)
        return nomem(pg);
    pg_table_quality(&t);
    pg_step(pg, "replacing the quality table's rows", t.name);
    if ((rc = pg_table_ensure(pg, &t, "", 1)) < 0 ||
        (rc = copy_begin(pg, &t)) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        strbuf_addf(&rows, "%s\t", p->s->run_id);
        pg_copy_text(&rows, q[i].source);
        strbuf_adds(&rows, "\t");
        pg_copy_text(&rows, q[i].measure);
        strbuf_adds(&rows, "\t");
        copy_count(&rows, q[i].value);
        strbuf_adds(&rows, "\n");
    }
    if ((rc = pg_copy_put(pg, &rows, 1)) < 0 || (rc = pg_copy_end(pg)) < 0)
        goto out;
    rc = finish_table(p, &t);
out:
    free(q);
    strbuf_release(&rows);
    return rc;
}

static int
publish_linkage(struct pg_publication *p)
{
    struct pg *pg = &p->pg;
    struct strbuf rows = STRBUF_INIT;
    struct linkage_row *r;
    struct pg_table t;
    size_t n, i;
    int rc;

    if (linkage_rows(p->s, &r, &n) < 0)
        return nomem(pg);
    pg_table_linkage(&t);
    pg_step(pg, "replacing the linkage table's rows", t.name);
    if ((rc = pg_table_ensure(pg, &t, "", 1)) < 0 ||
        (rc = copy_begin(pg, &t)) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        strbuf_addf(&rows, "%s\t%u\t", p->s->run_id, r[i].order);
        pg_copy_text(&rows, r[i].key);
        if (r[i].has_records)
            strbuf_addf(&rows, "\t%llu\t",
                        (unsigned long long)r[i].records_with_key);
        else
            strbuf_adds(&rows, "\t\\N\t");
        copy_count(&rows, r[i].links);
        strbuf_adds(&rows, "\t");
        copy_count(&rows, r[i].refused);
        strbuf_adds(&rows, "\n");
    }
    if ((rc = pg_copy_put(pg, &rows, 1)) < 0 || (rc = pg_copy_end(pg)) < 0)
        goto out;
    rc = finish_table(p, &t);
out:
    free(r);
    strbuf_release(&rows);
    return rc;
}

/* "{a,b,c}": the run's cohort names as an array literal (names are
 * lower-case letters, digits and _: nothing to escape). */
static void
cohort_array(const struct run_summary *s, struct strbuf *sb)
{
    size_t i;

    strbuf_adds(sb, "{");
    for (i = 0; i < s->ncohorts; i++)
        strbuf_addf(sb, "%s%s", i ? "," : "", s->cohorts[i].plan->name);
    /* and the projections, so that one no longer made is dropped too */
    for (i = 0; i < s->nprojections; i++)
        strbuf_addf(sb, "%s%s", s->ncohorts + i ? "," : "",
                    s->projections[i].name);
    strbuf_adds(sb, "}");
}

/* Cohorts an earlier run published that this job no longer has, whose
 * tables are still there. */
static PGresult *
removed_cohorts(struct pg_publication *p, const char *current, int *rc)
{
    struct pg *pg = &p->pg;
    struct strbuf sql = STRBUF_INIT;
    const char *params[2] = {current, pg->out->schema};
    PGresult *res;

    strbuf_adds(&sql, "SELECT DISTINCT c FROM ");
    pg_add_table(pg, &sql, "runs", "");
    strbuf_adds(&sql, ", unnest(cohorts) AS c WHERE c <> ALL ($1::text[])"
                      " AND (to_regclass(quote_ident($2) || '.' ||"
                      " quote_ident(c)) IS NOT NULL OR to_regclass("
                      "quote_ident($2) || '.' || quote_ident(c || "
                      "'__history')) IS NOT NULL) ORDER BY 1");
    if (strbuf_failed(&sql)) {
        *rc = nomem(pg);
        res = NULL;
    } else {
        res = pg_query(pg, strbuf_str(&sql), 2, params, rc);
    }
    strbuf_release(&sql);
    return res;
}

/* The run's row in runs, the removed cohorts' tables dropped (never with
 * CASCADE: a view over one stops the run, named). */
static int
publish_run_row(struct pg_publication *p)
{
    const struct run_summary *s = p->s;
    struct pg *pg = &p->pg;
    struct strbuf sql = STRBUF_INIT, cur = STRBUF_INIT, gone = STRBUF_INIT;
    char started[24], finished[24], persons[24];
    const char *params[9];
    PGresult *removed = NULL, *res;
    struct pg_table t;
    int i, n = 0, rc = 0;

    pg_table_runs(&t);
    pg_step(pg, "recording the run", "runs");
    cohort_array(s, &cur);
    if ((rc = pg_table_ensure(pg, &t, "", 0)) < 0 ||
        !(removed = removed_cohorts(p, strbuf_str(&cur), &rc)))
        goto out;
    n = PQntuples(removed);
    strbuf_adds(&gone, "{");
    for (i = 0; i < n; i++)
        strbuf_addf(&gone, "%s\"%s\"", i ? "," : "", PQgetvalue(removed, i, 0));
    strbuf_adds(&gone, "}");
    snprintf(started, sizeof(started), "%lld", (long long)s->started);
    snprintf(finished, sizeof(finished), "%lld", (long long)s->finished);
    params[0] = s->run_id;
    params[1] = started;
    params[2] = finished;
    params[3] = s->version ? s->version : "";
    params[4] = s->plan_hash;
    params[5] = s->key_id;
    params[6] =
        s->persons == COUNT_WITHHELD ? NULL : count_text(s->persons, persons);
    params[7] = strbuf_str(&cur);
    params[8] = strbuf_str(&gone);
    strbuf_adds(&sql, "INSERT INTO ");
    pg_add_table(pg, &sql, "runs", "");
    strbuf_adds(&sql, " (run_id, started, finished, version, plan_hash, "
                      "key_id, persons, cohorts, dropped) VALUES ($1, "
                      "to_timestamp($2::bigint), to_timestamp($3::bigint), "
                      "$4, $5, $6, $7::bigint, $8::text[], $9::text[])");
    if (strbuf_failed(&sql) || strbuf_failed(&cur) || strbuf_failed(&gone)) {
        rc = nomem(pg);
        goto out;
    }
    res = PQexecParams(pg->conn, strbuf_str(&sql), 9, NULL, params, NULL, NULL,
                       0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_fail(pg, res);
        goto out;
    }
    PQclear(res);
    for (i = 0; i < n && rc == 0; i++) {
        struct strbuf drop = STRBUF_INIT;
        const char *name = PQgetvalue(removed, i, 0);

        pg_step(pg, "dropping the tables of a cohort no longer in the job",
                name);
        strbuf_adds(&drop, "DROP TABLE IF EXISTS ");
        pg_add_table(pg, &drop, name, "__history");
        strbuf_adds(&drop, ", ");
        pg_add_table(pg, &drop, name, "");
        rc = exec_built(pg, &drop);
    }
    if (rc == 0) {
        strbuf_reset(&sql);
        pg_table_comment(pg, &t, &sql);
        pg_step(pg, "recording the run", "runs");
        rc = exec_built(pg, &sql);
    }
out:
    if (removed)
        PQclear(removed);
    strbuf_release(&sql);
    strbuf_release(&cur);
    strbuf_release(&gone);
    return rc;
}

/* USAGE on the schema and SELECT on every table the run publishes. */
static int
publish_grants(struct pg_publication *p)
{
    static const char *const own[] = {"runs", "quality", "quality__history",
                                      "linkage", "linkage__history"};
    struct pg *pg = &p->pg;
    struct strbuf sql = STRBUF_INIT;
    size_t i;

    if (!pg->out->grant_to)
        return 0;
    pg_step(pg, "granting SELECT to grant_to", "");
    strbuf_adds(&sql, "GRANT USAGE ON SCHEMA ");
    pg_add_ident(pg, &sql, pg->out->schema);
    strbuf_adds(&sql, " TO ");
    pg_add_ident(pg, &sql, pg->out->grant_to);
    strbuf_adds(&sql, "; GRANT SELECT ON TABLE ");
    for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        pg_add_table(pg, &sql, own[i], "");
        strbuf_adds(&sql, ", ");
    }
    for (i = 0; i < p->s->ncohorts + p->s->nprojections; i++) {
        const char *name = i < p->s->ncohorts
                               ? p->s->cohorts[i].plan->name
                               : p->s->projections[i - p->s->ncohorts].name;

        pg_add_table(pg, &sql, name, "");
        strbuf_adds(&sql, ", ");
        pg_add_table(pg, &sql, name, "__history");
        strbuf_adds(&sql, i + 1 < p->s->ncohorts + p->s->nprojections ? ", "
                                                                         : "");
    }
    strbuf_adds(&sql, " TO ");
    pg_add_ident(pg, &sql, pg->out->grant_to);
    return exec_built(pg, &sql);
}

/* Everything the transaction writes, in order. */
static int
publish_all(struct pg_publication *p)
{
    struct pg *pg = &p->pg;
    struct strbuf sql = STRBUF_INIT;
    struct period *periods;
    size_t i;
    int rc;

    pg_step(pg, "starting the transaction", "");
    strbuf_adds(&sql, "BEGIN; CREATE SCHEMA IF NOT EXISTS ");
    pg_add_ident(pg, &sql, pg->out->schema);
    if ((rc = exec_built(pg, &sql)) < 0)
        return rc;
    p->in_transaction = 1;
    if ((rc = publish_run_row(p)) < 0)
        return rc;
    periods = calloc((size_t)p->s->plan->periods, sizeof(*periods));
    if (!periods)
        return nomem(pg);
    periods_compute(job_plan_period_end(p->s->plan), p->s->plan->periods,
                    periods);
    for (i = 0; i < p->s->ncohorts && rc == 0; i++)
        rc = publish_cohort(p, &p->s->cohorts[i], periods);
    free(periods);
    /* each forecast cohort's projection (export/projection_out.h) */
    for (i = 0; i < p->s->nprojections && rc == 0; i++)
        rc = publish_projection(p, &p->s->projections[i]);
    if (rc == 0)
        rc = publish_quality(p);
    if (rc == 0)
        rc = publish_linkage(p);
    if (rc == 0)
        rc = publish_grants(p);
    return rc;
}

int
pg_publication_open(const struct run_summary *s, const struct output_plan *out,
                    struct pg_publication **pp, struct diag *d)
{
    struct pg_publication *p = calloc(1, sizeof(*p));
    int rc;

    *pp = NULL;
    if (!p) {
        diag_set(d, out->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    p->s = s;
    if ((rc = pg_connect(&p->pg, out, d)) < 0) {
        pg_publication_close(p);
        return rc;
    }
    if ((rc = publish_all(p)) < 0) {
        /* the transaction is aborted: end it, then ask what blocked it */
        if (PQstatus(p->pg.conn) == CONNECTION_OK)
            PQclear(PQexec(p->pg.conn, "ROLLBACK"));
        p->in_transaction = 0;
        pg_explain(&p->pg);
        pg_publication_close(p);
        return rc;
    }
    *pp = p;
    return 0;
}

int
pg_publication_commit(struct pg_publication *p, int *unknown, struct diag *d)
{
    PGresult *res;
    int rc = 0;

    *unknown = 0;
    p->pg.d = d;
    pg_step(&p->pg, "COMMIT", "");
    res = PQexec(p->pg.conn, "COMMIT");
    /* COMMIT of an aborted transaction answers ROLLBACK */
    if (PQresultStatus(res) != PGRES_COMMAND_OK ||
        strcmp(PQcmdStatus(res), "COMMIT")) {
        *unknown = PQstatus(p->pg.conn) == CONNECTION_BAD;
        rc = pg_fail(&p->pg, res);
    } else {
        PQclear(res);
    }
    p->in_transaction = 0;
    return rc;
}

void
pg_publication_close(struct pg_publication *p)
{
    if (!p)
        return;
    if (p->in_transaction && p->pg.conn &&
        PQstatus(p->pg.conn) == CONNECTION_OK)
        PQclear(PQexec(p->pg.conn, "ROLLBACK"));
    pg_disconnect(&p->pg);
    free(p);
}

int
pg_run_recorded(const struct output_plan *out, const char *run_id, int *yes,
                struct diag *d)
{
    struct pg pg;
    struct strbuf name = STRBUF_INIT, sql = STRBUF_INIT;
    const char *params[1];
    PGresult *res = NULL;
    int rc;

    *yes = 0;
    if ((rc = pg_connect(&pg, out, d)) < 0)
        return rc;
    pg_step(&pg, "looking up a pending run", "runs");
    pg_add_table(&pg, &name, "runs", "");
    params[0] = strbuf_str(&name);
    if (!(res = pg_query(&pg, "SELECT to_regclass($1) IS NOT NULL", 1, params,
                         &rc)))
        goto out;
    if (PQgetvalue(res, 0, 0)[0] == 't') {
        PQclear(res);
        strbuf_adds(&sql, "SELECT 1 FROM ");
        strbuf_adds(&sql, strbuf_str(&name));
        strbuf_adds(&sql, " WHERE run_id = $1");
        params[0] = run_id;
        if (!(res = pg_query(&pg, strbuf_str(&sql), 1, params, &rc)))
            goto out;
        *yes = PQntuples(res) > 0;
    }
out:
    if (res)
        PQclear(res);
    strbuf_release(&name);
    strbuf_release(&sql);
    pg_disconnect(&pg);
    return rc;
}
