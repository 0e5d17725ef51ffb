#include "record.h"

#include "../core/error.h"
#include "compare_fields.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int
record_builder_init(struct record_builder *b, const struct record_context *ctx,
                    const struct source_plan *sp, struct linker *linker,
                    struct comparison_list *cmp)
{
    memset(b, 0, sizeof(*b));
    b->ctx = ctx;
    b->sp = sp;
    b->linker = linker;
    b->cmp = cmp;
    b->nslots = ctx->plan->linkage.nkeys + 1;
    b->hashes = calloc(b->nslots, 16);
    b->present = calloc(b->nslots, 1);
    return b->hashes && b->present ? 0 : CE_NOMEM;
}

void
record_builder_release(struct record_builder *b)
{
    if (b->hashes)
        sodium_memzero(b->hashes, b->nslots * 16);
    free(b->hashes);
    free(b->present);
    b->hashes = NULL;
    b->present = NULL;
}

/*
 * A record's token: the first 8 bytes of the strictest linkage key hash it
 * has, else of its scoped local id (ranked after every linkage key), so a
 * person known only by a department's own id still gets its own record
 * key rather than a shared zero. *key is RECORD_TOKEN_NONE when it has
 * neither.
 */
static void
record_token(const struct record_builder *b, uint64_t *token, uint8_t *key)
{
    size_t nkeys = b->ctx->plan->linkage.nkeys, kk;

    *token = 0;
    *key = RECORD_TOKEN_NONE;
    for (kk = 0; kk <= nkeys && kk < RECORD_TOKEN_NONE; kk++) {
        size_t slot = kk < nkeys ? kk + 1 : 0;

        if (b->present[slot]) {
            size_t i;

            for (i = 0; i < 8; i++)
                *token = *token << 8 | b->hashes[slot][i];
            *key = (uint8_t)kk;
            return;
        }
    }
}

/* The match keys and, for a source in an id scope, the scoped id of rec
 * into b's scratch (slot 0 the scoped id); *dob_anchor for the scope. */
static void
record_keys(struct record_builder *b, const struct record *rec,
            struct link_anchors *anchors, uint64_t *dob_anchor)
{
    const struct source_plan *sp = b->sp;

    pseudonymise(b->ctx->ps, rec, sp, b->hashes + 1, b->present + 1, anchors);
    *dob_anchor = 0;
    b->present[0] = sp->scope >= 0 &&
                    pseudonymise_scoped_id(b->ctx->ps, rec, sp, b->hashes[0],
                                           dob_anchor) == 0;
}

/*
 * A row quarantined for an unmapped plain code (q->unmapped.last): its
 * keys join the linker as a probe and its token becomes a witness of the
 * code, so that once linked the distinct persons who carry the code can be
 * counted. Rows of one person share a token and count once. A row with no
 * key is no witness: it could be anyone's, and ten of one person's such
 * rows must not count as ten persons. 0 or CE_NOMEM.
 */
static int
witness_unmapped(struct record_builder *b, const struct source_mapping *m,
                 const struct raw_row *row, struct record *rec,
                 struct quarantine *q)
{
    size_t c = (size_t)q->unmapped.last;
    struct link_anchors anchors;
    uint64_t token, dob_anchor;
    uint8_t token_key;
    long probe;
    int rc = 0;

    if (q->unmapped.codes[c].nwitness >= UNMAPPED_WITNESSES_MAX ||
        !map_row_identity(m, row, rec))
        return 0;
    record_keys(b, rec, &anchors, &dob_anchor);
    record_wipe_identifiers(rec);
    record_token(b, &token, &token_key);
    if (token_key != RECORD_TOKEN_NONE) {
        /* one number per (key, hash); a collision only merges two
         * witnesses, which can only lower the count */
        token ^= (uint64_t)token_key << 56;
        if (unmapped_codes_wants(&q->unmapped, c, token)) {
            probe = linker_add_probe(b->linker,
                                     (const unsigned char(*)[16])b->hashes,
                                     b->present);
            if (probe < 0 ||
                unmapped_codes_witness(&q->unmapped, c, token,
                                       (uint32_t)probe) < 0)
                rc = CE_NOMEM;
        }
    }
    sodium_memzero(&anchors, sizeof(anchors));
    return rc;
}

/*
 * The row's id scope, when its source has one and the row a local id: a
 * header row lists its id; an events row joins when a header listed it.
 * 1 joined (or no scope), 0 an orphan, CE_NOMEM. *person is the id's
 * number for person assembly (scope_index_person()), -1 without a scope.
 */
