#include "compare_fields.h"

_Static_assert(CF_CONTACT_COUNT <= MATCH_MAX_EXTRA,
               "every comparison-only field is one extra identifier");

/* Whether some source of plan maps field f. */
static int
mapped(const struct job_plan *plan, int f)
{
    size_t s;

    for (s = 0; s < plan->nsources; s++)
        if (plan->sources[s].column[f])
            return 1;
    return 0;
}

unsigned
compare_fields_count(const struct job_plan *plan)
{
    unsigned n = 0;
    int f;

    for (f = CF_CONTACT_FIRST; f < CF_COUNT; f++)
        n += (unsigned)mapped(plan, f);
    return n;
}

int
compare_fields_field(const struct job_plan *plan, unsigned i)
{
    int f;

    for (f = CF_CONTACT_FIRST; f < CF_COUNT; f++)
        if (mapped(plan, f) && i-- == 0)
            return f;
    return -1;
}

const char *
compare_fields_name(const struct job_plan *plan, enum match_field f)
{
    int cf = f >= MF_EXTRA0
                 ? compare_fields_field(plan, (unsigned)(f - MF_EXTRA0))
                 : -1;

    return cf >= 0 ? common_field_name((enum common_field)cf)
                   : match_field_name(f);
}

uint32_t
compare_fields_strong(const struct job_plan *plan)
{
    uint32_t mask = 0;
    unsigned i = 0;
    int f;

    for (f = CF_CONTACT_FIRST; f < CF_COUNT; f++)
        if (mapped(plan, f)) {
            if (f != CF_TOWN)
                mask |= 1u << i;
            i++;
        }
    return mask;
}

void
compare_fields_plain(const struct job_plan *plan, const struct record *rec,
                     struct comparison_plain *p)
{
    unsigned n = 0;
    int f;

    for (f = CF_CONTACT_FIRST; f < CF_COUNT; f++)
        if (mapped(plan, f))
            p->extra[n++] = rec->contact[f - CF_CONTACT_FIRST];
    p->nextra = n;
}
