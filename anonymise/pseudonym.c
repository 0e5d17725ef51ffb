#include "pseudonym.h"

#include "../core/calendar.h"
#include "../transform/normalise.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Common English forename variants; the job's nicknames file adds more. */
static const char *const builtin_nicknames[][2] = {
    {"abby", "abigail"}, {"al", "alan"}, {"alex", "alexander"},
    {"alf", "alfred"}, {"andy", "andrew"}, {"annie", "ann"},
    {"beth", "elizabeth"}, {"betty", "elizabeth"}, {"bill", "william"},
    {"billy", "william"}, {"bob", "robert"}, {"bobby", "robert"},
    {"charlie", "charles"}, {"chris", "christopher"}, {"dan", "daniel"},
    {"danny", "daniel"}, {"dave", "david"}, {"debbie", "deborah"},
    {"dick", "richard"}, {"ed", "edward"}, {"eddie", "edward"},
    {"ellie", "eleanor"}, {"fred", "frederick"}, {"freddie", "frederick"},
    {"gerry", "gerald"}, {"harry", "henry"}, {"jack", "john"},
    {"jim", "james"}, {"jimmy", "james"}, {"jenny", "jennifer"},
    {"jess", "jessica"}, {"joe", "joseph"}, {"johnny", "john"},
    {"kate", "katherine"}, {"katie", "katherine"}, {"kathy", "katherine"},
    {"ken", "kenneth"}, {"larry", "lawrence"}, {"liz", "elizabeth"},
    {"lizzie", "elizabeth"}, {"maggie", "margaret"}, {"matt", "matthew"},
    {"meg", "margaret"}, {"mick", "michael"}, {"mike", "michael"},
    {"nick", "nicholas"}, {"pat", "patricia"}, {"peggy", "margaret"},
    {"pete", "peter"}, {"rob", "robert"}, {"ron", "ronald"},
    {"sam", "samuel"}, {"sandy", "alexandra"}, {"steve", "stephen"},
    {"sue", "susan"}, {"susie", "susan"}, {"ted", "edward"},
    {"tom", "thomas"}, {"tommy", "thomas"}, {"tony", "anthony"},
    {"vicky", "victoria"}, {"will", "william"},
};

static int
cmp_nick(const void *a, const void *b)
{
    const struct nickname *x = a, *y = b;

    return strcmp(x->name, y->name);
}