static int
join_scope(struct record_builder *b, const struct link_anchors *anchors,
           uint64_t dob_anchor, long *person)
{
    const struct record_context *ctx = b->ctx;
    int rc;

    *person = -1;
    if (b->sp->scope < 0 || !b->present[0])
        return 1;
    if (ctx->scope_lock)
        pthread_mutex_lock(ctx->scope_lock);
    if (b->sp->role == ROLE_EVENTS)
        rc = scope_index_event(ctx->scopes, b->sp->scope, b->hashes[0],
                               anchors->nhs, dob_anchor);
    else
        rc = scope_index_header(ctx->scopes, b->sp->scope, b->hashes[0],
                                anchors->nhs, dob_anchor) < 0 ? CE_NOMEM : 1;
    if (rc == 1)
        *person = scope_index_person(ctx->scopes, b->sp->scope, b->hashes[0]);
    if (ctx->scope_lock)
        pthread_mutex_unlock(ctx->scope_lock);
    return rc;
}

/* Adds the row's comparison record to b's list: every row of an id scope
 * (person assembly completes it from its id's other rows: an episode's
 * postcode alone becomes worth comparing), any other row when it is
 * useful. Its index, COMPARISON_NONE when not added, or CE_NOMEM. */
static long
add_comparison(struct record_builder *b, const struct match_record *mr,
               int useful, long person)
{
    if (!b->ctx->enc || !b->cmp)
        return COMPARISON_NONE;
    if (person >= 0)
        return comparison_list_add_scoped(b->cmp, mr, (uint32_t)person);
    return useful ? comparison_list_add(b->cmp, mr) : COMPARISON_NONE;
}

/*
 * The row's household, when it has an id and the context an index: its
 * keyed id (pseudonymise_household()) numbered under scope_lock, the lead
 * flag beside it. The keyed id is wiped here. 0 or CE_NOMEM.
 */
static int
join_household(struct record_builder *b, const struct record *rec,
               uint32_t *household)
{
    const struct record_context *ctx = b->ctx;
    unsigned char id[16];
    uint32_t number = 0;
    int rc = 0;

    *household = 0;
    if (!ctx->scopes ||
        pseudonymise_household(ctx->ps, rec, b->sp, id) < 0)
        return 0;
    if (ctx->scope_lock)
        pthread_mutex_lock(ctx->scope_lock);
    rc = scope_index_household(ctx->scopes, id, &number);
    if (ctx->scope_lock)
        pthread_mutex_unlock(ctx->scope_lock);
    sodium_memzero(id, sizeof(id));
    if (rc < 0)
        return rc;
    *household = number | (rec->lead ? RECORD_LEAD : 0);
    return 0;
}

/*
 * The row's comparison record (comparison.h) into *mr, from rec's
 * normalised identifiers and the anchors of its NHS number and UPN: 1
 * when the row has one worth keeping, 0 when the plan has no
 * probabilistic stage or the row nothing to compare on. The names'
 * roots are wiped here; rec is the caller's to wipe, and so is *mr.
 */
static int
comparison_of(const struct record_builder *b, const struct record *rec,
              const struct link_anchors *anchors, struct match_record *mr)
{
    struct comparison_plain p;
    char root[NAME_MAX_BYTES], sroot[NAME_MAX_BYTES];

    memset(mr, 0, sizeof(*mr));
    if (!b->ctx->enc || !b->cmp)
        return 0;
    memset(&p, 0, sizeof(p));
    root[0] = '\0';
    sroot[0] = '\0';
    if (rec->forename[0])
        forename_root(b->ctx->ps, rec->forename, root, sizeof(root));
    if (rec->surname[0])
        surname_root(b->ctx->ps, rec->surname, sroot, sizeof(sroot));
    p.forename = rec->forename;
    p.surname = rec->surname;
    p.forename_root = root;
    p.surname_root = sroot;
    p.dob = rec->dob;
    p.postcode = rec->postcode;
    p.sex = rec->sex;
    p.nhs = anchors->nhs;
    p.upn = anchors->upn;
    p.group = MATCH_NO_GROUP;
    compare_fields_plain(b->ctx->plan, rec, &p);
    comparison_encode(b->ctx->enc, &p, mr);
    sodium_memzero(root, sizeof(root));
    sodium_memzero(sroot, sizeof(sroot));
    return comparison_useful(mr);
}

/* An accepted row of a household's own spells: its dates, service and
 * household only -- no keys, no person, nothing for the linker. */
static int
keep_household_event(struct record_builder *b, const struct record *rec,
                     struct pseudonymous_record *out)
{
    uint32_t household;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = join_household(b, rec, &household)) < 0)
        return rc;
    if (!household)
        return 0;
    out->start = rec->start_date;
    out->end = rec->end_date;
    out->service = rec->service;
    out->period = rec->period;
    out->department = rec->department;
    out->comparison = COMPARISON_NONE;
    out->token_key = RECORD_TOKEN_NONE;
    out->household = household;
    return 2;
}

