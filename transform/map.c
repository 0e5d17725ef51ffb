#include "map.h"
#include "contact.h"
#include "normalise.h"
#include "validate.h"

#include "../core/calendar.h"

#include <ctype.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
trim(const char **p, size_t *n)
{
    while (*n && isspace((unsigned char)**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

static int
canonical_index(const struct job_plan *plan, const struct source_plan *src,
                enum value_field vf, const char *canonical)
{
    size_t i;

    switch (vf) {
    case VF_SEX:
        for (i = 0; i < SEX_COUNT; i++)
            if (!strcmp(canonical, sex_name((enum sex_code)i)))
                return (int)i;
        return -1;
    case VF_ETHNICITY:
        for (i = 0; i < ETH_COUNT; i++)
            if (!strcmp(canonical, ethnic_group_name((enum ethnic_group)i)))
                return (int)i;
        return -1;
    default:
        return job_plan_service_index(plan, (int)src->department, canonical);
    }
}

/* Orders value codes by code, ignoring ASCII case, shorter first on a tie. */
static int
code_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int r = strncasecmp(a, b, an < bn ? an : bn);

    if (r)
        return r;
    return an < bn ? -1 : an > bn;
}

static int
value_code_cmp(const void *a, const void *b)
{
    const struct value_code *x = a, *y = b;

    return code_cmp(x->code, x->len, y->code, y->len);
}

/* Compiles the value map of field v into vl: canonical indexes, sorted
 * for a binary search. 0 or CE_NOMEM. */
static int
compile_values(struct value_lookup *vl, const struct job_plan *plan,
               const struct source_plan *source, enum value_field v)
{
    const struct value_map *vm = &source->values[v];
    size_t i;

    vl->n = vm->n;
    vl->default_value = -1;
    if (vm->n && !(vl->codes = calloc(vm->n, sizeof(*vl->codes))))
        return CE_NOMEM;
    for (i = 0; i < vm->n; i++) {
        vl->codes[i].code = vm->entries[i].code;
        vl->codes[i].len = strlen(vm->entries[i].code);
        vl->codes[i].canonical =
            canonical_index(plan, source, v, vm->entries[i].canonical);
    }
    if (vm->n > 1)
        qsort(vl->codes, vm->n, sizeof(*vl->codes), value_code_cmp);
    if (vm->default_value)
        vl->default_value = canonical_index(plan, source, v,
                                            vm->default_value);
    return 0;
}

/* Splits the formats of one date field (field's own, else the source's)
 * into df. 0 or CE_NOMEM; a list the config accepted always splits. */
static int
split_formats(struct date_formats *df, const struct source_plan *source,
              enum common_field field)
{
    const char *text = source->field_date_format[field]
                           ? source->field_date_format[field]
                           : source->date_format;
    const char *starts[DATE_FORMATS_MAX];
    size_t lens[DATE_FORMATS_MAX], o = 0;
    int n, i;

    if (!text || !*text ||
        (n = date_format_split(text, starts, lens, DATE_FORMATS_MAX)) <= 0)
        return 0;
    if (!(df->text = malloc(strlen(text) + 1)))
        return CE_NOMEM;
    for (i = 0; i < n; i++) {
        memcpy(df->text + o, starts[i], lens[i]);
        df->text[o + lens[i]] = '\0';
        df->fmt[i] = df->text + o;
        o += lens[i] + 1;
    }
    df->n = (size_t)n;
    return 0;
}

int
mapping_init(struct source_mapping *m, const struct job_plan *plan,
             const struct source_plan *source, const struct cell *header,
             size_t ncolumns, struct diag *d)
{
    static const enum common_field date_field[MAP_DATES] = {
        CF_DOB, CF_START_DATE, CF_END_DATE};
    int f, y, mo, dd;
    size_t v;

    memset(m, 0, sizeof(*m));
    if (mapping_check_compared(plan, source, header, ncolumns, d) < 0)
        return CE_CONFIG;
    m->plan = plan;
    m->source = source;
    m->fixed_service = -1;
    for (f = 0; f < CF_COUNT; f++) {
        m->column[f] = -1;
        if (!source->column[f])
            continue;
        m->column[f] = row_header_index(header, ncolumns, source->column[f]);
        if (m->column[f] >= 0)
            continue;
        if (source->column_optional[f]) {
            m->absent[f] = 1;
            continue;
        }
        diag_set(d, source->name, source->column_line[f], 0, "column",
                 "mapped column '%s' (field.%s) is not in the header",
                 source->column[f], common_field_name((enum common_field)f));
        return CE_DATA;
    }
    if (coded_mapping_init(&m->coded, source, header, ncolumns, d) < 0)
        return CE_DATA;
    for (v = 0; v < VF_COUNT; v++)
        if (compile_values(&m->values[v], plan, source, (enum value_field)v) <
            0)
            goto nomem;
    for (v = 0; v < MAP_DATES; v++)
        if (split_formats(&m->dates[v], source, date_field[v]) < 0)
            goto nomem;
    if (source->fixed_service)
        m->fixed_service = job_plan_service_index(plan, (int)source->department,
                                                  source->fixed_service);
    m->period_column = source->period_column && *source->period_column
                           ? row_header_index(header, ncolumns,
                                              source->period_column)
                           : -1;
    civil_from_days(plan->reference_date, &y, &mo, &dd);
    m->pivot_year = y;
    return 0;
nomem:
    mapping_release(m);
    diag_set(d, source->name, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}

int
mapping_check_compared(const struct job_plan *plan,
                       const struct source_plan *source,
                       const struct cell *header, size_t ncolumns,
                       struct diag *d)
{
    int f;

    for (f = CF_CONTACT_FIRST; f < CF_COUNT; f++) {
        if (!source->column[f] ||
            row_header_index(header, ncolumns, source->column[f]) >= 0)
            continue;
        diag_set(d, plan->config_path, source->column_line[f], 0,
                 "compared_column",
                 "[source %s] compares field.%s on column '%s', which the "
                 "source's header lacks",
                 source->name, common_field_name((enum common_field)f),
                 source->column[f]);
        return CE_CONFIG;
    }
    return 0;
}

size_t
mapping_missing_columns(const struct source_plan *source,
                        const struct cell *header, size_t ncolumns,
                        void (*report)(void *ctx, int field, const char *column,
                                       int line, int optional),
                        void *ctx)
{
    size_t missing = 0;
    int f;

    for (f = 0; f < CF_COUNT; f++) {
        if (!source->column[f] ||
            row_header_index(header, ncolumns, source->column[f]) >= 0)
            continue;
        missing += !source->column_optional[f];
        if (report)
            report(ctx, f, source->column[f], source->column_line[f],
                   source->column_optional[f]);
    }
    return missing;
}

/* The value map's canonical index for a cell; -1 when not listed. */
static int
lookup_value(const struct value_lookup *vl, const char *p, size_t n)
{
    size_t lo = 0, hi = vl->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = code_cmp(p, n, vl->codes[mid].code, vl->codes[mid].len);

        if (!r)
            return vl->codes[mid].canonical;
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static int
cell_of(const struct source_mapping *m, const struct raw_row *row,
        enum common_field f, const char **p, size_t *n)
{
    int c = m->column[f];

    if (c < 0 || (size_t)c >= row->ncells) {
        *p = "";
        *n = 0;
        return 0;
    }
    *p = row->cells[c].ptr;
    *n = row->cells[c].len;
    trim(p, n);
    return *n > 0;
}

/* Parses a date cell of field md with its formats; an ambiguous one is
 * counted in q (when there is one to count in). */
static enum date_fault
map_date(const struct source_mapping *m, enum map_date md, const char *p,
         size_t n, struct quarantine *q, int32_t *out)
{
    static const enum common_field field[MAP_DATES] = {
        CF_DOB, CF_START_DATE, CF_END_DATE};
    const struct date_formats *df = &m->dates[md];
    int ambiguous = 0;
    enum date_fault f;

    /* a spreadsheet's date-and-time cell: the day is the date part */
    n = date_without_time_of_day(p, n);
    f = parse_date_formats(p, n, df->fmt, df->n, m->pivot_year, out,
                           q && df->n > 1 ? &ambiguous : NULL);
    if (ambiguous)
        quarantine_ambiguous_date(q, field[md]);
    return f;
}

/* Maps a coded field (sex or ethnicity): value map, built-in codes, default. */
static int
map_code(const struct source_mapping *m, enum value_field vf, const char *p,
         size_t n, int (*builtin)(const char *, size_t))
{
    int v = lookup_value(&m->values[vf], p, n);

    if (v >= 0)
        return v;
    v = builtin(p, n);
    if (v >= 0)
        return v;
    return m->values[vf].default_value;
}

int
map_value_is_plain_code(const char *p, size_t n)
{
    size_t i, alnum = 0;

    if (n == 0 || n > UNMAPPED_CODE_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        /* ASCII only, whatever the locale: isalnum() may accept Latin-1 */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9'))
            alnum++;
        else if (c != '.' && c != '_' && c != '-')
            return 0;
    }
    return alnum > 0;
}

/* 1 when the letters word[0..n) (any case) name a month: its first three
 * letters or more of its English name ("Mar", "MARCH", "Sept"). */
static int
is_month_name(const char *word, size_t n)
{
    static const char *const months[12] = {
        "JANUARY", "FEBRUARY", "MARCH",     "APRIL",   "MAY",      "JUNE",
        "JULY",    "AUGUST",   "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"};
    size_t i, k;

    if (n < 3)
        return 0;
    for (i = 0; i < 12; i++) {
        if (n > strlen(months[i]))
            continue;
        for (k = 0; k < n; k++)
            if (toupper((unsigned char)word[k]) != months[i][k])
                break;
        if (k == n)
            return 1;
    }
    return 0;
}

/*
 * 1 when the value's parts -- runs of digits and runs of letters, split at
 * anything else and where digits meet letters -- read as a date or part of
 * one: three numbers, or two or three parts with one month name, or a
 * month number and a four-digit year ("12-03-2011", "12 Mar 2011",
 * "12Mar2011", "Mar 2011", "03/2011"). Deliberately loose: a code it
 * takes for a date is only counted unnamed.
 */
static int
has_date_shape(const char *p, size_t n)
{
    size_t i = 0, nnum = 0, nmonth = 0, year4 = 0, month_num = 0;

    while (i < n) {
        size_t from = i;

        if (isdigit((unsigned char)p[i])) {
            long v = 0;

            while (i < n && isdigit((unsigned char)p[i])) {
                if (i - from < 8)
                    v = v * 10 + (p[i] - '0');
                i++;
            }
            nnum++;
            year4 += i - from == 4 && v >= 1900 && v <= 2099;
            month_num += v >= 1 && v <= 12;
        } else if (isalpha((unsigned char)p[i])) {
            while (i < n && isalpha((unsigned char)p[i]))
                i++;
            /* any other word: not a date */
            if (!is_month_name(p + from, i - from))
                return 0;
            nmonth++;
        } else {
            i++;
        }
    }
    if (nmonth == 0 && nnum == 3)
        return month_num > 0;
    if (nmonth == 1 && (nnum == 1 || nnum == 2))
        return 1;
    if (nmonth == 0 && nnum == 2)
        return year4 > 0 && month_num > 0;
    return 0;
}

/* map_value_has_identifier_shape() with a list of date formats. */
static int
identifier_shape(const char *p, size_t n, const char *const *fmts,
                 size_t nfmts, int pivot_year)
{
    char c[64];
    size_t i, m = 0, digits = 0;
    int32_t day;
    struct postcode pc;
    int shape = 0;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];

        /* an e-mail address, however written around it */
        if (ch == '@')
            return 1;
        if (!isalnum(ch) || ch >= 0x80)
            continue;
        /* a run of six digits: NHS number, ULN, UPN, NI number, UPRN,
         * phone number, a date without separators, any long number */
        digits = isdigit(ch) ? digits + 1 : 0;
        if (digits >= 6)
            return 1;
        if (m < sizeof(c) - 1)
            c[m++] = (char)toupper(ch);
    }
    c[m] = '\0';
    if (m == 0)
        return 0;
    /* a full UK postcode, with or without its space */
    if (normalise_postcode(c, m, &pc) == 0)
        shape = 1;
    sodium_memzero(&pc, sizeof(pc));
    /* a date: the source's own format, ISO, or any day-month-year shape */
    if (!shape &&
        (parse_date_formats(p, n, fmts, nfmts, pivot_year, &day, NULL) ==
             DATE_OK ||
         has_date_shape(p, n)))
        shape = 1;
    sodium_memzero(c, sizeof(c));
    return shape;
}

int
map_value_has_identifier_shape(const char *p, size_t n,
                               const char *date_format, int pivot_year)
{
    return identifier_shape(p, n, &date_format, date_format ? 1 : 0,
                            pivot_year);
}

int
map_value_nameable(const char *p, size_t n, const char *date_format,
                   int pivot_year)
{
    return map_value_is_plain_code(p, n) &&
           !map_value_has_identifier_shape(p, n, date_format, pivot_year);
}

/* Letters and digits of p/n, upper-cased, into out (NUL-terminated);
 * the length, or SIZE_MAX when it does not fit. */
static size_t
compact(const char *p, size_t n, char *out, size_t outsz)
{
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];

        if (!isalnum(ch) || ch >= 0x80)
            continue;
        if (m + 1 >= outsz)
            return SIZE_MAX;
        out[m++] = (char)toupper(ch);
    }
    out[m] = '\0';
    return m;
}

