/*
 * record.h - one mapped row becomes one pseudonymous record: the privacy
 * boundary of the read stage (ARCHITECTURE.md, "The data path").
 *
 * map_row() (transform/map.h) leaves a struct record holding plaintext
 * identifiers. record_from_row() is the one call that reads them: it
 * derives what may be kept -- geography through the lookup, the birth
 * month, the keyed match keys (into the reader's linker), the record's
 * token and, for the probabilistic stage, its comparison record (keyed
 * SipHash tokens, small integers and keyed Bloom filters of the names:
 * comparison.h) -- joins the row to its id scope, and wipes the
 * plaintext before it returns, whatever it returns. Nothing it writes
 * holds an identifier: a struct pseudonymous_record is generalised codes,
 * dates of the service event, a token that is 8 bytes of a keyed hash and
 * the number of its comparison record.
 *
 * The same call handles the rows that leave no record but still concern
 * linkage:
 *   - an events row whose local_id no header of its id scope lists is an
 *     orphan: the row is withdrawn into the quarantine (orphan_local_id);
 *   - a row quarantined for an unmapped plain code becomes a witness of
 *     that code (transform/quarantine.h): its keys join the linker as a
 *     probe, so that the distinct persons who carry the code can be
 *     counted after linkage (person.h, unmapped_count_persons()).
 *
 * Calling sequence, one builder per source being read (any thread):
 *
 *     struct record_context ctx = {plan, &ps, &geo, &scopes, &scope_lock,
 *                                  &enc};
 *     struct record_builder b;
 *     record_builder_init(&b, &ctx, source_plan, &linker, &cmp); -- CE_NOMEM
 *     per row: mapped = map_row(&m, &row, &rec, &q);
 *              rc = record_from_row(&b, &m, &row, mapped, &rec, &q, &pr);
 *              rc == 1: pr is the row's record, the linker's next record
 *                       (and, with a household id, a member of the
 *                       household ctx->scopes numbers; no household
 *                       without ctx->scopes)
 *              rc == 2: pr is a household's own spell (a source of
 *                       household events, plan.h household_events): no
 *                       person, no keys, not the linker's; kept apart
 *                       for household_set_build()
 *              rc == 0: the row left no record (quarantined)
 *              rc < 0:  CE_NOMEM
 *     b.unknown_postcodes ...
 *     record_builder_release(&b);
 *
 * The context is shared by every builder and only read, but for the id
 * scope index, which every call that touches it takes under scope_lock
 * (when not NULL): its counts do not depend on the order rows reach it
 * (scope.h), so sources may be read on threads.
 */
#ifndef COHORT_RECORD_H
#define COHORT_RECORD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/schema.h"
#include "../transform/map.h"
#include "../transform/quarantine.h"
#include "comparison.h"
#include "generalise.h"
#include "link.h"
#include "person.h"
#include "pseudonym.h"
#include "scope.h"

/* token_key of a record with no linkage key and no scoped id. */
#define RECORD_TOKEN_NONE 0xFF

/* What survives of an accepted row: generalised, identifier-free. */
struct pseudonymous_record {
    int32_t start;         /* the service event's days (core/calendar.h) */
    int32_t end;
    uint32_t ward;         /* indexes into the lookup's names; GEO_UNKNOWN */
    uint32_t lsoa;
    uint32_t district;
    uint16_t service;      /* SERVICE_NONE for a header row without a spell */
    uint8_t department;
    uint8_t sex;
    uint8_t ethnicity;
    uint8_t token_key;     /* token's key index; RECORD_TOKEN_NONE without */
    /* the yearly return the row came from, as its file's position + 1
     * while its source is read and as the job's return id after
     * (returns.h); 0 for a source of no yearly return */
    uint8_t ret;
    uint8_t period;        /* enum spell_period */
    struct birth birth;    /* birth year and month, never the day */
    /* the row's comparison record in its source's comparison list
     * (comparison.h; the job's once the sources are merged), or
     * COMPARISON_NONE: nothing to compare on, or no probabilistic stage */
    uint32_t comparison;
    /* the row's household (README "Households"): its number in the id
     * scope index (scope_index_household()), with RECORD_LEAD set when
     * the row says its person is the household's lead; 0: no household */
    uint32_t household;
    /* the first 8 bytes of the strictest linkage key hash the row has,
     * else of its scoped local id (ranked after every linkage key): the
     * person's record key is chosen from these (person.h) */
    uint64_t token;
    /* per enum spell_category: the group of the row's coded column, as
     * the job's label index (0 UNKNOWN; transform/coded.h) */
    uint8_t category[CAT_COUNT];
};

#define RECORD_LEAD 0x80000000u

/* record_from_row()'s answer for one row; a record list keeps it in two
 * parts (struct record_row, struct record_attrs) */
_Static_assert(sizeof(struct pseudonymous_record) <= 56,
               "a pseudonymous record is 56 bytes");

/* What every builder of a run shares. Borrowed, not owned. */
struct record_context {
    const struct job_plan *plan;
    const struct pseudonymiser *ps;
    const struct geo_lookup *geo;
    struct scope_index *scopes;    /* NULL when the plan has no id scope */
    pthread_mutex_t *scope_lock;   /* NULL: one reader only */
    /* the comparison records' subkeys; NULL when the plan has no
     * probabilistic stage (no comparison record is made) */
    const struct comparison_encoder *enc;
};

