# Bad XML input (connectors/xml_source.h): malformed XML, a truncated file,
# bytes in the wrong encoding, an encoding expat does not read, a NUL
# byte, an entity bomb, the wrong document, a gzip file, an empty file,
# columns out of the order the layout needs -- each is a clear error
# naming the source, file, line, column and rule, exit 1 (README "Exit
# codes"), the previous publication intact, and no value of the file in
# any message. An element repeated inside a record is a row fault that
# the quarantine counts (rows in = accepted + quarantined).
. "$COHORT_TOP/tests/cli/lib.sh"

good=$COHORT_TOP/tests/data/cin_xml/cin_2022.xml
cd "$scratch"
mkdir -p in out
"$COHORT" keygen job.key >/dev/null
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv
# The fake 2022 return holds referrals up to 30 June 2022 (its last date
# is the reference date) and its UPNs are made up, their check letters
# wrong: every one is a dropped UPN, not a reason to stop.
cat > job.conf <<'CONF'
[job]
name = badxml
reference_date = 2022-06-30
periods = 12
key_file = job.key
output_dir = out
lookup = lookup.csv

[source cin]
profile = cin_census
format = xml
path = in/cin.xml
max_drop_rate.upn = 100%

[cohort cin]
where = children_social_care.child_in_need
by = sex
CONF
# every identifier of the file: none may appear in a message
python3 - "$good" > planted.txt <<'PY'
import sys, xml.etree.ElementTree as ET
for ids in ET.parse(sys.argv[1]).getroot().iter("ChildIdentifiers"):
    for tag in ("LAchildID", "UPN", "PersonBirthDate"):
        v = (ids.findtext(tag) or "").strip()
        if v:
            print(v)
PY
grep -v '^[0-9][0-9][0-9][0-9]-' planted.txt > planted_ids.txt
suite_planted planted_ids.txt

cp "$good" in/cin.xml
run cohort run job.conf
expect_rc 0 "the good return publishes"
before=$(readlink out/latest)

# xml_case NAME RULE LINE_COL: the run on in/cin.xml as it is now
xml_case() {
    run cohort run job.conf
    expect_rc 1 "$1: exit 1"
    expect_err "error: source 'cin' file 1${3:+:$3}: .*\\[$2\\]" \
        "$1: the error names the file${3:+, line and column ($3)} and rule $2"
    check '[ "$(readlink out/latest)" = "$before" ]' "$1: the previous publication is intact"
    check '! grep -qFf planted.txt "$err" "$out"' "$1: no value of the file in any message"
}

sed 's|</UPN>|</UPX>|' "$good" > in/cin.xml
line=$(grep -n '</UPX>' in/cin.xml | head -n 1 | cut -d: -f1)
xml_case "mismatched tag" xml_syntax "$line:[0-9]+"

head -c 20000 "$good" > in/cin.xml
xml_case "truncated file" xml_truncated "[0-9]+:[0-9]+"

# one byte of Latin-1 in a UTF-8 document, at a known place
sed '0,/WIRT/s//W\xe9RT/' "$good" > in/cin.xml
bad=$(printf 'W\351RT')
line=$(LC_ALL=C grep -na "$bad" in/cin.xml | head -n 1 | cut -d: -f1)
col=$(( $(LC_ALL=C grep -a "$bad" in/cin.xml | head -n 1 | LC_ALL=C awk '{ print index($0, "<Ethnicity>") }') + 12 ))
xml_case "bytes not in the encoding" invalid_encoding "$line:$col"

{ printf '<?xml version="1.0" encoding="windows-1252"?>\n'; cat "$good"; } > in/cin.xml
xml_case "an encoding expat does not read" xml_encoding "1:[0-9]+"

sed '40s|RND|R\x00D|' "$good" > in/cin.xml
col=$(( $(sed -n 40p "$good" | awk '{ print index($0, "RND") }') + 1 ))
xml_case "a NUL byte" nul_byte "40:$col"

