/*
 * department_settings.c - the [department NAME] keys as a table, and the
 * checks that tie each source to a declared department.
 */
#include "department_settings.h"
#include "../core/label.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The title is published (the report, PostgreSQL comments): UTF-8 only,
 * as a cohort's title. */
static int
check_title(const struct setting *s, void *obj, const char *value,
            struct setting_ctx *ctx)
{
    (void)obj;
    if (*value && utf8_valid_prefix((const unsigned char *)value,
                                    strlen(value)) == strlen(value))
        return 0;
    return setting_bad_value(ctx, NULL, s->expect);
}

/* The service called name (length len) of dp, or NULL. */
static struct department_service *
find_service(const struct department_plan *dp, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < dp->nservices; i++)
        if (strlen(dp->services[i].name) == len &&
            !strncmp(dp->services[i].name, name, len))
            return &dp->services[i];
    return NULL;
}

/* Adds service name[0..len) to dp (once); *out is its entry. */
static int
add_service(struct department_plan *dp, const char *name, size_t len,
            struct department_service **out, struct setting_ctx *ctx)
{
    struct department_service *sv = find_service(dp, name, len);

    if (!sv) {
        sv = realloc(dp->services, (dp->nservices + 1) * sizeof(*sv));
        if (!sv)
            return setting_nomem(ctx);
        dp->services = sv;
        sv = &sv[dp->nservices];
        memset(sv, 0, sizeof(*sv));
        if (!(sv->name = strndup(name, len)))
            return setting_nomem(ctx);
        dp->nservices++;
    }
    *out = sv;
    return 0;
}

/* services = a, b, c: the only services the department carries. */
static int
set_services(const struct setting *s, void *obj, const char *value,
             struct setting_ctx *ctx)
{
    struct department_plan *dp = obj;
    const char *p = value;
    struct department_service *sv;
    char name[64];
    int rc;

    dp->services_line = ctx->line;
    while (*p) {
        const char *q;

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        for (q = p; *q && *q != ',' && *q != ' '; q++)
            ;
        if ((size_t)(q - p) >= sizeof(name))
            return setting_bad_value(ctx, NULL, s->expect);
        memcpy(name, p, (size_t)(q - p));
        name[q - p] = '\0';
        if (!setting_name_ok(name))
            return setting_bad_value(ctx, NULL, s->expect);
        if ((rc = add_service(dp, p, (size_t)(q - p), &sv, ctx)) < 0)
            return rc;
        sv->listed = 1;
        p = q;
    }
    if (!dp->nservices)
        return setting_bad_value(ctx, NULL, s->expect);
    return 0;
}

/* service.NAME = what it is, for the report and `cohort rules`. */
static int
set_description(const struct setting *s, void *obj, const char *value,
                struct setting_ctx *ctx)
{
    struct department_plan *dp = obj;
    const char *name = ctx->key + strlen(s->name);
    struct department_service *sv;
    int rc;

    if (!setting_name_ok(name))
        return setting_fail(ctx, "key '%s': service.NAME takes a service "
                                 "name of lower-case letters, digits and _",
                            ctx->key);
    if (!*value || utf8_valid_prefix((const unsigned char *)value,
                                     strlen(value)) != strlen(value))
        return setting_bad_value(ctx, NULL, s->expect);
    if ((rc = add_service(dp, name, strlen(name), &sv, ctx)) < 0)
        return rc;
    /* an indented continuation applies the whole value again, same line */
    if (sv->line && sv->line != ctx->line)
        return setting_fail(ctx, "duplicate key '%s' (first on line %d)",
                            ctx->key, sv->line);
    sv->line = ctx->line;
    return setting_set_string(&sv->description, value, ctx);
}

#define AT(member) offsetof(struct department_plan, member)

const struct setting department_settings[] = {
    {.name = "title", .type = SETTING_STRING, .offset = AT(title),
     .check = check_title, .expect = "UTF-8 text", .joiner = " ",
     .help = "the department's name in the report, rules and table comments "
             "(default: the name)"},
    {.name = "services", .type = SETTING_CUSTOM, .offset = AT(services),
     .check = set_services,
     .expect = "service names of lower-case letters, digits and _, "
               "comma-separated",
     .help = "the only services it carries (unset: whatever its sources "
             "map)"},
    {.name = "service.", .type = SETTING_CUSTOM, .offset = AT(services),
     .check = set_description, .flags = SETTING_REPEATABLE,
     .expect = "UTF-8 text", .joiner = " ",
     .help = "service.NAME: what the service is, for the report and rules"},
    {.name = NULL},
};

