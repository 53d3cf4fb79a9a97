#!/usr/bin/env bash
# Against the peers with the sample world: first, every model's default
# metrics over the world's window equal the world's ground truth
# (metrics.ndjson, Values/Counts expanded; the world's cache-metric spelling
# discovered) and whole-window p99s are exact; then every EXAMPLES block of
# man/bq-metrics.1 runs as written there and its result is checked against
# the ground truth.  Checks use the window each record names, so they do not
# depend on when the test runs.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
peer_start --world --seed 3 --records 200 || { not_ok "peers start with the world"; exit 1; }
SEED="python3 $TOP/tests/cli/metrics_seed.py"
W=$BQ_PEER_DIR/world
$SEED world --world "$W" --out "$T/samples"
epoch() { date -u -d "$1" +%s; }

# --- the world's ground truth ------------------------------------------------
S=$(epoch "$(jq -r .window_start "$W/manifest.json")")
E=$(epoch "$(jq -r .window_end "$W/manifest.json")")
mapfile -t models < <(jq -r 'select(.dimensions.ModelId != null and (.dimensions | length) == 1) | .dimensions.ModelId' "$T/samples" | LC_ALL=C sort -u)
mapfile -t cache < <(jq -r 'select(.metric | startswith("Cache")) | .metric' "$T/samples" | LC_ALL=C sort -u)
check_eq "${#cache[@]}" 2 "the world has two cache metrics (${cache[*]})"
series=()
for m in "${models[@]}"; do
	for x in Invocations:Sum InvocationLatency:Average TimeToFirstToken:Average \
		InvocationClientErrors:Sum InvocationServerErrors:Sum InvocationThrottles:Sum \
		InputTokenCount:Sum OutputTokenCount:Sum "${cache[@]/%/:Sum}"; do
		series+=("$m|${x%%:*}|${x##*:}")
	done
done
$SEED expect --samples "$T/samples" --start "$S" --end "$E" --period 300 \
	--series "${series[@]}" >"$T/want"
run bq bq-metrics --since "@$S" --until "@$E"
check_rc 0 "get over the world's window"
check_eq "$(jq -r .model_id "$T/out" | LC_ALL=C sort -u | wc -l)" "${#models[@]}" \
	"every model of the world (${#models[@]}, profiles included)"
check_eq "$($SEED compare "$T/want" "$T/out")" ok \
	"all $(wc -l <"$T/want") datapoints equal the world's ground truth, in order"
mapfile -t p99s < <(for m in "${models[@]}"; do echo "$S $E $m|InvocationLatency|p99"; done |
	$SEED windows --samples "$T/samples")
asserts=()
for i in "${!models[@]}"; do
	[ "${p99s[$i]}" = nodata ] && continue
	run bq bq-metrics --since "@$S" --until "@$E" --model "${models[$i]}" \
		--assert "p99(InvocationLatency) == ${p99s[$i]}" --assert "p99(InvocationLatency) < ${p99s[$i]}"
	asserts+=("$rc:$(jq -r .ok "$T/out" | tr '\n' ,)")
done
check_eq "$(printf '%s\n' "${asserts[@]}" | sort -u)" "4:true,false," \
	"for every model (${#asserts[@]}), the window p99 equals the ground truth (== holds, < fails)"

# --- the examples -------------------------------------------------------------

# Extract the literal blocks of EXAMPLES: one example per block.
mkdir -p "$T/ex"
awk -v dir="$T/ex" '
	/^\.Sh EXAMPLES/ { e = 1; next }
	/^\.Sh / { e = 0 }
	e && /^\.Bd -literal/ { b = 1; n++; next }
	e && /^\.Ed/ { b = 0; next }
	e && b { sub(/\\e$/, "\\"); print > (dir "/" n ".sh") }
