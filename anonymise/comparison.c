#include "comparison.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/calendar.h"
#include "../core/schema.h"
#include "../transform/normalise.h"
#include "pseudonym.h"

/* crypto_kdf subkey ids under "cohortcr"; the extras follow K_EXTRA0. */
enum comparison_kind {
    K_NAME,
    K_ROOT,
    K_PHONETIC,
    K_INITIAL,
    K_DOB,
    K_DAY,
    K_POSTCODE,
    K_EXTRA0,
    K_SORTED = K_EXTRA0 + MATCH_MAX_EXTRA, /* after the extras: their ids
                                              stay as they were */
    K_COUNT
};

int
comparison_encoder_init(struct comparison_encoder *e,
                        const struct cohort_key *k)
{
    unsigned i;

    e->keys = sodium_malloc(K_COUNT * sizeof(*e->keys));
    e->name_bloom = sodium_malloc(sizeof(*e->name_bloom));
    if (!e->keys || !e->name_bloom) {
        comparison_encoder_release(e);
        return CE_NOMEM;
    }
    for (i = 0; i < K_COUNT; i++)
        key_comparison_subkey(k, (uint64_t)i + 1, e->keys[i]);
    bloom_key_derive(e->name_bloom, k, BLOOM_FIELD_NAME);
    return 0;
}

static uint64_t
hash(const struct comparison_encoder *e, int kind, const char *s, size_t n)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;
    int i;

    crypto_shorthash(h, (const unsigned char *)s, n, e->keys[kind]);
    for (i = 0; i < 8; i++)
        v = v << 8 | h[i];
    sodium_memzero(h, sizeof(h));
    return v ? v : 1;
}

static uint64_t
hash_str(const struct comparison_encoder *e, int kind, const char *s)
{
    return s && s[0] ? hash(e, kind, s, strlen(s)) : 0;
}

static uint64_t
hash_date(const struct comparison_encoder *e, int y, int m, int d)
{
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
    uint64_t v = hash(e, K_DOB, buf, (size_t)n);

    sodium_memzero(buf, sizeof(buf));
    return v;
}

/* Whether a normalised forename is initials only: every word one letter
 * ("j", "j r"). A one-letter word before a longer one is an elided
 * particle or a name written with a space (O'Connor, A'isha, D'Arcy:
 * "o connor"), a name run together as forename_root() runs it. */
static int
initials_only(const char *fn)
{
    size_t i = 0, w;

    while (fn[i]) {
        w = strcspn(fn + i, " ");
        if (w > 1)
            return 0;
        i += w;
        i += strspn(fn + i, " ");
    }
    return 1;
}

/* The first and the last word of two letters or more of a forename that
 * has two such words or more, hashed in place under the names' key. */
static void
forename_parts(const struct comparison_encoder *e, const char *fn,
               struct match_record *out)
{
    size_t i = 0, w, first = 0, first_len = 0, last = 0, last_len = 0;
    unsigned nwords = 0;

    while (fn[i]) {
        w = strcspn(fn + i, " ");
        if (w > 1) {
            if (!nwords++) {
                first = i;
                first_len = w;
            }
            last = i;
            last_len = w;
        }
        i += w;
        i += strspn(fn + i, " ");
    }
    if (nwords < 2)
        return;
    out->forename_part[0] = hash(e, K_NAME, fn + first, first_len);
    out->forename_part[1] = hash(e, K_NAME, fn + last, last_len);
}

/*
 * A name's first byte, then all its bytes but spaces in ascending order,
 * hashed under K_SORTED (match_record.forename_sorted): two spellings one
 * swap of two letters apart after the first (paul, pual; evans, evasn)
 * are equal. 0 for a name of fewer than four letters, whose letter pairs
 * a swap leaves too few of to tell it from another name. The sorted copy
 * and the counts are wiped before return.
 */
