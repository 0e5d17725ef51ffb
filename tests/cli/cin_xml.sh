# CIN census XML read natively (format = xml, connectors/xml_source.h):
# the published fake returns of 2022 (<GenderCurrent>), 2024 (<Sex>) and
# 2026 (pre-proceedings added)
# in tests/data/cin_xml/ read with zero rejects, and their monthly counts
# by sex equal a hand count that Python's own XML parser makes here from
# the same files; malformed XML of every kind is a clear error with a
# documented exit code that leaves the previous publication intact; no
# identifier of the XML reaches an output or a message.
. "$COHORT_TOP/tests/cli/lib.sh"

data=$COHORT_TOP/tests/data/cin_xml
cd "$scratch"
"$COHORT" keygen job.key >/dev/null
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv

# job NAME REF PERIODS PATH [EXTRA]: a CIN job with exact counts
# (no suppression, no rounding), so a table can equal a hand count.
job() {
    cat > "$1" <<CONF
[job]
name = cin
reference_date = $2
periods = $3
key_file = job.key
output_dir = out_${1%.conf}
lookup = lookup.csv

[source cin]
profile = cin_census
format = xml
path = $4
# the fake returns' UPNs are made up, their check letters wrong: every
# one is a dropped UPN (README, max_drop_rate), not a reason to stop
max_drop_rate.upn = 100%
${5:-}

[disclosure]
min_count = 1
rounding = 1

[cohort cin]
where = children_social_care.child_in_need
by = sex
CONF
    mkdir -p "out_${1%.conf}"
}

# hand_count FILE REF PERIODS: period,sex,count lines of distinct
# LAchildIDs with a CINdetails spell touching each month, counted from
# the XML with Python's xml.etree (not with cohort's reader).
hand_count() {
    python3 - "$@" <<'PY'
import sys, datetime, xml.etree.ElementTree as ET
path, ref, periods = sys.argv[1], sys.argv[2], int(sys.argv[3])
y, m = int(ref[:4]), int(ref[5:7])
months = []
for _ in range(periods):
    months.append((y, m))
    y, m = (y, m - 1) if m > 1 else (y - 1, 12)
months.reverse()
sexes = {"1": "M", "M": "M", "2": "F", "F": "F", "0": "U", "9": "U", "U": "U"}
spells = []
for child in ET.parse(path).getroot().iter("Child"):
    ids = child.find("ChildIdentifiers")
    who = ids.findtext("LAchildID").strip()
    s = ids.findtext("Sex") or ids.findtext("GenderCurrent") or ""
    for cin in child.findall("CINdetails"):
        start = datetime.date.fromisoformat(cin.findtext("CINreferralDate").strip())
        end = (cin.findtext("CINclosureDate") or "").strip()
        end = datetime.date.fromisoformat(end) if end else datetime.date.max
        spells.append((who, sexes.get(s.strip(), "U"), start, end))
for (y, m) in months:
    first = datetime.date(y, m, 1)
    last = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    people = {}
    for who, sex, start, end in spells:
        if start <= last and end >= first:
            people[who] = sex
    for sex in ("M", "F", "U", "X"):
        print("%04d-%02d-01,%s,%d" % (y, m, sex, sum(1 for v in people.values() if v == sex)))
    print("%04d-%02d-01,Total,%d" % (y, m, len(people)))
PY
}

# same_counts HAND GOT: GOT (period,sex,count, the margin column cut off)
# has HAND's count on each of its rows, in HAND's order, and HAND's rows
# GOT lacks are 0: a sex no source of the profile can give is no column
# of the table (README "Structural zeros").
same_counts() {
    awk -F, 'NR == FNR { h[$1 "," $2] = $3; if ($3 != 0) want[$1 "," $2] = 1; next }
             { k = $1 "," $2; if (!(k in h) || h[k] != $3) bad++; delete want[k]; n++ }
             END { for (k in want) bad++; exit !(n > 0 && bad == 0) }' "$1" "$2"
}

# every message of every run, for the privacy check at the end
run_kept() {
    run "$@"
    cat "$out" "$err" >> "$scratch/messages.txt"
}

# records FILE TAG: how many TAG elements the file has (xmllint's count)
records() {
    xmllint --xpath "count(//$2)" "$1"
}

