#include "run_tables.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* A growing array of quality rows. */
struct quality_list {
    struct quality_row *r;
    size_t n, alloc;
    int failed;
};

static void add_row(struct quality_list *l, const char *source, uint64_t value,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_row(struct quality_list *l, const char *source, uint64_t value,
        const char *fmt, ...)
{
    va_list ap;
    struct quality_row *q;

    if (l->failed)
        return;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;

        if (!(q = realloc(l->r, na * sizeof(*q)))) {
            l->failed = 1;
            return;
        }
        l->r = q;
        l->alloc = na;
    }
    q = &l->r[l->n++];
    snprintf(q->source, sizeof(q->source), "%s", source);
    va_start(ap, fmt);
    vsnprintf(q->measure, sizeof(q->measure), fmt, ap);
    va_end(ap);
    q->value = value;
}

/* The names of source_summary.returns[] in quality.csv. */
static const char *const returns_rules[5] = {
    "files", "duplicate", "replaced", "superseded", "closed"};

/* Per source: rows in, accepted, quarantined (by reason), fields dropped
 * (by reason) and unmapped codes. */
static void
add_sources(const struct run_summary *s, struct quality_list *l)
{
    size_t i, j;

    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];
        const char *name = ss->plan ? ss->plan->name : s->plan->sources[i].name;

        add_row(l, name, ss->rows_in, "rows_in");
        add_row(l, name, ss->rows_accepted, "rows_accepted");
        add_row(l, name, ss->rows_quarantined, "rows_quarantined");
        for (j = 0; j < ss->nquarantined; j++)
            add_row(l, name, ss->quarantined[j].n, "quarantined:%s",
                    ss->quarantined[j].reason);
        for (j = 0; j < ss->nnotes; j++)
            add_row(l, name, ss->notes[j].n, "dropped:%s", ss->notes[j].reason);
        /* stacked yearly returns: what reconciling them did (records) */
        if (ss->returns[0])
            for (j = 0; j < 5; j++)
                add_row(l, name, ss->returns[j], "returns:%s",
                        returns_rules[j]);
        /* codes are code-like: no comma or quote (transform/map.c) */
        for (j = 0; j < ss->nunmapped; j++)
            add_row(l, name, ss->unmapped[j].n, "unmapped:%s",
                    ss->unmapped[j].label);
    }
}

int
quality_rows(const struct run_summary *s, struct quality_row **rows, size_t *n)
{
    /* a summary without a plan (a test's) has the default departments */
    static const struct job_plan no_plan;
    const struct job_plan *pl = s->plan ? s->plan : &no_plan;
    struct quality_list l = {NULL, 0, 0, 0};
    char scope[80];
    size_t i;

    add_sources(s, &l);
    for (i = 0; i < job_plan_ndepartments(pl); i++) {
        const char *dep = job_plan_department_name(pl, (int)i);

        add_row(&l, dep, s->departments[i].records, "records");
        add_row(&l, dep, s->departments[i].persons, "persons");
    }
    for (i = 0; i < s->nscopes; i++) {
        const struct scope_summary *sc = &s->scopes[i];

        snprintf(scope, sizeof(scope), "id_scope:%s", sc->name);
        add_row(&l, scope, sc->ids, "ids");
        add_row(&l, scope, sc->header_rows, "header_rows");
        add_row(&l, scope, sc->events_joined, "events_joined");
        add_row(&l, scope, sc->events_orphaned, "orphan_local_id");
        add_row(&l, scope, sc->nhs_conflicts, "nhs_number_conflicts");
        add_row(&l, scope, sc->dob_conflicts, "dob_conflicts");
    }
    /* person assembly inside the id scopes, before the probabilistic
     * stage compared their records (anonymise/scope_assembly.h) */
    if (s->prob.ran && s->nscopes) {
        add_row(&l, "person_assembly", s->prob.assembled_ids, "ids");
        add_row(&l, "person_assembly", s->prob.assembled_records, "records");
        add_row(&l, "person_assembly", s->prob.assembled_completed,
                "records_completed");
        add_row(&l, "person_assembly", s->prob.assembled_conflicts,
                "anchor_conflicts");
    }
    add_row(&l, "all", s->persons, "persons");
    add_row(&l, "all", s->unknown_postcodes, "postcodes_not_in_lookup");
    if (l.failed) {
        free(l.r);
        *rows = NULL;
        *n = 0;
        return CE_NOMEM;
    }
    *rows = l.r;
    *n = l.n;
    return 0;
}

int
linkage_rows(const struct run_summary *s, struct linkage_row **rows, size_t *n)
{
    struct linkage_row *r = calloc(s->nkeys + 2, sizeof(*r));
    size_t i, k = 0;

    *rows = NULL;
    *n = 0;
    if (!r)
        return CE_NOMEM;
    /* order 0: the id scopes' own ids, joined before any match key */
    if (s->nscopes) {
        r[k].order = 0;
        r[k].key = "id_scope local_id";
        r[k].links = s->scope_links;
        r[k].refused = s->scope_refused;
        k++;
    }
    for (i = 0; i < s->nkeys; i++, k++) {
        r[k].order = (unsigned)i + 1;
        r[k].key = s->keys[i].key_text ? s->keys[i].key_text : "";
        r[k].has_records = 1;
        r[k].records_with_key = s->keys[i].records_with_key;
        r[k].links = s->keys[i].links;
        r[k].refused = s->keys[i].conflicts;
    }
    /* the probabilistic stage: its records, the links it made and the
     * unions it refused for two NHS numbers or UPNs */
    if (s->prob.ran) {
        r[k].order = (unsigned)s->nkeys + 1;
        r[k].probabilistic = 1;
        r[k].key = s->prob.key_text;
        r[k].has_records = 1;
        r[k].records_with_key = s->prob.records;
        r[k].links = s->prob.links;
        r[k].refused = s->prob.refused_strong_id;
        k++;
    }
    *rows = r;
    *n = k;
    return 0;
}
