#include "postgres.h"
#include "files.h"

#include "../core/period.h"
#include "../core/strbuf.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pg {
    PGconn *conn;
    const struct output_plan *out;
    struct diag *d;
};

static int
pg_fail(struct pg *pg, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    diag_set(pg->d, pg->out->name, 0, 0, "postgres",
             "[output %s] %s failed (SQLSTATE %s)", pg->out->name, what,
             state ? state : (PQstatus(pg->conn) == CONNECTION_BAD
                                  ? "connection lost"
                                  : "unknown"));
    if (res)
        PQclear(res);
    return CE_IO;
}

static int
exec(struct pg *pg, const char *sql, const char *what)
{
    PGresult *res = PQexec(pg->conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK)
        return pg_fail(pg, res, what);
    PQclear(res);
    return 0;
}

/* Appends a quoted identifier. */
static int
add_ident(struct pg *pg, struct strbuf *sb, const char *name)
{
    char *q = PQescapeIdentifier(pg->conn, name, strlen(name));

    if (!q)
        return -1;
    strbuf_adds(sb, q);
    PQfreemem(q);
    return 0;
}

static int
add_literal(struct pg *pg, struct strbuf *sb, const char *s)
{
    char *q = PQescapeLiteral(pg->conn, s, strlen(s));

    if (!q)
        return -1;
    strbuf_adds(sb, q);
    PQfreemem(q);
    return 0;
}

/* COPY text format: backslash, tab and newline escaped. */
static void
copy_text(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            strbuf_adds(sb, "\\\\");
        else if (*s == '\t')
            strbuf_adds(sb, "\\t");
        else if (*s == '\n')
            strbuf_adds(sb, "\\n");
        else if (*s == '\r')
            strbuf_adds(sb, "\\r");
        else
            strbuf_add(sb, s, 1);
    }
}

/* A published count as an SQL literal: NULL when the rule withheld it
 * (core/table.h COUNT_WITHHELD), else its digits. */
static const char *
count_sql(uint64_t v, char buf[24])
{
    return v == COUNT_WITHHELD ? "NULL" : count_text(v, buf);
}

/* The published cells of t into schema.staging, by COPY: period, the by
 * columns, the count (NULL when hidden or [z]), the symbol ([c], [z] or
 * NULL) and margin (true on a margin or total row). */
static int
copy_cohort_rows(struct pg *pg, const struct published_table *t,
                 const struct period *periods, const char *staging)
{
    const char *schema = pg->out->schema;
    struct strbuf sql = STRBUF_INIT, data = STRBUF_INIT;
    PGresult *res;
    size_t i, j;
    int p, rc = 0;

    strbuf_adds(&sql, "COPY ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".");
    add_ident(pg, &sql, staging);
    strbuf_adds(&sql, " FROM STDIN");
    res = PQexec(pg->conn, strbuf_str(&sql));
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_fail(pg, res, "COPY");
        goto out;
    }
    PQclear(res);
    for (p = 0; p < t->nperiods; p++) {
        const struct published_cell *c =
            t->cells + (size_t)p * t->ncells_per_period;
        char label[11];

        period_label(&periods[p], label);
        for (i = 0; i < t->ncells_per_period; i++) {
            strbuf_adds(&data, label);
            for (j = 0; j < t->nby; j++) {
                strbuf_adds(&data, "\t");
                copy_text(&data, c[i].coord[j] == COORD_TOTAL
                                     ? "Total"
                                     : t->dim_labels[j][c[i].coord[j]]);
            }
            /* as in the CSV files: one symbol for every hidden cell,
             * nothing on whether a shown count is exact */
            if (published_symbol_text(&c[i]))
                strbuf_addf(&data, "\t\\N\t%s",
                            published_symbol_text(&c[i]));
            else
                strbuf_addf(&data, "\t%lld\t\\N",
                            (long long)c[i].value);
            strbuf_adds(&data,
                        published_margin(t, &c[i]) ? "\tt\n" : "\tf\n");
        }
        if (data.len > (1u << 20) || p == t->nperiods - 1) {
            if (strbuf_failed(&data) ||
                PQputCopyData(pg->conn, data.buf, (int)data.len) != 1) {
                PQputCopyEnd(pg->conn, "cohort: copy failed");
                rc = pg_fail(pg, NULL, "COPY");
                goto out;
            }
            strbuf_reset(&data);
        }
    }
    if (PQputCopyEnd(pg->conn, NULL) != 1) {
        rc = pg_fail(pg, NULL, "COPY");
        goto out;
    }
    res = PQgetResult(pg->conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_fail(pg, res, "COPY");
        goto out;
    }
    PQclear(res);
    while ((res = PQgetResult(pg->conn)))
        PQclear(res);

out:
    strbuf_release(&sql);
    strbuf_release(&data);
    return rc;
}

