/*
 * config.c - the job file (INI, parsed with inih) into a validated job plan.
 *
 * inih calls handle_key() once per "key = value"; our own line reader sits
 * under it so that every error can name the line, duplicate sections are
 * seen (inih itself does not report them), indented continuation lines of a
 * long value are joined, and an over-long line is an error rather than a
 * silent split. After the whole file is read, finish_plan() applies
 * profiles and defaults and checks everything the rest of the program
 * relies on.
 */
#include "config.h"
#include "calendar.h"
#include "label.h"
#include "strnum.h"
#include "profiles.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const component_names[KC_COUNT - CF_COUNT] = {
    "initial", "sector", "district", "dob_year",
    "forename_root", "dob_unordered", "surname_phonetic"};

const char *
key_component_name(int kc)
{
    if (kc >= 0 && kc < CF_COUNT)
        return common_field_name((enum common_field)kc);
    if (kc >= CF_COUNT && kc < KC_COUNT)
        return component_names[kc - CF_COUNT];
    return "unknown";
}

static const char *const by_names[BY_COUNT] = {
    "age_band", "sex", "ethnicity", "ward", "lsoa", "district", "service"};

const char *
source_role_name(enum source_role r)
{
    static const char *const names[] = {"records", "header", "events"};

    return (unsigned)r < 3 ? names[r] : "?";
}

const char *
by_column_name(enum by_column b)
{
    return (unsigned)b < BY_COUNT ? by_names[b] : "unknown";
}

const char *
cohort_by_name(const struct cohort_plan *k, size_t j)
{
    if (k->by[j] == BY_SERVICE && k->by_name[j])
        return k->by_name[j];
    return by_column_name((enum by_column)k->by[j]);
}

enum section_kind { SEC_NONE, SEC_JOB, SEC_SOURCE, SEC_LINKAGE,
                    SEC_DISCLOSURE, SEC_COHORT, SEC_OUTPUT };

/* Keys seen per section, to refuse duplicates and check required ones. */
#define MAX_SEEN 64

struct seen_key {
    char name[64];
    int line;
};

struct section_state {
    enum section_kind kind;
    size_t index;              /* into sources/cohorts/outputs */
    int line;
    struct seen_key seen[MAX_SEEN];
    size_t nseen;
};

struct parse_ctx {
    struct job_plan *plan;
    struct diag *d;
    const char *file;
    FILE *f;
    int lineno;
    int err;                  /* first error (CE_CONFIG / CE_NOMEM) */
    int continuation;         /* the line inih is handling was indented */
    int new_section;          /* a [header] was read since the last key */
    int header_line;
    char *line;               /* getline buffer */
    const char *rest;         /* unread part of an over-long line */
    size_t line_alloc;
    /* section bookkeeping: every header seen, to refuse duplicates */
    char **section_names;
    size_t nsections;
    struct section_state cur;
    char last_key[128];
    int have_job, have_linkage, have_disclosure;
    int job_line, linkage_line, disclosure_line;
    struct disclosure_keys dk; /* resolved after the preset */
};

static int
fail(struct parse_ctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct parse_ctx *c, int line, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof(c->d->msg)];

    if (c->err)
        return 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_set(c->d, c->file, line, 0, NULL, "%s", msg);
    c->err = CE_CONFIG;
    return 0;
}

static int
nomem(struct parse_ctx *c)
{
    if (!c->err) {
        diag_set(c->d, c->file, c->lineno, 0, NULL, "out of memory");
        c->err = CE_NOMEM;
    }
    return 0;
}

static char *
dup_str(struct parse_ctx *c, const char *s)
{
    char *p = strdup(s);

    if (!p)
        nomem(c);
    return p;
}

/* Replaces *dst with a copy of s. */
static int
set_str(struct parse_ctx *c, char **dst, const char *s)
{
    char *p = dup_str(c, s);

    if (!p)
        return -1;
    free(*dst);
    *dst = p;
    return 0;
}

static int
valid_name(const char *s)
{
    if (!*s || strlen(s) > 48 || !(islower((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              *s == '_'))
            return 0;
    return 1;
}

/*
 * The line reader under inih: counts lines, joins nothing itself but marks
 * indented continuation lines, and sees section headers so duplicates can
 * be refused with their line.
 */
static char *
read_line(char *str, int num, void *stream)
{
    struct parse_ctx *c = stream;
    ssize_t n;
    const char *p;
    size_t room = (size_t)num - 3, len, cut;

    if (c->rest) {
        /* The next piece of an over-long line, handed to inih as an
         * indented continuation of the same key. */
        len = strlen(c->rest);
        cut = len;
        if (len > room) {
            cut = room;
            while (cut && c->rest[cut] != ' ')
                cut--;
            if (!cut) {
                fail(c, c->lineno, "line too long: split it on indented "
                                   "lines of at most %zu characters", room);
                c->rest = NULL;
                str[0] = '\0';
                return str;
            }
        }
        str[0] = ' ';
        memcpy(str + 1, c->rest, cut);
        str[cut + 1] = '\n';
        str[cut + 2] = '\0';
        c->rest = cut < len ? c->rest + cut : NULL;
        c->continuation = 1;
        return str;
    }
    n = getline(&c->line, &c->line_alloc, c->f);
    if (n < 0) {
        /* -1 is the end or an error; getline running out of memory sets
         * no error flag, and the file must not look shorter than it is */
        if (!feof(c->f)) {
            if (errno == ENOMEM)
                nomem(c);
            else
                fail(c, c->lineno + 1, "read error: %s", strerror(errno));
        }
        return NULL;
    }
    c->lineno++;
    c->continuation = 0;
    if (memchr(c->line, '\0', (size_t)n)) {
        fail(c, c->lineno, "NUL byte in the job file");
        str[0] = '\0';
        return str;
    }
    while (n && (c->line[n - 1] == '\n' || c->line[n - 1] == '\r'))
        c->line[--n] = '\0';
    p = c->line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '[') {
        c->new_section = 1;
        c->header_line = c->lineno;
    }
    if (*p == ';' || *p == '#') {
        str[0] = '\0';
        return str;
    }
    if (p != c->line && *p)
        c->continuation = 1;
    len = (size_t)n;
    cut = len;
    if (len > room + 1) {
        cut = room + 1;
        while (cut && c->line[cut] != ' ')
            cut--;
        if (!cut || *p == '[') {
            fail(c, c->lineno, "line too long: split it on indented lines "
                               "of at most %zu characters", room);
            str[0] = '\0';
            return str;
        }
        c->rest = c->line + cut;
    }
    memcpy(str, c->line, cut);
    str[cut] = '\n';
    str[cut + 1] = '\0';
    return str;
}

static int
find_section(struct parse_ctx *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->nsections; i++)
        if (!strcmp(c->section_names[i], name))
            return 1;
    return 0;
}

static void *
grow(struct parse_ctx *c, void *arr, size_t n, size_t size)
{
    void *p = realloc(arr, (n + 1) * size);

    if (!p) {
        nomem(c);
        return NULL;
    }
    memset((char *)p + n * size, 0, size);
    return p;
}

