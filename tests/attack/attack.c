/*
 * attack.c - the reader of a published table, turned attacker. It knows
 * only what a reader has: the published CSV files (a `count` column with
 * numbers or `[c]`, `Total` for margins, and whatever other column the
 * file carries, a per-cell `status` included), and the published rule
 * (suppression range, rounding). For every hidden cell it asks GLPK for
 * the smallest and largest value consistent with everything published and
 * reports the cells whose range is narrower than the protection level.
 *
 * It shares no code with cohort: the relations are read back from the
 * labels, not taken from cohort's table layout, so a layout that publishes
 * more than cohort's own audit assumes is caught here.
 *
 *   attack --suppress LO-HI --rounding B --level L [--period COL]
 *          [--protect-zeros] FILE.csv...
 *   attack ... --flows PERSONS.csv NEW.csv ENDED.csv
 *
 * --flows attacks a forecast cohort's three tables together: every cell
 * of the three, each table's relations, and the stock-flow identity of
 * their totals across months (attack_flows() below).
 *
 * What a published cell tells the attacker:
 *   - a number r: the true count rounds to r (nearest multiple of B, ties
 *     up) and is not one the rule suppresses (the convex hull of what is
 *     left: an attacker no stronger than a linear program);
 *   - `[c]`: the count is >= 0;
 *   - `[z]`: a structural zero, the count is 0;
 *   - a `status` column, when the file has one: `suppressed` puts the cell
 *     in the suppression range, `ok` says the number is exact, `rounded`
 *     that it is not.
 * Relations: a cell with `Total` in column j is the sum of the cells equal
 * to it but for a value in column j, whenever all of those are published
 * rows (each period separately). A `margin` column (yes/no) says the same
 * as the `Total` labels: it is read, checked against them, and adds no
 * relation.
 *
 * A hidden cell is reported when its range is narrower than L and
 * reaches into the suppression range: a range wholly outside it proves the
 * cell was hidden to protect another, and its count is one the rule lets
 * anyone see. A reported cell is given away when its true count is in the
 * suppression range; the attacker has no true counts, so a caller that
 * has them (a test) tells the two apart.
 *
 * Prints one line per file: cells, hidden cells, narrow cells, and for
 * each narrow cell its period, coordinates and range (never a true count:
 * it has none). Exit 0 when no hidden cell is given away, 1 when one is,
 * 2 on a usage or input error.
 */
#include <errno.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 16
#define MAX_LINE 65536

struct cell {
    int period;               /* index into the file's period labels */
    int coord[MAX_COLS];      /* label index per by column; -1 = Total */
    long long value;          /* published number; -1 when hidden */
    int status;               /* 0 none, 1 suppressed, 2 ok, 3 rounded,
                                 4 [z] */
};

struct labels {
    char **s;
    int n, alloc;
};

/* A whole number, all of s (the checked form of atoi: STYLE.md). */
static int
parse_ll(const char *s, long long *out)
{
    char *end;

    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno || end == s || *end ? -1 : 0;
}

static int
label_index(struct labels *l, const char *s)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (!strcmp(l->s[i], s))
            return i;
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? 2 * l->alloc : 16;
        l->s = realloc(l->s, (size_t)l->alloc * sizeof(char *));
        if (!l->s)
            exit(2);
    }
    l->s[l->n] = strdup(s);
    return l->n++;
}

/* Splits one CSV line into fields (RFC 4180 quoting, no embedded line
 * breaks: published tables have none). Returns the field count. */
static int
split_csv(char *line, char **f, int max)
{
    int n = 0;
    char *r = line, *w;

    while (n < max) {
        f[n++] = w = r;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else if (!*r) {
                    break;
                } else {
                    *w++ = *r++;
                }
            }
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (*r == ',') {
            *w = '\0';
            r++;
            continue;
        }
        *w = '\0';
        break;
    }
    return n;
}

struct rule {
    int lo, hi, rounding, level, protect_zeros;
};

