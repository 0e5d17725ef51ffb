#include "publish.h"
#include "files.h"
#include "postgres.h"
#include "run_dir.h"

#include "../core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One publication in progress: what each output has done so far. */
struct publication {
    struct run_summary *s;
    const struct job_plan *plan;
    struct pg_publication **pg; /* per output, postgres ones */
    unsigned char *staged;      /* per output, csv ones */
    unsigned char *marked;
    int marks; /* more than one output: csv ones marked */
};

/* Appends a note (fmt, ...) to d's message, which says what failed. */
static void add_note(struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_note(struct diag *d, const char *fmt, ...)
{
    char note[sizeof(d->msg)], msg[sizeof(d->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(note, sizeof(note), fmt, ap);
    va_end(ap);
    /* cut short at the diag's size, as every message is */
    if (snprintf(msg, sizeof(msg), "%s; %s", d->msg, note) >= 0)
        memcpy(d->msg, msg, sizeof(msg));
}

/* Before the commit point: every output back to the previous run. */
static void
abandon(struct publication *pb)
{
    size_t i;

    for (i = 0; i < pb->plan->noutputs; i++) {
        const struct output_plan *out = &pb->plan->outputs[i];

        pg_publication_close(pb->pg[i]);
        pb->pg[i] = NULL;
        if (pb->marked[i])
            run_dir_reverse(out->dir, pb->s->run_id);
        else if (pb->staged[i])
            files_unstage(pb->s, out);
        pb->staged[i] = pb->marked[i] = 0;
    }
}

/* Steps 1 to 3: everything staged, every transaction written, marks. */
static int
prepare(struct publication *pb, struct diag *d)
{
    const struct job_plan *plan = pb->plan;
    size_t i;
    int rc;

    for (i = 0; i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_CSV) {
            if ((rc = files_stage(pb->s, &plan->outputs[i], d)) < 0)
                return rc;
            pb->staged[i] = 1;
        }
    for (i = 0; i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_POSTGRES &&
            (rc = pg_publication_open(pb->s, &plan->outputs[i], &pb->pg[i],
                                      d)) < 0)
            return rc;
    for (i = 0; pb->marks && i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_CSV) {
            if ((rc = run_dir_mark(plan->outputs[i].dir, pb->s->run_id, d)) < 0)
                return rc;
            pb->marked[i] = 1;
        }
    return 0;
}

/* Step 4: the database COMMITs. 0 when all committed; else CE_IO with
 * *passed set once the first one did (or may have). */
static int
commit(struct publication *pb, int *passed, struct diag *d)
{
    size_t i;
    int rc, unknown;

    *passed = 0;
    for (i = 0; i < pb->plan->noutputs; i++) {
        if (!pb->pg[i])
            continue;
        rc = pg_publication_commit(pb->pg[i], &unknown, d);
        pg_publication_close(pb->pg[i]);
        pb->pg[i] = NULL;
        if (rc < 0 && unknown) {
            *passed = 1;
            add_note(d, "whether run %s committed is not known%s",
                     pb->s->run_id,
                     pb->marks ? ": the next run reads the database's runs "
                                 "table and finishes or removes the staged "
                                 "files"
                               : " (the runs table says)");
        } else if (rc < 0 && *passed) {
            add_note(d,
                     "run %s is committed to the outputs before this "
                     "one; its files stay staged until the next run "
                     "switches them",
                     pb->s->run_id);
        }
        if (rc < 0)
            return rc;
        *passed = 1;
    }
    return 0;
}

/* Step 5: every csv output switched to the run. */
static int
switch_files(struct publication *pb, struct diag *d)
{
    size_t i;
    int rc, first = 0;

    for (i = 0; i < pb->plan->noutputs; i++) {
        const struct output_plan *out = &pb->plan->outputs[i];

        if (!pb->staged[i])
            continue;
        rc =
            run_dir_switch(out->dir, pb->s->run_id, out->retain, !pb->marks, d);
        pb->staged[i] = 0;
        if (rc < 0 && !first) {
            first = rc;
            if (pb->marks)
                add_note(d,
                         "run %s is committed, and the next run finishes "
                         "switching its files",
                         pb->s->run_id);
        }
    }
    return first;
}

int
publish_run(struct run_summary *s, struct diag *d)
{
    const struct job_plan *plan = s->plan;
    struct publication pb;
    size_t i, ncsv = 0;
    int rc, passed = 0;

    memset(&pb, 0, sizeof(pb));
    pb.s = s;
    pb.plan = plan;
    s->publication = PUBLICATION_NONE;
    pb.pg = calloc(plan->noutputs, sizeof(*pb.pg));
    pb.staged = calloc(plan->noutputs, 1);
    pb.marked = calloc(plan->noutputs, 1);
    if (!pb.pg || !pb.staged || !pb.marked) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto out;
    }
    for (i = 0; i < plan->noutputs; i++)
        ncsv += plan->outputs[i].type == OUT_CSV;
    pb.marks = ncsv && plan->noutputs > 1;
    if ((rc = prepare(&pb, d)) < 0 || (rc = commit(&pb, &passed, d)) < 0) {
        if (!passed)
            abandon(&pb);
        else
            s->publication = PUBLICATION_PENDING;
        goto out;
    }
    rc = switch_files(&pb, d);
    if (rc == 0)
        s->publication = PUBLICATION_DONE;
    else if (pb.marks)
        s->publication = PUBLICATION_PENDING;
out:
    if (pb.pg)
        for (i = 0; i < plan->noutputs; i++)
            pg_publication_close(pb.pg[i]);
    free(pb.pg);
    free(pb.staged);
    free(pb.marked);
    return rc;
}

/* Whether the marked run_id committed: with postgres outputs, when any
 * database's runs has it; without, when every csv output marked it or
 * already switched to it (the last mark was the commit point). */
static int
committed(const struct job_plan *plan, const char *run_id, int *yes,
          struct diag *d)
{
    size_t i;
    int have_pg = 0, rc, y;
    char other[32];

    *yes = 0;
    for (i = 0; i < plan->noutputs; i++) {
        if (plan->outputs[i].type != OUT_POSTGRES)
            continue;
        have_pg = 1;
        if ((rc = pg_run_recorded(&plan->outputs[i], run_id, &y, d)) < 0) {
            add_note(d,
                     "so whether the pending run %s committed cannot be "
                     "told, and nothing is published",
                     run_id);
            return rc;
        }
        *yes |= y;
    }
    if (have_pg)
        return 0;
    *yes = 1;
    for (i = 0; i < plan->noutputs; i++) {
        const char *dir = plan->outputs[i].dir;

        if (plan->outputs[i].type != OUT_CSV)
            continue;
        if (run_dir_pending(dir, other, d) == 1 && !strcmp(other, run_id))
            continue;
        run_dir_latest(dir, other);
        if (strcmp(other, run_id))
            *yes = 0;
    }
    return 0;
}

int
publish_recover(const struct job_plan *plan, struct diag *d)
{
    size_t i;
    char run_id[32];
    int rc, yes;

    for (i = 0; i < plan->noutputs; i++) {
        const struct output_plan *out = &plan->outputs[i];

        if (out->type != OUT_CSV)
            continue;
        if ((rc = run_dir_pending(out->dir, run_id, d)) < 0)
            return rc;
        if (rc == 0)
            continue;
        if ((rc = committed(plan, run_id, &yes, d)) < 0)
            return rc;
        if (!yes) {
            log_msg(LOG_WARN,
                    "[output %s] run %s did not commit: its staged "
                    "files are removed",
                    out->name, run_id);
            run_dir_reverse(out->dir, run_id);
            continue;
        }
        log_msg(LOG_WARN,
                "[output %s] run %s committed but its files were "
                "not switched: switching them now",
                out->name, run_id);
        if ((rc = run_dir_finish(out->dir, run_id, out->retain, d)) < 0) {
            add_note(d, "run %s stays pending", run_id);
            return rc;
        }
    }
    for (i = 0; i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_CSV)
            run_dir_remove_stale(plan->outputs[i].dir);
    return 0;
}
