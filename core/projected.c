#include "projected.h"

#include <stdlib.h>
#include <string.h>

void
projection_release(struct projection *p)
{
    size_t i;

    for (i = 0; i < p->nseries; i++) {
        free(p->series[i].label);
        free(p->series[i].rows);
    }
    free(p->series);
    free(p->cohort);
    free(p->name);
    memset(p, 0, sizeof(*p));
}
