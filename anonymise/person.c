#include "person.h"
#include "../transform/map.h"

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/period.h"
#include "../transform/quarantine.h"
#include "generalise.h"
#include "link.h"
#include "pseudonym.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

void
person_set_release(struct person_set *ps)
{
    free(ps->age_band);
    free(ps->sex);
    free(ps->ethnicity);
    free(ps->ward);
    free(ps->lsoa);
    free(ps->district);
    free(ps->record_key);
    free(ps->spell_first);
    free(ps->spells);
    free(ps->member_first);
    free(ps->members);
    free(ps->household_key);
    free(ps->hspell_first);
    free(ps->hspells);
    memset(ps, 0, sizeof(*ps));
}

/* Most frequent value of small codes among a person's records; the first
 * to reach the top count wins a tie. */
static uint8_t
mode_u8(const uint8_t *vals, size_t n, uint8_t skip, uint8_t fallback)
{
    unsigned counts[256] = {0};
    size_t i;
    unsigned best = 0;
    uint8_t v = fallback;

    for (i = 0; i < n; i++)
        if (vals[i] != skip && ++counts[vals[i]] > best) {
            best = counts[vals[i]];
            v = vals[i];
        }
    return v;
}

int
spell_compare(const void *a, const void *b)
{
    const struct spell *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    if (x->department != y->department)
        return x->department < y->department ? -1 : 1;
    if (x->service != y->service)
        return (int)x->service - (int)y->service;
    return (int)x->ret - (int)y->ret;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* One person's records: rows ri[0..cnt) of recs, in input order. */
struct person_records {
    const struct record_list *recs;
    const uint32_t *ri;
    size_t cnt;
};

/* The j-th record's row (its spell) and its attributes. */
#define PR(pr, j) (&(pr)->recs->rows[(pr)->ri[j]])
#define PA(pr, j) (&(pr)->recs->attrs[PR(pr, j)->attrs])

/* The most frequent known birth (year, month, flag); the first wins a
 * tie. */
static struct birth
choose_birth(const struct person_records *pr)
{
    struct birth b;
    size_t j, k, best = 0;

    memset(&b, 0, sizeof(b));
    for (j = 0; j < pr->cnt; j++) {
        const struct birth *bj = &PA(pr, j)->birth;
        size_t same = 0;

        if (!bj->year)
            continue;
        for (k = 0; k < pr->cnt; k++)
            same += !memcmp(&PA(pr, k)->birth, bj, sizeof(*bj));
        if (same > best) {
            best = same;
            b = *bj;
        }
    }
    return b;
}

/* The latest record with a known ward, else with a known district:
 * its attributes; NULL when none has either. */
static const struct record_attrs *
choose_geography(const struct person_records *pr)
{
    const struct record_attrs *geo = NULL;
    int32_t geo_start = 0;
    size_t j;

    for (j = 0; j < pr->cnt; j++) {
        const struct record_attrs *r = PA(pr, j);
        int32_t start = PR(pr, j)->spell.start;

        if (r->ward == GEO_UNKNOWN && r->district == GEO_UNKNOWN)
            continue;
        if (!geo || (r->ward != GEO_UNKNOWN && geo->ward == GEO_UNKNOWN) ||
            ((r->ward != GEO_UNKNOWN) == (geo->ward != GEO_UNKNOWN) &&
             start >= geo_start)) {
            geo = r;
            geo_start = start;
        }
    }
    return geo;
}

/* The person's record key: from the smallest token of the strictest key
 * its records have -- whatever order they came in. */
static uint8_t
choose_record_key(const struct person_records *pr,
                  const struct pseudonymiser *psd)
{
    const struct record_attrs *tok = NULL;
    size_t j;

    for (j = 0; j < pr->cnt; j++) {
        const struct record_attrs *r = PA(pr, j);

        if (r->token_key != RECORD_TOKEN_NONE &&
            (!tok || r->token_key < tok->token_key ||
             (r->token_key == tok->token_key && r->token < tok->token)))
            tok = r;
    }
    return tok ? pseudonym_record_key(psd, tok->token_key, tok->token) : 0;
}

/* Person p's attributes into ps; tmp has room for its records' codes. */
static void
choose_attributes(struct person_set *ps, size_t p,
                  const struct person_records *pr, const struct job_plan *plan,
                  const struct period *periods,
                  const struct pseudonymiser *psd, uint8_t *tmp)
{
    const struct record_attrs *geo;
    struct birth b;
    size_t j;
    int period;

    for (j = 0; j < pr->cnt; j++)
        tmp[j] = PA(pr, j)->sex;
    ps->sex[p] = mode_u8(tmp, pr->cnt, SEX_U, SEX_U);
    for (j = 0; j < pr->cnt; j++)
        tmp[j] = PA(pr, j)->ethnicity;
    ps->ethnicity[p] = mode_u8(tmp, pr->cnt, ETH_UNKNOWN, ETH_UNKNOWN);

    b = choose_birth(pr);
    for (period = 0; period < plan->periods; period++)
        ps->age_band[p * (size_t)plan->periods + (size_t)period] =
            age_band_of(plan, birth_age_at(&b, periods[period].end,
                                           plan->reference_date));

    geo = choose_geography(pr);
    ps->ward[p] = geo ? geo->ward : GEO_UNKNOWN;
    ps->lsoa[p] = geo ? geo->lsoa : GEO_UNKNOWN;
    ps->district[p] = geo ? geo->district : GEO_UNKNOWN;

    ps->record_key[p] = choose_record_key(pr, psd);
}

/* Person p's spells (sorted) and its share of the department tallies. */
static void
add_spells(struct person_set *ps, size_t p, const struct person_records *pr,
           struct department_tally *dept)
{
    size_t j, first = ps->nspells;
    unsigned seen = 0;

    ps->spell_first[p] = (uint32_t)first;
    for (j = 0; j < pr->cnt; j++) {
        const struct spell *r = &PR(pr, j)->spell;

        dept[r->department].records++;
        if (!(seen & (1u << r->department))) {
            seen |= 1u << r->department;
            dept[r->department].persons++;
            dept[r->department].key_sum += ps->record_key[p];
        }
        if (r->service != SERVICE_NONE)
            ps->spells[ps->nspells++] = *r;
    }
    if (ps->nspells - first > 1)
        qsort(&ps->spells[first], ps->nspells - first, sizeof(struct spell),
              spell_compare);
}

int
person_set_build(struct person_set *ps, const struct job_plan *plan,
                 const struct period *periods,
                 const struct record_list *recs, const struct linker *l,
                 const struct pseudonymiser *psd, const struct geo_names *geo,
                 struct department_tally *dept)
{
    size_t n = recs->n, np = linker_npersons(l), i, p;
    uint32_t *order = NULL, *first = NULL, *fill = NULL;
    uint8_t *tmp = NULL;
    int rc = CE_NOMEM;

    memset(ps, 0, sizeof(*ps));
    ps->npersons = np;
    ps->nperiods = plan->periods;
    ps->geo = geo;
    /* the categories of sex and ethnicity: what the config lets a source
     * give, never what this night's data happened to hold */
    ps->sex_possible = map_codes_possible(plan, VF_SEX);
    ps->ethnicity_possible = map_codes_possible(plan, VF_ETHNICITY);
    ps->age_band = malloc(np * (size_t)plan->periods + 1);
    ps->sex = malloc(np + 1);
    ps->ethnicity = malloc(np + 1);
    ps->ward = malloc((np + 1) * sizeof(uint32_t));
    ps->lsoa = malloc((np + 1) * sizeof(uint32_t));
    ps->district = malloc((np + 1) * sizeof(uint32_t));
    ps->record_key = malloc(np + 1);
    ps->spell_first = calloc(np + 1, sizeof(uint32_t));
    ps->spells = malloc((n + 1) * sizeof(struct spell));
    order = malloc((n + 1) * sizeof(uint32_t));
    first = calloc(np + 2, sizeof(uint32_t));
    fill = malloc((np + 1) * sizeof(uint32_t));
    tmp = malloc(n + 1);
    if (!ps->age_band || !ps->sex || !ps->ethnicity || !ps->ward ||
        !ps->lsoa || !ps->district || !ps->record_key || !ps->spell_first ||
        !ps->spells || !order || !first || !fill || !tmp)
        goto out;

    /* Counting sort of records by person, stable in input order. */
    for (i = 0; i < n; i++)
        first[linker_person(l, i) + 1]++;
    for (p = 0; p < np; p++)
        first[p + 1] += first[p];
    memcpy(fill, first, np * sizeof(uint32_t));
    for (i = 0; i < n; i++)
        order[fill[linker_person(l, i)]++] = (uint32_t)i;

    for (p = 0; p < np; p++) {
        struct person_records pr;

        pr.recs = recs;
        pr.ri = order + first[p];
        pr.cnt = first[p + 1] - first[p];
        choose_attributes(ps, p, &pr, plan, periods, psd, tmp);
        add_spells(ps, p, &pr, dept);
    }
    ps->spell_first[np] = (uint32_t)ps->nspells;
    rc = 0;
out:
    free(order);
    free(first);
    free(fill);
    free(tmp);
    if (rc < 0)
        person_set_release(ps); /* the caller releases only a built set */
    return rc;
}

void
unmapped_count_persons(struct unmapped_codes *u, const struct linker *l)
{
    uint32_t cls[UNMAPPED_WITNESSES_MAX];
    size_t c, w;

    for (c = 0; c < u->ncodes; c++) {
        struct unmapped_code *code = &u->codes[c];
        uint64_t persons = 0;

        for (w = 0; w < code->nwitness; w++)
            cls[w] = linker_probe_class(l, code->witness[w]);
        qsort(cls, code->nwitness, sizeof(cls[0]), cmp_u32);
        for (w = 0; w < code->nwitness; w++)
            persons += w == 0 || cls[w] != cls[w - 1];
        code->persons = persons;
    }
}

uint64_t
unmapped_min_persons(const struct job_plan *plan)
{
    return (uint64_t)plan->disclosure.suppress_hi + 1;
}