/*
 * Whether an unmapped value may be kept as a code for the quality report:
 * a plain code with no identifier shape (map_value_nameable()), and equal
 * to none of the row's identifier cells once spaces, punctuation and case
 * are set aside (a column shifted by a ragged export puts names into code
 * columns). Anything else is only counted. Whether a kept code is named
 * is then up to the persons who carry it (quarantine.h).
 */
static int
code_like(const struct source_mapping *m, const struct raw_row *row,
          const char *p, size_t n)
{
    char v[UNMAPPED_CODE_MAX + 1], cell[UNMAPPED_CODE_MAX + 1];
    size_t vn, cn;
    int f, same = 0;

    if (!map_value_is_plain_code(p, n))
        return 0;
    for (f = 0; f < MAP_DATES; f++)
        if (identifier_shape(p, n, m->dates[f].fmt, m->dates[f].n,
                             m->pivot_year))
            return 0;
    vn = compact(p, n, v, sizeof(v));
    for (f = 0; f < CF_COUNT && !same; f++) {
        const char *q;
        size_t qn;

        if (!common_field_is_identifier((enum common_field)f) ||
            !cell_of(m, row, (enum common_field)f, &q, &qn))
            continue;
        cn = compact(q, qn, cell, sizeof(cell));
        same = cn == vn && cn != SIZE_MAX && !memcmp(cell, v, vn);
    }
    sodium_memzero(cell, sizeof(cell));
    sodium_memzero(v, sizeof(v));
    return !same;
}

