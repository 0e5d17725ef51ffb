# tests/cli/households_truth.awk - the household counts the synth truth
# says (truth_households_SYNTHETIC_IDENTIFIERS.csv, app/synth_housing.h),
# computed from the truth alone, for tests/cli/households.sh. Prints
# "cohort,period,coord...,count" for every non-zero interior cell and
# "cohort,period,Total,count" for each period's total, for the cohorts of
# households.sh's job (24 months to 2026-10-31, default age bands).
function days(y, m, d,    era, yoe, doy, doe) {
    y -= (m <= 2)
    era = int((y >= 0 ? y : y - 399) / 400)
    yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    return era * 146097 + doe - 719468
}
function iso(s,    a) { if (s == "") return 2147483647; split(s, a, "-"); return days(a[1] + 0, a[2] + 0, a[3] + 0) }
function mlen(y, m) { return days(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - days(y, m, 1) }
function age(p, y, m, d,    a) { split(dob[p], a, "-"); return y - a[1] - ((m < a[2] + 0) || (m == a[2] + 0 && d < a[3] + 0)) }
BEGIN { FS = "," }
NR > 1 {
    n++; rc[n] = $1; rp[n] = $2; rl[n] = ($3 == "Y"); rt[n] = $4
    rs[n] = iso($5); re[n] = iso($6); dob[$2] = $7
    if (!($1 in seen)) { seen[$1] = 1; ncase++; cases[ncase] = $1 }
}
# state of case c over [s, e] with ages at (y, m, d): sets mem[] (persons),
# nm, and the composition; returns whether the household is in TA
function month(c, s, e, y, m, d,    i, p, ta, j) {
    delete mem; delete lead; nm = 0
    for (i = 1; i <= n; i++)
        if (rc[i] == c && rs[i] <= e && re[i] >= s) {
            p = rp[i]
            if (!(p in mem)) { mem[p] = 1; nm++ }
            if (rl[i]) lead[p] = 1
        }
    ta = 0; anyh = 0; child = 0; adults = 0; leads = 0; leadadult = 0; lead65 = 0
    for (p in mem) {
        for (j = 1; j <= n; j++)
            if (rp[j] == p && rs[j] <= e && re[j] >= s) {
                anyh = 1
                if (rt[j] == "TA") ta = 1
            }
        a = age(p, y, m, d)
        if (a < 18) child++; else adults++
        if (p in lead) { leads++; leadadult = a >= 18; if (a >= 65) lead65 = 1 }
    }
    return nm > 0 && ta
}
function sizel(k) { return k >= 5 ? "5 or more persons" : k == 1 ? "1 person" : k " persons" }
function childl(k) { return k == 0 ? "no children" : k == 1 ? "1 child" : k == 2 ? "2 children" : "3 or more children" }
function typel() {
    if (leads != 1 || !leadadult || adults > 2) return "other"
    if (adults == 1) return child ? "lone parent" : "single adult"
    return child ? "couple with children" : "couple"
}
function add(key) { cnt[key]++ }
END {
    # 24 months to 2026-10, and the one before and after
    for (i = -1; i <= 24; i++) {
        mm = 11 + i - 1; yy = 2024 + int(mm / 12); mm = mm % 12 + 1
        Y[i] = yy; M[i] = mm; S[i] = days(yy, mm, 1); E[i] = S[i] + mlen(yy, mm) - 1
        P[i] = sprintf("%04d-%02d-01", yy, mm)
    }
    for (k = 1; k <= ncase; k++) {
        c = cases[k]
        for (i = -1; i <= 24; i++) {
            j = i < 0 ? 0 : i > 23 ? 23 : i
            ld = mlen(Y[j], M[j])
            in_ta[i] = month(c, S[i], E[i], Y[j], M[j], ld)
            if (i < 0 || i > 23) continue
            if (in_ta[i]) {
                add("ta_households," P[i] "," sizel(nm) "," childl(child)); add("ta_households," P[i] ",Total")
                add("ta_types," P[i] "," typel()); add("ta_types," P[i] ",Total")
            }
            if (nm > 0 && anyh && child > 0) { add("with_child," P[i] "," (in_ta[i] ? "yes" : "no")); add("with_child," P[i] ",Total") }
            if (nm > 0 && child == 0) add("all_adults," P[i] ",Total")
            if (lead65) add("lead_65," P[i] ",Total")
            # at_end: the household as it is on the month's last day
            if (month(c, E[i], E[i], Y[j], M[j], ld)) {
                add("ta_at_end," P[i] "," sizel(nm) "," childl(child)); add("ta_at_end," P[i] ",Total")
            }
        }
        for (i = 0; i <= 23; i++) {
            if (in_ta[i] && !in_ta[i - 1]) add("ta_new," P[i] ",Total")
            if (in_ta[i] && !in_ta[i + 1]) add("ta_ended," P[i] ",Total")
        }
    }
    for (key in cnt) print key "," cnt[key]
}