/* Starts a new section (called when inih reports a section change). */
static int
begin_section(struct parse_ctx *c, const char *section)
{
    struct job_plan *pl = c->plan;
    char kind[32];
    const char *name = "";
    const char *sp = strchr(section, ' ');
    size_t klen = sp ? (size_t)(sp - section) : strlen(section);
    char **names;

    memset(&c->cur, 0, sizeof(c->cur));
    c->cur.line = c->header_line;
    c->last_key[0] = '\0';
    if (klen >= sizeof(kind))
        return fail(c, c->header_line, "unknown section [%s]", section);
    memcpy(kind, section, klen);
    kind[klen] = '\0';
    if (sp) {
        name = sp;
        while (*name == ' ')
            name++;
    }
    if (find_section(c, section))
        return fail(c, c->header_line, "duplicate section [%s]", section);
    names = realloc(c->section_names, (c->nsections + 1) * sizeof(*names));
    if (!names)
        return nomem(c);
    c->section_names = names;
    if (!(names[c->nsections] = dup_str(c, section)))
        return 0;
    c->nsections++;

    if (!strcmp(kind, "job") || !strcmp(kind, "linkage") ||
        !strcmp(kind, "disclosure")) {
        if (*name)
            return fail(c, c->header_line, "section [%s] takes no name", kind);
        if (kind[0] == 'j') {
            c->cur.kind = SEC_JOB;
            c->have_job = 1;
            c->job_line = c->header_line;
        } else if (kind[0] == 'l') {
            c->cur.kind = SEC_LINKAGE;
            c->have_linkage = 1;
            c->linkage_line = c->header_line;
            pl->linkage.line = c->header_line;
        } else {
            c->cur.kind = SEC_DISCLOSURE;
            c->have_disclosure = 1;
            c->disclosure_line = c->header_line;
        }
        return 1;
    }
    if (strcmp(kind, "source") && strcmp(kind, "cohort") &&
        strcmp(kind, "output"))
        return fail(c, c->header_line,
                    "unknown section [%s] (expected job, source, linkage, "
                    "disclosure, cohort or output)", section);
    if (!*name)
        return fail(c, c->header_line, "section [%s] needs a name: [%s NAME]",
                    kind, kind);
    if (!valid_name(name))
        return fail(c, c->header_line,
                    "bad name in [%s]: use lower-case letters, digits and _",
                    section);
    if (kind[0] == 's') {
        struct source_plan *s = grow(c, pl->sources, pl->nsources,
                                     sizeof(*s));
        if (!s)
            return 0;
        pl->sources = s;
        s = &pl->sources[pl->nsources];
        s->line = c->header_line;
        s->scope = -1;
        s->department = DEPT_COUNT;
        s->delimiter = ',';
        s->quote = '"';
        s->header = 1;
        s->max_field_bytes = SOURCE_MAX_FIELD_BYTES_DEFAULT;
        s->max_columns = SOURCE_MAX_COLUMNS_DEFAULT;
        s->max_reject_ppm = SOURCE_MAX_REJECT_PPM_DEFAULT;
        s->max_row_change_ppm = SOURCE_MAX_ROW_CHANGE_PPM_DEFAULT;
        s->statement_timeout_ms = 0;
        if (!(s->name = dup_str(c, name)))
            return 0;
        c->cur.kind = SEC_SOURCE;
        c->cur.index = pl->nsources++;
    } else if (kind[0] == 'c') {
        struct cohort_plan *k = grow(c, pl->cohorts, pl->ncohorts,
                                     sizeof(*k));
        if (!k)
            return 0;
        pl->cohorts = k;
        k = &pl->cohorts[pl->ncohorts];
        k->line = c->header_line;
        if (!(k->name = dup_str(c, name)))
            return 0;
        c->cur.kind = SEC_COHORT;
        c->cur.index = pl->ncohorts++;
    } else {
        struct output_plan *o = grow(c, pl->outputs, pl->noutputs,
                                     sizeof(*o));
        if (!o)
            return 0;
        pl->outputs = o;
        o = &pl->outputs[pl->noutputs];
        o->line = c->header_line;
        if (!(o->name = dup_str(c, name)))
            return 0;
        c->cur.kind = SEC_OUTPUT;
        c->cur.index = pl->noutputs++;
    }
    return 1;
}

static const char *
section_label(struct parse_ctx *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s", c->nsections ? c->section_names[c->nsections - 1]
                                        : "");
    return buf;
}

/* Records key as seen in the current section; refuses a repeat. */
static int
mark_seen(struct parse_ctx *c, const char *key)
{
    size_t i;
    char sec[128];

    for (i = 0; i < c->cur.nseen; i++)
        if (!strcmp(c->cur.seen[i].name, key))
            return fail(c, c->lineno,
                        "duplicate key '%s' in [%s] (first on line %d)", key,
                        section_label(c, sec, sizeof(sec)),
                        c->cur.seen[i].line);
    if (c->cur.nseen < MAX_SEEN) {
        snprintf(c->cur.seen[c->cur.nseen].name,
                 sizeof(c->cur.seen[0].name), "%s", key);
        c->cur.seen[c->cur.nseen].line = c->lineno;
        c->cur.nseen++;
    }
    return 1;
}

static int
unknown_key(struct parse_ctx *c, const char *key)
{
    char sec[128];

    return fail(c, c->lineno, "unknown key '%s' in [%s]", key,
                section_label(c, sec, sizeof(sec)));
}

static int
bad_value(struct parse_ctx *c, const char *key, const char *expect)
{
    char sec[128];

    return fail(c, c->lineno, "bad value for '%s' in [%s]: expected %s", key,
                section_label(c, sec, sizeof(sec)), expect);
}

static int
int_value(struct parse_ctx *c, const char *key, const char *value,
          int64_t lo, int64_t hi, int64_t *out)
{
    char expect[96];

    if (parse_int64_str(value, lo, hi, out) == 0)
        return 1;
    snprintf(expect, sizeof(expect), "a whole number from %lld to %lld",
             (long long)lo, (long long)hi);
    bad_value(c, key, expect);
    return 0;
}

static int
bool_value(struct parse_ctx *c, const char *key, const char *value, int *out)
{
    if (parse_bool(value, out) == 0)
        return 1;
    bad_value(c, key, "yes or no");
    return 0;
}

