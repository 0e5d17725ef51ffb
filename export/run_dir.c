#include "run_dir.h"

#include "../core/atomic.h"
#include "../core/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file every run directory this program made holds: retention
 * removes nothing without it. */
#define RUN_MARKER ".cohort-run"

#define MARK_NAME ".pending-run"

/* Where a run is staged, published and switched to. */
struct run_paths {
    char runs[4096], staging[4096], final[4096], link_tmp[4096], current[4096],
        mark[4096], target[256];
};

static int
run_paths_init(struct run_paths *pp, const char *dir, const char *run_id)
{
    if (strlen(dir) > RUN_DIR_MAX || strlen(run_id) > 64)
        return CE_CONFIG;
    /* the lengths are bounded above: these cannot be cut short */
    if (snprintf(pp->runs, sizeof(pp->runs), "%s/runs", dir) < 0 ||
        snprintf(pp->staging, sizeof(pp->staging), "%s/.tmp-%s", pp->runs,
                 run_id) < 0 ||
        snprintf(pp->final, sizeof(pp->final), "%s/%s", pp->runs, run_id) < 0 ||
        snprintf(pp->link_tmp, sizeof(pp->link_tmp), "%s/.latest.tmp", dir) <
            0 ||
        snprintf(pp->current, sizeof(pp->current), "%s/latest", dir) < 0 ||
        snprintf(pp->mark, sizeof(pp->mark), "%s/" MARK_NAME, dir) < 0 ||
        snprintf(pp->target, sizeof(pp->target), "runs/%s", run_id) < 0)
        return CE_INTERNAL;
    return 0;
}

void
run_dir_remove(const char *path)
{
    DIR *dh = opendir(path);
    struct dirent *e;
    char file[4096];

    if (!dh)
        return;
    while ((e = readdir(dh))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (snprintf(file, sizeof(file), "%s/%s", path, e->d_name) <
            (int)sizeof(file))
            unlink(file);
    }
    closedir(dh);
    rmdir(path);
}

int
run_dir_prepare(const char *dir, const char *run_id, char *staging,
                struct diag *d)
{
    struct run_paths pp;

    if (run_paths_init(&pp, dir, run_id) < 0) {
        diag_set(d, NULL, 0, 0, NULL,
                 "an output directory is longer than "
                 "%d bytes",
                 RUN_DIR_MAX);
        return CE_CONFIG;
    }
    if ((mkdir(dir, 0750) < 0 && errno != EEXIST) ||
        (mkdir(pp.runs, 0750) < 0 && errno != EEXIST)) {
        diag_set(d, pp.runs, 0, 0, NULL, "cannot create: %s", strerror(errno));
        return CE_IO;
    }
    run_dir_remove(pp.staging); /* a retry of the same run id */
    if (mkdir(pp.staging, 0750) < 0) {
        diag_set(d, pp.staging, 0, 0, NULL, "cannot create: %s",
                 strerror(errno));
        return CE_IO;
    }
    /* the marker retention looks for before it removes a run */
    {
        char marker[sizeof(pp.staging) + sizeof(RUN_MARKER) + 1];
        int rc;

        snprintf(marker, sizeof(marker), "%s/%s", pp.staging, RUN_MARKER);
        if ((rc = atomic_stage_file(marker, run_id, strlen(run_id), 0640,
                                    d)) < 0) {
            run_dir_remove(pp.staging);
            return rc;
        }
    }
    memcpy(staging, pp.staging, strlen(pp.staging) + 1);
    return 0;
}

int
run_dir_mark(const char *dir, const char *run_id, struct diag *d)
{
    struct run_paths pp;
    char line[80];
    int n, rc;

    if (run_paths_init(&pp, dir, run_id) < 0)
        return CE_IO;
    n = snprintf(line, sizeof(line), "%s\n", run_id);
    if ((rc = atomic_write_file(pp.mark, line, (size_t)n, 0640, d)) < 0)
        return rc;
    if (atomic_sync_dir(dir) < 0) {
        diag_set(d, dir, 0, 0, NULL, "cannot sync: %s", strerror(errno));
        return CE_IO;
    }
    return 0;
}

