#include "scope_assembly.h"

#include <stdlib.h>
#include <string.h>

#include "../core/error.h"

/* The parts an id lends, each chosen by the smallest rank (part_rank()). */
enum part { P_FORENAME, P_SURNAME, P_DOB, P_SEX, P_EXTRA0 };

#define NO_RECORD UINT32_MAX
#define ANCHOR_CONFLICT UINT64_MAX

/* One id's choices: a record index per part, and its anchors. */
struct id_values {
    uint32_t best[P_EXTRA0 + MATCH_MAX_EXTRA];
    uint64_t rank[P_EXTRA0 + MATCH_MAX_EXTRA];
    uint64_t nhs, upn; /* 0 none, ANCHOR_CONFLICT two */
    uint8_t has_records;
};

/* A part's rank in r: 0 when r lacks it; else smaller wins. A full
 * forename ranks before a forename that is only an initial. */
static uint64_t
part_rank(const struct match_record *r, unsigned part)
{
    switch (part) {
    case P_FORENAME:
        if (r->forename)
            return r->forename;
        return r->forename_initial ? (1ull << 32) + r->forename_initial : 0;
    case P_SURNAME:
        return r->surname;
    case P_DOB:
        return r->dob;
    case P_SEX:
        return r->sex;
    default:
        return r->extra[part - P_EXTRA0];
    }
}

/* Copies part from src into dst. */
static void
part_copy(struct match_record *dst, const struct match_record *src,
          unsigned part)
{
    switch (part) {
    case P_FORENAME:
        dst->forename = src->forename;
        dst->forename_root = src->forename_root;
        dst->forename_initial = src->forename_initial;
        dst->forename_bloom = src->forename_bloom;
        dst->forename_part[0] = src->forename_part[0];
        dst->forename_part[1] = src->forename_part[1];
        dst->forename_sorted = src->forename_sorted;
        break;
    case P_SURNAME:
        dst->surname = src->surname;
        dst->surname_phonetic = src->surname_phonetic;
        dst->surname_bloom = src->surname_bloom;
        dst->surname_part[0] = src->surname_part[0];
        dst->surname_part[1] = src->surname_part[1];
        dst->surname_sorted = src->surname_sorted;
        break;
    case P_DOB:
        dst->dob = src->dob;
        dst->dob_swapped = src->dob_swapped;
        dst->dob_day = src->dob_day;
        dst->birth_year = src->birth_year;
        dst->birth_month = src->birth_month;
        break;
    case P_SEX:
        dst->sex = src->sex;
        break;
    default:
        dst->extra[part - P_EXTRA0] = src->extra[part - P_EXTRA0];
    }
}

static uint64_t
anchor_join(uint64_t have, uint64_t v)
{
    if (!v || have == v)
        return have;
    return have ? ANCHOR_CONFLICT : v;
}

/* Every id's values from its records. */
static void
choose_values(const struct comparison_list *l, struct id_values *ids,
              unsigned nparts)
{
    struct match_record r;
    size_t i;
    unsigned p;

    for (i = 0; i < l->n; i++) {
        uint32_t s = l->scope[i];
        struct id_values *v;

        if (!s)
            continue;
        v = &ids[s - 1];
        comparison_list_get(l, i, &r);
        v->has_records = 1;
        for (p = 0; p < nparts; p++) {
            uint64_t k = part_rank(&r, p);

            if (k && (v->best[p] == NO_RECORD || k < v->rank[p])) {
                v->best[p] = (uint32_t)i;
                v->rank[p] = k;
            }
        }
        v->nhs = anchor_join(v->nhs, r.nhs);
        v->upn = anchor_join(v->upn, r.upn);
    }
}

/* Record i completed from its id's values; 1 when it gained a part. */
static int
complete_record(struct comparison_list *l, size_t i, const struct id_values *v,
                unsigned nparts)
{
    struct match_record r, src;
    unsigned p;
    int gained = 0;

    comparison_list_get(l, i, &r);
    for (p = 0; p < nparts; p++)
        if (!part_rank(&r, p) && v->best[p] != NO_RECORD) {
            comparison_list_get(l, v->best[p], &src);
            part_copy(&r, &src, p);
            gained = 1;
        }
    if (!r.nhs && v->nhs && v->nhs != ANCHOR_CONFLICT) {
        r.nhs = v->nhs;
        gained = 1;
    }
    if (!r.upn && v->upn && v->upn != ANCHOR_CONFLICT) {
        r.upn = v->upn;
        gained = 1;
    }
    if (gained)
        comparison_list_set(l, i, &r);
    return gained;
}

int
scope_assemble(struct comparison_list *l, struct scope_assembly_stats *st)
{
    struct scope_assembly_stats local;
    struct id_values *ids;
    unsigned nparts = P_EXTRA0 + l->nextra, p;
    size_t i, nids = 0;

    if (!st)
        st = &local;
    memset(st, 0, sizeof(*st));
    if (!l->scope)
        return 0;
    for (i = 0; i < l->n; i++)
        if (l->scope[i] > nids)
            nids = l->scope[i];
    if (!nids)
        return 0;
    if (!(ids = malloc(nids * sizeof(*ids))))
        return CE_NOMEM;
    for (i = 0; i < nids; i++) {
        memset(&ids[i], 0, sizeof(ids[i]));
        for (p = 0; p < P_EXTRA0 + MATCH_MAX_EXTRA; p++)
            ids[i].best[p] = NO_RECORD;
    }
    choose_values(l, ids, nparts);
    for (i = 0; i < nids; i++) {
        st->persons += ids[i].has_records;
        st->anchor_conflicts += ids[i].nhs == ANCHOR_CONFLICT ||
                                ids[i].upn == ANCHOR_CONFLICT;
    }
    for (i = 0; i < l->n; i++) {
        if (!l->scope[i])
            continue;
        st->records++;
        st->completed +=
            (uint64_t)complete_record(l, i, &ids[l->scope[i] - 1], nparts);
    }
    free(ids);
    return 0;
}
