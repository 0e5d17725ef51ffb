#include "record.h"

#include "../core/error.h"
#include "compare_fields.h"

#include <sodium.h>
#include <stddef.h>
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
    b->last_hashes = calloc(b->nslots, 16);
    b->last_present = calloc(b->nslots, 1);
    b->last_mr = calloc(1, sizeof(*b->last_mr));
    randombytes_buf(b->digest_key, sizeof(b->digest_key));
    return b->hashes && b->present && b->last_hashes && b->last_present &&
                   b->last_mr
               ? 0
               : CE_NOMEM;
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
    if (b->last_hashes)
        sodium_memzero(b->last_hashes, b->nslots * 16);
    free(b->last_hashes);
    free(b->last_present);
    b->last_hashes = NULL;
    b->last_present = NULL;
    sodium_memzero(&b->last_anchors, sizeof(b->last_anchors));
    b->last_dob_anchor = 0;
    if (b->last_mr)
        sodium_memzero(b->last_mr, sizeof(*b->last_mr));
    free(b->last_mr);
    b->last_mr = NULL;
    b->have_last = 0;
    sodium_memzero(b->last_digest, sizeof(b->last_digest));
    sodium_memzero(b->digest_key, sizeof(b->digest_key));
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
 * A kept row whose coded cells held codes not on their lists (q->unmapped.
 * row_codes, transform/coded.h): its keys, still in b's scratch, join the
 * linker as a probe and its token becomes a witness of each such code, as
 * an unmapped row's does (witness_unmapped()). 0 or CE_NOMEM.
 */
