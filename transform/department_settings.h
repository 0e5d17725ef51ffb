/*
 * department_settings.h - the [department NAME] keys: a department the
 * job's sources may belong to, its title and the services it carries, and
 * the checks that tie sources to departments once the whole file is read.
 *
 * The plan starts with the default set (core/plan.h,
 * job_plan_add_default_departments()); a [department NAME] with a
 * default's name redeclares it in place (its title, its services), any
 * other name is appended after them. Then, after the whole file:
 *
 *     department_settings_open(plan, name, line, &dp, &ctx)  per section
 *     ... app/config.c applies each key found in department_settings ...
 *     department_settings_finish(plan, &ctx);    descriptions name services
 *     department_settings_resolve_source(s, plan, &ctx);   per source,
 *         after its profile is applied: its department by name, and its
 *         services within what a closed department carries
 *
 * app/config.c then adds every declared service to plan->services, so a
 * where or by may name one that no source maps (it counts no one).
 */
#ifndef COHORT_DEPARTMENT_SETTINGS_H
#define COHORT_DEPARTMENT_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [department NAME] keys, over struct department_plan. */
extern const struct setting department_settings[];

/*
 * The department a [department NAME] section at line declares: the
 * default of that name, or a new one appended to plan. *out points into
 * plan->departments (valid until the next call). 0, CE_CONFIG (more than
 * DEPT_MAX departments) or CE_NOMEM through ctx.
 */
int department_settings_open(struct job_plan *plan, const char *name, int line,
                             struct department_plan **out,
                             struct setting_ctx *ctx);

/* Every service.NAME of a department with `services` names one of them.
 * 0 or CE_CONFIG with ctx naming the line. */
int department_settings_finish(const struct job_plan *plan,
                               struct setting_ctx *ctx);

/*
 * Sets s->department from s->department_name; a name no department has is
 * a config error at the `department` line (or the section's, when a
 * profile gave it) naming the declared departments. A department that
 * declares its services must carry the source's fixed service and every
 * service its value map gives. 0 or CE_CONFIG.
 */
int department_settings_resolve_source(struct source_plan *s,
                                       const struct job_plan *plan,
                                       struct setting_ctx *ctx);

/* 1 when department d carries service name: it is open (no `services`)
 * or lists it. */
int department_carries(const struct job_plan *plan, int d, const char *name);

#endif
