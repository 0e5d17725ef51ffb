#include "quarantine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[QR_COUNT] = {
    "ragged_row",        "field_too_long",     "too_many_columns",
    "nul_byte",          "invalid_encoding",   "unterminated_quote",
    "unmapped_value",
    "bad_start_date",    "bad_end_date",       "end_before_start",
    "no_identifier",     "orphan_local_id",    "future_start_date",
};

static const char *const note_names[NOTE_COUNT] = {
    "invalid_nhs_number", "invalid_upn",      "invalid_uln",
    "invalid_ni_number",  "invalid_uprn",     "invalid_postcode",
    "invalid_dob",        "future_dob",       "dob_before_1900",
};

const char *
quarantine_reason_name(enum quarantine_reason r)
{
    return (unsigned)r < QR_COUNT ? reason_names[r] : "unknown";
}

const char *
quarantine_note_name(enum quarantine_note n)
{
    return (unsigned)n < NOTE_COUNT ? note_names[n] : "unknown";
}

void
quarantine_init(struct quarantine *q, const struct source_plan *plan)
{
    memset(q, 0, sizeof(*q));
    q->plan = plan;
    q->unmapped.last = -1;
    q->unmapped.source = plan;
}

void
quarantine_accept(struct quarantine *q)
{
    q->rows_in++;
    q->rows_accepted++;
}

int
quarantine_withdraw(struct quarantine *q, uint32_t file, long line,
                    long column, enum quarantine_reason reason)
{
    size_t i;

    /* the row was counted in; it is counted again by quarantine_reject */
    q->rows_in--;
    q->rows_accepted--;
    for (i = 0; i < q->nrow_dropped; i++)
        q->coded_dropped[q->row_dropped[i]]--;
    q->nrow_dropped = 0;
    return quarantine_reject(q, file, line, column, reason);
}

