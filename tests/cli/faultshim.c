/*
 * faultshim.c - LD_PRELOAD fault injection for tests/cli/faults.sh.
 * COHORT_FAIL="rename:N" (or fsync:N, write:N, read:N, mkdir:N, symlink:N)
 * makes the N-th call of that function fail with EIO (read and write only
 * count files, not stdin/stdout/stderr). Built by the test with `cc -shared -fPIC`.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int
should_fail(const char *name)
{
    static long count;
    const char *spec = getenv("COHORT_FAIL");
    size_t n;

    if (!spec)
        return 0;
    n = strlen(name);
    if (strncmp(spec, name, n) || spec[n] != ':')
        return 0;
    return ++count == strtol(spec + n + 1, NULL, 10);
}

int
rename(const char *a, const char *b)
{
    int (*real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");

    if (should_fail("rename")) {
        errno = EIO;
        return -1;
    }
    return real(a, b);
}

int
fsync(int fd)
{
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

    if (should_fail("fsync")) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
    ssize_t (*real)(int, const void *, size_t) =
        (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

    if (fd > 2 && should_fail("write")) {
        errno = EIO;
        return -1;
    }
    return real(fd, buf, n);
}

ssize_t
read(int fd, void *buf, size_t n)
{
    ssize_t (*real)(int, void *, size_t) =
        (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");

    if (fd > 2 && should_fail("read")) {
        errno = EIO;
        return -1;
    }
    return real(fd, buf, n);
}

int
symlink(const char *a, const char *b)
{
    int (*real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "symlink");

    if (should_fail("symlink")) {
        errno = EIO;
        return -1;
    }
    return real(a, b);
}

int
mkdir(const char *p, mode_t m)
{
    int (*real)(const char *, mode_t) =
        (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");

    if (should_fail("mkdir")) {
        errno = EIO;
        return -1;
    }
    return real(p, m);
}
