# Running unattended: the lock names a live holder's pid and start time,
# SIGTERM and SIGINT stop a run with exit 3 and leave the previous
# publication, every log line carries the run id (text and JSON), and the
# progress line is drawn on a terminal only.
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 3000 3' "the demo key and extracts of 3 000 people"
# A housing extract of 70 000+ rows (its rows repeated verbatim: quoted
# addresses span lines, and a repeated row is the same person again), so
# a run lasts long enough to be signalled and to draw progress lines (one
# per 65 536 rows).
h=$scratch/demo/extracts/housing.csv
{
    head -n 1 "$h"
    # copies enough for 80 000 lines (rows span lines where an address is
    # quoted), whatever the size of synth's extract
    reps=$((80000 / ($(wc -l < "$h") - 1) + 1))
    k=0; while [ $k -lt $reps ]; do tail -n +2 "$h"; k=$((k + 1)); done
} > "$h.big"
mv "$h.big" "$h"
check '[ "$(wc -l < "$h")" -gt 70000 ]' "the housing extract has over 70 000 rows"
run cohort run config/demo.conf
expect_rc 0 "a first run publishes"
before=$(readlink "$scratch/demo/out/latest")
cp "$err" "$scratch/first.err"

# A run that fails (the extract shrank past max_row_change) logs why: in
# JSON, every line is one object with the run's id; in text, every line
# ends with it.
cp "$h" "$scratch/housing.keep"
head -n 1000 "$scratch/housing.keep" > "$h"
run cohort run config/demo.conf --log-format json
expect_rc 1 "a shrunken extract fails on drift (JSON log)"
check '[ -s "$err" ] && ! grep -Ev "^\{\"ts\":\"[0-9T:Z-]+\",\"run\":\"[0-9T.Z]+\",\"job\":\"demo\",\"level\":\"(error|warning|info|summary)\"(,\"[a-z]+\":(\"[^\"]*\"|[0-9]+))*,\"msg\":\".*\"\}$" "$err"' \
    "every JSON log line is an object with the run id and the job"
check 'tail -n 1 "$err" | grep -q "\"level\":\"summary\",\"exit\":1,"' \
    "the last JSON line is the summary, exit 1"
runid=$(sed -n '1s/.*"run":"\([^"]*\)".*/\1/p' "$err")
check '[ -n "$runid" ] && [ "$(grep -c "\"run\":\"$runid\"" "$err")" -eq "$(wc -l < "$err")" ]' \
    "one run id on every JSON line"
run cohort run config/demo.conf
expect_rc 1 "a shrunken extract fails on drift (text log)"
check '[ -s "$err" ] && ! grep -Ev "^cohort: (error|warning|info|summary): .* \(run [0-9T.Z]+\)$" "$err"' \
    "every text log line ends with the run id"
cp "$scratch/housing.keep" "$h"

# A live holder: the second run exits 4 and names the first's pid and
# start time. The first is paused (SIGSTOP) once its lock note is written.
start_run() {
    (cd "$scratch" && exec "$COHORT" run -q config/demo.conf) >"$scratch/bg.out" 2>"$scratch/bg.err" &
    bg=$!
    k=0
    while [ $k -lt 500 ] && ! grep -q "^pid $bg," "$scratch/demo/out/.cohort.lock" 2>/dev/null; do
        sleep 0.01; k=$((k + 1))
    done
    kill -STOP "$bg" 2>/dev/null
}
start_run
run cohort run config/demo.conf
expect_rc 4 "a second run while the first is running exits 4"
expect_err "another run holds the lock .*\(pid $bg, started [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\)" \
    "the message names the holder's pid and start time"

# SIGTERM, then SIGINT: exit 3, nothing published, no temporary left.
for sig in TERM INT; do
    [ "$sig" = INT ] && start_run
    kill -"$sig" "$bg"; kill -CONT "$bg"
    rc=0; wait "$bg" || rc=$?
    suite_log "$scratch/bg.out" "$scratch/bg.err"
    cp "$scratch/bg.err" "$err"
    expect_rc 3 "SIG$sig stops the run with exit 3"
    expect_err 'interrupted|signal' "SIG$sig: the message says why"
    check '[ "$(readlink "$scratch/demo/out/latest")" = "$before" ]' "SIG$sig: the previous publication stays"
    check '[ -z "$(find "$scratch/demo/out" -name ".tmp-*" -o -name "*.tmp")" ]' "SIG$sig: no temporary file left"
done

# Progress: redrawn in place (carriage returns, rows and MB/s) on a
# terminal; never when stderr is a file (as the first run's was).
check '! grep -q "$(printf "\r")" "$scratch/first.err" && ! grep -q "MB/s" "$scratch/first.err"' \
    "no progress line when stderr is not a terminal"
# On one reader a line per source; on several, one line for all of them.
if command -v script >/dev/null 2>&1; then
    for t in 1 2; do
        (cd "$scratch" && script -qec "'$COHORT' run config/demo.conf --accept-drift --threads $t" /dev/null) \
            > "$scratch/pty$t.out" 2>&1 </dev/null
        suite_log "$scratch/pty$t.out"
    done
    check 'tr "\r" "\n" < "$scratch/pty1.out" | grep -Eq "^housing: [0-9]+ rows, [0-9.]+ MB/s"' \
        "--threads 1 on a terminal: a progress line per source with rows and MB/s"
    check 'tr "\r" "\n" < "$scratch/pty2.out" | grep -Eq "^reading [0-9]+ sources: [0-9]+ rows, [0-9.]+ MB/s"' \
        "--threads 2 on a terminal: one progress line for the sources read together"
    for t in 1 2; do
        check '[ "$(tr -cd "\r" < "$scratch/pty$t.out" | wc -c)" -gt "$(grep -c "" "$scratch/pty$t.out")" ]' \
            "--threads $t: the progress line is redrawn in place (more carriage returns than lines)"
    done
else
    not_ok "script(1) is needed for the terminal test (util-linux)"
fi
finish