/* The COMMENTs on a cohort table and its columns, appended to sql. */
static void
add_cohort_comments(struct pg *pg, const struct run_summary *s,
                    const struct cohort_result *cr, struct strbuf *sql)
{
    const struct published_table *t = &cr->table;
    const char *schema = pg->out->schema;
    size_t j;

    strbuf_adds(sql, "; COMMENT ON TABLE ");
    add_ident(pg, sql, schema);
    strbuf_adds(sql, ".");
    add_ident(pg, sql, cr->plan->name);
    strbuf_adds(sql, " IS ");
    {
        struct strbuf c = STRBUF_INIT;

        strbuf_addf(&c, "%s. Who: %s. Persons per cell per month; counts "
                        "%d-%d suppressed with further cells suppressed to "
                        "protect them, rounded to %d. Run %s, plan %s.",
                    cr->plan->title,
                    cr->where_text_plain ? cr->where_text_plain
                                         : cr->plan->where,
                    s->plan->disclosure.suppress_lo,
                    s->plan->disclosure.suppress_hi,
                    s->plan->disclosure.rounding, s->run_id, s->plan_hash);
        add_literal(pg, sql, strbuf_str(&c));
        strbuf_release(&c);
    }
    strbuf_adds(sql, "; COMMENT ON COLUMN ");
    add_ident(pg, sql, schema);
    strbuf_adds(sql, ".");
    add_ident(pg, sql, cr->plan->name);
    strbuf_adds(sql, ".period IS 'First day of the month counted (the last "
                      "month ends on the reference date)'; COMMENT ON COLUMN ");
    add_ident(pg, sql, schema);
    strbuf_adds(sql, ".");
    add_ident(pg, sql, cr->plan->name);
    strbuf_adds(sql, ".count IS 'Persons, after disclosure control "
                      "(rounded or perturbed as the job says); NULL when "
                      "withheld or not applicable'; COMMENT ON COLUMN ");
    add_ident(pg, sql, schema);
    strbuf_adds(sql, ".");
    add_ident(pg, sql, cr->plan->name);
    strbuf_adds(sql, ".symbol IS '[c] (confidential) when the count is "
                      "withheld by disclosure control, whatever rule "
                      "withheld it; [z] (not applicable) when the cohort''s "
                      "own definition makes the cell impossible; NULL when "
                      "the count is shown'; COMMENT ON COLUMN ");
    add_ident(pg, sql, schema);
    strbuf_adds(sql, ".");
    add_ident(pg, sql, cr->plan->name);
    strbuf_adds(sql, ".margin IS 'true for a margin or the total (a by "
                     "column is Total): sum the rows where NOT margin to "
                     "add up the detail without counting a total twice'");
    for (j = 0; j < t->nby; j++) {
        strbuf_adds(sql, "; COMMENT ON COLUMN ");
        add_ident(pg, sql, schema);
        strbuf_adds(sql, ".");
        add_ident(pg, sql, cr->plan->name);
        if (cr->plan->by[j] == BY_SERVICE)
            strbuf_addf(sql, ".%s IS 'yes when the person had %s (%s) that "
                              "month, else no; Total for the margin'",
                        cohort_by_name(cr->plan, j),
                        s->plan->services[cr->plan->by_service[j]].name,
                        department_name((enum department)s->plan
                                            ->services[cr->plan->by_service[j]]
                                            .department));
        else
            strbuf_addf(sql, ".%s IS '%s; Total for the margin'",
                        cohort_by_name(cr->plan, j),
                        cohort_by_name(cr->plan, j));
    }
}