int
department_settings_open(struct job_plan *plan, const char *name, int line,
                         struct department_plan **out,
                         struct setting_ctx *ctx)
{
    struct department_plan *dp;
    int d = job_plan_department_lookup(plan, name);

    /* need.NAME is a need group in the where language */
    if (!strcmp(name, "need"))
        return setting_fail_at(ctx, line, "[department need]: 'need' names "
                                          "the need groups in a where "
                                          "(need.NAME); choose another name");
    if (d < 0) {
        if (plan->ndepartments >= DEPT_MAX)
            return setting_fail_at(ctx, line, "[department %s]: at most %d "
                                              "departments in a job, the "
                                              "default four included",
                                   name, DEPT_MAX);
        dp = realloc(plan->departments,
                     (plan->ndepartments + 1) * sizeof(*dp));
        if (!dp)
            return setting_nomem(ctx);
        plan->departments = dp;
        dp = &dp[plan->ndepartments];
        memset(dp, 0, sizeof(*dp));
        plan->ndepartments++;
        if (!(dp->name = strdup(name)))
            return setting_nomem(ctx);
    } else {
        dp = &plan->departments[d];
    }
    dp->line = line;
    *out = dp;
    return 0;
}

/* The declared services of dp, comma-separated, into buf. */
static void
service_names(const struct department_plan *dp, char *buf, size_t n)
{
    size_t i, o = 0;

    buf[0] = '\0';
    for (i = 0; i < dp->nservices && o < n; i++)
        if (dp->services[i].listed)
            o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "",
                                  dp->services[i].name);
}

int
department_settings_finish(const struct job_plan *plan,
                           struct setting_ctx *ctx)
{
    size_t d, i;
    char known[512];

    for (d = 0; d < plan->ndepartments; d++) {
        const struct department_plan *dp = &plan->departments[d];

        for (i = 0; i < dp->nservices && dp->services_line; i++) {
            if (dp->services[i].listed)
                continue;
            service_names(dp, known, sizeof(known));
            return setting_fail_at(ctx, dp->services[i].line,
                                   "[department %s]: service.%s describes a "
                                   "service 'services' does not list "
                                   "(declared: %s)",
                                   dp->name, dp->services[i].name, known);
        }
    }
    return 0;
}

int
department_carries(const struct job_plan *plan, int d, const char *name)
{
    const struct department_plan *dp;

    if (d < 0 || (size_t)d >= plan->ndepartments)
        return 1;
    dp = &plan->departments[d];
    if (!dp->services_line)
        return 1;
    return find_service(dp, name, strlen(name)) != NULL &&
           find_service(dp, name, strlen(name))->listed;
}

/* service, which source s gives, is one its department carries. */
static int
source_service_ok(const struct source_plan *s, const struct job_plan *plan,
                  const char *service, struct setting_ctx *ctx)
{
    const struct department_plan *dp;
    char known[512];

    if (department_carries(plan, s->department, service))
        return 0;
    dp = &plan->departments[s->department];
    service_names(dp, known, sizeof(known));
    return setting_fail_at(ctx, s->service_line ? s->service_line : s->line,
                           "[source %s]: service '%s' is not one department "
                           "'%s' carries (declared on line %d: %s)",
                           s->name, service, dp->name, dp->services_line,
                           known);
}

int
department_settings_resolve_source(struct source_plan *s,
                                   const struct job_plan *plan,
                                   struct setting_ctx *ctx)
{
    const struct value_map *vm = &s->values[VF_SERVICE];
    char known[512];
    size_t i;
    int rc;

    s->department = job_plan_department_lookup(plan, s->department_name);
    if (s->department < 0) {
        job_plan_department_names(plan, known, sizeof(known));
        return setting_fail_at(ctx, s->department_line ? s->department_line
                                                       : s->line,
                               "[source %s]: unknown department '%s' "
                               "(declared: %s)",
                               s->name, s->department_name, known);
    }
    if (s->fixed_service &&
        (rc = source_service_ok(s, plan, s->fixed_service, ctx)) < 0)
        return rc;
    for (i = 0; i < vm->n; i++)
        if ((rc = source_service_ok(s, plan, vm->entries[i].canonical, ctx)) <
            0)
            return rc;
    if (vm->default_value &&
        (rc = source_service_ok(s, plan, vm->default_value, ctx)) < 0)
        return rc;
    return 0;
}
