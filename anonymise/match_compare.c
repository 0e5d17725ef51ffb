/*
 * match_compare.c - the comparison levels of a pair of records, the
 * disagreement guard and the pair's match weight (match.h).
 */
#include "match_private.h"

#include <math.h>

#include "../core/testable.h"

/* ---- comparison levels ---- */

/* Which Dice band two filters reach: 0..2, or 3 for none. */
static unsigned
dice_band(const struct matcher *m, const struct bloom *a, unsigned ca,
          const struct bloom *b, unsigned cb)
{
    unsigned common, k;

    if (!ca || !cb)
        return 3;
    common = bloom_common(a, b);
    for (k = 0; k < 3; k++)
        if (200u * common >= m->cfg.dice[k] * (ca + cb))
            return k;
    return 3;
}

static const unsigned dice_level[4] = {ML_NAME_DICE0, ML_NAME_DICE1,
                                       ML_NAME_DICE2, 0};

/* Whether one of two different forenames is one word and the first or
 * last word of the other (match_record.forename_part): Muhammad Usman
 * and Usman, Thi Linh and Linh. Two forenames of several words that
 * share only one (Mary Ann, Mary Beth: twins) do not agree here. */
static int
forename_parts_agree(const struct matcher *m, size_t i, size_t j)
{
    const uint32_t *p = &m->parts[MX_PARTS * i + 2],
                   *q = &m->parts[MX_PARTS * j + 2];
    uint32_t a = m->rec[i].fn, b = m->rec[j].fn;

    return (!p[0] && (a == q[0] || a == q[1])) ||
           (!q[0] && (b == p[0] || b == p[1]));
}

/* Whether the different names of records i and j in slot (MX_FN_SORTED,
 * MX_SN_SORTED), with filters a and b of ca and cb bits, are one swap of
 * two adjacent letters apart: the same first letter and the same
 * letters, and no more of either filter's bits outside the other's than
 * three letter pairs set. A swap changes exactly three pairs of a name
 * (pual: "pu", "ua", "al" for "pa", "au", "ul"); collisions only make
 * fewer bits stand out, so a swap always passes, where two names of the
 * same letters in another order (Mary, Myra; Leon, Noel) change four
 * pairs or more and almost never do. */
static int
transposed(const struct matcher *m, size_t i, size_t j, unsigned slot,
           const struct bloom *a, unsigned ca, const struct bloom *b,
           unsigned cb)
{
    uint32_t x = m->parts[MX_PARTS * i + slot];
    unsigned common;

    if (!x || x != m->parts[MX_PARTS * j + slot])
        return 0;
    common = bloom_common(a, b);
    return ca - common <= 3 * BLOOM_K && cb - common <= 3 * BLOOM_K;
}

/* The forename's level of records i and j; *swap set when the names are
 * swapped. */
static unsigned
forename_level(const struct matcher *m, size_t i, size_t j, int *swap)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned band;

    *swap = 0;
    if (a->fn && b->fn) {
        if (a->fn == b->fn)
            return ML_NAME_EXACT;
        /* swapped: one name equals the other's other name, and the
         * second pair is equal too or similar (a typo on top) */
        if (a->sn && b->sn && a->sn != b->sn) {
            int x = a->fn == b->sn, y = a->sn == b->fn;

            if ((x && (y || dice_band(m, &a->snb, a->sn_bits, &b->fnb,
                                      b->fn_bits) < 3)) ||
                (y &&
                 dice_band(m, &a->fnb, a->fn_bits, &b->snb, b->sn_bits) < 3)) {
                *swap = 1;
                return ML_NAME_SWAP;
            }
        }
        if (a->root == b->root)
            return ML_NAME_ROOT;
        band = dice_band(m, &a->fnb, a->fn_bits, &b->fnb, b->fn_bits);
        if (band == 0)
            return ML_NAME_DICE0;
        if (forename_parts_agree(m, i, j))
            return ML_NAME_PART;
        /* a swap of two letters is one slip, as a substitution is, but
         * keeps one letter pair fewer: one band up */
        if (band > 0 && transposed(m, i, j, MX_FN_SORTED, &a->fnb, a->fn_bits,
                                   &b->fnb, b->fn_bits))
            band--;
        if (band < 3)
            return dice_level[band];
        return a->init == b->init ? ML_NAME_INITIAL_FULL : ML_NAME_ELSE;
    }
    if (a->init && b->init)
        return a->init == b->init ? ML_NAME_INITIAL : ML_NAME_ELSE;
    return ML_NULL;
}

/* Whether the different surnames of records i and j share a form: one's
 * surname or part (match_record.surname_part) equal to one of the
 * other's. */
static int
surname_parts_agree(const struct matcher *m, size_t i, size_t j)
{
    const uint32_t *p = &m->parts[MX_PARTS * i],
                   *q = &m->parts[MX_PARTS * j];
    const uint32_t x[3] = {m->rec[i].sn, p[0], p[1]};
    const uint32_t y[3] = {m->rec[j].sn, q[0], q[1]};
    unsigned k, l;

    for (k = 0; k < 3; k++)
        for (l = 0; l < 3; l++)
            if (x[k] && x[k] == y[l])
                return 1;
    return 0;
}