# The fake 2022 return holds referrals up to 30 June 2022, after its
# census date: with reference_date at the census date they are
# future_start_date (README, date_format), so the jobs of that file take
# the return's last date as their reference date.
ref2022=2022-06-30
for year in 2022 2024 2026; do
    case $year in
    2022) ref=$ref2022 periods=24 extra= ;;
    2024) ref=2025-03-31 periods=36 extra= ;;
    2026) ref=2026-03-31 periods=48 extra= ;;
    esac
    job "y$year.conf" "$ref" "$periods" "$data/cin_$year.xml" "$extra"
    run_kept cohort run "y$year.conf"
    expect_rc 0 "$year: the CIN census XML publishes"
    want=$(records "$data/cin_$year.xml" CINdetails)
    expect_out "^source cin: $want rows in, $want accepted, 0 quarantined" \
        "$year: one row per CINdetails ($want), zero rejects"
    hand_count "$data/cin_$year.xml" "$ref" "$periods" > "hand$year.csv"
    tail -n +2 "out_y$year/latest/cin.csv" | tr -d '"' | cut -d, -f1-3 > "got$year.csv"
    check "same_counts hand$year.csv got$year.csv" \
        "$year: the monthly counts by sex equal the hand count ($(wc -l < "hand$year.csv") cells)"
    check "[ \"\$(awk -F, '\$2 == \"Total\" { s += \$3 } END { print s + 0 }' hand$year.csv)\" -gt 0 ]" \
        "$year: the hand count is not all zeros"
    suite_outputs "out_y$year/latest"
done
# 2024's <Sex> is read: its children are not all of unknown sex
check "grep -Eq ',(M|F),[1-9]' got2024.csv" "2024: <Sex> is read (known sexes counted)"

# The same return as UTF-16 (with its byte-order mark, as Windows tools
# write it) and as UTF-8 with a byte-order mark: the same counts.
iconv -f UTF-8 -t UTF-16 "$data/cin_2022.xml" > cin_utf16.xml
{ printf '\357\273\277'; cat "$data/cin_2022.xml"; } > cin_bom.xml
for enc in utf16 bom; do
    job "$enc.conf" $ref2022 24 "$scratch/cin_$enc.xml"
    run_kept cohort run "$enc.conf"
    expect_rc 0 "$enc: the return publishes"
    tail -n +2 "out_$enc/latest/cin.csv" | tr -d '"' | cut -d, -f1-3 > "got$enc.csv"
    check "same_counts hand2022.csv got$enc.csv" "$enc: the same counts as the UTF-8 file's"
done

# The plans table from the same XML: one row per ChildProtectionPlans.
job plans.conf 2025-03-31 36 "$data/cin_2024.xml" 'id_scope = cin
[source cpp]
profile = cin_census_plans
format = xml
id_scope = cin
path = '"$data/cin_2024.xml"'

[cohort cpp]
where = children_social_care.child_protection_plan
by = sex'
run_kept cohort run --threads 1 plans.conf
expect_rc 0 "plans: the CIN XML's child protection plans publish"
want=$(records "$data/cin_2024.xml" ChildProtectionPlans)
expect_out "^source cpp: $want rows in, $want accepted, 0 quarantined" \
    "plans: one row per ChildProtectionPlans ($want)"
# children with a plan touching each month, hand-counted
python3 - "$data/cin_2024.xml" > hand_cpp.csv <<'PY'
import sys, datetime, xml.etree.ElementTree as ET
plans = []
for child in ET.parse(sys.argv[1]).getroot().iter("Child"):
    who = child.find("ChildIdentifiers").findtext("LAchildID").strip()
    for cpp in child.iter("ChildProtectionPlans"):
        s = datetime.date.fromisoformat(cpp.findtext("CPPstartDate").strip())
        e = (cpp.findtext("CPPendDate") or "").strip()
        plans.append((who, s, datetime.date.fromisoformat(e) if e else datetime.date.max))
y, m = 2022, 4
for _ in range(36):
    first = datetime.date(y, m, 1)
    last = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    print("%04d-%02d-01,Total,%d" % (y, m, len({w for w, s, e in plans if s <= last and e >= first})))
    y, m = (y + (m == 12), m % 12 + 1)
PY
tr -d '"' < out_plans/latest/cpp.csv | grep ',Total,' | cut -d, -f1-3 > got_cpp.csv
check 'cmp -s hand_cpp.csv got_cpp.csv && grep -q ",Total,[1-9]" got_cpp.csv' \
    "plans: children on a plan each month equal the hand count"
# two XML sources read on two threads give the tables one thread gives
cp out_plans/latest/cin.csv plans_t1.csv
cp out_plans/latest/cpp.csv plans_cpp_t1.csv
run_kept cohort run --threads 2 --accept-drift plans.conf
expect_rc 0 "plans: --threads 2 publishes"
check 'cmp -s plans_t1.csv out_plans/latest/cin.csv && cmp -s plans_cpp_t1.csv out_plans/latest/cpp.csv' \
    "plans: the same tables on two threads as on one"

# A layout written in the job file (what an H-CLIC source would do):
# the same rows as the profile's.
job own.conf $ref2022 24 "$data/cin_2022.xml" 'xml_record = /Message/Children/Child/CINdetails
xml_column.LAchildID = /Message/Children/Child/ChildIdentifiers/LAchildID
xml_column.GenderCurrent = /Message/Children/Child/ChildIdentifiers/GenderCurrent
xml_column.CINreferralDate = CINreferralDate'
run_kept cohort run own.conf
expect_rc 0 "own layout: a layout in the job file reads the return"
tail -n +2 out_own/latest/cin.csv | tr -d '"' | cut -d, -f1-3 > gotown.csv
check "same_counts hand2022.csv gotown.csv" "own layout: the same counts as the profile's"

