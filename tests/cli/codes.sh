# Statutory code lists (issue 23), on the public fake data in
# tests/data/ssda903 and tests/data/cin_xml (READMEs there: source,
# licence):
#   - a table by placement type, by legal status and by category of need
#     (SSDA903 episodes) and by category of need (CIN census XML) equals a
#     hand count Python makes from the same files and the shipped lists'
#     groups: the group of the latest-starting episode open on the month's
#     last day (measure = at_end), or overlapping the month (persons);
#   - a code not on its list drops the field, not the row: the row still
#     counts (UNKNOWN in that column), and the code is counted per column,
#     named only when enough persons carry it -- never when fewer do, and
#     never a value of an identifier's shape; more such rows than
#     max_drop_rate fail the run naming the column;
#   - a council's own list file replaces the shipped one, groups included;
#   - cohort rules names each code list with its source.
. "$COHORT_TOP/tests/cli/lib.sh"

d=$COHORT_TOP/tests/data/ssda903
lists=$COHORT_TOP/config/lookups
cd "$scratch"
cp "$d/ssda903_header.csv" "$d/ssda903_2018_episodes.csv" .
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv
"$COHORT" keygen test.key >/dev/null

# job NAME EPISODES [DISCLOSURE] [EXTRA-EPISODES-KEYS]: the later return's
# 12 months; DISCLOSURE exact (nothing hidden) unless "ons"
job() {
    # the ons preset hides small cells: one table then, as two tables of
    # the same persons could be subtracted (nested_cohorts)
    if [ "${3:-exact}" = exact ]; then
        disc='min_count = 1
rounding  = 1'
        more='[cohort by_need]
where   = children_social_care.looked_after
by      = category_of_need
measure = at_end

[cohort by_legal]
where = children_social_care.looked_after
by    = legal_status'
    else
        disc='preset = ons' more=
    fi
    cat > "$1.conf" <<CONF
[job]
name           = $1
reference_date = 2018-03-31
periods        = 12
key_file       = test.key
output_dir     = out_$1
lookup         = lookup.csv

[source lac_header]
profile   = ssda903_header
path      = ssda903_header.csv
field.upn =

[source lac_episodes]
profile = ssda903_episodes
path    = $2
field.postcode =
${4:-}

[disclosure]
$disc

[cohort by_place]
where   = children_social_care.looked_after
by      = placement_type
measure = at_end

$more
CONF
}

# hand FILE COLUMN LIST MEASURE: period,group,count rows -- a table's
# first three columns -- (UNKNOWN first, then the list's groups in order,
# then Total) for the 12 months to March 2018, from the episodes file and
# the code list's groups
hand() {
    python3 - "$@" <<'PY'
import csv, sys, datetime
path, column, listfile, measure = sys.argv[1:5]
groups, order = {}, ["UNKNOWN"]
for r in csv.DictReader(open(listfile)):
    groups[r["code"].upper()] = r["value"]
    if r["value"] not in order:
        order.append(r["value"])
def day(s):
    d, m, y = s.split("/")
    return datetime.date(int(y), int(m), int(d))
eps = []
for r in csv.DictReader(open(path)):
    end = day(r["DEC"]) if r["DEC"].strip() else datetime.date.max
    eps.append((r["CHILD"], day(r["DECOM"]), end,
                groups.get(r[column].strip().upper(), "UNKNOWN")))
for i in range(12):
    y, m = (2017, i + 4) if i < 9 else (2018, i - 8)
    first = datetime.date(y, m, 1)
    last = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    frm = last if measure == "at_end" else first
    best = {}
    for who, s, e, g in eps:
        if s <= last and e >= frm:
            # the latest start wins (a later end on a tie), as cohort's
            # spells are ordered by start, then end
            if who not in best or (s, e) >= best[who][0]:
                best[who] = ((s, e), g)
    n = {}
    for k, g in best.values():
        n[g] = n.get(g, 0) + 1
    for g in order:
        print('%04d-%02d-01,"%s",%d' % (y, m, g, n.get(g, 0)))
    print('%04d-%02d-01,"Total",%d' % (y, m, len(best)))
PY
}