/* "0-4, 5-10, 65+" */
static int
parse_age_bands(struct parse_ctx *c, const char *value)
{
    struct job_plan *pl = c->plan;
    const char *p = value;
    int expect_lo = 0;

    free(pl->age_bands);
    pl->age_bands = NULL;
    pl->nage_bands = 0;
    while (*p) {
        int64_t lo, hi = -1;
        const char *q;
        struct age_band *b;

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        q = p;
        while (isdigit((unsigned char)*q))
            q++;
        if (q == p || parse_int64(p, (size_t)(q - p), 0, 150, &lo) < 0)
            return bad_value(c, "age_bands", "bands like 0-4, 5-10, 65+");
        if (*q == '+') {
            q++;
        } else if (*q == '-') {
            const char *r = ++q;

            while (isdigit((unsigned char)*q))
                q++;
            if (q == r || parse_int64(r, (size_t)(q - r), 0, 150, &hi) < 0 ||
                hi < lo)
                return bad_value(c, "age_bands", "bands like 0-4, 5-10, 65+");
        } else {
            return bad_value(c, "age_bands", "bands like 0-4, 5-10, 65+");
        }
        while (*q == ' ')
            q++;
        if (*q && *q != ',')
            return bad_value(c, "age_bands", "bands like 0-4, 5-10, 65+");
        if (lo != expect_lo)
            return fail(c, c->lineno,
                        "age_bands must start at 0 and leave no gap or "
                        "overlap (a band should start at %d)", expect_lo);
        if (pl->nage_bands && pl->age_bands[pl->nage_bands - 1].hi < 0)
            return fail(c, c->lineno, "age_bands: only the last band may be "
                                      "open (65+)");
        if (pl->nage_bands >= 64)
            return fail(c, c->lineno, "age_bands: at most 64 bands");
        b = grow(c, pl->age_bands, pl->nage_bands, sizeof(*b));
        if (!b)
            return 0;
        pl->age_bands = b;
        b[pl->nage_bands].lo = (int)lo;
        b[pl->nage_bands].hi = (int)hi;
        pl->nage_bands++;
        expect_lo = (int)hi + 1;
        p = q;
    }
    if (!pl->nage_bands)
        return bad_value(c, "age_bands", "bands like 0-4, 5-10, 65+");
    if (pl->age_bands[pl->nage_bands - 1].hi >= 0)
        return fail(c, c->lineno, "age_bands: the last band must be open "
                                  "(for example 65+) so every age has a band");
    return 1;
}

static int
handle_job(struct parse_ctx *c, const char *key, const char *value)
{
    struct job_plan *pl = c->plan;
    int64_t v;

    if (!strcmp(key, "name"))
        return valid_name(value) ? set_str(c, &pl->name, value) == 0
                                 : bad_value(c, key, "lower-case letters, "
                                                     "digits and _");
    if (!strcmp(key, "reference_date")) {
        if (!strcmp(value, "today")) {
            pl->reference_is_today = 1;
            pl->reference_date = today_days();
            return 1;
        }
        pl->reference_is_today = 0;
        if (parse_iso_date(value, &pl->reference_date) < 0)
            return bad_value(c, key, "today or a date YYYY-MM-DD");
        return 1;
    }
    if (!strcmp(key, "periods")) {
        if (!int_value(c, key, value, 1, 120, &v))
            return 0;
        pl->periods = (int)v;
        return 1;
    }
    if (!strcmp(key, "key_file"))
        return set_str(c, &pl->key_file, value) == 0;
    if (!strcmp(key, "output_dir"))
        return set_str(c, &pl->output_dir, value) == 0;
    if (!strcmp(key, "lookup"))
        return set_str(c, &pl->lookup, value) == 0;
    if (!strcmp(key, "nicknames"))
        return set_str(c, &pl->nicknames, value) == 0;
    if (!strcmp(key, "age_bands"))
        return parse_age_bands(c, value);
    return unknown_key(c, key);
}

static int
add_value_entry(struct parse_ctx *c, struct value_map *vm, const char *code,
                const char *canonical)
{
    struct value_map_entry *e;
    size_t i;

    for (i = 0; i < vm->n; i++)
        if (!strcasecmp(vm->entries[i].code, code))
            return fail(c, c->lineno, "code mapped twice");
    e = grow(c, vm->entries, vm->n, sizeof(*e));
    if (!e)
        return 0;
    vm->entries = e;
    e = &vm->entries[vm->n];
    if (!(e->code = dup_str(c, code)) ||
        !(e->canonical = dup_str(c, canonical))) {
        free(e->code);
        e->code = NULL;
        return 0;
    }
    vm->n++;
    return 1;
}

static int
valid_canonical(struct parse_ctx *c, enum value_field vf, const char *value)
{
    size_t i;

    if (vf == VF_SEX) {
        for (i = 0; i < SEX_COUNT; i++)
            if (!strcmp(value, sex_name((enum sex_code)i)))
                return 1;
        return bad_value(c, "value.sex", "M, F, U or X");
    }
    if (vf == VF_ETHNICITY) {
        for (i = 0; i < ETH_COUNT; i++)
            if (!strcmp(value, ethnic_group_name((enum ethnic_group)i)))
                return 1;
        return bad_value(c, "value.ethnicity",
                         "WHITE, MIXED, ASIAN, BLACK, OTHER or UNKNOWN");
    }
    if (!valid_name(value))
        return bad_value(c, "value.service",
                         "a service name in lower-case letters, digits and _");
    return 1;
}