# the billion laughs: refused at the DOCTYPE, before any entity exists
{
    printf '<?xml version="1.0"?>\n<!DOCTYPE Message [\n'
    printf '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    for e in b c d e f g h i j; do
        prev=$(printf '%s' abcdefghij | cut -c"$(( $(printf '%s' abcdefghij | sed "s/$e.*//" | wc -c) ))")
        printf '<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">\n' \
            "$e" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev"
    done
    printf ']>\n'
    sed 's|<LEA>975</LEA>|<LEA>\&j;</LEA>|' "$good" | tail -n +1
} > in/cin.xml
xml_case "an entity bomb" xml_doctype "2:[0-9]+"

# an external entity would read a local file: refused the same way
{ printf '<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
  sed 's|<LEA>975</LEA>|<LEA>\&x;</LEA>|' "$good"; } > in/cin.xml
xml_case "an external entity" xml_doctype "2:[0-9]+"

sed 's|Message>|EXPSSDA903>|g' "$good" > in/cin.xml
xml_case "another return's document" xml_root "[0-9]+:[0-9]+"

gzip -c "$good" > in/cin.xml
xml_case "a gzip file" xml_gzip

: > in/cin.xml
xml_case "an empty file" xml_truncated

# a child whose identifiers come after its referral: the referral would
# have been read without them
python3 - "$good" in/cin.xml <<'PY'
import sys
s = open(sys.argv[1]).read()
a = s.index("<ChildIdentifiers>")
b = s.index("</ChildCharacteristics>") + len("</ChildCharacteristics>")
e = s.index("</Child>")
open(sys.argv[2], "w").write(s[:a] + s[b:e] + s[a:b] + s[e:])
PY
xml_case "identifiers after the record" xml_order "[0-9]+:[0-9]+"

# nesting 300 deep inside a record
python3 - "$good" in/cin.xml <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index("</CINdetails>")
open(sys.argv[2], "w").write(s[:i] + "<a>" * 300 + "</a>" * 300 + s[i:])
PY
xml_case "nesting too deep" xml_depth "[0-9]+:[0-9]+"

# A layout that is not the document's finds no record: no rows, exit 1
sed 's|Child>|Kid>|g' "$good" > in/cin.xml
run cohort run job.conf
expect_rc 1 "no record element: exit 1"
expect_err "error: cin: no xml_record element in the files.*\\[empty_extract\\]" "no record element: the error says so"
check '[ "$(readlink out/latest)" = "$before" ]' "no record element: the previous publication is intact"

# A referral date twice in one CINdetails: that row is quarantined, at its
# line; the others are read.
sed '0,/<CINclosureDate>/s//<CINreferralDate>2021-01-01<\/CINreferralDate><CINclosureDate>/' "$good" > in/cin.xml
want=$(grep -c '<CINdetails>' in/cin.xml)
line=$(grep -n '<CINdetails>' in/cin.xml | head -n 1 | cut -d: -f1)
# (a first reject after a clean night is drift the analyst accepts)
run cohort run job.conf --accept-drift
expect_rc 0 "repeated element: the run publishes under the reject limit"
expect_out "^source cin: $want rows in, $((want - 1)) accepted, 1 quarantined \\(ragged_row 1\\)" \
    "repeated element: rows in = accepted + quarantined ($want = $((want - 1)) + 1)"
check "awk -F, -v l=$line '\$1 == \"cin\" && \$2 == 1 && \$4 == l && \$5 == 6 && \$6 == \"ragged_row\" { f = 1 } END { exit !f }' out/latest/quarantine.csv" \
    "repeated element: quarantine.csv names file 1, the record's line $line and column 6"
check '! grep -qFf planted.txt "$err" "$out" out/latest/*' "repeated element: no value in a message or output"
suite_outputs out/latest

# Layouts the job file gets wrong: exit 2, the file, line and key named.
# conf_case NAME STDERR_REGEX LINES: [source cin] with LINES (printf's
# format) in it
conf_case() {
    { sed -n '1,/^\[source cin\]/p' job.conf; printf "$3"
      printf '\n[cohort cin]\nwhere = children_social_care.child_in_need\n'; } > bad.conf
    run cohort check bad.conf
    expect_rc 2 "layout: $1: exit 2"
    expect_err "$2" "layout: $1: the error says /$2/"
}
conf_case "no layout and no profile" \
    "bad.conf:9: \\[source cin\\] \\(format = xml\\) needs 'xml_record'" \
    'department = children_social_care\nformat = xml\npath = in/cin.xml\nfield.local_id = id\nservice = child_in_need\nfield.start_date = s\n'
conf_case "a relative record" \
    "bad.conf:13: bad value for 'xml_record' in \\[source cin\\]: the record must be an absolute path" \
    'profile = cin_census\nformat = xml\npath = in/cin.xml\nxml_record = Message/Children/Child\n'
conf_case "an empty step" \
    "bad.conf:13: bad value for 'xml_column.UPN' .*an element name is missing" \
    'profile = cin_census\nformat = xml\npath = in/cin.xml\nxml_column.UPN = a//b\n'
conf_case "a column name that is not plain" \
    "bad.conf:13: key 'xml_column.U\\(PN': a column name is 1 to 64" \
    'profile = cin_census\nformat = xml\npath = in/cin.xml\nxml_column.U(PN = UPN\n'
conf_case "a layout on a csv source" \
    "bad.conf:12: \\[source cin\\]: xml_record and xml_column.NAME are for format = xml" \
    'profile = cin_census\npath = in/cin.csv\nxml_record = /Message/Children/Child/CINdetails\n'
conf_case "a column that is the record's ancestor" \
    "bad.conf:13: \\[source cin\\]: xml_column.UPN: a column cannot read the record or one of its ancestors" \
    'profile = cin_census\nformat = xml\npath = in/cin.xml\nxml_column.UPN = /Message/Children/Child\n'

finish
