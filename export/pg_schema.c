#include "pg_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct pg_column *
add_col(struct pg_table *t, const char *name, const char *type, int key,
        int not_null, const char *fill, const char *comment)
{
    struct pg_column *c = &t->cols[t->ncols++];

    c->name = name;
    c->type = type;
    c->key = key;
    c->not_null = not_null || key;
    c->fill = fill;
    c->comment = comment;
    return c;
}

static void
table_init(struct pg_table *t, const char *name, int history)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->history = history;
    add_col(t, "run_id", "text", 0, 1, "''",
            "The run that published the row: its id in runs (UTC start "
            "time, YYYYMMDDTHHMMSS.mmmZ, so later runs sort later)");
    if (history)
        snprintf(t->history_comment, sizeof(t->history_comment),
                 "Every retained run of %s (the newest `retain` runs in "
                 "runs): the same columns and rows, once per run_id. The "
                 "current run is also in %s.",
                 name, name);
}

/* What a by column holds, in words, into buf. */
static void
by_comment(const struct run_summary *s, const struct cohort_result *cr,
           size_t j, char *buf, size_t n)
{
    const struct cohort_plan *k = cr->plan;

    switch (k->by[j]) {
    case BY_AGE_BAND:
        snprintf(buf, n,
                 "Age band at the end of the month (\"5 to 10\", "
                 "\"65 and over\"; UNKNOWN without a date of birth); "
                 "Total for the margin");
        break;
    case BY_SEX:
        snprintf(buf, n,
                 "Sex: M, F, U (not known) or X (not specified); "
                 "UNKNOWN when not recorded; Total for the margin");
        break;
    case BY_ETHNICITY:
        snprintf(buf, n,
                 "Ethnic group: WHITE, MIXED, ASIAN, BLACK, OTHER or "
                 "UNKNOWN; Total for the margin");
        break;
    case BY_PLACEMENT_TYPE:
    case BY_LEGAL_STATUS:
    case BY_CATEGORY_OF_NEED:
        snprintf(buf, n,
                 "The group of the %s of the person's latest spell of the "
                 "month that records one, in the groups of its code list "
                 "(README \"Statutory code lists\"); UNKNOWN when none; "
                 "Total for the margin",
                 by_column_name((enum by_column)k->by[j]));
        break;
    case BY_SERVICE:
        snprintf(
            buf, n,
            "yes when %s had %s (%s) that month, else "
            "no; Total for the margin",
            k->unit == UNIT_HOUSEHOLDS ? "a member of the household"
                                       : "the person",
            s->plan->services[k->by_service[j]].name,
            job_plan_department_title(
                s->plan, s->plan->services[k->by_service[j]].department));
        break;
    case BY_HOUSEHOLD_SIZE:
    case BY_CHILDREN:
    case BY_HOUSEHOLD_TYPE:
        snprintf(buf, n,
                 "The household's %s in the month, from its members' ages "
                 "and the lead flag (README \"Households\"); Total for the "
                 "margin",
                 k->by[j] == BY_HOUSEHOLD_SIZE ? "size band"
                 : k->by[j] == BY_CHILDREN    ? "members under 18"
                                              : "type");
        break;
    default:
        snprintf(buf, n,
                 "%s of the person's postcode, from the job's lookup "
                 "(UNKNOWN when not in it); Total for the margin",
                 by_column_name((enum by_column)k->by[j]));
    }
}