static int
handle_source(struct parse_ctx *c, const char *key, const char *value)
{
    struct source_plan *s = &c->plan->sources[c->cur.index];
    int64_t v;
    int f;

    if (!strncmp(key, "field.", 6)) {
        if (!mark_seen(c, key))
            return 0;
        f = common_field_lookup(key + 6);
        if (f < 0)
            return fail(c, c->lineno,
                        "unknown common field '%s' in key '%s'", key + 6,
                        key);
        if (!*value)
            return bad_value(c, key, "a source column name");
        s->column_line[f] = c->lineno;
        return set_str(c, &s->column[f], value) == 0;
    }
    if (!strncmp(key, "value.", 6)) {
        const char *field = key + 6, *dot = strchr(field, '.');
        enum value_field vf;

        if (!dot || !dot[1])
            return fail(c, c->lineno, "key '%s': expected "
                                      "value.FIELD.CODE", key);
        if ((size_t)(dot - field) == 3 && !strncmp(field, "sex", 3))
            vf = VF_SEX;
        else if ((size_t)(dot - field) == 9 && !strncmp(field, "ethnicity", 9))
            vf = VF_ETHNICITY;
        else if ((size_t)(dot - field) == 7 && !strncmp(field, "service", 7))
            vf = VF_SERVICE;
        else
            return fail(c, c->lineno, "key '%s': value maps exist for sex, "
                                      "ethnicity and service", key);
        if (!valid_canonical(c, vf, value))
            return 0;
        if (!strcmp(dot + 1, "default"))
            return set_str(c, &s->values[vf].default_value, value) == 0;
        return add_value_entry(c, &s->values[vf], dot + 1, value);
    }
    if (!mark_seen(c, key))
        return 0;
    if (!strcmp(key, "department")) {
        int dep = department_lookup(value);

        if (dep < 0)
            return bad_value(c, key, "housing, children_social_care, "
                                     "adult_social_care or education");
        s->department = (enum department)dep;
        return 1;
    }
    if (!strcmp(key, "format")) {
        if (!strcmp(value, "csv"))
            s->format = SRC_CSV;
        else if (!strcmp(value, "postgres"))
            s->format = SRC_POSTGRES;
        else
            return bad_value(c, key, "csv or postgres");
        return 1;
    }
    if (!strcmp(key, "profile")) {
        if (!profile_find(value))
            return bad_value(c, key, profile_names());
        return set_str(c, &s->profile, value) == 0;
    }
    if (!strcmp(key, "id_scope")) {
        if (!valid_name(value))
            return bad_value(c, key, "a name of lower-case letters, digits "
                                     "and _");
        return set_str(c, &s->id_scope, value) == 0;
    }
    if (!strcmp(key, "role")) {
        if (!strcmp(value, "header"))
            s->role = ROLE_HEADER;
        else if (!strcmp(value, "events"))
            s->role = ROLE_EVENTS;
        else
            return bad_value(c, key, "header or events");
        s->role_set = c->lineno;
        return 1;
    }
    if (!strcmp(key, "path"))
        return set_str(c, &s->path, value) == 0;
    if (!strcmp(key, "encoding")) {
        if (!strcasecmp(value, "utf-8") || !strcasecmp(value, "utf8"))
            s->encoding = ENC_UTF8;
        else if (!strcasecmp(value, "windows-1252") ||
                 !strcasecmp(value, "cp1252"))
            s->encoding = ENC_WINDOWS_1252;
        else if (!strcasecmp(value, "latin-1") ||
                 !strcasecmp(value, "latin1") ||
                 !strcasecmp(value, "iso-8859-1"))
            s->encoding = ENC_LATIN1;
        else
            return bad_value(c, key, "utf-8, windows-1252 or latin-1");
        return 1;
    }
    if (!strcmp(key, "delimiter") || !strcmp(key, "quote")) {
        char ch;

        if (!strcmp(value, "tab") || !strcmp(value, "\\t"))
            ch = '\t';
        else if (strlen(value) == 1 && value[0] != '\n')
            ch = value[0];
        else
            return bad_value(c, key, "one character, or tab");
        if (key[0] == 'd')
            s->delimiter = ch;
        else
            s->quote = ch;
        return 1;
    }
    if (!strcmp(key, "header"))
        return bool_value(c, key, value, &s->header);
    if (!strcmp(key, "max_field_bytes")) {
        if (!int_value(c, key, value, 16, (int64_t)1 << 30, &v))
            return 0;
        s->max_field_bytes = (size_t)v;
        return 1;
    }
    if (!strcmp(key, "max_columns")) {
        if (!int_value(c, key, value, 1, 65536, &v))
            return 0;
        s->max_columns = (size_t)v;
        return 1;
    }
    if (!strcmp(key, "conninfo"))
        return set_str(c, &s->conninfo, value) == 0;
    if (!strcmp(key, "query"))
        return set_str(c, &s->query, value) == 0;
    if (!strcmp(key, "table"))
        return set_str(c, &s->table, value) == 0;
    if (!strcmp(key, "statement_timeout")) {
        if (!int_value(c, key, value, 0, 86400, &v))
            return 0;
        s->statement_timeout_ms = (long)v * 1000;
        return 1;
    }
    if (!strcmp(key, "date_format")) {
        if (!strchr(value, '%'))
            return bad_value(c, key, "a format such as %d/%m/%Y");
        return set_str(c, &s->date_format, value) == 0;
    }
    if (!strcmp(key, "service")) {
        if (!valid_name(value))
            return bad_value(c, key, "a service name in lower-case letters, "
                                     "digits and _");
        return set_str(c, &s->fixed_service, value) == 0;
    }
    if (!strcmp(key, "max_row_change")) {
        uint32_t ppm;

        if (parse_rate_ppm(value, &ppm) < 0)
            return bad_value(c, key, "a rate such as 20% or 0.2");
        s->max_row_change_ppm = ppm;
        return 1;
    }
    if (!strcmp(key, "max_reject_rate")) {
        uint32_t ppm;

        if (parse_rate_ppm(value, &ppm) < 0 || ppm > 1000000)
            return bad_value(c, key, "a rate such as 5% or 0.05");
        s->max_reject_ppm = ppm;
        return 1;
    }
    return unknown_key(c, key);
}

static int
component_lookup(const char *name, size_t len)
{
    int k;

    for (k = 0; k < KC_COUNT; k++) {
        const char *n = key_component_name(k);

        if (strlen(n) == len && !strncmp(n, name, len))
            return k;
    }
    return -1;
}

static int
parse_linkage_keys(struct parse_ctx *c, struct linkage_plan *lp,
                   const char *value)
{
    const char *p = value;

    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        struct match_key_plan *mk;
        const char *q, *stop;
        char text[256];
        size_t tl = 0;

        while (len && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (!len) {
            p = end ? end + 1 : p + strlen(p);
            continue;
        }
        mk = grow(c, lp->keys, lp->nkeys, sizeof(*mk));
        if (!mk)
            return 0;
        lp->keys = mk;
        mk = &lp->keys[lp->nkeys++];
        q = p;
        stop = p + len;
        while (q < stop) {
            const char *plus = memchr(q, '+', (size_t)(stop - q));
            const char *ce = plus ? plus : stop;
            const char *cs = q;
            int k;
            size_t i;

            while (cs < ce && isspace((unsigned char)*cs))
                cs++;
            while (ce > cs && isspace((unsigned char)ce[-1]))
                ce--;
            k = component_lookup(cs, (size_t)(ce - cs));
            if (k < 0 || (k < CF_COUNT && k > CF_SEX))
                return fail(c, c->lineno,
                            "unknown match key component in key %zu (use "
                            "identifier fields, sex, initial, sector, "
                            "district, dob_year, forename_root, "
                            "dob_unordered, surname_phonetic)", lp->nkeys);
            for (i = 0; i < mk->ncomponents; i++)
                if (mk->components[i] == k)
                    return fail(c, c->lineno, "match key %zu names '%s' "
                                              "twice", lp->nkeys,
                                key_component_name(k));
            if (mk->ncomponents >= MATCH_KEY_MAX_COMPONENTS)
                return fail(c, c->lineno, "match key %zu has more than %d "
                                          "components", lp->nkeys,
                            MATCH_KEY_MAX_COMPONENTS);
            mk->components[mk->ncomponents++] = (uint8_t)k;
            tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "%s%s",
                                   tl ? "+" : "", key_component_name(k));
            if (tl >= sizeof(text))
                tl = sizeof(text) - 1;
            q = plus ? plus + 1 : stop;
        }
        if (!(mk->text = dup_str(c, text)))
            return 0;
        if (lp->nkeys > 32)
            return fail(c, c->lineno, "at most 32 match keys");
        p = end ? end + 1 : p + strlen(p);
    }
    return 1;
}

static int
handle_linkage(struct parse_ctx *c, const char *key, const char *value)
{
    struct linkage_plan *lp = &c->plan->linkage;
    size_t i;

    if (strcmp(key, "keys"))
        return unknown_key(c, key);
    for (i = 0; i < lp->nkeys; i++)
        free(lp->keys[i].text);
    free(lp->keys);
    lp->keys = NULL;
    lp->nkeys = 0;
    if (!parse_linkage_keys(c, lp, value))
        return 0;
    if (!lp->nkeys)
        return bad_value(c, key, "match keys separated by ';'");
    return 1;
}