/* Removes the mark; a failure leaves it for the next run, which then
 * finds the run already switched and only removes the mark again. */
static void
unmark(const struct run_paths *pp, const char *dir)
{
    if (unlink(pp->mark) < 0 && errno != ENOENT)
        log_msg(LOG_WARN, "%s: cannot remove: %s", pp->mark, strerror(errno));
    else
        (void)atomic_sync_dir(dir);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * 1 when runs/name is a run this program published: a directory (not a
 * link) named as a run id is named ("20261031T020000.123Z") that holds
 * the marker. An analyst's runs/0_keep/, or a copy under another name,
 * is never touched.
 */
static int
is_run_dir(const char *runs, const char *name)
{
    static const char shape[] = "ddddddddTdddddd.dddZ";
    char path[4096];
    struct stat sb;
    size_t i;

    if (strlen(name) != sizeof(shape) - 1)
        return 0;
    for (i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? name[i] < '0' || name[i] > '9'
                            : name[i] != shape[i])
            return 0;
    if (snprintf(path, sizeof(path), "%s/%s", runs, name) >=
            (int)sizeof(path) ||
        lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
        return 0;
    if (snprintf(path, sizeof(path), "%s/%s/%s", runs, name, RUN_MARKER) >=
            (int)sizeof(path) ||
        lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
        return 0;
    return 1;
}

/* Keeps the newest `retain` runs (run ids sort by time), never the one
 * latest points to. */
static void
apply_retention(const char *runs, int retain, const char *current_id)
{
    DIR *dh = retain > 0 ? opendir(runs) : NULL;
    struct dirent *e;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0, i;

    if (!dh)
        return;
    while ((e = readdir(dh))) {
        /* only the runs this program made: never an analyst's folder */
        if (e->d_name[0] == '.' || !is_run_dir(runs, e->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **p = realloc(names, nc * sizeof(*p));

            if (!p)
                break;
            names = p;
            cap = nc;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i + (size_t)retain < n; i++)
        if (strcmp(names[i], current_id) &&
            snprintf(path, sizeof(path), "%s/%s", runs, names[i]) <
                (int)sizeof(path))
            run_dir_remove(path);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Points `latest` at the run in runs/, with one rename(2) of a fresh
 * symlink. 0 or CE_IO. */
static int
switch_latest(const struct run_paths *pp, struct diag *d)
{
    unlink(pp->link_tmp);
    if (atomic_sync_dir(pp->runs) < 0 ||
        symlink(pp->target, pp->link_tmp) < 0 ||
        rename(pp->link_tmp, pp->current) < 0) {
        diag_set(d, pp->current, 0, 0, NULL, "cannot switch latest: %s",
                 strerror(errno));
        unlink(pp->link_tmp);
        return CE_IO;
    }
    return 0;
}

/* After the switch: durability of the link, the mark, retention. */
static void
after_switch(const struct run_paths *pp, const char *dir, const char *run_id,
             int retain)
{
    /* The switch is done and complete; a failed sync of the directory
     * entry only weakens durability across a power cut. */
    if (atomic_sync_dir(dir) < 0)
        log_msg(LOG_WARN,
                "%s: published, but the directory could not be "
                "synced: %s",
                dir, strerror(errno));
    unmark(pp, dir);
    apply_retention(pp->runs, retain, run_id);
}

int
run_dir_switch(const char *dir, const char *run_id, int retain, int undo,
               struct diag *d)
{
    struct run_paths pp;

    if (run_paths_init(&pp, dir, run_id) < 0)
        return CE_IO;
    if (atomic_sync_dir(pp.staging) < 0 || rename(pp.staging, pp.final) < 0) {
        diag_set(d, pp.final, 0, 0, NULL, "cannot publish the run: %s",
                 strerror(errno));
        if (undo)
            run_dir_remove(pp.staging);
        return CE_IO;
    }
    if (switch_latest(&pp, d) < 0) {
        if (undo)
            run_dir_remove(pp.final);
        return CE_IO;
    }
    after_switch(&pp, dir, run_id, retain);
    return 0;
}

int
run_dir_pending(const char *dir, char *run_id, struct diag *d)
{
    char path[4096], line[80];
    FILE *f;
    size_t n;

    if (strlen(dir) > RUN_DIR_MAX)
        return 0;
    snprintf(path, sizeof(path), "%s/" MARK_NAME, dir);
    if (!(f = fopen(path, "r"))) {
        if (errno == ENOENT)
            return 0;
        diag_set(d, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        return CE_IO;
    }
    n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    line[strcspn(line, "\n")] = '\0';
    /* a run id is digits, T, '.' and Z: anything else is not our mark */
    if (!line[0] || strlen(line) > 31 ||
        strspn(line, "0123456789TZ.") != strlen(line)) {
        diag_set(d, path, 0, 0, NULL,
                 "not a run id: remove the file if no "
                 "run is pending");
        return CE_IO;
    }
    memcpy(run_id, line, strlen(line) + 1);
    return 1;
}

void
run_dir_latest(const char *dir, char *run_id)
{
    char path[4096], target[512];
    ssize_t n;

    run_id[0] = '\0';
    if (strlen(dir) > RUN_DIR_MAX)
        return;
    snprintf(path, sizeof(path), "%s/latest", dir);
    n = readlink(path, target, sizeof(target) - 1);
    if (n <= 5 || strncmp(target, "runs/", 5))
        return;
    target[n] = '\0';
    if (strlen(target + 5) < 32)
        memcpy(run_id, target + 5, strlen(target + 5) + 1);
}

int
run_dir_finish(const char *dir, const char *run_id, int retain, struct diag *d)
{
    struct run_paths pp;
    struct stat st;
    char latest[32];

    if (run_paths_init(&pp, dir, run_id) < 0)
        return CE_IO;
    if (stat(pp.staging, &st) == 0 &&
        (atomic_sync_dir(pp.staging) < 0 || rename(pp.staging, pp.final) < 0)) {
        diag_set(d, pp.final, 0, 0, NULL,
                 "cannot finish publishing the run: "
                 "%s",
                 strerror(errno));
        return CE_IO;
    }
    if (stat(pp.final, &st) < 0) {
        log_msg(LOG_WARN,
                "%s: run %s committed, but its files are gone; "
                "nothing to switch",
                dir, run_id);
        unmark(&pp, dir);
        return 0;
    }
    run_dir_latest(dir, latest);
    if (strcmp(latest, run_id) < 0 && switch_latest(&pp, d) < 0)
        return CE_IO;
    after_switch(&pp, dir, run_id, retain);
    return 0;
}

void
run_dir_reverse(const char *dir, const char *run_id)
{
    struct run_paths pp;

    if (run_paths_init(&pp, dir, run_id) < 0)
        return;
    run_dir_remove(pp.staging);
    unmark(&pp, dir);
}

void
run_dir_remove_stale(const char *dir)
{
    DIR *dh;
    struct dirent *e;
    char runs[4096], old[4096], marked[32];
    struct diag d;

    if (strlen(dir) > RUN_DIR_MAX)
        return;
    if (run_dir_pending(dir, marked, &d) != 1)
        marked[0] = '\0';
    snprintf(runs, sizeof(runs), "%s/runs", dir);
    if (!(dh = opendir(runs)))
        return;
    while ((e = readdir(dh)))
        if (!strncmp(e->d_name, ".tmp-", 5) &&
            (!marked[0] || strcmp(e->d_name + 5, marked)) &&
            snprintf(old, sizeof(old), "%s/%s", runs, e->d_name) <
                (int)sizeof(old))
            run_dir_remove(old);
    closedir(dh);
}
