/*
 * faultshim.c - LD_PRELOAD fault injection for tests/cli/faults.sh.
 * COHORT_FAIL="rename:N" (or fsync:N, write:N, read:N, mkdir:N, symlink:N)
 * makes the N-th call of that function fail with EIO (read and write only
 * count files, not stdin/stdout/stderr); "malloc:N" fails the N-th memory
 * allocation (see below). COHORT_HANG="fsync" makes every fsync block
 * for ever, signals or not, as a dead NFS server would (tests/cli/
 * stop.sh: a run must still stop within a second of SIGTERM). Built by
 * the test with `cc -shared -fPIC`.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
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

/* COHORT_HANG names name: the call never returns. */
static void
maybe_hang(const char *name)
{
    const char *spec = getenv("COHORT_HANG");

    if (spec && !strcmp(spec, name))
        for (;;)
            pause();
}

int
fsync(int fd)
{
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

    maybe_hang("fsync");
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

/*
 * Allocation failures. COHORT_FAIL="malloc:N" fails the N-th call of malloc,
 * calloc or realloc together (one counter: a sweep over N then reaches every
 * allocation site in call order); "calloc:N" and "realloc:N" count only that
 * function. A failed call returns NULL with errno ENOMEM. Only calls made
 * once main has started count: a failure inside the C library's or the
 * sanitizer's start-up is not something cohort can handle, nor is it
 * cohort's code. COHORT_FAIL_COUNT=FILE writes, at exit, how many
 * allocation calls counted ("malloc N calloc N realloc N") so a test knows
 * how far to sweep.
 *
 * The real functions come from dlsym(RTLD_NEXT); dlsym may itself call
 * calloc (for its error buffer) before they are known, so calls made while
 * resolving are served from a small static arena, and free/realloc
 * recognise arena blocks and never pass them on.
 */
static ssize_t (*real_write_fn)(int, const void *, size_t);
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int resolving;

static _Alignas(16) char arena[16384];
static size_t arena_used;

static int alloc_armed;        /* main has started */
static int alloc_kind;         /* 0 none, 1 any, 2 calloc, 3 realloc */
static long alloc_target;
static long alloc_calls, calloc_calls, realloc_calls;

/*
 * COHORT_FAIL_SITES=FILE (with no failure asked for) writes a line "N LIB"
 * for every allocation call N whose call site -- the allocating function
 * and its caller, so that a C library function (fopen, strdup) called from
 * two places counts twice -- was not seen before; LIB is the file name of
 * the module that called the allocator (libglpk.so.40, cohort, ...). The
 * first call from each distinct place is a sweep sample that reaches every
 * allocation site of a run without repeating the per-row ones thousands of
 * times.
 */
#define SITE_DEPTH 3
static int sites_fd = -1;
static __thread int in_backtrace;
static unsigned long site_seen[1 << 14];

static void
note_site(long call)
{
    void *frames[SITE_DEPTH + 2];
    unsigned long h = 1469598103934665603UL;
    int n, i;
    size_t slot;
    char line[320];
    int len;
    Dl_info where;
    const char *lib;

    if (in_backtrace)
        return;
    in_backtrace = 1;
    n = backtrace(frames, SITE_DEPTH + 2);
    in_backtrace = 0;
    for (i = 2; i < n; i++) /* skip note_site and alloc_should_fail */
        h = (h ^ (unsigned long)frames[i]) * 1099511628211UL;
    h |= 1;
    for (slot = h & ((1 << 14) - 1); site_seen[slot];
         slot = (slot + 1) & ((1 << 14) - 1))
        if (site_seen[slot] == h)
            return;
    site_seen[slot] = h;
    if (n < 4 || !dladdr(frames[3], &where) || !where.dli_fname)
        where.dli_fname = "?";
    lib = strrchr(where.dli_fname, '/');
    len = snprintf(line, sizeof(line), "%ld %s\n", call,
                   lib ? lib + 1 : where.dli_fname);
    if (real_write_fn(sites_fd, line, (size_t)len) != len)
        return;
}

/*
 * The sanitizer runtime calls pthread_getattr_np (which allocates) when a
 * thread starts, and stops the process with a CHECK failure if that fails:
 * its allocations are not the program's, so they neither count nor fail.
 */
static __thread int in_runtime;

int
pthread_getattr_np(pthread_t t, pthread_attr_t *attr)
{
    int (*real)(pthread_t, pthread_attr_t *);
    int rc;

    in_runtime = 1;
    real = (int (*)(pthread_t, pthread_attr_t *))dlsym(RTLD_NEXT,
                                                       "pthread_getattr_np");
    rc = real(t, attr);
    in_runtime = 0;
    return rc;
}

static int
in_arena(const void *p)
{
    return (const char *)p >= arena && (const char *)p < arena + sizeof(arena);
}

static void *
arena_alloc(size_t n)
{
    size_t at = (arena_used + 15) & ~(size_t)15;

    if (n > sizeof(arena) - at)
        return NULL;
    arena_used = at + n;
    return arena + at;
}

static void
resolve(void)
{
    resolving = 1;
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
}

/* 1 when this allocation call (kind 2 calloc, 3 realloc, 1 malloc) is the
 * one to fail. The counters are shared by every thread. */
static int
alloc_should_fail(int kind)
{
    long any, own = 0;

    if (!alloc_armed || in_runtime || in_backtrace)
        return 0;
    any = __atomic_add_fetch(&alloc_calls, 1, __ATOMIC_SEQ_CST);
    if (sites_fd >= 0)
        note_site(any);
    if (kind == 2)
        own = __atomic_add_fetch(&calloc_calls, 1, __ATOMIC_SEQ_CST);
    else if (kind == 3)
        own = __atomic_add_fetch(&realloc_calls, 1, __ATOMIC_SEQ_CST);
    if (alloc_kind == 1 ? any == alloc_target
                        : alloc_kind == kind && own == alloc_target) {
        if (getenv("COHORT_FAIL_TRACE")) {
            /* where the failure went in, for a test's diagnostics: the
             * sanitizer's symbolised trace when there is one */
            void (*san_trace)(void) = (void (*)(void))dlsym(
                RTLD_DEFAULT, "__sanitizer_print_stack_trace");
            void *frames[16];
            int n;

            if (san_trace) {
                san_trace();
                return 1;
            }
            in_backtrace = 1;
            n = backtrace(frames, 16);
            in_backtrace = 0;
            backtrace_symbols_fd(frames, n, 2);
        }
        return 1;
    }
    return 0;
}

void *
malloc(size_t n)
{
    if (!real_malloc) {
        if (resolving)
            return arena_alloc(n);
        resolve();
    }
    if (alloc_should_fail(1)) {
        errno = ENOMEM;
        return NULL;
    }
    return real_malloc(n);
}

void *
calloc(size_t k, size_t n)
{
    void *p;

    if (!real_calloc) {
        if (resolving) {
            if (n && k > (size_t)-1 / n)
                return NULL;
            p = arena_alloc(k * n); /* static, so already zero */
            return p;
        }
        resolve();
    }
    if (alloc_should_fail(2)) {
        errno = ENOMEM;
        return NULL;
    }
    return real_calloc(k, n);
}

void *
realloc(void *old, size_t n)
{
    void *p;

    if (!real_realloc) {
        if (resolving)
            return NULL;
        resolve();
    }
    if (alloc_should_fail(3)) {
        errno = ENOMEM;
        return NULL;
    }
    if (old && in_arena(old)) {
        /* an arena block's size is not kept: copy what can be there */
        size_t have = (size_t)(arena + sizeof(arena) - (char *)old);

        if ((p = real_malloc(n)) != NULL)
            memcpy(p, old, n < have ? n : have);
        return p;
    }
    return real_realloc(old, n);
}

void
free(void *p)
{
    if (!p || in_arena(p))
        return;
    if (!real_free)
        resolve();
    real_free(p);
}

static void
alloc_report(void)
{
    const char *path = getenv("COHORT_FAIL_COUNT");
    char line[96];
    int fd, len;
    ssize_t (*real_write)(int, const void *, size_t);

    if (!path)
        return;
    len = snprintf(line, sizeof(line), "malloc %ld calloc %ld realloc %ld\n",
                   alloc_calls, calloc_calls, realloc_calls);
    real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
                                                               "write");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        if (real_write(fd, line, (size_t)len) != len)
            (void)0; /* the test sees a short count file */
        close(fd);
    }
}

