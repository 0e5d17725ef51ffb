#include "profiles.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* SSDA903 episodes, with the child's header columns joined on (CHILD). */
static const struct profile_column ssda903_cols[] = {
    {CF_LOCAL_ID, "CHILD"},    {CF_SEX, "SEX"},     {CF_DOB, "DOB"},
    {CF_ETHNICITY, "ETHNIC"},  {CF_UPN, "UPN"},     {CF_START_DATE, "DECOM"},
    {CF_END_DATE, "DEC"},      {CF_POSTCODE, "HOME_POST"},
};

/* CIN census, one row per referral (XML flattened by the council's tool). */
static const struct profile_column cin_cols[] = {
    {CF_LOCAL_ID, "LAchildID"},        {CF_UPN, "UPN"},
    {CF_DOB, "PersonBirthDate"},       {CF_SEX, "GenderCurrent"},
    {CF_ETHNICITY, "Ethnicity"},       {CF_START_DATE, "CINreferralDate"},
    {CF_END_DATE, "CINclosureDate"},
};

/* School census pupil level; senprovision is the service. */
static const struct profile_column school_cols[] = {
    {CF_UPN, "upn"},          {CF_ULN, "uniquelearnernumber"},
    {CF_SURNAME, "surname"},  {CF_FORENAME, "forename"},
    {CF_DOB, "dob"},          {CF_SEX, "sex"},
    {CF_ETHNICITY, "ethnicity"}, {CF_POSTCODE, "postcode"},
    {CF_UPRN, "uniquepropertyreferencenumber"},
    {CF_SERVICE, "senprovision"}, {CF_START_DATE, "entrydate"},
};

static const struct profile_value school_values[] = {
    {VF_SERVICE, "N", "on_roll"},
    {VF_SERVICE, "K", "sen_support"},
    {VF_SERVICE, "E", "ehcp"},
    {VF_SERVICE, "S", "ehcp"}, /* statement, before EHC plans */
};

/* Adult social care client-level data (CLD), one row per event. */
static const struct profile_column asc_cols[] = {
    {CF_LOCAL_ID, "LA_Person_Unique_Identifier"}, {CF_NHS_NUMBER, "NHS_Number"},
    {CF_DOB, "Date_of_Birth"},                    {CF_SEX, "Gender"},
    {CF_ETHNICITY, "Ethnicity"},                  {CF_SERVICE, "Service_Type"},
    {CF_START_DATE, "Event_Start_Date"},          {CF_END_DATE, "Event_End_Date"},
};

static const struct profile_value asc_values[] = {
    {VF_SERVICE, "Long Term Support: Nursing Care", "long_term_support"},
    {VF_SERVICE, "Long Term Support: Residential Care", "long_term_support"},
    {VF_SERVICE, "Long Term Support: Community", "long_term_support"},
    {VF_SERVICE, "Long Term Support: Prison", "long_term_support"},
    {VF_SERVICE, "Short Term Support: ST-Max", "short_term_support"},
    {VF_SERVICE, "Short Term Support: Ongoing Low Level", "short_term_support"},
    {VF_SERVICE, "Short Term Support: Other Short Term", "short_term_support"},
    {VF_SERVICE, "Carer Support: Direct Support", "carer_support"},
    {VF_SERVICE, "Carer Support: Support Involving the Cared-For Person",
     "carer_support"},
};

static const struct profile profiles[] = {
    {"ssda903_episodes", "SSDA903 episodes (children looked after)",
     DEPT_CHILDREN_SOCIAL_CARE, "%d/%m/%Y", "looked_after", ssda903_cols,
     N(ssda903_cols), NULL, 0},
    {"cin_census", "CIN census (children in need)", DEPT_CHILDREN_SOCIAL_CARE,
     NULL, "child_in_need", cin_cols, N(cin_cols), NULL, 0},
    {"school_census", "School census, pupil level", DEPT_EDUCATION, NULL,
     NULL, school_cols, N(school_cols), school_values, N(school_values)},
    {"asc_cld", "Adult social care client-level data",
     DEPT_ADULT_SOCIAL_CARE, NULL, NULL, asc_cols, N(asc_cols), asc_values,
     N(asc_values)},
};

const struct profile *
profile_find(const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < N(profiles); i++)
        if (!strcmp(profiles[i].name, name))
            return &profiles[i];
    return NULL;
}

const char *
profile_names(void)
{
    return "ssda903_episodes, cin_census, school_census or asc_cld";
}
