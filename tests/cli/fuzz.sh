# Fuzzing in make check: every libFuzzer target (CSV connector, job file,
# where parser, normalisers and validators) under ASan and UBSan, for
# CHECK_FUZZ_SECONDS each: 60 in CI (CI=true), 15 on a developer's machine.
# `make fuzz` runs them longer.
if [ "${CI:-}" = true ]; then secs=${CHECK_FUZZ_SECONDS:-60}; else secs=${CHECK_FUZZ_SECONDS:-15}; fi
cd "$COHORT_TOP" && exec sh scripts/run-fuzz "$secs"