' "$TOP/man/bq-metrics.1"
n=$(ls "$T/ex"/*.sh | wc -l)
check_eq "$n" 7 "seven examples in the man page"
ex() { # N: runs example N in $T/ex, status in rc
	(cd "$T/ex" && PATH="$BQ_BIN:$PATH" bash "$N.sh" >"$N.out" 2>"$N.err"); rc=$?
}

# 1: per-period p99 of one model
N=1 ex
check_eq "$rc" 0 "example 1 runs"
jq -r '"\(.ts) \(.value)"' "$T/ex/1.out" >"$T/ex1.tv"
while read -r ts v; do
	s=$(epoch "$ts"); echo "$s $((s + 300)) anthropic.claude-3-haiku-20240307-v1:0|InvocationLatency|p99"
done <"$T/ex1.tv" | $SEED windows --samples "$T/samples" >"$T/ex1.want"
cnt=$(wc -l <"$T/ex1.tv")
bad=$(paste -d' ' "$T/ex1.tv" "$T/ex1.want" | awk '{ d = $2 - $3; if (d < 0) d = -d; if ($3 == "nodata" || d > 1e-9) n++ } END { print n + 0 }')
check_eq "$bad:$([ "$cnt" -gt 0 ] && echo some)" "0:some" "example 1: every period's p99 is the ground truth ($cnt periods)"
check_eq "$(jq -r '[.metric, .stat, .period, .unit] | @tsv' "$T/ex/1.out" | sort -u)" \
	"$(printf 'InvocationLatency\tp99\t300\tMilliseconds')" "example 1: p99 of InvocationLatency per 5 minutes"

# 2: hourly table with sparklines
N=2 ex
check_eq "$rc" 0 "example 2 runs"
models=$(jq -r 'select(.metric=="Invocations" and (.dimensions|length)==1) | .dimensions.ModelId' "$T/samples" | sort -u | wc -l)
check_eq "$(grep -c '^series ' "$T/ex/2.out")" $((2 * models)) "example 2: a row per model and metric ($models models)"
check_grep '^kind +model_id +metric +stat +period +points .* plot$' "$T/ex/2.out" "example 2: table header with a plot column"

# 3: the models CloudWatch lists
N=3 ex
check_eq "$rc" 0 "example 3 runs"
check_eq "$(sort "$T/ex/3.out" | tr '\n' ' ')" \
	"$(jq -r 'select(.metric=="Invocations" and (.dimensions|length)==1) | .dimensions.ModelId' "$T/samples" | sort -u | tr '\n' ' ')" \
	"example 3: one ModelId per line, every model of the world"

# 4: the CI gate
N=4 ex
fails=$(jq -s 'map(select(.ok == false)) | length' "$T/ex/4.out")
check_eq "$rc" "$([ "$fails" -gt 0 ] && echo 4 || echo 0)" "example 4: status 4 exactly when an assertion is false ($fails false)"
check_eq "$(grep -c 'assertion failed for model' "$T/ex/4.err")" "$fails" "example 4: each failure on stderr"
jq -r '[(.expr | split("(")[0]), .model_id, .since, .until, (.values | to_entries[0].value // "null")] | @tsv' \
	"$T/ex/4.out" >"$T/ex4.rec"
while IFS=$'\t' read -r expr model since until val; do
	case $expr in p99*) m=InvocationLatency st=p99 ;; *) m=InvocationThrottles st=Sum ;; esac
	echo "$(epoch "$since") $(epoch "$until") $model|$m|$st"
done <"$T/ex4.rec" | $SEED windows --samples "$T/samples" >"$T/ex4.want"
# No data: a sum counts as 0, a p99 has no value (null in the record).
bad=$(paste "$T/ex4.rec" "$T/ex4.want" | awk -F'\t' '{
	w = $6; if (w == "nodata") w = ($1 ~ /^sum/) ? 0 : "null"
	if (w == "null" || $5 == "null") { if (w != $5) n++; next }
	d = $5 - w; if (d < 0) d = -d; if (d > 1e-9) n++ } END { print n + 0 }')
check_eq "$bad" 0 "example 4: every measured value is the ground truth over the record's window"

# 5: judge scores to CloudWatch, then a gate on them
if ! "$BQ_BIN/bq-logs" --help >/dev/null 2>&1 || ! "$BQ_BIN/bq-judge" --help >/dev/null 2>&1; then
	skip "example 5: bq-logs and bq-judge are not both built"
else
	N=5 ex
	check_grep '"kind":"judgment"' "$T/ex/judged.ndjson" "example 5: judgments passed through to judged.ndjson"
	fails=$(jq -s 'map(select(.ok == false)) | length' "$T/ex/5.out")
	check_eq "$rc" "$([ "$fails" -gt 0 ] && echo 4 || echo 0)" "example 5: status follows the gate ($fails false)"
	got=$(jq -r '[.dimensions.ModelId // "-", .dimensions.Rubric, .values["avg(JudgeScore)"]] | @tsv' "$T/ex/5.out" | sort)
	want=$(jq -rs --arg s "$(jq -r .since "$T/ex/5.out" | head -1)" --arg u "$(jq -r .until "$T/ex/5.out" | head -1)" '
		map(select(.score != null and .ts >= $s and .ts < $u))
		| group_by([.model_id, .rubric])[]
		| [.[0].model_id // "-", .[0].rubric, (map(.score) | add / length)] | @tsv' "$T/ex/judged.ndjson" | sort)
	same=$(python3 - "$got" "$want" <<'EOF'
import sys
g = [l.split("\t") for l in sys.argv[1].splitlines() if l]
w = [l.split("\t") for l in sys.argv[2].splitlines() if l]
ok = len(g) == len(w) and len(g) > 0 and all(a[:2] == b[:2] and abs(float(a[2]) - float(b[2])) < 1e-9 for a, b in zip(g, w))
print("same" if ok else "differ:\n%s\n--\n%s" % (sys.argv[1], sys.argv[2]))
EOF
)
	check_eq "$same" same "example 5: each model's mean score in CloudWatch equals the judged records'"
fi

# 6: client-side latency as a custom metric
if ! "$BQ_BIN/bq-logs" --help >/dev/null 2>&1; then
	skip "example 6: bq-logs is not built"
else
	N=6 ex
	check_eq "$rc" 0 "example 6 runs"
	sent=$(sed -n 's/.*: \([0-9]*\) datapoints\{0,1\} sent to BQ\/App.*/\1/p' "$T/ex/6.err")
	check_eq "$(grep -cE '^[0-9a-f-]{36}$' "$T/ex/6.out"):$(grep -c . "$T/ex/6.out")" "$sent:$sent" \
		"example 6: one request id printed per datapoint sent ($sent)"
	run bq bq-metrics --namespace BQ/App --since 2h --period 2h --metric Latency --stat count
	check_eq "$(jq -s 'map(.value) | add' "$T/out")" "$sent" "example 6: CloudWatch counts them all"
	check_eq "$(jq -r '.dimensions | keys | join(",")' "$T/out" | sort -u)" ModelId \
		"example 6: Latency has a ModelId dimension"
fi

# 7: recommended alarms, then the table of alarms
N=7 ex
check_eq "$rc" 0 "example 7 runs"
check_eq "$(grep -c '"kind":"alarm"' "$T/ex/7.out")" 6 "example 7: 6 alarms created and listed"
check_eq "$(grep -c '^alarm ' "$T/ex/7.out")" 6 "example 7: and 6 rows in the table"
