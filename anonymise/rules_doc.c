#include "rules_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
rdoc_init(struct rdoc *doc)
{
    doc->failed = 0;
    doc->root = calloc(1, sizeof(*doc->root));
    if (!doc->root)
        doc->failed = 1;
    else
        doc->root->type = RN_OBJECT;
}

int
rdoc_failed(const struct rdoc *doc)
{
    return doc->failed;
}

static void
rnode_free(struct rnode *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        rnode_free(n->kids[i]);
    free(n->kids);
    free(n->key);
    free(n->str);
    free(n);
}

void
rdoc_release(struct rdoc *doc)
{
    rnode_free(doc->root);
    doc->root = NULL;
}

/* A new child of parent of the given type, or NULL (doc failed). */
static struct rnode *
rn_add(struct rdoc *doc, struct rnode *parent, const char *key,
       enum rnode_type type)
{
    struct rnode *n;

    if (!parent || doc->failed)
        return NULL;
    if (parent->nkids == parent->alloc) {
        size_t na = parent->alloc ? parent->alloc * 2 : 8;
        void *p = realloc(parent->kids, na * sizeof(*parent->kids));

        if (!p)
            goto nomem;
        parent->kids = p;
        parent->alloc = na;
    }
    if (!(n = calloc(1, sizeof(*n))))
        goto nomem;
    n->type = type;
    if (parent->type == RN_OBJECT && !(n->key = strdup(key ? key : ""))) {
        free(n);
        goto nomem;
    }
    parent->kids[parent->nkids++] = n;
    return n;
nomem:
    doc->failed = 1;
    return NULL;
}

struct rnode *
rn_obj(struct rdoc *doc, struct rnode *parent, const char *key)
{
    return rn_add(doc, parent, key, RN_OBJECT);
}

struct rnode *
rn_arr(struct rdoc *doc, struct rnode *parent, const char *key)
{
    return rn_add(doc, parent, key, RN_ARRAY);
}

struct rnode *
rn_str(struct rdoc *doc, struct rnode *parent, const char *key, const char *s)
{
    struct rnode *n = rn_add(doc, parent, key, RN_STRING);

    if (n && !(n->str = strdup(s ? s : ""))) {
        doc->failed = 1;
        return NULL;
    }
    return n;
}

struct rnode *
rn_strf(struct rdoc *doc, struct rnode *parent, const char *key,
        const char *fmt, ...)
{
    struct rnode *n;
    va_list ap;
    char *buf;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(buf = malloc((size_t)len + 1))) {
        doc->failed = 1;
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
    va_end(ap);
    n = rn_str(doc, parent, key, buf);
    free(buf);
    return n;
}

struct rnode *
rn_int(struct rdoc *doc, struct rnode *parent, const char *key, int64_t v)
{
    struct rnode *n = rn_add(doc, parent, key, RN_INT);

    if (n)
        n->i = v;
    return n;
}

struct rnode *
rn_real(struct rdoc *doc, struct rnode *parent, const char *key, double v)
{
    struct rnode *n = rn_add(doc, parent, key, RN_REAL);

    if (n)
        n->r = v;
    return n;
}

struct rnode *
rn_bool(struct rdoc *doc, struct rnode *parent, const char *key, int v)
{
    struct rnode *n = rn_add(doc, parent, key, RN_BOOL);

    if (n)
        n->i = v != 0;
    return n;
}

struct rnode *
rn_null(struct rdoc *doc, struct rnode *parent, const char *key)
{
    return rn_add(doc, parent, key, RN_NULL);
}

const struct rnode *
rn_get(const struct rnode *obj, const char *key)
{
    size_t i;

    if (!obj || obj->type != RN_OBJECT)
        return NULL;
    for (i = 0; i < obj->nkids; i++)
        if (!strcmp(obj->kids[i]->key, key))
            return obj->kids[i];
    return NULL;
}

struct rnode *
rn_section(struct rdoc *doc, const char *key, const char *title)
{
    struct rnode *s = rn_obj(doc, doc->root, key);

    rn_str(doc, s, "title", title);
    return s;
}

struct rnode *
rn_section_in(struct rdoc *doc, const char *key, const char *title)
{
    struct rnode *arr = (struct rnode *)rn_get(doc->root, key), *s;

    if (!arr)
        arr = rn_arr(doc, doc->root, key);
    s = rn_obj(doc, arr, NULL);
    rn_str(doc, s, "title", title);
    return s;
}

struct rnode *
rn_rule(struct rdoc *doc, struct rnode *parent, const char *key,
        const char *name, struct strbuf *text)
{
    struct rnode *r;

    if (strbuf_failed(text))
        doc->failed = 1;
    r = rn_obj(doc, parent, key);
    if (name)
        rn_str(doc, r, "name", name);
    rn_str(doc, r, "text", strbuf_str(text));
    strbuf_reset(text);
    return r;
}

/* ---- JSON ---------------------------------------------------------- */

static int
scalar(const struct rnode *n)
{
    return n->type != RN_OBJECT && n->type != RN_ARRAY;
}

