#include "profiles.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* SSDA903 header: one row per child looked after in the year. */
static const struct profile_column ssda903_header_cols[] = {
    {CF_LOCAL_ID, "CHILD"}, {CF_SEX, "SEX"},   {CF_DOB, "DOB"},
    {CF_ETHNICITY, "ETHNIC"}, {CF_UPN, "UPN"},
};

/* SSDA903 episodes: no identifier but CHILD; each joins its header. */
static const struct profile_column ssda903_episodes_cols[] = {
    {CF_LOCAL_ID, "CHILD"}, {CF_START_DATE, "DECOM"},
    {CF_END_DATE, "DEC"},   {CF_POSTCODE, "HOME_POST"},
};

/* CIN census, one row per referral (XML flattened by the council's tool). */
static const struct profile_column cin_cols[] = {
    {CF_LOCAL_ID, "LAchildID"},        {CF_UPN, "UPN"},
    {CF_DOB, "PersonBirthDate"},       {CF_SEX, "GenderCurrent"},
    {CF_ETHNICITY, "Ethnicity"},       {CF_START_DATE, "CINreferralDate"},
    {CF_END_DATE, "CINclosureDate"},
};

/* CIN census child protection plans: LAchildID and the plan's dates. */
static const struct profile_column cin_plans_cols[] = {
    {CF_LOCAL_ID, "LAchildID"},
    {CF_START_DATE, "CPPstartDate"},
    {CF_END_DATE, "CPPendDate"},
};

/* School census pupil level; senprovision is the service. */
static const struct profile_column school_cols[] = {
    {CF_UPN, "upn"},          {CF_LOCAL_ID, "upn"},
    {CF_ULN, "uniquelearnernumber"},
    {CF_SURNAME, "surname"},  {CF_FORENAME, "forename"},
    {CF_DOB, "dob"},          {CF_SEX, "sex"},
    {CF_ETHNICITY, "ethnicity"}, {CF_POSTCODE, "postcode"},
    {CF_UPRN, "uniquepropertyreferencenumber"},
    {CF_SERVICE, "senprovision"}, {CF_START_DATE, "entrydate"},
};

/* School census free school meal periods, joined to the pupil by UPN. */
static const struct profile_column school_fsm_cols[] = {
    {CF_LOCAL_ID, "upn"},
    {CF_START_DATE, "fsmstartdate"},
    {CF_END_DATE, "fsmenddate"},
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
    {"ssda903_header", "SSDA903 header (children looked after)",
     DEPT_CHILDREN_SOCIAL_CARE, "%d/%m/%Y", NULL, "ssda903",
     ssda903_header_cols, N(ssda903_header_cols), NULL, 0},
    {"ssda903_episodes", "SSDA903 episodes (children looked after)",
     DEPT_CHILDREN_SOCIAL_CARE, "%d/%m/%Y", "looked_after", "ssda903",
     ssda903_episodes_cols, N(ssda903_episodes_cols), NULL, 0},
    {"cin_census", "CIN census (children in need)", DEPT_CHILDREN_SOCIAL_CARE,
     NULL, "child_in_need", "cin_census", cin_cols, N(cin_cols), NULL, 0},
    {"cin_census_plans", "CIN census child protection plans",
     DEPT_CHILDREN_SOCIAL_CARE, NULL, "child_protection_plan", "cin_census",
     cin_plans_cols, N(cin_plans_cols), NULL, 0},
    {"school_census", "School census, pupil level", DEPT_EDUCATION, NULL,
     NULL, "school_census", school_cols, N(school_cols), school_values,
     N(school_values)},
    {"school_census_fsm", "School census free school meal periods",
     DEPT_EDUCATION, NULL, "free_school_meals", "school_census",
     school_fsm_cols, N(school_fsm_cols), NULL, 0},
    {"asc_cld", "Adult social care client-level data",
     DEPT_ADULT_SOCIAL_CARE, NULL, NULL, NULL, asc_cols, N(asc_cols),
     asc_values, N(asc_values)},
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
    return "ssda903_header, ssda903_episodes, cin_census, cin_census_plans, "
           "school_census, school_census_fsm or asc_cld";
}