int
quarantine_reject(struct quarantine *q, uint32_t file, long line, long column,
                  enum quarantine_reason reason)
{
    q->rows_in++;
    q->rows_quarantined++;
    q->by_reason[reason]++;
    if (q->nrows >= QUARANTINE_MAX_LISTED)
        return 0;
    if (q->nrows == q->alloc) {
        size_t n = q->alloc ? q->alloc * 2 : 256;
        struct rejected_row *p = realloc(q->rows, n * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        q->rows = p;
        q->alloc = n;
    }
    q->rows[q->nrows].file = file;
    q->rows[q->nrows].reason = reason;
    q->rows[q->nrows].line = line;
    q->rows[q->nrows].column = column;
    q->nrows++;
    return 0;
}

/* Counts p/n as an unmapped value of field f in u: the index of the code
 * kept, or -1 when it was not kept (empty, not code-like, no room). */
static long
count_code(struct unmapped_codes *u, size_t f, const char *p, size_t n,
           int code_like)
{
    size_t i;

    if (n == 0) {
        u->empty[f]++;
        return -1;
    }
    if (!code_like || n > UNMAPPED_CODE_MAX) {
        u->hidden[f]++;
        return -1;
    }
    for (i = 0; i < u->ncodes; i++)
        if (u->codes[i].field == f && strlen(u->codes[i].code) == n &&
            !memcmp(u->codes[i].code, p, n)) {
            u->codes[i].n++;
            return (long)i;
        }
    if (u->ncodes == UNMAPPED_CODES_MAX ||
        (!u->codes &&
         !(u->codes = calloc(UNMAPPED_CODES_MAX, sizeof(*u->codes))))) {
        u->overflow[f]++;
        return -1;
    }
    u->codes[u->ncodes].field = (uint8_t)f;
    memcpy(u->codes[u->ncodes].code, p, n);
    u->codes[u->ncodes].code[n] = '\0';
    u->codes[u->ncodes].n = 1;
    return (long)u->ncodes++;
}

int
quarantine_unmapped(struct quarantine *q, uint32_t file, long line,
                    long column, enum value_field vf, const char *p, size_t n,
                    int code_like)
{
    q->unmapped.last = count_code(&q->unmapped, vf, p, n, code_like);
    return quarantine_reject(q, file, line, column, QR_UNMAPPED_VALUE);
}

void
quarantine_coded(struct quarantine *q, size_t k, const char *p, size_t n,
                 int code_like)
{
    struct unmapped_codes *u = &q->unmapped;
    long c;

    if (k >= SOURCE_CODED_MAX)
        return;
    q->coded_dropped[k]++;
    if (q->nrow_dropped < SOURCE_CODED_MAX)
        q->row_dropped[q->nrow_dropped++] = (uint8_t)k;
    c = count_code(u, VF_COUNT + k, p, n, code_like);
    if (c >= 0 && u->nrow_codes < SOURCE_CODED_MAX)
        u->row_codes[u->nrow_codes++] = c;
}

int
unmapped_codes_wants(const struct unmapped_codes *u, size_t c, uint64_t token)
{
    const struct unmapped_code *code = &u->codes[c];
    uint32_t i;

    if (code->nwitness >= UNMAPPED_WITNESSES_MAX)
        return 0;
    for (i = 0; i < code->nwitness; i++)
        if (code->tokens[i] == token)
            return 0;
    return 1;
}

int
unmapped_codes_witness(struct unmapped_codes *u, size_t c, uint64_t token,
                       uint32_t id)
{
    struct unmapped_code *code = &u->codes[c];

    if (code->nwitness == code->witness_alloc) {
        uint32_t na = code->witness_alloc ? code->witness_alloc * 2 : 8;
        uint64_t *t;
        uint32_t *w;

        if (na > UNMAPPED_WITNESSES_MAX)
            na = UNMAPPED_WITNESSES_MAX;
        if (na <= code->nwitness)
            return 0; /* full: unmapped_codes_wants() said no */
        t = realloc(code->tokens, na * sizeof(*t));
        if (!t)
            return CE_NOMEM;
        code->tokens = t;
        w = realloc(code->witness, na * sizeof(*w));
        if (!w)
            return CE_NOMEM;
        code->witness = w;
        code->witness_alloc = na;
    }
    code->tokens[code->nwitness] = token;
    code->witness[code->nwitness++] = id;
    return 0;
}

void
unmapped_codes_release(struct unmapped_codes *u)
{
    size_t i;

    for (i = 0; i < u->ncodes; i++) {
        free(u->codes[i].tokens);
        free(u->codes[i].witness);
    }
    free(u->codes);
    memset(u, 0, sizeof(*u));
    u->last = -1;
}

/* The name field f is reported under into buf: a value field's, or
 * "code.COLUMN" for a coded column. */
static const char *
field_label(const struct unmapped_codes *u, size_t f, char *buf, size_t n)
{
    static const char *const fields[VF_COUNT] = {"sex", "ethnicity",
                                                 "service"};

    if (f < VF_COUNT)
        return fields[f];
    snprintf(buf, n, "code.%s",
             u->source && f - VF_COUNT < u->source->ncoded
                 ? u->source->coded[f - VF_COUNT].column
                 : "?");
    return buf;
}

/* The report of one field f (quarantine_each_unmapped()). */
static int
each_unmapped_of(const struct unmapped_codes *u, size_t f,
                 uint64_t min_persons,
                 int (*fn)(void *ctx, const char *field, const char *what,
                           uint64_t n),
                 void *ctx)
{
    const char *below = min_persons == UNMAPPED_UNCOUNTED ? "(code)"
                                                          : "(rare)";
    uint64_t rare = u->overflow[f], hidden = u->hidden[f];
    size_t i, distinct = 0;
    char buf[96];
    const char *name = field_label(u, f, buf, sizeof(buf));
    int free_text, rc = 0;

    for (i = 0; i < u->ncodes; i++)
        distinct += u->codes[i].field == f;
    /* A code list is short. A field whose unmapped values run past
     * UNMAPPED_FIELD_CODES_MAX distinct ones (or past what the source
     * keeps) is free text -- most likely a column of names mapped by
     * mistake -- and none of its values is shown, however common. */
    free_text = u->overflow[f] > 0 || distinct > UNMAPPED_FIELD_CODES_MAX;
    if (free_text) {
        hidden += rare;
        rare = 0;
    }
    for (i = 0; i < u->ncodes; i++) {
        if (u->codes[i].field != f)
            continue;
        /* Rows are not persons: ten rows of one person carrying a code
         * say nothing about how many people could be told apart by it, so
         * only the persons the caller counted name it. */
        if (free_text)
            hidden += u->codes[i].n;
        else if (min_persons == UNMAPPED_UNCOUNTED ||
                 u->codes[i].persons < min_persons)
            rare += u->codes[i].n;
        else if ((rc = fn(ctx, name, u->codes[i].code, u->codes[i].n)) < 0)
            return rc;
    }
    if ((rare && (rc = fn(ctx, name, below, rare)) < 0) ||
        (u->empty[f] && (rc = fn(ctx, name, "(empty)", u->empty[f])) < 0) ||
        (hidden && (rc = fn(ctx, name, "(not shown)", hidden)) < 0))
        return rc;
    return 0;
}

int
quarantine_each_unmapped(const struct unmapped_codes *u, uint64_t min_persons,
                         int (*fn)(void *ctx, const char *field,
                                   const char *what, uint64_t n),
                         void *ctx)
{
    size_t f, nfields = VF_COUNT + (u->source ? u->source->ncoded : 0);
    int rc;

    for (f = 0; f < nfields && f < UNMAPPED_FIELDS; f++)
        if ((rc = each_unmapped_of(u, f, min_persons, fn, ctx)) < 0)
            return rc;
    return 0;
}

void
quarantine_note(struct quarantine *q, enum quarantine_note n)
{
    q->notes[n]++;
}

void
quarantine_ambiguous_date(struct quarantine *q, int field)
{
    if (field >= 0 && field < CF_COUNT)
        q->ambiguous_date[field]++;
}

uint32_t
quarantine_drop_limit(const struct source_plan *sp, int f)
{
    return f >= 0 && f < CF_COUNT && sp->field_drop_set[f]
               ? sp->field_drop_ppm[f]
               : sp->max_drop_ppm;
}

/* The common field each note drops. */
static const uint8_t note_field[NOTE_COUNT] = {
    CF_NHS_NUMBER, CF_UPN, CF_ULN, CF_NI_NUMBER, CF_UPRN, CF_POSTCODE,
    CF_DOB,        CF_DOB, CF_DOB,
};

int
quarantine_drop_over_limit(const struct quarantine *q, int *field,
                           uint64_t *dropped)
{
    int f, n;

    if (q->rows_in == 0)
        return 0;
    for (f = 0; f < CF_COUNT; f++) {
        uint64_t lost = 0;

        for (n = 0; n < NOTE_COUNT; n++)
            if (note_field[n] == f)
                lost += q->notes[n];
        /* integer comparison: lost/in > ppm/1e6 */
        if (lost * 1000000u >
            (uint64_t)quarantine_drop_limit(q->plan, f) * q->rows_in) {
            *field = f;
            *dropped = lost;
            return 1;
        }
    }
    return 0;
}

void
quarantine_drop_reasons(const struct quarantine *q, int f, char *buf,
                        size_t size)
{
    size_t o = 0;
    int n, w;

    buf[0] = '\0';
    for (n = 0; n < NOTE_COUNT; n++) {
        if (note_field[n] != f || !q->notes[n] || o >= size)
            continue;
        w = snprintf(buf + o, size - o, "%s%s %llu", o ? ", " : "",
                     note_names[n], (unsigned long long)q->notes[n]);
        if (w < 0)
            return;
        o += (size_t)w;
    }
}

int
quarantine_over_limit(const struct quarantine *q)
{
    /* Integer comparison: quarantined/in > ppm/1e6. */
    uint64_t lhs = q->rows_quarantined * 1000000u;
    uint64_t rhs = (uint64_t)q->plan->max_reject_ppm * q->rows_in;

    return q->rows_in > 0 && lhs > rhs;
}

/* The field-drop limit of the coded columns: a code not on its list
 * drops the column from the row (quarantine_coded()). */
static int
coded_check_drops(const struct quarantine *q, struct diag *d,
                  const char *of_the_first)
{
    size_t k;

    for (k = 0; k < q->plan->ncoded && k < SOURCE_CODED_MAX; k++) {
        uint64_t lost = q->coded_dropped[k];

        if (q->rows_in == 0 ||
            lost * 1000000u <= (uint64_t)q->plan->max_drop_ppm * q->rows_in)
            continue;
        diag_set(d, q->plan->name, 0, 0, "max_drop_rate",
                 "coded column '%s' dropped from %llu of %s%llu rows "
                 "(%.2f%%: code not on code list '%s' %llu), over "
                 "max_drop_rate %.2f%%; nothing published",
                 q->plan->coded[k].column, (unsigned long long)lost,
                 of_the_first, (unsigned long long)q->rows_in,
                 100.0 * (double)lost / (double)q->rows_in,
                 q->plan->coded[k].list ? q->plan->coded[k].list : "",
                 (unsigned long long)lost,
                 (double)q->plan->max_drop_ppm / 10000.0);
        return CE_DATA;
    }
    return 0;
}

int
quarantine_check_drops(const struct quarantine *q, struct diag *d,
                       const char *of_the_first)
{
    char why[256];
    uint64_t lost;
    int f;

    if (!quarantine_drop_over_limit(q, &f, &lost))
        return coded_check_drops(q, d, of_the_first);
    quarantine_drop_reasons(q, f, why, sizeof(why));
    diag_set(d, q->plan->name, 0, 0, "max_drop_rate",
             "field '%s' dropped from %llu of %s%llu rows (%.2f%%: %s), "
             "over max_drop_rate %.2f%%; nothing published",
             common_field_name((enum common_field)f),
             (unsigned long long)lost, of_the_first,
             (unsigned long long)q->rows_in,
             100.0 * (double)lost / (double)q->rows_in, why,
             (double)quarantine_drop_limit(q->plan, f) / 10000.0);
    return CE_DATA;
}

int
quarantine_check_policy(const struct quarantine *q, struct diag *d)
{
    if (q->rows_in == 0 && !q->plan->may_be_empty &&
        q->plan->format == SRC_XML) {
        /* a document without the record is as empty, or the layout is
         * not the document's */
        diag_set(d, q->plan->name, 0, 0, "empty_extract",
                 "no xml_record element in the files, so no rows; nothing "
                 "published (check xml_record against the return; set "
                 "may_be_empty = yes in [source %s] if no rows can be a "
                 "normal night)", q->plan->name);
        return CE_DATA;
    }
    if (q->rows_in == 0 && !q->plan->may_be_empty) {
        /* a header and nothing else is how a half-made export looks:
         * publishing it would empty every table of the department */
        diag_set(d, q->plan->name, 0, 0, "empty_extract",
                 "the extract has a header but no rows; nothing published "
                 "(set may_be_empty = yes in [source %s] if no rows can be "
                 "a normal night)", q->plan->name);
        return CE_DATA;
    }
    if (!quarantine_over_limit(q))
        return quarantine_check_drops(q, d, "");
    diag_set(d, q->plan->name, 0, 0, "max_reject_rate",
             "%llu of %llu rows quarantined (%.2f%%), over the limit of "
             "%.2f%%; nothing published",
             (unsigned long long)q->rows_quarantined,
             (unsigned long long)q->rows_in,
             100.0 * (double)q->rows_quarantined / (double)q->rows_in,
             (double)q->plan->max_reject_ppm / 10000.0);
    return CE_DATA;
}

void
quarantine_release(struct quarantine *q)
{
    free(q->rows);
    unmapped_codes_release(&q->unmapped);
    memset(q, 0, sizeof(*q));
}
