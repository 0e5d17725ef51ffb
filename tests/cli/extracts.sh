# Council extracts as they are delivered (issue 16): the worked job of
# config/council.conf on files of the shapes councils send -- a housing
# register with two date formats, Windows-1252 and a tenure code list
# with a colon and a comma in its codes, SSDA903 episodes whose legal
# status replaces the profile's fixed service, adult social care client
# level data with the official colon labels mapped by a shipped code
# list, a school census file without the profile's optional columns --
# read with no preprocessing and no source over 1 % quarantined. Then
# each new key on its own: date formats in order and ambiguous dates,
# value_map files and shipped lists, profile overrides, and the shipped
# lists compiled in equal to config/lookups.
. "$COHORT_TOP/tests/cli/lib.sh"

ln -s "$COHORT_TOP/config" "$scratch/config"
cp "$COHORT_TOP/config/council.conf" "$scratch/council.conf"
mkdir "$scratch/extracts"
run cohort keygen council.key
cd "$scratch/extracts"

# The README's worked job is config/council.conf, line for line.
sed -n '/^### A worked job/,/^### /p' "$COHORT_TOP/README.md" |
    sed -n '/^```ini$/,/^```$/p' | sed '1d;$d' > "$scratch/readme_job"
check 'cmp -s "$scratch/readme_job" "$COHORT_TOP/config/council.conf"' \
    "the README's worked job is config/council.conf"

# A valid UPN from 12 digits (check letter first, as validate.c reads it).
upn_awk='function upn(n,   b, i, s, L) {
    L = "ABCDEFGHJKLMNPQRTUVWXYZ"; b = sprintf("%012d", n); s = 0
    for (i = 1; i <= 12; i++) s += substr(b, i, 1) * (i + 1)
    return substr(L, s % 23 + 1, 1) b }'
months="Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"

# Housing: two files of one glob, Windows-1252 (an e-acute as byte E9),
# dates of birth as 03-Mar-1987 (some as 03/03/1987), case dates as
# 03/03/2026, tenure codes from a code list.
for part in 1 2; do
    awk -v part=$part -v months="$months" 'BEGIN {
        srand(16 + part); split(months, mon, " ")
        printf "First Name,Surname,Date Of Birth,Postcode,TENURE_CODE,Start Date,End Date\r\n"
        split("TA|HP|SH|TA: nightly|\"Social, general needs\"", code, "|")
        for (i = 0; i < 150; i++) {
            d = int(rand() * 28) + 1; m = int(rand() * 12) + 1; y = 1950 + int(rand() * 70)
            dob = i % 10 == 0 ? sprintf("%02d/%02d/%d", d, m, y) : sprintf("%02d-%s-%d", d, mon[m], y)
            printf "Ren%se%d,Smith%d,%s,LS20 1%s,%s,%02d/%02d/2026,%s\r\n", \
                i % 7 ? "" : "\351", i, part * 1000 + i, dob, i % 2 ? "BY" : "DB", code[i % 5 + 1], \
                int(rand() * 28) + 1, int(rand() * 9) + 1, i % 3 ? "" : "30/10/2026"
        }
    }' > housing_$part.csv
done
printf 'code,value\r\nTA,temporary_accommodation\r\nHP,homelessness_prevention\r\nSH,social_tenancy\r\n"Social, general needs",social_tenancy\r\n' \
    > tenure_codes.csv

