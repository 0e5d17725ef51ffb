#include "pg_conn.h"

#include "../core/log.h"

#include <stdio.h>
#include <string.h>

/* Server notices (CREATE SCHEMA IF NOT EXISTS ... skipping) go to the log
 * at debug level instead of libpq's stderr. */
static void
on_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
    log_msg(LOG_DEBUG, "postgres: a server notice");
}

int
pg_connect(struct pg *pg, const struct output_plan *out, struct diag *d)
{
    char sql[128];

    memset(pg, 0, sizeof(*pg));
    pg->out = out;
    pg->d = d;
    pg->what = "connecting";
    pg->conn = PQconnectdb(out->conninfo);
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        diag_set(d, out->name, 0, 0, "postgres",
                 "[output %s] cannot connect to the database", out->name);
        PQfinish(pg->conn);
        pg->conn = NULL;
        return CE_IO;
    }
    PQsetNoticeProcessor(pg->conn, on_notice, NULL);
    snprintf(sql, sizeof(sql),
             "SET application_name = 'cohort'; "
             "SET lock_timeout = %lld",
             (long long)out->lock_timeout * 1000);
    pg->what = "setting up the session";
    return pg_exec(pg, sql);
}

void
pg_disconnect(struct pg *pg)
{
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = NULL;
}

void
pg_step(struct pg *pg, const char *what, const char *table)
{
    pg->what = what;
    snprintf(pg->table, sizeof(pg->table), "%s", table ? table : "");
}

int
pg_fail(struct pg *pg, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    snprintf(pg->state, sizeof(pg->state), "%s", state ? state : "");
    diag_set(pg->d, pg->out->name, 0, 0, "postgres",
             "[output %s] %s failed (SQLSTATE %s)", pg->out->name, pg->what,
             state ? state
                   : (PQstatus(pg->conn) == CONNECTION_BAD ? "connection lost"
                                                           : "unknown"));
    if (res)
        PQclear(res);
    return CE_IO;
}

int
pg_exec(struct pg *pg, const char *sql)
{
    PGresult *res = PQexec(pg->conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK)
        return pg_fail(pg, res);
    PQclear(res);
    return 0;
}

PGresult *
pg_query(struct pg *pg, const char *sql, int nparams, const char *const *params,
         int *rc)
{
    PGresult *res =
        PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *rc = pg_fail(pg, res);
        return NULL;
    }
    return res;
}

void
pg_add_ident(struct pg *pg, struct strbuf *sb, const char *name)
{
    char *q = PQescapeIdentifier(pg->conn, name, strlen(name));

    if (!q) {
        sb->failed = 1;
        return;
    }
    strbuf_adds(sb, q);
    PQfreemem(q);
}

void
pg_add_table(struct pg *pg, struct strbuf *sb, const char *table,
             const char *suffix)
{
    char name[80];

    snprintf(name, sizeof(name), "%s%s", table, suffix);
    pg_add_ident(pg, sb, pg->out->schema);
    strbuf_adds(sb, ".");
    pg_add_ident(pg, sb, name);
}

void
pg_add_literal(struct pg *pg, struct strbuf *sb, const char *s)
{
    char *q = PQescapeLiteral(pg->conn, s, strlen(s));

    if (!q) {
        sb->failed = 1;
        return;
    }
    strbuf_adds(sb, q);
    PQfreemem(q);
}

int
pg_copy_begin(struct pg *pg, const char *copy_sql)
{
    PGresult *res = PQexec(pg->conn, copy_sql);

    if (PQresultStatus(res) != PGRES_COPY_IN)
        return pg_fail(pg, res);
    PQclear(res);
    return 0;
}

