/*
 * atomic.c - temp, write, fsync, close, rename; and the temp removed on
 * failure or on a signal (atomic.h). The temp is opened with O_EXCL under
 * a name of our own, never a file someone placed there, and with the
 * caller's mode so the umask applies as it would to fopen().
 */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Temp files being written, for atomic_remove_temps(): a few writes at
 * once at most (one per command today). */
#define LIVE_MAX 8

static _Atomic(const char *) live[LIVE_MAX];
static atomic_uint temp_counter;

/* Registers a temp file's name; the slot, or -1 when all are taken (the
 * write goes on, only a signal would then leave its temp behind). */
static int
live_add(const char *tmp)
{
    int i;

    for (i = 0; i < LIVE_MAX; i++) {
        const char *expected = NULL;

        if (atomic_compare_exchange_strong(&live[i], &expected, tmp))
            return i;
    }
    return -1;
}

static void
live_remove(int slot)
{
    if (slot >= 0)
        atomic_store(&live[slot], NULL);
}

void
atomic_remove_temps(void)
{
    int i;

    for (i = 0; i < LIVE_MAX; i++) {
        const char *tmp = atomic_load(&live[i]);

        if (tmp)
            unlink(tmp);
    }
}

/* Writes all len bytes to fd; 0 or -1 with errno set. */
static int
write_all(int fd, const void *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = write(fd, (const char *)data + off, len - off);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Writes, fsyncs and closes fd (closed whatever happens); 0 or -1 with
 * errno set to the first failure's. */
static int
write_sync_close(int fd, const void *data, size_t len)
{
    int e;

    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return close(fd);
}

/* Opens a new temp file beside path, its name in tmp (size n). */
static int
open_temp(const char *path, char *tmp, size_t n, mode_t mode)
{
    int tries, fd = -1;

    for (tries = 0; tries < 100; tries++) {
        unsigned k = atomic_fetch_add(&temp_counter, 1);
        int len = snprintf(tmp, n, "%s.%ld-%u.tmp", path, (long)getpid(), k);

        if (len < 0 || (size_t)len >= n) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    return fd;
}

int
atomic_write_file(const char *path, const void *data, size_t len,
                  mode_t mode, struct diag *d)
{
    size_t n = strlen(path) + 48;
    char *tmp = malloc(n);
    int fd, e, slot;

    if (!tmp) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if ((fd = open_temp(path, tmp, n, mode)) < 0) {
        e = errno;
        diag_set(d, path, 0, 0, NULL, "cannot create a file next to it: %s",
                 strerror(e));
        free(tmp);
        return CE_IO;
    }
    slot = live_add(tmp);
    if (write_sync_close(fd, data, len) < 0 || rename(tmp, path) < 0) {
        e = errno;
        unlink(tmp);
        live_remove(slot);
        diag_set(d, path, 0, 0, NULL, "cannot write: %s", strerror(e));
        free(tmp);
        return CE_IO;
    }
    live_remove(slot);
    free(tmp);
    return 0;
}

int
atomic_stage_file(const char *path, const void *data, size_t len,
                  mode_t mode, struct diag *d)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

    if (fd < 0) {
        diag_set(d, path, 0, 0, NULL, "cannot create: %s", strerror(errno));
        return CE_IO;
    }
    if (write_sync_close(fd, data, len) < 0) {
        diag_set(d, path, 0, 0, NULL, "cannot write: %s", strerror(errno));
        return CE_IO;
    }
    return 0;
}

int
atomic_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC), rc, e;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    e = errno;
    close(fd);
    errno = e;
    return rc;
}