/* By name, then in the order read: the last of a name's rows wins. */
static int
cmp_nick_order(const void *a, const void *b)
{
    const struct nickname *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * A table's name or root as forename_root() meets it: normalised as a
 * record's forename is (accents folded, Seán -> sean) and run together
 * ("Abdul Rahman" -> abdulrahman). 0, or -1 when nothing is left.
 */
static int
table_form(const char *in, char *out, size_t outsz)
{
    char norm[NAME_MAX_BYTES];
    int rc;

    if (normalise_name(in, strlen(in), norm, sizeof(norm)) < 0)
        return -1;
    rc = normalise_name_compact(norm, out, outsz);
    return rc < 0 ? -1 : 0;
}

static int
add_nick(struct pseudonymiser *ps, size_t *alloc, const char *name,
         const char *root)
{
    char n[NAME_MAX_BYTES], r[NAME_MAX_BYTES];

    if (table_form(name, n, sizeof(n)) < 0 ||
        table_form(root, r, sizeof(r)) < 0)
        return CE_CONFIG;
    if (ps->nnicknames == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 128;
        struct nickname *p = realloc(ps->nicknames, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        ps->nicknames = p;
        *alloc = na;
    }
    ps->nicknames[ps->nnicknames].name = strdup(n);
    ps->nicknames[ps->nnicknames].root = strdup(r);
    ps->nicknames[ps->nnicknames].order = ps->nnicknames;
    if (!ps->nicknames[ps->nnicknames].name ||
        !ps->nicknames[ps->nnicknames].root) {
        free(ps->nicknames[ps->nnicknames].name);
        free(ps->nicknames[ps->nnicknames].root);
        return CE_NOMEM;
    }
    ps->nnicknames++;
    return 0;
}

static void
lower_trim(char *s)
{
    char *p = s, *w = s;

    while (*p == ' ')
        p++;
    for (; *p && *p != '\r' && *p != '\n'; p++)
        *w++ = (char)tolower((unsigned char)*p);
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

/*
 * Reads one table file (a header line, then name,root rows; blank lines
 * and lines starting with '#' skipped) into ps. what names the job key in
 * a diagnostic. 0, CE_CONFIG, CE_IO or CE_NOMEM.
 */
static int
load_table(struct pseudonymiser *ps, size_t *alloc, const char *path,
           const char *what, struct diag *d)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t la = 0;
    long lineno = 0;
    int rc = 0;

    if (!f) {
        int e = errno;

        diag_set(d, path, 0, 0, what, "cannot read the %s table: %s", what,
                 strerror(e));
        return e == ENOMEM ? CE_NOMEM : CE_CONFIG;
    }
    while (getline(&line, &la, f) >= 0) {
        char *comma = strchr(line, ',');

        if (++lineno == 1 || line[0] == '#')
            continue; /* header: name,root; a comment */
        if (!comma) {
            if (line[0] == '\n' || line[0] == '\r' || !line[0])
                continue;
            diag_set(d, path, lineno, 0, what, "expected name,root");
            rc = CE_CONFIG;
            goto out;
        }
        *comma = '\0';
        lower_trim(line);
        lower_trim(comma + 1);
        if (!line[0] || !comma[1])
            continue;
        if ((rc = add_nick(ps, alloc, line, comma + 1)) < 0) {
            if (rc == CE_CONFIG)
                diag_set(d, path, lineno, 0, what,
                         "a name or root with no letter or digit");
            goto out;
        }
    }
    /* getline's -1 is the end or an error (ENOMEM among them): a
     * table cut short would link fewer names without a word */
    if (!feof(f)) {
        int e = errno;

        if (e == ENOMEM) {
            rc = CE_NOMEM;
            goto out;
        }
        diag_set(d, path, lineno + 1, 0, what, "cannot read the %s table: %s",
                 what, strerror(e));
        rc = CE_IO;
    }
out:
    free(line);
    fclose(f);
    if (rc == CE_NOMEM)
        diag_set(d, path, 0, 0, NULL, "out of memory");
    return rc;
}

static const struct nickname *
find_nick(const struct pseudonymiser *ps, const char *name)
{
    struct nickname key;

    key.name = (char *)(uintptr_t)name;
    return ps->nnicknames ? bsearch(&key, ps->nicknames, ps->nnicknames,
                                    sizeof(*ps->nicknames), cmp_nick)
                          : NULL;
}

#define ROOT_CHAIN_MAX 16

/*
 * The root a chain of rows ends at (cathy -> catherine -> katherine: every
 * name of it gets katherine), so that a table need not repeat a root's own
 * root and two tables meet. A cycle ends at its smallest name, whichever
 * of its names it is entered by; a chain longer than ROOT_CHAIN_MAX ends
 * where it is cut.
 */
static const char *
chain_root(const struct pseudonymiser *ps, const struct nickname *start)
{
    const char *seen[ROOT_CHAIN_MAX];
    const struct nickname *at = start;
    size_t n = 0, i;

    seen[n++] = start->name;
    while (n < ROOT_CHAIN_MAX) {
        const struct nickname *next = find_nick(ps, at->root);

        for (i = 0; i < n; i++)
            if (!strcmp(seen[i], at->root)) {
                /* the cycle is seen[i..n): its smallest name */
                const char *min = seen[i];

                for (; i < n; i++)
                    if (strcmp(seen[i], min) < 0)
                        min = seen[i];
                return min;
            }
        if (!next || !strcmp(next->root, next->name))
            return at->root;
        seen[n++] = next->name;
        at = next;
    }
    return at->root;
}

/*
 * Sorts the rows by name, keeps the last row read of each name, then
 * points every row at the root its chain ends at. 0 or CE_NOMEM.
 */
static int
settle_table(struct pseudonymiser *ps)
{
    char **roots;
    size_t i, w = 0;
    int rc = 0;

    if (ps->nnicknames < 1)
        return 0;
    qsort(ps->nicknames, ps->nnicknames, sizeof(*ps->nicknames),
          cmp_nick_order);
    for (i = 0; i < ps->nnicknames; i++) {
        if (i + 1 < ps->nnicknames &&
            !strcmp(ps->nicknames[i].name, ps->nicknames[i + 1].name)) {
            free(ps->nicknames[i].name);
            free(ps->nicknames[i].root);
            continue;
        }
        ps->nicknames[w++] = ps->nicknames[i];
    }
    ps->nnicknames = w;
    if (!(roots = calloc(w, sizeof(*roots))))
        return CE_NOMEM;
    for (i = 0; i < w && !rc; i++) {
        const char *r = chain_root(ps, &ps->nicknames[i]);

        if (strcmp(r, ps->nicknames[i].root) && !(roots[i] = strdup(r)))
            rc = CE_NOMEM;
    }
    for (i = 0; i < w; i++)
        if (roots[i]) {
            free(ps->nicknames[i].root);
            ps->nicknames[i].root = roots[i];
        }
    free(roots);
    return rc;
}

/*
 * The built-in nicknames, then the job's nicknames file, then its
 * name_variants file: for a name in more than one, the last row read
 * wins. 0, CE_CONFIG, CE_IO or CE_NOMEM.
 */
static int
load_nicknames(struct pseudonymiser *ps, const struct job_plan *plan,
               struct diag *d)
{
    size_t alloc = 0, i;
    int rc;

    for (i = 0; i < sizeof(builtin_nicknames) / sizeof(builtin_nicknames[0]);
         i++)
        if ((rc = add_nick(ps, &alloc, builtin_nicknames[i][0],
                           builtin_nicknames[i][1])) < 0)
            goto nomem;
    if (plan->nicknames && plan->nicknames[0] &&
        (rc = load_table(ps, &alloc, plan->nicknames, "nicknames", d)) < 0)
        return rc;
    if (plan->name_variants && plan->name_variants[0] &&
        (rc = load_table(ps, &alloc, plan->name_variants, "name_variants",
                         d)) < 0)
        return rc;
    if ((rc = settle_table(ps)) < 0)
        goto nomem;
    return 0;
nomem:
    diag_set(d, NULL, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}

/* Where each purpose's SipHash subkey sits in ps->subkeys. */
static size_t
field_slot(const struct pseudonymiser *ps, int kc)
{
    return ps->plan->linkage.nkeys + (size_t)kc;
}

static size_t
scope_slot(const struct pseudonymiser *ps)
{
    return ps->plan->linkage.nkeys + KC_COUNT;
}

static size_t
record_slot(const struct pseudonymiser *ps)
{
    return ps->plan->linkage.nkeys + KC_COUNT + 1;
}

static size_t
household_slot(const struct pseudonymiser *ps)
{
    return ps->plan->linkage.nkeys + KC_COUNT + 2;
}

int
pseudonymiser_init(struct pseudonymiser *ps, const struct job_plan *plan,
                   const struct cohort_key *k, struct diag *d)
{
    const struct linkage_plan *lp = &plan->linkage;
    size_t i, c;
    int rc;

    memset(ps, 0, sizeof(*ps));
    ps->plan = plan;
    ps->subkeys = sodium_malloc((lp->nkeys + KC_COUNT + 3) *
                                sizeof(*ps->subkeys));
    if (!ps->subkeys) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < lp->nkeys; i++)
        key_pseudonym_subkey(k, i + 1, ps->subkeys[i]);
    for (i = 0; i < KC_COUNT; i++)
        key_pseudonym_subkey(k, PSEUDONYM_FIELD_ID + i,
                             ps->subkeys[field_slot(ps, (int)i)]);
    key_pseudonym_subkey(k, PSEUDONYM_SCOPE_ID, ps->subkeys[scope_slot(ps)]);
    key_record_subkey(k, ps->subkeys[record_slot(ps)]);
    key_pseudonym_subkey(k, PSEUDONYM_HOUSEHOLD_ID,
                         ps->subkeys[household_slot(ps)]);
    /* the component kinds any key uses, each encoded once a row */
    for (i = 0; i < lp->nkeys; i++)
        for (c = 0; c < lp->keys[i].ncomponents; c++) {
            int kc = lp->keys[i].components[c];

            if (kc >= 0 && kc < KC_COUNT && !ps->uses[kc]) {
                ps->uses[kc] = 1;
                ps->components[ps->ncomponents++] = (uint8_t)kc;
            }
        }
    if ((rc = load_nicknames(ps, plan, d)) < 0) {
        pseudonymiser_release(ps);
        return rc;
    }
    return 0;
}

int
soundex(const char *name, char out[5])
{
    /* a b c d e f g h i j k l m n o p q r s t u v w x y z */
    static const char codes[26] = {'0', '1', '2', '3', '0', '1', '2', 'h',
                                   '0', '2', '2', '4', '5', '5', '0', '1',
                                   '2', '6', '2', '3', '0', '1', 'h', '2',
                                   '0', '2'};
    size_t o = 0;
    char last = 0;

    for (; *name; name++) {
        int c = tolower((unsigned char)*name);
        char code;

        if (c < 'a' || c > 'z')
            continue;
        code = codes[c - 'a'];
        if (o == 0) {
            out[o++] = (char)toupper(c);
            last = code;
            continue;
        }
        if (code == 'h')
            continue; /* h and w do not separate equal codes */
        if (code != '0' && code != last)
            out[o++] = code;
        last = code;
        if (o == 4)
            break;
    }
    if (!o)
        return -1;
    while (o < 4)
        out[o++] = '0';
    out[4] = '\0';
    return 0;
}

/* snprintf(out, outsz, "%s", s) without its cost: s cut to fit. */
static void
copy_cut(char *out, size_t outsz, const char *s)
{
    size_t len = strlen(s);

    if (!outsz)
        return;
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

void
surname_root(const struct pseudonymiser *ps, const char *surname, char *out,
             size_t outsz)
{
    const struct nickname *hit = NULL;
    char word[NAME_MAX_BYTES];

    if (outsz)
        out[0] = '\0';
    if (normalise_name_compact(surname, word, sizeof(word)) > 0)
        hit = find_nick(ps, word);
    if (hit && strcmp(hit->root, word) != 0)
        snprintf(out, outsz, "%s", hit->root);
    sodium_memzero(word, sizeof(word));
}

void
forename_root(const struct pseudonymiser *ps, const char *forename, char *out,
              size_t outsz)
{
    const struct nickname *hit;
    char word[NAME_MAX_BYTES];
    size_t n, w = 0;

    /* the whole forename run together: Abdul Rahman, Anne-Marie */
    if (normalise_name_compact(forename, word, sizeof(word)) > 0 &&
        (hit = find_nick(ps, word))) {
        copy_cut(out, outsz, hit->root);
        sodium_memzero(word, sizeof(word));
        return;
    }
    /* else its first word, with a one-letter word before it (D'Arcy) */
    n = strcspn(forename, " ");
    if (n == 1 && forename[1] == ' ' && forename[2] && forename[2] != ' ') {
        word[w++] = forename[0];
        forename += 2;
        n = strcspn(forename, " ");
    }
    if (w + n >= sizeof(word))
        n = sizeof(word) - 1 - w;
    memcpy(word + w, forename, n);
    word[w + n] = '\0';
    hit = find_nick(ps, word);
    copy_cut(out, outsz, hit ? hit->root : word);
    sodium_memzero(word, sizeof(word));
}

/* Copies s into buf[n] as snprintf("%s") would, without its cost: the
 * length of s (n or more: did not fit). */
static size_t
text(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);

    if (len < n)
        memcpy(buf, s, len + 1);
    else if (n)
        buf[0] = '\0';
    return len;
}

/* A number of width digits, zero-padded, at p; returns p after it. */
static char *
digits(char *p, int v, int width)
{
    int i;

    for (i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* The text of one component, or 0 when the record lacks it. */
static size_t
component(const struct pseudonymiser *ps, const struct record *r,
          const struct source_plan *sp, int kc, char *buf, size_t n)
{
    int y, m, d;
    const char *sp_ch, *scope;
    size_t ls, li;
    char *p;

    buf[0] = '\0';
    switch (kc) {
    case CF_NHS_NUMBER:
        return text(buf, n, r->nhs_number);
    case CF_UPN:
        return text(buf, n, r->upn);
    case CF_ULN:
        return text(buf, n, r->uln);
    case CF_NI_NUMBER:
        return text(buf, n, r->ni_number);
    case CF_LOCAL_ID:
        if (!r->local_id[0])
            return 0;
        scope = sp->id_scope ? sp->id_scope : sp->name;
        ls = strlen(scope);
        li = strlen(r->local_id);
        if (ls + 1 + li >= n)
            return ls + 1 + li; /* does not fit: no key */
        memcpy(buf, scope, ls);
        buf[ls] = '\x1e';
        memcpy(buf + ls + 1, r->local_id, li + 1);
        return ls + 1 + li;
    case CF_FORENAME:
        /* written with a space, a hyphen or without: one key */
        return r->forename[0] &&
                       normalise_name_compact(r->forename, buf, n) > 0
                   ? strlen(buf)
                   : 0;
    case CF_SURNAME:
        /* and McDonald as MacDonald, Ní Bhriain as Ó Briain */
        return r->surname[0] && normalise_surname_joined(r->surname, buf, n) > 0
                   ? strlen(buf)
                   : 0;
    case CF_POSTCODE:
        return text(buf, n, r->postcode);
    case CF_UPRN:
        return text(buf, n, r->uprn);
    case CF_DOB:
        if (r->dob == DAY_NONE)
            return 0;
        format_iso_date(r->dob, buf);
        return 10;
    case CF_SEX:
        if (r->sex == SEX_U)
            return 0;
        return text(buf, n, sex_name((enum sex_code)r->sex));
    case KC_INITIAL:
        if (!r->forename[0])
            return 0;
        buf[0] = r->forename[0];
        buf[1] = '\0';
        return 1;
    case KC_SECTOR:
    case KC_DISTRICT:
        if (!r->postcode[0] || !(sp_ch = strchr(r->postcode, ' ')))
            return 0;
        ls = (size_t)(sp_ch - r->postcode) + (kc == KC_SECTOR ? 2 : 0);
        ls = strnlen(r->postcode, ls); /* "AB1 " has no sector digit */
        memcpy(buf, r->postcode, ls);
        buf[ls] = '\0';
        return ls;
    case KC_DOB_YEAR:
        if (r->dob == DAY_NONE)
            return 0;
        civil_from_days(r->dob, &y, &m, &d);
        if (y < 0 || y > 9999)
            return 0;
        *digits(buf, y, 4) = '\0';
        return 4;
    case KC_DOB_UNORDERED:
        if (r->dob == DAY_NONE)
            return 0;
        civil_from_days(r->dob, &y, &m, &d);
        if (y < 0 || y > 9999)
            return 0;
        p = digits(buf, y, 4);
        *p++ = '-';
        p = digits(p, m < d ? m : d, 2);
        *p++ = '-';
        *digits(p, m < d ? d : m, 2) = '\0';
        return 10;
    case KC_FORENAME_ROOT:
        if (!r->forename[0])
            return 0;
        forename_root(ps, r->forename, buf, n);
        return strlen(buf);
    case KC_SURNAME_PHONETIC: {
        char joined[NAME_MAX_BYTES];
        int ok = r->surname[0] &&
                 normalise_surname_joined(r->surname, joined,
                                          sizeof(joined)) > 0 &&
                 soundex(joined, buf) == 0;

        sodium_memzero(joined, sizeof(joined));
        return ok ? 4 : 0;
    }
    default:
        return 0;
    }
}

/* The keyed encoding of one value of component kind kc. */
static void
encode(const struct pseudonymiser *ps, int kc, const char *value, size_t n,
       unsigned char out[16])
{
    crypto_shorthash_siphashx24(out, (const unsigned char *)value, n,
                                ps->subkeys[field_slot(ps, kc)]);
}

/* An anchor: the first 8 bytes of an encoding, never 0 (0 is none). */
static uint64_t
anchor_from(const unsigned char enc[16])
{
    uint64_t v;

    memcpy(&v, enc, sizeof(v));
    return v ? v : 1;
}

/*
 * The anchor of an identifier field: its encoding when a key used it
 * (already computed this row), else one computed here. Equal values,
 * equal anchors, whichever way.
 */
static uint64_t
field_anchor(const struct pseudonymiser *ps, unsigned char (*enc)[16],
             const uint8_t *have, int field, const char *value)
{
    unsigned char e[16];
    uint64_t v;

    if (ps->uses[field] && have[field])
        return anchor_from(enc[field]);
    encode(ps, field, value, strlen(value), e);
    v = anchor_from(e);
    sodium_memzero(e, sizeof(e));
    return v;
}

void
pseudonymise(const struct pseudonymiser *ps, const struct record *rec,
             const struct source_plan *sp, unsigned char (*out)[16],
             uint8_t *present, struct link_anchors *a)
{
    const struct linkage_plan *lp = &ps->plan->linkage;
    unsigned char enc[KC_COUNT][16];
    unsigned char buf[MATCH_KEY_MAX_COMPONENTS * 17];
    uint8_t have[KC_COUNT];
    char part[256];
    size_t k, c;

    /* each component's text and keyed encoding, once a row */
    memset(have, 0, sizeof(have));
    for (c = 0; c < ps->ncomponents; c++) {
        int kc = ps->components[c];
        size_t n = component(ps, rec, sp, kc, part, sizeof(part));

        if (n == 0 || n >= sizeof(part))
            continue;
        encode(ps, kc, part, n, enc[kc]);
        have[kc] = 1;
    }
    /* each key: kind and encoding of every component, under its subkey */
    for (k = 0; k < lp->nkeys; k++) {
        const struct match_key_plan *mk = &lp->keys[k];
        size_t len = 0;

        present[k] = mk->ncomponents > 0 &&
                     mk->ncomponents <= MATCH_KEY_MAX_COMPONENTS;
        for (c = 0; c < mk->ncomponents && present[k]; c++) {
            int kc = mk->components[c];

            if (kc < 0 || kc >= KC_COUNT || !have[kc]) {
                present[k] = 0;
                break;
            }
            buf[len++] = (unsigned char)kc;
            memcpy(buf + len, enc[kc], 16);
            len += 16;
        }
        if (!present[k]) {
            memset(out[k], 0, 16);
            continue;
        }
        crypto_shorthash_siphashx24(out[k], buf, len, ps->subkeys[k]);
    }
    if (a) {
        a->nhs = rec->nhs_number[0]
                     ? field_anchor(ps, enc, have, CF_NHS_NUMBER,
                                    rec->nhs_number)
                     : 0;
        a->upn = rec->upn[0] ? field_anchor(ps, enc, have, CF_UPN, rec->upn)
                             : 0;
    }
    sodium_memzero(enc, sizeof(enc));
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(part, sizeof(part));
}

/* SipHash-128 under sk of the scope name's own hash (fixed length), then
 * the id: no scope and id can run into another's. For scoped local ids
 * and household ids, each under its own subkey. */
static void
scoped_hash(const unsigned char *sk, const char *scope, const char *id,
            unsigned char out[16])
{
    unsigned char in[16 + LOCAL_ID_MAX_BYTES];
    size_t n = strnlen(id, LOCAL_ID_MAX_BYTES);

    crypto_shorthash_siphashx24(in, (const unsigned char *)scope,
                                strlen(scope), sk);
    memcpy(in + 16, id, n);
    crypto_shorthash_siphashx24(out, in, 16 + n, sk);
    sodium_memzero(in, sizeof(in));
}

int
pseudonymise_scoped_id(const struct pseudonymiser *ps,
                       const struct record *rec, const struct source_plan *sp,
                       unsigned char out[16], uint64_t *dob)
{
    unsigned char e[16];
    char iso[16];

    *dob = 0;
    if (!sp->id_scope || !rec->local_id[0]) {
        memset(out, 0, 16);
        return -1;
    }
    scoped_hash(ps->subkeys[scope_slot(ps)], sp->id_scope, rec->local_id,
                out);
    if (rec->dob != DAY_NONE) {
        /* the date of birth's encoding, as a key's dob component */
        format_iso_date(rec->dob, iso);
        encode(ps, CF_DOB, iso, strlen(iso), e);
        *dob = anchor_from(e);
        sodium_memzero(iso, sizeof(iso));
        sodium_memzero(e, sizeof(e));
    }
    return 0;
}

int
pseudonymise_household(const struct pseudonymiser *ps,
                       const struct record *rec, const struct source_plan *sp,
                       unsigned char out[16])
{
    if (!rec->household_id[0]) {
        memset(out, 0, 16);
        return -1;
    }
    scoped_hash(ps->subkeys[household_slot(ps)],
                sp->id_scope ? sp->id_scope : sp->name, rec->household_id,
                out);
    return 0;
}

uint8_t
pseudonym_record_key(const struct pseudonymiser *ps, unsigned key_index,
                     uint64_t token)
{
    unsigned char in[9], out[16];
    uint8_t rk;
    int i;

    in[0] = (unsigned char)key_index;
    for (i = 0; i < 8; i++)
        in[1 + i] = (unsigned char)(token >> (56 - 8 * i));
    crypto_shorthash_siphashx24(out, in, sizeof(in),
                                ps->subkeys[record_slot(ps)]);
    rk = out[0];
    sodium_memzero(out, sizeof(out));
    return rk;
}

void
pseudonymiser_release(struct pseudonymiser *ps)
{
    size_t i;

    if (ps->subkeys)
        sodium_free(ps->subkeys); /* zeroes them */
    for (i = 0; i < ps->nnicknames; i++) {
        free(ps->nicknames[i].name);
        free(ps->nicknames[i].root);
    }
    free(ps->nicknames);
    memset(ps, 0, sizeof(*ps));
}
