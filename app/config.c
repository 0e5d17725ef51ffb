/*
 * config.c - the job file (INI, parsed with inih) into a validated job plan.
 *
 * This file knows sections, lines and the INI syntax, and nothing about
 * what a key means: each section kind has the settings tables of the
 * stages that own its keys (section_defs below), and a key is looked up
 * there, applied, and on failure reported with the file and the line.
 *
 * inih calls handle_key() once per "key = value"; our own line reader sits
 * under it so that every error can name the line, duplicate sections are
 * seen (inih itself does not report them), indented continuation lines of a
 * long value are joined, and an over-long line is an error rather than a
 * silent split. After the whole file is read, finish_plan() has each stage
 * check what needs the whole section, and composes what spans sections:
 * the id scopes and the services every source maps.
 */
#include "config.h"
#include "job_settings.h"

#include "../connectors/source_settings.h"
#include "../transform/coded.h"
#include "../transform/map_settings.h"
#include "../transform/department_settings.h"
#include "../anonymise/link_settings.h"
#include "../anonymise/disclosure_settings.h"
#include "../cohorts/cohort_settings.h"
#include "../cohorts/transition_settings.h"
#include "../cohorts/need_settings.h"
#include "../forecast/forecast_settings.h"
#include "../export/output_settings.h"

#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum section_kind { SEC_JOB, SEC_SOURCE, SEC_LINKAGE, SEC_DISCLOSURE,
                    SEC_COHORT, SEC_TRANSITION, SEC_OUTPUT, SEC_DEPARTMENT,
                    SEC_NEED, SEC_COUNT };

/* Each section kind: whether it is [kind NAME], and the stages' tables of
 * its keys, searched in order. */
static const struct section_def {
    const char *kind;
    int named;
    const struct setting *const tables[4];
} section_defs[SEC_COUNT] = {
    [SEC_JOB] = {"job", 0,
                 {job_settings, tables_job_settings, forecast_job_settings,
                  NULL}},
    [SEC_SOURCE] = {"source", 1,
                    {source_connector_settings, source_map_settings,
                     source_drift_settings, NULL}},
    [SEC_LINKAGE] = {"linkage", 0, {linkage_settings, NULL}},
    [SEC_DISCLOSURE] = {"disclosure", 0, {disclosure_settings, NULL}},
    [SEC_COHORT] = {"cohort", 1, {cohort_settings, NULL}},
    [SEC_TRANSITION] = {"transition", 1, {transition_settings, NULL}},
    [SEC_OUTPUT] = {"output", 1, {output_settings, NULL}},
    [SEC_DEPARTMENT] = {"department", 1, {department_settings, NULL}},
    [SEC_NEED] = {"need", 1, {need_settings, NULL}},
};

/* Keys seen per section, to refuse duplicates and check required ones. */
#define MAX_SEEN 64

struct seen_key {
    char name[64];
    int line;
};