# Out of memory anywhere in the XML reader -- in cohort's code around
# expat or inside expat -- is exit 70 "out of memory", never a broken
# return (exit 1), with the previous publication intact: every allocation
# site from just before the reader's first expat call to just after its
# last, under tests/cli/faultshim.c (as tests/cli/faults.sh does for the
# demo job), on one thread so the sites come in the same order.
shim=$scratch/faultshim.so
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0:detect_leaks=0"
if cc -shared -fPIC -O1 -o "$shim" "$COHORT_TOP/tests/cli/faultshim.c" -ldl 2>/dev/null; then
    job oom.conf $ref2022 3 "$data/cin_2022.xml"
    (COHORT_FAIL_COUNT=$scratch/alloc.count COHORT_FAIL_SITES=$scratch/alloc.sites \
        LD_PRELOAD="$shim" "$COHORT" run -q --threads 1 oom.conf) >/dev/null 2>&1
    cp out_oom/latest/cin.csv oom_ref.csv
    first=$(awk '$2 ~ /libexpat/ { print $1; exit }' alloc.sites)
    last=$(awk '$2 ~ /libexpat/ { n = $1 } END { print n }' alloc.sites)
    awk -v a="${first:-0}" -v b="${last:-0}" '$1 >= a - 30 && $1 <= b + 10 { print $1 }' alloc.sites > oom.plan
    bad=0
    while read -r k; do
        # (a failure the C library copes with may publish: then the next
        # case compares with that)
        before=$(readlink out_oom/latest)
        rc=0
        (COHORT_FAIL="malloc:$k" LD_PRELOAD="$shim" "$COHORT" run -q --threads 1 oom.conf) \
            >oom.out 2>oom.err </dev/null || rc=$?
        suite_log oom.out oom.err
        cat oom.out oom.err >> messages.txt
        if grep -Eq 'Sanitizer|runtime error' oom.err; then
            echo "# malloc:$k: sanitizer report"; bad=1
        elif [ "$rc" -ne 0 ] && { [ "$rc" -ne 70 ] || ! grep -q 'out of memory' oom.err; }; then
            echo "# malloc:$k: exit $rc: $(head -n 1 oom.err)"; bad=1
        elif [ "$rc" -ne 0 ] && [ "$(readlink out_oom/latest)" != "$before" ]; then
            echo "# malloc:$k: exit $rc but latest moved"; bad=1
        elif [ "$rc" -eq 0 ] && ! cmp -s out_oom/latest/cin.csv oom_ref.csv; then
            echo "# malloc:$k: exit 0 but the table differs"; bad=1
        fi
    done < oom.plan
    check '[ "$(grep -c libexpat alloc.sites)" -gt 3 ] && [ "$(wc -l < oom.plan)" -gt 20 ] && [ "$bad" -eq 0 ]' \
        "out of memory at each of $(wc -l < oom.plan) allocation sites around and in expat: exit 70, named, nothing published"
else
    not_ok "the fault-injection shim builds"
fi

# The identifiers in the XML never reach an output or a message: every
# LAchildID, UPN and date of birth (bar a month's first or last day,
# which periods print) searched for in every file of the runs and in
# every message printed.
python3 - "$data/cin_2022.xml" "$data/cin_2024.xml" "$data/cin_2026.xml" > planted.txt <<'PY'
import sys, datetime, xml.etree.ElementTree as ET
seen = set()
for path in sys.argv[1:]:
    for ids in ET.parse(path).getroot().iter("ChildIdentifiers"):
        for tag in ("LAchildID", "UPN", "FormerUPN", "PersonBirthDate"):
            v = (ids.findtext(tag) or "").strip()
            if not v or v in seen:
                continue
            if tag == "PersonBirthDate":
                d = datetime.date.fromisoformat(v)
                if d.day == 1 or (d + datetime.timedelta(days=1)).day == 1:
                    continue
            seen.add(v)
            print(v)
PY
# the suite-wide scan searches every message of the suite: the ids and
# UPNs, not dates another test may print for its own reasons
grep -v '^[0-9][0-9][0-9][0-9]-' planted.txt > planted_ids.txt
suite_planted planted_ids.txt
check '[ "$(wc -l < planted.txt)" -gt 50 ]' "privacy: identifiers to look for ($(wc -l < planted.txt))"
find out_y2022 out_y2024 out_y2026 out_plans out_own -type f > outputs.txt
check '[ "$(wc -l < outputs.txt)" -gt 10 ]' "privacy: the runs' outputs to search ($(wc -l < outputs.txt) files)"
leaks=$(cat $(cat outputs.txt) | grep -ciFf planted.txt)
check '[ "$leaks" -eq 0 ]' "privacy: no XML identifier in any output file ($leaks lines)"
check '[ "$(wc -l < messages.txt)" -gt 20 ] && ! grep -qiFf planted.txt messages.txt' "privacy: none in the messages"

finish
