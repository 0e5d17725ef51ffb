#include "household_count.h"

#include "../core/calendar.h"
#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

static char *size_labels[] = {"1 person", "2 persons", "3 persons",
                              "4 persons", "5 or more persons"};
static char *children_labels[] = {"no children", "1 child", "2 children",
                                  "3 or more children", "UNKNOWN"};
enum { TYPE_SINGLE, TYPE_COUPLE, TYPE_LONE_PARENT, TYPE_COUPLE_CHILDREN,
       TYPE_OTHER, TYPE_UNKNOWN };
static char *type_labels[] = {"single adult", "couple", "lone parent",
                              "couple with children", "other", "UNKNOWN"};

char **
household_by_labels(int by, uint32_t *n)
{
    switch (by) {
    case BY_HOUSEHOLD_SIZE:
        *n = 5;
        return size_labels;
    case BY_CHILDREN:
        *n = 5;
        return children_labels;
    default:
        *n = 6;
        return type_labels;
    }
}

/* -1 a child (the band ends before 18), 1 an adult (it starts at 18 or
 * later), 0 not known. */
static int
adult_of(const struct job_plan *plan, const struct person_set *ps,
         size_t p, int i)
{
    uint8_t band = ps->age_band[p * (size_t)ps->nperiods + (size_t)i];

    if (band == AGE_BAND_UNKNOWN || band >= plan->nage_bands)
        return 0;
    if (plan->age_bands[band].lo >= 18)
        return 1;
    return plan->age_bands[band].hi >= 0 && plan->age_bands[band].hi < 18
               ? -1
               : 0;
}

uint32_t
household_composition(const struct job_plan *plan,
                      const struct person_set *ps,
                      const struct where_members *m, int by, int i)
{
    size_t k, adults = 0, children = 0, unknown = 0, leads = 0;
    int lead_adult = 0;

    if (by == BY_HOUSEHOLD_SIZE)
        return m->n >= 5 ? 4 : (uint32_t)(m->n ? m->n - 1 : 0);
    for (k = 0; k < m->n; k++) {
        int a = adult_of(plan, ps, m->person[k], i);

        adults += a > 0;
        children += a < 0;
        unknown += a == 0;
        if (m->lead[k]) {
            leads++;
            lead_adult = a > 0;
        }
    }
    if (by == BY_CHILDREN)
        return unknown ? 4 : children >= 3 ? 3 : (uint32_t)children;
    if (unknown)
        return TYPE_UNKNOWN;
    if (leads != 1 || !lead_adult || adults > 2)
        return TYPE_OTHER;
    if (adults == 1)
        return children ? TYPE_LONE_PARENT : TYPE_SINGLE;
    return children ? TYPE_COUPLE_CHILDREN : TYPE_COUPLE;
}

static int
overlaps_member(const struct household_member *mb, int32_t start, int32_t end)
{
    return mb->start <= end && (mb->end == DAY_OPEN || mb->end >= start);
}

void
household_members(struct household_units *hu, size_t h, int32_t start,
                  int32_t end, struct where_members *m)
{
    const struct person_set *ps = hu->ps;
    uint32_t k;
    size_t n = 0;

    /* memberships are sorted by person: one entry per person */
    for (k = ps->member_first[h]; k < ps->member_first[h + 1]; k++) {
        const struct household_member *mb = &ps->members[k];

        if (!overlaps_member(mb, start, end))
            continue;
        if (n && hu->person[n - 1] == mb->person) {
            hu->lead[n - 1] |= mb->lead;
            continue;
        }
        hu->person[n] = mb->person;
        hu->lead[n++] = mb->lead;
    }
    m->person = hu->person;
    m->lead = hu->lead;
    m->n = n;
    m->own = NULL;
    m->nown = 0;
    if (ps->hspell_first) {
        m->own = &ps->hspells[ps->hspell_first[h]];
        m->nown = ps->hspell_first[h + 1] - ps->hspell_first[h];
    }
}

static int
household_in(void *ctx, size_t u, int i, int32_t start, int32_t end)
{
    struct household_units *hu = ctx;
    struct where_members m;

    household_members(hu, u, start, end, &m);
    return m.n && where_eval_household(hu->e, hu->ps, &m, i, start, end);
}

static uint32_t
household_coord(void *ctx, size_t u, size_t j, int i, const struct period *pr)
{
    struct household_units *hu = ctx;
    const struct cohort_plan *c = hu->c;
    struct where_members m;
    size_t k;
    int svc;

    /* measure = at_end counts the household as it is on the month's last
     * day (count.c), so its composition is that day's members' */
    household_members(hu, u,
                      c->measure == MEASURE_AT_END ? pr->end : pr->start,
                      pr->end, &m);
    if (c->by[j] != BY_SERVICE)
        return household_composition(hu->plan, hu->ps, &m, c->by[j], i);
    svc = c->by_service[j];
    for (k = 0; k < m.n; k++)
        if (where_service_active(hu->ps, m.person[k],
                                 hu->plan->services[svc].department, svc,
                                 pr->start, pr->end))
            return 0; /* yes */
    /* or the household's own spell of it (a household events source) */
    for (k = 0; k < m.nown; k++) {
        const struct spell *sp = &m.own[k];

        if (sp->service == svc &&
            sp->department == hu->plan->services[svc].department &&
            sp->start <= pr->end &&
            (sp->end == DAY_OPEN || sp->end >= pr->start))
            return 0;
    }
    return 1;         /* no */
}

static uint8_t
household_key_of(void *ctx, size_t u)
{
    const struct household_units *hu = ctx;

    return hu->ps->household_key[u];
}

int
household_units_init(struct household_units *hu, const struct job_plan *plan,
                     const struct cohort_plan *c, const struct where_expr *e,
                     const struct person_set *ps, struct count_units *cu)
{
    size_t h, most = 1;

    memset(hu, 0, sizeof(*hu));
    hu->plan = plan;
    hu->c = c;
    hu->e = e;
    hu->ps = ps;
    for (h = 0; h < ps->nhouseholds; h++)
        if (ps->member_first[h + 1] - ps->member_first[h] > most)
            most = ps->member_first[h + 1] - ps->member_first[h];
    hu->person = malloc(most * sizeof(*hu->person));
    hu->lead = malloc(most);
    if (!hu->person || !hu->lead) {
        household_units_release(hu);
        return CE_NOMEM;
    }
    hu->alloc = most;
    cu->n = ps->nhouseholds;
    cu->in = household_in;
    cu->coord = household_coord;
    cu->key = household_key_of;
    cu->ctx = hu;
    return 0;
}

void
household_units_release(struct household_units *hu)
{
    free(hu->person);
    free(hu->lead);
    memset(hu, 0, sizeof(*hu));
}