# SSDA903 header and episodes (legal status LS: C2, V2, and J1 by default).
awk "$upn_awk"' BEGIN {
    srand(903); split("WBRI APKN BAFR MWBC CHNE NOBT", eth, " ")
    print "CHILD,SEX,DOB,ETHNIC,UPN"
    for (i = 0; i < 80; i++)
        printf "C%04d,%d,%02d/%02d/%d,%s,%s\n", i, i % 2 + 1, int(rand() * 28) + 1,
            int(rand() * 12) + 1, 2008 + int(rand() * 10), eth[i % 6 + 1], upn(903000 + i)
}' > ssda903_header.csv
awk 'BEGIN {
    split("C2 V2 J1", ls, " ")
    print "CHILD,DECOM,RNE,LS,DEC,HOME_POST"
    for (i = 0; i < 80; i++)
        printf "C%04d,%02d/0%d/2026,P,%s,,LS20 1ED\n", i, i % 28 + 1, i % 9 + 1, ls[i % 3 + 1]
}' > ssda903_episodes.csv

# Adult social care CLD: the official labels, with a colon or " - ".
awk 'BEGIN {
    srand(7)
    n = split("Asian or Asian British: Pakistani|White: English, Welsh, Scottish, Northern Irish or British|Black, Black British, Caribbean or African: African|Mixed or multiple ethnic groups - White and Asian|Other ethnic group: Arab|No data - Undeclared or Not known", eth, "|")
    m = split("Long Term Support: Community|Long Term Support: Nursing Care|Short Term Support: ST-Max|Carer Support: Direct to Carer", svc, "|")
    print "LA_Person_Unique_Identifier,NHS_Number,Date_of_Birth,Gender,Ethnicity,Service_Type,Event_Start_Date,Event_End_Date"
    for (i = 0; i < 200; i++)
        printf "P%05d,,%d-%02d-%02d,%s,\"%s\",%s,2026-%02d-01,\n", i, 1930 + int(rand() * 60),
            int(rand() * 12) + 1, int(rand() * 28) + 1, i % 2 ? "Female" : "Male",
            eth[i % n + 1], svc[i % m + 1], i % 9 + 1
}' > asc_cld_2026q3.csv

# School census: no ULN or UPRN column; extended ethnicity codes.
awk "$upn_awk"' BEGIN {
    srand(11); split("WENG WSCO AMPK AKPA BNGN CHKC OVIE MWAP REFU WBRI", eth, " ")
    print "upn,surname,forename,dob,sex,ethnicity,postcode,senprovision,entrydate"
    for (i = 0; i < 150; i++)
        printf "%s,Pupil%d,Kim%d,%d-%02d-%02d,%s,%s,LS20 1EF,%s,05/09/20%02d\n", upn(555000 + i), i, i,
            2010 + int(rand() * 10), int(rand() * 12) + 1, int(rand() * 28) + 1, i % 2 ? "F" : "M",
            eth[i % 10 + 1], substr("NNKE", i % 4 + 1, 1), 19 + i % 6
}' > school_census.csv
cd "$scratch"

run cohort check council.conf
expect_rc 0 "check passes on the worked job"
expect_out "field.uln: the profile's optional column 'uniquelearnernumber' is not in the header" \
    "check notes the profile's optional columns that are absent"
run cohort run council.conf
expect_rc 0 "the worked job publishes, no file edited first"
awk '/^source / { if ($3 == 0 || $8 * 100 > $3) bad = 1; n++ } END { exit bad || n != 5 }' "$out"
check '[ $? -eq 0 ]' "every source read, none over 1 % quarantined"
check 'grep -q "^source pupils: 150 rows in, 150 accepted" "$out"' \
    "the school census file without its optional columns reads whole"
check 'grep -q "^source adults: 200 rows in, 200 accepted" "$out"' \
    "every CLD label, colon or dash, maps through the shipped code list"
check 'grep -q "^source housing: 300 rows in, 300 accepted" "$out"' \
    "both date formats and every tenure code of the housing files map"
check '[ -f "$scratch/out/latest/quality.csv" ] && ! grep -q "^housing,dropped:invalid_dob" "$scratch/out/latest/quality.csv"' \
    "no date of birth is dropped: each format is tried"
run cohort rules council.conf
check 'grep -q "'"'"'TA: nightly'"'"' -> temporary_accommodation" "$out" && grep -q "'"'"'Social, general needs'"'"' -> social_tenancy" "$out"' \
    "the rules show the tenure codes with a colon and a comma"
