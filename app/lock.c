#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* mkdir -p with mode 0750 for the parts it creates. */
static int
make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path), i;

    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -1;
        buf[i] = path[i];
    }
    return 0;
}

int
job_lock_take(struct job_lock *l, const char *output_dir, struct diag *d)
{
    char path[4096];

    l->fd = -1;
    if (make_dirs(output_dir) < 0) {
        diag_set(d, output_dir, 0, 0, NULL,
                 "cannot create the output directory: %s", strerror(errno));
        return CE_IO;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/.cohort.lock", output_dir) >=
        sizeof(path)) {
        diag_set(d, output_dir, 0, 0, NULL, "output directory path too long");
        return CE_IO;
    }
    l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (l->fd < 0) {
        diag_set(d, path, 0, 0, NULL, "cannot open the lock file: %s",
                 strerror(errno));
        return CE_IO;
    }
    if (flock(l->fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        char holder[128] = "";
        ssize_t n = pread(l->fd, holder, sizeof(holder) - 1, 0);

        close(l->fd);
        l->fd = -1;
        if (e == EWOULDBLOCK) {
            holder[n > 0 ? n : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            diag_set(d, output_dir, 0, 0, "lock",
                     "another run holds the lock on this output directory "
                     "(%s)", holder[0] ? holder : "holder unknown");
            return CE_LOCKED;
        }
        diag_set(d, path, 0, 0, NULL, "cannot lock: %s", strerror(e));
        return CE_IO;
    }
    {
        /* who holds it, for the next run's message */
        char buf[128];
        time_t now = time(NULL);
        struct tm tm;
        int n;

        gmtime_r(&now, &tm);
        n = snprintf(buf, sizeof(buf), "pid %ld, started %04d-%02d-%02dT%02d:"
                                       "%02d:%02dZ\n",
                     (long)getpid(), tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (n > 0 && ftruncate(l->fd, 0) == 0 &&
            pwrite(l->fd, buf, (size_t)n, 0) != n) {
            /* the lock holds without the note; nothing to undo */
        }
    }
    return 0;
}

void
job_lock_release(struct job_lock *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