/* The interval of true counts a published number r stands for. */
static void
published_range(const struct rule *ru, long long r, int status, double *lo,
                double *hi)
{
    long long a, b, h = ru->rounding / 2;

    if (ru->rounding <= 1 || status == 2 || status == 4) {
        *lo = *hi = (double)r;
        return;
    }
    a = r - h;
    b = a + ru->rounding - 1;
    if (a < 0)
        a = 0;
    if (ru->protect_zeros && a == 0)
        a = 1;
    if (ru->hi > 0 && a >= ru->lo && a <= ru->hi)
        a = ru->hi + 1;
    if (ru->hi > 0 && b >= ru->lo && b <= ru->hi)
        b = ru->lo - 1;
    if (a > b) { /* nothing left: keep the whole rounding interval */
        a = r - h < 0 ? 0 : r - h;
        b = r - h + ru->rounding - 1;
    }
    *lo = (double)a;
    *hi = (double)b;
}

/* 1 when a count in [lo, hi] could be one the rule suppresses: a range
 * wholly outside the suppression range proves the cell was hidden only to
 * protect another, and its count is one the rule lets anyone see. */
static int
could_be_primary(const struct rule *ru, double lo, double hi)
{
    if (ru->protect_zeros && lo <= 0.0)
        return 1;
    return ru->hi > 0 && lo <= (double)ru->hi && hi >= (double)ru->lo;
}

/* Appends one coefficient to the matrix, growing it. */
static void
add_coef(int **ia, int **ja, double **ar, int *nnz, int *annz, int row,
         int col, double v)
{
    if (*nnz + 1 >= *annz) {
        *annz = *annz ? 2 * *annz : 1024;
        *ia = realloc(*ia, (size_t)(*annz + 1) * sizeof(int));
        *ja = realloc(*ja, (size_t)(*annz + 1) * sizeof(int));
        *ar = realloc(*ar, (size_t)(*annz + 1) * sizeof(double));
        if (!*ia || !*ja || !*ar)
            exit(2);
    }
    (*nnz)++;
    (*ia)[*nnz] = row;
    (*ja)[*nnz] = col;
    (*ar)[*nnz] = v;
}

/* A program's coefficients as GLPK takes them (1-based), and its rows. */
struct matrix {
    int *ia, *ja, nnz, annz, nrows;
    double *ar;
};

/*
 * Adds to lp the columns col0 + 1 .. col0 + n of one period's n cells
 * (hidden: >= 0, or the suppression range when a status says primary;
 * published: the interval its number stands for) and a row per relation
 * the labels show:
 *   - a cell with Total in column j is the sum of the cells that differ
 *     from it only in column j (a margin over its line, the grand total
 *     over a margin);
 *   - a cell with Total in several columns is also the sum of the interior
 *     cells that agree with it elsewhere (the one-column margins of a
 *     table with three by columns);
 * each only when every part is a published row. The columns must exist.
 */
static void
period_program(glp_prob *lp, struct matrix *m, const struct cell *cells,
               size_t n, int nby, const struct labels *lab,
               const struct rule *ru, int col0)
{
    int j, k;
    size_t c, d;

    for (c = 0; c < n; c++) {
        int col = col0 + (int)c + 1;

        if (cells[c].value < 0) {
            if (cells[c].status == 1)
                glp_set_col_bnds(lp, col, GLP_DB,
                                 ru->protect_zeros ? 0.0 : (double)ru->lo,
                                 (double)ru->hi);
            else
                glp_set_col_bnds(lp, col, GLP_LO, 0.0, 0.0);
        } else {
            double lo, hi;

            published_range(ru, cells[c].value, cells[c].status, &lo, &hi);
            if (lo == hi)
                glp_set_col_bnds(lp, col, GLP_FX, lo, lo);
            else
                glp_set_col_bnds(lp, col, GLP_DB, lo, hi);
        }
    }
    for (c = 0; c < n; c++) {
        int ntot = 0, need_int = 1;

        for (j = 0; j < nby; j++)
            if (cells[c].coord[j] == -1) {
                ntot++;
                need_int *= lab[j].n;
            }
        for (j = -1; j < nby; j++) {
            /* j >= 0: over column j; j = -1: over the interior */
            int need = j >= 0 ? lab[j].n : need_int, found = 0,
                start = m->nnz;

            if (j >= 0 ? cells[c].coord[j] != -1 : ntot < 2)
                continue;
            for (d = 0; d < n; d++) {
                if (j >= 0 && cells[d].coord[j] == -1)
                    continue;
                for (k = 0; k < nby; k++) {
                    if (k == j)
                        continue;
                    if (j < 0 && cells[c].coord[k] == -1
                            ? cells[d].coord[k] == -1
                            : cells[d].coord[k] != cells[c].coord[k])
                        break;
                }
                if (k < nby)
                    continue;
                found++;
                add_coef(&m->ia, &m->ja, &m->ar, &m->nnz, &m->annz,
                         m->nrows + 1, col0 + (int)d + 1, -1.0);
            }
            if (found != need || need == 0) {
                m->nnz = start; /* not every part is published: no relation */
                continue;
            }
            add_coef(&m->ia, &m->ja, &m->ar, &m->nnz, &m->annz, m->nrows + 1,
                     col0 + (int)c + 1, 1.0);
            m->nrows++;
            glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, m->nrows, GLP_FX, 0.0, 0.0);
        }
    }
}