/* One source's builder: scratch for its keys, and its counters. */
struct record_builder {
    const struct record_context *ctx;
    const struct source_plan *sp;
    struct linker *linker;          /* borrowed: the source's linker */
    struct comparison_list *cmp;    /* borrowed: its comparison records */
    unsigned char (*hashes)[16];    /* slot 0 the scoped id, 1.. the keys */
    uint8_t *present;
    size_t nslots;
    uint64_t unknown_postcodes;     /* rows whose postcode the lookup lacks */
    /* What the last kept row's identifiers gave -- its keys, anchors and
     * comparison record -- beside a keyed digest of those identifiers
     * under a key of this builder's own (random, never kept): a row whose
     * digest is the last row's -- a person's next spell -- takes them
     * instead of hashing and encoding the same identifiers again.
     * Pseudonymous, as the linker and the comparison list are; wiped on
     * release. */
    unsigned char (*last_hashes)[16];
    uint8_t *last_present;
    struct link_anchors last_anchors;
    uint64_t last_dob_anchor;
    struct match_record *last_mr;
    int last_useful;
    int have_last;
    unsigned char last_digest[16];
    unsigned char digest_key[16];
    uint64_t rows_reused;           /* rows that took the last row's */
};

/* Readies b for rows of source sp, whose records and probes join linker
 * (linker_init()ed with plan->linkage.nkeys + 1 keys) and whose
 * comparison records join cmp (with ctx->enc; may be NULL without). 0 or
 * CE_NOMEM; b is released with record_builder_release() either way. */
int record_builder_init(struct record_builder *b,
                        const struct record_context *ctx,
                        const struct source_plan *sp, struct linker *linker,
                        struct comparison_list *cmp);

/* Wipes and frees the scratch. Safe on a zeroed or failed builder. */
void record_builder_release(struct record_builder *b);

/*
 * One row of b's source: mapped is what map_row(m, row, rec, q) returned,
 * rec the record it filled (plaintext when mapped is 0). Returns 1 when
 * *out holds the row's pseudonymous record and the row joined b->linker
 * as its next record; 0 when the row leaves no record -- quarantined by
 * map_row() (a witness of an unmapped code is added as a probe), or found
 * an orphan of its id scope (withdrawn into q as orphan_local_id);
 * CE_NOMEM. rec's identifiers and b's scratch are wiped before it returns,
 * in every case.
 */
int record_from_row(struct record_builder *b, const struct source_mapping *m,
                    const struct raw_row *row, int mapped, struct record *rec,
                    struct quarantine *q, struct pseudonymous_record *out);

/*
 * A record list keeps a record in two parts. Its person attributes
 * (geography, sex, ethnicity, birth, token, comparison record,
 * household: as in struct pseudonymous_record), which a person's next
 * rows in one extract mostly repeat, are kept once for a run of rows that
 * repeat them.
 */
struct record_attrs {
    uint64_t token;
    uint32_t ward;
    uint32_t lsoa;
    uint32_t district;
    uint32_t comparison;
    uint32_t household;
    struct birth birth;
    uint8_t sex;
    uint8_t ethnicity;
    uint8_t token_key;
    uint8_t zero;          /* always 0: attributes compare as bytes */
    uint32_t zero2;        /* always 0 */
};

_Static_assert(sizeof(struct record_attrs) == 40,
               "a record's attributes are 32 bytes, without padding");

/* Each row keeps its spell (the service event, with its statutory
 * categories; service SERVICE_NONE for a header row without one) and the
 * number of its attributes: 20 bytes a row instead of 56, and no
 * allocation of its own. */
struct record_row {
    struct spell spell;
    uint32_t attrs;        /* index into the list's attrs */
};

_Static_assert(sizeof(struct record_row) == 20, "a record row is 20 bytes");

/* A growable list of records, in the order they joined the linker. */
struct record_list {
    struct record_row *rows;
    size_t n;
    size_t alloc;
    struct record_attrs *attrs;
    size_t nattrs;
    size_t attrs_alloc;
};

/* Appends one record: a row, and its attributes unless they are the
 * previous row's. 0 or CE_NOMEM. */
int record_list_push(struct record_list *l,
                     const struct pseudonymous_record *r);

/* Record i as it was pushed, into *out. */
void record_list_get(const struct record_list *l, size_t i,
                     struct pseudonymous_record *out);

/* Adds ret_base to every row's non-zero return and cmp_base to every
 * comparison number but COMPARISON_NONE: the numbering of a source's
 * records once merged behind the earlier sources' (app/job_read.c). */
void record_list_renumber(struct record_list *l, uint32_t ret_base,
                          uint32_t cmp_base);

/* Moves every record of src after dst's and frees src's arrays (src is
 * empty after). 0, or CE_NOMEM with both as they were. */
int record_list_append(struct record_list *dst, struct record_list *src);

/* Frees the arrays; l is empty after. */
void record_list_release(struct record_list *l);

#endif
