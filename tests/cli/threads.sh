# Threads: sources are read in parallel (each pass, app/job_read.c) and
# disclosure control protects periods in parallel. Whatever the thread
# count the run must be the one of --threads 1: every published file
# (manifest and report with the run id and times blanked), the summary on
# stdout, the log on stderr and the exit code -- of a good run and of a run
# where two sources fail -- and ThreadSanitizer must find no race (a TSan
# build of cohort is made for this test). Without the long checks (make
# soak, CI) the runs are the same, of $COHORT (ASan and UBSan in make
# check) instead of a TSan build.
. "$COHORT_TOP/tests/cli/lib.sh"

if soak; then
    tsan=$COHORT_BUILD/tsan
    if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$COHORT_TOP" BUILD="$tsan" CFLAGS="-O1 -g -fsanitize=thread" \
            LDFLAGS="-fsanitize=thread" EXTRA_CFLAGS= WERROR= all >"$scratch/build.log" 2>&1; then
        ok "a ThreadSanitizer build of cohort"
    else
        sed 's/^/# /' "$scratch/build.log" | tail -n 20
        not_ok "a ThreadSanitizer build of cohort"
        finish; exit 1
    fi
    cohort_bin=$tsan/cohort
    under="under ThreadSanitizer"
else
    ok "a ThreadSanitizer build of cohort # SKIP the TSan build runs in make soak and CI"
    cohort_bin=$COHORT
    under="(no TSan: make soak)"
fi
# seed 9: its children_with_ehcp table has secondary suppression to compare
check 'demo_fixture 20000 9' "the demo key and extracts of 20 000 people"

# what a run leaves, with what differs from run to run blanked: the run id,
# times, stage seconds, and the manifest's line for report.html (its size
# and hash follow the times)
blank() {
    sed -E -e 's/[0-9]{8}T[0-9]{6}\.[0-9]{3}Z/RUN/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
        -e '/"name": "report.html"/d' -e '/^seconds: /d' -e '/^cpu seconds: /d' "$@"
}
outcome() {
    echo "== exit $(cat "$1/rc")"
    echo "== stdout"; blank "$1/stdout"
    echo "== stderr"; blank "$1/stderr"
    [ -d "$1/demo/out/latest" ] || return 0
    for f in $(cd "$1/demo/out/latest" && ls); do
        echo "== $f"; blank "$1/demo/out/latest/$f"
    done
}
# one directory per thread count with the same job file, output directory
# and extracts: the plan hash and every path in the outputs are the same
job_in() {
    rm -rf "$1"; mkdir -p "$1/demo"
    ln -s "$COHORT_TOP/config" "$1/config"
    ln -s "$scratch/demo/demo.key" "$1/demo/demo.key"
    ln -s "$2" "$1/demo/extracts"
}
run_in() {
    rc=0
    (cd "$1" && TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$cohort_bin" run --threads "$2" config/demo.conf) \
        >"$1/stdout" 2>"$1/stderr" || rc=$?
    echo "$rc" >"$1/rc"
    suite_log "$1/stdout" "$1/stderr"
}

for t in 1 2 4; do
    job_in "$scratch/t$t" "$scratch/demo/extracts"
    run_in "$scratch/t$t" $t
    expect_rc 0 "--threads $t publishes $under"
    check '! grep -Eq "Sanitizer|runtime error" "$scratch/t$t/stderr"' "--threads $t: no data race or other sanitizer report"
    outcome "$scratch/t$t" >"$scratch/t$t.outcome"
done
check '[ "$(grep -c "^== " "$scratch/t1.outcome")" -ge 11 ]' \
    "the comparison covers the exit code, stdout, stderr and every published file"
check 'grep -Eq "^cohort children_with_ehcp: .* [1-9][0-9]* secondary" "$scratch/t1/stdout"' "the comparison covers secondary suppression"
check 'grep -Eq "id scope csc: [1-9][0-9]* ids carry two dates of birth" "$scratch/t1/stderr"' \
    "the comparison covers scope conflict counts (events read on threads)"
for t in 2 4; do
    check 'cmp -s "$scratch/t1.outcome" "$scratch/t$t.outcome"' "--threads $t: the run is byte-identical to --threads 1"
    cmp -s "$scratch/t1.outcome" "$scratch/t$t.outcome" ||
        diff "$scratch/t1.outcome" "$scratch/t$t.outcome" | head -n 10 | sed 's/^/# /'
done

# Two sources fail: a gzip cut short (adults, read in the first pass) and a
# policy breach (pupils, after it in the job file). The first in read order
# decides the message and the exit code, and nothing of a later source's
# log or summary shows, as with one reader.
mkdir "$scratch/bad"
for f in "$scratch"/demo/extracts/*; do ln -s "$f" "$scratch/bad/$(basename "$f")"; done
rm "$scratch/bad/adult_social_care.csv.gz" "$scratch/bad/education.csv"
head -c 15000 "$scratch/demo/extracts/adult_social_care.csv.gz" >"$scratch/bad/adult_social_care.csv.gz"
awk 'NR > 1 && NR % 3 == 0 { print $0 ",x,y"; next } { print }' \
    "$scratch/demo/extracts/education.csv" >"$scratch/bad/education.csv"
for t in 1 2 4; do
    job_in "$scratch/b$t" "$scratch/bad"
    run_in "$scratch/b$t" $t
    check '! grep -Eq "Sanitizer|runtime error" "$scratch/b$t/stderr"' "two failing sources, --threads $t: no data race or other sanitizer report"
    outcome "$scratch/b$t" >"$scratch/b$t.outcome"
done
rc=$(cat "$scratch/b1/rc")
expect_rc 1 "two failing sources: the run fails (--threads 1)"
check 'grep -q "source .adults. file 1:.*truncated gzip" "$scratch/b1/stderr" && ! grep -q "pupils" "$scratch/b1/stderr" "$scratch/b1/stdout"' \
    "the first failing source in read order is the one named"
for t in 2 4; do
    check 'cmp -s "$scratch/b1.outcome" "$scratch/b$t.outcome"' "two failing sources, --threads $t: exit code, stdout and stderr as with --threads 1"
    cmp -s "$scratch/b1.outcome" "$scratch/b$t.outcome" ||
        diff "$scratch/b1.outcome" "$scratch/b$t.outcome" | head -n 10 | sed 's/^/# /'
done
finish
