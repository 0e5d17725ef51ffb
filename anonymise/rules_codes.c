/*
 * rules_codes.c - the coded columns of a source (transform/coded.h) in the
 * rules document and in the plan's canonical form: each column, the code
 * list it is checked against with that list's source and licence, and the
 * spell category it carries.
 */
#include "rules_parts.h"

#include "../transform/coded.h"

#include <stdio.h>

void
doc_coded_columns(const struct source_plan *sp, struct rdoc *doc,
                  struct rnode *s, struct strbuf *sb)
{
    struct rnode *arr = NULL;
    size_t k;
    char name[96];

    for (k = 0; k < sp->ncoded; k++) {
        const struct coded_column *cc = &sp->coded[k];
        const char *src = coded_list_source(cc->list);
        struct rnode *r;

        if (!cc->list)
            continue;
        if (!arr)
            arr = rn_arr(doc, s, "coded_columns");
        strbuf_addf(sb,
                    "column '%s'%s checked against code list '%s' (%zu "
                    "codes; %s): a code not on it drops the field from the "
                    "row (the row is kept) and is counted as code.%s, named "
                    "only when enough persons carry it, as unmapped codes "
                    "are",
                    cc->column, cc->optional ? " (when the file has it)" : "",
                    cc->list, cc->nentries,
                    src ? src : "the job's own list", cc->column);
        if (cc->category >= 0)
            strbuf_addf(sb, "; its code's group is the spell's %s, which a "
                            "cohort may be broken down by (%zu groups)",
                        spell_category_name(cc->category), cc->ngroups);
        else
            strbuf_adds(sb, "; then discarded");
        snprintf(name, sizeof(name), "coded column %s", cc->column);
        r = rn_rule(doc, arr, NULL, name, sb);
        rn_str(doc, r, "column", cc->column);
        rn_str(doc, r, "code_list", cc->list);
        rn_str(doc, r, "source", src ? src : "the job's own list");
        if (cc->category >= 0)
            rn_str(doc, r, "category", spell_category_name(cc->category));
    }
}

void
canon_coded_columns(const struct source_plan *sp, struct strbuf *sb)
{
    size_t k, j;

    for (k = 0; k < sp->ncoded; k++) {
        const struct coded_column *cc = &sp->coded[k];

        if (!cc->list)
            continue;
        /* the codes and groups themselves: a changed list is a changed
         * plan */
        strbuf_addf(sb, "code_list.%s = %s (category %s)\n", cc->column,
                    cc->list,
                    cc->category >= 0 ? spell_category_name(cc->category)
                                      : "none");
        for (j = 0; j < cc->nentries; j++)
            strbuf_addf(sb, "  %s -> %s\n", cc->entries[j].code,
                        cc->groups[cc->entries[j].group]);
    }
}
