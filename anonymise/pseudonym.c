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

int
pseudonymiser_init(struct pseudonymiser *ps, const struct job_plan *plan,
                   const struct cohort_key *k, struct diag *d)
{
    size_t i;
    unsigned char sub[32];
    int rc;

    memset(ps, 0, sizeof(*ps));
    ps->plan = plan;
    ps->states = sodium_malloc((plan->linkage.nkeys + 1) *
                               sizeof(crypto_generichash_state));
    if (!ps->states) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < plan->linkage.nkeys; i++) {
        key_subkey(k, i + 1, sub);
        crypto_generichash_init(&ps->states[i], sub, sizeof(sub), 16);
    }
    key_subkey(k, 1000, sub);
    crypto_generichash_init(&ps->anchor_state, sub, sizeof(sub), 8);
    key_subkey(k, 1001, sub);
    crypto_generichash_init(&ps->scope_state, sub, sizeof(sub), 16);
    key_subkey(k, 1002, sub);
    crypto_generichash_init(&ps->household_state, sub, sizeof(sub), 16);
    key_record_subkey(k, sub);
    crypto_generichash_init(&ps->record_key_state, sub, sizeof(sub), 16);
    sodium_memzero(sub, sizeof(sub));
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
        snprintf(out, outsz, "%s", hit->root);
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
    snprintf(out, outsz, "%s", hit ? hit->root : word);
    sodium_memzero(word, sizeof(word));
}

