#include "returns.h"

#include "../core/calendar.h"

#include <stdlib.h>
#include <string.h>

int
returns_table_init(struct returns_table *t, size_t nsources)
{
    memset(t, 0, sizeof(*t));
    t->tally = calloc(nsources ? nsources : 1, sizeof(*t->tally));
    if (!t->tally)
        return CE_NOMEM;
    t->nsources = nsources;
    return 0;
}

void
returns_table_release(struct returns_table *t)
{
    free(t->tally);
    memset(t, 0, sizeof(*t));
}

/* The collection year holding day: from the day after one year_end to
 * the next year_end on or after day. */
static void
collection_year(int32_t day, int year_end, struct return_file *f)
{
    int y, m, d, em = year_end / 100, ed = year_end % 100;

    civil_from_days(day, &y, &m, &d);
    if (m > em || (m == em && d > ed))
        y++;
    f->last = days_from_civil(y, em, ed);
    f->first = days_from_civil(y - 1, em, ed) + 1;
}

int
returns_add_source(struct returns_table *t, uint32_t si,
                   const char *source_name, int year_end,
                   const int32_t *latest, size_t nfiles, uint32_t *base,
                   struct diag *d)
{
    size_t f;

    if (nfiles > RETURNS_MAX - t->n) {
        diag_set(d, source_name, 0, 0, "return_year_end",
                 "more than %d files of yearly returns in the job; read "
                 "fewer years together", RETURNS_MAX);
        return CE_DATA;
    }
    *base = (uint32_t)t->n;
    for (f = 0; f < nfiles; f++) {
        struct return_file *r = &t->file[t->n + 1 + f];

        r->source = si;
        r->position = (uint32_t)f + 1;
        if (latest[f] == DAY_NONE) {
            r->first = r->last = DAY_NONE; /* no kept row: no return */
            continue;
        }
        collection_year(latest[f], year_end, r);
        if (si < t->nsources)
            t->tally[si].files++;
    }
    t->n += nfiles;
    return 0;
}

/* 1 when return b is later than return a (of one source). */
static int
later(const struct returns_table *t, unsigned a, unsigned b)
{
    const struct return_file *x = &t->file[a], *y = &t->file[b];

    return y->last > x->last || (y->last == x->last && y->position > x->position);
}

/* Spells i and j (both of returns) come from one source's returns. */
static int
same_source(const struct returns_table *t, const struct spell *a,
            const struct spell *b)
{
    return a->ret && b->ret && t->file[a->ret].source == t->file[b->ret].source;
}

/* Duplicates and replaced episodes: of two spells of one source that start
 * on one day, the later return's stands (its order when one return lists
 * both: the one after it). */
static void
drop_repeats(struct returns_table *t, struct spell *s, size_t n, uint8_t *keep)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n && s[j].start == s[i].start; j++) {
            size_t old;
            int dup;

            if (!keep[i] || !keep[j] || !same_source(t, &s[i], &s[j]))
                continue;
            dup = s[i].end == s[j].end && s[i].service == s[j].service &&
                  s[i].department == s[j].department;
            if (!dup && s[i].ret == s[j].ret)
                continue; /* two episodes of one return: its own matter */
            old = later(t, s[j].ret, s[i].ret) ? j : i;
            keep[old] = 0;
            if (dup)
                t->tally[t->file[s[old].ret].source].duplicate++;
            else
                t->tally[t->file[s[old].ret].source].replaced++;
        }
}

/* An earlier return's spell reaching into a later return's year. */
static void
cut_to_later_years(struct returns_table *t, struct spell *s, size_t n,
                   uint8_t *keep)
{
    size_t i;
    unsigned b;

    for (i = 0; i < n; i++) {
        const struct return_file *a;
        int touched = 0;

        if (!keep[i] || !s[i].ret)
            continue;
        a = &t->file[s[i].ret];
        for (b = 1; b <= t->n && keep[i]; b++) {
            const struct return_file *r = &t->file[b];

            if (b == s[i].ret || r->source != a->source ||
                r->first == DAY_NONE || !later(t, s[i].ret, b))
                continue;
            if (s[i].start >= r->first && s[i].start <= r->last) {
                keep[i] = 0;
                touched = 1;
            } else if (s[i].start < r->first &&
                       (s[i].end == DAY_OPEN || s[i].end >= r->first)) {
                s[i].end = r->first - 1;
                touched = 1;
            }
        }
        if (touched)
            t->tally[a->source].superseded++;
    }
}

/* A spell left open, or running past a later return's next spell, ends
 * when the next spell of its source starts. */
static void
close_by_next(struct returns_table *t, struct spell *s, size_t n,
              const uint8_t *keep)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        if (!keep[i] || !s[i].ret)
            continue;
        for (j = i + 1; j < n; j++)
            if (keep[j] && same_source(t, &s[i], &s[j]) &&
                s[j].start > s[i].start)
                break;
        if (j == n)
            continue;
        if (s[i].end == DAY_OPEN ||
            (s[i].end > s[j].start && later(t, s[i].ret, s[j].ret))) {
            s[i].end = s[j].start;
            t->tally[t->file[s[i].ret].source].closed++;
        }
    }
}

int
returns_reconcile(struct returns_table *t, struct person_set *ps)
{
    uint8_t keep_small[64], *keep;
    size_t p, i, out = 0;

    for (p = 0; p < ps->npersons; p++) {
        size_t first = ps->spell_first[p];
        size_t n = ps->spell_first[p + 1] - first, any = 0;
        struct spell *s = &ps->spells[first];

        for (i = 0; i < n; i++)
            any |= s[i].ret != 0;
        ps->spell_first[p] = (uint32_t)out;
        if (!any) {
            memmove(&ps->spells[out], s, n * sizeof(*s));
            out += n;
            continue;
        }
        keep = n <= sizeof(keep_small) ? keep_small : malloc(n);
        if (!keep)
            return CE_NOMEM;
        memset(keep, 1, n);
        drop_repeats(t, s, n, keep);
        cut_to_later_years(t, s, n, keep);
        close_by_next(t, s, n, keep);
        for (i = 0; i < n; i++)
            if (keep[i])
                ps->spells[out++] = s[i];
        if (keep != keep_small)
            free(keep);
    }
    ps->spell_first[ps->npersons] = (uint32_t)out;
    ps->nspells = out;
    return 0;
}