job exact ssda903_2018_episodes.csv
run cohort run exact.conf
expect_rc 0 "the SSDA903 return publishes tables by placement type, category of need and legal status"
for t in "by_place PLACE ssda903_placement_type at_end" \
         "by_need CIN ssda903_category_of_need at_end" \
         "by_legal LS ssda903_legal_status_group persons"; do
    set -- $t
    tb=$1
    hand ssda903_2018_episodes.csv "$2" "$lists/$3.csv" "$4" > "h.$tb"
    tail -n +2 "out_exact/latest/$tb.csv" | cut -d, -f1-3 > "p.$tb"
    check 'cmp -s "h.$tb" "p.$tb" && [ "$(grep -c ",\"Total\"," "p.$tb")" -eq 12 ] &&
           [ "$(grep -v "UNKNOWN\|Total" "p.$tb" | cut -d, -f3 | paste -sd+ | bc)" -gt 0 ]' \
        "$tb: the table by $2 ($4) equals the hand count from $3's groups"
done
check '[ "$(grep -c "" out_exact/latest/by_place.csv)" -eq $((12 * 10 + 1)) ]' \
    "a table by placement type has the list's 8 groups, UNKNOWN and Total a month"

# Codes not on their lists: PLACE Q9 on the episodes of 3 children (too
# few persons to name it), ZZ on the episodes of 12 children (enough), and
# a postcode in REC of 12 more (never named, whatever its persons); about
# 7% of the rows, so max_drop_rate is 10% here
python3 - ssda903_2018_episodes.csv > bad.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].keys()), lineterminator="\n")
w.writeheader()
children = []
for r in rows:
    if r["CHILD"] not in children:
        children.append(r["CHILD"])
q9, zz, pc = set(children[:3]), set(children[3:15]), set(children[15:27])
for r in rows:
    if r["CHILD"] in q9:
        r["PLACE"] = "Q9"
    elif r["CHILD"] in zz:
        r["PLACE"] = "ZZ"
    elif r["CHILD"] in pc:
        r["REC"] = "SW1A 1AA"
    w.writerow(r)
PY
q9_rows=$(awk -F, '$6 == "Q9"' bad.csv | wc -l)
zz_rows=$(awk -F, '$6 == "ZZ"' bad.csv | wc -l)
pc_rows=$(grep -c "SW1A 1AA" bad.csv)
job bad bad.csv ons 'max_drop_rate = 10%'
run cohort run bad.conf
expect_rc 0 "codes not on their lists on under 5% of the rows publish"
q=out_bad/latest/quality.csv
check 'grep -q ",unmapped:code.PLACE=ZZ,$zz_rows$" "$q" &&
       grep -q "code.PLACE=ZZ $zz_rows" "$out"' \
    "a code not on its list carried by 12 persons is named, with its rows ($zz_rows)"
check '! grep -q "Q9" "$q" "$out" "$err" out_bad/latest/*.csv out_bad/latest/*.json out_bad/latest/*.html &&
       grep -q ",unmapped:code.PLACE=(rare),$q9_rows$" "$q"' \
    "one carried by 3 persons is counted as (rare), never named"
check '! grep -rq "SW1A" out_bad "$out" "$err" &&
       grep -q ",unmapped:code.REC=(not shown),$pc_rows$" "$q"' \
    "a postcode in a coded column is counted as (not shown), never named"
check 'grep -q "^source lac_episodes: 601 rows in, 601 accepted, 0 quarantined$" "$out"' \
    "no row is quarantined for a code not on its list"
job bad_exact bad.csv exact 'max_drop_rate = 10%'
run cohort run bad_exact.conf
hand bad.csv PLACE "$lists/ssda903_placement_type.csv" at_end > h.bad
tail -n +2 out_bad_exact/latest/by_place.csv | cut -d, -f1-3 > p.bad
check 'cmp -s h.bad p.bad && cmp -s out_bad_exact/latest/by_need.csv out_exact/latest/by_need.csv &&
       [ "$(grep -c "UNKNOWN\",0$" p.bad)" -lt 12 ]' \
    "their rows still count: in UNKNOWN by placement type, unchanged by category of need"

# more rows than max_drop_rate lose PLACE: exit 1, the column named
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 5 == 0 { $6 = "Q9" } 1' \
    ssda903_2018_episodes.csv > worse.csv
job worse worse.csv ons
run cohort run worse.conf
expect_rc 1 "a fifth of the rows with a placement type not on the list fail the run"
check 'grep -q "coded column .PLACE. dropped from" "$err" && grep -q "\[max_drop_rate\]" "$err" &&
       ! grep -q "Q9" "$err" "$out"' \
    "the error names the column and the rule, never the code"

