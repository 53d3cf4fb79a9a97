#!/usr/bin/env bash
# bq-metrics put against the local peers: records round-trip through get,
# accepted records pass through to stdout after their batch was accepted,
# bad lines are status 5 with "stdin:N: reason" while the rest is sent,
# batches stay within PutMetricData's limits, judgments become JudgeScore
# with Rubric and ModelId, and a slow producer's records come out promptly.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
peer_start || { not_ok "peers start"; exit 1; }

now=$(date +%s)
# On a 10-minute boundary: the 10-minute sums below must not straddle one.
A=$(( now / 600 * 600 - 600 ))
ts() { date -u -d "@$1" +%FT%TZ; }
puts() { grep -c '"operation":"PutMetricData"' "$BQ_PEER_DIR/requests.ndjson"; }

# --- datapoints, judgments and plain records round-trip --------------------
{
	for i in 0 1 2 3 4; do
		printf '{"kind":"datapoint","ts":"%s","namespace":"AWS/Bedrock","metric":"Invocations","dimensions":{"ModelId":"m1"},"model_id":"m1","stat":"Sum","period":60,"value":%d,"unit":"Count"}\n' \
			"$(ts $((A + 60 * i)))" $((i * 10 + 1))
	done
	printf '{"kind":"judgment","ts":"%s","request_id":"r1","model_id":"m1","rubric":"correctness","score":0.75,"raw_score":4}\n' "$(ts $((A + 30)))"
	printf '{"kind":"judgment","ts":"%s","request_id":"r2","model_id":"m1","rubric":"correctness","score":0.25,"raw_score":2}\n' "$(ts $((A + 40)))"
	printf '{"kind":"invocation","ts":"%s","request_id":"r3","model_id":"m2","operation":"Converse","latency_ms":812.5}\n' "$(ts $((A + 50)))"
} >"$T/in"
head -7 "$T/in" >"$T/in.dp"
p0=$(puts)
run bq bq-metrics put --namespace BQ/PutTest <"$T/in.dp"
check_rc 0 "put datapoints and judgments"
check_file_eq "$T/out" "$T/in.dp" "accepted records pass through unchanged, in order"
check_grep "7 datapoints sent to BQ/PutTest in 1 PutMetricData call" "$T/err" "summary on stderr"
check_eq "$(( $(puts) - p0 ))" 1 "one PutMetricData call"

run bq bq-metrics --namespace BQ/PutTest --since "@$A" --until "@$((A + 600))" --period 1m \
	--metric Invocations --model m1
check_eq "$(jq -r '"\(.ts) \(.value)"' "$T/out" | tr '\n' ' ')" \
	"$(ts $A) 1 $(ts $((A+60))) 11 $(ts $((A+120))) 21 $(ts $((A+180))) 31 $(ts $((A+240))) 41 " \
	"put datapoints come back through get at their times and values"
check_eq "$(jq -r .dimensions.ModelId "$T/out" | sort -u)" m1 "with their dimensions"

run bq bq-metrics --namespace BQ/PutTest --since "@$A" --until "@$((A + 600))" --period 10m \
	--metric JudgeScore --stat avg --stat count
check_eq "$(jq -c '[.stat, .value, .dimensions]' "$T/out" | tr '\n' ' ')" \
	'["Average",0.5,{"ModelId":"m1","Rubric":"correctness"}] ["SampleCount",2,{"ModelId":"m1","Rubric":"correctness"}] ' \
	"judgments become JudgeScore with Rubric and ModelId"
run bq bq-metrics list --namespace BQ/PutTest --metric JudgeScore
check_eq "$(jq -c .dimensions "$T/out")" '{"ModelId":"m1","Rubric":"correctness"}' \
	"the judge metric's dimensions"

tail -1 "$T/in" >"$T/in.inv"
run bq bq-metrics put --namespace BQ/PutTest --value latency_ms --name Latency \
	--dimension ModelId=model_id --dimension Op=.operation --unit Milliseconds <"$T/in.inv"
check_rc 0 "put a plain record with --value, --name, --dimension, --unit"
run bq bq-metrics --namespace BQ/PutTest --since "@$A" --until "@$((A + 600))" --period 10m \
	--metric Latency --stat max
check_eq "$(jq -c '[.value, .dimensions]' "$T/out")" '[812.5,{"ModelId":"m2","Op":"Converse"}]' \
	"the value and dimensions come from the named fields"

# --- bad lines: status 5, the rest is sent ---------------------------------
{
	printf '{"kind":"datapoint","metric":"Good","value":1,"ts":"%s"}\n' "$(ts $((A + 60)))"
	printf 'this is not json\n'
	printf '{"kind":"datapoint","metric":"Good","value":"many","ts":"%s"}\n' "$(ts $((A + 60)))"
	printf '{"kind":"datapoint","metric":"Good","value":2,"ts":"2020-01-01T00:00:00Z"}\n'
	printf '{"kind":"datapoint","metric":"Good","value":3,"ts":"%s","dimensions":{"ModelId":""}}\n' "$(ts $((A + 60)))"
	printf '{"kind":"something","x":1}\n'
	printf '{"kind":"datapoint","metric":"Good","value":4,"ts":"%s","unit":"Parsecs"}\n' "$(ts $((A + 60)))"
	printf '{"kind":"datapoint","metric":"Good","value":5,"ts":"%s"}\n' "$(ts $((A + 120)))"
} >"$T/bad"
run bq bq-metrics put --namespace BQ/BadTest <"$T/bad"
check_rc 5 "bad lines make the status 5"
check_grep '^bq-metrics: stdin:2: ' "$T/err" "a line that is not JSON is reported by line"
check_grep "^bq-metrics: stdin:3: value is not a number: 'many'" "$T/err" "a non-numeric value"
check_grep '^bq-metrics: stdin:4: ts 2020-01-01T00:00:00Z is more than two weeks old' "$T/err" \
	"a timestamp CloudWatch would refuse"