static uint64_t
sorted_hash(const struct comparison_encoder *e, const char *s, size_t n)
{
    char buf[NAME_MAX_BYTES + 1];
    unsigned count[256] = {0};
    size_t i, len = 1;
    unsigned c;
    uint64_t v = 0;

    for (i = 0; i < n; i++)
        if (s[i] != ' ')
            count[(unsigned char)s[i]]++;
    if (n >= 4 && n < sizeof(buf) && s[0] != ' ') {
        buf[0] = s[0];
        for (c = 0; c < 256; c++)
            for (i = 0; i < count[c]; i++)
                buf[len++] = (char)c;
        if (len >= 5)
            v = hash(e, K_SORTED, buf, len);
    }
    sodium_memzero(count, sizeof(count));
    sodium_memzero(buf, sizeof(buf));
    return v;
}

/*
 * The names' hashes, Soundex and filters into out. The forms compared
 * (transform/normalise.h) are the forename's words run together and the
 * surname's joined form, so that Anne Marie and Annemarie, Al-Hassan and
 * Al Hassan, Mc Donald and MacDonald are equal; the surname's parts
 * (particles dropped, or a double surname's first and last) hashed under
 * the names' key beside it, and the forename's first and last words.
 * Every copy is wiped before return.
 */
static void
encode_names(const struct comparison_encoder *e, const char *fn,
             const char *sn, const char *root, const char *sroot,
             struct match_record *out)
{
    struct surname_parts sp;
    char buf[NAME_MAX_BYTES];
    int n;

    if (fn[0]) {
        out->forename_initial = hash(e, K_INITIAL, fn, 1);
        /* "j": an initial only -- it agrees with "james" by the initial,
         * and is no full name that disagrees */
        n = initials_only(fn) ? -1
                              : normalise_name_compact(fn, buf, sizeof(buf));
        if (n > 1) {
            size_t w = strcspn(fn, " ");

            forename_parts(e, fn, out);
            out->forename = hash(e, K_NAME, buf, (size_t)n);
            out->forename_sorted = sorted_hash(e, buf, (size_t)n);
            out->forename_root = root && root[0] ? hash_str(e, K_ROOT, root)
                                                 : hash(e, K_ROOT, fn, w);
            bloom_encode(&out->forename_bloom, e->name_bloom, buf, (size_t)n);
        }
    }
    if (sn[0] && normalise_surname_parts(sn, &sp) == 0) {
        const char *j = sp.joined;
        size_t jn = strlen(j);

        out->surname = hash(e, K_NAME, j, jn);
        out->surname_sorted = sorted_hash(e, j, jn);
        if (soundex(j, buf) == 0)
            out->surname_phonetic = hash(e, K_PHONETIC, buf, 4);
        bloom_encode(&out->surname_bloom, e->name_bloom, j, jn);
        if (sp.nparts >= 2) {
            out->surname_part[0] = hash_str(e, K_NAME, sp.part[0]);
            out->surname_part[1] = hash_str(e, K_NAME, sp.part[sp.nparts - 1]);
        } else if (sp.bare[0]) {
            out->surname_part[0] = hash_str(e, K_NAME, sp.bare);
        }
        /* a spelling the variant tables know: its root, in a free slot */
        if (sroot && sroot[0] && !out->surname_part[1])
            out->surname_part[out->surname_part[0] ? 1 : 0] =
                hash_str(e, K_NAME, sroot);
    } else if (sn[0]) {
        /* no joined form (a word too long for its buffer): as written */
        out->surname = hash_str(e, K_NAME, sn);
        bloom_encode(&out->surname_bloom, e->name_bloom, sn, strlen(sn));
    }
    sodium_memzero(&sp, sizeof(sp));
    sodium_memzero(buf, sizeof(buf));
}

