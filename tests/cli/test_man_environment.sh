#!/usr/bin/env bash
# bq(7) ENVIRONMENT names every variable interface.md section 2 says the
# tools honour, and every BQ_* variable a tool reads; each tool page's
# variables are in its own ENVIRONMENT too.
source "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || { skip "man environment: python3 missing"; exit 0; }

# .Ev names in the ENVIRONMENT section of a man page, one a line.
env_of() {
	awk '/^\.Sh ENVIRONMENT/ { e = 1; next } /^\.Sh / { e = 0 }
	     e && /^\.(It )?Ev / { sub(/^\.(It )?Ev /, ""); gsub(/ ,/, ""); gsub(/ \.$/, ""); print }' "$1" |
		tr ' ' '\n' | grep -E '^[A-Z][A-Z0-9_<>]+$' | sort -u
}
env_of "$TOP/man/bq.7" >"$T/bq7"

IFACE=$TOP/../shared/docs/interface.md
if [ -f "$IFACE" ]; then
	# The "Environment honoured" paragraph of section 2, names in backticks;
	# X[_FILE] is two names, the service ids in parentheses are suffixes of
	# AWS_ENDPOINT_URL_.
	python3 - "$IFACE" >"$T/want" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
para = text.split("Environment honoured", 1)[1].split("\n\n", 1)[0]
names = set()
svc = re.search(r"AWS_ENDPOINT_URL_<SERVICE>` \(([^)]*)\)", para)
for s in re.findall(r"`([A-Z][A-Z0-9_]+)`", svc.group(1) if svc else ""):
    names.add("AWS_ENDPOINT_URL_" + s)
if svc:
    para = para.replace(svc.group(0), "`AWS_ENDPOINT_URL_<SERVICE>`")
for m in re.finditer(r"`([A-Z][A-Z0-9_<>]*)(\[_FILE\])?`", para):
    names.add(m.group(1))
    if m.group(2):
        names.add(m.group(1) + "_FILE")
for n in sorted(names):
    print(n)
PY
	n=$(wc -l <"$T/want")
	[ "$n" -ge 32 ] && ok "interface.md section 2 lists $n variables" || not_ok "only $n variables found in interface.md"
	missing=$(comm -23 "$T/want" "$T/bq7" | tr '\n' ' ')
	check_eq "$missing" "" "bq(7) ENVIRONMENT has every variable of interface.md section 2"
else
	skip "interface.md not found at \$BQ_TOP/../shared/docs (the shared docs are not next to this clone)"
fi

# Every BQ_* variable the library reads is in bq(7).
grep -ohE 'getenv\("BQ_[A-Z0-9_]+"\)' "$TOP"/lib/*.c "$TOP"/cmd/*.c | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u >"$T/bqvars"
check_eq "$(wc -l <"$T/bqvars")" 2 "two BQ_ variables read by the tools ($(tr '\n' ' ' <"$T/bqvars"))"
check_eq "$(comm -23 "$T/bqvars" "$T/bq7" | tr '\n' ' ')" "" "bq(7) ENVIRONMENT has every BQ_ variable the tools read"
check_grep '^BQ_JUDGE_MODEL$' "$T/bq7" "BQ_JUDGE_MODEL in bq(7)"
env_of "$TOP/man/bq-judge.1" >"$T/judge"
check_grep '^BQ_JUDGE_MODEL$' "$T/judge" "BQ_JUDGE_MODEL in bq-judge(1) too"
env_of "$TOP/man/bq-trace.1" >"$T/trace"
check_eq "$(tr '\n' ' ' <"$T/trace")" "COLUMNS NO_COLOR " "bq-trace(1) names the variables bq-trace reads itself"
