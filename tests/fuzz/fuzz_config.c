/*
 * fuzz_config.c - libFuzzer target for the job file parser: any bytes as a
 * job file must give a plan or a CE_CONFIG diagnostic, never a crash, a
 * leak or undefined behaviour.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../app/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/cohort-fuzz-config-XXXXXX";
    struct job_plan plan;
    struct diag d;
    int fd = mkstemp(path);
    FILE *f;

    if (fd < 0)
        return 0;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(path);
        return 0;
    }
    fwrite(data, 1, size, f);
    fclose(f);
    if (job_plan_load(&plan, path, &d) == 0)
        job_plan_release(&plan);
    unlink(path);
    return 0;
}
