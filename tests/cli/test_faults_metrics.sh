#!/usr/bin/env bash
# Fault suite (issue 12), bq-metrics: get, list and put through ~30%
# transient faults (tests/cli/faults_lib.sh) print exactly what a
# fault-free run prints; put stores every datum exactly once (what the
# proxy did to each PutMetricData is in its log); faults that never end
# give status 1 with the service's error code after exactly --max-attempts
# requests.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-metrics

peer_start --world --records 120 || { not_ok "peers start"; exit 1; }
M=$BQ_PEER_DIR/world/manifest.json
WS=$(jq -r .window_start "$M") WE=$(jq -r .window_end "$M")
fault_rules_transient "$T/rules"

# --- get: about 12 GetMetricData pages a run ---
get=(bq bq-metrics get --since "$WS" --until "$WE" --max-datapoints 40)
run "${get[@]}"
check_rc 0 "get without faults"
cp "$T/out" "$T/clean.get"
n=$(grep -c . "$T/clean.get")
[ "$n" -gt 100 ] && ok "get: $n datapoints to compare" || not_ok "get: only $n datapoints"
fault_proxy "$T/rules"
through_faults "get" "$T/clean.get" 20 -- "${get[@]}"
check_kinds "get"

# --- list: one ListMetrics call per run, so several runs ---
run bq bq-metrics list
check_rc 0 "list without faults"
cp "$T/out" "$T/clean.list"
fault_proxy "$T/rules"
through_faults "list" "$T/clean.list" 8 -- bq bq-metrics list

# --- put: 5 batches of 1000 (PutMetricData's limit), one metric per batch ---
# Every fault kind hits one PutMetricData in turn.  throttle, 503, reset
# never reach CloudWatch; a truncated answer and one held past the read
# timeout come after CloudWatch stored the batch.
now=$(date +%s)
python3 - "$now" >"$T/put.in" <<'EOF'
import json, sys
now = int(sys.argv[1]) // 60 * 60
for b in range(5):
    for i in range(1000):
        print(json.dumps({"kind": "datapoint", "metric": "Batch%d" % b, "value": i % 7,
                          "ts": now - 3600 + (i % 50) * 60}, separators=(",", ":")))
EOF
# A 2xx whose body is cut short is success (the client does not resend a
# call whose answer it ignores), so the truncated batch takes one request.
cat >"$T/put.rules" <<'EOF'
PutMetricData throttle seq=1
PutMetricData reset seq=0,0,1
PutMetricData 503 seq=0,0,0,0,1
PutMetricData truncate seq=0,0,0,0,0,0,1
PutMetricData slow seq=0,0,0,0,0,0,0,1 delay=4
EOF
fault_proxy "$T/put.rules"
# --read-timeout 3: a slow but real answer to 1000 data must not be
# mistaken for the held one (it would be stored twice)
run bq bq-metrics put --namespace BQ/Faults --endpoint-url "$FP_URL" --max-attempts 10 --read-timeout 3 <"$T/put.in"
check_rc 0 "put through one fault of each kind"
jq -c 'del(.namespace)' "$T/out" >"$T/put.out"
check_file_eq "$T/put.out" "$T/put.in" "put: every record passes through once, in order"
check_eq "$(jq -r 'select(.fault) | .fault' "$FP_LOG" | tr '\n' ' ')" "throttle reset 503 truncate slow " \
	"put: the proxy answered one PutMetricData with each fault ($(fault_summary))"
# the held request reaches CloudWatch when the proxy lets it go: wait
# until the front has seen every PutMetricData the proxy forwarded
fwd=$(jq -s '[.[] | select(.operation == "PutMetricData" and (.fault == null or .fault == "truncate" or .fault == "slow"))] | length' "$FP_LOG")
for ((i = 0; i < 200; i++)); do
	[ "$(grep -c '"PutMetricData"' "$BQ_PEER_DIR/requests.ndjson")" -ge "$fwd" ] && break
	sleep 0.05
done
# Stored datapoints per batch: SampleCount over the whole hour.
run bq bq-metrics get --namespace BQ/Faults --since "@$((now / 60 * 60 - 3660))" --until "@$((now / 60 * 60 + 60))" \
	--period 3720 --stat SampleCount --metric Batch0 --metric Batch1 --metric Batch2 --metric Batch3 --metric Batch4
check_rc 0 "read the published metrics back"
stored=$(jq -rs 'group_by(.metric) | map("\(.[0].metric)=\(map(.value) | add)") | join(" ")' "$T/out")
want="Batch0=1000 Batch1=1000 Batch2=1000 Batch3=1000 Batch4=1000"
check_eq "$(echo "$stored" | tr ' ' '\n' | grep -E '^Batch[0123]=' | tr '\n' ' ')" "Batch0=1000 Batch1=1000 Batch2=1000 Batch3=1000 " \
	"put: batches retried after throttle, reset, 503, and the truncated answer, are stored once"
if [ "$stored" = "$want" ]; then
	ok "put: batches whose answer was cut or late are stored once ($stored)"
else
	# PutMetricData has no idempotency token: a batch CloudWatch accepted
	# but whose answer was lost is sent again and counted twice.
	finding "bq-metrics put: a batch whose answer timed out is sent again and stored twice: CloudWatch holds $stored, want 1000 each"
fi

# --- faults that never end ---
persistent "get, 503 forever" "GetMetricData 503" ServiceUnavailable 2 GetMetricData -- \
	bq bq-metrics get --since "$WS" --until "$WE"
persistent "list, throttled forever" "ListMetrics throttle" Throttling 2 ListMetrics -- \
	bq bq-metrics list
# Resets forever, on a keep-alive connection that ListMetrics opened:
# libcurl resends a request whose reused connection died by itself
# ("Connection died, retrying a fresh connect"), unseen by the retry layer.
printf 'GetMetricData reset\n' >"$T/prules"
fault_proxy "$T/prules"
run bq bq-metrics get --since "$WS" --until "$WE" --endpoint-url "$FP_URL" --max-attempts 2
check_rc 1 "get, connection reset forever: status 1"
check_grep 'GetMetricData: connection lost' "$T/err" "get, connection reset forever: the message says the connection was lost"
n=$(fault_count reset GetMetricData)
if [ "$n" = 2 ]; then ok "get, connection reset forever: exactly 2 GetMetricData requests for --max-attempts 2"
else finding "get, connection reset forever: $n GetMetricData requests for --max-attempts 2 (libcurl resent the one on the reused connection: not counted, no backoff)"; fi

printf '{"kind":"datapoint","metric":"Never","value":1}\n' >"$T/one"
persistent "put, 503 forever" "PutMetricData 503" ServiceUnavailable 4 PutMetricData -- \
	bq bq-metrics put --namespace BQ/Faults <"$T/one"
