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

/* CIN census, one row per referral: the XML flattened to CSV by the
 * council's tool, or the XML itself (format = xml, cin_xml below). */
static const struct profile_column cin_cols[] = {
    {CF_LOCAL_ID, "LAchildID", 0},        {CF_UPN, "UPN", 0},
    {CF_DOB, "PersonBirthDate", 0},       {CF_SEX, "GenderCurrent", 0},
    {CF_ETHNICITY, "Ethnicity", 0},       {CF_START_DATE, "CINreferralDate", 0},
    {CF_END_DATE, "CINclosureDate", 0},
};

/*
 * The CIN census as the DfE's XML submission (Message > Children > Child >
 * ChildIdentifiers, ChildCharacteristics, CINdetails...): one row per
 * CINdetails (a referral), the child's identifiers read from the Child
 * around it. From 2023-24 <Sex> replaced <GenderCurrent> (the same codes,
 * or M/F/U); whichever a child has is the GenderCurrent column, so one
 * layout reads the 2022 to 2025 returns.
 */
#define CIN_CHILD "/Message/Children/Child"
static const struct profile_xml_column cin_xml[] = {
    {"LAchildID", CIN_CHILD "/ChildIdentifiers/LAchildID"},
    {"UPN", CIN_CHILD "/ChildIdentifiers/UPN"},
    {"PersonBirthDate", CIN_CHILD "/ChildIdentifiers/PersonBirthDate"},
    {"GenderCurrent", CIN_CHILD "/ChildIdentifiers/Sex|" CIN_CHILD
                      "/ChildIdentifiers/GenderCurrent"},
    {"Ethnicity", CIN_CHILD "/ChildCharacteristics/Ethnicity"},
    {"CINreferralDate", "CINreferralDate"},
    {"CINclosureDate", "CINclosureDate"},
    {"PrimaryNeedCode", "PrimaryNeedCode"},
    {"ReferralSource", "ReferralSource"},
    {"ReasonForClosure", "ReasonForClosure"},
};

