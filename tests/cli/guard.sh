# The run guards its inputs and outputs (issue 16): a FIFO or a device
# named as a source or as the key is refused, never waited on; a key file
# of another user, or in a directory others may write to, is refused
# (exit 2); SIGTERM stops a run within a second whatever it is blocked on
# -- a record that never ends, an fsync that never returns -- and leaves
# the previous publication; retention removes only the runs this program
# made; everything it writes is 0640 (directories 0750) whatever the
# umask; and its JSON log carries job, source, file, line and rule, and
# ends with a summary record with the exit code, --quiet or not.
. "$COHORT_TOP/tests/cli/lib.sh"

shim=$scratch/faultshim.so
if cc -shared -fPIC -O1 -o "$shim" "$COHORT_TOP/tests/cli/faultshim.c" -ldl 2>"$scratch/cc.err"; then
    ok "the fault-injection shim builds"
else
    sed 's/^/# /' "$scratch/cc.err"; not_ok "the fault-injection shim builds"; finish; exit 1
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
cd "$scratch"
mkdir in
"$COHORT" keygen job.key >/dev/null
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv
cat > job.conf <<'CONF'
[job]
name = guard
reference_date = 2026-10-31
periods = 3
key_file = job.key
output_dir = out
lookup = lookup.csv

[source extract]
department = housing
path = in/extract*.csv
date_format = %d/%m/%Y
field.forename = FIRST
field.surname = LAST
field.dob = DOB
field.postcode = POSTCODE
field.service = TENURE
field.start_date = START
value.service.TA = temporary_accommodation
max_field_bytes = 1073741824

[cohort ta]
where = housing.temporary_accommodation

[output files]
type = csv
retain = 2
CONF
rows() {
    printf 'FIRST,LAST,DOB,POSTCODE,TENURE,START\n'
    i=0
    while [ $i -lt 40 ]; do
        printf 'Ann%s,Smith%s,0%s/01/1990,LS20 1BY,TA,01/02/2026\n' $i $i $((i % 9 + 1))
        i=$((i + 1))
    done
}
rows > in/extract.csv
ms() { date +%s%3N; }

# ---- what it reads: FIFOs and devices refused, never waited on ----
mkfifo in/extract2.csv
t0=$(ms); run timeout 10 "$COHORT" run job.conf; t1=$(ms)
expect_rc 3 "a FIFO the glob matches is refused, exit 3"
expect_err "source 'extract' file 2: not a regular file \(a FIFO, a device or a directory\)" "the message says why"
check '[ $((t1 - t0)) -lt 5000 ]' "and the run did not wait on it ($((t1 - t0)) ms)"
rm in/extract2.csv
key_case() { # key_case WHAT RULE-REGEX: key_file = bad.key refused, exit 2
    sed 's|^key_file = .*|key_file = '"$3"'|' job.conf > k.conf
    run timeout 10 "$COHORT" run k.conf
    expect_rc 2 "$1: exit 2"
    expect_err "$2" "$1: the error says /$2/"
}
mkfifo fifo.key
key_case "a FIFO as key file" "fifo.key: the key file is not a regular file" fifo.key
key_case "a device as key file" "the key file is not a regular file" /dev/zero
mkdir kd && cp job.key kd/job.key && chmod 775 kd
key_case "a key in a group-writable directory" "in a directory its group or everyone may write to \('kd'\)" kd/job.key
chmod 1777 kd
key_case "a key in a world-writable (sticky) directory" "may write to \('kd'\)" kd/job.key
chmod 700 kd
if [ "$(id -u)" -eq 0 ]; then
    chown 65534 kd/job.key
    key_case "a key of another user" "the key file belongs to another user \(uid 65534\)" kd/job.key
else
    ok "# SKIP a key of another user (needs root to make one)"
fi

# ---- what it writes: 0640 and 0750 whatever the umask ----
run sh -c "umask 000 && exec '$COHORT' run job.conf"
expect_rc 0 "a run under umask 000 publishes"
loose=$(find out \( -type f -perm /0137 \) -o \( -type d -perm /0027 \) | head -n 5)
check '[ -z "$loose" ]' "every file it wrote is 0640 or tighter, every directory 0750${loose:+ ($loose)}"
check '[ -f out/.cohort-state ] && [ "$(stat -c %a out/.cohort-state)" = 640 ]' "the drift state too"

# ---- retention: only the runs this program made ----
mkdir -p out/runs/0_keep out/runs/20200101T000000.000Z
echo "mine" > out/runs/0_keep/notes.txt
echo "mine" > out/runs/20200101T000000.000Z/notes.txt
for k in 1 2 3; do run cohort run job.conf; done
expect_rc 0 "three more runs publish"
check '[ -f out/runs/0_keep/notes.txt ] && [ -f out/runs/20200101T000000.000Z/notes.txt ]' \
    "retention leaves an analyst's folders, even one named like a run"
