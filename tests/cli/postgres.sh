# The PostgreSQL publisher against a real, throwaway server (scripts/
# pg-cluster: initdb in a temp dir, Unix socket only), stopped and removed
# at the end even on failure.
. "$COHORT_TOP/tests/cli/lib.sh"

pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cohort-pg.XXXXXX")
trap 'sh "$COHORT_TOP/scripts/pg-cluster" stop "$pgdir"; rm -rf "$scratch"' EXIT INT TERM
if ! conn=$(sh "$COHORT_TOP/scripts/pg-cluster" start "$pgdir" 2>"$scratch/pg.err"); then
    cat "$scratch/pg.err" | sed 's/^/# /'
    not_ok "a throwaway PostgreSQL cluster starts"
    finish
    exit 1
fi
ok "a throwaway PostgreSQL cluster starts"
q() { psql "$conn" -X -A -t -q -c "$1" 2>&1; }

check 'demo_fixture 3000 3' "the demo key and extracts of 3 000 people"
cat config/demo.conf > "$scratch/pg.conf"
printf '\n[output warehouse]\ntype = postgres\nconninfo = %s\nschema = cohorts\n' "$conn" >> "$scratch/pg.conf"

run cohort run pg.conf
expect_rc 0 "run publishes to PostgreSQL and files"
check '[ "$(q "select count(*) from cohorts.runs")" = 1 ]' "one row in runs"
for t in children_in_ta_known_to_csc adults_long_term_support children_with_ehcp; do
    rows=$(q "select count(*) from cohorts.$t")
    csv=$(($(wc -l < "$scratch/demo/out/latest/$t.csv") - 1))
    check '[ "$rows" = "$csv" ]' "$t: the database has the CSV's rows ($rows)"
done
check '[ "$(q "select count(*) from cohorts.children_with_ehcp where symbol = '"'[c]'"' and count is not null")" = 0 ]' \
    "hidden cells are NULL in the database"
check '[ "$(q "select count(*) from cohorts.children_with_ehcp where symbol = '"'[c]'"'")" -gt 0 ]' \
    "the table has hidden cells to check"
check '[ "$(q "select count(*) from cohorts.children_with_ehcp where (symbol is null) <> (count is not null)")" = 0 ]' \
    "every cell has a count or the symbol [c], never both"
check '[ "$(q "select count(*) from information_schema.columns where table_schema = '"'cohorts'"' and column_name = '"'status'"'")" = 0 ]' \
    "no cohort table has a per-cell status column"
# margin: true exactly on the Total rows, so WHERE NOT margin sums detail
check '[ "$(q "select count(*) from cohorts.children_with_ehcp where margin <> (age_band = '"'Total'"' or sex = '"'Total'"' or ethnicity = '"'Total'"')")" = 0 ] && [ "$(q "select count(*) from cohorts.children_with_ehcp where not margin")" -gt 0 ]' \
    "the margin column is true exactly on the Total rows"
check '[ "$(q "select count(*) from cohorts.adults_long_term_support where symbol = '"'[z]'"' and age_band <> '"'Total'"'")" -gt 0 ] && [ "$(q "select count(*) from cohorts.adults_long_term_support where symbol = '"'[z]'"' and count is not null")" = 0 ]' \
    "an age band outside the cohort's age condition is [z] (count NULL), never 0"
check '[ "$(q "select count(*) from cohorts.children_with_ehcp c join (select period, count(*) n from cohorts.children_with_ehcp where symbol is null group by period) p using (period)")" -gt 0 ] && [ "$(q "select count(*) from cohorts.quality where measure = '"'ids'"' and value % 5 <> 0")" = 0 ]' \
    "quality's id counts are published rounded like the tables"
check 'q "select obj_description('"'cohorts.children_with_ehcp'::regclass"')" | grep -q "EHC plan"' \
    "the table has a COMMENT with its title"
check 'q "select col_description(attrelid, attnum) from pg_attribute where attrelid = '"'cohorts.children_with_ehcp'::regclass"' and attname = '"'count'"'" | grep -q "NULL when withheld"' \
    "the count column has a COMMENT"
first_run=$(q "select run_id from cohorts.runs")
check '[ "$(q "select string_agg(distinct run_id, '"','"') from cohorts.children_with_ehcp")" = "$first_run" ]' \
    "every row of a cohort table carries the run's id"

# A failure inside the transaction, after every cohort table had its new
# rows (linkage is written last), leaves the previous tables untouched.
before=$(readlink "$scratch/demo/out/latest")
q 'alter table cohorts.linkage add constraint refuse_rows check (false) not valid' >/dev/null
run cohort run pg.conf
expect_rc 3 "a database failure mid-publication exits 3"
expect_err 'SQLSTATE 23514' "the error names the SQLSTATE"
expect_err 'previous publication stays' "the error says the previous publication stays"
check '[ "$(q "select count(*) from cohorts.runs")" = 1 ]' "no run row added"
check '[ "$(q "select string_agg(distinct run_id, '"','"') from cohorts.children_in_ta_known_to_csc")" = "$first_run" ]' \
    "the cohort tables are still the previous run's"
