#include "ptable.h"

#include "../core/strnum.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PTABLE_MAX_COUNT 100000
#define PTABLE_MAX_FIELDS 32
/* slack for probabilities printed with a finite number of digits */
#define PTABLE_EPS 1e-6

static int
push_row(struct ptable *pt, size_t *alloc, int pcv, int lo, int hi, int noise)
{
    if (pt->n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 256;
        struct ptable_row *r = realloc(pt->rows, na * sizeof(*r));

        if (!r)
            return CE_NOMEM;
        pt->rows = r;
        *alloc = na;
    }
    pt->rows[pt->n].pcv = pcv;
    pt->rows[pt->n].ckey_lo = lo;
    pt->rows[pt->n].ckey_hi = hi;
    pt->rows[pt->n].noise = noise;
    if (pcv > pt->max_pcv)
        pt->max_pcv = pcv;
    pt->n++;
    return 0;
}

/* Splits line in place at delim; each field is trimmed of blanks and of
 * one pair of surrounding double quotes (R's write.table quotes). Returns
 * the number of fields, or max + 1 when there are more. */
static size_t
split(char *line, char delim, char **fld, size_t max)
{
    size_t n = 0;
    char *p = line;

    for (;;) {
        char *end = strchr(p, delim), *s = p, *e;

        if (end)
            *end = '\0';
        if (n == max)
            return max + 1;
        while (*s == ' ' || *s == '\t')
            s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (e - s >= 2 && *s == '"' && e[-1] == '"') {
            e[-1] = '\0';
            s++;
        }
        fld[n++] = s;
        if (!end)
            return n;
        p = end + 1;
    }
}

/* The layout `pcv,ckey_lo,ckey_hi,noise`, after its header. */
static int
load_legacy(struct ptable *pt, FILE *f, const char *path, char **line,
            size_t *la, long *lineno, struct diag *d)
{
    size_t alloc = 0;

    while (getline(line, la, f) >= 0) {
        char *fld[5];
        int64_t v[4];

        (*lineno)++;
        (*line)[strcspn(*line, "\r\n")] = '\0';
        if (!**line)
            continue;
        if (split(*line, ',', fld, 4) != 4 ||
            parse_int64_str(fld[0], 1, PTABLE_MAX_COUNT, &v[0]) < 0 ||
            parse_int64_str(fld[1], 0, 255, &v[1]) < 0 ||
            parse_int64_str(fld[2], v[1], 255, &v[2]) < 0 ||
            parse_int64_str(fld[3], -v[0], PTABLE_MAX_COUNT, &v[3]) < 0) {
            diag_set(d, path, *lineno, 0, "ptable",
                     "expected pcv,ckey_lo,ckey_hi,noise with pcv >= 1, "
                     "0 <= ckey_lo <= ckey_hi <= 255, noise >= -pcv");
            return CE_CONFIG;
        }
        if (push_row(pt, &alloc, (int)v[0], (int)v[1], (int)v[2], (int)v[3]))
            return CE_NOMEM;
    }
    return 0;
}

/* ONS's layout `pcv,ckey,pvalue` (columns in any order), after its
 * header, whose columns are col[0 .. 2]: 0 pcv, 1 ckey, 2 pvalue. */
