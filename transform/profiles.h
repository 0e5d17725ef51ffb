/*
 * profiles.h - built-in source profiles for the statutory returns a council
 * already produces (SSDA903, CIN census, school census, adult social care
 * client-level data). `profile = NAME` in a [source] fills the department,
 * date format, column mapping, code lists and id scope the source leaves
 * unset, so a source that follows a return needs only its path. Every key
 * the [source] sets overrides the profile's (transform/map_settings.h).
 * The README lists each profile's columns; `cohort rules` shows the
 * resulting mapping.
 */
#ifndef COHORT_PROFILES_H
#define COHORT_PROFILES_H

#include <stddef.h>

#include "../core/plan.h"

struct profile_column {
    int field;               /* enum common_field */
    const char *column;      /* the return's column name */
    int optional;            /* 1: a file may lack it; the field is then
                              * not read (`cohort check` says so) */
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
    /* per enum value_field: the shipped code list (transform/codelist.h)
     * mapping the return's official codes and labels, or NULL */
    const char *value_lists[VF_COUNT];
};

/* The profile called name, or NULL (also for name == NULL). */
const struct profile *profile_find(const char *name);

/* The profile names as a list for messages (static). */
const char *profile_names(void);

#endif