/* code_like() for coded_map_row(): the row being mapped. */
struct code_like_row {
    const struct source_mapping *m;
    const struct raw_row *row;
};

static int
code_like_in_row(const void *ctx, const char *p, size_t n)
{
    const struct code_like_row *c = ctx;

    return code_like(c->m, c->row, p, n);
}

static int
unmapped(struct quarantine *q, const struct source_mapping *m,
         const struct raw_row *row, enum common_field f, enum value_field vf,
         const char *p, size_t n)
{
    quarantine_unmapped(q, m->file_index, row->line,
                        m->column[f] >= 0 ? m->column[f] + 1 : 0, vf, p, n,
                        code_like(m, row, p, n));
    return 1 + (int)QR_UNMAPPED_VALUE;
}

/* Counts a dropped field in q, when there is one to count in. */
static void
note(struct quarantine *q, enum quarantine_note n)
{
    if (q)
        quarantine_note(q, n);
}

_Static_assert(CF_CONTACT_COUNT == 4, "one normaliser per contact field");

/* The earliest date of birth kept: the source's min_dob, else the
 * job's ([linkage] min_dob, 1900-01-01 by default). */
static int32_t
min_dob(const struct source_mapping *m)
{
    if (m->source->min_dob_line)
        return m->source->min_dob;
    return m->plan->linkage.min_dob_set ? m->plan->linkage.min_dob
                                        : days_from_civil(1900, 1, 1);
}