static int
witness_row_codes(struct record_builder *b, struct quarantine *q,
                  uint64_t token, uint8_t token_key)
{
    struct unmapped_codes *u = &q->unmapped;
    long probe = -1;
    size_t i;

    if (token_key == RECORD_TOKEN_NONE)
        return 0;
    token ^= (uint64_t)token_key << 56;
    for (i = 0; i < u->nrow_codes; i++) {
        size_t c = (size_t)u->row_codes[i];

        if (!unmapped_codes_wants(u, c, token))
            continue;
        if (probe < 0 &&
            (probe = linker_add_probe(b->linker,
                                      (const unsigned char(*)[16])b->hashes,
                                      b->present)) < 0)
            return CE_NOMEM;
        if (unmapped_codes_witness(u, c, token, (uint32_t)probe) < 0)
            return CE_NOMEM;
    }
    u->nrow_codes = 0;
    return 0;
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

/* Appends the text of field f (bounded by n, with its terminator) to
 * buf at *len. */
static void
digest_put(unsigned char *buf, size_t *len, const char *f, size_t n)
{
    size_t k = strnlen(f, n - 1);

    memcpy(buf + *len, f, k);
    buf[*len + k] = '\0';
    *len += k + 1;
}

/*
 * The keyed digest of everything in rec a key, an anchor or a comparison
 * record can be made from: every identifier, the comparison-only fields,
 * the date of birth, sex and ethnicity -- all of struct record but the
 * event. (The rest comes from the plan and the source, the same for every
 * row of a builder.) The plaintext copy is wiped before it returns.
 */
static void
identifier_digest(const struct record_builder *b, const struct record *rec,
                  unsigned char out[16])
{
    unsigned char buf[sizeof(struct record)];
    size_t len = 0, k;

    digest_put(buf, &len, rec->nhs_number, sizeof(rec->nhs_number));
    digest_put(buf, &len, rec->upn, sizeof(rec->upn));
    digest_put(buf, &len, rec->uln, sizeof(rec->uln));
    digest_put(buf, &len, rec->ni_number, sizeof(rec->ni_number));
    digest_put(buf, &len, rec->local_id, sizeof(rec->local_id));
    digest_put(buf, &len, rec->forename, sizeof(rec->forename));
    digest_put(buf, &len, rec->surname, sizeof(rec->surname));
    digest_put(buf, &len, rec->postcode, sizeof(rec->postcode));
    digest_put(buf, &len, rec->uprn, sizeof(rec->uprn));
    for (k = 0; k < CF_CONTACT_COUNT; k++)
        digest_put(buf, &len, rec->contact[k], sizeof(rec->contact[k]));
    memcpy(buf + len, &rec->dob, sizeof(rec->dob));
    len += sizeof(rec->dob);
    buf[len++] = rec->sex;
    buf[len++] = rec->ethnicity;
    crypto_shorthash_siphashx24(out, buf, len, b->digest_key);
    sodium_memzero(buf, len);
}

/* A field of struct record that this file does not know of may be one a
 * key or comparison record is made from: identifier_digest() must take
 * it. So
 * everything before the event is the fields it takes, nothing between. */
#define RECORD_FIELD_SIZE(f) sizeof(((const struct record *)0)->f)
_Static_assert(offsetof(struct record, department) ==
                   RECORD_FIELD_SIZE(nhs_number) + RECORD_FIELD_SIZE(upn) +
                       RECORD_FIELD_SIZE(uln) + RECORD_FIELD_SIZE(ni_number) +
                       RECORD_FIELD_SIZE(local_id) +
                       RECORD_FIELD_SIZE(forename) +
                       RECORD_FIELD_SIZE(surname) +
                       RECORD_FIELD_SIZE(postcode) + RECORD_FIELD_SIZE(uprn) +
                       RECORD_FIELD_SIZE(contact) + RECORD_FIELD_SIZE(dob) +
                       RECORD_FIELD_SIZE(sex) + RECORD_FIELD_SIZE(ethnicity),
               "struct record has a field identifier_digest() does not take");

/*
 * The row's keys into b's scratch, its anchors and its comparison record
 * (record_keys(), comparison_of()) -- or the last kept row's, when rec
 * has the last row's identifiers (the digest above): the same identifiers
 * make the same keys and the same record. Returns comparison_of()'s
 * answer.
 */
static int
row_encodings(struct record_builder *b, const struct record *rec,
              struct link_anchors *anchors, uint64_t *dob_anchor,
              struct match_record *mr)
{
    unsigned char digest[16];

    identifier_digest(b, rec, digest);
    if (b->have_last && !sodium_memcmp(digest, b->last_digest, 16)) {
        memcpy(b->hashes, b->last_hashes, b->nslots * 16);
        memcpy(b->present, b->last_present, b->nslots);
        *anchors = b->last_anchors;
        *dob_anchor = b->last_dob_anchor;
        *mr = *b->last_mr;
        b->rows_reused++;
        return b->last_useful;
    }
    record_keys(b, rec, anchors, dob_anchor);
    b->last_useful = comparison_of(b, rec, anchors, mr);
    memcpy(b->last_hashes, b->hashes, b->nslots * 16);
    memcpy(b->last_present, b->present, b->nslots);
    b->last_anchors = *anchors;
    b->last_dob_anchor = *dob_anchor;
    *b->last_mr = *mr;
    memcpy(b->last_digest, digest, 16);
    b->have_last = 1;
    sodium_memzero(digest, sizeof(digest));
    return b->last_useful;
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
    memcpy(out->category, rec->category, sizeof(out->category));
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
    useful = row_encodings(b, rec, &anchors, &dob_anchor, &mr);
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
        added = witness_row_codes(b, q, out->token, out->token_key);
        if (added == 0)
            added = linker_add(b->linker,
                               (const unsigned char(*)[16])b->hashes,
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

/* Grows *arr (of *alloc elements of size el) to hold need; doubling,
 * from 65536. 0 or CE_NOMEM (unchanged). */
static int
record_list_grow(void **arr, size_t *alloc, size_t el, size_t need)
{
    size_t na = *alloc ? *alloc : 65536;
    void *p;

    if (need <= *alloc)
        return 0;
    while (na < need)
        na *= 2;
    if (!(p = realloc(*arr, na * el)))
        return CE_NOMEM;
    *arr = p;
    *alloc = na;
    return 0;
}

int
record_list_push(struct record_list *l, const struct pseudonymous_record *r)
{
    struct record_attrs a;
    struct record_row *row;

    memset(&a, 0, sizeof(a));
    a.token = r->token;
    a.ward = r->ward;
    a.lsoa = r->lsoa;
    a.district = r->district;
    a.comparison = r->comparison;
    a.household = r->household;
    a.birth = r->birth;
    a.sex = r->sex;
    a.ethnicity = r->ethnicity;
    a.token_key = r->token_key;
    if (record_list_grow((void **)&l->rows, &l->alloc, sizeof(*l->rows),
                         l->n + 1) < 0)
        return CE_NOMEM;
    if (!l->nattrs || memcmp(&l->attrs[l->nattrs - 1], &a, sizeof(a))) {
        if (l->nattrs >= UINT32_MAX ||
            record_list_grow((void **)&l->attrs, &l->attrs_alloc,
                             sizeof(*l->attrs), l->nattrs + 1) < 0)
            return CE_NOMEM;
        l->attrs[l->nattrs++] = a;
    }
    row = &l->rows[l->n++];
    memset(row, 0, sizeof(*row));
    row->spell.start = r->start;
    row->spell.end = r->end;
    row->spell.service = r->service;
    row->spell.department = r->department & 63;
    row->spell.period = r->period & 3;
    row->spell.ret = r->ret;
    memcpy(row->spell.category, r->category, sizeof(row->spell.category));
    row->attrs = (uint32_t)(l->nattrs - 1);
    return 0;
}

void
record_list_get(const struct record_list *l, size_t i,
                struct pseudonymous_record *out)
{
    const struct record_row *row = &l->rows[i];
    const struct record_attrs *a = &l->attrs[row->attrs];

    memset(out, 0, sizeof(*out));
    out->start = row->spell.start;
    out->end = row->spell.end;
    out->service = row->spell.service;
    out->department = row->spell.department;
    out->period = row->spell.period;
    out->ret = row->spell.ret;
    memcpy(out->category, row->spell.category, sizeof(out->category));
    out->ward = a->ward;
    out->lsoa = a->lsoa;
    out->district = a->district;
    out->sex = a->sex;
    out->ethnicity = a->ethnicity;
    out->comparison = a->comparison;
    out->household = a->household;
    out->token = a->token;
    out->token_key = a->token_key;
    out->birth = a->birth;
}

void
record_list_renumber(struct record_list *l, uint32_t ret_base,
                     uint32_t cmp_base)
{
    size_t i;

    for (i = 0; ret_base && i < l->n; i++)
        if (l->rows[i].spell.ret)
            l->rows[i].spell.ret = (uint8_t)(l->rows[i].spell.ret + ret_base);
    for (i = 0; cmp_base && i < l->nattrs; i++)
        if (l->attrs[i].comparison != COMPARISON_NONE)
            l->attrs[i].comparison += cmp_base;
}

/* *arr (of *alloc elements of size el) made room for exactly need,
 * unless it has it. 0 or CE_NOMEM (unchanged). */
static int
record_list_reserve(void **arr, size_t *alloc, size_t el, size_t need)
{
    void *p;

    if (need <= *alloc)
        return 0;
    if (!(p = realloc(*arr, need * el)))
        return CE_NOMEM;
    *arr = p;
    *alloc = need;
    return 0;
}

int
record_list_append(struct record_list *dst, struct record_list *src)
{
    size_t i, base = dst->nattrs;

    if (!dst->n) {
        record_list_release(dst);
        *dst = *src;
        memset(src, 0, sizeof(*src));
        return 0;
    }
    /* realloc, not one array for the total: each source's records are
     * freed as soon as they are copied, so the peak stays near one copy of
     * them all */
    if (base + src->nattrs >= UINT32_MAX ||
        record_list_reserve((void **)&dst->rows, &dst->alloc,
                            sizeof(*dst->rows), dst->n + src->n) < 0 ||
        record_list_reserve((void **)&dst->attrs, &dst->attrs_alloc,
                            sizeof(*dst->attrs), base + src->nattrs) < 0)
        return CE_NOMEM;
    for (i = 0; i < src->n; i++) {
        dst->rows[dst->n + i] = src->rows[i];
        dst->rows[dst->n + i].attrs += (uint32_t)base;
    }
    if (src->nattrs)
        memcpy(dst->attrs + base, src->attrs, src->nattrs * sizeof(*src->attrs));
    dst->n += src->n;
    dst->nattrs += src->nattrs;
    record_list_release(src);
    return 0;
}

void
record_list_release(struct record_list *l)
{
    free(l->rows);
    free(l->attrs);
    memset(l, 0, sizeof(*l));
}