/* The attacker's range of column col, rounded inwards to whole persons
 * (hi INFINITY when unbounded). 0, or 2 when the program has no
 * solution (the published values contradict the rule). */
static int
column_range(glp_prob *lp, int col, double *lo, double *hi)
{
    glp_smcp parm;
    int i, n = glp_get_num_cols(lp);

    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    for (i = 1; i <= n; i++)
        glp_set_obj_coef(lp, i, i == col ? 1.0 : 0.0);
    glp_set_obj_dir(lp, GLP_MIN);
    if (glp_simplex(lp, &parm) != 0 || glp_get_status(lp) != GLP_OPT)
        return 2;
    *lo = ceil(glp_get_obj_val(lp) - 1e-6);
    glp_set_obj_dir(lp, GLP_MAX);
    if (glp_simplex(lp, &parm) != 0)
        return 2;
    *hi = glp_get_status(lp) == GLP_UNBND
              ? INFINITY
              : floor(glp_get_obj_val(lp) + 1e-6);
    return 0;
}

/* Prints a narrow cell: its file, period and labels (or "total"). */
static void
print_narrow(const char *path, const char *period, const struct cell *c,
             int nby, const struct labels *lab, double lo, double hi)
{
    int j, total = 1;

    for (j = 0; j < nby; j++)
        total &= c->coord[j] < 0;
    printf("narrow: %s period %s %s", path, period, total ? "total" : "cell");
    for (j = 0; !total && j < nby; j++)
        printf(" %s", c->coord[j] < 0 ? "Total" : lab[j].s[c->coord[j]]);
    printf(": [%g, %g]\n", lo, hi);
}

/*
 * The attacker's program over one period's n cells (period_program()).
 * Adds to *narrow the hidden cells whose range is narrower than the level
 * and reaches into the suppression range (could_be_primary()). 0, or 2
 * when the program has no solution.
 */
static int
attack_period(const struct cell *cells, size_t n, int nby,
              const struct labels *lab, const struct rule *ru,
              const char *path, const char *period, int *narrow)
{
    glp_prob *lp = glp_create_prob();
    struct matrix m;
    int rc = 0;
    size_t c;

    memset(&m, 0, sizeof(m));
    glp_add_cols(lp, (int)n);
    period_program(lp, &m, cells, n, nby, lab, ru, 0);
    glp_load_matrix(lp, m.nnz, m.ia, m.ja, m.ar);
    for (c = 0; c < n && rc == 0; c++) {
        double lo, hi;

        if (cells[c].value >= 0)
            continue;
        if ((rc = column_range(lp, (int)c + 1, &lo, &hi)) != 0) {
            fprintf(stderr, "attack: '%s' period %s: the program has no "
                            "solution: the published values contradict "
                            "the rule\n", path, period);
            break;
        }
        if (hi - lo < (double)ru->level && could_be_primary(ru, lo, hi)) {
            (*narrow)++;
            print_narrow(path, period, &cells[c], nby, lab, lo, hi);
        }
    }
    glp_delete_prob(lp);
    free(m.ia);
    free(m.ja);
    free(m.ar);
    return rc;
}

/* A published file as read back: its cells, by-column labels, periods. */
struct table {
    struct cell *cells;
    size_t n;
    int nby;
    struct labels periods, lab[MAX_COLS];
};

