#!/usr/bin/env bash
# bq-metrics get and list against the local peers: seeded datapoints of
# several models and metrics come back exactly, in ascending time, with the
# models and the cache metric's spelling discovered; paging and batching use
# as few calls as the limits allow; tables, other namespaces, usage errors.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
python3 -c 'import boto3' 2>/dev/null || { skip "no boto3 to seed metrics"; exit 0; }
peer_start || { not_ok "peers start"; exit 1; }

SEED="python3 $TOP/tests/cli/metrics_seed.py"
now=$(date +%s)
A=$(( now / 300 * 300 - 3300 ))   # ten 5-minute buckets ending before now
E=$(( A + 3000 ))
$SEED seed --anchor "$A" --out "$T/samples" --bulk 260 || { not_ok "seed"; exit 1; }
ARN="arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
calls() { grep -c "\"operation\":\"$1\"" "$BQ_PEER_DIR/requests.ndjson"; }
mark() { cp "$BQ_PEER_DIR/requests.ndjson" "$T/req.before"; }
calls_since() { # OP: calls of OP since the last mark
	echo $(( $(calls "$1") - $(grep -c "\"operation\":\"$1\"" "$T/req.before") ))
}

# --- the default metric set of explicit models: exact values, in order ----
series=()
for m in "$ARN" m-alpha m-beta; do
	for x in Invocations:Sum InvocationLatency:Average InputTokenCount:Sum \
		CacheReadInputTokenCount:Sum; do
		series+=("$m|${x%%:*}|${x##*:}")
	done
done
# bq-metrics orders metrics as its default list, then discovered cache ones.
order() { # the series above in bq-metrics' order: model, default metric order
	for m in "$ARN" m-alpha m-beta; do
		printf '%s\n' "$m|Invocations|Sum" "$m|InvocationLatency|Average" \
			"$m|InputTokenCount|Sum" "$m|CacheReadInputTokenCount|Sum"
	done
}
mapfile -t series < <(order)
$SEED expect --samples "$T/samples" --start "$A" --end "$E" --period 300 \
	--series "${series[@]}" >"$T/want"
mark
run bq bq-metrics --since "@$A" --until "@$E" --model "$ARN" --model m-alpha --model m-beta
check_rc 0 "get with explicit models"
check_eq "$(python3 "$TOP/tests/cli/metrics_seed.py" compare "$T/want" "$T/out")" ok \
	"seeded datapoints of 3 models and 4 metrics come back exactly, ascending"
check_grep '"metric":"CacheReadInputTokenCount"' "$T/out" \
	"the cache metric is read under the name ListMetrics shows"
check_eq "$(calls_since GetMetricData)" 1 "one GetMetricData call for 3 models x 9 metrics"
check_eq "$(head -1 "$T/out" | jq -r .ts)" "$(date -u -d "@$A" +%Y-%m-%dT%H:%M:%SZ)" \
	"first datapoint at the window start"
check_eq "$(jq -r .ts "$T/out" | sort -c && echo sorted)" sorted "timestamps ascending"
check_eq "$(jq -r 'select(.model_id=="'"$ARN"'") | .dimensions.ModelId' "$T/out" | sort -u)" \
	"$ARN" "an ARN model id with ':' and '/' round-trips"

# --- models discovered with ListMetrics (paged: 263 models) --------------
mark
run bq bq-metrics --since "@$A" --until "@$E" --metric Invocations
check_rc 0 "get with discovered models"
check_eq "$(jq -r .model_id "$T/out" | sort -u | wc -l)" 263 \
	"every model ListMetrics shows (3 + 260 bulk), not the image or delivery metrics"
check_nogrep 'm-image' "$T/out" "a metric with extra dimensions names no model"
check_eq "$(calls_since ListMetrics)" 2 "ListMetrics followed over 2 pages (500 per page)"
check_eq "$(calls_since GetMetricData)" 1 "263 series in one GetMetricData call"
check_eq "$(jq -r 'select(.model_id=="bulk-259") | .value' "$T/out")" 260 "bulk model value"

# --- more than 500 series: batched ------------------------------------------
mark
run bq bq-metrics --since "@$A" --until "@$E" --metric Invocations --metric InputTokenCount
check_rc 0 "get 526 series"
check_eq "$(calls_since GetMetricData)" 2 "526 series take exactly 2 GetMetricData calls"
check_eq "$(jq -r 'select(.model_id=="bulk-007" and .metric=="InputTokenCount") | .value' "$T/out")" \
	70 "values of the second call map back to their series"
check_eq "$(wc -l <"$T/out")" $(( 2 * 260 + 3 * 10 * 2 )) "every datapoint of both calls"

# --- percentiles and several statistics, exact -----------------------------
$SEED expect --samples "$T/samples" --start "$A" --end "$E" --period 300 --series \
	"m-beta|InvocationLatency|p99" "m-beta|InvocationLatency|Maximum" \
	"m-beta|InvocationLatency|p50" "m-beta|InvocationLatency|SampleCount" >"$T/want"
run bq bq-metrics --since "@$A" --until "@$E" --model m-beta --metric InvocationLatency \
	--stat p99 --stat max --stat P50 --stat count
check_rc 0 "get with pNN statistics"
check_eq "$(python3 "$TOP/tests/cli/metrics_seed.py" compare "$T/want" "$T/out")" ok \
	"p99, Maximum, p50, SampleCount per period are exact"
check_eq "$(jq -r 'select(.stat=="SampleCount") | .unit' "$T/out" | sort -u)" Count \
	"SampleCount is a Count whatever the metric"

