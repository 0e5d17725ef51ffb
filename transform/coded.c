/*
 * coded.c - coded columns: their keys, their lists loaded once into the
 * plan, the job's category labels, and the check of one row's codes.
 */
#include "coded.h"
#include "codelist.h"
#include "profiles.h"
#include "quarantine.h"

#include "../core/label.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const category_names[CAT_COUNT] = {
    "placement_type", "legal_status", "category_of_need"};

const char *
spell_category_name(int category)
{
    return category >= 0 && category < CAT_COUNT ? category_names[category]
                                                  : "unknown";
}

/* The coded column of s read from column (compared ignoring case, as a
 * header is), or NULL. */
static struct coded_column *
coded_find(struct source_plan *s, const char *column)
{
    size_t k;

    for (k = 0; k < s->ncoded; k++)
        if (!strcasecmp(s->coded[k].column, column))
            return &s->coded[k];
    return NULL;
}

/* Forgets what cc's list gave it (entries, groups, the list's name). */
static void
coded_clear_list(struct coded_column *cc)
{
    size_t j;

    for (j = 0; j < cc->nentries; j++)
        free(cc->entries[j].code);
    free(cc->entries);
    for (j = 0; j < cc->ngroups; j++)
        free(cc->groups[j]);
    free(cc->groups);
    free(cc->list);
    cc->entries = NULL;
    cc->nentries = 0;
    cc->groups = NULL;
    cc->ngroups = 0;
    cc->list = NULL;
}

/* A new coded column of s read from column into *out: 0, or CE_CONFIG
 * (the source has SOURCE_CODED_MAX already) or CE_NOMEM with ctx set. */
static int
coded_add(struct source_plan *s, const char *column, struct setting_ctx *ctx,
          struct coded_column **out)
{
    struct coded_column *cc;

    if (s->ncoded == SOURCE_CODED_MAX)
        return setting_fail(ctx, "[source %s]: more than %d coded columns",
                            s->name, SOURCE_CODED_MAX);
    cc = &s->coded[s->ncoded];
    memset(cc, 0, sizeof(*cc));
    cc->category = -1;
    if (!(cc->column = strdup(column)))
        return setting_nomem(ctx);
    s->ncoded++;
    *out = cc;
    return 0;
}

/* Reading one list into a coded column (codelist_read()). */
struct coded_load {
    struct coded_column *cc;
    size_t alloc;
    long bad_line;
    const char *why;
};

static int
coded_load_entry(void *ctx, const char *code, const char *value, long line)
{
    struct coded_load *l = ctx;
    struct coded_column *cc = l->cc;
    size_t g;

    for (g = 0; g < cc->ngroups; g++)
        if (!strcmp(cc->groups[g], value))
            break;
    if (g == cc->ngroups) {
        char **gr;

        if (!*value || cc->ngroups == CATEGORY_GROUPS_MAX - 1) {
            l->bad_line = line;
            l->why = *value ? "at most 31 distinct values (groups)"
                            : "a value (the code's group)";
            return CE_CONFIG;
        }
        if (!(gr = realloc(cc->groups, (cc->ngroups + 1) * sizeof(*gr))))
            return CE_NOMEM;
        cc->groups = gr;
        if (!(gr[cc->ngroups] = strdup(value)))
            return CE_NOMEM;
        cc->ngroups++;
    }
    if (cc->nentries == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        struct coded_entry *e = realloc(cc->entries, na * sizeof(*e));

        if (!e)
            return CE_NOMEM;
        cc->entries = e;
        l->alloc = na;
    }
    if (!(cc->entries[cc->nentries].code = strdup(code)))
        return CE_NOMEM;
    cc->entries[cc->nentries++].group = (uint8_t)g;
    return 0;
}

static int
coded_entry_cmp(const void *a, const void *b)
{
    const struct coded_entry *x = a, *y = b;

    return strcasecmp(x->code, y->code);
}

/* Loads list into cc (replacing what it had): its codes sorted for a
 * binary search, a code listed twice with two groups refused. */
static int
coded_load(struct coded_column *cc, const char *list, struct setting_ctx *ctx)
{
    struct coded_load l = {cc, 0, 0, NULL};
    struct codelist_error e;
    size_t j;
    int rc;

    coded_clear_list(cc);
    rc = codelist_read(list, coded_load_entry, &l, &e);
    if (rc == CE_NOMEM)
        return setting_nomem(ctx);
    if (rc < 0 && l.bad_line)
        return setting_fail(ctx, "code list '%s' line %ld: expected %s",
                            list, l.bad_line, l.why);
    if (rc < 0 && e.line)
        return setting_fail(ctx, "code list '%s' line %ld: %s", list, e.line,
                            e.msg);
    if (rc < 0)
        return setting_fail(ctx, "code list '%s': %s", list, e.msg);
    if (cc->nentries > 1)
        qsort(cc->entries, cc->nentries, sizeof(*cc->entries),
              coded_entry_cmp);
    for (j = 1; j < cc->nentries; j++)
        if (!strcasecmp(cc->entries[j - 1].code, cc->entries[j].code) &&
            cc->entries[j - 1].group != cc->entries[j].group)
            return setting_fail(ctx, "code list '%s': a code is listed "
                                     "twice with two values", list);
    return setting_set_string(&cc->list, list, ctx);
}

