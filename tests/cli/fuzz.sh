# Fuzzing in make check: every libFuzzer target (CSV connector, job file,
# where parser, normalisers and validators) for CHECK_FUZZ_SECONDS each
# (default 15) under ASan and UBSan. `make fuzz` runs them longer.
cd "$COHORT_TOP" && exec sh scripts/run-fuzz "${CHECK_FUZZ_SECONDS:-15}"