/* The text of one component, or 0 when the record lacks it. */
static size_t
component(const struct pseudonymiser *ps, const struct record *r,
          const struct source_plan *sp, int kc, char *buf, size_t n)
{
    int y, m, d;
    const char *sp_ch;

    buf[0] = '\0';
    switch (kc) {
    case CF_NHS_NUMBER:
        return (size_t)snprintf(buf, n, "%s", r->nhs_number);
    case CF_UPN:
        return (size_t)snprintf(buf, n, "%s", r->upn);
    case CF_ULN:
        return (size_t)snprintf(buf, n, "%s", r->uln);
    case CF_NI_NUMBER:
        return (size_t)snprintf(buf, n, "%s", r->ni_number);
    case CF_LOCAL_ID:
        if (!r->local_id[0])
            return 0;
        return (size_t)snprintf(buf, n, "%s\x1e%s",
                                sp->id_scope ? sp->id_scope : sp->name,
                                r->local_id);
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
        return (size_t)snprintf(buf, n, "%s", r->postcode);
    case CF_UPRN:
        return (size_t)snprintf(buf, n, "%s", r->uprn);
    case CF_DOB:
        if (r->dob == DAY_NONE)
            return 0;
        format_iso_date(r->dob, buf);
        return 10;
    case CF_SEX:
        if (r->sex == SEX_U)
            return 0;
        return (size_t)snprintf(buf, n, "%s", sex_name((enum sex_code)r->sex));
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
        return (size_t)snprintf(buf, n, "%.*s",
                                (int)(sp_ch - r->postcode) +
                                    (kc == KC_SECTOR ? 2 : 0),
                                r->postcode);
    case KC_DOB_YEAR:
        if (r->dob == DAY_NONE)
            return 0;
        civil_from_days(r->dob, &y, &m, &d);
        return (size_t)snprintf(buf, n, "%04d", y);
    case KC_DOB_UNORDERED:
        if (r->dob == DAY_NONE)
            return 0;
        civil_from_days(r->dob, &y, &m, &d);
        return (size_t)snprintf(buf, n, "%04d-%02d-%02d", y, m < d ? m : d,
                                m < d ? d : m);
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

static uint64_t
anchor(const struct pseudonymiser *ps, char tag, const char *value)
{
    crypto_generichash_state st = ps->anchor_state;
    unsigned char h[8];
    uint64_t v;

    crypto_generichash_update(&st, (const unsigned char *)&tag, 1);
    crypto_generichash_update(&st, (const unsigned char *)value,
                              strlen(value));
    crypto_generichash_final(&st, h, sizeof(h));
    memcpy(&v, h, sizeof(v));
    sodium_memzero(&st, sizeof(st));
    return v ? v : 1;
}

/*
 * The anchor of an identifier the plan also has as a match key of its own
 * (`nhs_number`, `upn`): the first 8 bytes of that key's hash, already
 * computed, rather than a second keyed hash of the same value. Equal
 * values give equal anchors either way, and that is all the linker and
 * the scope index ask of them; the key's presence and the identifier's
 * are the same condition (a non-empty value), so every record of a run
 * takes its anchor the same way.
 */
static uint64_t
anchor_of(const struct pseudonymiser *ps, unsigned char (*out)[16],
          const uint8_t *present, int field, char tag, const char *value)
{
    const struct linkage_plan *lp = &ps->plan->linkage;
    size_t k;
    uint64_t v;

    for (k = 0; k < lp->nkeys; k++)
        if (lp->keys[k].ncomponents == 1 &&
            lp->keys[k].components[0] == field && present[k]) {
            memcpy(&v, out[k], sizeof(v));
            return v ? v : 1;
        }
    return anchor(ps, tag, value);
}

void
pseudonymise(const struct pseudonymiser *ps, const struct record *rec,
             const struct source_plan *sp, unsigned char (*out)[16],
             uint8_t *present, struct link_anchors *a)
{
    const struct linkage_plan *lp = &ps->plan->linkage;
    unsigned char buf[1024];
    char part[256];
    size_t k, c;

    for (k = 0; k < lp->nkeys; k++) {
        const struct match_key_plan *mk = &lp->keys[k];
        size_t len = 0;
        crypto_generichash_state st;

        present[k] = 1;
        for (c = 0; c < mk->ncomponents; c++) {
            size_t n = component(ps, rec, sp, mk->components[c], part,
                                 sizeof(part));

            if (n == 0 || n >= sizeof(part) || len + n + 3 > sizeof(buf)) {
                present[k] = 0;
                break;
            }
            /* component id, length, value: "ab"+"c" != "a"+"bc" */
            buf[len++] = mk->components[c];
            buf[len++] = (unsigned char)(n >> 8);
            buf[len++] = (unsigned char)(n & 0xFF);
            memcpy(buf + len, part, n);
            len += n;
        }
        if (!present[k]) {
            memset(out[k], 0, 16);
            continue;
        }
        st = ps->states[k];
        crypto_generichash_update(&st, buf, len);
        crypto_generichash_final(&st, out[k], 16);
        sodium_memzero(&st, sizeof(st));
    }
    if (a) {
        a->nhs = rec->nhs_number[0]
                     ? anchor_of(ps, out, present,
                                 KC_FIELD_BASE + CF_NHS_NUMBER, 'n',
                                 rec->nhs_number)
                     : 0;
        a->upn = rec->upn[0] ? anchor_of(ps, out, present,
                                         KC_FIELD_BASE + CF_UPN, 'u', rec->upn)
                             : 0;
    }
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(part, sizeof(part));
}

int
pseudonymise_scoped_id(const struct pseudonymiser *ps,
                       const struct record *rec, const struct source_plan *sp,
                       unsigned char out[16], uint64_t *dob)
{
    crypto_generichash_state st;
    char iso[16];
    size_t n;

    *dob = 0;
    if (!sp->id_scope || !rec->local_id[0]) {
        memset(out, 0, 16);
        return -1;
    }
    /* scope name, a separator no name holds, then the id */
    st = ps->scope_state;
    n = strlen(sp->id_scope);
    crypto_generichash_update(&st, (const unsigned char *)sp->id_scope, n);
    crypto_generichash_update(&st, (const unsigned char *)"\x1e", 1);
    crypto_generichash_update(&st, (const unsigned char *)rec->local_id,
                              strlen(rec->local_id));
    crypto_generichash_final(&st, out, 16);
    sodium_memzero(&st, sizeof(st));
    if (rec->dob != DAY_NONE) {
        format_iso_date(rec->dob, iso);
        *dob = anchor(ps, 'd', iso);
        sodium_memzero(iso, sizeof(iso));
    }
    return 0;
}

int
pseudonymise_household(const struct pseudonymiser *ps,
                       const struct record *rec, const struct source_plan *sp,
                       unsigned char out[16])
{
    crypto_generichash_state st;
    const char *scope = sp->id_scope ? sp->id_scope : sp->name;

    if (!rec->household_id[0]) {
        memset(out, 0, 16);
        return -1;
    }
    st = ps->household_state;
    crypto_generichash_update(&st, (const unsigned char *)scope,
                              strlen(scope));
    crypto_generichash_update(&st, (const unsigned char *)"\x1e", 1);
    crypto_generichash_update(&st, (const unsigned char *)rec->household_id,
                              strlen(rec->household_id));
    crypto_generichash_final(&st, out, 16);
    sodium_memzero(&st, sizeof(st));
    return 0;
}

uint8_t
pseudonym_record_key(const struct pseudonymiser *ps, unsigned key_index,
                     uint64_t token)
{
    crypto_generichash_state st = ps->record_key_state;
    unsigned char in[9], out[16];
    uint8_t rk;
    int i;

    in[0] = (unsigned char)key_index;
    for (i = 0; i < 8; i++)
        in[1 + i] = (unsigned char)(token >> (56 - 8 * i));
    crypto_generichash_update(&st, in, sizeof(in));
    crypto_generichash_final(&st, out, sizeof(out));
    rk = out[0];
    sodium_memzero(&st, sizeof(st));
    sodium_memzero(out, sizeof(out));
    return rk;
}

void
pseudonymiser_release(struct pseudonymiser *ps)
{
    size_t i;

    if (ps->states)
        sodium_free(ps->states);
    for (i = 0; i < ps->nnicknames; i++) {
        free(ps->nicknames[i].name);
        free(ps->nicknames[i].root);
    }
    free(ps->nicknames);
    sodium_memzero(&ps->anchor_state, sizeof(ps->anchor_state));
    sodium_memzero(&ps->scope_state, sizeof(ps->scope_state));
    sodium_memzero(&ps->household_state, sizeof(ps->household_state));
    sodium_memzero(&ps->record_key_state, sizeof(ps->record_key_state));
    memset(ps, 0, sizeof(ps->plan));
    ps->states = NULL;
    ps->nicknames = NULL;
    ps->nnicknames = 0;
}