/*
 * The [disclosure] keys, shared with `cohort protect` (its options are the
 * same keys): one parser, one set of presets, so a hand-made table gets
 * exactly the rules the nightly job applies.
 */
int
disclosure_plan_set(struct disclosure_plan *dp, struct disclosure_keys *k,
                    const char *key, const char *value, char *expect,
                    size_t expect_size)
{
    int64_t v;

    if (expect_size)
        expect[0] = '\0';
    if (!strcmp(key, "preset")) {
        char *p;

        if (strcmp(value, "ons") && strcmp(value, "nhs")) {
            snprintf(expect, expect_size, "ons (suppress below 10, round to "
                                          "5) or nhs (suppress 1-7, round "
                                          "to 5)");
            return CE_CONFIG;
        }
        if (!(p = strdup(value)))
            return CE_NOMEM;
        free(dp->preset);
        dp->preset = p;
        return 0;
    }
    if (!strcmp(key, "min_count") || !strcmp(key, "rounding") ||
        !strcmp(key, "protection_level")) {
        if (parse_int64_str(value, 1, 1000, &v) < 0) {
            snprintf(expect, expect_size, "a whole number from 1 to 1000");
            return CE_CONFIG;
        }
        if (!strcmp(key, "min_count"))
            k->min_count = (int)v;
        else if (!strcmp(key, "rounding"))
            k->rounding = (int)v;
        else
            k->protection_level = (int)v;
        return 0;
    }
    if (!strcmp(key, "suppress")) {
        /* an explicit inclusive range, "1-9": the custom form of min_count */
        const char *dash = strchr(value, '-');
        int64_t lo, hi;

        if (!dash || parse_int64(value, (size_t)(dash - value), 0, 1000, &lo) < 0 ||
            parse_int64_str(dash + 1, lo, 1000, &hi) < 0 || lo < 1) {
            snprintf(expect, expect_size, "an inclusive range such as 1-9");
            return CE_CONFIG;
        }
        k->suppress_lo = (int)lo;
        k->min_count = (int)hi + 1;
        return 0;
    }
    if (!strcmp(key, "protect_zeros")) {
        if (parse_bool(value, &k->protect_zeros) < 0) {
            snprintf(expect, expect_size, "yes or no");
            return CE_CONFIG;
        }
        return 0;
    }
    if (!strcmp(key, "protection_lower") || !strcmp(key, "protection_upper")) {
        /* "N" counts or "N%" of the cell, tau-ARGUS's two forms */
        size_t len = strlen(value);
        int pct = len > 1 && value[len - 1] == '%';

        if (parse_int64(value, len - (size_t)pct, 0, pct ? 100 : 1000, &v) <
            0) {
            snprintf(expect, expect_size, "a whole number from 0 to 1000, "
                                          "or a percentage such as 25%%");
            return CE_CONFIG;
        }
        if (!strcmp(key, "protection_lower")) {
            dp->protection_lower = (int)v;
            dp->protection_lower_pct = pct;
        } else {
            dp->protection_upper = (int)v;
            dp->protection_upper_pct = pct;
        }
        return 0;
    }
    if (!strcmp(key, "suppression_cost")) {
        if (!strcmp(value, "value"))
            dp->suppression_cost = COST_VALUE;
        else if (!strcmp(value, "cells"))
            dp->suppression_cost = COST_CELLS;
        else if (!strcmp(value, "log_value"))
            dp->suppression_cost = COST_LOG_VALUE;
        else {
            snprintf(expect, expect_size, "value, cells or log_value");
            return CE_CONFIG;
        }
        return 0;
    }
    if (!strcmp(key, "perturbation")) {
        if (!strcmp(value, "none"))
            dp->perturbation = PERTURB_NONE;
        else if (!strcmp(value, "cellkey"))
            dp->perturbation = PERTURB_CELLKEY;
        else {
            snprintf(expect, expect_size, "none or cellkey");
            return CE_CONFIG;
        }
        return 0;
    }
    if (!strcmp(key, "ptable")) {
        char *p = strdup(value);

        if (!p)
            return CE_NOMEM;
        free(dp->ptable);
        dp->ptable = p;
        return 0;
    }
    return CE_CONFIG; /* unknown key: expect left empty */
}

int
disclosure_plan_finish(struct disclosure_plan *dp,
                       const struct disclosure_keys *k)
{
    /* preset first, explicit keys override it */
    dp->suppress_lo = 1;
    dp->suppress_hi = 9;
    dp->rounding = 5;
    if (dp->preset && !strcmp(dp->preset, "nhs"))
        dp->suppress_hi = 7;
    if (k->min_count)
        dp->suppress_hi = k->min_count - 1;
    if (k->suppress_lo)
        dp->suppress_lo = k->suppress_lo;
    if (k->rounding)
        dp->rounding = k->rounding;
    dp->protect_zeros = k->protect_zeros;
    dp->protection_level = k->protection_level ? k->protection_level
                                               : (dp->suppress_hi > 0
                                                      ? dp->suppress_hi
                                                      : 1);
    if (dp->suppress_hi < dp->suppress_lo && !dp->protect_zeros)
        dp->suppress_hi = 0; /* min_count = 1: nothing suppressed */
    if (dp->perturbation == PERTURB_CELLKEY && !dp->ptable)
        return CE_CONFIG;
    return 0;
}

void
disclosure_plan_release(struct disclosure_plan *dp)
{
    free(dp->preset);
    free(dp->ptable);
    memset(dp, 0, sizeof(*dp));
}

static int
handle_disclosure(struct parse_ctx *c, const char *key, const char *value)
{
    char expect[96];
    int rc = disclosure_plan_set(&c->plan->disclosure, &c->dk, key, value,
                                 expect, sizeof(expect));

    if (rc == CE_NOMEM)
        return nomem(c);
    if (rc < 0 && !expect[0])
        return unknown_key(c, key);
    if (rc < 0)
        return bad_value(c, key, expect);
    return 1;
}

/* A by list: fixed column names and DEPT.SERVICE flags. A flag's
 * service is resolved in finish_plan, once every source's map is known;
 * until then by_name holds the term as written. */
