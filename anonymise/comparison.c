#include "comparison.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../core/calendar.h"
#include "../core/schema.h"
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
    K_COUNT = K_EXTRA0 + MATCH_MAX_EXTRA
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
        crypto_kdf_derive_from_key(e->keys[i], 16, (uint64_t)i + 1, "cohortcr",
                                   k->master);
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

void
comparison_encode(const struct comparison_encoder *e,
                  const struct comparison_plain *p, struct match_record *out)
{
    const char *fn = p->forename ? p->forename : "";
    const char *sn = p->surname ? p->surname : "";
    char buf[NAME_MAX_BYTES];
    unsigned i;

    memset(out, 0, sizeof(*out));
    out->group = p->group;
    out->nhs = p->nhs;
    out->upn = p->upn;
    if (fn[0]) {
        out->forename_initial = hash(e, K_INITIAL, fn, 1);
        /* "j": an initial only -- it agrees with "james" by the initial,
         * and is no full name that disagrees */
        if (fn[1] && fn[1] != ' ') {
            size_t w = strcspn(fn, " ");

            out->forename = hash_str(e, K_NAME, fn);
            out->forename_root = p->forename_root && p->forename_root[0]
                                     ? hash_str(e, K_ROOT, p->forename_root)
                                     : hash(e, K_ROOT, fn, w);
            bloom_encode(&out->forename_bloom, e->name_bloom, fn, strlen(fn));
        }
    }
    if (sn[0]) {
        out->surname = hash_str(e, K_NAME, sn);
        if (soundex(sn, buf) == 0)
            out->surname_phonetic = hash(e, K_PHONETIC, buf, 4);
        bloom_encode(&out->surname_bloom, e->name_bloom, sn, strlen(sn));
    }
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