check 'grep -q "service <- column LS" "$out" && grep -q "'"'"'C2'"'"' -> looked_after" "$out"' \
    "the episodes' service column replaces the profile's fixed service"
check '! grep -q "postcode <- column postcode" "$out"' "field.postcode = leaves the census postcode unread"

# ---- each key on its own ----
base() { # base SOURCE-LINES...: a one-source job over in/x.csv
    printf '[job]\nname = t\nreference_date = 2026-10-31\nperiods = 3\nkey_file = council.key\noutput_dir = out_t\nlookup = config/lookups/postcodes.csv\n\n[source s]\npath = in/x.csv\n'
    printf '%s\n' "$@"
    printf '\n[cohort c]\nwhere = all\n'
}
mkdir in
# date formats tried in order; a value two formats read differently is
# counted as ambiguous, and the first one's date is used
printf 'NAME,DOB,SVC,START\nAnn,03/04/2001,TA,2026-01-05\nBo,25/04/2001,TA,2026-01-05\nCy,04/13/2001,TA,2026-01-05\n' > in/x.csv
base 'department = housing' 'date_format.dob = %d/%m/%Y, %m/%d/%Y' 'field.forename = NAME' \
    'field.dob = DOB' 'field.service = SVC' 'field.start_date = START' 'value.service.TA = temporary_accommodation' > t.conf
run cohort check t.conf
expect_rc 0 "date formats in order: every date of birth reads"
expect_out "dob: 1 dates more than one date_format reads as different dates" \
    "an ambiguous date of birth is counted"
check '! grep -q "invalid_dob" "$out"' "no date of birth dropped"
run cohort run t.conf
expect_err "s: 1 dob values more than one date_format reads as different dates" \
    "the run logs the ambiguous dates"
base 'department = housing' 'date_format.postcode = %d/%m/%Y' 'field.dob = DOB' > bad.conf
run cohort check bad.conf
expect_rc 2 "date_format.FIELD is for dates only"
expect_err "bad.conf:12: key 'date_format.postcode': a date format is set for dob, start_date or end_date" \
    "the error names the line and the key"
base 'department = housing' 'date_format = %d/%m/%Y, %d/%m' 'field.dob = DOB' > bad.conf
run cohort check bad.conf
expect_rc 2 "a format without a year is refused"

# value_map: a file with a BOM, quoted codes, a comma; a bad value names
# the list's line; a shipped list by its name; a colon in a value.* key
printf '\357\273\277code,value\r\n"Asian or Asian British: Pakistani",ASIAN\r\n"Black, Black British, Caribbean or African - African",BLACK\r\n' > eth.csv
printf 'NAME,DOB,ETH,START\nAnn,2001-03-04,Asian or Asian British: Pakistani,2026-01-05\nBo,2001-03-04,"Black, Black British, Caribbean or African - African",2026-01-05\nCy,2001-03-04,White: Roma,2026-01-05\nDi,2001-03-04,Any Other,2026-01-05\n' > in/x.csv
base 'department = housing' 'service = temporary_accommodation' 'field.forename = NAME' 'field.dob = DOB' \
    'field.ethnicity = ETH' 'field.start_date = START' 'value_map.ethnicity = eth.csv' \
    'value.ethnicity.White: Roma = WHITE' 'value.ethnicity.Any Other = OTHER' > t.conf
run cohort check t.conf
expect_rc 0 "a code list file and keys with a colon map every label"
expect_out "4 accepted, 0 quarantined" "no row unmapped"
printf 'code,value\nAsian,ASIAN\n"B, C",NOTANETHNICITY\n' > eth.csv
run cohort check t.conf
expect_rc 2 "a code list value that is not canonical is a config error"
expect_err "t.conf:17: code list 'eth.csv' line 3: expected WHITE, MIXED, ASIAN, BLACK, OTHER or UNKNOWN" \
    "the error names the job file's line, the list and its line"