static void
table_free(struct table *t)
{
    int i, j;

    for (j = 0; j < MAX_COLS; j++) {
        for (i = 0; i < t->lab[j].n; i++)
            free(t->lab[j].s[i]);
        free(t->lab[j].s);
    }
    for (i = 0; i < t->periods.n; i++)
        free(t->periods.s[i]);
    free(t->periods.s);
    free(t->cells);
}

/* Reads path into t: every column but count, status, margin (checked
 * against the Total labels), the period column, and the columns computed
 * from the count or the period (rate_per_10000, complete) is a by column.
 * 0, or 2 on an input error. */
static int
read_table(const char *path, const char *period_col, struct table *t)
{
    FILE *fp = fopen(path, "r");
    char *line = malloc(MAX_LINE), *f[MAX_COLS + 4];
    int nf, i, j, by[MAX_COLS], count_col = -1, status_col = -1,
                     margin_col = -1, period_idx = -1, rc = 0;
    size_t alloc = 0;

    memset(t, 0, sizeof(*t));
    if (!fp || !line || !fgets(line, MAX_LINE, fp)) {
        fprintf(stderr, "attack: cannot read '%s'\n", path);
        rc = 2;
        goto out;
    }
    line[strcspn(line, "\r\n")] = '\0';
    nf = split_csv(line, f, MAX_COLS + 4);
    for (i = 0; i < nf; i++) {
        if (!strcmp(f[i], "count"))
            count_col = i;
        else if (!strcmp(f[i], "status"))
            status_col = i;
        else if (!strcmp(f[i], "margin"))
            margin_col = i;
        else if (period_col && !strcmp(f[i], period_col))
            period_idx = i;
        else if (!strcmp(f[i], "rate_per_10000") || !strcmp(f[i], "complete"))
            continue; /* a function of the count, or of the period */
        else if (t->nby < MAX_COLS)
            by[t->nby++] = i;
    }
    if (count_col < 0) {
        fprintf(stderr, "attack: '%s' has no count column\n", path);
        rc = 2;
        goto out;
    }
    while (fgets(line, MAX_LINE, fp)) {
        struct cell *x;

        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        nf = split_csv(line, f, MAX_COLS + 4);
        if (nf <= count_col) {
            fprintf(stderr, "attack: '%s': a short row\n", path);
            rc = 2;
            goto out;
        }
        if (t->n == alloc) {
            alloc = alloc ? 2 * alloc : 1024;
            t->cells = realloc(t->cells, alloc * sizeof(*t->cells));
            if (!t->cells)
                exit(2);
        }
        x = &t->cells[t->n++];
        memset(x, 0, sizeof(*x));
        x->period = period_idx >= 0 ? label_index(&t->periods, f[period_idx])
                                    : 0;
        for (j = 0; j < t->nby; j++)
            x->coord[j] = !strcmp(f[by[j]], "Total")
                              ? -1
                              : label_index(&t->lab[j], f[by[j]]);
        if (!strcmp(f[count_col], "[c]")) {
            x->value = -1;
        } else if (!strcmp(f[count_col], "[z]")) {
            x->value = 0;
            x->status = 4; /* a structural zero: known to be 0 */
        } else if (parse_ll(f[count_col], &x->value) < 0 || x->value < 0) {
            fprintf(stderr, "attack: '%s': a count that is not a whole "
                            "number\n", path);
            rc = 2;
            goto out;
        }
        if (margin_col >= 0) {
            int total = 0;

            for (j = 0; j < t->nby; j++)
                total |= x->coord[j] == -1;
            if (margin_col >= nf ||
                strcmp(f[margin_col], total ? "yes" : "no")) {
                fprintf(stderr, "attack: '%s': a margin column that "
                                "disagrees with the Total labels\n", path);
                rc = 2;
                goto out;
            }
        }
        if (status_col >= 0 && status_col < nf && x->status != 4)
            x->status = !strcmp(f[status_col], "suppressed") ? 1
                        : !strcmp(f[status_col], "ok")       ? 2
                        : !strcmp(f[status_col], "rounded")  ? 3
                                                             : 0;
    }
out:
    if (fp)
        fclose(fp);
    free(line);
    if (rc)
        table_free(t);
    return rc;
}