static int
publish_cohort(struct pg *pg, const struct run_summary *s,
               const struct cohort_result *cr, const struct period *periods)
{
    const struct published_table *t = &cr->table;
    const char *schema = pg->out->schema;
    struct strbuf sql = STRBUF_INIT;
    char staging[128];
    size_t j;
    int rc = 0;

    snprintf(staging, sizeof(staging), "%s__staging", cr->plan->name);
    strbuf_adds(&sql, "DROP TABLE IF EXISTS ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".");
    add_ident(pg, &sql, staging);
    strbuf_adds(&sql, "; CREATE TABLE ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".");
    add_ident(pg, &sql, staging);
    strbuf_adds(&sql, " (period date NOT NULL");
    for (j = 0; j < t->nby; j++)
        strbuf_addf(&sql, ", %s text NOT NULL",
                    cohort_by_name(cr->plan, j));
    strbuf_adds(&sql, ", count integer, symbol text, "
                      "margin boolean NOT NULL)");
    if ((rc = exec(pg, strbuf_str(&sql), "creating a staging table")) < 0)
        goto out;
    if ((rc = copy_cohort_rows(pg, t, periods, staging)) < 0)
        goto out;
    /* swap: drop the old table, rename the new one into place */
    strbuf_reset(&sql);
    strbuf_adds(&sql, "DROP TABLE IF EXISTS ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".");
    add_ident(pg, &sql, cr->plan->name);
    strbuf_adds(&sql, "; ALTER TABLE ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".");
    add_ident(pg, &sql, staging);
    strbuf_adds(&sql, " RENAME TO ");
    add_ident(pg, &sql, cr->plan->name);
    add_cohort_comments(pg, s, cr, &sql);
    if (pg->out->grant_to) {
        strbuf_adds(&sql, "; GRANT SELECT ON ");
        add_ident(pg, &sql, schema);
        strbuf_adds(&sql, ".");
        add_ident(pg, &sql, cr->plan->name);
        strbuf_adds(&sql, " TO ");
        add_ident(pg, &sql, pg->out->grant_to);
    }
    if (strbuf_failed(&sql)) {
        rc = CE_NOMEM;
        diag_set(pg->d, pg->out->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    rc = exec(pg, strbuf_str(&sql), "replacing a cohort table");
out:
    strbuf_release(&sql);
    return rc;
}

static int
publish_run_row(struct pg *pg, const struct run_summary *s)
{
    struct strbuf sql = STRBUF_INIT;
    const char *schema = pg->out->schema;
    char nb[24];
    size_t i;
    int rc;

    strbuf_adds(&sql, "CREATE TABLE IF NOT EXISTS ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".runs (run_id text PRIMARY KEY, started "
                      "timestamptz, finished timestamptz, version text, "
                      "plan_hash text, key_id text, persons bigint); "
                      "INSERT INTO ");
    add_ident(pg, &sql, schema);
    strbuf_addf(&sql, ".runs VALUES ('%s', to_timestamp(%lld), "
                      "to_timestamp(%lld), '%s', '%s', '%s', %s); "
                      "DROP TABLE IF EXISTS ",
                s->run_id, (long long)s->started, (long long)s->finished,
                s->version ? s->version : "", s->plan_hash, s->key_id,
                count_sql(s->persons, nb));
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".quality; CREATE TABLE ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".quality (run_id text, source text, measure "
                      "text, value bigint)");
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];
        size_t j;

        strbuf_adds(&sql, "; INSERT INTO ");
        add_ident(pg, &sql, schema);
        strbuf_addf(&sql, ".quality VALUES ('%s', ", s->run_id);
        add_literal(pg, &sql, s->plan->sources[i].name);
        strbuf_addf(&sql, ", 'rows_in', %llu), ('%s', ",
                    (unsigned long long)ss->rows_in, s->run_id);
        add_literal(pg, &sql, s->plan->sources[i].name);
        strbuf_addf(&sql, ", 'rows_accepted', %llu), ('%s', ",
                    (unsigned long long)ss->rows_accepted, s->run_id);
        add_literal(pg, &sql, s->plan->sources[i].name);
        strbuf_addf(&sql, ", 'rows_quarantined', %llu)",
                    (unsigned long long)ss->rows_quarantined);
        for (j = 0; j < ss->nquarantined; j++) {
            strbuf_addf(&sql, ", ('%s', ", s->run_id);
            add_literal(pg, &sql, s->plan->sources[i].name);
            strbuf_addf(&sql, ", 'quarantined:%s', %llu)",
                        ss->quarantined[j].reason,
                        (unsigned long long)ss->quarantined[j].n);
        }
        for (j = 0; j < ss->nunmapped; j++) {
            char measure[96];

            strbuf_addf(&sql, ", ('%s', ", s->run_id);
            add_literal(pg, &sql, s->plan->sources[i].name);
            strbuf_adds(&sql, ", ");
            snprintf(measure, sizeof(measure), "unmapped:%s",
                     ss->unmapped[j].label);
            add_literal(pg, &sql, measure);
            strbuf_addf(&sql, ", %llu)", (unsigned long long)ss->unmapped[j].n);
        }
    }
    for (i = 0; i < s->nscopes; i++) {
        const struct scope_summary *sc = &s->scopes[i];
        const char *m[] = {"ids", "header_rows", "events_joined",
                           "orphan_local_id", "nhs_number_conflicts",
                           "dob_conflicts"};
        uint64_t v[] = {sc->ids, sc->header_rows, sc->events_joined,
                        sc->events_orphaned, sc->nhs_conflicts,
                        sc->dob_conflicts};
        size_t j;

        strbuf_adds(&sql, "; INSERT INTO ");
        add_ident(pg, &sql, schema);
        strbuf_adds(&sql, ".quality VALUES ");
        for (j = 0; j < 6; j++) {
            strbuf_addf(&sql, "%s('%s', 'id_scope:", j ? ", " : "", s->run_id);
            /* scope names are [a-z0-9_] (transform/map_settings.c checks) */
            strbuf_addf(&sql, "%s', '%s', %s)", sc->name, m[j],
                        count_sql(v[j], nb));
        }
    }
    strbuf_adds(&sql, "; COMMENT ON TABLE ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".runs IS 'One row per publication: run id, times, version, plan hash, key id, persons'"
                      "; COMMENT ON TABLE ");
    add_ident(pg, &sql, schema);
    strbuf_adds(&sql, ".quality IS 'Rows in, accepted and quarantined "
                      "(by reason) per source, for the latest run'");
    if (strbuf_failed(&sql)) {
        strbuf_release(&sql);
        diag_set(pg->d, pg->out->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    rc = exec(pg, strbuf_str(&sql), "recording the run");
    strbuf_release(&sql);
    return rc;
}

int
publish_postgres(const struct run_summary *s, const struct output_plan *out,
                 struct diag *d)
{
    struct pg pg;
    struct period *periods;
    struct strbuf sql = STRBUF_INIT;
    size_t i;
    int rc = 0;

    pg.out = out;
    pg.d = d;
    pg.conn = PQconnectdb(out->conninfo);
    if (!pg.conn || PQstatus(pg.conn) != CONNECTION_OK) {
        diag_set(d, out->name, 0, 0, "postgres",
                 "[output %s] cannot connect to the database", out->name);
        PQfinish(pg.conn);
        return CE_IO;
    }
    periods = calloc((size_t)s->plan->periods, sizeof(*periods));
    if (!periods) {
        PQfinish(pg.conn);
        diag_set(d, out->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    periods_compute(s->plan->reference_date, s->plan->periods, periods);
    strbuf_adds(&sql, "SET application_name = 'cohort'; BEGIN; "
                      "CREATE SCHEMA IF NOT EXISTS ");
    add_ident(&pg, &sql, out->schema);
    if ((rc = exec(&pg, strbuf_str(&sql), "starting the transaction")) < 0)
        goto out;
    for (i = 0; i < s->ncohorts && rc == 0; i++)
        rc = publish_cohort(&pg, s, &s->cohorts[i], periods);
    if (rc == 0)
        rc = publish_run_row(&pg, s);
    if (rc == 0)
        rc = exec(&pg, "COMMIT", "COMMIT");
out:
    if (rc < 0 && PQstatus(pg.conn) == CONNECTION_OK)
        PQclear(PQexec(pg.conn, "ROLLBACK"));
    strbuf_release(&sql);
    free(periods);
    PQfinish(pg.conn);
    return rc;
}