/* The comparison-only fields (transform/contact.h) into out->contact: a
 * value that does not normalise is left empty (it compares as missing). */
static void
map_contact(const struct source_mapping *m, const struct raw_row *row,
            struct record *out)
{
    static int (*const norm[CF_CONTACT_COUNT])(const char *, size_t, char *,
                                                size_t) = {
        normalise_address, normalise_email, normalise_phone, normalise_town};
    const char *p;
    size_t n;
    int k;

    for (k = 0; k < CF_CONTACT_COUNT; k++)
        if (cell_of(m, row, (enum common_field)(CF_CONTACT_FIRST + k), &p,
                    &n) &&
            norm[k](p, n, out->contact[k], sizeof(out->contact[k])) < 0)
            out->contact[k][0] = '\0';
}

/*
 * The row's identifiers and date of birth into out: an invalid one is
 * dropped and, when q is not NULL, noted. Returns 1 when the row has a
 * valid identifier (a local id counts), else 0.
 */
static int
map_identifiers(const struct source_mapping *m, const struct raw_row *row,
                struct record *out, struct quarantine *q)
{
    const char *p;
    size_t n;
    int have_id = 0;
    enum date_fault df;

#define IDENT(field, fn, dst, why)                                           \
    do {                                                                     \
        if (cell_of(m, row, field, &p, &n) &&                                \
            (n = excel_integer_length(p, n)) > 0) {                          \
            if (fn(p, n, dst) == 0)                                          \
                have_id = 1;                                                 \
            else {                                                           \
                dst[0] = '\0';                                               \
                note(q, why);                                                \
            }                                                                \
        }                                                                    \
    } while (0)
    IDENT(CF_NHS_NUMBER, validate_nhs_number, out->nhs_number,
          NOTE_INVALID_NHS_NUMBER);
    if (!cell_of(m, row, CF_UPN, &p, &n) || !upn_unknown_code(p, n))
        IDENT(CF_UPN, validate_upn, out->upn, NOTE_INVALID_UPN);
    IDENT(CF_ULN, validate_uln, out->uln, NOTE_INVALID_ULN);
    IDENT(CF_NI_NUMBER, validate_ni_number, out->ni_number,
          NOTE_INVALID_NI_NUMBER);
#undef IDENT
    if (cell_of(m, row, CF_UPRN, &p, &n) &&
        validate_uprn(p, excel_integer_length(p, n), out->uprn) != 0) {
        out->uprn[0] = '\0';
        note(q, NOTE_INVALID_UPRN);
    }
    if (cell_of(m, row, CF_LOCAL_ID, &p, &n)) {
        n = excel_integer_length(p, n);
        if (n >= sizeof(out->local_id))
            n = sizeof(out->local_id) - 1;
        memcpy(out->local_id, p, n);
        out->local_id[n] = '\0';
        have_id = 1;
    }
    if (cell_of(m, row, CF_FORENAME, &p, &n) &&
        normalise_name(p, n, out->forename, sizeof(out->forename)) < 0)
        out->forename[0] = '\0';
    if (cell_of(m, row, CF_SURNAME, &p, &n) &&
        normalise_name(p, n, out->surname, sizeof(out->surname)) < 0)
        out->surname[0] = '\0';
    map_contact(m, row, out);
    if (cell_of(m, row, CF_POSTCODE, &p, &n)) {
        struct postcode pc;

        if (normalise_postcode(p, n, &pc) == 0)
            memcpy(out->postcode, pc.full, sizeof(out->postcode));
        else if (!m->source->postcode_any ||
                 normalise_postcode_token(p, n, out->postcode,
                                          sizeof(out->postcode)) < 0)
            note(q, NOTE_INVALID_POSTCODE); /* not kept */
        sodium_memzero(&pc, sizeof(pc));
    }
    if (cell_of(m, row, CF_DOB, &p, &n)) {
        df = map_date(m, MAP_DOB, p, n, q, &out->dob);
        if ((df == DATE_OK || df == DATE_BEFORE_1900) &&
            out->dob < min_dob(m)) {
            /* before the job's min_dob (1900-01-01 unless set) */
            out->dob = DAY_NONE;
            note(q, NOTE_DOB_BEFORE_1900);
        } else if (df != DATE_OK && df != DATE_BEFORE_1900) {
            out->dob = DAY_NONE;
            note(q, NOTE_INVALID_DOB);
        } else if (dob_is_future(out->dob, m->plan->reference_date)) {
            out->dob = DAY_NONE;
            note(q, NOTE_FUTURE_DOB);
        }
    }
    return have_id;
}