static int
parse_by(struct parse_ctx *c, struct cohort_plan *k, const char *value)
{
    const char *p = value;
    size_t i;

    for (i = 0; i < k->nby; i++) {
        free(k->by_name[i]);
        k->by_name[i] = NULL;
    }
    k->nby = 0;
    k->by_line = c->lineno;
    while (*p) {
        const char *q, *dot;
        size_t len;
        int b, found = -1;
        char term[112];

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        q = p;
        while (*q && *q != ',' && *q != ' ')
            q++;
        len = (size_t)(q - p);
        dot = memchr(p, '.', len);
        for (b = 0; b < BY_SERVICE; b++)
            if (strlen(by_names[b]) == len && !strncmp(by_names[b], p, len))
                found = b;
        if (found < 0 && dot) {
            size_t dl = (size_t)(dot - p);

            if (len >= sizeof(term) || dl >= 64)
                return bad_value(c, "by", "DEPARTMENT.SERVICE with a known "
                                          "department and service");
            memcpy(term, p, len);
            term[len] = '\0';
            term[dl] = '\0';
            if (department_lookup(term) < 0 || !valid_name(term + dl + 1))
                return bad_value(c, "by", "DEPARTMENT.SERVICE with a "
                                          "department from housing, "
                                          "children_social_care, "
                                          "adult_social_care, education");
            term[dl] = '.';
            found = BY_SERVICE;
        }
        if (found < 0)
            return bad_value(c, "by", "columns from age_band, sex, ethnicity, "
                                      "ward, lsoa, district or "
                                      "DEPARTMENT.SERVICE flags");
        for (i = 0; i < k->nby; i++)
            if (k->by[i] == found &&
                (found != BY_SERVICE || !strcmp(k->by_name[i], term)))
                return fail(c, c->lineno, "'by' names %s twice",
                            found == BY_SERVICE ? term : by_names[found]);
        if (k->nby >= COHORT_MAX_BY)
            return fail(c, c->lineno, "'by' takes at most %d columns",
                        COHORT_MAX_BY);
        k->by_service[k->nby] = -1;
        if (found == BY_SERVICE &&
            !(k->by_name[k->nby] = dup_str(c, term)))
            return 0;
        k->by[k->nby++] = (uint8_t)found;
        p = q;
    }
    return 1;
}

/* Resolves the cohort's service flags against the plan's services and
 * turns each term into its column name. */
static int
finish_by(struct parse_ctx *c, struct cohort_plan *k)
{
    struct job_plan *pl = c->plan;
    size_t j, i;

    for (j = 0; j < k->nby; j++) {
        char *name = k->by_name[j], *dot;
        int dep, idx;

        if (k->by[j] != BY_SERVICE)
            continue;
        dot = strchr(name, '.');
        *dot = '\0';
        dep = department_lookup(name);
        idx = job_plan_service_index(pl, dep, dot + 1);
        if (idx < 0) {
            char known[512];
            size_t o = 0;

            known[0] = '\0';
            for (i = 0; i < pl->nservices && o < sizeof(known); i++)
                if (pl->services[i].department == dep)
                    o += (size_t)snprintf(known + o, sizeof(known) - o,
                                          "%s%s", o ? ", " : "",
                                          pl->services[i].name);
            return fail(c, k->by_line, "[cohort %s]: 'by' names unknown "
                                       "service '%s' in %s (known: %s)",
                        k->name, dot + 1, name, o ? known : "none mapped");
        }
        *dot = '_';
        k->by_service[j] = idx;
    }
    return 1;
}

static int
handle_cohort(struct parse_ctx *c, const char *key, const char *value)
{
    struct cohort_plan *k = &c->plan->cohorts[c->cur.index];

    if (!strcmp(key, "title")) {
        /* the title is published (report, PostgreSQL's COMMENT ON), and
         * PostgreSQL refuses invalid UTF-8 (SQLSTATE 22021) on every run:
         * a job file saved as Windows-1252 must fail here, not nightly */
        if (utf8_valid_prefix((const unsigned char *)value, strlen(value)) !=
            strlen(value))
            return bad_value(c, key, "UTF-8 text");
        return set_str(c, &k->title, value) == 0;
    }
    if (!strcmp(key, "where")) {
        k->where_line = c->lineno;
        return set_str(c, &k->where, value) == 0;
    }
    if (!strcmp(key, "by"))
        return parse_by(c, k, value);
    if (!strcmp(key, "measure")) {
        if (!strcmp(value, "persons"))
            k->measure = MEASURE_PERSONS;
        else if (!strcmp(value, "new"))
            k->measure = MEASURE_NEW;
        else
            return bad_value(c, key, "persons or new");
        return 1;
    }
    return unknown_key(c, key);
}

static int
handle_output(struct parse_ctx *c, const char *key, const char *value)
{
    struct output_plan *o = &c->plan->outputs[c->cur.index];
    int64_t v;

    if (!strcmp(key, "type")) {
        if (!strcmp(value, "csv"))
            o->type = OUT_CSV;
        else if (!strcmp(value, "postgres"))
            o->type = OUT_POSTGRES;
        else
            return bad_value(c, key, "csv or postgres");
        return 1;
    }
    if (!strcmp(key, "gzip"))
        return bool_value(c, key, value, &o->gzip);
    if (!strcmp(key, "retain")) {
        if (!int_value(c, key, value, 0, 100000, &v))
            return 0;
        o->retain = (int)v;
        return 1;
    }
    if (!strcmp(key, "conninfo"))
        return set_str(c, &o->conninfo, value) == 0;
    if (!strcmp(key, "schema")) {
        if (!valid_name(value))
            return bad_value(c, key, "lower-case letters, digits and _");
        return set_str(c, &o->schema, value) == 0;
    }
    if (!strcmp(key, "grant_to")) {
        if (!valid_name(value))
            return bad_value(c, key, "a role name in lower-case letters, "
                                     "digits and _");
        return set_str(c, &o->grant_to, value) == 0;
    }
    return unknown_key(c, key);
}

/* Appends an indented continuation line to the key it continues. */
static int
continue_value(struct parse_ctx *c, char **dst, const char *value)
{
    size_t a = strlen(*dst), b = strlen(value);
    char *p = realloc(*dst, a + b + 2);

    if (!p)
        return nomem(c);
    p[a] = ' ';
    memcpy(p + a + 1, value, b + 1);
    *dst = p;
    return 1;
}

static char **
continuable(struct parse_ctx *c, const char *key)
{
    if (c->cur.kind == SEC_COHORT && !strcmp(key, "where"))
        return &c->plan->cohorts[c->cur.index].where;
    if (c->cur.kind == SEC_COHORT && !strcmp(key, "title"))
        return &c->plan->cohorts[c->cur.index].title;
    if (c->cur.kind == SEC_SOURCE && !strcmp(key, "query"))
        return &c->plan->sources[c->cur.index].query;
    return NULL;
}

static int
handle_key(void *user, const char *section, const char *key,
           const char *value)
{
    struct parse_ctx *c = user;
    char **cont;

    if (c->err)
        return 0;
    if (c->new_section || !c->nsections) {
        c->new_section = 0;
        if (!*section)
            return fail(c, c->lineno,
                        "key '%s' outside any section (start with [job])",
                        key);
        if (!begin_section(c, section))
            return 0;
    }
    if (c->continuation && !strcmp(key, c->last_key)) {
        /* inih hands an indented line to us as more of the last key. */
        if (c->cur.kind == SEC_LINKAGE && !strcmp(key, "keys"))
            return parse_linkage_keys(c, &c->plan->linkage, value);
        cont = continuable(c, key);
        if (cont && *cont)
            return continue_value(c, cont, value);
        return fail(c, c->lineno, "'%s' cannot continue on an indented line",
                    key);
    }
    snprintf(c->last_key, sizeof(c->last_key), "%s", key);
    if (c->cur.kind != SEC_SOURCE && !mark_seen(c, key))
        return 0;
    switch (c->cur.kind) {
    case SEC_JOB:
        return handle_job(c, key, value);
    case SEC_SOURCE:
        return handle_source(c, key, value);
    case SEC_LINKAGE:
        return handle_linkage(c, key, value);
    case SEC_DISCLOSURE:
        return handle_disclosure(c, key, value);
    case SEC_COHORT:
        return handle_cohort(c, key, value);
    case SEC_OUTPUT:
        return handle_output(c, key, value);
    default:
        return 0;
    }
}

