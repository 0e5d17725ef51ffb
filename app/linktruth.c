/*
 * linktruth.c - a linkage truth file matched to a job's records
 * (linktruth.h). The file holds identifiers when `cohort synth` wrote it:
 * nothing read from it but group labels fit to print ever leaves this
 * file, and no message quotes a cell.
 */
#include "linktruth.h"
#include "../core/calendar.h"
#include "../core/strnum.h"
#include "../transform/map.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TRUTH_MAX_LINE 65536
#define TRUTH_MAX_COLUMNS 256
#define TRUTH_MAX_PERSON 255
#define TRUTH_MAX_LABEL 40

/* The columns the header may name, and their alternative names. */
static const struct {
    const char *name, *alias;
} group_columns[TG_COUNT] = {
    [TG_ETHNICITY] = {"ethnicity", "ethnic_group"},
    [TG_SEX] = {"sex", NULL},
    [TG_AGE_BAND] = {"age_band", NULL},
    [TG_CONVENTION] = {"convention", "naming_convention"},
};

const char *
truth_group_name(enum truth_group g)
{
    return g < TG_COUNT ? group_columns[g].name : "?";
}

/* One data row of the file, the person as an offset into the arena. */
struct truth_row {
    uint32_t source;
    uint32_t file;
    long line;
    long at;               /* its own line in the truth file */
    size_t person_off;
    uint32_t person_len;
    uint32_t person;       /* numbered once every row is read */
    uint8_t group[TG_COUNT];
    uint8_t hit;
};

struct field {
    char *p;
    size_t len;
};

struct reader {
    const char *path;
    const struct job_plan *plan;
    int pivot_year;
    int col_source, col_line, col_person, col_file;
    int col_group[TG_COUNT];
    size_t ncolumns;
    uint32_t *nfiles;      /* per source: files in the trace */
    struct truth_row *rows;
    size_t nrows, alloc;
    char *persons;         /* the rows' person texts, end to end; wiped */
    size_t persons_len, persons_alloc;
};

/* Appends a person's text to the arena. 0 or CE_NOMEM. */
static int
add_person(struct reader *rd, const char *p, size_t n)
{
    if (rd->persons_len + n > rd->persons_alloc) {
        size_t na = rd->persons_alloc ? rd->persons_alloc : 65536;
        char *q;

        while (na < rd->persons_len + n)
            na *= 2;
        /* a moved arena leaves no copy of the texts behind */
        if (!(q = malloc(na)))
            return CE_NOMEM;
        if (rd->persons_len)
            memcpy(q, rd->persons, rd->persons_len);
        if (rd->persons)
            sodium_memzero(rd->persons, rd->persons_alloc);
        free(rd->persons);
        rd->persons = q;
        rd->persons_alloc = na;
    }
    memcpy(rd->persons + rd->persons_len, p, n);
    rd->persons_len += n;
    return 0;
}

static void
forget_persons(struct reader *rd)
{
    if (rd->persons)
        sodium_memzero(rd->persons, rd->persons_alloc);
    free(rd->persons);
    rd->persons = NULL;
    rd->persons_len = rd->persons_alloc = 0;
}

/*
 * Splits one line (no newline) into fields in place, unquoting "..."
 * fields ("" inside is one quote). Returns the number of fields, or -1
 * for a bad quote (*col its 1-based column), -2 over TRUTH_MAX_COLUMNS.
 */
static long
split_csv(char *s, struct field *f, long *col)
{
    long n = 0;

    for (;;) {
        char *w;

        if (n == TRUTH_MAX_COLUMNS)
            return -2;
        *col = n + 1;
        if (*s == '"') {
            char *r = s + 1;

            w = s;
            f[n].p = w;
            for (;;) {
                if (!*r)
                    return -1;   /* unterminated: a newline inside a field */
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            if (*r != ',' && *r)
                return -1;
            f[n].len = (size_t)(w - f[n].p);
            n++;
            if (!*r)
                return n;
            s = r + 1;
        } else {
            char *e = strchr(s, ',');

            f[n].p = s;
            f[n].len = e ? (size_t)(e - s) : strlen(s);
            if (memchr(s, '"', f[n].len))
                return -1;
            n++;
            if (!e)
                return n;
            s = e + 1;
        }
    }
}

/* 1 when the cell, trimmed of spaces, equals name (any case). */
static int
header_is(const struct field *f, const char *name)
{
    const char *p = f->p;
    size_t n = f->len, k = name ? strlen(name) : 0;

    if (!name)
        return 0;
    /* a byte-order mark before the first name */
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
        p += 3;
        n -= 3;
    }
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == k && !strncasecmp(p, name, k);
}

