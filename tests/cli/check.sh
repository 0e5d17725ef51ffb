# `cohort check` predicts the run (issue 16): whatever run would refuse
# that can be seen without running it fails check too, with the run's
# exit code -- a reject rate over the limit in the first rows (reasons and
# columns named), an empty extract, an output it cannot reach (libpq's
# reason, against a throwaway PostgreSQL server), a source that moved past
# the drift guard -- and a missing extract shows the glob tried, a renamed
# column the header's nearest name. Unmapped values stay unnamed. The
# PostgreSQL source reports libpq's reason and sends notices to the log
# without their words.
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
q() { psql "$conn" -X -A -t -q -c "$1" 2>&1; }

cd "$scratch"
mkdir in
"$COHORT" keygen job.key >/dev/null
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv
job() { # job [EXTRA-SOURCE-LINES...]
    cat <<CONF
[job]
name = chk
reference_date = 2026-10-31
periods = 3
key_file = job.key
output_dir = out
lookup = lookup.csv

[source housing]
department = housing
path = in/housing_*.csv
date_format = %d/%m/%Y
field.forename = FIRST
field.surname = LAST
field.dob = DOB
field.postcode = POSTCODE
field.service = TENURE
field.start_date = START
value.service.TA = temporary_accommodation
CONF
    printf '%s\n' "$@"
    printf '\n[cohort ta]\nwhere = housing.temporary_accommodation\n'
}
rows() { # rows N [START]: a header and N rows
    printf 'FIRST,LAST,DOB,POSTCODE,TENURE,START\n'
    i=0
    while [ "$i" -lt "$1" ]; do
        printf 'Ann%s,Smith%s,0%s/01/1990,LS20 1BY,TA,%s\n' "$i" "$i" $((i % 9 + 1)) "${2:-01/02/2026}"
        i=$((i + 1))
    done
}
job > job.conf
rows 30 > in/housing_1.csv
run cohort check job.conf
expect_rc 0 "a good extract passes"
expect_out "^check: ok" "check says ok"

# A reject rate over the limit in the first rows fails check, as it
# fails the run: the reasons and the columns named.
{ rows 20; rows 5 2026-13-45 | tail -n +2; } > in/housing_1.csv
run cohort check job.conf
expect_rc 1 "20 % quarantined against a 5 % limit: check fails, exit 1"
expect_err "housing: 5 of the first 25 rows are quarantined \(20.00%\), over max_reject_rate 5.00%: bad_start_date 5 \(column 6 'START'\) \[max_reject_rate\]" \
    "the error names the rate, the limit, the reason and the column"
expect_out "^check: FAILED" "check says FAILED"
run cohort run job.conf
expect_rc 1 "and the run fails the same way"

# An empty extract fails check and run, unless may_be_empty says so.
rows 0 > in/housing_1.csv
run cohort check job.conf
expect_rc 1 "a header-only extract fails check"
expect_err "housing: the extract has a header but no rows.*\[empty_extract\]" "with its own reason"
job 'may_be_empty = yes' > empty_ok.conf
run cohort check empty_ok.conf
expect_rc 0 "may_be_empty = yes: a header-only extract passes"
# ... and the run agrees: a first run, --accept-drift or not, fails on a
# header-only extract; with may_be_empty it publishes, and the drift guard
# then checks the way back from 0 rows
sed -i 's/^output_dir = out$/output_dir = out0/' empty_ok.conf
sed 's/^output_dir = out$/output_dir = out0/' job.conf > empty.conf
run cohort run empty.conf
expect_rc 1 "run: a header-only extract on a first run exits 1"
expect_err "\[empty_extract\]" "with its own reason"
run cohort run empty.conf --accept-drift
expect_rc 1 "and with --accept-drift"
check '[ ! -e out0/latest ]' "nothing was published"
run cohort run empty_ok.conf
expect_rc 0 "may_be_empty = yes: the header-only extract publishes"
rows 30 > in/housing_1.csv
run cohort run empty_ok.conf
expect_rc 1 "from 0 rows to 30: the drift guard fails the run"
expect_err "housing: rows in moved from 0 to 30 since the last published run" "and names the change"
run cohort run empty_ok.conf --accept-drift
expect_rc 0 "--accept-drift publishes it"
rows 0 > in/housing_1.csv

# The glob tried; a literal path is a file name and is not printed.
rm in/housing_1.csv
run cohort check job.conf
expect_rc 3 "a missing extract: exit 3, as the run"
expect_err "housing: no file matches the source's path 'in/housing_\*\.csv'" "the message shows the glob tried"
sed 's|^path = .*|path = in/Ann_Smith_1990.csv|' job.conf > literal.conf
run cohort check literal.conf
expect_no_err "Ann_Smith" "a path without a wildcard is not printed (it may be a person's name)"