/*
 * The row's household id and lead flag into out (README "Households").
 * The id is copied as the source writes it (trimmed), like local_id; the
 * lead flag reads Y, YES, TRUE, 1, L or LEAD (any case) as the lead, and
 * anything else, empty included, as a member who is not.
 */
static void
map_household(const struct source_mapping *m, const struct raw_row *row,
              struct record *out)
{
    static const char *const yes[] = {"y", "yes", "true", "1", "l", "lead"};
    const char *p;
    size_t n, i;

    if (cell_of(m, row, CF_HOUSEHOLD_ID, &p, &n)) {
        if (n >= sizeof(out->household_id))
            n = sizeof(out->household_id) - 1;
        memcpy(out->household_id, p, n);
        out->household_id[n] = '\0';
    }
    if (cell_of(m, row, CF_LEAD, &p, &n))
        for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
            if (strlen(yes[i]) == n && !strncasecmp(yes[i], p, n))
                out->lead = 1;
}

int
map_row_identity(const struct source_mapping *m, const struct raw_row *row,
                 struct record *out)
{
    const char *p;
    size_t n;
    int v, have_id;

    record_clear(out);
    if (row->fault != RF_NONE)
        return 0;
    out->department = (uint8_t)m->source->department;
    /* sex feeds a match key; an unmapped sex stays unknown */
    if (cell_of(m, row, CF_SEX, &p, &n) &&
        (v = map_code(m, VF_SEX, p, n, normalise_sex)) >= 0)
        out->sex = (uint8_t)v;
    have_id = map_identifiers(m, row, out, NULL);
    if (!have_id && out->dob == DAY_NONE) {
        record_wipe_identifiers(out);
        return 0;
    }
    return 1;
}