static int
read_header(struct reader *rd, struct field *f, long nf, struct diag *d)
{
    long i;
    int g;

    rd->col_file = -1;
    for (g = 0; g < TG_COUNT; g++)
        rd->col_group[g] = -1;
    if (nf < 3 || !(header_is(&f[0], "source") || header_is(&f[0], "file")) ||
        !header_is(&f[1], "line") ||
        !(header_is(&f[2], "person") || header_is(&f[2], "person_id"))) {
        diag_set(d, rd->path, 1, 0, "truth_header",
                 "the header must begin source,line,person");
        return CE_DATA;
    }
    rd->col_source = 0;
    rd->col_line = 1;
    rd->col_person = 2;
    for (i = 3; i < nf; i++) {
        int *slot = NULL;

        if (header_is(&f[i], "file_number"))
            slot = &rd->col_file;
        for (g = 0; !slot && g < TG_COUNT; g++)
            if (header_is(&f[i], group_columns[g].name) ||
                header_is(&f[i], group_columns[g].alias))
                slot = &rd->col_group[g];
        if (!slot)
            continue;
        if (*slot >= 0) {
            diag_set(d, rd->path, 1, i + 1, "truth_header",
                     "column %ld names the same thing as column %d", i + 1,
                     *slot + 1);
            return CE_DATA;
        }
        *slot = (int)i;
    }
    rd->ncolumns = (size_t)nf;
    return 0;
}

/* 1 when a path names one file, no wildcard: its base name can match. */
static int
literal_path(const char *path)
{
    return path && !strpbrk(path, "*?[");
}

/* The source a row names, or -1: a [source] name first, then (the first
 * synth header) the base name of a source's literal path. *by_name says
 * which. */
static long
find_source(const struct reader *rd, const struct field *f, int *by_name)
{
    size_t k;

    for (k = 0; k < rd->plan->nsources; k++) {
        const char *name = rd->plan->sources[k].name;

        if (strlen(name) == f->len && !memcmp(name, f->p, f->len)) {
            *by_name = 1;
            return (long)k;
        }
    }
    for (k = 0; k < rd->plan->nsources; k++) {
        const char *path = rd->plan->sources[k].path, *base;

        if (!literal_path(path))
            continue;
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (strlen(base) == f->len && !memcmp(base, f->p, f->len)) {
            *by_name = 0;
            return (long)k;
        }
    }
    return -1;
}

/* 1 when a group value may be printed as it is (linktruth.h). */
static int
label_fit(const struct reader *rd, const char *p, size_t n)
{
    size_t i, alnum = 0;

    if (n == 0 || n > TRUTH_MAX_LABEL)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9'))
            alnum++;
        else if (!strchr(" ._+/:()&'-", c) || !c)
            return 0;
    }
    return alnum > 0 &&
           !map_value_has_identifier_shape(p, n, NULL, rd->pivot_year);
}