static int
attack_file(const char *path, const char *period_col, const struct rule *ru)
{
    struct table t;
    int i, narrow = 0, hidden = 0, rc;
    size_t c, d;

    if ((rc = read_table(path, period_col, &t)) != 0)
        return rc;
    /* one program per period: periods share no relation (rows of a
     * period are contiguous in a published file); a table without by
     * columns has no relation at all */
    for (c = 0; c < t.n && rc == 0; c = d) {
        for (d = c; d < t.n && t.cells[d].period == t.cells[c].period; d++)
            ;
        for (i = (int)c; i < (int)d; i++)
            hidden += t.cells[i].value < 0;
        if (t.nby > 0)
            rc = attack_period(t.cells + c, d - c, t.nby, t.lab, ru, path,
                               t.periods.n ? t.periods.s[t.cells[c].period]
                                           : "-",
                               &narrow);
    }
    printf("attack: %s: %zu cells, %d hidden, %d narrower than %d\n", path,
           t.n, hidden, narrow, ru->level);
    table_free(&t);
    if (rc)
        return rc;
    return narrow ? 1 : 0;
}

/* The column (col0 + 1-based cell index) of each period's grand total
 * of t, 0 when the file has none for it. */
static void
period_total_cols(const struct table *t, int col0, int *col, int nperiods)
{
    size_t c;
    int j, p;

    for (p = 0; p < nperiods; p++)
        col[p] = 0;
    for (c = 0; c < t->n; c++) {
        for (j = 0; j < t->nby && t->cells[c].coord[j] == -1; j++)
            ;
        if (j == t->nby && t->cells[c].period < nperiods)
            col[t->cells[c].period] = col0 + (int)c + 1;
    }
}

/* Adds the stock-flow identity of each month p >= 1 over the totals'
 * columns tc[table * np + period] (P, N, E):
 * P(p) - P(p-1) + E(p-1) - N(p) = 0. 0, or 2 when a total is missing. */
static int
identity_rows(glp_prob *lp, struct matrix *m, const int *tc, int np)
{
    static const int which[4] = {0, 0, 2, 1}, dt[4] = {0, -1, -1, 0};
    static const double sign[4] = {1, -1, 1, -1};
    int p, k;

    for (p = 1; p < np; p++) {
        for (k = 0; k < 4; k++)
            if (!tc[which[k] * np + p + dt[k]])
                return 2;
        m->nrows++;
        glp_add_rows(lp, 1);
        glp_set_row_bnds(lp, m->nrows, GLP_FX, 0.0, 0.0);
        for (k = 0; k < 4; k++)
            add_coef(&m->ia, &m->ja, &m->ar, &m->nnz, &m->annz, m->nrows,
                     tc[which[k] * np + p + dt[k]], sign[k]);
    }
    return 0;
}

/*
 * --flows P N E: a forecast cohort's persons, entries and exits (its
 * _duration, _new and _ended tables, whose periods must be the same)
 * attacked together. One program over every cell of the three tables in
 * every period: each table's own relations (period_program()) and what
 * ties them across months, their grand totals' identity P(t) - E(t) =
 * P(t-1) - E(t-1) + N(t) - E(t); a hidden cell, of any of the three,
 * narrower than the level that could be a primary is reported. 0, 1 when
 * one is, 2 on an error.
 */