int
coded_set_list(const struct setting *s, void *obj, const char *value,
               struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *column = ctx->key + strlen(s->name);
    struct coded_column *cc;
    int rc;

    if (!*column)
        return setting_fail(ctx, "key '%s': code_list.COLUMN names the "
                                 "source's column", ctx->key);
    if (!(cc = coded_find(sp, column)) &&
        (rc = coded_add(sp, column, ctx, &cc)) < 0)
        return rc;
    cc->line = ctx->line ? ctx->line : 1;
    cc->optional = 0;
    if (!*value) {
        coded_clear_list(cc); /* not checked, even the profile's */
        return 0;
    }
    return coded_load(cc, value, ctx);
}

int
coded_set_category(const struct setting *s, void *obj, const char *value,
                   struct setting_ctx *ctx)
{
    struct source_plan *sp = obj;
    const char *name = ctx->key + strlen(s->name);
    struct coded_column *cc;
    size_t k;
    int cat, rc;

    for (cat = 0; cat < CAT_COUNT; cat++)
        if (!strcmp(name, category_names[cat]))
            break;
    if (cat == CAT_COUNT)
        return setting_fail(ctx, "key '%s': the categories are "
                                 "placement_type, legal_status and "
                                 "category_of_need", ctx->key);
    sp->category_line[cat] = ctx->line ? ctx->line : 1;
    for (k = 0; k < sp->ncoded; k++)
        if (sp->coded[k].category == cat)
            sp->coded[k].category = -1;
    if (!*value)
        return 0;
    if (!(cc = coded_find(sp, value)) &&
        (rc = coded_add(sp, value, ctx, &cc)) < 0)
        return rc;
    if (cc->category >= 0)
        return setting_fail(ctx, "[source %s]: column '%s' already carries "
                                 "category %s", sp->name, value,
                            category_names[cc->category]);
    cc->category = cat;
    cc->category_line = sp->category_line[cat];
    return 0;
}

/* The profile's coded columns where the [source] named none. */
static int
coded_profile_columns(struct source_plan *s, const struct profile *p,
                      struct setting_ctx *ctx)
{
    size_t i;
    int rc;

    for (i = 0; i < p->ncodes; i++) {
        const struct profile_code *pc = &p->codes[i];
        struct coded_column *cc = coded_find(s, pc->column);

        if (!cc && (rc = coded_add(s, pc->column, ctx, &cc)) < 0)
            return rc;
        /* the profile's list unless code_list.COLUMN said otherwise (a
         * column only category.NAME named has none yet) */
        if (!cc->line && !cc->list) {
            cc->optional = 1;
            if ((rc = coded_load(cc, pc->list, ctx)) < 0)
                return rc;
        }
        if (pc->category >= 0 && !s->category_line[pc->category] &&
            cc->category < 0 && cc->list)
            cc->category = pc->category;
    }
    return 0;
}

int
coded_apply_profile(struct source_plan *s, const char *profile_name,
                    struct setting_ctx *ctx)
{
    const struct profile *p = profile_find(profile_name);
    size_t k;
    int rc;

    if (p && (rc = coded_profile_columns(s, p, ctx)) < 0)
        return rc;
    for (k = 0; k < s->ncoded; k++) {
        const struct coded_column *cc = &s->coded[k];

        if (cc->category >= 0 && !cc->list)
            return setting_fail_at(
                ctx, cc->category_line ? cc->category_line : s->line,
                "[source %s]: category.%s reads column '%s', which has no "
                "code_list (its groups are the category's labels)",
                s->name, category_names[cc->category], cc->column);
    }
    return 0;
}

/* The index of label among cat's labels, added when new; -1 when the
 * category has CATEGORY_GROUPS_MAX already, -2 out of memory. */
static int
category_label(struct category_labels *cl, const char *label)
{
    size_t i;

    for (i = 0; i < cl->n; i++)
        if (!strcmp(cl->label[i], label))
            return (int)i;
    if (cl->n == CATEGORY_GROUPS_MAX)
        return -1;
    if (!(cl->label[cl->n] = strdup(label)))
        return -2;
    return (int)cl->n++;
}