static int
load_ons(struct ptable *pt, FILE *f, const char *path, char **line,
         size_t *la, long *lineno, const int *col, struct diag *d)
{
    size_t alloc = 0;

    while (getline(line, la, f) >= 0) {
        char *fld[4];
        int64_t v[3];
        size_t k;
        int bad = 0;

        (*lineno)++;
        (*line)[strcspn(*line, "\r\n")] = '\0';
        if (!**line)
            continue;
        if (split(*line, ',', fld, 3) != 3) {
            diag_set(d, path, *lineno, 0, "ptable", "expected 3 fields, as "
                                                    "in the header");
            return CE_CONFIG;
        }
        for (k = 0; k < 3; k++) {
            const char *x = fld[k];

            switch (col[k]) {
            case 0:
                bad |= parse_int64_str(x, 0, PTABLE_MAX_COUNT, &v[0]) < 0;
                break;
            case 1:
                bad |= parse_int64_str(x, 0, 255, &v[1]) < 0;
                break;
            default:
                bad |= parse_int64_str(x, -PTABLE_MAX_COUNT, PTABLE_MAX_COUNT,
                                       &v[2]) < 0;
            }
        }
        if (bad || v[0] + v[2] < 0) {
            diag_set(d, path, *lineno, 0, "ptable",
                     "expected pcv,ckey,pvalue with pcv >= 0, 0 <= ckey <= "
                     "255, pcv + pvalue >= 0");
            return CE_CONFIG;
        }
        if (v[0] == 0)
            continue; /* empty cells are never perturbed */
        if (push_row(pt, &alloc, (int)v[0], (int)v[1], (int)v[1], (int)v[2]))
            return CE_NOMEM;
    }
    return 0;
}

/* 1 when the header is ONS's pcv,ckey,pvalue in some order; col[k] then
 * says which of the three column k is. */
static int
ons_header(char *h, int *col)
{
    static const char *const names[3] = {"pcv", "ckey", "pvalue"};
    char copy[128], *fld[4];
    int seen = 0, c;
    size_t k, n;

    if (strlen(h) >= sizeof(copy))
        return 0;
    memcpy(copy, h, strlen(h) + 1);
    n = split(copy, ',', fld, 3);
    if (n != 3)
        return 0;
    for (k = 0; k < 3; k++) {
        for (c = 0; c < 3 && strcmp(fld[k], names[c]); c++)
            ;
        if (c == 3 || (seen & (1 << c)))
            return 0;
        seen |= 1 << c;
        col[k] = c;
    }
    return 1;
}

enum { COL_I, COL_J, COL_P, COL_V, COL_LB, COL_UB, COL_TYPE, NCOLS,
       COL_OTHER = NCOLS };

static const char *const col_names[NCOLS] = {"i", "j", "p", "v", "p_int_lb",
                                             "p_int_ub", "type"};

/* One row of the standard layout. */
struct ckm_row {
    int i;
    int v;
    double lb;
    double ub;
    long line;
};

