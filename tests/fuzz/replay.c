/*
 * replay.c - a driver for the libFuzzer targets without libFuzzer, for
 * make check. Linked with one tests/fuzz/fuzz_*.c and the library as the
 * build made it (ASan and UBSan in make check, any compiler), it runs the
 * target on every file named (the seed corpus and the crash regressions
 * of tests/data/fuzz/), then on deterministic mutations of them for the
 * time given: bit flips, bytes set to random or to delimiter-like values,
 * insertions, deletions, a run repeated, the tail of another input spliced
 * on. It has no coverage feedback: it is the short version of the fuzzing
 * that `make soak` and CI run under libFuzzer (scripts/run-fuzz), cheap
 * enough to exercise every target in every make check.
 *
 *     fuzz_csv -t MILLISECONDS -s SEED -o CRASHFILE FILE...
 *
 * When a run ends in a sanitizer report (the sanitizers' death callback)
 * or a fatal signal (abort, segfault ...), the input it ran is written to
 * CRASHFILE, to be added to tests/data/fuzz/NAME/. Prints one line: how
 * many inputs and mutations ran. Exits 0, or 2 on a usage or I/O error; a
 * crash ends the process the way the sanitizer or the signal ends it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* In the sanitizer runtimes when linked with one (weak: absent without). */
void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

#define REPLAY_MAX_LEN 65536 /* as scripts/run-fuzz's -max_len */
#define REPLAY_MAX_INPUTS 1024

struct input {
    uint8_t *data;
    size_t len;
};

static const char *crash_path;

/* xorshift64*: the same seed, the same mutations on every machine */
static uint64_t rng_state;

static uint64_t
rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t
rng_below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
read_input(const char *path, struct input *in)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096;

    if (!f)
        return -1;
    in->data = malloc(cap);
    in->len = 0;
    while (in->data) {
        size_t got = fread(in->data + in->len, 1, cap - in->len, f);

        in->len += got;
        if (in->len < cap || in->len >= REPLAY_MAX_LEN)
            break;
        cap *= 2;
        {
            uint8_t *p = realloc(in->data, cap);

            if (!p) {
                free(in->data);
                in->data = NULL;
            } else {
                in->data = p;
            }
        }
    }
    fclose(f);
    if (!in->data)
        return -1;
    if (in->len > REPLAY_MAX_LEN)
        in->len = REPLAY_MAX_LEN;
    return 0;
}

/* The input being run, for save_input() when the run dies. */
static const uint8_t *volatile current_data;
static volatile size_t current_len;

/* Writes the current input to CRASHFILE: async-signal-safe calls only. */
static void
save_input(void)
{
    int fd;
    size_t off = 0;

    if (!current_data)
        return;
    fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    while (off < current_len) {
        ssize_t w = write(fd, current_data + off, current_len - off);

        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    current_data = NULL;
}

static void
on_signal(int sig)
{
    save_input();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
run_one(const uint8_t *data, size_t len)
{
    current_data = data;
    current_len = len;
    LLVMFuzzerTestOneInput(data, len);
    current_data = NULL;
}

/* One to four mutations of buf (len bytes, room for REPLAY_MAX_LEN) in
 * place; returns the new length. */
static size_t
mutate(uint8_t *buf, size_t len, const struct input *inputs, size_t ninputs)
{
    static const uint8_t special[] = {0,    0xff, 0x80, 0xc3, 0xef, '"',
                                      ',',  ';',  '\t', '\n', '\r', ' ',
                                      '(',  ')',  '=',  '[',  ']',  '.',
                                      '0',  '9',  '-',  '/',  'a',  '%'};
    int k, n = 1 + (int)rng_below(4);

    for (k = 0; k < n; k++) {
        size_t at = rng_below(len + 1), span;

        switch (rng_below(8)) {
        case 0: /* flip a bit */
            if (len)
                buf[rng_below(len)] ^= (uint8_t)(1u << rng_below(8));
            break;
        case 1: /* a random byte */
            if (len)
                buf[rng_below(len)] = (uint8_t)rng();
            break;
        case 2: /* a delimiter-like byte */
            if (len)
                buf[rng_below(len)] = special[rng_below(sizeof(special))];
            break;
        case 3: /* insert a few bytes */
            span = 1 + rng_below(8);
            if (len + span <= REPLAY_MAX_LEN) {
                size_t i;

                memmove(buf + at + span, buf + at, len - at);
                for (i = 0; i < span; i++)
                    buf[at + i] = rng_below(2)
                                      ? special[rng_below(sizeof(special))]
                                      : (uint8_t)rng();
                len += span;
            }
            break;
        case 4: /* delete a range */
            if (at < len) {
                span = 1 + rng_below(len - at < 64 ? len - at : 64);
                memmove(buf + at, buf + at + span, len - at - span);
                len -= span;
            }
            break;
        case 5: /* repeat a range */
            if (at < len) {
                span = 1 + rng_below(len - at < 256 ? len - at : 256);
                if (len + span <= REPLAY_MAX_LEN) {
                    memmove(buf + at + span, buf + at, len - at);
                    len += span;
                }
            }
            break;
        case 6: { /* splice: this input's head, another's tail */
            const struct input *o = &inputs[rng_below(ninputs)];
            size_t from = rng_below(o->len + 1);

            span = o->len - from;
            if (at + span > REPLAY_MAX_LEN)
                span = REPLAY_MAX_LEN - at;
            memcpy(buf + at, o->data + from, span);
            len = at + span;
            break;
        }
        default: /* cut the end off */
            len = at;
            break;
        }
    }
    return len;
}

int
main(int argc, char **argv)
{
    struct input inputs[REPLAY_MAX_INPUTS];
    size_t ninputs = 0, i;
    unsigned long long mutations = 0;
    double budget = 0, start;
    uint8_t *buf;
    int opt;

    rng_state = 1;
    while ((opt = getopt(argc, argv, "t:s:o:")) != -1) {
        switch (opt) {
        case 't':
            budget = strtod(optarg, NULL);
            break;
        case 's':
            rng_state = strtoull(optarg, NULL, 10) * 2 + 1;
            break;
        case 'o':
            crash_path = optarg;
            break;
        default:
            goto usage;
        }
    }
    if (!crash_path || optind >= argc)
        goto usage;
    for (i = (size_t)optind; i < (size_t)argc && ninputs < REPLAY_MAX_INPUTS;
         i++) {
        if (read_input(argv[i], &inputs[ninputs]) < 0) {
            perror(argv[i]);
            return 2;
        }
        ninputs++;
    }
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(save_input);
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
    unlink(crash_path);
    /* the corpus itself first, in the order given */
    for (i = 0; i < ninputs; i++)
        run_one(inputs[i].data, inputs[i].len);
    buf = malloc(REPLAY_MAX_LEN);
    if (!buf)
        return 2;
    start = now_ms();
    while (now_ms() - start < budget) {
        const struct input *in = &inputs[rng_below(ninputs)];
        size_t len = in->len;

        memcpy(buf, in->data, len);
        len = mutate(buf, len, inputs, ninputs);
        run_one(buf, len);
        mutations++;
    }
    free(buf);
    for (i = 0; i < ninputs; i++)
        free(inputs[i].data);
    printf("%zu inputs and %llu mutations, no crash\n", ninputs, mutations);
    return 0;
usage:
    fprintf(stderr, "usage: %s -t MILLISECONDS [-s SEED] -o CRASHFILE FILE...\n",
            argv[0]);
    return 2;
}