void
comparison_encode(const struct comparison_encoder *e,
                  const struct comparison_plain *p, struct match_record *out)
{
    char buf[NAME_MAX_BYTES];
    unsigned i;

    memset(out, 0, sizeof(*out));
    out->group = p->group;
    out->nhs = p->nhs;
    out->upn = p->upn;
    encode_names(e, p->forename ? p->forename : "",
                 p->surname ? p->surname : "", p->forename_root,
                 p->surname_root, out);
    if (p->dob != DAY_NONE) {
        int y, m, d;

        civil_from_days(p->dob, &y, &m, &d);
        out->dob = hash_date(e, y, m, d);
        if (d <= 12 && d != m)
            out->dob_swapped = hash_date(e, y, d, m);
        buf[0] = (char)d;
        out->dob_day = hash(e, K_DAY, buf, 1);
        out->birth_year = (uint16_t)(y > 0 && y < 65536 ? y : 0);
        out->birth_month = (uint8_t)m;
    }
    if (p->postcode && p->postcode[0]) {
        const char *space = strchr(p->postcode, ' ');

        out->postcode_unit = hash_str(e, K_POSTCODE, p->postcode);
        if (space && space > p->postcode) {
            size_t outward = (size_t)(space - p->postcode);

            out->postcode_district = hash(e, K_POSTCODE, p->postcode, outward);
            if (space[1] >= '0' && space[1] <= '9')
                out->postcode_sector =
                    hash(e, K_POSTCODE, p->postcode, outward + 2);
        }
    }
    switch (p->sex) {
    case SEX_M:
        out->sex = 1;
        break;
    case SEX_F:
        out->sex = 2;
        break;
    case SEX_X:
        out->sex = 3;
        break;
    default:
        out->sex = 0;
    }
    for (i = 0; i < p->nextra && i < MATCH_MAX_EXTRA; i++)
        out->extra[i] = hash_str(e, K_EXTRA0 + (int)i, p->extra[i]);
    sodium_memzero(buf, sizeof(buf));
}

void
comparison_encoder_release(struct comparison_encoder *e)
{
    if (e->keys)
        sodium_free(e->keys); /* sodium_free wipes */
    if (e->name_bloom)
        sodium_free(e->name_bloom);
    e->keys = NULL;
    e->name_bloom = NULL;
}

int
comparison_useful(const struct match_record *r)
{
    unsigned i;

    if (r->forename || r->forename_initial || r->surname || r->dob || r->nhs ||
        r->upn)
        return 1;
    for (i = 0; i < MATCH_MAX_EXTRA; i++)
        if (r->extra[i])
            return 1;
    return 0;
}

/* ---- the list ---- */

/* A record in two cache lines: the hashes of struct match_record folded
 * to 32 bits (0 stays 0: absent), the anchors, the filters. */
struct comparison_stored {
    uint32_t h[17]; /* forename .. postcode_district, in struct order,
                       then the surname's and the forename's parts, the
                       forename's and the surname's sorted letters */
    uint16_t year;
    uint8_t month, sex;
    uint64_t nhs, upn;
    struct bloom fnb, snb;
};

_Static_assert(sizeof(struct comparison_stored) == 152,
               "a stored comparison record is 152 bytes");

static uint32_t
fold32(uint64_t h)
{
    uint32_t v = (uint32_t)(h ^ (h >> 32));

    return h && !v ? 1 : v;
}

static void
pack(const struct match_record *r, struct comparison_stored *s)
{
    const uint64_t h[17] = {
        r->forename,         r->surname,          r->forename_root,
        r->surname_phonetic, r->forename_initial, r->dob,
        r->dob_swapped,      r->dob_day,          r->postcode_unit,
        r->postcode_sector,  r->postcode_district, r->surname_part[0],
        r->surname_part[1],  r->forename_part[0], r->forename_part[1],
        r->forename_sorted,  r->surname_sorted};
    unsigned i;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < 17; i++)
        s->h[i] = fold32(h[i]);
    s->year = r->birth_year;
    s->month = r->birth_month;
    s->sex = r->sex;
    s->nhs = r->nhs;
    s->upn = r->upn;
    s->fnb = r->forename_bloom;
    s->snb = r->surname_bloom;
}

void
comparison_list_get(const struct comparison_list *l, size_t i,
                    struct match_record *out)
{
    const struct comparison_stored *s = &l->r[i];
    unsigned k;

    memset(out, 0, sizeof(*out));
    out->forename = s->h[0];
    out->surname = s->h[1];
    out->forename_root = s->h[2];
    out->surname_phonetic = s->h[3];
    out->forename_initial = s->h[4];
    out->dob = s->h[5];
    out->dob_swapped = s->h[6];
    out->dob_day = s->h[7];
    out->postcode_unit = s->h[8];
    out->postcode_sector = s->h[9];
    out->postcode_district = s->h[10];
    out->surname_part[0] = s->h[11];
    out->surname_part[1] = s->h[12];
    out->forename_part[0] = s->h[13];
    out->forename_part[1] = s->h[14];
    out->forename_sorted = s->h[15];
    out->surname_sorted = s->h[16];
    out->birth_year = s->year;
    out->birth_month = s->month;
    out->sex = s->sex;
    out->nhs = s->nhs;
    out->upn = s->upn;
    out->forename_bloom = s->fnb;
    out->surname_bloom = s->snb;
    for (k = 0; k < l->nextra; k++)
        out->extra[k] = l->extra[i * l->nextra + k];
    out->group = MATCH_NO_GROUP;
}