static int
cmp_ckm_row(const void *a, const void *b)
{
    const struct ckm_row *x = a, *y = b;

    if (x->i != y->i)
        return x->i < y->i ? -1 : 1;
    if (x->lb != y->lb)
        return x->lb < y->lb ? -1 : 1;
    if (x->ub != y->ub)
        return x->ub < y->ub ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int
parse_unit(const char *s, double *out)
{
    char *end;
    double v;

    if (!*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < 0.0 || v > 1.0 + PTABLE_EPS)
        return -1;
    *out = v > 1.0 ? 1.0 : v;
    return 0;
}

/* Checks every i's intervals (rows sorted by i, then p_int_lb) and turns
 * them into key ranges: key c is drawn by the row with lb <= c/256 < ub,
 * i.e. c from ceil(256 lb) to ceil(256 ub) - 1. Each lower bound is taken
 * as the previous upper bound, so rounding in the file can neither give a
 * key two rows nor none. */
static int
convert_ckm(struct ptable *pt, struct ckm_row *r, size_t n, const char *path,
            struct diag *d)
{
    size_t k = 0, alloc = 0;
    int expect = 1;

    /* a header without rows leaves r NULL, which qsort may not take */
    if (n)
        qsort(r, n, sizeof(*r), cmp_ckm_row);
    while (k < n && r[k].i == 0)
        k++; /* empty cells are never perturbed: i = 0 is only checked */
    while (k < n) {
        size_t first = k, last;
        double prev = 0.0;

        if (r[k].i != expect) {
            diag_set(d, path, r[k].line, 0, "ptable",
                     "no rows for i = %d (every count from 1 to the largest "
                     "i needs its rows)", expect);
            return CE_CONFIG;
        }
        for (last = k; last < n && r[last].i == r[k].i; last++)
            ;
        for (; k < last; k++) {
            int lo, hi;

            if (fabs(r[k].lb - prev) > PTABLE_EPS) {
                diag_set(d, path, r[k].line, 0, "ptable",
                         "i = %d: p_int_lb %.10g %s the interval before it, "
                         "which ends at %.10g (the intervals of each i must "
                         "cover [0,1) without gaps or overlaps)",
                         r[k].i, r[k].lb,
                         r[k].lb > prev ? "leaves a gap after"
                                        : "overlaps",
                         prev);
                return CE_CONFIG;
            }
            lo = (int)ceil(prev * 256.0);
            hi = (int)ceil(r[k].ub * 256.0) - 1;
            prev = r[k].ub;
            if (lo <= hi &&
                push_row(pt, &alloc, r[k].i, lo, hi > 255 ? 255 : hi, r[k].v))
                return CE_NOMEM;
        }
        if (fabs(prev - 1.0) > PTABLE_EPS) {
            diag_set(d, path, r[last - 1].line, 0, "ptable",
                     "i = %d: the intervals end at %.10g, not 1 (they must "
                     "cover [0,1))", r[first].i, prev);
            return CE_CONFIG;
        }
        expect++;
    }
    if (!pt->n) {
        diag_set(d, path, 0, 0, "ptable", "the ptable has no rows for i >= 1");
        return CE_CONFIG;
    }
    return 0;
}

/* The standard layout (i,j,p,v,p_int_lb,p_int_ub,type), after its header,
 * whose columns are in col[0 .. ncols-1]. */
static int
load_ckm(struct ptable *pt, FILE *f, const char *path, char **line,
         size_t *la, long *lineno, char delim, const int *col, size_t ncols,
         struct diag *d)
{
    struct ckm_row *rows = NULL;
    size_t n = 0, alloc = 0;
    int rc = 0;

    while (getline(line, la, f) >= 0) {
        char *fld[PTABLE_MAX_FIELDS + 1];
        int have[NCOLS] = {0};
        int64_t iv = 0, vv = 0, jv = 0;
        double p = 0, lb = 0, ub = 0;
        size_t k;

        (*lineno)++;
        (*line)[strcspn(*line, "\r\n")] = '\0';
        if (!**line)
            continue;
        if (split(*line, delim, fld, PTABLE_MAX_FIELDS) != ncols) {
            diag_set(d, path, *lineno, 0, "ptable",
                     "expected %zu fields, as in the header", ncols);
            rc = CE_CONFIG;
            break;
        }
        for (k = 0; k < ncols && !rc; k++) {
            const char *s = fld[k];
            int bad = 0;

            switch (col[k]) {
            case COL_I:
                bad = parse_int64_str(s, 0, PTABLE_MAX_COUNT, &iv) < 0;
                break;
            case COL_J:
                bad = parse_int64_str(s, 0, 2 * PTABLE_MAX_COUNT, &jv) < 0;
                break;
            case COL_V:
                bad = parse_int64_str(s, -PTABLE_MAX_COUNT, PTABLE_MAX_COUNT,
                                      &vv) < 0;
                break;
            case COL_P:
                bad = parse_unit(s, &p) < 0;
                break;
            case COL_LB:
                bad = parse_unit(s, &lb) < 0;
                break;
            case COL_UB:
                bad = parse_unit(s, &ub) < 0;
                break;
            case COL_TYPE:
                bad = strcmp(s, "all") != 0;
                break;
            default:
                continue;
            }
            if (bad) {
                diag_set(d, path, *lineno, (long)k + 1, "ptable",
                         col[k] == COL_TYPE
                             ? "type must be all (a ptable for counts)"
                         : col[k] == COL_I || col[k] == COL_J
                             ? "%s must be a whole number from 0"
                         : col[k] == COL_V ? "%s must be a whole number"
                                           : "%s must be a number in [0,1]",
                         col_names[col[k]]);
                rc = CE_CONFIG;
            }
            have[col[k]] = 1;
        }
        if (rc)
            break;
        {
            const char *why = NULL;

            if (!have[COL_V])
                vv = jv - iv;
            else if (have[COL_J] && jv != iv + vv)
                why = "v must be j - i";
            if (!why && iv + vv < 0)
                why = "i + v must not be negative";
            else if (!why && ub < lb)
                why = "p_int_ub must not be below p_int_lb";
            else if (!why && have[COL_P] && fabs(p - (ub - lb)) > PTABLE_EPS)
                why = "p must be p_int_ub - p_int_lb";
            if (why) {
                diag_set(d, path, *lineno, 0, "ptable", "%s", why);
                rc = CE_CONFIG;
                break;
            }
        }
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 256;
            struct ckm_row *nr = realloc(rows, na * sizeof(*nr));

            if (!nr) {
                rc = CE_NOMEM;
                break;
            }
            rows = nr;
            alloc = na;
        }
        rows[n].i = (int)iv;
        rows[n].v = (int)vv;
        rows[n].lb = lb;
        rows[n].ub = ub;
        rows[n].line = *lineno;
        n++;
    }
    if (!rc)
        rc = convert_ckm(pt, rows, n, path, d);
    free(rows);
    return rc;
}

