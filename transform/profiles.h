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

/* Where a column of the return's XML form is read (xml_column.NAME =
 * path; connectors/xml_source.h says how paths read). */
struct profile_xml_column {
    const char *column;
    const char *path;
};

/* A coded column of the return (transform/coded.h): checked against its
 * shipped code list; category >= 0 carries its group per spell. Every
 * one is optional: a file may lack it (it is then not checked). */
struct profile_code {
    const char *column;
    const char *list;
    int category;            /* enum spell_category, -1: none */
};

struct profile {
    const char *name;
    const char *title;       /* the return it follows, for the README/rules */
    const char *department;  /* a default department's name (core/plan.h) */
    const char *date_format; /* NULL: ISO / yyyymmdd */
    const char *fixed_service;
    const char *id_scope;    /* the return's tables share this id scope, or NULL */
    const struct profile_column *columns;
    size_t ncolumns;
    /* per enum value_field: the shipped code list (transform/codelist.h)
     * mapping the return's official codes and labels, or NULL */
    const char *value_lists[VF_COUNT];
    /* the collection year's last day, month * 100 + day, when the return
     * is made once a year and a council keeps one file a year (SSDA903
     * and CIN census: 331, 31 March); 0 for an extract */
    int return_year_end;
    /* the column saying whether a spell starts a period, optional in a
     * file (absent: the dates decide), and its codes that do; NULL */
    const char *period_column;
    const char *period_start_codes;
    /* the return's coded columns, checked against the DfE's code sets */
    const struct profile_code *codes;
    size_t ncodes;
};

/* A return's XML form (format = xml): the repeating element each row is
 * read from, and where its columns are. */
struct profile_xml {
    const char *profile;     /* the profile it is the XML form of */
    const char *record;
    const struct profile_xml_column *columns;
    size_t ncolumns;
};

/* The XML form of the profile called name, or NULL (no such profile, or
 * its return is not XML). */
const struct profile_xml *profile_xml_find(const char *name);

/* The profile called name, or NULL (also for name == NULL). */
const struct profile *profile_find(const char *name);

/* The profile names as a list for messages (static). */
const char *profile_names(void);

#endif