int
pg_copy_put(struct pg *pg, struct strbuf *rows, int flush)
{
    if (!flush && rows->len < (1u << 20))
        return 0;
    if (strbuf_failed(rows)) {
        PQputCopyEnd(pg->conn, "cohort: out of memory");
        diag_set(pg->d, pg->out->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if (rows->len && PQputCopyData(pg->conn, rows->buf, (int)rows->len) != 1) {
        PQputCopyEnd(pg->conn, "cohort: copy failed");
        return pg_fail(pg, NULL);
    }
    strbuf_reset(rows);
    return 0;
}

int
pg_copy_end(struct pg *pg)
{
    PGresult *res;
    int rc = 0;

    if (PQputCopyEnd(pg->conn, NULL) != 1)
        return pg_fail(pg, NULL);
    res = PQgetResult(pg->conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(pg, res);
    else
        PQclear(res);
    while ((res = PQgetResult(pg->conn)))
        PQclear(res);
    return rc;
}

void
pg_copy_text(struct strbuf *sb, const char *s)
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

/* "view s.v, view s.w" of the first rows of res (column 0), into buf. */
static void
list_rows(PGresult *res, char *buf, size_t n)
{
    int i, rows = PQntuples(res);
    size_t o = 0;

    buf[0] = '\0';
    for (i = 0; i < rows && i < 4 && o + 1 < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
                              PQgetvalue(res, i, 0));
    if (rows > 4 && o + 1 < n)
        snprintf(buf + o, n - o, " and %d more", rows - 4);
}

/* What depends on the table or its history: each view (by its name), or
 * any other object as the server describes it. */
static const char dependents_sql[] =
    "SELECT DISTINCT coalesce("
    "  (SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' "
    "          ELSE 'view ' END || r.ev_class::regclass::text"
    "     FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class"
    "    WHERE d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid),"
    "  pg_describe_object(d.classid, d.objid, d.objsubid))"
    "  || CASE WHEN d.refobjid = to_regclass($2)"
    "          THEN ' (over its __history)' ELSE '' END"
    "  FROM pg_depend d"
    " WHERE d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'"
    "   AND d.refobjid IN (to_regclass($1), to_regclass($2))"
    " ORDER BY 1";

/* Who holds a lock on the table or its history: the strongest locks
 * first (a plain reader's ACCESS SHARE blocks only a change of columns
 * or a DROP). */
static const char lockers_sql[] =
    "SELECT 'pid ' || l.pid || ' (application '''"
    "       || coalesce(nullif(a.application_name, ''), '?') || ''', '"
    "       || l.mode || ')'"
    "  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.granted AND l.pid <> pg_backend_pid()"
    "   AND l.relation IN (to_regclass($1), to_regclass($2))"
    " GROUP BY l.pid, a.application_name, l.mode"
    " ORDER BY array_position(ARRAY['AccessExclusiveLock', 'ExclusiveLock',"
    "          'ShareRowExclusiveLock', 'ShareLock',"
    "          'ShareUpdateExclusiveLock', 'RowExclusiveLock',"
    "          'RowShareLock', 'AccessShareLock'], l.mode::text), 1";

void
pg_explain(struct pg *pg)
{
    struct strbuf plain = STRBUF_INIT, hist = STRBUF_INIT;
    const char *params[2], *sql = NULL;
    char who[300], state[6];
    struct diag failed = *pg->d;
    PGresult *res;
    int rc = 0;

    if (!strcmp(pg->state, "42704") && pg->out->grant_to && !pg->table[0]) {
        diag_set(pg->d, pg->out->name, 0, 0, "postgres",
                 "[output %s] %s failed: role '%s' (grant_to) does not exist "
                 "(SQLSTATE 42704)",
                 pg->out->name, pg->what, pg->out->grant_to);
        return;
    }
    if (!strcmp(pg->state, "2BP01") || !strcmp(pg->state, "0A000"))
        sql = dependents_sql;
    else if (!strcmp(pg->state, "55P03"))
        sql = lockers_sql;
    if (!sql || !pg->table[0] || PQstatus(pg->conn) != CONNECTION_OK)
        return;
    pg_add_table(pg, &plain, pg->table, "");
    pg_add_table(pg, &hist, pg->table, "__history");
    params[0] = strbuf_str(&plain);
    params[1] = strbuf_str(&hist);
    memcpy(state, pg->state, sizeof(state));
    res = pg_query(pg, sql, 2, params, &rc);
    *pg->d = failed; /* the query's own failure is not the news */
    if (res && PQntuples(res) > 0) {
        list_rows(res, who, sizeof(who));
        if (sql == dependents_sql)
            diag_set(pg->d, pg->out->name, 0, 0, "postgres",
                     "[output %s] %s failed: %s depend%s on %s.%s; drop or "
                     "change %s first (SQLSTATE %.5s)",
                     pg->out->name, pg->what, who,
                     PQntuples(res) > 1 ? "" : "s", pg->out->schema, pg->table,
                     PQntuples(res) > 1 ? "them" : "it", state);
        else
            diag_set(pg->d, pg->out->name, 0, 0, "postgres",
                     "[output %s] %s failed: %s.%s is locked by another "
                     "session: %s; waited lock_timeout = %d s (SQLSTATE "
                     "55P03)",
                     pg->out->name, pg->what, pg->out->schema, pg->table, who,
                     pg->out->lock_timeout);
    }
    if (res)
        PQclear(res);
    strbuf_release(&plain);
    strbuf_release(&hist);
}
