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
    }
    free(s->cohorts);
    free(s->rules_text);
    memset(s, 0, sizeof(*s));
}
