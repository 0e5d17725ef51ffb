#include "disclosure_check.h"
#include "disclosure.h"

int
disclosure_check(const struct count_table *t, const struct disclosure_plan *dp,
                 int threads, struct diag *d)
{
    uint64_t published = 0;
    size_t i, weak;
    int p, rc;

    for (i = 0; i < (size_t)t->nperiods * t->ncells_per_period; i++)
        published += t->cells[i].status != CELL_SUPPRESSED &&
                     t->cells[i].status != CELL_SECONDARY;
    if ((rc = disclosure_audit(t, dp, threads, &p, &weak)) < 0) {
        diag_set(d, NULL, 0, 0, "disclosure",
                 rc == CE_NOMEM ? "out of memory"
                                : "the attacker's linear program failed");
        return rc == CE_NOMEM ? CE_NOMEM : CE_INTERNAL;
    }
    if (p >= 0) {
        diag_set(d, NULL, 0, 0, "protection_level",
                 "the table cannot be protected: a suppressed cell "
                 "(period %d) can still be narrowed to fewer than "
                 "%d values from the published ones", p + 1,
                 dp->protection_level);
        return CE_DATA;
    }
    if (!published) {
        diag_set(d, NULL, 0, 0, "all_suppressed",
                 "the table cannot be protected: every cell, the grand "
                 "total included, would be suppressed");
        return CE_DATA;
    }
    return 0;
}