# --- paging through NextToken keeps order and loses nothing ---------------
mapfile -t series < <(order)
$SEED expect --samples "$T/samples" --start "$A" --end "$E" --period 300 \
	--series "${series[@]}" >"$T/want"
mark
run bq bq-metrics --since "@$A" --until "@$E" --model "$ARN" --model m-alpha --model m-beta \
	--max-datapoints 7
check_rc 0 "get with 7 datapoints per page"
check_eq "$(calls_since GetMetricData)" 15 "100 datapoints in 15 pages of 7"
check_eq "$(python3 "$TOP/tests/cli/metrics_seed.py" compare "$T/want" "$T/out")" ok \
	"pages cut query after query still merge into one ascending stream"

# --- a longer period, one bucket --------------------------------------------
run bq bq-metrics --since "@$A" --until "@$E" --model m-alpha --metric Invocations --period 1h
check_rc 0 "get --period 1h"
want=$(python3 - "$T/samples" "$A" "$E" <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
a, e = int(sys.argv[2]), int(sys.argv[3])
b = {}
for x in s:
    if x["metric"] == "Invocations" and x["dimensions"] == {"ModelId": "m-alpha"} and a // 3600 * 3600 <= x["ts"] < (e + 3599) // 3600 * 3600:
        b[x["ts"] // 3600 * 3600] = b.get(x["ts"] // 3600 * 3600, 0) + x["value"]
print(" ".join(str(int(b[k])) for k in sorted(b)))
EOF
)
check_eq "$(jq -r .value "$T/out" | tr '\n' ' ' | sed 's/ $//')" "$want" \
	"hourly sums over the window widened to whole hours"
check_eq "$(jq -r .period "$T/out" | sort -u)" 3600 "period 3600 in the records"

# --- table and sparklines ------------------------------------------------
run bq bq-metrics --since "@$A" --until "@$E" --model m-alpha --model m-beta \
	--metric Invocations --metric TimeToFirstToken -o table --plot
check_rc 0 "get -o table --plot"
check_eq "$(grep -c '^series' "$T/out")" 4 "one row per model and metric"
check_grep 'm-alpha +Invocations +Sum +300 +10 ' "$T/out" "row shows 10 points"
check_grep '▁.*█' "$T/out" "a sparkline with the lowest and highest block"
run bq bq-metrics --since "@$A" --until "@$E" --model m-alpha --metric Invocations --plot
check_eq "$(jq -r '[.points, .min, .max, .last, .total] | @tsv' "$T/out")" \
	"$(printf '10\t2\t11\t11\t65')" "series record: points, min, max, last, total"
check_eq "$(jq -r '.plot | length' "$T/out")" 10 "one sparkline column per period"

# --- another namespace: series are what ListMetrics shows ----------------
printf '%s\n' \
	'{"kind":"judgment","rubric":"correctness","model_id":"m-alpha","score":0.75}' \
	'{"kind":"judgment","rubric":"coherence","model_id":"m-alpha","score":0.5}' \
	| bq bq-metrics put --namespace BQ/GetTest -q >/dev/null
run bq bq-metrics --namespace BQ/GetTest --since 10m --period 1m
check_rc 0 "get in a custom namespace"
check_eq "$(jq -c '[.dimensions.Rubric, .value, .stat, has("unit")]' "$T/out" | sort | tr '\n' ' ')" \
	'["coherence",0.5,"Average",false] ["correctness",0.75,"Average",false] ' \
	"custom series found with all their dimensions, Average, no unit"

# --- list ------------------------------------------------------------------
run bq bq-metrics list --model m-beta
check_rc 0 "list --model"
check_eq "$(jq -r .metric "$T/out" | sort | tr '\n' ' ')" \
	"CacheReadInputTokenCount InputTokenCount InvocationLatency Invocations " \
	"list shows the model's metrics"
check_eq "$(head -1 "$T/out" | jq -c 'keys_unsorted')" '["kind","namespace","metric","dimensions"]' \
	"metric record keys"
run bq bq-metrics list --metric ModelInvocationLogsS3DeliverySuccess
check_eq "$(cat "$T/out")" \
	'{"kind":"metric","namespace":"AWS/Bedrock","metric":"ModelInvocationLogsS3DeliverySuccess","dimensions":{}}' \
	"a metric without dimensions, listed once"
run bq bq-metrics list --metric Invocations --jq .dimensions.ModelId
check_eq "$(wc -l <"$T/out")" 263 "every Invocations metric listed (263)"

# --- usage errors come before any call --------------------------------------
n0=$(wc -l <"$BQ_PEER_DIR/requests.ndjson")
run bq bq-metrics --since 1d --period 10s
check_rc 2 "sub-minute period over a day"
check_grep "3 hours" "$T/err" "and it says why"
run bq bq-metrics --period 90
check_rc 2 "period not a multiple of 60"
check_grep "multiple of 60" "$T/err" "says multiple of 60"
run bq bq-metrics --since 30d --period 1m
check_rc 2 "1m period past 15 days"
check_grep "15 days" "$T/err" "says 15 days"
run bq bq-metrics --stat median
check_rc 2 "unknown statistic"
check_grep "'median'" "$T/err" "names the statistic"
run bq bq-metrics --period 5x
check_rc 2 "bad period"
run bq bq-metrics --namespace ':x'
check_rc 2 "bad namespace"
check_eq "$(wc -l <"$BQ_PEER_DIR/requests.ndjson")" "$n0" "no request was sent for usage errors"