int
job_plan_service_index(const struct job_plan *plan, int department,
                       const char *name)
{
    size_t i;

    for (i = 0; i < plan->nservices; i++)
        if (plan->services[i].department == department &&
            !strcmp(plan->services[i].name, name))
            return (int)i;
    return -1;
}

static int
add_service(struct parse_ctx *c, int department, const char *name)
{
    struct job_plan *pl = c->plan;
    struct service_def *s;

    if (job_plan_service_index(pl, department, name) >= 0)
        return 1;
    if (pl->nservices >= 60000)
        return fail(c, 0, "too many services");
    s = grow(c, pl->services, pl->nservices, sizeof(*s));
    if (!s)
        return 0;
    pl->services = s;
    s[pl->nservices].department = (uint8_t)department;
    if (!(s[pl->nservices].name = dup_str(c, name)))
        return 0;
    pl->nservices++;
    return 1;
}

/* Numbers the source's id scope, adding it to the plan on first use. */
static int
add_scope(struct parse_ctx *c, struct source_plan *s)
{
    struct job_plan *pl = c->plan;
    size_t i;
    char **p;

    for (i = 0; i < pl->nscopes; i++)
        if (!strcmp(pl->scopes[i], s->id_scope)) {
            s->scope = (int)i;
            return 1;
        }
    p = realloc(pl->scopes, (pl->nscopes + 1) * sizeof(*p));
    if (!p)
        return fail(c, s->line, "out of memory");
    pl->scopes = p;
    if (!(p[pl->nscopes] = dup_str(c, s->id_scope)))
        return 0;
    s->scope = (int)pl->nscopes++;
    return 1;
}

/* Fills what the source's profile provides and the source left unset. */
static int
apply_profile(struct parse_ctx *c, struct source_plan *s)
{
    const struct profile *p = profile_find(s->profile);
    size_t i;

    if (!p)
        return 1;
    if (s->department == DEPT_COUNT)
        s->department = p->department;
    if (!s->date_format && p->date_format &&
        set_str(c, &s->date_format, p->date_format) < 0)
        return 0;
    if (!s->fixed_service && p->fixed_service &&
        set_str(c, &s->fixed_service, p->fixed_service) < 0)
        return 0;
    if (!s->id_scope && p->id_scope && set_str(c, &s->id_scope, p->id_scope) < 0)
        return 0;
    for (i = 0; i < p->ncolumns; i++) {
        int f = p->columns[i].field;

        if (!s->column[f]) {
            if (set_str(c, &s->column[f], p->columns[i].column) < 0)
                return 0;
            s->column_line[f] = s->line;
        }
    }
    for (i = 0; i < p->nvalues; i++) {
        struct value_map *vm = &s->values[p->values[i].field];
        size_t j;
        int dup = 0;

        for (j = 0; j < vm->n; j++)
            if (!strcasecmp(vm->entries[j].code, p->values[i].code))
                dup = 1;
        if (!dup && !add_value_entry(c, vm, p->values[i].code,
                                     p->values[i].canonical))
            return 0;
    }
    return 1;
}

static int
finish_source(struct parse_ctx *c, struct source_plan *s)
{
    int f, have_id = 0;
    size_t i;

    if (!apply_profile(c, s))
        return 0;
    if (s->department == DEPT_COUNT)
        return fail(c, s->line, "missing key 'department' in [source %s]",
                    s->name);
    if (s->format == SRC_CSV && !s->path)
        return fail(c, s->line, "missing key 'path' in [source %s]", s->name);
    if (s->format == SRC_POSTGRES) {
        if (!s->conninfo)
            return fail(c, s->line, "missing key 'conninfo' in [source %s]",
                        s->name);
        if (!s->query == !s->table)
            return fail(c, s->line, "[source %s] needs exactly one of "
                                    "'query' or 'table'", s->name);
    }
    /* Id scope and role: explicit, or inferred from what the table maps. */
    if (s->role_set && !s->id_scope)
        return fail(c, s->role_set, "[source %s]: 'role' needs an 'id_scope' "
                                    "(the tables that share the id)", s->name);
    if (s->id_scope) {
        int person_id = 0;

        if (!s->column[CF_LOCAL_ID])
            return fail(c, s->line, "[source %s] has id_scope '%s' but no "
                                    "'field.local_id' to join on", s->name,
                        s->id_scope);
        for (f = 0; f < CF_COUNT; f++)
            if (s->column[f] && f != CF_LOCAL_ID && f != CF_POSTCODE &&
                f != CF_UPRN && common_field_is_identifier((enum common_field)f))
                person_id = 1;
        if (!s->role_set)
            s->role = person_id ? ROLE_HEADER : ROLE_EVENTS;
        if (!add_scope(c, s))
            return 0;
    }
    /* A header may list persons only: no service and no dates. */
    s->has_spells = !(s->role == ROLE_HEADER && !s->fixed_service &&
                      !s->column[CF_SERVICE] && !s->column[CF_START_DATE] &&
                      !s->column[CF_END_DATE]);
    if (s->has_spells && !s->fixed_service && !s->column[CF_SERVICE])
        return fail(c, s->line, "[source %s] needs 'field.service' (with "
                                "value.service.CODE maps) or a fixed "
                                "'service'", s->name);
    if (s->fixed_service && s->column[CF_SERVICE])
        return fail(c, s->line, "[source %s] has both 'service' and "
                                "'field.service'", s->name);
    if (s->column[CF_SERVICE] && !s->values[VF_SERVICE].n &&
        !s->values[VF_SERVICE].default_value)
        return fail(c, s->column_line[CF_SERVICE],
                    "[source %s] maps field.service but no "
                    "value.service.CODE = service", s->name);
    if (s->has_spells && !s->column[CF_START_DATE])
        return fail(c, s->line, "missing key 'field.start_date' in "
                                "[source %s]", s->name);
    for (f = 0; f < CF_COUNT; f++)
        if (s->column[f] && common_field_is_identifier((enum common_field)f))
            have_id = 1;
    if (!have_id)
        return fail(c, s->line, "[source %s] maps no identifier field "
                                "(nhs_number, upn, dob, ... ): its rows "
                                "could never link", s->name);
    if (s->fixed_service && !add_service(c, s->department, s->fixed_service))
        return 0;
    for (i = 0; i < s->values[VF_SERVICE].n; i++)
        if (!add_service(c, s->department,
                         s->values[VF_SERVICE].entries[i].canonical))
            return 0;
    if (s->values[VF_SERVICE].default_value &&
        !add_service(c, s->department, s->values[VF_SERVICE].default_value))
        return 0;
    return 1;
}