void
pg_table_cohort(struct pg_table *t, const struct run_summary *s,
                const struct cohort_result *cr)
{
    const struct disclosure_plan *dp = &s->plan->disclosure;
    size_t j;

    table_init(t, cr->plan->name, 1);
    add_col(t, "period", "date", 1, 1, NULL,
            "First day of the month counted (the last month ends on the "
            "reference date)");
    if (s->plan->include_partial)
        add_col(t, "complete", "boolean", 0, 1, "true",
                "false for the month holding the reference date while it is "
                "not over: its counts are not final");
    for (j = 0; j < cr->plan->nby; j++) {
        by_comment(s, cr, j, t->by_comment[j], sizeof(t->by_comment[j]));
        add_col(t, cohort_by_name(cr->plan, j), "text", 1, 1, "'Total'",
                t->by_comment[j]);
    }
    add_col(t, "count", "integer", 0, 0, NULL,
            "Persons, after disclosure control (rounded or perturbed as the "
            "job says); NULL when withheld or not applicable");
    add_col(t, "symbol", "text", 0, 0, NULL,
            "[c] (confidential) when the count is withheld by disclosure "
            "control, whatever rule withheld it; [z] (not applicable) when "
            "the cohort's own definition makes the cell impossible; NULL "
            "when the count is shown");
    if (cr->rate_per_10000)
        add_col(t, "rate_per_10000", "numeric", 0, 0, NULL,
                "count per 10 000 of the population of the cell (the job's "
                "denominators, the latest year not after the period's); "
                "NULL when withheld or without a population");
    add_col(t, "margin", "boolean", 0, 0, NULL,
            "true on a margin or the total (a by column is Total), false on "
            "a detail row: WHERE NOT margin adds up the detail without "
            "counting a total twice; NULL on history rows published before "
            "the column was");
    snprintf(t->comment, sizeof(t->comment),
             "%s. Who: %s. Persons per cell per month; counts %d-%d "
             "suppressed with further cells suppressed to protect them, "
             "rounded to %d. The current run's rows; every retained run is "
             "in %s__history. Plan %s.",
             cr->plan->title,
             cr->where_text_plain ? cr->where_text_plain : cr->plan->where,
             dp->suppress_lo, dp->suppress_hi, dp->rounding, cr->plan->name,
             s->plan_hash);
}

void
pg_table_quality(struct pg_table *t)
{
    table_init(t, "quality", 1);
    add_col(t, "source", "text", 1, 1, NULL,
            "A source of the job, a department, id_scope:NAME or all");
    add_col(t, "measure", "text", 1, 1, NULL,
            "rows_in, rows_accepted, rows_quarantined, quarantined:RULE, "
            "dropped:RULE, unmapped:FIELD=CODE, records, persons, ids, ... "
            "(README, Outputs)");
    add_col(t, "value", "bigint", 0, 0, NULL,
            "The count: rows and records exact; persons, ids and conflicts "
            "through the tables' disclosure rule, NULL when withheld");
    snprintf(t->comment, sizeof(t->comment),
             "Rows in, accepted and quarantined (by rule) per source, "
             "records and persons per department, id scope counts: the "
             "current run (quality.csv has the same rows)");
}

void
pg_table_projection(struct pg_table *t, const struct projection *p)
{
    static const char *const value[] = {
        "persons", "lower_80", "upper_80", "lower_95", "upper_95",
        "seasonal_naive", "published", "mase", "mase_seasonal_naive"};
    static const char *const says[] = {
        "persons: the stock-flow model's mean",
        "lower end of the 80 per cent interval",
        "upper end of the 80 per cent interval",
        "lower end of the 95 per cent interval",
        "upper end of the 95 per cent interval",
        "the benchmark: the published value of the same month a year before",
        "backtest rows: the month's published value",
        "backtest rows: the model's mean absolute error over the back-test "
        "over the in-sample mean one-month change (MASE)",
        "backtest rows: the benchmark's MASE on the same scale"};
    size_t i;

    table_init(t, p->name, 1);
    add_col(t, "age_band", "text", 1, 1, "'Total'",
            "Total, or the age band projected");
    add_col(t, "kind", "text", 1, 1, "'projection'",
            "projection: a month after the last complete one; backtest: a "
            "published month projected from twelve months before it");
    add_col(t, "period", "date", 1, 1, NULL, "First day of the month");
    for (i = 0; i < sizeof(value) / sizeof(value[0]); i++)
        add_col(t, value[i], "numeric", 0, 0, NULL, says[i]);
    snprintf(t->comment, sizeof(t->comment),
             "Persons in cohort %s: a stock-flow projection computed from "
             "its published tables only, with 80 and 95 per cent intervals "
             "and a seasonal-naive benchmark, and its back-test over the "
             "last twelve published months. The current run's rows; every "
             "retained run is in %s__history.",
             p->cohort, p->name);
}

void
pg_table_linkage(struct pg_table *t)
{
    table_init(t, "linkage", 1);
    add_col(t, "key_order", "integer", 1, 1, NULL,
            "The match key's place in the job's [linkage] keys (strictest "
            "first); 0 for the id scopes' own ids");
    add_col(t, "key", "text", 0, 1, NULL, "The match key as the job writes it");
    add_col(t, "records_with_key", "bigint", 0, 0, NULL,
            "Records that had every part of the key (exact); NULL for order 0");
    add_col(t, "links", "bigint", 0, 0, NULL,
            "Links the key made, through the tables' disclosure rule; NULL "
            "when withheld");
    add_col(t, "refused", "bigint", 0, 0, NULL,
            "Links refused because they would join two different NHS "
            "numbers or UPNs, through the rule; NULL when withheld");
    snprintf(t->comment, sizeof(t->comment),
             "What each match key did in the current run (linkage.csv has "
             "the same rows)");
}