/* Maps the standard header's columns; 0 or CE_CONFIG. */
static int
ckm_header(char *line, char delim, int *col, size_t *ncols, const char *path,
           struct diag *d)
{
    char *fld[PTABLE_MAX_FIELDS + 1];
    int seen[NCOLS] = {0};
    size_t n = split(line, delim, fld, PTABLE_MAX_FIELDS), k;
    int c;

    if (n > PTABLE_MAX_FIELDS)
        n = 0;
    for (k = 0; k < n; k++) {
        col[k] = COL_OTHER;
        for (c = 0; c < NCOLS; c++)
            if (!strcmp(fld[k], col_names[c]))
                col[k] = c;
        if (col[k] != COL_OTHER && seen[col[k]]++) {
            diag_set(d, path, 1, (long)k + 1, "ptable",
                     "the header names %s twice", col_names[col[k]]);
            return CE_CONFIG;
        }
    }
    if (!seen[COL_I] || !seen[COL_LB] || !seen[COL_UB] ||
        !(seen[COL_V] || seen[COL_J])) {
        diag_set(d, path, 1, 0, "ptable",
                 "expected the header i,j,p,v,p_int_lb,p_int_ub,type (the "
                 "ptable package's layout; i, p_int_lb, p_int_ub and v or j "
                 "are required), pcv,ckey,pvalue (ONS's) or "
                 "pcv,ckey_lo,ckey_hi,noise");
        return CE_CONFIG;
    }
    *ncols = n;
    return 0;
}

