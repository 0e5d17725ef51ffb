/*
 * profiles.c - the statutory returns' layouts. Their code lists are the
 * shipped lists in config/lookups/ (transform/codelist.h), named here.
 */
#include "profiles.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* SSDA903 header: one row per child looked after in the year. */
static const struct profile_column ssda903_header_cols[] = {
    {CF_LOCAL_ID, "CHILD", 0}, {CF_SEX, "SEX", 0},   {CF_DOB, "DOB", 0},
    {CF_ETHNICITY, "ETHNIC", 0}, {CF_UPN, "UPN", 0},
};

/* SSDA903 episodes: no identifier but CHILD; each joins its header. */
static const struct profile_column ssda903_episodes_cols[] = {
    {CF_LOCAL_ID, "CHILD", 0}, {CF_START_DATE, "DECOM", 0},
    {CF_END_DATE, "DEC", 0},   {CF_POSTCODE, "HOME_POST", 1},
};

/* CIN census, one row per referral (XML flattened by the council's tool). */
static const struct profile_column cin_cols[] = {
    {CF_LOCAL_ID, "LAchildID", 0},        {CF_UPN, "UPN", 0},
    {CF_DOB, "PersonBirthDate", 0},       {CF_SEX, "GenderCurrent", 0},
    {CF_ETHNICITY, "Ethnicity", 0},       {CF_START_DATE, "CINreferralDate", 0},
    {CF_END_DATE, "CINclosureDate", 0},
};

/* CIN census child protection plans: LAchildID and the plan's dates. */
static const struct profile_column cin_plans_cols[] = {
    {CF_LOCAL_ID, "LAchildID", 0},
    {CF_START_DATE, "CPPstartDate", 0},
    {CF_END_DATE, "CPPendDate", 0},
};

/* School census pupil level; senprovision is the service. */
static const struct profile_column school_cols[] = {
    {CF_UPN, "upn", 0},          {CF_LOCAL_ID, "upn", 0},
    {CF_ULN, "uniquelearnernumber", 1},
    {CF_SURNAME, "surname", 0},  {CF_FORENAME, "forename", 0},
    {CF_DOB, "dob", 0},          {CF_SEX, "sex", 0},
    {CF_ETHNICITY, "ethnicity", 0}, {CF_POSTCODE, "postcode", 0},
    {CF_UPRN, "uniquepropertyreferencenumber", 1},
    {CF_SERVICE, "senprovision", 0}, {CF_START_DATE, "entrydate", 0},
};

/* School census free school meal periods, joined to the pupil by UPN. */
static const struct profile_column school_fsm_cols[] = {
    {CF_LOCAL_ID, "upn", 0},
    {CF_START_DATE, "fsmstartdate", 0},
    {CF_END_DATE, "fsmenddate", 0},
};

/* Adult social care client-level data (CLD), one row per event. */
static const struct profile_column asc_cols[] = {
    {CF_LOCAL_ID, "LA_Person_Unique_Identifier", 0}, {CF_NHS_NUMBER, "NHS_Number", 0},
    {CF_DOB, "Date_of_Birth", 0},                    {CF_SEX, "Gender", 0},
    {CF_ETHNICITY, "Ethnicity", 0},                  {CF_SERVICE, "Service_Type", 0},
    {CF_START_DATE, "Event_Start_Date", 0},          {CF_END_DATE, "Event_End_Date", 0},
};

/* The shipped code lists of the returns' value fields. */
#define DFE_ETHNICITY {NULL, "dfe_ethnicity", NULL}

static const struct profile profiles[] = {
    {"ssda903_header", "SSDA903 header (children looked after)",
     DEPT_CHILDREN_SOCIAL_CARE, "%d/%m/%Y", NULL, "ssda903",
     ssda903_header_cols, N(ssda903_header_cols), DFE_ETHNICITY},
    {"ssda903_episodes", "SSDA903 episodes (children looked after)",
     DEPT_CHILDREN_SOCIAL_CARE, "%d/%m/%Y", "looked_after", "ssda903",
     ssda903_episodes_cols, N(ssda903_episodes_cols), {NULL, NULL, NULL}},
    {"cin_census", "CIN census (children in need)", DEPT_CHILDREN_SOCIAL_CARE,
     NULL, "child_in_need", "cin_census", cin_cols, N(cin_cols),
     DFE_ETHNICITY},
    {"cin_census_plans", "CIN census child protection plans",
     DEPT_CHILDREN_SOCIAL_CARE, NULL, "child_protection_plan", "cin_census",
     cin_plans_cols, N(cin_plans_cols), {NULL, NULL, NULL}},
    {"school_census", "School census, pupil level", DEPT_EDUCATION, NULL,
     NULL, "school_census", school_cols, N(school_cols),
     {NULL, "dfe_ethnicity", "school_census_sen_provision"}},
    {"school_census_fsm", "School census free school meal periods",
     DEPT_EDUCATION, NULL, "free_school_meals", "school_census",
     school_fsm_cols, N(school_fsm_cols), {NULL, NULL, NULL}},
    {"asc_cld", "Adult social care client-level data",
     DEPT_ADULT_SOCIAL_CARE, NULL, NULL, NULL, asc_cols, N(asc_cols),
     {NULL, "cld_ethnicity", "cld_service_type"}},
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