struct section_state {
    int kind;                  /* enum section_kind */
    void *obj;                 /* what its keys are stored into */
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
    /* the last key, which an indented line continues */
    char last_key[128];
    const struct setting *last_setting;
    char *last_value;         /* as written so far, when it can continue */
    int last_line;
    int have_job;
    int job_line, disclosure_line;
    struct disclosure_keys dk; /* resolved against the preset at the end */
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

/* A stage's verdict (0 or negative, with ctx) as the reader's: 1 to go
 * on, 0 with the error recorded on the line ctx names or the line being
 * read. */
static int
report(struct parse_ctx *c, int rc, const struct setting_ctx *ctx)
{
    if (rc == CE_NOMEM)
        return nomem(c);
    if (rc < 0)
        return fail(c, ctx->err_line ? ctx->err_line : c->lineno, "%s",
                    ctx->msg);
    return 1;
}

static char *
dup_str(struct parse_ctx *c, const char *s)
{
    char *p = strdup(s);

    if (!p)
        nomem(c);
    return p;
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

static const char *
section_label(struct parse_ctx *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s", c->nsections ? c->section_names[c->nsections - 1]
                                        : "");
    return buf;
}

/* Applies the defaults of every table of section kind k to obj. */
static int
boot_section(struct parse_ctx *c, int k, void *obj)
{
    const struct setting *const *t;
    struct setting_ctx ctx;

    setting_ctx_init(&ctx, section_defs[k].kind, NULL, c->header_line);
    for (t = section_defs[k].tables; *t; t++)
        if (!report(c, settings_boot(*t, obj, &ctx), &ctx))
            return 0;
    return 1;
}

/* Enters [job], [linkage] or [disclosure]: one each, booted at the start. */
static int
open_single(struct parse_ctx *c, int k)
{
    struct job_plan *pl = c->plan;

    c->cur.kind = k;
    if (k == SEC_JOB) {
        c->cur.obj = pl;
        c->have_job = 1;
        c->job_line = c->header_line;
    } else if (k == SEC_LINKAGE) {
        c->cur.obj = &pl->linkage;
        pl->linkage.line = c->header_line;
    } else {
        c->cur.obj = &c->dk;
        c->disclosure_line = c->header_line;
    }
    return 1;
}

/* Adds a [source NAME], [cohort NAME], [transition NAME], [output NAME],
 * [department NAME] or [need NAME] to the plan. */
static int
open_named(struct parse_ctx *c, int k, const char *name)
{
    struct job_plan *pl = c->plan;
    void *obj;
    char **namep;

    if (k == SEC_SOURCE) {
        struct source_plan *s = grow(c, pl->sources, pl->nsources,
                                     sizeof(*s));
        if (!s)
            return 0;
        pl->sources = s;
        s = &pl->sources[pl->nsources++];
        s->line = c->header_line;
        source_map_init(s);
        namep = &s->name;
        obj = s;
    } else if (k == SEC_COHORT) {
        struct cohort_plan *ck = grow(c, pl->cohorts, pl->ncohorts,
                                      sizeof(*ck));
        if (!ck)
            return 0;
        pl->cohorts = ck;
        ck = &pl->cohorts[pl->ncohorts++];
        ck->line = c->header_line;
        namep = &ck->name;
        obj = ck;
    } else if (k == SEC_DEPARTMENT) {
        struct department_plan *dp;
        struct setting_ctx ctx;

        setting_ctx_init(&ctx, NULL, NULL, c->header_line);
        if (!report(c, department_settings_open(pl, name, c->header_line,
                                                &dp, &ctx),
                    &ctx))
            return 0;
        c->cur.kind = k;
        c->cur.obj = dp;
        return boot_section(c, k, dp);
    } else if (k == SEC_NEED) {
        struct need_plan *np = grow(c, pl->needs, pl->nneeds, sizeof(*np));

        if (!np)
            return 0;
        pl->needs = np;
        np = &pl->needs[pl->nneeds++];
        np->line = c->header_line;
        namep = &np->name;
        obj = np;
    } else if (k == SEC_TRANSITION) {
        struct transition_plan *tp = grow(c, pl->transitions,
                                          pl->ntransitions, sizeof(*tp));
        if (!tp)
            return 0;
        pl->transitions = tp;
        tp = &pl->transitions[pl->ntransitions++];
        tp->table.line = c->header_line;
        namep = &tp->table.name;
        obj = tp;
    } else {
        struct output_plan *o = grow(c, pl->outputs, pl->noutputs,
                                     sizeof(*o));
        if (!o)
            return 0;
        pl->outputs = o;
        o = &pl->outputs[pl->noutputs++];
        o->line = c->header_line;
        namep = &o->name;
        obj = o;
    }
    if (!(*namep = dup_str(c, name)))
        return 0;
    c->cur.kind = k;
    c->cur.obj = obj;
    return boot_section(c, k, obj);
}

/* Starts a new section (called when inih reports a section change). */
static int
begin_section(struct parse_ctx *c, const char *section)
{
    char kind[32];
    const char *name = "";
    const char *sp = strchr(section, ' ');
    size_t klen = sp ? (size_t)(sp - section) : strlen(section);
    char **names;
    int k;

    memset(&c->cur, 0, sizeof(c->cur));
    c->last_key[0] = '\0';
    c->last_setting = NULL;
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

    for (k = 0; k < SEC_COUNT && strcmp(kind, section_defs[k].kind); k++)
        ;
    if (k < SEC_COUNT && !section_defs[k].named) {
        if (*name)
            return fail(c, c->header_line, "section [%s] takes no name", kind);
        return open_single(c, k);
    }
    if (k == SEC_COUNT)
        return fail(c, c->header_line,
                    "unknown section [%s] (expected job, source, linkage, "
                    "disclosure, cohort, transition, output, department or "
                    "need)", section);
    if (!*name)
        return fail(c, c->header_line, "section [%s] needs a name: [%s NAME]",
                    kind, kind);
    if (!setting_name_ok(name))
        return fail(c, c->header_line,
                    "bad name in [%s]: use lower-case letters, digits and _",
                    section);
    return open_named(c, k, name);
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

/* The entry of key in the current section's tables, or NULL. */
static const struct setting *
find_setting(const struct parse_ctx *c, const char *key)
{
    const struct setting *const *t;
    const struct setting *s = NULL;

    for (t = section_defs[c->cur.kind].tables; *t && !s; t++)
        s = settings_find(*t, key);
    return s;
}

/* Applies value (the whole value so far) to s, the key of line line. */
static int
apply(struct parse_ctx *c, const struct setting *s, const char *key,
      const char *value, int line)
{
    struct setting_ctx ctx;
    char sec[128];

    setting_ctx_init(&ctx, section_label(c, sec, sizeof(sec)), key, line);
    return report(c, setting_apply(s, c->cur.obj, value, &ctx), &ctx);
}

/* An indented line: more of the last key's value, which is applied again
 * whole, as if it had been written on one line. */
static int
continue_key(struct parse_ctx *c, const char *key, const char *value)
{
    const struct setting *s = c->last_setting;
    size_t a, j, b = strlen(value);
    char *p;

    if (!s || !s->joiner || !c->last_value)
        return fail(c, c->lineno, "'%s' cannot continue on an indented line",
                    key);
    a = strlen(c->last_value);
    j = strlen(s->joiner);
    if (!(p = realloc(c->last_value, a + j + b + 1)))
        return nomem(c);
    memcpy(p + a, s->joiner, j);
    memcpy(p + a + j, value, b + 1);
    c->last_value = p;
    return apply(c, s, key, p, c->last_line);
}

/*
 * inih splits a line at its first '=' or ':', so `value.ethnicity.Asian
 * or Asian British: Pakistani = ASIAN` reaches handle_key() as the key
 * "value.ethnicity.Asian or Asian British" and the value "Pakistani =
 * ASIAN". For a value.* key whose line has a ':' before its first '=',
 * the key is taken again from the raw line, up to that '=', and the value
 * is what inih read after it (its inline comment already stripped).
 * Returns 1 with key and value (pointing into buf and into value) redone,
 * else 0 and nothing changed.
 */
static int
colon_key(const struct parse_ctx *c, const char **key, const char **value,
          char *buf, size_t n)
{
    const char *raw = c->line, *eq, *colon, *v;
    size_t len;

    if (c->continuation || c->rest || strncmp(*key, "value.", 6))
        return 0;
    while (*raw == ' ' || *raw == '\t')
        raw++;
    eq = strchr(raw, '=');
    colon = strchr(raw, ':');
    if (!eq || !colon || colon > eq || !(v = strchr(*value, '=')))
        return 0;
    len = (size_t)(eq - raw);
    while (len && (raw[len - 1] == ' ' || raw[len - 1] == '\t'))
        len--;
    if (len >= n)
        return 0;
    memcpy(buf, raw, len);
    buf[len] = '\0';
    for (v++; *v == ' ' || *v == '\t'; v++)
        ;
    *key = buf;
    *value = v;
    return 1;
}

static int
handle_key(void *user, const char *section, const char *key,
           const char *value)
{
    struct parse_ctx *c = user;
    const struct setting *s;
    char sec[128], whole_key[1024];

    if (c->err)
        return 0;
    colon_key(c, &key, &value, whole_key, sizeof(whole_key));
    if (c->new_section || !c->nsections) {
        c->new_section = 0;
        if (!*section)
            return fail(c, c->lineno,
                        "key '%s' outside any section (start with [job])",
                        key);
        if (!begin_section(c, section))
            return 0;
    }
    if (c->continuation && !strcmp(key, c->last_key))
        return continue_key(c, key, value);
    snprintf(c->last_key, sizeof(c->last_key), "%s", key);
    c->last_setting = NULL;
    s = find_setting(c, key);
    if ((!s || !(s->flags & SETTING_REPEATABLE)) && !mark_seen(c, key))
        return 0;
    if (!s)
        return fail(c, c->lineno, "unknown key '%s' in [%s]", key,
                    section_label(c, sec, sizeof(sec)));
    c->last_setting = s;
    c->last_line = c->lineno;
    if (s->joiner) {
        free(c->last_value);
        if (!(c->last_value = dup_str(c, value)))
            return 0;
    }
    return apply(c, s, key, value, c->lineno);
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

/* The stages' checks of one source, then its scope and services into the
 * plan. */
static int
finish_source(struct parse_ctx *c, struct source_plan *s)
{
    const struct value_map *svc = &s->values[VF_SERVICE];
    struct setting_ctx ctx;
    size_t i;
    int rc;

    setting_ctx_init(&ctx, NULL, NULL, s->line);
    if ((rc = source_map_apply_profile(s, &ctx)) < 0 ||
        (rc = source_connector_finish(s, &ctx)) < 0 ||
        (rc = source_map_finish(s, &ctx)) < 0 ||
        (rc = department_settings_resolve_source(s, c->plan, &ctx)) < 0)
        return report(c, rc, &ctx);
    if (s->id_scope && !add_scope(c, s))
        return 0;
    if (s->fixed_service && !add_service(c, s->department, s->fixed_service))
        return 0;
    for (i = 0; i < svc->n; i++)
        if (!add_service(c, s->department, svc->entries[i].canonical))
            return 0;
    if (svc->default_value &&
        !add_service(c, s->department, svc->default_value))
        return 0;
    return 1;
}

static int
finish_plan(struct parse_ctx *c)
{
    struct job_plan *pl = c->plan;
    struct setting_ctx ctx;
    size_t i, j;

    setting_ctx_init(&ctx, NULL, NULL, 0);
    if (!c->have_job)
        return fail(c, 1, "missing section [job]");
    if (!report(c, job_settings_finish(pl, c->job_line, &ctx), &ctx))
        return 0;
    if (!pl->nsources)
        return fail(c, 1, "no [source NAME] section: nothing to read");
    if (!report(c, department_settings_finish(pl, &ctx), &ctx))
        return 0;
    for (i = 0; i < pl->nsources; i++)
        if (!finish_source(c, &pl->sources[i]))
            return 0;
    if (!report(c, coded_finish_plan(pl, &ctx), &ctx))
        return 0;
    /* a declared service no source maps is still one where and by may
     * name (it counts no one) */
    for (i = 0; i < pl->ndepartments; i++)
        for (j = 0; j < pl->departments[i].nservices; j++)
            if (pl->departments[i].services[j].listed &&
                !add_service(c, (int)i, pl->departments[i].services[j].name))
                return 0;
    for (i = 0; i < pl->nneeds; i++)
        if (!report(c, need_settings_finish(&pl->needs[i], &ctx), &ctx))
            return 0;
    if (disclosure_plan_finish(&pl->disclosure, &c->dk) < 0)
        return fail(c, c->disclosure_line,
                    "perturbation = cellkey needs 'ptable' in [disclosure]");
    if (!pl->ncohorts)
        return fail(c, 1, "no [cohort NAME] section: nothing to publish");
    for (i = 0; i < pl->ncohorts; i++)
        if (!report(c, cohort_settings_finish(&pl->cohorts[i], pl, &ctx),
                    &ctx))
            return 0;
    for (i = 0; i < pl->ntransitions; i++)
        if (!report(c, transition_settings_finish(&pl->transitions[i], pl,
                                                  &ctx),
                    &ctx))
            return 0;
    if (!report(c, published_tables_check(pl, &ctx), &ctx))
        return 0;
    if (!pl->noutputs) {
        if (!(pl->outputs = grow(c, NULL, 0, sizeof(*pl->outputs))))
            return 0;
        pl->noutputs = 1;
        if (!report(c, output_settings_default(pl->outputs, &ctx), &ctx))
            return 0;
    }
    for (i = 0; i < pl->noutputs; i++)
        if (!report(c, output_settings_finish(&pl->outputs[i], &ctx), &ctx))
            return 0;
    return report(c, output_settings_check_plan(pl, &ctx), &ctx);
}

const struct setting *const *
config_section_tables(const char *kind)
{
    int k;

    for (k = 0; k < SEC_COUNT; k++)
        if (!strcmp(kind, section_defs[k].kind))
            return section_defs[k].tables;
    return NULL;
}

/* The defaults of the sections a job file has once, given or not. */
static int
boot_plan(struct parse_ctx *c)
{
    struct setting_ctx ctx;

    setting_ctx_init(&ctx, NULL, NULL, 0);
    if (job_plan_add_default_departments(c->plan) < 0)
        return nomem(c);
    return report(c, settings_boot(job_settings, c->plan, &ctx), &ctx) &&
           report(c, settings_boot(tables_job_settings, c->plan, &ctx),
                  &ctx) &&
           report(c, settings_boot(forecast_job_settings, c->plan, &ctx),
                  &ctx) &&
           report(c, settings_boot(linkage_settings, &c->plan->linkage, &ctx),
                  &ctx) &&
           report(c, settings_boot(disclosure_settings, &c->dk, &ctx), &ctx);
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
    rc = boot_plan(&c) ? ini_parse_stream(read_line, &c, handle_key, &c) : 0;
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
    free(c.last_value);
    disclosure_keys_release(&c.dk);
    if (c.err) {
        job_plan_release(plan);
        return c.err;
    }
    return 0;
}