void
pg_table_runs(struct pg_table *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "runs");
    add_col(t, "run_id", "text", 1, 1, NULL,
            "The run's id (UTC start time, YYYYMMDDTHHMMSS.mmmZ): every "
            "published row carries it");
    add_col(t, "started", "timestamp with time zone", 0, 0, NULL,
            "When the run started");
    add_col(t, "finished", "timestamp with time zone", 0, 0, NULL,
            "When the run had counted and protected every table");
    add_col(t, "version", "text", 0, 0, NULL, "cohort's version");
    add_col(t, "plan_hash", "text", 0, 0, NULL,
            "BLAKE2b-256 of the rules as reviewed (`cohort rules` prints it)");
    add_col(t, "key_id", "text", 0, 0, NULL,
            "The key file's id (never the key)");
    add_col(t, "persons", "bigint", 0, 0, NULL,
            "Linked persons, through the tables' disclosure rule; NULL when "
            "withheld");
    add_col(t, "cohorts", "text[]", 0, 0, NULL,
            "The cohort tables the run published");
    add_col(t, "dropped", "text[]", 0, 0, NULL,
            "Cohorts no longer in the job whose tables (COHORT, "
            "COHORT__history) the run dropped");
    snprintf(t->comment, sizeof(t->comment),
             "One row per publication, every run kept: the newest run is the "
             "one the cohort tables show");
}