static int
attack_flows(char *const *paths, const char *period_col, const struct rule *ru)
{
    struct table t[3];
    struct matrix m;
    int *tc = NULL, base[4] = {0, 0, 0, 0};
    int k, np, narrow = 0, hidden = 0, rc = 0;
    size_t c, d;
    glp_prob *lp = NULL;

    memset(&m, 0, sizeof(m));
    for (k = 0; k < 3; k++)
        if (read_table(paths[k], period_col, &t[k]) != 0) {
            while (k-- > 0)
                table_free(&t[k]);
            return 2;
        }
    np = t[0].periods.n ? t[0].periods.n : 1;
    if (t[1].periods.n != t[0].periods.n || t[2].periods.n != t[0].periods.n) {
        fprintf(stderr, "attack: --flows: the three files' periods differ\n");
        rc = 2;
        goto out;
    }
    for (k = 0; k < 3; k++)
        base[k + 1] = base[k] + (int)t[k].n;
    if (!(tc = malloc(3 * (size_t)np * sizeof(*tc))))
        exit(2);
    lp = glp_create_prob();
    glp_add_cols(lp, base[3]);
    for (k = 0; k < 3; k++) {
        /* rows of a period are contiguous in a published file */
        for (c = 0; c < t[k].n; c = d) {
            for (d = c; d < t[k].n && t[k].cells[d].period == t[k].cells[c].period;
                 d++)
                ;
            period_program(lp, &m, t[k].cells + c, d - c, t[k].nby, t[k].lab,
                           ru, base[k] + (int)c);
        }
        period_total_cols(&t[k], base[k], tc + (size_t)k * np, np);
    }
    if (identity_rows(lp, &m, tc, np) != 0) {
        fprintf(stderr, "attack: --flows: a period without its total\n");
        rc = 2;
        goto out;
    }
    glp_load_matrix(lp, m.nnz, m.ia, m.ja, m.ar);
    for (k = 0; k < 3 && rc == 0; k++)
        for (c = 0; c < t[k].n && rc == 0; c++) {
            const struct cell *x = &t[k].cells[c];
            double lo, hi;

            if (x->value >= 0)
                continue;
            hidden++;
            if ((rc = column_range(lp, base[k] + (int)c + 1, &lo, &hi)) != 0) {
                fprintf(stderr, "attack: --flows: the published cells "
                                "contradict the identity or the rule\n");
                break;
            }
            if (hi - lo < (double)ru->level && could_be_primary(ru, lo, hi)) {
                narrow++;
                print_narrow(paths[k], t[k].periods.n
                                           ? t[k].periods.s[x->period]
                                           : "-",
                             x, t[k].nby, t[k].lab, lo, hi);
            }
        }
    printf("attack: --flows %s: %d cells, %d hidden, %d narrower than %d\n",
           paths[0], base[3], hidden, narrow, ru->level);
out:
    if (lp)
        glp_delete_prob(lp);
    free(tc);
    free(m.ia);
    free(m.ja);
    free(m.ar);
    for (k = 0; k < 3; k++)
        table_free(&t[k]);
    if (rc)
        return rc;
    return narrow ? 1 : 0;
}

int
main(int argc, char **argv)
{
    struct rule ru = {1, 9, 1, 9, 0};
    long long v;
    const char *period = NULL;
    int i, rc = 0, r, flows = 0;

    glp_term_out(GLP_OFF);
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (!strcmp(argv[i], "--suppress") && i + 1 < argc) {
            if (sscanf(argv[++i], "%d-%d", &ru.lo, &ru.hi) != 2)
                return 2;
        } else if (!strcmp(argv[i], "--rounding") && i + 1 < argc) {
            if (parse_ll(argv[++i], &v) < 0 || v < 1 || v > 1000000)
                return 2;
            ru.rounding = (int)v;
        } else if (!strcmp(argv[i], "--level") && i + 1 < argc) {
            if (parse_ll(argv[++i], &v) < 0 || v < 0 || v > 1000000)
                return 2;
            ru.level = (int)v;
        } else if (!strcmp(argv[i], "--period") && i + 1 < argc) {
            period = argv[++i];
        } else if (!strcmp(argv[i], "--protect-zeros")) {
            ru.protect_zeros = 1;
        } else if (!strcmp(argv[i], "--flows")) {
            flows = 1;
        } else {
            fprintf(stderr, "usage: attack --suppress LO-HI --rounding B "
                            "--level L [--period COL] [--protect-zeros] "
                            "FILE.csv... | --flows P.csv N.csv E.csv\n");
            return 2;
        }
    }
    if (i == argc)
        return 2;
    if (flows) {
        if (argc - i != 3) {
            fprintf(stderr, "attack: --flows takes PERSONS.csv NEW.csv "
                            "ENDED.csv\n");
            return 2;
        }
        return attack_flows(argv + i, period, &ru);
    }
    for (; i < argc; i++) {
        r = attack_file(argv[i], period, &ru);
        if (r > rc)
            rc = r;
    }
    return rc;
}
