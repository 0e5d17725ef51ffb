/*
 * rules_households.c - what a household cohort counts, in the rules
 * document (README "Households"): the unit, how household ids become
 * members, the households' own spells when the job has a source of them,
 * and at_end taken as the month's last day.
 */
#include "rules_parts.h"

void
doc_household_unit(const struct job_plan *plan, const struct cohort_plan *cp,
                   struct rdoc *doc, struct rnode *s, struct strbuf *sb)
{
    struct rnode *r;
    size_t i;

    strbuf_adds(sb, "households: a household is the persons whose rows "
                    "carry one household id (a keyed hash, never the id), "
                    "each a member over that row's dates; a household is "
                    "counted once in a month when it has a member that "
                    "month and its where holds over those members (a term "
                    "outside any member, all members or lead meaning any "
                    "member); "
                    "composition (household_size, children, household_type) "
                    "is taken from the members' age bands at the month's "
                    "end and the lead flag; the cell key of a count is the "
                    "sum of its households' keys (a keyed hash of the "
                    "household's keyed id, record-key subkey); disclosure "
                    "control and its audit treat the table as any other");
    for (i = 0; i < plan->nsources; i++)
        if (plan->sources[i].household_events) {
            strbuf_adds(sb, "; a service term outside every qualifier also "
                            "holds on the household's own spells (the rows "
                            "of a source with a household id and no "
                            "person), a qualifier asks the members alone");
            break;
        }
    if (cp->measure == MEASURE_AT_END)
        strbuf_adds(sb, "; measure at_end takes each household as it is on "
                        "the month's last day: that day's members, for the "
                        "where and for the composition");
    r = rn_rule(doc, s, "unit", NULL, sb);
    rn_str(doc, r, "value", "households");
}