void
pg_table_columns(const struct pg_table *t, struct strbuf *sb)
{
    size_t i;

    for (i = 0; i < t->ncols; i++)
        strbuf_addf(sb, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
}

/* The table's columns as they are: name, type, NOT NULL, place in the
 * primary key (NULL: not in it), relkind, the primary key's name. */
static const char columns_sql[] =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
    "       array_position(k.conkey, a.attnum), c.relkind, k.conname"
    "  FROM pg_class c"
    "  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
    "                     AND NOT a.attisdropped"
    "  LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'"
    " WHERE c.oid = to_regclass($1)"
    " ORDER BY a.attnum";

/* The wanted primary key of the table with suffix: run_id first in a
 * history table, then t's key columns in order. */
static size_t
wanted_key(const struct pg_table *t, int history, const char **key)
{
    size_t i, n = 0;

    if (history)
        key[n++] = "run_id";
    for (i = 0; i < t->ncols; i++)
        if (t->cols[i].key)
            key[n++] = t->cols[i].name;
    return n;
}

/* CONSTRAINT "NAME<suffix>__pk" PRIMARY KEY (...) */
static void
add_key(const struct pg_table *t, const char *suffix, struct strbuf *sql)
{
    const char *key[PG_MAX_COLUMNS + 1];
    size_t i, n = wanted_key(t, *suffix != '\0', key);

    strbuf_addf(sql, "CONSTRAINT \"%s%s__pk\" PRIMARY KEY (", t->name, suffix);
    for (i = 0; i < n; i++)
        strbuf_addf(sql, "%s\"%s\"", i ? ", " : "", key[i]);
    strbuf_adds(sql, ")");
}

/* 1 when column c must be NOT NULL in the table with suffix. */
static int
wants_not_null(const struct pg_column *c, const char *suffix)
{
    return c->not_null || (*suffix && !strcmp(c->name, "run_id"));
}

static int
create_table(struct pg *pg, const struct pg_table *t, const char *suffix)
{
    struct strbuf sql = STRBUF_INIT;
    size_t i;
    int rc;

    strbuf_adds(&sql, "CREATE TABLE ");
    pg_add_table(pg, &sql, t->name, suffix);
    strbuf_adds(&sql, " (");
    for (i = 0; i < t->ncols; i++)
        strbuf_addf(&sql, "\"%s\" %s%s, ", t->cols[i].name, t->cols[i].type,
                    wants_not_null(&t->cols[i], suffix) ? " NOT NULL" : "");
    add_key(t, suffix, &sql);
    strbuf_adds(&sql, ")");
    rc = strbuf_failed(&sql) ? CE_NOMEM : pg_exec(pg, strbuf_str(&sql));
    strbuf_release(&sql);
    return rc;
}

/* The table as it is, from columns_sql. */
struct existing {
    PGresult *res;
    int n;
};

static int
find_existing(const struct existing *e, const char *name)
{
    int i;

    for (i = 0; i < e->n; i++)
        if (!strcmp(PQgetvalue(e->res, i, 0), name))
            return i;
    return -1;
}

/* 1 when the existing primary key is not the wanted one. */
static int
key_differs(const struct existing *e, const struct pg_table *t,
            const char *suffix)
{
    const char *key[PG_MAX_COLUMNS + 1];
    size_t n = wanted_key(t, *suffix != '\0', key), have = 0, i;
    int r;

    for (r = 0; r < e->n; r++)
        if (!PQgetisnull(e->res, r, 3))
            have++;
    if (have != n)
        return 1;
    for (i = 0; i < n; i++) {
        r = find_existing(e, key[i]);
        if (r < 0 || PQgetisnull(e->res, r, 3) ||
            strtol(PQgetvalue(e->res, r, 3), NULL, 10) != (long)i + 1)
            return 1;
    }
    return 0;
}

/* Columns published no more: dropped, history rows broken down by a
 * dropped key column deleted first (its Total rows stay). */
static void
alter_drops(struct pg *pg, const struct pg_table *t, const char *suffix,
            const struct existing *e, struct strbuf *pre, struct strbuf *alter)
{
    size_t i;
    int r;

    for (r = 0; r < e->n; r++) {
        const char *name = PQgetvalue(e->res, r, 0);
        int wanted = 0;

        for (i = 0; i < t->ncols; i++)
            wanted |= !strcmp(t->cols[i].name, name);
        if (wanted)
            continue;
        if (*suffix && !PQgetisnull(e->res, r, 3) &&
            !strcmp(PQgetvalue(e->res, r, 1), "text")) {
            strbuf_adds(pre, "DELETE FROM ");
            pg_add_table(pg, pre, t->name, suffix);
            strbuf_adds(pre, " WHERE ");
            pg_add_ident(pg, pre, name);
            strbuf_adds(pre, " IS DISTINCT FROM 'Total'; ");
        }
        strbuf_adds(alter, alter->len ? ", DROP COLUMN " : " DROP COLUMN ");
        pg_add_ident(pg, alter, name);
    }
}

/* Columns to add, retype or make (not) nullable; the defaults that fill
 * old rows are dropped again in post. */
static void
alter_columns(const struct pg_table *t, const char *suffix,
              const struct existing *e, struct strbuf *alter,
              struct strbuf *post)
{
    size_t i;

    for (i = 0; i < t->ncols; i++) {
        const struct pg_column *c = &t->cols[i];
        int r = find_existing(e, c->name), nn = wants_not_null(c, suffix);

        if (r < 0) {
            strbuf_addf(alter, "%sADD COLUMN \"%s\" %s",
                        alter->len ? ", " : " ", c->name, c->type);
            if (c->fill && nn) {
                strbuf_addf(alter, " DEFAULT %s", c->fill);
                strbuf_addf(post, "%sALTER COLUMN \"%s\" DROP DEFAULT",
                            post->len ? ", " : " ", c->name);
            }
            strbuf_adds(alter, nn ? " NOT NULL" : "");
            continue;
        }
        if (strcmp(PQgetvalue(e->res, r, 1), c->type))
            strbuf_addf(alter, "%sALTER COLUMN \"%s\" TYPE %s USING \"%s\"::%s",
                        alter->len ? ", " : " ", c->name, c->type, c->name,
                        c->type);
        if (nn != (PQgetvalue(e->res, r, 2)[0] == 't'))
            strbuf_addf(alter, "%sALTER COLUMN \"%s\" %s NOT NULL",
                        alter->len ? ", " : " ", c->name, nn ? "SET" : "DROP");
    }
}

/* Alters the existing table e to t's shape; nothing when it has it. */
static int
alter_table(struct pg *pg, const struct pg_table *t, const char *suffix,
            const struct existing *e)
{
    struct strbuf pre = STRBUF_INIT, alter = STRBUF_INIT, post = STRBUF_INIT,
                  sql = STRBUF_INIT;
    int rc = 0, rekey = key_differs(e, t, suffix);

    if (rekey && !PQgetisnull(e->res, 0, 5)) {
        strbuf_adds(&alter, " DROP CONSTRAINT IF EXISTS ");
        pg_add_ident(pg, &alter, PQgetvalue(e->res, 0, 5));
    }
    alter_drops(pg, t, suffix, e, &pre, &alter);
    alter_columns(t, suffix, e, &alter, &post);
    if (rekey) {
        strbuf_adds(&post, post.len ? ", ADD " : " ADD ");
        add_key(t, suffix, &post);
    }
    strbuf_add(&sql, pre.buf ? pre.buf : "", pre.len);
    if (alter.len) {
        strbuf_adds(&sql, "ALTER TABLE ");
        pg_add_table(pg, &sql, t->name, suffix);
        strbuf_add(&sql, alter.buf, alter.len);
        strbuf_adds(&sql, "; ");
    }
    if (post.len) {
        strbuf_adds(&sql, "ALTER TABLE ");
        pg_add_table(pg, &sql, t->name, suffix);
        strbuf_add(&sql, post.buf, post.len);
    }
    if (strbuf_failed(&pre) || strbuf_failed(&alter) || strbuf_failed(&post) ||
        strbuf_failed(&sql))
        rc = CE_NOMEM;
    else if (sql.len)
        rc = pg_exec(pg, strbuf_str(&sql));
    strbuf_release(&pre);
    strbuf_release(&alter);
    strbuf_release(&post);
    strbuf_release(&sql);
    return rc;
}

int
pg_table_ensure(struct pg *pg, const struct pg_table *t, const char *suffix,
                int clear)
{
    struct strbuf name = STRBUF_INIT, sql = STRBUF_INIT;
    const char *params[1];
    struct existing e;
    const char *what = pg->what;
    int rc = 0;

    pg_add_table(pg, &name, t->name, suffix);
    if (strbuf_failed(&name)) {
        strbuf_release(&name);
        return CE_NOMEM;
    }
    params[0] = strbuf_str(&name);
    memset(&e, 0, sizeof(e));
    if (!(e.res = pg_query(pg, columns_sql, 1, params, &rc)))
        goto out;
    e.n = PQntuples(e.res);
    if (e.n == 0) {
        pg->what = "creating a table";
        rc = create_table(pg, t, suffix);
        goto out;
    }
    if (!strchr("rp", PQgetvalue(e.res, 0, 4)[0])) {
        diag_set(pg->d, pg->out->name, 0, 0, "postgres",
                 "[output %s] %s.%s%s is not a table: a view or another "
                 "object has the name the publisher writes; rename it",
                 pg->out->name, pg->out->schema, t->name, suffix);
        rc = CE_IO;
        goto out;
    }
    /* DELETE, not TRUNCATE: TRUNCATE takes ACCESS EXCLUSIVE (every
     * reader waits until the commit) and is not MVCC-safe (a reader's
     * older snapshot would see an empty table after it commits) */
    if (clear) {
        strbuf_adds(&sql, "DELETE FROM ");
        strbuf_adds(&sql, params[0]);
        if ((rc = pg_exec(pg, strbuf_str(&sql))) < 0)
            goto out;
    }
    pg->what = "changing a table's columns to the job's";
    rc = alter_table(pg, t, suffix, &e);
out:
    if (rc == 0)
        pg->what = what;
    if (e.res)
        PQclear(e.res);
    strbuf_release(&name);
    strbuf_release(&sql);
    return rc;
}

/* COMMENT ON COLUMN schema.table<suffix>.col IS '...' for every column. */
static void
comment_columns(struct pg *pg, const struct pg_table *t, const char *suffix,
                struct strbuf *sql)
{
    size_t i;

    for (i = 0; i < t->ncols; i++) {
        strbuf_adds(sql, "COMMENT ON COLUMN ");
        pg_add_table(pg, sql, t->name, suffix);
        strbuf_addf(sql, ".\"%s\" IS ", t->cols[i].name);
        pg_add_literal(pg, sql, t->cols[i].comment);
        strbuf_adds(sql, "; ");
    }
}

void
pg_table_comment(struct pg *pg, const struct pg_table *t, struct strbuf *sql)
{
    strbuf_adds(sql, "COMMENT ON TABLE ");
    pg_add_table(pg, sql, t->name, "");
    strbuf_adds(sql, " IS ");
    pg_add_literal(pg, sql, t->comment);
    strbuf_adds(sql, "; ");
    comment_columns(pg, t, "", sql);
    if (!t->history)
        return;
    strbuf_adds(sql, "COMMENT ON TABLE ");
    pg_add_table(pg, sql, t->name, "__history");
    strbuf_adds(sql, " IS ");
    pg_add_literal(pg, sql, t->history_comment);
    strbuf_adds(sql, "; ");
    comment_columns(pg, t, "__history", sql);
}
