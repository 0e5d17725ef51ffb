/*
 * rules_doc.h - the rules document as one tree, rendered three ways
 * (rules.h): JSON writes the tree as it is, every field typed; text and
 * HTML read the prose out of it, so the three cannot drift apart.
 *
 * The tree is JSON's: objects (members in the order added), arrays,
 * strings, integers, reals, booleans, null. Conventions that text and
 * HTML follow:
 *   - a member of the root that is an object with a "title" string is a
 *     section; a member that is an array of such objects is one section
 *     per element; "text" directly in a section is its opening paragraph;
 *   - in a section, a member that is an object with a "text" string is
 *     one rule: its label is its "name" string, or else the member's key
 *     with '_' read as a space; a member that is an array of such objects
 *     is one rule per element (labelled by "name");
 *   - every other member is data for JSON only: whatever a reader needs
 *     must be said in a "text".
 *
 *     struct rdoc doc;
 *     rdoc_init(&doc);
 *     struct rnode *s = rn_section(&doc, "key", "Key");
 *     struct rnode *r = rn_rule(&doc, s, "mode", NULL, "0600: ...");
 *     rn_str(&doc, r, "value", "0600");
 *     ... rdoc_failed(&doc) -> out of memory somewhere ...
 *     rdoc_json(&doc, &sb); rdoc_text(&doc, &sb); rdoc_html(&doc, &sb);
 *     rdoc_release(&doc);
 *
 * Every adder takes the document so that one failed allocation marks it
 * failed and later adders do nothing (they return NULL, which every adder
 * accepts as a parent); the caller checks rdoc_failed() once at the end.
 */
#ifndef COHORT_RULES_DOC_H
#define COHORT_RULES_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "../core/strbuf.h"

enum rnode_type {
    RN_OBJECT,
    RN_ARRAY,
    RN_STRING,
    RN_INT,
    RN_REAL,
    RN_BOOL,
    RN_NULL
};

struct rnode {
    enum rnode_type type;
    char *key;             /* member name in an object; NULL in an array */
    char *str;             /* RN_STRING */
    int64_t i;             /* RN_INT, RN_BOOL */
    double r;              /* RN_REAL */
    struct rnode **kids;   /* RN_OBJECT, RN_ARRAY; each node its own block */
    size_t nkids, alloc;
};

struct rdoc {
    struct rnode *root;    /* an object */
    int failed;
};

/* An empty document (its root may be NULL when out of memory: failed). */
void rdoc_init(struct rdoc *doc);

/* 1 when any adder ran out of memory: the document is not complete. */
int rdoc_failed(const struct rdoc *doc);

/* Frees the tree. */
void rdoc_release(struct rdoc *doc);

/* Adders: a child of parent (an object: key names it; an array: key is
 * ignored). Each returns the new node, or NULL when parent is NULL or
 * memory ran out. */
struct rnode *rn_obj(struct rdoc *doc, struct rnode *parent, const char *key);
struct rnode *rn_arr(struct rdoc *doc, struct rnode *parent, const char *key);
struct rnode *rn_str(struct rdoc *doc, struct rnode *parent, const char *key,
                     const char *s);
struct rnode *rn_strf(struct rdoc *doc, struct rnode *parent, const char *key,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
struct rnode *rn_int(struct rdoc *doc, struct rnode *parent, const char *key,
                     int64_t v);
struct rnode *rn_real(struct rdoc *doc, struct rnode *parent, const char *key,
                      double v);
struct rnode *rn_bool(struct rdoc *doc, struct rnode *parent, const char *key,
                      int v);
struct rnode *rn_null(struct rdoc *doc, struct rnode *parent, const char *key);

/* A section: a member of the root with its "title". */
struct rnode *rn_section(struct rdoc *doc, const char *key, const char *title);

/* A section that is one element of the root's array key (made on first
 * use): "sources", "cohorts". */
struct rnode *rn_section_in(struct rdoc *doc, const char *key,
                            const char *title);

/*
 * A rule of a section (or an element of an array of rules when parent is
 * an array): an object with "name" (when name is not NULL) and "text",
 * taken from text, which is then reset for the next rule. A failed text
 * fails the document.
 */
struct rnode *rn_rule(struct rdoc *doc, struct rnode *parent, const char *key,
                      const char *name, struct strbuf *text);

/* The member key of an object, or NULL. */
const struct rnode *rn_get(const struct rnode *obj, const char *key);

/* The tree as JSON (one line per section), a final newline. */
void rdoc_json(const struct rdoc *doc, struct strbuf *sb);

/* Sections as "Title\n  label: text\n", a blank line between. */
void rdoc_text(const struct rdoc *doc, struct strbuf *sb);

/* Sections as <section><h2> and a table of th scope=row / td per rule,
 * the opening text as a paragraph. */
void rdoc_html(const struct rdoc *doc, struct strbuf *sb);

#endif
