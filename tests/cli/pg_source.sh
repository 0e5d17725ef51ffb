# The PostgreSQL source: a department's extract read from a real, throwaway
# server must publish exactly the tables the CSV extract does, and a
# backend killed mid-stream exits 3 with the previous publication intact.
. "$COHORT_TOP/tests/cli/lib.sh"

pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cohort-pg.XXXXXX")
trap 'sh "$COHORT_TOP/scripts/pg-cluster" stop "$pgdir"; rm -rf "$scratch"' EXIT INT TERM
if ! conn=$(sh "$COHORT_TOP/scripts/pg-cluster" start "$pgdir" 2>"$scratch/pg.err"); then
    sed 's/^/# /' "$scratch/pg.err"
    not_ok "a throwaway PostgreSQL cluster starts"
    finish
    exit 1
fi
ok "a throwaway PostgreSQL cluster starts"
q() { psql "$conn" -X -A -t -q -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

check 'demo_fixture 3000 3' "the demo key and extracts of 3 000 people"
cols=$(head -n 1 "$scratch/demo/extracts/children_social_care.csv" | sed 's/[^,]*/"&" text/g')
q "create table csc_extract ($cols)" >/dev/null
check 'psql "$conn" -X -q -c "\\copy csc_extract from '"'$scratch/demo/extracts/children_social_care.csv'"' csv header" >/dev/null 2>&1' \
    "the children's extract loads into PostgreSQL"

# The same job twice: children from CSV, then from PostgreSQL.
sed 's|^output_dir .*|output_dir = demo/out_csv|' config/demo.conf > "$scratch/csv.conf"
awk -v conn="$conn" '
    /^path *= demo\/extracts\/children_social_care.csv/ {
        print "format = postgres"; print "conninfo = " conn; print "table = csc_extract"; next }
    { print }' config/demo.conf | sed 's|^output_dir .*|output_dir = demo/out_pg|' > "$scratch/pg.conf"
run cohort run csv.conf
expect_rc 0 "the all-CSV job publishes"
run cohort run pg.conf
expect_rc 0 "the job with children's social care from PostgreSQL publishes"
expect_out '^source children: [1-9][0-9]* rows in' "the PostgreSQL source reports its rows"
same=1
for f in "$scratch"/demo/out_csv/latest/*.csv; do
    b=$(basename "$f")
    [ "$b" = quality.csv ] && continue
    if [ "$b" = quarantine.csv ]; then
        # Its file columns name the source (a database has no file
        # position or hash) rather than a CSV file's position and hash;
        # every other column (source, line, column, reason) must agree.
        cut -d, -f1,4- "$f" > "$scratch/q_csv"
        cut -d, -f1,4- "$scratch/demo/out_pg/latest/$b" > "$scratch/q_pg"
        cmp -s "$scratch/q_csv" "$scratch/q_pg" || { echo "# $b differs beyond its file columns"; same=0; }
        continue
    fi
    cmp -s "$f" "$scratch/demo/out_pg/latest/$b" || { echo "# $b differs"; same=0; }
done
check '[ "$same" -eq 1 ]' "PostgreSQL and CSV sources publish byte-identical tables"
check 'grep -q "^children,rows_in,$(($(wc -l < "$scratch/demo/extracts/children_social_care.csv") - 1))$" "$scratch/demo/out_pg/latest/quality.csv"' \
    "every database row was read"

# A missing table and a query past its statement_timeout: exit 3, named.
sed 's/^table = csc_extract/table = no_such_table/' "$scratch/pg.conf" > "$scratch/missing.conf"
run cohort run missing.conf
expect_rc 3 "a missing table exits 3"
expect_err 'children: the source query failed \(42P01\)' "the error names the source and the SQLSTATE"
awk '/^table = csc_extract/ { print "query = select c.* from csc_extract c, pg_sleep(3)"; print "statement_timeout = 1"; next } { print }' \
    "$scratch/pg.conf" > "$scratch/slow.conf"
run cohort run slow.conf
expect_rc 3 "a query past statement_timeout exits 3"
expect_err 'children:.*statement_timeout.*57014' "the timeout is named (SQLSTATE 57014)"
check '! grep -q "password" "$err"' "no connection secret in the message"

# A query whose columns differ only in case ("SERVICE" and service): two
# columns to PostgreSQL, one name to a mapping -- exit 1, both named.
awk '/^table = csc_extract/ { print "query = select c.*, c.\"SERVICE\" as service from csc_extract c"; next } { print }' \
    "$scratch/pg.conf" > "$scratch/dupcol.conf"
before=$(readlink "$scratch/demo/out_pg/latest")
run cohort run dupcol.conf
expect_rc 1 "a query with SERVICE and service exits 1"
expect_err "children:1: columns [0-9]+ 'SERVICE' and [0-9]+ 'service' have the same name.*\[duplicate_column\]" \
    "the error names the source and both columns"
check '[ "$(readlink "$scratch/demo/out_pg/latest")" = "$before" ]' "nothing is published"
run cohort check dupcol.conf
expect_rc 1 "check: the duplicate columns exit 1"
expect_err "columns [0-9]+ 'SERVICE' and [0-9]+ 'service' have the same name" "check reports them"

# A backend terminated mid-stream: exit 3, the previous publication stays.
q "create table big as select c.* from csc_extract c, generate_series(1, 4000)" >/dev/null
sed 's/^table = csc_extract/table = big/; s/^max_reject_rate.*//' "$scratch/pg.conf" > "$scratch/big.conf"
before=$(readlink "$scratch/demo/out_pg/latest")
(cd "$scratch" && "$COHORT" run big.conf >"$scratch/big.out" 2>"$scratch/big.err"; echo $? > "$scratch/big.rc") &
i=0
while [ ! -s "$scratch/big.rc" ] && [ $i -lt 300 ]; do
    q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'cohort' and state = 'active'" >/dev/null
    sleep 0.1; i=$((i + 1))
done
wait
rc=$(cat "$scratch/big.rc"); cp "$scratch/big.err" "$err"
suite_log "$scratch/big.out" "$scratch/big.err"
expect_rc 3 "a terminated backend mid-stream exits 3"
expect_err 'children.*(connection|57P01)' "the error names the source and the SQLSTATE"
check '[ "$(readlink "$scratch/demo/out_pg/latest")" = "$before" ]' "the previous publication is intact"
finish
