#!/usr/bin/env bash
# bq-metrics through the fault proxy: throttling and server errors in the
# middle of ListMetrics and GetMetricData paging, and on PutMetricData, are
# retried and lose (or duplicate) nothing: the output is the same as without
# faults.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
python3 -c 'import boto3' 2>/dev/null || { skip "no boto3 to seed metrics"; exit 0; }
[ -f "$TOP/tests/peer/faultproxy.py" ] || { skip "no fault proxy yet"; exit 0; }

cat >"$T/rules" <<'EOF'
# page 2 and page 5 of GetMetricData are throttled once each, page 8 fails
GetMetricData throttle seq=0,1,0,0,0,1
GetMetricData 500 seq=0,0,0,0,0,0,0,0,0,1
ListMetrics throttle seq=1
PutMetricData throttle seq=1
# never ends
DescribeAlarms throttle
EOF
peer_start --faults "$T/rules" || { not_ok "peers start"; exit 1; }
now=$(date +%s)
A=$(( now / 300 * 300 - 3300 ))
E=$(( A + 3000 ))
python3 "$TOP/tests/cli/metrics_seed.py" seed --anchor "$A" --out "$T/samples" || { not_ok "seed"; exit 1; }

args=(--since "@$A" --until "@$E" --max-datapoints 7)
run bq bq-metrics "${args[@]}"
check_rc 0 "get without faults"
cp "$T/out" "$T/clean"
check_eq "$(wc -l <"$T/clean")" 100 "100 datapoints over 15 pages"

run bq bq-metrics "${args[@]}" --endpoint-url "$BQ_FAULT_URL"
check_rc 0 "get through throttling and a 500 mid-paging"
check_file_eq "$T/out" "$T/clean" "same records, same order: nothing lost, nothing repeated"
check_eq "$(jq -s '[.[] | select(.fault != null)] | map(.operation + ":" + .fault) | join(" ")' -r "$BQ_PEER_DIR/faults.ndjson")" \
	"ListMetrics:throttle GetMetricData:throttle GetMetricData:throttle GetMetricData:500" \
	"the proxy did throttle ListMetrics and GetMetricData pages and failed one"

run bq bq-metrics "${args[@]}" --endpoint-url "$BQ_FAULT_URL" \
	--assert 'count(Invocations) == 20'
check_rc 0 "assertions through the proxy"

printf '{"kind":"datapoint","metric":"Retried","value":7}\n' >"$T/in"
run bq bq-metrics put --namespace BQ/Faults --endpoint-url "$BQ_FAULT_URL" <"$T/in"
check_rc 0 "put through a throttled PutMetricData"
check_file_eq "$T/out" "$T/in" "the record passes through once"
run bq bq-metrics --namespace BQ/Faults --since 10m --period 10m --stat count
check_eq "$(jq -s 'map(.value) | add' "$T/out")" 1 "and was stored once"

# Failing for good: every attempt throttled is status 1 with the AWS code,
# after exactly --max-attempts requests.
n0=$(grep -c '"operation":"DescribeAlarms"' "$BQ_PEER_DIR/faults.ndjson")
run bq bq-metrics alarms --endpoint-url "$BQ_FAULT_URL" --max-attempts 2
check_rc 1 "throttled on every attempt: status 1"
check_grep "Throttling" "$T/err" "with the service's error code"
check_eq "$(( $(grep -c '"operation":"DescribeAlarms"' "$BQ_PEER_DIR/faults.ndjson") - n0 ))" 2 \
	"after exactly 2 attempts"