uint32_t
comparison_list_scope(const struct comparison_list *l, size_t i)
{
    return l->scope && i < l->n ? l->scope[i] : 0;
}

void
comparison_list_set(struct comparison_list *l, size_t i,
                    const struct match_record *r)
{
    unsigned k;

    pack(r, &l->r[i]);
    for (k = 0; k < l->nextra; k++)
        l->extra[i * l->nextra + k] = fold32(r->extra[k]);
}

void
comparison_list_init(struct comparison_list *l, unsigned nextra)
{
    memset(l, 0, sizeof(*l));
    l->nextra = nextra < MATCH_MAX_EXTRA ? nextra : MATCH_MAX_EXTRA;
}

static uint64_t
content_hash(const struct comparison_list *l, size_t i)
{
    const unsigned char *p = (const unsigned char *)&l->r[i];
    uint64_t h = 0x6A09E667F3BCC908ull, w;
    size_t k;

    for (k = 0; k < sizeof(struct comparison_stored); k += 8) {
        memcpy(&w, p + k, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    for (k = 0; k < l->nextra; k++) {
        h = (h ^ l->extra[i * l->nextra + k]) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    if (l->scope && l->scope[i]) {
        /* records without a scope hash as before the array was made */
        h = (h ^ l->scope[i]) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return h;
}

static int
same_content(const struct comparison_list *l, size_t i, size_t j)
{
    return !memcmp(&l->r[i], &l->r[j], sizeof(struct comparison_stored)) &&
           (!l->scope || l->scope[i] == l->scope[j]) &&
           (!l->nextra ||
            !memcmp(&l->extra[i * l->nextra], &l->extra[j * l->nextra],
                    l->nextra * sizeof(uint32_t)));
}

static int
fold_grow(struct comparison_list *l)
{
    size_t cap = l->fold_cap ? l->fold_cap * 2 : 1024, i;
    uint32_t *t = calloc(cap, sizeof(*t));

    if (!t)
        return CE_NOMEM;
    for (i = 0; i < l->n; i++) {
        size_t s = (size_t)content_hash(l, i) & (cap - 1);

        while (t[s])
            s = (s + 1) & (cap - 1);
        t[s] = (uint32_t)i + 1;
    }
    free(l->fold);
    l->fold = t;
    l->fold_cap = cap;
    return 0;
}

/* Room for one more record: half as many again as there is. */
static int
grow(struct comparison_list *l)
{
    size_t na = l->alloc < 1024 ? 1024 : l->alloc + l->alloc / 2;
    struct comparison_stored *r;
    uint32_t *e;

    if (na > UINT32_MAX - 1)
        return CE_NOMEM;
    r = realloc(l->r, na * sizeof(*r));
    if (!r)
        return CE_NOMEM;
    l->r = r;
    if (l->nextra) {
        e = realloc(l->extra, na * l->nextra * sizeof(*e));
        if (!e)
            return CE_NOMEM;
        l->extra = e;
    }
    if (l->scope) {
        e = realloc(l->scope, na * sizeof(*e));
        if (!e)
            return CE_NOMEM;
        l->scope = e;
    }
    l->alloc = na;
    return 0;
}

/* The scope array, made when the first scoped record comes: every record
 * before it has none. 0 or CE_NOMEM. */
static int
scope_array(struct comparison_list *l, size_t n)
{
    if (l->scope)
        return 0;
    l->scope = calloc(n ? n : 1, sizeof(*l->scope));
    return l->scope ? 0 : CE_NOMEM;
}

/* Adds r with scope_person + 1 (0: none) as comparison_list_add(). */
static long
list_add(struct comparison_list *l, const struct match_record *r,
         uint32_t scope1)
{
    size_t i = l->n, s, k;

    if ((scope1 && scope_array(l, l->alloc) < 0) ||
        (l->n == l->alloc && grow(l) < 0) ||
        ((l->n + 1) * 2 > l->fold_cap && fold_grow(l) < 0))
        return CE_NOMEM;
    pack(r, &l->r[i]);
    for (k = 0; k < l->nextra; k++)
        l->extra[i * l->nextra + k] = fold32(r->extra[k]);
    if (l->scope)
        l->scope[i] = scope1;
    s = (size_t)content_hash(l, i) & (l->fold_cap - 1);
    while (l->fold[s]) {
        size_t j = l->fold[s] - 1;

        if (same_content(l, i, j)) {
            l->folded++;
            return (long)j;
        }
        s = (s + 1) & (l->fold_cap - 1);
    }
    l->fold[s] = (uint32_t)i + 1;
    l->n++;
    return (long)i;
}

long
comparison_list_add(struct comparison_list *l, const struct match_record *r)
{
    return list_add(l, r, 0);
}

long
comparison_list_add_scoped(struct comparison_list *l,
                           const struct match_record *r, uint32_t scope_person)
{
    if (scope_person >= UINT32_MAX - 1)
        return CE_NOMEM;
    return list_add(l, r, scope_person + 1);
}

/* dst's scope array grown to `total` records for src's `n` after `off`:
 * src's scope numbers, or zeros. 0 or CE_NOMEM (dst unchanged). */
static int
append_scopes(struct comparison_list *dst, const struct comparison_list *src,
              size_t off, size_t n)
{
    uint32_t *sc;

    if (!dst->scope && !src->scope)
        return 0;
    sc = realloc(dst->scope, (off + n ? off + n : 1) * sizeof(*sc));
    if (!sc)
        return CE_NOMEM;
    if (!dst->scope)
        memset(sc, 0, off * sizeof(*sc));
    dst->scope = sc;
    if (src->scope)
        memcpy(sc + off, src->scope, n * sizeof(*sc));
    else
        memset(sc + off, 0, n * sizeof(*sc));
    return 0;
}

long
comparison_list_append(struct comparison_list *dst, struct comparison_list *src)
{
    size_t off = dst->n, n = src->n;
    long rc = (long)off;

    free(dst->fold);
    dst->fold = NULL;
    dst->fold_cap = 0;
    dst->folded += src->folded;
    if (!off) {
        free(dst->r);
        free(dst->extra);
        free(dst->scope);
        dst->r = src->r;
        dst->extra = src->extra;
        dst->scope = src->scope;
        dst->alloc = src->alloc;
        dst->n = n;
        src->r = NULL;
        src->extra = NULL;
        src->scope = NULL;
    } else if (n) {
        struct comparison_stored *r = realloc(dst->r, (off + n) * sizeof(*r));
        uint32_t *e = NULL;

        if (r)
            dst->r = r;
        if (r && dst->nextra) {
            e = realloc(dst->extra, (off + n) * dst->nextra * sizeof(*e));
            if (e)
                dst->extra = e;
        }
        if (!r || (dst->nextra && !e) || off + n > UINT32_MAX - 1 ||
            append_scopes(dst, src, off, n) < 0) {
            rc = CE_NOMEM;
        } else {
            memcpy(dst->r + off, src->r, n * sizeof(*r));
            if (dst->nextra)
                memcpy(dst->extra + off * dst->nextra, src->extra,
                       n * dst->nextra * sizeof(*e));
            dst->n = off + n;
            dst->alloc = off + n;
        }
    }
    comparison_list_release(src);
    return rc;
}

size_t
comparison_list_bytes(const struct comparison_list *l)
{
    return l->alloc * (sizeof(*l->r) + l->nextra * sizeof(uint32_t) +
                       (l->scope ? sizeof(uint32_t) : 0)) +
           l->fold_cap * sizeof(uint32_t);
}

void
comparison_list_release(struct comparison_list *l)
{
    unsigned nextra = l->nextra;

    free(l->r);
    free(l->extra);
    free(l->scope);
    free(l->fold);
    memset(l, 0, sizeof(*l));
    l->nextra = nextra;
}
