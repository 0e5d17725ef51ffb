/*
 * profiles.h - built-in source profiles for the statutory returns a council
 * already produces (SSDA903, CIN census, school census, adult social care
 * client-level data). `profile = NAME` in a [source] fills the department,
 * date format, column mapping, code lists and id scope the source leaves unset, so a
 * source that follows a return needs only its path. The README lists each
 * profile's columns; `cohort rules` shows the resulting mapping.
 */
#ifndef COHORT_PROFILES_H
#define COHORT_PROFILES_H

#include <stddef.h>

#include "../core/plan.h"

struct profile_column {
    int field;               /* enum common_field */
    const char *column;      /* the return's column name */
};

struct profile_value {
    int field;               /* enum value_field */
    const char *code;
    const char *canonical;
};

struct profile {
    const char *name;
    const char *title;       /* the return it follows, for the README/rules */
    enum department department;
    const char *date_format; /* NULL: ISO / yyyymmdd */
    const char *fixed_service;
    const char *id_scope;    /* the return's tables share this id scope, or NULL */
    const struct profile_column *columns;
    size_t ncolumns;
    const struct profile_value *values;
    size_t nvalues;
};

/* The profile called name, or NULL (also for name == NULL). */
const struct profile *profile_find(const char *name);

/* The profile names as a list for messages (static). */
const char *profile_names(void);

#endif
