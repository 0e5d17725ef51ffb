#include "household.h"

#include "../core/calendar.h"
#include "../core/error.h"
#include "link.h"
#include "pseudonym.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_member(const void *a, const void *b)
{
    const struct household_member *x = a, *y = b;

    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (int)x->lead - (int)y->lead;
}

/* Household h's key: the first 8 bytes of its keyed id, hashed again
 * under the record-key subkey. */
static uint8_t
household_key(const struct hash_table *households, size_t h,
              const struct pseudonymiser *psd)
{
    const unsigned char *id =
        (const unsigned char *)hash_table_key(households, h, NULL);
    uint64_t token = 0;
    int i;

    for (i = 0; i < 8; i++)
        token = token << 8 | id[i];
    return pseudonym_record_key(psd, HOUSEHOLD_KEY_INDEX, token);
}

/* Record i's household (struct record_list keeps it with the attributes
 * a run of rows shares). */
#define REC_HOUSEHOLD(l, i) ((l)->attrs[(l)->rows[i].attrs].household)

int
household_set_build(struct person_set *ps, const struct record_list *recs,
                    const struct linker *l,
                    const struct hash_table *households,
                    const struct pseudonymiser *psd)
{
    size_t nh = households->n, nrecs = recs->n, i, h, nm = 0;
    uint32_t *fill = NULL;

    for (i = 0; i < nrecs; i++)
        nm += REC_HOUSEHOLD(recs, i) != 0;
    ps->member_first = calloc(nh + 2, sizeof(uint32_t));
    ps->members = malloc((nm + 1) * sizeof(*ps->members));
    ps->household_key = malloc(nh + 1);
    fill = malloc((nh + 1) * sizeof(uint32_t));
    if (!ps->member_first || !ps->members || !ps->household_key || !fill)
        goto nomem;
    /* counting sort of the memberships by household */
    for (i = 0; i < nrecs; i++)
        if (REC_HOUSEHOLD(recs, i))
            ps->member_first[(REC_HOUSEHOLD(recs, i) & ~RECORD_LEAD)]++;
    for (h = 0; h < nh; h++)
        ps->member_first[h + 1] += ps->member_first[h];
    memcpy(fill, ps->member_first, nh * sizeof(uint32_t));
    for (i = 0; i < nrecs; i++) {
        const struct spell *r = &recs->rows[i].spell;
        uint32_t household = REC_HOUSEHOLD(recs, i);
        struct household_member *m;

        if (!household)
            continue;
        h = (household & ~RECORD_LEAD) - 1;
        m = &ps->members[fill[h]++];
        m->person = linker_person(l, i);
        /* a record without dates (a header of persons) says the person
         * is a member, not when: every period */
        m->start = r->start;
        m->end = r->start == DAY_NONE ? DAY_OPEN : r->end;
        m->lead = (household & RECORD_LEAD) != 0;
    }
    for (h = 0; h < nh; h++) {
        size_t first = ps->member_first[h], n = ps->member_first[h + 1] - first;

        if (n > 1)
            qsort(&ps->members[first], n, sizeof(*ps->members), cmp_member);
        ps->household_key[h] = household_key(households, h, psd);
    }
    ps->nhouseholds = nh;
    ps->nmembers = nm;
    free(fill);
    return 0;
nomem:
    free(fill);
    free(ps->member_first);
    free(ps->members);
    free(ps->household_key);
    ps->member_first = NULL;
    ps->members = NULL;
    ps->household_key = NULL;
    ps->nhouseholds = ps->nmembers = 0;
    return CE_NOMEM;
}

int
household_spells_build(struct person_set *ps,
                       const struct record_list *events)
{
    size_t nh = ps->nhouseholds, n = events->n, i, h;
    uint32_t *fill = NULL;

    if (!n)
        return 0;
    ps->hspell_first = calloc(nh + 2, sizeof(uint32_t));
    ps->hspells = malloc(n * sizeof(*ps->hspells));
    fill = malloc((nh + 1) * sizeof(uint32_t));
    if (!ps->hspell_first || !ps->hspells || !fill)
        goto nomem;
    /* counting sort by household, as the memberships */
    for (i = 0; i < n; i++) {
        h = REC_HOUSEHOLD(events, i) & ~RECORD_LEAD;
        if (h && h <= nh)
            ps->hspell_first[h]++;
    }
    for (h = 0; h < nh; h++)
        ps->hspell_first[h + 1] += ps->hspell_first[h];
    memcpy(fill, ps->hspell_first, nh * sizeof(uint32_t));
    for (i = 0; i < n; i++) {
        h = REC_HOUSEHOLD(events, i) & ~RECORD_LEAD;
        if (!h || h > nh)
            continue;
        ps->hspells[fill[h - 1]++] = events->rows[i].spell;
    }
    for (h = 0; h < nh; h++) {
        size_t first = ps->hspell_first[h];
        size_t k = ps->hspell_first[h + 1] - first;

        if (k > 1)
            qsort(&ps->hspells[first], k, sizeof(*ps->hspells),
                  spell_compare);
    }
    ps->nhspells = ps->hspell_first[nh];
    free(fill);
    return 0;
nomem:
    free(fill);
    free(ps->hspell_first);
    free(ps->hspells);
    ps->hspell_first = NULL;
    ps->hspells = NULL;
    ps->nhspells = 0;
    return CE_NOMEM;
}