/* Its child protection plans: one row per ChildProtectionPlans. */
static const struct profile_xml_column cin_plans_xml[] = {
    {"LAchildID", CIN_CHILD "/ChildIdentifiers/LAchildID"},
    {"CPPstartDate", "CPPstartDate"},
    {"CPPendDate", "CPPendDate"},
    {"InitialCategoryOfAbuse", "InitialCategoryOfAbuse"},
    {"LatestCategoryOfAbuse", "LatestCategoryOfAbuse"},
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

/*
 * The case-level homelessness return (H-CLIC-shaped, README "H-CLIC"):
 * three tables of one case reference, id scope hclic. The column names
 * are the project's own default layout: the H-CLIC data specification
 * (MHCLG, sent on request) could not be consulted, so each is named
 * after what it holds; field.X keys map a council's own.
 */
/* People: each member of a case's household, the lead applicant flagged. */
static const struct profile_column hclic_people_cols[] = {
    {CF_HOUSEHOLD_ID, "CaseRef", 0}, {CF_LEAD, "LeadApplicant", 0},
    {CF_FORENAME, "Forename", 0},    {CF_SURNAME, "Surname", 0},
    {CF_DOB, "DOB", 0},              {CF_SEX, "Sex", 0},
    {CF_NHS_NUMBER, "NHSNumber", 1}, {CF_POSTCODE, "Postcode", 1},
};

/* Main: one row per duty of a case, a spell of the household itself. */
static const struct profile_column hclic_main_cols[] = {
    {CF_HOUSEHOLD_ID, "CaseRef", 0}, {CF_SERVICE, "DutyType", 0},
    {CF_START_DATE, "DutyStart", 0}, {CF_END_DATE, "DutyEnd", 0},
};

/* Temporary accommodation: one row per placement of a case. */
static const struct profile_column hclic_ta_cols[] = {
    {CF_HOUSEHOLD_ID, "CaseRef", 0}, {CF_SERVICE, "TAType", 0},
    {CF_START_DATE, "TAStart", 0},   {CF_END_DATE, "TAEnd", 0},
};

/* The SSDA903 episodes' coded columns and their DfE code sets (the
 * README's "Statutory code lists"; config/lookups/codelists.txt). LS is
 * also the service when a job maps field.service = LS. */
static const struct profile_code ssda903_episodes_codes[] = {
    {"RNE", "ssda903_rne", -1},
    {"LS", "ssda903_legal_status_group", CAT_LEGAL_STATUS},
    {"CIN", "ssda903_category_of_need", CAT_CATEGORY_OF_NEED},
    {"PLACE", "ssda903_placement_type", CAT_PLACEMENT_TYPE},
    {"PLACE_PROVIDER", "ssda903_placement_provider", -1},
    {"REC", "ssda903_reason_episode_ceased", -1},
    {"REASON_PLACE_CHANGE", "ssda903_reason_place_change", -1},
};

/* The CIN census referral's coded columns. */
static const struct profile_code cin_codes[] = {
    {"PrimaryNeedCode", "cin_primary_need", CAT_CATEGORY_OF_NEED},
    {"ReferralSource", "cin_referral_source", -1},
    {"ReasonForClosure", "cin_reason_for_closure", -1},
};

/* A child protection plan's categories of abuse. */
static const struct profile_code cin_plans_codes[] = {
    {"InitialCategoryOfAbuse", "cin_category_of_abuse", -1},
    {"LatestCategoryOfAbuse", "cin_category_of_abuse", -1},
};

/* The shipped code lists of the returns' value fields. */
#define DFE_ETHNICITY {NULL, "dfe_ethnicity", NULL}

static const struct profile profiles[] = {
    {"ssda903_header", "SSDA903 header (children looked after)",
     "children_social_care", "%d/%m/%Y", NULL, "ssda903",
     ssda903_header_cols, N(ssda903_header_cols), DFE_ETHNICITY, 0, NULL,
     NULL, NULL, 0},
    {"ssda903_episodes", "SSDA903 episodes (children looked after)",
     "children_social_care", "%d/%m/%Y", "looked_after", "ssda903",
     ssda903_episodes_cols, N(ssda903_episodes_cols), {NULL, NULL, NULL},
     331, "RNE", "S", ssda903_episodes_codes, N(ssda903_episodes_codes)},
    {"cin_census", "CIN census (children in need)", "children_social_care",
     NULL, "child_in_need", "cin_census", cin_cols, N(cin_cols),
     DFE_ETHNICITY, 331, NULL, NULL, cin_codes, N(cin_codes)},
    {"cin_census_plans", "CIN census child protection plans",
     "children_social_care", NULL, "child_protection_plan", "cin_census",
     cin_plans_cols, N(cin_plans_cols), {NULL, NULL, NULL}, 331, NULL, NULL,
     cin_plans_codes, N(cin_plans_codes)},
    {"school_census", "School census, pupil level", "education", NULL,
     NULL, "school_census", school_cols, N(school_cols),
     {NULL, "dfe_ethnicity", "school_census_sen_provision"}, 0, NULL,
     NULL, NULL, 0},
    {"school_census_fsm", "School census free school meal periods",
     "education", NULL, "free_school_meals", "school_census",
     school_fsm_cols, N(school_fsm_cols), {NULL, NULL, NULL}, 0, NULL, NULL,
     NULL, 0},
    {"asc_cld", "Adult social care client-level data",
     "adult_social_care", NULL, NULL, NULL, asc_cols, N(asc_cols),
     {NULL, "cld_ethnicity", "cld_service_type"}, 0, NULL, NULL, NULL, 0},
    /* H-CLIC-shaped: a block of its own */
    {"hclic_people", "H-CLIC-shaped people (homelessness case members)",
     "housing", NULL, NULL, "hclic", hclic_people_cols,
     N(hclic_people_cols), {NULL, NULL, NULL}, 0, NULL, NULL, NULL, 0},
    {"hclic_main", "H-CLIC-shaped main (homelessness duties)", "housing",
     NULL, NULL, "hclic", hclic_main_cols, N(hclic_main_cols),
     {NULL, NULL, "hclic_duty_type"}, 0, NULL, NULL, NULL, 0},
    {"hclic_ta", "H-CLIC-shaped temporary accommodation placements",
     "housing", NULL, NULL, "hclic", hclic_ta_cols, N(hclic_ta_cols),
     {NULL, NULL, "hclic_ta_type"}, 0, NULL, NULL, NULL, 0},
};

static const struct profile_xml profile_xml_forms[] = {
    {"cin_census", CIN_CHILD "/CINdetails", cin_xml, N(cin_xml)},
    {"cin_census_plans", CIN_CHILD "/CINdetails/ChildProtectionPlans",
     cin_plans_xml, N(cin_plans_xml)},
};

const struct profile_xml *
profile_xml_find(const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < N(profile_xml_forms); i++)
        if (!strcmp(profile_xml_forms[i].profile, name))
            return &profile_xml_forms[i];
    return NULL;
}

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