static void
json_value(const struct rnode *n, int depth, struct strbuf *sb)
{
    size_t i;
    int inline_array;

    switch (n->type) {
    case RN_STRING:
        strbuf_add_json(sb, n->str);
        return;
    case RN_INT:
        strbuf_addf(sb, "%lld", (long long)n->i);
        return;
    case RN_REAL:
        strbuf_addf(sb, "%.6g", n->r);
        return;
    case RN_BOOL:
        strbuf_adds(sb, n->i ? "true" : "false");
        return;
    case RN_NULL:
        strbuf_adds(sb, "null");
        return;
    case RN_OBJECT:
    case RN_ARRAY:
        break;
    }
    /* arrays of scalars on one line, everything else one member a line */
    inline_array = n->type == RN_ARRAY;
    for (i = 0; inline_array && i < n->nkids; i++)
        inline_array = scalar(n->kids[i]);
    strbuf_adds(sb, n->type == RN_OBJECT ? "{" : "[");
    for (i = 0; i < n->nkids; i++) {
        strbuf_adds(sb, i ? "," : "");
        if (inline_array)
            strbuf_adds(sb, i ? " " : "");
        else
            strbuf_addf(sb, "\n%*s", 2 * (depth + 1), "");
        if (n->type == RN_OBJECT) {
            strbuf_add_json(sb, n->kids[i]->key);
            strbuf_adds(sb, ": ");
        }
        json_value(n->kids[i], depth + 1, sb);
    }
    if (n->nkids && !inline_array)
        strbuf_addf(sb, "\n%*s", 2 * depth, "");
    strbuf_adds(sb, n->type == RN_OBJECT ? "}" : "]");
}

void
rdoc_json(const struct rdoc *doc, struct strbuf *sb)
{
    if (doc->root)
        json_value(doc->root, 0, sb);
    strbuf_adds(sb, "\n");
}

/* ---- text and HTML --------------------------------------------------- */

/* Calls fn for each rule of section s: (label, text). */
typedef void (*rule_fn)(const char *label, const char *text, void *ctx);

static void
rule_label(const struct rnode *r, char *buf, size_t n)
{
    const struct rnode *name = rn_get(r, "name");
    size_t i;

    if (name && name->type == RN_STRING) {
        snprintf(buf, n, "%s", name->str);
        return;
    }
    snprintf(buf, n, "%s", r->key ? r->key : "");
    for (i = 0; buf[i]; i++)
        if (buf[i] == '_')
            buf[i] = ' ';
}

static void
each_rule(const struct rnode *s, rule_fn fn, void *ctx)
{
    size_t i, j;
    char label[256];

    for (i = 0; i < s->nkids; i++) {
        const struct rnode *m = s->kids[i], *t;

        if (m->type == RN_OBJECT && (t = rn_get(m, "text")) &&
            t->type == RN_STRING) {
            rule_label(m, label, sizeof(label));
            fn(label, t->str, ctx);
        } else if (m->type == RN_ARRAY) {
            for (j = 0; j < m->nkids; j++) {
                const struct rnode *e = m->kids[j];

                if (e->type == RN_OBJECT && (t = rn_get(e, "text")) &&
                    t->type == RN_STRING && rn_get(e, "name") &&
                    !rn_get(e, "title")) {
                    rule_label(e, label, sizeof(label));
                    fn(label, t->str, ctx);
                }
            }
        }
    }
}

typedef void (*section_fn)(const struct rnode *s, size_t index, void *ctx);

static void
each_section(const struct rdoc *doc, section_fn fn, void *ctx)
{
    size_t i, j, k = 0;

    for (i = 0; doc->root && i < doc->root->nkids; i++) {
        const struct rnode *m = doc->root->kids[i];

        if (m->type == RN_OBJECT && rn_get(m, "title"))
            fn(m, k++, ctx);
        else if (m->type == RN_ARRAY)
            for (j = 0; j < m->nkids; j++)
                if (m->kids[j]->type == RN_OBJECT &&
                    rn_get(m->kids[j], "title"))
                    fn(m->kids[j], k++, ctx);
    }
}

static void
text_rule(const char *label, const char *text, void *ctx)
{
    strbuf_addf(ctx, "  %s: %s\n", label, text);
}

static void
text_section(const struct rnode *s, size_t index, void *ctx)
{
    struct strbuf *sb = ctx;
    const struct rnode *intro = rn_get(s, "text");

    strbuf_addf(sb, "%s%s\n", index ? "\n" : "", rn_get(s, "title")->str);
    if (intro && intro->type == RN_STRING)
        strbuf_addf(sb, "  %s\n", intro->str);
    each_rule(s, text_rule, sb);
}

void
rdoc_text(const struct rdoc *doc, struct strbuf *sb)
{
    each_section(doc, text_section, sb);
}

static void
html_rule(const char *label, const char *text, void *ctx)
{
    struct strbuf *sb = ctx;

    strbuf_adds(sb, "<tr><th scope=\"row\">");
    strbuf_add_html(sb, label);
    strbuf_adds(sb, "</th><td>");
    strbuf_add_html(sb, text);
    strbuf_adds(sb, "</td></tr>\n");
}

static void
html_section(const struct rnode *s, size_t index, void *ctx)
{
    struct strbuf *sb = ctx;
    const struct rnode *intro = rn_get(s, "text");
    const char *title = rn_get(s, "title")->str;

    strbuf_addf(sb, "<section aria-labelledby=\"s%zu\">\n<h2 id=\"s%zu\">",
                index, index);
    strbuf_add_html(sb, title);
    strbuf_adds(sb, "</h2>\n");
    if (intro && intro->type == RN_STRING) {
        strbuf_adds(sb, "<p>");
        strbuf_add_html(sb, intro->str);
        strbuf_adds(sb, "</p>\n");
    }
    strbuf_adds(sb, "<table>\n<caption>");
    strbuf_add_html(sb, title);
    strbuf_adds(sb, ": rules</caption>\n<tbody>\n");
    each_rule(s, html_rule, sb);
    strbuf_adds(sb, "</tbody>\n</table>\n</section>\n");
}

void
rdoc_html(const struct rdoc *doc, struct strbuf *sb)
{
    each_section(doc, html_section, sb);
}