static const char default_keys[] =
    "nhs_number; upn; forename+surname+dob+postcode; "
    "initial+surname+dob+district";

static int
finish_plan(struct parse_ctx *c)
{
    struct job_plan *pl = c->plan;
    struct disclosure_plan *dp = &pl->disclosure;
    size_t i;

    if (!c->have_job)
        return fail(c, 1, "missing section [job]");
    if (!pl->name)
        return fail(c, c->job_line, "missing key 'name' in [job]");
    if (!pl->key_file)
        return fail(c, c->job_line, "missing key 'key_file' in [job]");
    if (!pl->output_dir)
        return fail(c, c->job_line, "missing key 'output_dir' in [job]");
    if (!pl->lookup)
        return fail(c, c->job_line, "missing key 'lookup' in [job] (postcode "
                                    "to ward and LSOA table)");
    if (!pl->periods)
        pl->periods = 24;
    if (!pl->age_bands && !parse_age_bands(c, "0-4, 5-10, 11-15, 16-17, "
                                              "18-24, 25-64, 65+"))
        return 0;
    if (!pl->nsources)
        return fail(c, 1, "no [source NAME] section: nothing to read");
    for (i = 0; i < pl->nsources; i++)
        if (!finish_source(c, &pl->sources[i]))
            return 0;
    if (!pl->linkage.nkeys) {
        c->lineno = 0;
        if (!parse_linkage_keys(c, &pl->linkage, default_keys))
            return 0;
    }

    /* Disclosure: preset first, explicit keys override it. */
    if (disclosure_plan_finish(dp, &c->dk) < 0)
        return fail(c, c->disclosure_line,
                    "perturbation = cellkey needs 'ptable' in [disclosure]");

    if (!pl->ncohorts)
        return fail(c, 1, "no [cohort NAME] section: nothing to publish");
    for (i = 0; i < pl->ncohorts; i++) {
        struct cohort_plan *k = &pl->cohorts[i];

        if (!k->where)
            return fail(c, k->line, "missing key 'where' in [cohort %s]",
                        k->name);
        if (!strcmp(k->name, "runs") || !strcmp(k->name, "quality") ||
            !strcmp(k->name, "linkage") || !strcmp(k->name, "manifest") ||
            !strcmp(k->name, "report") || !strcmp(k->name, "latest") ||
            !strcmp(k->name, "quarantine"))
            return fail(c, k->line, "[cohort %s]: the name is taken by a "
                                    "published file or table; choose another",
                        k->name);
        if (!k->title && !(k->title = dup_str(c, k->name)))
            return 0;
        if (!finish_by(c, k))
            return 0;
    }
    if (!pl->noutputs) {
        struct output_plan *o = grow(c, NULL, 0, sizeof(*o));

        if (!o)
            return 0;
        pl->outputs = o;
        pl->noutputs = 1;
        if (!(o->name = dup_str(c, "files")))
            return 0;
        o->type = OUT_CSV;
    }
    for (i = 0; i < pl->noutputs; i++) {
        struct output_plan *o = &pl->outputs[i];

        if (o->type == OUT_POSTGRES) {
            if (!o->conninfo)
                return fail(c, o->line, "missing key 'conninfo' in "
                                        "[output %s]", o->name);
            if (!o->schema && !(o->schema = dup_str(c, "cohorts")))
                return 0;
        }
    }
    return 1;
}

void
job_plan_release(struct job_plan *pl)
{
    size_t i, j;
    int f, v;

    if (!pl)
        return;
    free(pl->config_path);
    free(pl->name);
    free(pl->key_file);
    free(pl->output_dir);
    free(pl->lookup);
    free(pl->nicknames);
    free(pl->age_bands);
    for (i = 0; i < pl->nsources; i++) {
        struct source_plan *s = &pl->sources[i];

        free(s->name);
        free(s->profile);
        free(s->id_scope);
        free(s->path);
        free(s->conninfo);
        free(s->query);
        free(s->table);
        free(s->date_format);
        free(s->fixed_service);
        for (f = 0; f < CF_COUNT; f++)
            free(s->column[f]);
        for (v = 0; v < VF_COUNT; v++) {
            for (j = 0; j < s->values[v].n; j++) {
                free(s->values[v].entries[j].code);
                free(s->values[v].entries[j].canonical);
            }
            free(s->values[v].entries);
            free(s->values[v].default_value);
        }
    }
    free(pl->sources);
    for (i = 0; i < pl->nscopes; i++)
        free(pl->scopes[i]);
    free(pl->scopes);
    for (i = 0; i < pl->nservices; i++)
        free(pl->services[i].name);
    free(pl->services);
    for (i = 0; i < pl->linkage.nkeys; i++)
        free(pl->linkage.keys[i].text);
    free(pl->linkage.keys);
    disclosure_plan_release(&pl->disclosure);
    for (i = 0; i < pl->ncohorts; i++) {
        free(pl->cohorts[i].name);
        free(pl->cohorts[i].title);
        free(pl->cohorts[i].where);
        for (j = 0; j < pl->cohorts[i].nby; j++)
            free(pl->cohorts[i].by_name[j]);
    }
    free(pl->cohorts);
    for (i = 0; i < pl->noutputs; i++) {
        free(pl->outputs[i].name);
        free(pl->outputs[i].conninfo);
        free(pl->outputs[i].schema);
        free(pl->outputs[i].grant_to);
    }
    free(pl->outputs);
    memset(pl, 0, sizeof(*pl));
}

int
job_plan_load(struct job_plan *plan, const char *path, struct diag *d)
{
    struct parse_ctx c;
    size_t i;
    int rc;

    memset(plan, 0, sizeof(*plan));
    memset(&c, 0, sizeof(c));
    diag_clear(d);
    c.plan = plan;
    c.d = d;
    c.file = path;
    c.f = fopen(path, "r");
    if (!c.f) {
        int e = errno;

        diag_set(d, path, 0, 0, NULL, "cannot read the job file: %s",
                 strerror(e));
        return e == ENOMEM ? CE_NOMEM : CE_CONFIG;
    }
    rc = ini_parse_stream(read_line, &c, handle_key, &c);
    if (!c.err && ferror(c.f))
        fail(&c, c.lineno, "read error");
    fclose(c.f);
    free(c.line);
    if (!c.err && rc > 0)
        fail(&c, rc, "syntax error (expected [section] or key = value)");
    else if (!c.err && rc < 0)
        nomem(&c);
    if (!c.err)
        finish_plan(&c);
    if (!c.err && !(plan->config_path = strdup(path)))
        nomem(&c);
    for (i = 0; i < c.nsections; i++)
        free(c.section_names[i]);
    free(c.section_names);
    if (c.err) {
        job_plan_release(plan);
        return c.err;
    }
    return 0;
}