int
ptable_load(struct ptable *pt, const char *path, struct diag *d)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, *h;
    size_t la = 0, i;
    long lineno = 0;
    int rc = 0;
    unsigned char *covered = NULL;

    memset(pt, 0, sizeof(*pt));
    if (!f) {
        int e = errno;

        diag_set(d, path, 0, 0, "ptable", "cannot read the ptable: %s",
                 strerror(e));
        return e == ENOMEM ? CE_NOMEM : CE_CONFIG;
    }
    if (getline(&line, &la, f) < 0) {
        diag_set(d, path, 1, 0, "ptable", "the ptable is empty");
        rc = CE_CONFIG;
    } else {
        lineno = 1;
        line[strcspn(line, "\r\n")] = '\0';
        h = line;
        if (!strncmp(h, "\xEF\xBB\xBF", 3))
            h += 3; /* a spreadsheet's byte-order mark */
        int ons[3];

        if (!strcmp(h, "pcv,ckey_lo,ckey_hi,noise")) {
            rc = load_legacy(pt, f, path, &line, &la, &lineno, d);
        } else if (ons_header(h, ons)) {
            rc = load_ons(pt, f, path, &line, &la, &lineno, ons, d);
            /* ONS's code cycles through the last third (501-750 of 750) */
            if (!rc)
                pt->block = pt->max_pcv / 3;
        } else {
            int col[PTABLE_MAX_FIELDS + 1];
            size_t ncols = 0;
            char delim = strchr(h, ';') ? ';' : ',';

            rc = ckm_header(h, delim, col, &ncols, path, d);
            if (!rc)
                rc = load_ckm(pt, f, path, &line, &la, &lineno, delim, col,
                              ncols, d);
        }
    }
    /* getline's -1 is the end or an error (out of memory sets no error
     * flag): a ptable cut short must not pass for the whole one */
    if (!rc && !feof(f)) {
        rc = errno == ENOMEM ? CE_NOMEM : CE_IO;
        if (rc == CE_IO)
            diag_set(d, path, lineno + 1, 0, "ptable", "read error");
    }
    free(line);
    fclose(f);
    if (!rc && !pt->n) {
        diag_set(d, path, 1, 0, "ptable", "the ptable has no rows");
        rc = CE_CONFIG;
    }
    /* every pcv from 1 to max must cover each cell key exactly once */
    if (!rc) {
        covered = calloc((size_t)pt->max_pcv * 256, 1);
        if (!covered)
            rc = CE_NOMEM;
        for (i = 0; !rc && i < pt->n; i++) {
            int c;

            for (c = pt->rows[i].ckey_lo; c <= pt->rows[i].ckey_hi; c++)
                covered[(size_t)(pt->rows[i].pcv - 1) * 256 + (size_t)c]++;
        }
        for (i = 0; !rc && i < (size_t)pt->max_pcv * 256; i++)
            if (covered[i] != 1) {
                diag_set(d, path, 0, 0, "ptable",
                         "pcv %zu: cell key %zu is covered %d times (must be "
                         "once)", i / 256 + 1, i % 256, covered[i]);
                rc = CE_CONFIG;
            }
        free(covered);
    }
    /* one lookup per cell, not a search through every row */
    if (!rc) {
        pt->noise_of = malloc((size_t)pt->max_pcv * 256 * sizeof(int));
        if (!pt->noise_of)
            rc = CE_NOMEM;
        for (i = 0; !rc && i < pt->n; i++) {
            int c;

            for (c = pt->rows[i].ckey_lo; c <= pt->rows[i].ckey_hi; c++)
                pt->noise_of[(size_t)(pt->rows[i].pcv - 1) * 256 +
                             (size_t)c] = pt->rows[i].noise;
        }
    }
    if (!rc && pt->block < 1)
        pt->block = 1;
    if (rc == CE_NOMEM)
        diag_set(d, path, lineno, 0, NULL, "out of memory");
    if (rc)
        ptable_release(pt);
    return rc;
}

int
ptable_noise(const struct ptable *pt, int64_t count, uint32_t ckey)
{
    size_t i;
    int pcv;

    if (count <= 0 || pt->max_pcv < 1)
        return 0;
    if (count > pt->max_pcv) {
        int block = pt->block > 1 && pt->block <= pt->max_pcv ? pt->block : 1;
        int64_t first = pt->max_pcv - block + 1;

        pcv = (int)(first + (count - first) % block);
    } else {
        pcv = (int)count;
    }
    ckey &= 0xFF;
    if (pt->noise_of)
        return pt->noise_of[(size_t)(pcv - 1) * 256 + ckey];
    for (i = 0; i < pt->n; i++)
        if (pt->rows[i].pcv == pcv && (int)ckey >= pt->rows[i].ckey_lo &&
            (int)ckey <= pt->rows[i].ckey_hi)
            return pt->rows[i].noise;
    return 0;
}

void
ptable_release(struct ptable *pt)
{
    free(pt->rows);
    free(pt->noise_of);
    memset(pt, 0, sizeof(*pt));
}
