#!/usr/bin/env bash
# make bench's harness in its tiny form (BENCH_QUICK=1, ~30 s): it must run
# to the end against the local peers and print every table row.  Nothing
# here looks at a timing.
source "$(dirname "$0")/../lib.sh"

for prog in aws jq python3; do
	if ! command -v "$prog" >/dev/null 2>&1; then
		skip "bench smoke: no $prog on PATH (the bench compares against it)"
		exit 0
	fi
done
if ! aws --version 2>&1 | grep -q '^aws-cli/1\.'; then
	skip "bench smoke: aws is not the AWS CLI v1 (v2 ignores AWS_ENDPOINT_URL; testing-peers.md 5)"
	exit 0
fi

BENCH_QUICK=1 BENCH_CACHE=$T/cache BENCH_OUT=$T/bench.json \
	timeout 170 bash "$TOP/bench/run" >"$T/out" 2>"$T/err"
rc=$?
check_rc 0 "bench: BENCH_QUICK=1 bash bench/run exits 0"
[ "$rc" = 0 ] || tail -20 "$T/err" | sed 's/^/#   /'

# (1) start-up plus one call: one row per tool, and each made its one request
for row in 'no call: --version' 'metrics list / cloudwatch list-metrics' \
	'logs --log-group 1h / logs filter-log-events' 'trail 20m / cloudtrail lookup-events' \
	'trace --summaries 1h / xray get-trace-summaries' \
	'judge 1 record / bedrock-runtime converse' 'cost report 7d / ce get-cost-and-usage'; do
	check_grep "^\| $row \|" "$T/out" "bench (1) row: $row"
done
# Each API row reports the requests both sides made.  Exactly one each is
# what a quiet machine shows; under load a client may retry a slow answer,
# which is the client doing its job, not a fault of the harness.
n=$(grep -cE '^\| [a-z]+ .* \| [1-9][0-9]*/[1-9][0-9]* \| ' "$T/out")
check_eq "$n" 6 "bench (1): the six API rows report the requests bq and aws made"
one=$(grep -cE '^\| [a-z]+ .* \| 1/1 \| ' "$T/out")
[ "$one" = 6 ] || skip "bench (1): $((6 - one)) API row(s) made more than one request this run (a retry under load)"

# (2) two sizes, five commands each, same record count for all
check_eq "$(grep -c '^[0-9]* hours\?: [0-9]* objects' "$T/out")" 2 "bench (2): two data sizes"
for row in 'bq-logs --s3' 'aws s3 cp \+ zcat \\\| jq -c \.' 'bq-logs --file \(local objects\)' \
	'zcat \\\| jq -c \. \(local objects\)' 'zcat alone \(local objects\)'; do
	check_eq "$(grep -cE "^\| $row \| [0-9.]+ \|" "$T/out")" 2 "bench (2) rows at both sizes: $row"
done

# (3) bq-cost and the jq program agree at both sizes
check_eq "$(grep -cE '^\| [0-9]+ \| [0-9]+ \| .* \| yes \([0-9]+ models\) \| bq ' "$T/out")" 2 \
	"bench (3): bq-cost estimate and bench/cost.jq agree at both sizes"

# (4) the three concurrency levels
for j in 1 4 16; do
	check_grep "^\| $j \| [0-9.]+ \| [0-9.]+ \| [0-9]+% \|" "$T/out" "bench (4) row: -j $j"
done

# (5) memory growth and the machine
check_eq "$(sed -n '/^### (5)/,/^### Machine/p' "$T/out" | grep -c 'x |$')" 8 "bench (5): eight memory rows"
check_grep '^- 2 cores|^- [0-9]+ cores' "$T/out" "bench: prints the machine"
check_grep 'aws-cli/.*jq-.*Python' "$T/out" "bench: prints the versions of aws, jq and python"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["quick"] and d["results"]["startup"] else 1)' "$T/bench.json"; then
	ok "bench: BENCH_OUT holds the results as JSON"
else
	not_ok "bench: BENCH_OUT holds the results as JSON"
fi

# no peer left behind (the peers' command lines name the bench's work dir)
work=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["work"])' "$T/bench.json" 2>/dev/null)
if [ -z "$work" ]; then
	not_ok "bench: peers stopped at the end (no work dir in BENCH_OUT)"
elif pgrep -f "$work/" >/dev/null; then
	not_ok "bench: peers stopped at the end ($(pgrep -af "$work/" | head -3))"
else
	ok "bench: peers stopped at the end"
fi
