#include "person.h"

#include <stdlib.h>
#include <string.h>

void
person_set_release(struct person_set *ps)
{
    free(ps->age_band);
    free(ps->sex);
    free(ps->ethnicity);
    free(ps->ward);
    free(ps->lsoa);
    free(ps->district);
    free(ps->record_key);
    free(ps->spell_first);
    free(ps->spells);
    memset(ps, 0, sizeof(*ps));
}
