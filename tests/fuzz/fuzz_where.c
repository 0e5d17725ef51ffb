/*
 * fuzz_where.c - libFuzzer target for the `where` parser: any text must
 * parse (and render in plain English) or give a diagnostic with a column
 * inside the text; one that parses is within itself. The plan has two
 * need groups, so need.NAME, need.*, count() and within() are reached.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cohorts/where.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct age_band bands[] = {{0, 4}, {5, 17}, {18, 64}, {65, -1}};
    static struct service_def services[] = {
        {DEPT_HOUSING, "temporary_accommodation"},
        {DEPT_EDUCATION, "ehcp"}};
    static struct need_plan needs[] = {
        {"housing", "Housing", "housing.temporary_accommodation", 1, 1},
        {"school", "School", "within(6, education.ehcp) or age < 5", 2, 2}};
    struct job_plan plan;
    struct where_expr *e;
    struct diag d;
    char *text = malloc(size + 1);

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&plan, 0, sizeof(plan));
    plan.age_bands = bands;
    plan.nage_bands = 4;
    plan.services = services;
    plan.nservices = 2;
    plan.needs = needs;
    plan.nneeds = 2;
    diag_clear(&d);
    if (where_parse(text, &plan, &e, &d) == 0) {
        free(where_plain(e, &plan));
        /* an expression is within itself (where_same, the nesting rules) */
        if (!where_within(e, e))
            abort();
        where_free(e);
    } else if (d.column < 1 || (size_t)d.column > strlen(text) + 1) {
        abort();
    }
    free(text);
    return 0;
}