# A renamed column: the header's nearest plain name is suggested.
rows 30 | sed '1s/TENURE/TENURE_CODE/' > in/housing_1.csv
run cohort check job.conf
expect_rc 1 "a mapped column missing fails check"
expect_err "job.conf:17: \[source housing\] field.service: column 'TENURE' is not in the header \(did you mean 'TENURE_CODE'\?\)" \
    "check suggests TENURE_CODE for TENURE"
run cohort run job.conf
expect_rc 1 "the run fails on it too"
expect_err "mapped column 'TENURE' \(field.service\) is not in the header \(did you mean 'TENURE_CODE'\?\)" \
    "and suggests the same name"
rows 30 | sed '1s/TENURE/Jo Bloggs (tenure)/' > in/housing_1.csv
run cohort check job.conf
expect_no_err "Bloggs" "a header name that is not plain is never suggested"

# Unmapped values stay unnamed in check (the privacy rule of the README).
{ rows 30; printf 'Bo,Lee,01/01/1990,LS20 1BY,TA2,01/02/2026\n'; } > in/housing_1.csv
job 'max_reject_rate = 50%' > lax.conf
run cohort check lax.conf
expect_rc 0 "one unmapped code under a lax limit passes"
expect_out "unmapped codes: service=\(code\) 1" "its row is counted as (code)"
check '! grep -q "TA2" "$out" "$err"' "and the code is not named"

# The drift guard, when check reads the whole source.
rows 30 > in/housing_1.csv
run cohort run job.conf
expect_rc 0 "a run publishes 30 rows"
rows 90 > in/housing_1.csv
run cohort check job.conf
expect_rc 1 "check sees the source moved past max_row_change"
expect_err "housing: rows in moved from 30 to 90" "and names the change"
rows 30 > in/housing_1.csv

# Outputs: a CSV output under a file, a database that cannot be reached
# (libpq's reason), one that can.
sed 's|^output_dir = out$|output_dir = lookup.csv/out|' job.conf > badout.conf
run cohort check badout.conf
expect_rc 3 "an output directory that cannot be made fails check, exit 3"
expect_err "\[output files\] output_dir 'lookup.csv/out' is not a directory" "and says why"
port=$(printf '%s' "$conn" | sed 's/.*port=\([0-9]*\).*/\1/')
badconn=$(printf '%s' "$conn" | sed "s/port=$port/port=$((port + 1))/")
{ cat job.conf; printf '\n[output warehouse]\ntype = postgres\nconninfo = %s\n' "$badconn"; } > badpg.conf
run cohort check badpg.conf
expect_rc 3 "a database output on a wrong port fails check, exit 3"
expect_err "\[output warehouse\] cannot connect to the database: connection to server on socket .* failed: No such file or directory" \
    "with libpq's reason"
{ cat job.conf; printf '\n[output warehouse]\ntype = postgres\nconninfo = %s\n' "$conn"; } > pg.conf
run cohort check pg.conf
expect_rc 0 "a database output that connects passes"
expect_out "^output warehouse: ok \(PostgreSQL" "and says so"

# The PostgreSQL source: libpq's reason, and notices logged without
# their words.
q "create table people (first text, last text, dob text, postcode text, tenure text, start text)" >/dev/null
q "insert into people select 'Ann' || g, 'Smith' || g, '01/01/1990', 'LS20 1BY', 'TA', '01/02/2026' from generate_series(1, 30) g" >/dev/null
q "create function noisy() returns setof people language plpgsql as \$\$ begin raise notice 'secret Zebedee'; return query select * from people; end \$\$" >/dev/null
pgjob() { # pgjob CONNINFO
    sed -e 's|^path = .*|format = postgres\nconninfo = '"$1"'\nquery = select * from noisy()|' \
        -e 's/^field.forename = FIRST/field.forename = first/; s/^field.surname = LAST/field.surname = last/' \
        -e 's/^field.dob = DOB/field.dob = dob/; s/^field.postcode = POSTCODE/field.postcode = postcode/' \
        -e 's/^field.service = TENURE/field.service = tenure/; s/^field.start_date = START/field.start_date = start/' job.conf
}
pgjob "$badconn" > pgsrc_bad.conf
run cohort check pgsrc_bad.conf
expect_rc 3 "a source database on a wrong port: exit 3"
expect_err "housing: cannot connect to the source database: connection to server on socket" "with libpq's reason"
pgjob "$conn" > pgsrc.conf
run cohort run pgsrc.conf --log-format json
expect_rc 0 "a source query that raises a notice publishes"
expect_err '"level":"warning","msg":"housing: the source database sent a NOTICE \(SQLSTATE 00000; its words are not logged' \
    "the notice goes through the logger, as JSON"
check '! grep -q "Zebedee" "$err"' "and its words are not logged"
finish