/* The surname's level when the names are swapped: the crossed pair that
 * forename_level() did not find equal -- both equal is EXACT -- by its
 * Dice band, else ELSE. */
static unsigned
swapped_surname_level(const struct matcher *m, const struct mrec *a,
                      const struct mrec *b)
{
    unsigned band;

    if (a->fn == b->sn && a->sn == b->fn)
        return ML_NAME_EXACT;
    if (a->fn == b->sn)
        band = dice_band(m, &a->snb, a->sn_bits, &b->fnb, b->fn_bits);
    else
        band = dice_band(m, &a->fnb, a->fn_bits, &b->snb, b->sn_bits);
    return band < 3 ? dice_level[band] : ML_NAME_ELSE;
}

static unsigned
surname_level(const struct matcher *m, size_t i, size_t j)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned band;

    if (!a->sn || !b->sn)
        return ML_NULL;
    if (a->sn == b->sn)
        return ML_NAME_EXACT;
    band = dice_band(m, &a->snb, a->sn_bits, &b->snb, b->sn_bits);
    if (band == 0)
        return ML_NAME_DICE0;
    /* a particle dropped or one part of a double surname: before the
     * lower Dice bands, which a short part against a long whole reaches
     * as often as an unrelated name */
    if (surname_parts_agree(m, i, j))
        return ML_NAME_PART;
    if (transposed(m, i, j, MX_SN_SORTED, &a->snb, a->sn_bits, &b->snb,
                   b->sn_bits))
        band--; /* band > 0 here: one band up, as for a forename */
    if (a->phon && a->phon == b->phon)
        return ML_NAME_PHONETIC;
    return band < 3 ? dice_level[band] : ML_NAME_ELSE;
}

static unsigned
dob_level(const struct mrec *a, const struct mrec *b)
{
    unsigned diff;
    int dy;

    if (!a->dob || !b->dob)
        return ML_NULL;
    if (a->dob == b->dob)
        return ML_DOB_EXACT;
    if (a->dobsw && a->dobsw == b->dob)
        return ML_DOB_SWAP;
    diff = (a->year != b->year) + (a->month != b->month) + (a->day != b->day);
    if (diff != 1)
        return a->year == b->year ? ML_DOB_NEAR : ML_DOB_ELSE;
    if (a->day != b->day)
        return ML_DOB_DAY;
    if (a->month != b->month)
        return ML_DOB_MONTH;
    dy = (int)a->year - (int)b->year;
    return dy == 1 || dy == -1 ? ML_DOB_YEAR1 : ML_DOB_YEAR;
}

static unsigned
postcode_level(const struct mrec *a, const struct mrec *b)
{
    if (!a->unit || !b->unit)
        return ML_NULL;
    if (a->unit == b->unit)
        return ML_PC_UNIT;
    if (a->sector && a->sector == b->sector)
        return ML_PC_SECTOR;
    if (a->district && a->district == b->district)
        return ML_PC_DISTRICT;
    return ML_PC_ELSE;
}

/* Both names agree in some measure: swapped, or a forename from exact
 * down to the lowest Dice band and a surname given on both sides at any
 * level but else. */
static int
names_agree(const uint8_t *lv)
{
    unsigned fn = lv[MF_FORENAME], sn = lv[MF_SURNAME];

    if (fn == ML_NAME_SWAP)
        return 1;
    return fn != ML_NULL && fn <= ML_NAME_DICE2 && sn != ML_NULL &&
           sn != ML_NAME_ELSE;
}

/* The no-date-of-birth rule of the guard (match.h, guard_no_dob): 1 when
 * the pair lacks a date of birth on a side and has neither both names and
 * the postcode's unit or sector agreeing nor an extra identifier
 * agreeing. */
static int
no_dob_refused(const struct matcher *m, const uint8_t *lv)
{
    unsigned k;

    if (!m->cfg.guard_no_dob || lv[MF_DOB] != ML_NULL)
        return 0;
    for (k = 0; k < m->cfg.nextra; k++)
        if (lv[MF_EXTRA0 + k] == ML_EXTRA_EXACT &&
            (m->cfg.extra_strong >> k & 1u))
            return 0;
    return !(names_agree(lv) && (lv[MF_POSTCODE] == ML_PC_UNIT ||
                                 lv[MF_POSTCODE] == ML_PC_SECTOR));
}

/* Every field's level for records i and j into lv; 1 when the
 * disagreement guard refuses the pair (on a forename or a date of
 * birth), 2 when only its no-date-of-birth rule does. */
