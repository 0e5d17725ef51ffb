/*
 * rules_parts.h - the sections of the rules document (rules.h) that are
 * not drawn from the plan's mapping alone, for anonymise/rules*.c only:
 * rules_ig.c writes the key, retention, disclosure control and the
 * publication's risk; rules_canonical.c the canonical form and the plan
 * hash; rules_linkage.c the probabilistic stage; rules_forecast.c the
 * tables derived for forecasting. Each appends one section to doc, using sb
 * for its prose.
 */
#ifndef COHORT_RULES_PARTS_H
#define COHORT_RULES_PARTS_H

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/strbuf.h"
#include "rules.h"
#include "rules_doc.h"

/* The plan hash, what it covers, the files it hashes and how to
 * recompute it. CE_CONFIG when a file cannot be read (d says which),
 * CE_NOMEM. */
int doc_plan_hash(const struct job_plan *plan, const struct rules_inputs *in,
                  struct rdoc *doc, struct strbuf *sb, struct diag *d);

/* A source's coded columns, one rule each (rules_codes.c): the column,
 * its code list with the list's source, and its spell category. */
void doc_coded_columns(const struct source_plan *sp, struct rdoc *doc,
                       struct rnode *s, struct strbuf *sb);

/* The same in the canonical form, codes and groups included. */
void canon_coded_columns(const struct source_plan *sp, struct strbuf *sb);

/* The key file (key NULL: not looked at). */
void doc_key(const struct job_plan *plan, const struct rules_key_info *key,
             struct rdoc *doc, struct strbuf *sb);

/* What each output keeps and deletes, and what else is kept where. */
void doc_retention(const struct job_plan *plan, struct rdoc *doc,
                   struct strbuf *sb);

/* The disclosure rules, zero cells, symbols, what a reader can and cannot
 * learn, and the differencing risk. */
void doc_disclosure(const struct job_plan *plan, struct rdoc *doc,
                    struct strbuf *sb);

/* Per table of the latest publication, what was hidden (pub NULL: not
 * looked at), and whether it ran under plan_hash, this plan's. */
void doc_publication(const struct rules_publication *pub,
                     const char *plan_hash, struct rdoc *doc,
                     struct strbuf *sb);

/* The probabilistic stage's rules ([linkage] probabilistic), appended to
 * the linkage section s (rules_linkage.c). */
void doc_probabilistic(const struct job_plan *plan, struct rdoc *doc,
                       struct rnode *s, struct strbuf *sb);

/* What the probabilistic stage makes of field f (enum common_field), as
 * words appended to its fate in sb; nothing without the stage. */
/* The fairness targets of linkage and the linkage-by-group tables (what
 * they count, their protection, or that they are not published), into the
 * linkage section s (rules_linkage.c). */
void doc_linkage_fairness(const struct job_plan *plan, struct rdoc *doc,
                          struct rnode *s, struct strbuf *sb);

void doc_prob_use(const struct job_plan *plan, int f, struct strbuf *sb);

/* rules_forecast.c: a forecast cohort's derived tables and projection,
 * as a rule of its cohort's section s. */
void doc_forecast_cohort(const struct cohort_plan *cp, struct rdoc *doc,
                         struct rnode *s, struct strbuf *sb);

/* The tables derived for forecasting (transitions, the standard tables,
 * rates, projections) and the differencing risk they leave, when the job
 * has any (else nothing). */
void doc_forecasting(const struct job_plan *plan, struct rdoc *doc,
                     struct strbuf *sb);

/* The canonical form of the plan (rules.h) appended to sb. 0, CE_CONFIG
 * (a file that cannot be read), CE_NOMEM. */
int rules_canonical(const struct job_plan *plan, const struct rules_inputs *in,
                    struct strbuf *sb, struct diag *d);

/* rules_departments.c: the departments the job file declares and its
 * [need] groups, as sections "departments" and "need_groups" (none when
 * it declares none). */
void doc_departments(const struct job_plan *plan, struct rdoc *doc,
                     struct strbuf *sb);

/* rules_households.c: a household cohort's "unit" rule under section s
 * (what a household is and counts, with the plan's household events). */
void doc_household_unit(const struct job_plan *plan,
                        const struct cohort_plan *cp, struct rdoc *doc,
                        struct rnode *s, struct strbuf *sb);

#endif