check '! grep -q "B, C" "$err"' "and not the code"
base 'department = housing' 'value_map.ethnicity = cld_ethnicty' 'field.dob = DOB' > bad.conf
run cohort check bad.conf
expect_rc 2 "an unknown shipped list is refused"
expect_err "cld_ethnicity, cld_service_type, dfe_ethnicity" "the error lists the shipped lists"
mkfifo fifo.csv
base 'department = housing' 'value_map.ethnicity = fifo.csv' 'field.dob = DOB' > bad.conf
run cohort check bad.conf
expect_rc 2 "a FIFO as code list is refused, not waited on"
expect_err "code list 'fifo.csv': not a regular file" "the error says why"
base 'department = housing' 'service = temporary_accommodation' 'field.forename = NAME' 'field.dob = DOB' \
    'field.ethnicity = ETH' 'field.start_date = START' 'value_map.ethnicity = cld_ethnicity' > t.conf
printf 'NAME,DOB,ETH,START\nAnn,2001-03-04,Asian or Asian British - Pakistani,2026-01-05\nBo,2001-03-04,White: Roma,2026-01-05\n' > in/x.csv
run cohort check t.conf
expect_out "2 accepted, 0 quarantined" "a shipped list named in value_map maps both spellings"

# profiles: every key of the [source] overrides them
printf 'CHILD,DECOM,DEC,HOME_POST,LS\nC1,01/02/2026,,LS20 1BY,C2\n' > in/x.csv
base 'profile = ssda903_episodes' 'role = header' 'field.dob = DECOM' 'service =' > t.conf
run cohort check t.conf
expect_rc 2 "service = drops the profile's fixed service (then one is needed)"
expect_err "needs 'field.service'" "the error says a service is needed"
base 'profile = ssda903_episodes' 'role = header' 'field.dob = DECOM' 'field.service = LS' \
    'value.service.C2 = looked_after' 'field.postcode =' > t.conf
run cohort check t.conf
expect_rc 0 "field.service replaces the profile's fixed service"
run cohort rules t.conf
check 'grep -q "service <- column LS" "$out" && ! grep -q "postcode <- column" "$out"' \
    "the service column is read and field.postcode = unmaps the profile's"
printf 'upn,surname,forename,dob,sex,ethnicity,postcode,senprovision,entrydate\n' > in/x.csv
printf 'A00000000001X,S,K,2012-01-01,F,WENG,LS20 1BY,N,2019-09-05\n' >> in/x.csv
# (its UPN has no valid check letter: dropped, which one row of one may be)
base 'profile = school_census' 'max_drop_rate = 100%' > t.conf
run cohort check t.conf
expect_rc 0 "the school census profile reads a file without its optional columns"
expect_out "field.uprn: the profile's optional column 'uniquepropertyreferencenumber' is not in the header" \
    "check notes the absent optional column"
printf 'upn,surname,forename,dob,sex,ethnicity,postcode,entrydate\nA00000000001X,S,K,2012-01-01,F,WENG,LS20 1BY,2019-09-05\n' > in/x.csv
run cohort check t.conf
expect_rc 1 "a required profile column missing still fails"
expect_err "field.service: column 'senprovision' is not in the header" "and is named"

# The compiled code lists are config/lookups' files.
check 'sh "$COHORT_TOP/scripts/gen-codelists" | cmp -s - "$COHORT_TOP/transform/codelist_data.c"' \
    "transform/codelist_data.c is scripts/gen-codelists' output (run it after changing a list)"
check 'grep -q "^dfe_ethnicity.csv" "$COHORT_TOP/config/lookups/codelists.txt" && grep -q "^cld_ethnicity.csv" "$COHORT_TOP/config/lookups/codelists.txt"' \
    "config/lookups/codelists.txt names each list's source and licence"
finish