int
mx_levels_of(const struct matcher *m, size_t i, size_t j, uint8_t *lv)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned k, ne = m->cfg.nextra;
    int swap;

    lv[MF_FORENAME] = (uint8_t)forename_level(m, i, j, &swap);
    lv[MF_SURNAME] = (uint8_t)(swap ? swapped_surname_level(m, a, b)
                                    : surname_level(m, i, j));
    lv[MF_DOB] = (uint8_t)dob_level(a, b);
    lv[MF_POSTCODE] = (uint8_t)postcode_level(a, b);
    lv[MF_SEX] = !a->sex || !b->sex ? ML_NULL
                 : a->sex == b->sex ? ML_SEX_AGREE
                                    : ML_SEX_DISAGREE;
    for (k = 0; k < ne; k++) {
        uint32_t x = m->extra[i * ne + k], y = m->extra[j * ne + k];

        lv[MF_EXTRA0 + k] = !x || !y ? ML_NULL
                            : x == y ? ML_EXTRA_EXACT
                                     : ML_EXTRA_ELSE;
    }
    if ((m->cfg.guard_forename && (lv[MF_FORENAME] == ML_NAME_ELSE ||
                                   lv[MF_FORENAME] == ML_NAME_INITIAL_FULL)) ||
        (m->cfg.guard_dob && lv[MF_DOB] == ML_DOB_ELSE))
        return 1;
    return no_dob_refused(m, lv) ? 2 : 0;
}

/* The fields on which the guard refuses records i and j (GUARD_*), as
 * mx_levels_of() decides, without the other fields. */
unsigned
mx_guard_fields(const struct matcher *m, size_t i, size_t j)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned g = 0;
    int swap;

    if (m->cfg.guard_dob && dob_level(a, b) == ML_DOB_ELSE)
        g |= GUARD_DOB;
    if (m->cfg.guard_forename) {
        unsigned f = forename_level(m, i, j, &swap);

        if (f == ML_NAME_ELSE || f == ML_NAME_INITIAL_FULL)
            g |= GUARD_FORENAME;
    }
    return g;
}

/* The fields on which records i and j positively agree (GUARD_*): a
 * forename from exact down to the lowest Dice band, any dob level but
 * null and else. */
unsigned
mx_agree_fields(const struct matcher *m, size_t i, size_t j)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned g = 0, f, dl = dob_level(a, b);
    int swap;

    if (dl != ML_NULL && dl != ML_DOB_ELSE)
        g |= GUARD_DOB;
    f = forename_level(m, i, j, &swap);
    if (f != ML_NULL && f <= ML_NAME_DICE2)
        g |= GUARD_FORENAME;
    return g;
}

uint64_t
mx_pattern_of(const struct matcher *m, const uint8_t *lv)
{
    uint64_t p = 0;
    unsigned f;

    for (f = 0; f < m->nfields; f++)
        p |= (uint64_t)lv[f] << (4 * f);
    return p;
}

/* The pair's match weight (prior included) from its levels. */
double
mx_weight_of(const struct matcher *m, size_t i, size_t j, const uint8_t *lv)
{
    double w = m->prior;
    unsigned f;

    for (f = 0; f < m->nfields; f++)
        w += m->w[f][lv[f]];
    /* term frequencies: log2(m / tf) in place of log2(m / u) */
    if (lv[MF_FORENAME] == ML_NAME_EXACT)
        w += m->log2m_exact[0] - m->w[MF_FORENAME][ML_NAME_EXACT] -
             (log2((double)m->rec[i].fn_tf) - m->log2n);
    /* names swapped: the more common of the two surnames, as one of them
     * is a forename that is rare among surnames (Kirsteen Campbell and
     * Campbell Kirsteen weigh as Campbell does) */
    if (lv[MF_SURNAME] == ML_NAME_EXACT) {
        uint32_t tf = m->rec[i].sn_tf;

        if (lv[MF_FORENAME] == ML_NAME_SWAP && m->rec[j].sn_tf > tf)
            tf = m->rec[j].sn_tf;
        w += m->log2m_exact[1] - m->w[MF_SURNAME][ML_NAME_EXACT] -
             (log2((double)tf) - m->log2n);
    }
    return w;
}

#ifdef COHORT_TESTING
int
match_compare(const struct matcher *m, size_t a, size_t b, unsigned *levels)
{
    uint8_t lv[MF_MAX] = {0};
    unsigned f;
    int g = mx_levels_of(m, a, b, lv);

    for (f = 0; f < MF_MAX; f++)
        levels[f] = lv[f];
    return g;
}

double
match_pair_weight(const struct matcher *m, size_t a, size_t b)
{
    uint8_t lv[MF_MAX] = {0};

    mx_levels_of(m, a, b, lv);
    return mx_weight_of(m, a, b, lv);
}

int
match_pair_rule(const struct matcher *m, size_t a, size_t b)
{
    unsigned r;

    for (r = 0; r < m->cfg.nrules; r++) {
        uint32_t k = mx_block_key(m, r, a);

        if (k && k == mx_block_key(m, r, b) && !mx_is_capped(m, r, k))
            return (int)r;
    }
    return -1;
}
#endif