/* The label index of a group value, adding it when new. */
static int
intern_label(struct link_truth *t, const struct reader *rd, enum truth_group g,
             const struct field *f, long at, uint8_t *out, struct diag *d)
{
    const char *p = f->p;
    size_t n = f->len, i;

    while (n && *p == ' ') {
        p++;
        n--;
    }
    while (n && p[n - 1] == ' ')
        n--;
    if (n == 0) {
        p = "(empty)";
        n = strlen(p);
    } else if (!label_fit(rd, p, n)) {
        p = "(not shown)";
        n = strlen(p);
    }
    for (i = 0; i < t->nlabels[g]; i++)
        if (strlen(t->labels[g][i]) == n && !memcmp(t->labels[g][i], p, n)) {
            *out = (uint8_t)i;
            return 0;
        }
    if (t->nlabels[g] == TRUTH_MAX_LABELS) {
        diag_set(d, rd->path, at, rd->col_group[g] + 1, "too_many_groups",
                 "column %s has more than %d values: not a group",
                 group_columns[g].name, TRUTH_MAX_LABELS);
        return CE_DATA;
    }
    if (!(t->labels[g][i] = malloc(n + 1))) {
        diag_set(d, rd->path, at, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    memcpy(t->labels[g][i], p, n);
    t->labels[g][i][n] = '\0';
    t->nlabels[g]++;
    *out = (uint8_t)i;
    return 0;
}

static int
read_row(struct link_truth *t, struct reader *rd, struct field *f, long nf,
         long at, struct diag *d)
{
    struct truth_row *r;
    int64_t v;
    long src;
    int by_name = 0, g, rc;

    if ((size_t)nf != rd->ncolumns) {
        diag_set(d, rd->path, at, 0, "ragged_row",
                 "%ld cells where the header has %zu", nf, rd->ncolumns);
        return CE_DATA;
    }
    t->rows++;
    if (parse_int64(f[rd->col_line].p, f[rd->col_line].len, 1, LONG_MAX,
                    &v) < 0) {
        diag_set(d, rd->path, at, rd->col_line + 1, "bad_line_number",
                 "the line must be a whole number of 1 or more");
        return CE_DATA;
    }
    if (f[rd->col_person].len == 0 ||
        f[rd->col_person].len > TRUTH_MAX_PERSON) {
        diag_set(d, rd->path, at, rd->col_person + 1, "bad_person",
                 "the person must be 1 to %d bytes", TRUTH_MAX_PERSON);
        return CE_DATA;
    }
    if (rd->nrows == rd->alloc) {
        size_t na = rd->alloc ? rd->alloc * 2 : 4096;
        struct truth_row *p = realloc(rd->rows, na * sizeof(*p));

        if (!p) {
            diag_set(d, rd->path, at, 0, NULL, "out of memory");
            return CE_NOMEM;
        }
        rd->rows = p;
        rd->alloc = na;
    }
    r = &rd->rows[rd->nrows];
    memset(r, 0, sizeof(*r));
    r->line = (long)v;
    r->at = at;
    r->file = 0;
    src = find_source(rd, &f[rd->col_source], &by_name);
    if (src >= 0 && by_name) {
        const struct field *fn = rd->col_file >= 0 ? &f[rd->col_file] : NULL;

        if (fn && fn->len) {
            if (parse_int64(fn->p, fn->len, 1, UINT32_MAX, &v) < 0) {
                diag_set(d, rd->path, at, rd->col_file + 1, "bad_file_number",
                         "file_number must be the file's place, 1 or more");
                return CE_DATA;
            }
            r->file = (uint32_t)(v - 1);
        } else if (rd->nfiles[src] > 1) {
            /* several files: the line alone does not name a row */
            diag_set(d, rd->path, at, rd->col_file + 1, "bad_file_number",
                     "source %s read several files: file_number must give "
                     "the file's place",
                     rd->plan->sources[src].name);
            return CE_DATA;
        }
    }
    for (g = 0; g < TG_COUNT; g++)
        if (rd->col_group[g] >= 0 &&
            (rc = intern_label(t, rd, (enum truth_group)g,
                               &f[rd->col_group[g]], at, &r->group[g], d)) < 0)
            return rc;
    if (src < 0) {
        /* a source this job does not read: nothing to match */
        t->rows_unmatched++;
        return 0;
    }
    r->source = (uint32_t)src;
    r->person_off = rd->persons_len;
    r->person_len = (uint32_t)f[rd->col_person].len;
    if (add_person(rd, f[rd->col_person].p, f[rd->col_person].len) < 0) {
        diag_set(d, rd->path, at, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    rd->nrows++;
    return 0;
}

static int
cmp_position(const void *x, const void *y)
{
    const struct truth_row *a = x, *b = y;

    if (a->source != b->source)
        return a->source < b->source ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

struct person_ref {
    const char *p;
    uint32_t len;
    size_t row;
};

static int
cmp_person(const void *x, const void *y)
{
    const struct person_ref *a = x, *b = y;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->p, b->p, n);

    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Numbers the persons of the rows: equal texts, equal numbers. */
static int
number_persons(struct reader *rd)
{
    struct person_ref *ref = malloc((rd->nrows + 1) * sizeof(*ref));
    const char *base = rd->persons;
    uint32_t next = 0;
    size_t i;

    if (!ref)
        return CE_NOMEM;
    for (i = 0; i < rd->nrows; i++) {
        ref[i].p = base + rd->rows[i].person_off;
        ref[i].len = rd->rows[i].person_len;
        ref[i].row = i;
    }
    qsort(ref, rd->nrows, sizeof(*ref), cmp_person);
    for (i = 0; i < rd->nrows; i++) {
        if (i && cmp_person(&ref[i - 1], &ref[i]))
            next++;
        rd->rows[ref[i].row].person = next;
    }
    free(ref);
    return 0;
}

/* Labels in alphabetical order, and the rows' indices with them. */
static void
sort_labels(struct link_truth *t, struct reader *rd, enum truth_group g)
{
    uint8_t map[TRUTH_MAX_LABELS];
    size_t i, j, n = t->nlabels[g];

    /* insertion sort on at most 64 labels, remembering where each went */
    uint8_t order[TRUTH_MAX_LABELS];

    for (i = 0; i < n; i++)
        order[i] = (uint8_t)i;
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(t->labels[g][order[j - 1]],
                                    t->labels[g][order[j]]) > 0;
             j--) {
            uint8_t tmp = order[j];

            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    {
        char *sorted[TRUTH_MAX_LABELS];

        for (i = 0; i < n; i++) {
            sorted[i] = t->labels[g][order[i]];
            map[order[i]] = (uint8_t)i;
        }
        memcpy(t->labels[g], sorted, n * sizeof(*sorted));
    }
    for (i = 0; i < rd->nrows; i++)
        rd->rows[i].group[g] = map[rd->rows[i].group[g]];
}

/* Reads every line of the truth file: the header, then one row a line.
 * 0, or a negative error with d naming the file, line and rule. */
static int
read_truth_lines(struct link_truth *t, struct reader *rd, FILE *in,
                 char *line, struct field *f, const char *path,
                 struct diag *d)
{
    long at = 0, nf, col;
    int rc = 0, g;

    while (fgets(line, TRUTH_MAX_LINE + 2, in)) {
        size_t len = strlen(line);

        at++;
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(in)) {
            rc = CE_DATA;
            diag_set(d, path, at, 0, "line_too_long",
                     "a line over %d bytes (or a NUL byte)", TRUTH_MAX_LINE);
            return rc;
        }
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (at > 1 && len == 0)
            continue;   /* a blank line, such as a last one */
        nf = split_csv(line, f, &col);
        if (nf == -1) {
            rc = CE_DATA;
            diag_set(d, path, at, col, "bad_quote",
                     "a quote that does not close the cell (a cell may not "
                     "span lines)");
            return rc;
        }
        if (nf == -2) {
            rc = CE_DATA;
            diag_set(d, path, at, 0, "ragged_row", "more than %d cells",
                     TRUTH_MAX_COLUMNS);
            return rc;
        }
        rc = at == 1 ? read_header(rd, f, nf, d)
                     : read_row(t, rd, f, nf, at, d);
        if (rc < 0)
            return rc;
        if (at == 1) {
            t->legacy_header = header_is(&f[0], "file");
            for (g = 0; g < TG_COUNT; g++)
                t->has_group[g] = rd->col_group[g] >= 0;
        }
    }
    if (ferror(in)) {
        int e = errno;

        rc = CE_IO;
        diag_set(d, path, 0, 0, NULL, "cannot read: %s", strerror(e));
        return rc;
    }
    if (at == 0) {
        rc = CE_DATA;
        diag_set(d, path, 1, 0, "truth_header",
                 "an empty file: the header must begin source,line,person");
        return rc;
    }
    return 0;
}

/* Numbers the persons (forgetting their texts), orders the group labels
 * and the rows, and refuses two rows for one record. */
static int
finish_truth_rows(struct link_truth *t, struct reader *rd, const char *path,
                  struct diag *d)
{
    size_t i;
    int rc, g;

    /* the texts are forgotten once numbered */
    if ((rc = number_persons(rd)) < 0) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        return rc;
    }
    forget_persons(rd);
    for (g = 0; g < TG_COUNT; g++)
        if (t->has_group[g])
            sort_labels(t, rd, (enum truth_group)g);
    if (rd->nrows)
        qsort(rd->rows, rd->nrows, sizeof(*rd->rows), cmp_position);
    for (i = 1; i < rd->nrows; i++)
        if (rd->rows[i - 1].source == rd->rows[i].source &&
            rd->rows[i - 1].file == rd->rows[i].file &&
            rd->rows[i - 1].line == rd->rows[i].line) {
            rc = CE_DATA;
            diag_set(d, path, rd->rows[i].at, 0, "duplicate_row",
                     "a second row for the record of line %ld",
                     rd->rows[i - 1].at);
            return rc;
        }
    return 0;
}

/* The truth row of a record (source, file, line), or NULL. */
static struct truth_row *
find_row(const struct reader *rd, const struct truth_row *key)
{
    size_t lo = 0, hi = rd->nrows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct truth_row *r = &rd->rows[mid];
        int c = r->source != key->source ? (r->source < key->source ? -1 : 1)
                : r->file != key->file   ? (r->file < key->file ? -1 : 1)
                : r->line != key->line   ? (r->line < key->line ? -1 : 1)
                                         : 0;

        if (c == 0)
            return r;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Gives each traced record its true person and groups; a truth that
 * names no accepted record is an error (never a silent 1.0). */
static int
match_trace(struct link_truth *t, struct reader *rd,
            const struct link_trace *trace, size_t n, const char *path,
            struct diag *d)
{
    size_t i;
    int rc, g;

    for (g = 0; g < TG_COUNT; g++)
        if (t->has_group[g] && !(t->group[g] = calloc(n + 1, 1))) {
            rc = CE_NOMEM;
            diag_set(d, path, 0, 0, NULL, "out of memory");
            return rc;
        }
    for (i = 0; i < n; i++) {
        struct truth_row key, *hit;

        memset(&key, 0, sizeof(key));
        key.source = trace[i].source;
        key.file = trace[i].file;
        key.line = trace[i].line;
        t->person[i] = TRUTH_NONE;
        /* cmp_position orders by the truth line last: search without it */
        hit = find_row(rd, &key);
        if (!hit)
            continue;
        hit->hit = 1;
        t->person[i] = hit->person;
        for (g = 0; g < TG_COUNT; g++)
            if (t->has_group[g])
                t->group[g][i] = hit->group[g];
        t->matched++;
    }
    for (i = 0; i < rd->nrows; i++)
        t->rows_unmatched += !rd->rows[i].hit;
    if (t->matched == 0) {
        rc = CE_DATA;
        diag_set(d, path, 0, 0, "matches_nothing",
                 "no row names a record the job accepted: rows must name a "
                 "[source] of the job and the physical line of a row in its "
                 "file (the header is line 1)");
        return rc;
    }
    return 0;
}

int
link_truth_load(struct link_truth *t, const char *path,
                const struct job_plan *plan, const struct link_trace *trace,
                size_t n, struct diag *d)
{
    struct reader rd;
    struct field *f = NULL;
    char *line = NULL;
    FILE *in = NULL;
    size_t i;
    int rc = 0, y, m, dd;

    memset(t, 0, sizeof(*t));
    memset(&rd, 0, sizeof(rd));
    rd.path = path;
    rd.plan = plan;
    civil_from_days(plan->reference_date, &y, &m, &dd);
    rd.pivot_year = y;
    t->nrecords = n;
    line = malloc(TRUTH_MAX_LINE + 2);
    f = malloc(TRUTH_MAX_COLUMNS * sizeof(*f));
    rd.nfiles = calloc(plan->nsources + 1, sizeof(*rd.nfiles));
    t->person = malloc((n + 1) * sizeof(*t->person));
    if (!line || !f || !rd.nfiles || !t->person) {
        rc = CE_NOMEM;
        diag_set(d, path, 0, 0, NULL, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        if (trace[i].source < plan->nsources &&
            trace[i].file + 1 > rd.nfiles[trace[i].source])
            rd.nfiles[trace[i].source] = trace[i].file + 1;
    if (!(in = fopen(path, "r"))) {
        int e = errno;

        rc = CE_IO;
        diag_set(d, path, 0, 0, NULL, "cannot open: %s", strerror(e));
        goto out;
    }
    if ((rc = read_truth_lines(t, &rd, in, line, f, path, d)) < 0 ||
        (rc = finish_truth_rows(t, &rd, path, d)) < 0 ||
        (rc = match_trace(t, &rd, trace, n, path, d)) < 0)
        goto out;
out:
    if (in)
        fclose(in);
    forget_persons(&rd);
    free(rd.rows);
    free(rd.nfiles);
    free(f);
    /* the last line read may hold a row's identifiers */
    if (line)
        sodium_memzero(line, TRUTH_MAX_LINE + 2);
    free(line);
    if (rc < 0)
        link_truth_release(t);
    return rc;
}

void
link_truth_release(struct link_truth *t)
{
    size_t i;
    int g;

    free(t->person);
    for (g = 0; g < TG_COUNT; g++) {
        free(t->group[g]);
        for (i = 0; i < t->nlabels[g]; i++)
            free(t->labels[g][i]);
    }
    memset(t, 0, sizeof(*t));
}