static int (*real_main)(int, char **, char **);

static int
armed_main(int argc, char **argv, char **envp)
{
    const char *spec = getenv("COHORT_FAIL");

    if (spec && !strncmp(spec, "malloc:", 7))
        alloc_kind = 1;
    else if (spec && !strncmp(spec, "calloc:", 7))
        alloc_kind = 2;
    else if (spec && !strncmp(spec, "realloc:", 8))
        alloc_kind = 3;
    if (alloc_kind)
        alloc_target = strtol(strchr(spec, ':') + 1, NULL, 10);
    real_write_fn = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
                                                                  "write");
    if (getenv("COHORT_FAIL_SITES")) {
        void *warm[1];

        backtrace(warm, 1); /* loads its unwinder before counting starts */
        sites_fd = open(getenv("COHORT_FAIL_SITES"),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    }
    atexit(alloc_report);
    __atomic_store_n(&alloc_armed, 1, __ATOMIC_SEQ_CST);
    return real_main(argc, argv, envp);
}

/* Wraps the C library's start so counting begins exactly at main. */
int
__libc_start_main(int (*main_fn)(int, char **, char **), int argc,
                  char **argv, void (*init)(void), void (*fini)(void),
                  void (*rtld_fini)(void), void *stack_end)
{
    int (*real)(int (*)(int, char **, char **), int, char **, void (*)(void),
                void (*)(void), void (*)(void), void *) =
        (int (*)(int (*)(int, char **, char **), int, char **, void (*)(void),
                 void (*)(void), void (*)(void), void *))
            dlsym(RTLD_NEXT, "__libc_start_main");

    real_main = main_fn;
    return real(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}