check '[ "$(ls out/runs | grep -c "^20[0-9]*T[0-9]*\.[0-9]*Z$")" -eq 3 ]' \
    "it keeps the newest 2 of its own runs (and the analyst's run-shaped folder)"
check '[ -f "out/latest/.cohort-run" ]' "each run it made holds its marker"

# ---- stopping: within a second, whatever it is blocked on ----
good=$(readlink out/latest)
{ rows; printf 'Bo,'; head -c 300000000 /dev/zero | tr '\0' x; printf ',01/01/1990,LS20 1BY,TA,01/01/2026\n'; } > in/extract.csv
(exec "$COHORT" run job.conf >"$scratch/stop.out" 2>"$scratch/stop.err") &
pid=$!
sleep 1
t0=$(ms); kill -TERM $pid; wait $pid; rc=$?; t1=$(ms)
check '[ "$rc" -eq 3 ]' "SIGTERM in a record that never ends: exit 3 (got $rc)"
check '[ $((t1 - t0)) -lt 1000 ]' "it stopped within a second ($((t1 - t0)) ms)"
check 'grep -q "interrupted" "$scratch/stop.err"' "it says it was interrupted"
check '[ "$(readlink out/latest)" = "$good" ]' "the previous publication stays"
suite_log "$scratch/stop.out" "$scratch/stop.err"
rows > in/extract.csv
(COHORT_HANG=fsync LD_PRELOAD="$shim" exec "$COHORT" run job.conf >"$scratch/stop.out" 2>"$scratch/stop.err") &
pid=$!
i=0
while [ $i -lt 300 ] && ! ls -d out/runs/.tmp-* >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
t0=$(ms); kill -TERM $pid; wait $pid; rc=$?; t1=$(ms)
check '[ "$rc" -eq 3 ]' "SIGTERM in an fsync that never returns: exit 3 (got $rc)"
check '[ $((t1 - t0)) -lt 1000 ]' "the watchdog stopped it within a second ($((t1 - t0)) ms)"
check 'tail -n 1 "$scratch/stop.err" | grep -q "^cohort: summary: exit 3: interrupted"' "its last line is the summary"
check '[ "$(readlink out/latest)" = "$good" ]' "the previous publication stays"
suite_log "$scratch/stop.out" "$scratch/stop.err"
run cohort run job.conf
expect_rc 0 "the next run publishes"
check '! ls -d out/runs/.tmp-* >/dev/null 2>&1' "and removes what the stopped run staged"

# ---- the log: JSON fields and the summary record ----
run cohort run --quiet job.conf
expect_rc 0 "a quiet run publishes"
check '[ "$(wc -l < "$err")" -eq 1 ] && grep -q "^cohort: summary: exit 0: published: 1 sources, 40 rows in, 0 quarantined" "$err"' \
    "a successful --quiet run writes one summary line"
run cohort run --quiet --log-format json job.conf
check '[ "$(wc -l < "$err")" -eq 1 ] && grep -q "^{\"ts\":\"[^\"]*\",\"run\":\"[^\"]*\",\"job\":\"guard\",\"level\":\"summary\",\"exit\":0,\"msg\":\"published: " "$err"' \
    "in JSON too: level summary, the job, the exit code"
{ rows; printf 'Bo,Lee,01/01/1990,LS20 1BY,TA,01/01/2026,extra\n'; } > in/extract.csv
sed 's/^max_field_bytes = .*/max_reject_rate = 0%/' job.conf > strict.conf
run cohort run --log-format json strict.conf
expect_rc 1 "a quarantined row over a 0 % limit fails"
expect_err '"job":"guard","level":"warning","source":"extract","file":1,"line":42,"column":7,"rule":"ragged_row","msg":' \
    "the quarantined row's line carries job, source, file, line, column and rule"
expect_err '"job":"guard","level":"error","source":"extract","rule":"max_reject_rate","msg":' \
    "the policy error carries the source and the rule"
check 'tail -n 1 "$err" | grep -q "\"level\":\"summary\",\"exit\":1,"' "the last line is the summary with exit 1"
check '! grep -v "^{.*}$" "$err" | grep -q .' "every line is one JSON object"
printf '[job]\nname = broken\nperiods = 0\n' > broken.conf
run cohort run --log-format json broken.conf
expect_rc 2 "a bad job file exits 2"
expect_err '"level":"error","line":3,"where":"broken.conf","msg":' "its error carries the file and the line"
check 'tail -n 1 "$err" | grep -q "\"level\":\"summary\",\"exit\":2,"' "and a summary"
finish