int
coded_finish_plan(struct job_plan *plan, struct setting_ctx *ctx)
{
    size_t i, k, g;
    int cat, idx;

    for (cat = 0; cat < CAT_COUNT; cat++)
        if (!plan->categories[cat].n &&
            category_label(&plan->categories[cat], "UNKNOWN") < 0)
            return setting_nomem(ctx);
    for (i = 0; i < plan->nsources; i++) {
        struct source_plan *s = &plan->sources[i];

        for (k = 0; k < s->ncoded; k++) {
            struct coded_column *cc = &s->coded[k];
            int line = cc->category_line ? cc->category_line
                       : cc->line        ? cc->line
                                         : s->line;

            if (cc->category < 0)
                continue;
            for (g = 0; g < cc->ngroups; g++) {
                enum label_fault f = label_check(cc->groups[g]);

                /* a group becomes a published label: checked as the
                 * lookup's names are, and never quoted in the message */
                if (f != LABEL_OK)
                    return setting_fail_at(
                        ctx, line, "[source %s]: code list '%s' has a "
                        "value that cannot be a published %s label: %s",
                        s->name, cc->list, category_names[cc->category],
                        label_fault_text(f));
                idx = category_label(&plan->categories[cc->category],
                                     cc->groups[g]);
                if (idx == -2)
                    return setting_nomem(ctx);
                if (idx < 0)
                    return setting_fail_at(
                        ctx, line, "[source %s]: more than %d %s groups in "
                        "the job's code lists", s->name,
                        CATEGORY_GROUPS_MAX - 1,
                        category_names[cc->category]);
                cc->label[g] = (uint8_t)idx;
            }
        }
    }
    return 0;
}

int
coded_mapping_init(struct coded_mapping *cm, const struct source_plan *source,
                   const struct cell *header, size_t ncolumns, struct diag *d)
{
    size_t k;

    for (k = 0; k < SOURCE_CODED_MAX; k++)
        cm->column[k] = -1;
    for (k = 0; k < source->ncoded; k++) {
        const struct coded_column *cc = &source->coded[k];

        if (!cc->list)
            continue;
        cm->column[k] = row_header_index(header, ncolumns, cc->column);
        if (cm->column[k] >= 0 || cc->optional)
            continue;
        diag_set(d, source->name, cc->line, 0, "column",
                 "coded column '%s' (code_list.%s) is not in the header",
                 cc->column, cc->column);
        return CE_DATA;
    }
    return 0;
}

/* The entry of cc for code p/n (ignoring ASCII case), or NULL. */
static const struct coded_entry *
coded_lookup(const struct coded_column *cc, const char *p, size_t n)
{
    size_t lo = 0, hi = cc->nentries;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *c = cc->entries[mid].code;
        size_t cn = strlen(c);
        int r = strncasecmp(p, c, n < cn ? n : cn);

        if (!r)
            r = n < cn ? -1 : n > cn;
        if (!r)
            return &cc->entries[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

void
coded_map_row(const struct coded_mapping *cm, const struct source_plan *source,
              const struct raw_row *row, uint8_t category[CAT_COUNT],
              struct quarantine *q,
              int (*code_like)(const void *ctx, const char *p, size_t n),
              const void *ctx)
{
    size_t k;

    for (k = 0; k < source->ncoded; k++) {
        const struct coded_column *cc = &source->coded[k];
        const struct coded_entry *e;
        const char *p;
        size_t n;

        if (cm->column[k] < 0 || (size_t)cm->column[k] >= row->ncells)
            continue;
        p = row->cells[cm->column[k]].ptr;
        n = row->cells[cm->column[k]].len;
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (!n)
            continue; /* blank: never there, not a drop */
        if ((e = coded_lookup(cc, p, n))) {
            if (cc->category >= 0)
                category[cc->category] = cc->label[e->group];
            continue;
        }
        quarantine_coded(q, k, p, n, code_like(ctx, p, n));
    }
}

/* The shipped lists' publishers and licences (config/lookups/
 * codelists.txt says more), for `cohort rules`. */
static const struct {
    const char *prefix;
    const char *source;
} list_sources[] = {
    {"cld_", "NHS England, adult social care client level data "
             "specification; Open Government Licence v3.0"},
    {"dfe_ethnicity", "Department for Education ethnicity codes; Open "
                      "Government Licence v3.0"},
    {"school_census_", "Department for Education, school census; Open "
                       "Government Licence v3.0"},
    {"ssda903_legal_status", "Department for Education, SSDA903 code set "
                             "\"Legal status\"; Open Government Licence "
                             "v3.0"},
    {"ssda903_", "Department for Education, SSDA903 code sets, as the DfE "
                 "validator data-to-insight/csc-validator-be-903 lists them "
                 "(MIT); Open Government Licence v3.0"},
    {"cin_", "Department for Education, CIN census code sets, as the DfE "
             "validator data-to-insight/csc-validator-be-cin lists them "
             "(MIT); Open Government Licence v3.0"},
};

const char *
coded_list_source(const char *list)
{
    size_t i;

    if (!list || !codelist_find(list))
        return NULL;
    for (i = 0; i < sizeof(list_sources) / sizeof(list_sources[0]); i++)
        if (!strncmp(list, list_sources[i].prefix,
                     strlen(list_sources[i].prefix)))
            return list_sources[i].source;
    return NULL;
}