check_grep "^bq-metrics: stdin:5: dimension 'ModelId' needs a value" "$T/err" "an empty dimension"
check_grep "^bq-metrics: stdin:6: record of kind 'something': give --value FIELD" "$T/err" \
	"a record bq-metrics cannot map"
check_grep "^bq-metrics: stdin:7: unit 'Parsecs' is not a CloudWatch unit" "$T/err" "a bad unit"
check_grep "6 input lines rejected" "$T/err" "the count of rejected lines"
check_eq "$(jq -r .value "$T/out" | tr '\n' ' ')" "1 5 " "only the good records pass through"
run bq bq-metrics --namespace BQ/BadTest --since "@$A" --until "@$((A + 600))" --period 10m \
	--metric Good --stat sum --stat count
check_eq "$(jq -r .value "$T/out" | tr '\n' ' ')" "6 2 " "the good records were sent, and only they"

# --- --strict: stop at the first bad line, after sending what came before --
run bq bq-metrics put --namespace BQ/StrictTest --strict <"$T/bad"
check_rc 5 "--strict stops with status 5"
check_grep "stopped at stdin:2 \(--strict\), 1 line done" "$T/err" "and says where"
check_eq "$(jq -r .value "$T/out")" 1 "the line before was sent and passed through"

# --- batching within the limits --------------------------------------------
python3 - "$A" >"$T/many" <<'EOF'
import json, sys, time
a = int(sys.argv[1])
for i in range(2500):
    print(json.dumps({"kind": "datapoint", "metric": "Bulk", "value": i % 7,
                      "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(a + i % 600)),
                      "dimensions": {"Shard": "s%d" % (i % 3)}}, separators=(",", ":")))
EOF
p0=$(puts)
run bq bq-metrics put --namespace BQ/Bulk -q <"$T/many"
check_rc 0 "put 2500 records"
check_eq "$(( $(puts) - p0 ))" 3 "2500 data take 3 PutMetricData calls (1000 per call)"
check_file_eq "$T/out" "$T/many" "every record passes through, in order"
run bq bq-metrics --namespace BQ/Bulk --since "@$A" --until "@$((A + 600))" --period 10m \
	--stat count --stat sum
check_eq "$(jq -s 'map(select(.stat=="SampleCount") | .value) | add' "$T/out") $(jq -s 'map(select(.stat=="Sum") | .value) | add' "$T/out")" \
	"2500 $(python3 -c 'print(sum(i % 7 for i in range(2500)))')" "all 2500 values arrived"
check_eq "$(jq -r .dimensions.Shard "$T/out" | sort -u | tr '\n' ' ')" "s0 s1 s2 " \
	"the data kept their dimension"

# --- a tap: a record comes out before the producer sends the next one -----
mkfifo "$T/back"
rec1='{"kind":"judgment","rubric":"tap","score":1}'
rec2='{"kind":"judgment","rubric":"tap","score":0}'
timeout 30 bash -c '
	{ echo "$1"; read -r -t 20 seen <"$2" && echo "$3"; } |
	"$4/bq-metrics" put --namespace BQ/Tap -q |
	{ read -r first && echo "$first" >"$2" && echo "$first" && cat; }
' _ "$rec1" "$T/back" "$rec2" "$BQ_BIN" >"$T/tap" 2>"$T/tap.err"
rc=$?
check_eq "$rc:$(tr '\n' ' ' <"$T/tap")" "0:$rec1 $rec2 " \
	"the first record reached the next stage while the producer waited for it"

# --- usage errors ------------------------------------------------------------
n0=$(wc -l <"$BQ_PEER_DIR/requests.ndjson")
run bq bq-metrics put </dev/null
check_rc 2 "put without --namespace"
run bq bq-metrics put --namespace AWS/Bedrock </dev/null
check_rc 2 "put into AWS/"
check_grep "reserved" "$T/err" "says AWS/ is reserved"
run bq bq-metrics put --namespace BQ/X --dimension nokey </dev/null
check_rc 2 "bad --dimension"
run bq bq-metrics put --namespace BQ/X --unit Parsecs </dev/null
check_rc 2 "bad --unit"
check_eq "$(wc -l <"$BQ_PEER_DIR/requests.ndjson")" "$n0" "no request for usage errors"
run bq bq-metrics put --namespace BQ/X </dev/null
check_rc 0 "empty input is fine"
check_eq "$(wc -l <"$BQ_PEER_DIR/requests.ndjson")" "$n0" "and sends nothing"
