# hclic_truth.awk - from synth's truth_hclic.csv alone (case, table,
# service, start, end; ISO dates, end empty when open), the counts
# tests/cli/hclic.sh expects of its job, one line per table and month:
#   in_ta,YYYY-MM-01,N   cases with a placement open on the month's last day
#   relief,YYYY-MM-01,N  cases owed a relief duty some day of the month
#   ta_relief,YYYY-MM-01,N  cases of the first kind that are also of the
#                        second (a service flag by column's yes row)
# for the `periods` months ending with `ref` (YYYY-MM).
BEGIN { FS = "," }
NR > 1 { n++; c[n] = $1; t[n] = $2; s[n] = $3; b[n] = $4; e[n] = $5 }
function mdays(y, m) {
    if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
    return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31
}
END {
    split(ref, r, "-"); y = r[1] + 0; m = r[2] + 0
    for (p = 0; p < periods; p++) {
        first = sprintf("%04d-%02d-01", y, m)
        last = sprintf("%04d-%02d-%02d", y, m, mdays(y, m))
        delete ta; delete rl; nta = 0; nrl = 0; nboth = 0
        for (i = 1; i <= n; i++) {
            if (t[i] == "ta" && b[i] <= last && (e[i] == "" || e[i] >= last) && !(c[i] in ta)) { ta[c[i]] = 1; nta++ }
            if (s[i] == "relief_duty" && b[i] <= last && (e[i] == "" || e[i] >= first) && !(c[i] in rl)) { rl[c[i]] = 1; nrl++ }
        }
        for (k in ta) if (k in rl) nboth++
        print "in_ta," first "," nta
        print "ta_relief," first "," nboth
        print "relief," first "," nrl
        if (--m == 0) { m = 12; y-- }
    }
}
