/*
 * sexcodes.c - the built-in spellings of sex and ethnicity that
 * normalise_sex() and normalise_ethnicity() (normalise.h) know, as tables
 * that map.c can also read through normalise_builtin_code() to work out
 * which codes a source can give at all.
 */
#include "normalise.h"
#include "../core/schema.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct code {
    const char *code;
    int value;
};

static int
lookup_code(const struct code *t, size_t n, const char *s, size_t len)
{
    size_t i;

    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    for (i = 0; i < n; i++)
        if (strlen(t[i].code) == len && !strncasecmp(t[i].code, s, len))
            return t[i].value;
    return -1;
}

static const struct code sex_codes[] = {
    {"M", SEX_M}, {"Male", SEX_M}, {"1", SEX_M}, {"Man", SEX_M},
    {"F", SEX_F}, {"Female", SEX_F}, {"2", SEX_F}, {"Woman", SEX_F},
    {"U", SEX_U}, {"Unknown", SEX_U}, {"0", SEX_U}, {"9", SEX_U},
    {"Not known", SEX_U}, {"Not stated", SEX_U},
    {"X", SEX_X}, {"I", SEX_X}, {"Indeterminate", SEX_X},
    {"Not specified", SEX_X}, {"Other", SEX_X},
};

static const struct code ethnicity_codes[] = {
    /* top-level groups */
    {"WHITE", ETH_WHITE}, {"MIXED", ETH_MIXED}, {"ASIAN", ETH_ASIAN},
    {"BLACK", ETH_BLACK}, {"OTHER", ETH_OTHER}, {"UNKNOWN", ETH_UNKNOWN},
    /* DfE codes used by CIN, SSDA903 and the school census */
    {"WBRI", ETH_WHITE}, {"WIRI", ETH_WHITE}, {"WIRT", ETH_WHITE},
    {"WOTH", ETH_WHITE}, {"WROM", ETH_WHITE}, {"MWBC", ETH_MIXED},
    {"MWBA", ETH_MIXED}, {"MWAS", ETH_MIXED}, {"MOTH", ETH_MIXED},
    {"AIND", ETH_ASIAN}, {"APKN", ETH_ASIAN}, {"ABAN", ETH_ASIAN},
    {"AOTH", ETH_ASIAN}, {"CHNE", ETH_ASIAN}, {"BCRB", ETH_BLACK},
    {"BAFR", ETH_BLACK}, {"BOTH", ETH_BLACK}, {"OOTH", ETH_OTHER},
    {"OARB", ETH_OTHER}, {"REFU", ETH_UNKNOWN}, {"NOBT", ETH_UNKNOWN},
    /* NHS data dictionary ethnic category letters */
    {"A", ETH_WHITE}, {"B", ETH_WHITE}, {"C", ETH_WHITE},
    {"D", ETH_MIXED}, {"E", ETH_MIXED}, {"F", ETH_MIXED},
    {"G", ETH_MIXED}, {"H", ETH_ASIAN}, {"J", ETH_ASIAN},
    {"K", ETH_ASIAN}, {"L", ETH_ASIAN}, {"M", ETH_BLACK},
    {"N", ETH_BLACK}, {"P", ETH_BLACK}, {"R", ETH_ASIAN},
    {"S", ETH_OTHER}, {"Z", ETH_UNKNOWN}, {"99", ETH_UNKNOWN},
    /* 2021 census categories */
    {"White: English, Welsh, Scottish, Northern Irish or British",
     ETH_WHITE},
    {"White: Irish", ETH_WHITE},
    {"White: Gypsy or Irish Traveller", ETH_WHITE},
    {"White: Roma", ETH_WHITE},
    {"White: Other White", ETH_WHITE},
    {"Mixed or Multiple ethnic groups: White and Black Caribbean",
     ETH_MIXED},
    {"Mixed or Multiple ethnic groups: White and Black African",
     ETH_MIXED},
    {"Mixed or Multiple ethnic groups: White and Asian", ETH_MIXED},
    {"Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic "
     "groups", ETH_MIXED},
    {"Asian, Asian British or Asian Welsh: Indian", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Pakistani", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Bangladeshi", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Chinese", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Other Asian", ETH_ASIAN},
    {"Black, Black British, Black Welsh, Caribbean or African: African",
     ETH_BLACK},
    {"Black, Black British, Black Welsh, Caribbean or African: Caribbean",
     ETH_BLACK},
    {"Black, Black British, Black Welsh, Caribbean or African: Other "
     "Black", ETH_BLACK},
    {"Other ethnic group: Arab", ETH_OTHER},
    {"Other ethnic group: Any other ethnic group", ETH_OTHER},
    {"Not stated", ETH_UNKNOWN}, {"Refused", ETH_UNKNOWN},
};

int
normalise_sex(const char *s, size_t len)
{
    return lookup_code(sex_codes, sizeof(sex_codes) / sizeof(sex_codes[0]),
                       s, len);
}

int
normalise_ethnicity(const char *s, size_t len)
{
    return lookup_code(ethnicity_codes,
                       sizeof(ethnicity_codes) / sizeof(ethnicity_codes[0]),
                       s, len);
}

int
normalise_builtin_code(int ethnicity, size_t i, const char **text)
{
    const struct code *t = ethnicity ? ethnicity_codes : sex_codes;
    size_t n = ethnicity ? sizeof(ethnicity_codes) / sizeof(ethnicity_codes[0])
                         : sizeof(sex_codes) / sizeof(sex_codes[0]);

    if (i >= n)
        return -1;
    *text = t[i].code;
    return t[i].value;
}