static int
reject(struct quarantine *q, const struct source_mapping *m,
       const struct raw_row *row, int column, enum quarantine_reason r)
{
    quarantine_reject(q, m->file_index, row->line,
                      column >= 0 ? column + 1 : 0, r);
    return 1 + (int)r;
}

/* What the row's period_column says (enum spell_period): a code listed in
 * period_start_codes starts a period, any other continues one; an empty
 * cell, or no such column, leaves it to the dates. */
static uint8_t
map_period(const struct source_mapping *m, const struct raw_row *row)
{
    const char *p, *c;
    size_t n;

    if (m->period_column < 0 || (size_t)m->period_column >= row->ncells)
        return PERIOD_BY_DATES;
    p = row->cells[m->period_column].ptr;
    n = row->cells[m->period_column].len;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (!n)
        return PERIOD_BY_DATES;
    for (c = m->source->period_start_codes; c && *c;) {
        const char *e = strchr(c, ',');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        const char *q = c;

        while (len && *q == ' ') {
            q++;
            len--;
        }
        while (len && q[len - 1] == ' ')
            len--;
        if (len == n && !strncasecmp(q, p, n))
            return PERIOD_STARTS;
        c = e ? e + 1 : NULL;
    }
    return PERIOD_CONTINUES;
}

int
map_row(const struct source_mapping *m, const struct raw_row *row,
        struct record *out, struct quarantine *q)
{
    const struct source_plan *sp = m->source;
    const char *p;
    size_t n;
    int v, have_id = 0;

    record_clear(out);
    if (row->fault != RF_NONE)
        return reject(q, m, row, (int)row->fault_column - 1,
                      (enum quarantine_reason)(row->fault - 1));

    out->department = (uint8_t)sp->department;