/* An accepted row: its record, keys and scope. See record_from_row(). */
static int
keep_row(struct record_builder *b, const struct source_mapping *m,
         const struct raw_row *row, struct record *rec, struct quarantine *q,
         struct pseudonymous_record *out)
{
    struct geo_code geo;
    struct link_anchors anchors;
    struct match_record mr;
    uint64_t dob_anchor;
    uint32_t household;
    long added, person;
    int rc, useful;

    memset(out, 0, sizeof(*out));
    out->start = rec->start_date;
    out->end = rec->end_date;
    out->service = rec->service;
    out->period = rec->period;
    out->department = rec->department;
    out->sex = rec->sex;
    out->ethnicity = rec->ethnicity;
    birth_from_dob(rec->dob, b->ctx->plan->reference_date, &out->birth);
    /* categories are the lookup's: an unknown postcode is UNKNOWN in
     * every geography, never a district of its own */
    if (!geo_lookup_find(b->ctx->geo, rec->postcode, &geo) && rec->postcode[0])
        b->unknown_postcodes++;
    out->ward = geo.ward;
    out->lsoa = geo.lsoa;
    out->district = geo.district;
    record_keys(b, rec, &anchors, &dob_anchor);
    useful = comparison_of(b, rec, &anchors, &mr);
    if (join_household(b, rec, &household) < 0)
        useful = -1;
    record_wipe_identifiers(rec);
    if (useful < 0) {
        memset(out, 0, sizeof(*out));
        sodium_memzero(&anchors, sizeof(anchors));
        sodium_memzero(&mr, sizeof(mr));
        return CE_NOMEM;
    }
    out->household = household;
    out->comparison = COMPARISON_NONE;
    rc = join_scope(b, &anchors, dob_anchor, &person);
    if (rc == 0) {
        /* no header of the scope lists this id */
        memset(out, 0, sizeof(*out));
        rc = quarantine_withdraw(q, row->file_index, row->line,
                                 (long)m->column[CF_LOCAL_ID] + 1,
                                 QR_ORPHAN_LOCAL_ID) < 0
                 ? CE_NOMEM
                 : 0;
    } else if (rc > 0) {
        record_token(b, &out->token, &out->token_key);
        added = linker_add(b->linker, (const unsigned char(*)[16])b->hashes,
                           b->present, &anchors);
        if (added >= 0) {
            long c = add_comparison(b, &mr, useful, person);

            if (c < 0)
                added = c;
            else
                out->comparison = (uint32_t)c;
        }
        rc = added < 0 ? CE_NOMEM : 1;
    }
    sodium_memzero(&anchors, sizeof(anchors));
    sodium_memzero(&mr, sizeof(mr));
    return rc;
}

int
record_from_row(struct record_builder *b, const struct source_mapping *m,
                const struct raw_row *row, int mapped, struct record *rec,
                struct quarantine *q, struct pseudonymous_record *out)
{
    int rc = 0;

    if (mapped == 0 && b->sp->household_events)
        rc = keep_household_event(b, rec, out);
    else if (mapped == 0)
        rc = keep_row(b, m, row, rec, q, out);
    else if (mapped == 1 + (int)QR_UNMAPPED_VALUE && q->unmapped.last >= 0)
        rc = witness_unmapped(b, m, row, rec, q);
    record_wipe_identifiers(rec);
    sodium_memzero(b->hashes, b->nslots * 16);
    return rc;
}

int
record_list_push(struct record_list *l, const struct pseudonymous_record *r)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 65536;
        struct pseudonymous_record *p = realloc(l->r, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        l->r = p;
        l->alloc = na;
    }
    l->r[l->n++] = *r;
    return 0;
}

int
record_list_append(struct record_list *dst, struct record_list *src)
{
    if (!dst->n) {
        free(dst->r);
        *dst = *src;
    } else if (src->n) {
        /* realloc, not one array for the total: each source's records are
         * freed as soon as they are copied, so the peak stays near one
         * copy of them all */
        if (dst->n + src->n > dst->alloc) {
            struct pseudonymous_record *r =
                realloc(dst->r, (dst->n + src->n) * sizeof(*r));

            if (!r)
                return CE_NOMEM;
            dst->r = r;
            dst->alloc = dst->n + src->n;
        }
        memcpy(dst->r + dst->n, src->r, src->n * sizeof(*src->r));
        dst->n += src->n;
        free(src->r);
    } else {
        free(src->r);
    }
    memset(src, 0, sizeof(*src));
    return 0;
}

void
record_list_release(struct record_list *l)
{
    free(l->r);
    memset(l, 0, sizeof(*l));
}
