#include "run.h"

#include <stdlib.h>
#include <string.h>

void
source_summary_release(struct source_summary *src)
{
    size_t j;

    free(src->quarantined);
    free(src->notes);
    for (j = 0; j < src->nunmapped; j++)
        free(src->unmapped[j].label);
    free(src->unmapped);
    free(src->rejected);
    free(src->files);
    memset(src, 0, sizeof(*src));
}

void
run_summary_release(struct run_summary *s)
{
    size_t i;

    for (i = 0; i < s->nsources; i++)
        source_summary_release(&s->sources[i]);
    free(s->sources);
    free(s->keys);
    free(s->scopes);
    for (i = 0; i < s->ncohorts; i++) {
        published_table_release(&s->cohorts[i].table);
        free(s->cohorts[i].where_text_plain);
        free(s->cohorts[i].rate_per_10000);
    }
    free(s->cohorts);
    for (i = 0; i < s->ntable_plans; i++) {
        size_t j;

        free(s->table_plans[i].name);
        free(s->table_plans[i].title);
        free(s->table_plans[i].where);
        for (j = 0; j < s->table_plans[i].nby; j++)
            free(s->table_plans[i].by_name[j]);
    }
    free(s->table_plans);
    for (i = 0; i < s->nprojections; i++)
        projection_release(&s->projections[i]);
    free(s->projections);
    free(s->rules_text);
    memset(s, 0, sizeof(*s));
}