check '[ "$(readlink "$scratch/demo/out/latest")" = "$before" ] && ! ls "$scratch"/demo/out/runs/.tmp-* >/dev/null 2>&1 && [ ! -e "$scratch/demo/out/.pending-run" ]' \
    "the files publication did not move either, and nothing is left staged"
q 'alter table cohorts.linkage drop constraint refuse_rows' >/dev/null

t0=$(date +%s%3N)
run cohort run pg.conf
dur=$(( $(date +%s%3N) - t0 ))
expect_rc 0 "the next run publishes again"
check '[ "$(q "select count(*) from cohorts.runs")" = 2 ]' "two rows in runs"

# The publishing connection killed mid-transaction (while it waits for a
# lock a reader holds): exit 3, the previous publication intact.
runs_before=$(q "select count(*) from cohorts.runs")
# (SHARE mode: a reader's plain SELECT never blocks the publisher, which
# replaces rows; a LOCK ... IN SHARE MODE does.)
psql "$conn" -X -q -c "begin; lock table cohorts.children_with_ehcp in share mode; select pg_sleep(20)" >/dev/null 2>&1 &
locker=$!
sleep 0.5
(cd "$scratch" && "$COHORT" run pg.conf >"$scratch/kill.out" 2>"$scratch/kill.err"; echo $? > "$scratch/kill.rc") &
i=0
while [ ! -s "$scratch/kill.rc" ] && [ $i -lt 200 ]; do
    q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'cohort' and wait_event_type = 'Lock'" >/dev/null
    sleep 0.1; i=$((i + 1))
done
wait "$!" 2>/dev/null
q "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid()" >/dev/null
wait "$locker" 2>/dev/null
rc=$(cat "$scratch/kill.rc"); cp "$scratch/kill.err" "$err"
suite_log "$scratch/kill.out" "$scratch/kill.err"
expect_rc 3 "a publishing connection killed mid-transaction exits 3"
check '[ "$(q "select count(*) from cohorts.runs")" = "$runs_before" ]' "the killed run left no run row"
check 'q "select count(*) from cohorts.children_with_ehcp" | grep -q "^[1-9]"' "the previous tables are intact"

# kill -9 at 15 moments (4 without the long checks: make soak, CI) spread
# over a run publishing to PostgreSQL: every cohort table always carries
# the run id of the newest runs row (one run's tables, never a mix), and
# the database is never left half-published.
if soak; then kills=15; else kills=4; fi
bad=0; i=0
while [ $i -lt $kills ]; do
    (cd "$scratch" && exec "$COHORT" run -q pg.conf >/dev/null 2>&1) &
    pid=$!
    # moment i of n, spread evenly over a run's duration, the later half
    # (publishing) twice as densely as the first
    m=$(( (i * 37) % kills ))
    wait_ms=$(( dur * (kills + m) / (2 * kills) ))
    [ $((i % 3)) -eq 0 ] && wait_ms=$(( dur * m / kills ))
    sleep "$((wait_ms / 1000)).$(printf %03d $((wait_ms % 1000)))"
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    sleep 0.2 # the server notices the dead client and rolls back
    latest=$(q "select run_id from cohorts.runs order by run_id desc limit 1")
    for t in children_in_ta_known_to_csc adults_long_term_support children_with_ehcp quality linkage; do
        [ "$(q "select string_agg(distinct run_id, ',') from cohorts.$t")" = "$latest" ] ||
            { echo "# kill $i: $t is not from run $latest"; bad=1; }
    done
    i=$((i + 1))
done
check '[ "$bad" -eq 0 ]' "after $kills kill -9s over a ${dur} ms run every table belongs to the newest recorded run"

# Privacy: nothing from the extracts' identifiers in the database.
pg_dump -d "$conn" -n cohorts > "$scratch/dump.sql" 2>/dev/null
awk -F, 'NR > 1 { if ($4 != "") print $4; if ($5 != "") print $5; if ($9 != "") print $9 }' \
    "$scratch/demo/extracts/truth_SYNTHETIC_IDENTIFIERS.csv" | sort -u > "$scratch/ids"
check '[ -s "$scratch/dump.sql" ] && ! grep -F -q -f "$scratch/ids" "$scratch/dump.sql"' \
    "no NHS number, UPN or postcode in the database"

# A dead server: exit 3, nothing published.
sh "$COHORT_TOP/scripts/pg-cluster" stop "$pgdir"
run cohort run pg.conf
expect_rc 3 "an unreachable database exits 3"
expect_err 'cannot connect' "the error says it cannot connect"
finish