# a council's own list replaces the shipped one, its groups the labels
printf 'code,value\nU1,fostered\nU3,fostered\nU4,fostered\nU6,fostered\n' > own_place.csv
for c in A3 A4 A5 A6 P1 P2 H5 K1 K2 R1 R2 R3 R5 S1 P3 T0 T1 T2 T3 T4 Z1 U2 U5; do
    echo "$c,not_fostered"
done >> own_place.csv
job own ssda903_2018_episodes.csv exact 'code_list.PLACE = own_place.csv'
run cohort run own.conf
expect_rc 0 "a job's own code list for PLACE publishes"
hand ssda903_2018_episodes.csv PLACE own_place.csv at_end > h.own
tail -n +2 out_own/latest/by_place.csv | cut -d, -f1-3 > p.own
check 'cmp -s h.own p.own && [ "$(grep -c "" out_own/latest/by_place.csv)" -eq $((12 * 4 + 1)) ]' \
    "its groups are the table's categories (fostered, not_fostered), counted as by hand"

# the CIN census XML: category of need from PrimaryNeedCode
cat > cin.conf <<'CONF'
[job]
name = cin
reference_date = 2022-06-30
periods = 24
key_file = test.key
output_dir = out_cin
lookup = lookup.csv

[source cin]
profile = cin_census
format = xml
path = cin_2022.xml
max_drop_rate.upn = 100%

[disclosure]
min_count = 1
rounding = 1

[cohort cin_by_need]
where = children_social_care.child_in_need
by = category_of_need
measure = at_end
CONF
cp "$COHORT_TOP/tests/data/cin_xml/cin_2022.xml" .
run cohort run cin.conf
expect_rc 0 "the CIN census publishes a table by category of need"
python3 - cin_2022.xml "$lists/cin_primary_need.csv" > h.cin <<'PY'
import csv, sys, datetime, xml.etree.ElementTree as ET
groups, order = {}, ["UNKNOWN"]
for r in csv.DictReader(open(sys.argv[2])):
    groups[r["code"].upper()] = r["value"]
    if r["value"] not in order:
        order.append(r["value"])
spells = []
for child in ET.parse(sys.argv[1]).getroot().iter("Child"):
    who = child.find("ChildIdentifiers").findtext("LAchildID").strip()
    for cin in child.findall("CINdetails"):
        s = datetime.date.fromisoformat(cin.findtext("CINreferralDate").strip())
        e = (cin.findtext("CINclosureDate") or "").strip()
        e = datetime.date.fromisoformat(e) if e else datetime.date.max
        g = groups.get((cin.findtext("PrimaryNeedCode") or "").strip().upper(), "UNKNOWN")
        spells.append((who, s, e, g))
y, m = 2020, 7
for _ in range(24):
    last = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    best = {}
    for who, s, e, g in spells:
        if s <= last and e >= last and (who not in best or (s, e) >= best[who][0]):
            best[who] = ((s, e), g)
    n = {}
    for k, g in best.values():
        n[g] = n.get(g, 0) + 1
    for g in order:
        print('%04d-%02d-01,"%s",%d' % (y, m, g, n.get(g, 0)))
    print('%04d-%02d-01,"Total",%d' % (y, m, len(best)))
    y, m = (y, m + 1) if m < 12 else (y + 1, 1)
PY
tail -n +2 out_cin/latest/cin_by_need.csv | cut -d, -f1-3 > p.cin
check 'cmp -s h.cin p.cin && [ "$(grep -v "UNKNOWN\|Total" p.cin | cut -d, -f3 | paste -sd+ | bc)" -gt 0 ]' \
    "the CIN table by category of need equals the hand count of PrimaryNeedCode's groups"

# a by column no source carries is a config error
sed 's/^by = category_of_need/by = placement_type/' cin.conf > cin_place.conf
run cohort check cin_place.conf
expect_rc 2 "by = placement_type with no source carrying it is refused"
check 'grep -q "placement_type, which no source carries" "$err"' "and the error says why"

# cohort rules: each coded column, its list and the list's source
run cohort rules exact.conf
expect_rc 0 "cohort rules"
check 'grep -q "column .PLACE.* code list .ssda903_placement_type.*Department for Education" "$out" &&
       grep -q "column .PrimaryNeedCode\|code list .ssda903_rne.*Department for Education" "$out" &&
       grep -q "placement_type, which a cohort may be broken down by" "$out"' \
    "cohort rules names each code list with its source and the category it carries"
run cohort rules own.conf
check 'grep -q "code list .own_place.csv.*the job.s own list" "$out"' \
    "and a job's own list as the job's own"
finish
