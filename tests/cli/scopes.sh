# Id scopes (multi-table returns): tables of one system joined by its own
# person id. Fixtures in tests/data/scopes: scope a (a header + episodes
# with only the child id) and scope b (adults) reuse the same ids, so any
# crossing of scopes shows in the counts.
. "$COHORT_TOP/tests/cli/lib.sh"

cp "$COHORT_TOP"/tests/data/scopes/* "$scratch/"
run cohort keygen test.key
run cohort run job.conf
expect_rc 0 "a job with two id scopes runs"
q=$scratch/out/latest/quality.csv
row() { grep -q "^$1\$" "$q"; }
check 'row "episodes_a,quarantined:orphan_local_id,1"' \
    "an episode whose id no header of its scope lists is quarantined"
check 'row "events_b,quarantined:orphan_local_id,1"' \
    "an id of another scope does not make an events row joinable"
h=$(b2sum -l 256 "$scratch/episodes_a.csv" | cut -d' ' -f1)
check 'grep -q "^episodes_a,1,$h,6,1,orphan_local_id$" "$scratch/out/latest/quarantine.csv"' \
    "quarantine.csv names the orphan's file (by position and hash), line, column and rule"
check 'row "episodes_a,rows_in,5" && row "episodes_a,rows_accepted,4"' \
    "rows in = accepted + quarantined with orphans"
check 'row "id_scope:a,dob_conflicts,1" && row "id_scope:a,nhs_number_conflicts,0"' \
    "an id with two dates of birth is counted as a conflict"
check 'row "id_scope:b,nhs_number_conflicts,1"' \
    "an id with two NHS numbers is counted as a conflict"
check 'row "all,persons,7"' \
    "3 + 2 persons from the ids, and the NHS conflict kept apart as 2"
expect_err 'id scope b: 1 ids carry two NHS numbers' "the conflict is logged"
expect_no_err '9990000018|9990000026|1970-01-01' "the log names no value"
la=$scratch/out/latest/looked_after.csv
check 'grep -q "^2026-03-01,\"M\",2,no$" "$la" && grep -q "^2026-03-01,\"F\",1,no$" "$la"' \
    "episodes land on their header's child (sex from the header)"
check 'grep -q "^2026-01-01,\"M\",1,no$" "$la" && grep -q "^2026-01-01,\"F\",0,no$" "$la"' \
    "each episode counts in its own months only"
ad=$scratch/out/latest/adults.csv
check 'grep -q "^2025-11-01,\"F\",1,no$" "$ad" && grep -q "^2025-11-01,\"M\",0,no$" "$ad"' \
    "scope b's 1001 is not scope a's 1001"
check 'grep -q "^0,id_scope local_id,,7,1,,,,,,,$" "$scratch/out/latest/linkage.csv"' \
    "linkage.csv counts the scope links and the refused one"
check 'grep -q "Id scopes" "$scratch/out/latest/report.html"' "the report has the scopes"
leaked=
# a value as a token of its own: not a digit either side, so a run id's
# time of day (T100210 holds 1002) is not taken for the id 1002
for v in 1001 1002 1003 9999 2001 3001 2015-03-04 9434765919 A950000178301; do
    grep -rqE -- "(^|[^0-9])$v([^0-9]|\$)" "$scratch/out/" && leaked="$leaked $v"
done
check '[ -z "$leaked" ]' "no id or value of the extracts appears in any output"

run cohort rules job.conf
expect_rc 0 "rules exits 0"
expect_out 'scope a: header_a \(header, persons only\) joins on column CHILD; episodes_a \(events\) joins on column CHILD' \
    "rules say which tables join on which id, per scope"
expect_out 'scope b: header_b \(header, persons only\) joins on column ID; events_b \(events\) joins on column ID' \
    "and for the other scope"

# config errors name the line
sed 's/^id_scope       = b$/id_scope       = b\nrole = header/' "$scratch/job.conf" |
    sed '0,/^id_scope       = a$/s//role = events/' > "$scratch/norole.conf"
run cohort check norole.conf
expect_rc 2 "role without id_scope is a config error"
expect_err "norole.conf:[0-9]+: .*'role' needs an 'id_scope'" "and says so with the line"
sed '/^field.local_id = CHILD$/d' "$scratch/job.conf" > "$scratch/noid.conf"
run cohort check noid.conf
expect_rc 2 "id_scope without local_id is a config error"
expect_err "has id_scope 'a' but no 'field.local_id'" "and says so"
sed 's/^id_scope       = a$/id_scope       = A-1/' "$scratch/job.conf" > "$scratch/badname.conf"
run cohort check badname.conf
expect_rc 2 "a scope name outside [a-z0-9_] is refused"
expect_err "badname.conf:[0-9]+: .*id_scope" "naming the key and line"

# a scope that only headers use is fine; an events table read before its
# header in the file still finds it (headers are read first)
awk 'BEGIN { RS = ""; ORS = "\n\n" } { p[NR] = $0 }
     END { for (i = 1; i <= NR; i++)
               if (p[i] ~ /\[source header_a\]/) {
                   for (j = 1; j <= NR; j++)
                       if (p[j] ~ /\[source episodes_a\]/) print p[j]
                   print p[i]
               } else if (p[i] !~ /\[source episodes_a\]/) print p[i] }' \
    "$scratch/job.conf" > "$scratch/order.conf"
sed -i 's/^output_dir     = out$/output_dir     = out2/' "$scratch/order.conf"
run cohort run order.conf
expect_rc 0 "events listed before their header still run"
check 'grep -q "^episodes_a,quarantined:orphan_local_id,1$" "$scratch/out2/latest/quality.csv" && grep -q "^all,persons,7$" "$scratch/out2/latest/quality.csv"' \
    "and give the same result"
finish
