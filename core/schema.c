#include "schema.h"
#include "../core/calendar.h"

#include <sodium.h>
#include <string.h>

static const char *const field_names[CF_COUNT] = {
    "nhs_number", "upn",  "uln",       "ni_number", "local_id",
    "forename",   "surname", "dob",    "postcode",  "uprn",
    "sex",        "ethnicity", "service", "start_date", "end_date",
    "household_id", "lead",
    "address",    "email",     "phone",   "town",
};

static const char *const sex_names[SEX_COUNT] = {"M", "F", "U", "X"};

static const char *const eth_names[ETH_COUNT] = {"WHITE", "MIXED", "ASIAN",
                                                 "BLACK", "OTHER", "UNKNOWN"};

const char *
common_field_name(enum common_field f)
{
    return (unsigned)f < CF_COUNT ? field_names[f] : "?";
}

int
common_field_lookup(const char *name)
{
    int i;

    for (i = 0; i < CF_COUNT; i++)
        if (!strcmp(name, field_names[i]))
            return i;
    return -1;
}

int
common_field_is_identifier(enum common_field f)
{
    return f <= CF_UPRN || (f >= CF_CONTACT_FIRST && f < CF_COUNT);
}

const char *
sex_name(enum sex_code s)
{
    return (unsigned)s < SEX_COUNT ? sex_names[s] : "U";
}

const char *
ethnic_group_name(enum ethnic_group e)
{
    return (unsigned)e < ETH_COUNT ? eth_names[e] : "UNKNOWN";
}

void
record_clear(struct record *r)
{
    memset(r, 0, sizeof(*r));
    r->dob = DAY_NONE;
    r->sex = SEX_U;
    r->ethnicity = ETH_UNKNOWN;
    r->start_date = DAY_NONE;
    r->end_date = DAY_OPEN;
}

void
record_wipe_identifiers(struct record *r)
{
    sodium_memzero(r->nhs_number, sizeof(r->nhs_number));
    sodium_memzero(r->upn, sizeof(r->upn));
    sodium_memzero(r->uln, sizeof(r->uln));
    sodium_memzero(r->ni_number, sizeof(r->ni_number));
    sodium_memzero(r->local_id, sizeof(r->local_id));
    sodium_memzero(r->forename, sizeof(r->forename));
    sodium_memzero(r->surname, sizeof(r->surname));
    sodium_memzero(r->postcode, sizeof(r->postcode));
    sodium_memzero(r->uprn, sizeof(r->uprn));
    sodium_memzero(r->household_id, sizeof(r->household_id));
    r->lead = 0;
    sodium_memzero(r->contact, sizeof(r->contact));
    r->dob = DAY_NONE;
}