    /* The event first: a row without a usable event is not a record --
     * unless the source is a header listing persons only. */
    if (!sp->has_spells) {
        out->service = SERVICE_NONE;
    } else if (m->fixed_service >= 0) {
        out->service = (uint16_t)m->fixed_service;
    } else {
        v = -1;
        if (cell_of(m, row, CF_SERVICE, &p, &n))
            v = lookup_value(&m->values[VF_SERVICE], p, n);
        if (v < 0)
            v = m->values[VF_SERVICE].default_value;
        if (v < 0)
            return unmapped(q, m, row, CF_SERVICE, VF_SERVICE, p, n);
        out->service = (uint16_t)v;
    }
    if (sp->has_spells &&
        (!cell_of(m, row, CF_START_DATE, &p, &n) ||
         map_date(m, MAP_START, p, n, q, &out->start_date) != DATE_OK))
        return reject(q, m, row, m->column[CF_START_DATE], QR_BAD_START_DATE);
    if (sp->has_spells)
        out->period = map_period(m, row);
    if (sp->has_spells &&
        date_beyond_tolerance(out->start_date, m->plan->reference_date))
        return reject(q, m, row, m->column[CF_START_DATE],
                      QR_FUTURE_START_DATE);
    if (cell_of(m, row, CF_END_DATE, &p, &n)) {
        if (map_date(m, MAP_END, p, n, q, &out->end_date) != DATE_OK)
            return reject(q, m, row, m->column[CF_END_DATE], QR_BAD_END_DATE);
        if (out->end_date < out->start_date)
            return reject(q, m, row, m->column[CF_END_DATE], QR_END_BEFORE_START);
    }

    /* Quasi-identifiers. */
    if (cell_of(m, row, CF_SEX, &p, &n)) {
        v = map_code(m, VF_SEX, p, n, normalise_sex);
        if (v < 0)
            return unmapped(q, m, row, CF_SEX, VF_SEX, p, n);
        out->sex = (uint8_t)v;
    }
    if (cell_of(m, row, CF_ETHNICITY, &p, &n)) {
        v = map_code(m, VF_ETHNICITY, p, n, normalise_ethnicity);
        if (v < 0)
            return unmapped(q, m, row, CF_ETHNICITY, VF_ETHNICITY, p, n);
        out->ethnicity = (uint8_t)v;
    }

    have_id = map_identifiers(m, row, out, q);
    map_household(m, row, out);
    /* a household's own spell (an H-CLIC main or TA row) names no person:
     * its household id is what it cannot do without */
    if (sp->household_events ? !out->household_id[0]
                             : !have_id && out->dob == DAY_NONE) {
        record_wipe_identifiers(out);
        return reject(q, m, row,
                      sp->household_events ? (int)m->column[CF_HOUSEHOLD_ID]
                                           : -1,
                      QR_NO_IDENTIFIER);
    }
    /* the coded columns last: a row kept loses only a code not on its
     * list (a dropped field), never the row */
    {
        struct code_like_row cl = {m, row};

        q->unmapped.nrow_codes = 0;
        q->nrow_dropped = 0;
        coded_map_row(&m->coded, sp, row, out->category, q, code_like_in_row,
                      &cl);
    }
    quarantine_accept(q);
    return 0;
}

void
mapping_release(struct source_mapping *m)
{
    size_t v;

    for (v = 0; v < VF_COUNT; v++)
        free(m->values[v].codes);
    for (v = 0; v < MAP_DATES; v++)
        free(m->dates[v].text);
    memset(m, 0, sizeof(*m));
}

uint32_t
map_codes_possible(const struct job_plan *plan, enum value_field vf)
{
    enum common_field f = vf == VF_SEX ? CF_SEX : CF_ETHNICITY;
    uint32_t possible = vf == VF_SEX ? 1u << SEX_U : 1u << ETH_UNKNOWN;
    size_t i, k, e;

    if (vf != VF_SEX && vf != VF_ETHNICITY)
        return 0;
    for (i = 0; i < plan->nsources; i++) {
        const struct source_plan *sp = &plan->sources[i];
        const struct value_map *vm = &sp->values[vf];
        const char *text;
        int v;

        if (!sp->column[f])
            continue;
        for (e = 0; e < vm->n; e++)
            if ((v = canonical_index(plan, sp, vf, vm->entries[e].canonical)) >=
                0)
                possible |= 1u << v;
        if (vm->default_value &&
            (v = canonical_index(plan, sp, vf, vm->default_value)) >= 0)
            possible |= 1u << v;
        for (k = 0; (v = normalise_builtin_code(vf == VF_ETHNICITY, k,
                                                &text)) >= 0;
             k++) {
            for (e = 0; e < vm->n; e++)
                if (!strcasecmp(vm->entries[e].code, text))
                    break;
            if (e == vm->n)
                possible |= 1u << v;
        }
    }
    return possible;
}
