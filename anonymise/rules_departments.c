/*
 * rules_departments.c - the IG pack's sections for what a job file adds to
 * the default departments: each [department] it declares (title, the
 * services it carries and what each is) and each [need] group. A job that
 * declares none has neither section, and the document it always had.
 */
#include "rules_parts.h"

#include <string.h>

/* One declared department. */
static void
doc_department(const struct department_plan *dp, struct rdoc *doc,
               struct strbuf *sb)
{
    struct rnode *s, *r, *arr;
    size_t i, k = 0;

    strbuf_addf(sb, "Department %s", dp->name);
    doc->failed |= strbuf_failed(sb);
    s = rn_section_in(doc, "departments", strbuf_str(sb));
    strbuf_reset(sb);
    rn_str(doc, s, "name", dp->name);
    strbuf_adds(sb, dp->title ? dp->title : dp->name);
    r = rn_rule(doc, s, "department_title", "title", sb);
    rn_str(doc, r, "value", dp->title ? dp->title : dp->name);
    if (dp->services_line) {
        strbuf_adds(sb, "carries only ");
        for (i = 0; i < dp->nservices; i++)
            if (dp->services[i].listed)
                strbuf_addf(sb, "%s%s", k++ ? ", " : "", dp->services[i].name);
        strbuf_adds(sb, "; a source that maps any other service to it is "
                        "refused when the job is read");
    } else {
        strbuf_adds(sb, "the services its sources map");
    }
    r = rn_rule(doc, s, "services", NULL, sb);
    rn_bool(doc, r, "open", !dp->services_line);
    arr = rn_arr(doc, r, "names");
    for (i = 0; i < dp->nservices; i++)
        if (dp->services[i].listed)
            rn_str(doc, arr, NULL, dp->services[i].name);
    arr = rn_arr(doc, s, "descriptions");
    for (i = 0; i < dp->nservices; i++)
        if (dp->services[i].description) {
            strbuf_adds(sb, dp->services[i].description);
            rn_rule(doc, arr, NULL, dp->services[i].name, sb);
        }
}

void
doc_departments(const struct job_plan *plan, struct rdoc *doc,
                struct strbuf *sb)
{
    size_t i;

    for (i = 0; i < plan->ndepartments; i++)
        if (plan->departments[i].line)
            doc_department(&plan->departments[i], doc, sb);
    for (i = 0; i < plan->nneeds; i++) {
        const struct need_plan *np = &plan->needs[i];
        struct rnode *s, *r;

        strbuf_addf(sb, "Need group %s", np->name);
        doc->failed |= strbuf_failed(sb);
        s = rn_section_in(doc, "need_groups", strbuf_str(sb));
        strbuf_reset(sb);
        rn_str(doc, s, "name", np->name);
        strbuf_adds(sb, np->title);
        r = rn_rule(doc, s, "need_title", "title", sb);
        rn_str(doc, r, "value", np->title);
        strbuf_adds(sb, np->where);
        rn_rule(doc, s, "where", NULL, sb);
        strbuf_addf(sb, "need.%s in a where; need number %zu of need.* in "
                        "count(), which counts a person's groups that hold "
                        "that month (each cohort's meaning spells them out)",
                    np->name, i + 1);
        rn_rule(doc, s, "use", NULL, sb);
    }
}
