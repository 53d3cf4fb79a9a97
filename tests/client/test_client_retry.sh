#!/usr/bin/env bash
# Retries through the fault proxy: throttling then success without
# duplicate side effects, 503 forever, connection resets, truncated
# bodies, read timeouts, clock skew, and the concurrent runner.  Backoff is
# observed through the helper's fake clock (no real waiting).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "client retries: moto is not installed"
	exit 0
fi
cat >"$T/faults" <<'EOF'
PutLogEvents throttle seq=1,1
ListMetrics 503
DescribeLogStreams reset seq=1
GetObject truncate seq=1,0,1,0,0,1
DescribeLogGroups skew seq=1
ListDashboards slow seq=1 delay=3
DescribeAlarms throttle
GetLogEvents throttle prob=0.4
EOF
peer_start --faults "$T/faults" || { not_ok "peers start"; exit 1; }
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
FL=$BQ_PEER_DIR/faults.ndjson
seen() { grep -c "\"operation\": *\"$1\"" "$FL"; }

bq_call logs CreateLogGroup '{"logGroupName":"g"}' >/dev/null
bq_call logs CreateLogStream '{"logGroupName":"g","logStreamName":"s"}' >/dev/null

# throttled twice, then fine: one success, one event stored
now=$(date +%s000)
run bq_call --fake-clock 0.5 logs PutLogEvents \
	"{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"logEvents\":[{\"timestamp\":$now,\"message\":\"once\"}]}"
check_rc 0 "throttled twice then fine: success"
check_eq "$(grep -c '^slept' "$T/err")" 2 "two backoff sleeps"
check_eq "$(grep '^slept' "$T/err" | tr '\n' ' ')" "slept 0.500 slept 1.000 " \
	"full-jitter delays rand*1 s then rand*2 s (rand pinned at 0.5)"
check_eq "$(seen PutLogEvents)" 3 "three PutLogEvents attempts reached the proxy"
run bq_call --endpoint-url "$BQ_PEER_URL" logs GetLogEvents '{"logGroupName":"g","logStreamName":"s"}'
check_eq "$(grep -o '"message":"once"' "$T/out" | wc -l)" 1 "no duplicate side effect: one event stored"

# 503 forever
run bq_call --fake-clock 0.5 cloudwatch ListMetrics
check_rc 1 "503 forever: status 1"
check_grep 'ServiceUnavailable' "$T/err" "the service's error code is in the message"
check_grep 'after 3 attempts' "$T/err" "the message says how many attempts"
check_eq "$(seen ListMetrics)" 3 "three attempts by default"
AWS_MAX_ATTEMPTS=5 run bq_call --fake-clock 0.5 cloudwatch ListMetrics
check_eq "$(seen ListMetrics)" 8 "AWS_MAX_ATTEMPTS=5 gives five more attempts"
check_eq "$(grep '^slept' "$T/err" | tr '\n' ' ')" "slept 0.500 slept 1.000 slept 2.000 slept 4.000 " \
	"exponential backoff doubles per attempt"
AWS_MAX_ATTEMPTS=5 run bq_call --fake-clock 0.5 --max-attempts 1 cloudwatch ListMetrics
check_eq "$(seen ListMetrics)/$(grep -c '^slept' "$T/err")" "9/0" "--max-attempts 1: no retry, no sleep"

# throttling forever
run bq_call --fake-clock 0.99 --max-attempts 4 cloudwatch DescribeAlarms
check_rc 1 "throttled forever: status 1"
check_grep 'Throttling' "$T/err" "throttling code reported"
check_eq "$(grep '^slept' "$T/err" | tr '\n' ' ')" "slept 0.990 slept 1.980 slept 3.960 " \
	"throttling backoff follows the same formula"

# connection reset, truncated body, read timeout
run bq_call --fake-clock 0.5 logs DescribeLogStreams '{"logGroupName":"g"}'
check_rc 0 "a reset connection is retried"
check_eq "$(seen DescribeLogStreams)" 2 "one reset, one good attempt"
bq_call --endpoint-url "$BQ_PEER_URL" s3 mb bq-retry >/dev/null
head -c 300000 /dev/urandom >"$T/blob"
bq_call --endpoint-url "$BQ_PEER_URL" s3 put bq-retry blob "$T/blob"
run bq_call --fake-clock 0.5 s3 get bq-retry blob
check_rc 0 "a truncated body is retried"
check_file_eq "$T/out" "$T/blob" "the object arrives whole, no byte twice (Range resume)"
check_eq "$(seen GetObject)" 2 "one truncated, one resumed attempt"
run bq_call --fake-clock 0.5 --read-timeout 1 cloudwatch ListDashboards
check_rc 0 "a read timeout is retried"
check_eq "$(grep -c '^slept' "$T/err")" 1 "one slow attempt timed out, one retry"

# clock skew
run bq_call --debug logs DescribeLogGroups
check_rc 0 "a clock-skew error is corrected"
check_grep 'clock skew: server time is \+3[56][0-9][0-9] s' "$T/err" "offset learned from the Date header"
check_eq "$(seen DescribeLogGroups)" 2 "one skewed, one corrected attempt"

# many in flight: every call completes once, each with its own retries
for i in 0 1 2 3 4 5 6 7 8 9; do
	echo "{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"limit\":$((i + 1))}"
done >"$T/in"
run bq_call --fake-clock 0.01 --jobs 4 --max-attempts 10 logs GetLogEvents <"$T/in"
check_rc 0 "10 GetLogEvents calls, 4 in flight, some throttled"
check_eq "$(cut -d' ' -f1 "$T/out" | sort -n | tr '\n' ' ')" "0 1 2 3 4 5 6 7 8 9 " \
	"each index completes exactly once"
check_nogrep ' error ' "$T/out" "no call failed"
thr=$(grep -c '"operation": *"GetLogEvents".*"fault": *"throttle"' "$FL")
check_eq "$(seen GetLogEvents)" "$((10 + thr))" "every throttled attempt was retried once more"
check_eq "$([ "$thr" -gt 0 ] && echo yes)" yes "some attempts were throttled ($thr)"
for k in 0 1 2 3 4 5; do
	head -c $((50000 + k * 1000)) /dev/urandom >"$T/o$k"
	bq_call --endpoint-url "$BQ_PEER_URL" s3 put bq-retry "o $k" "$T/o$k"
done
printf 'o %d\n' 0 1 2 3 4 5 >"$T/keys"
run bq_call --fake-clock 0.01 --jobs 3 s3 get bq-retry <"$T/keys"
check_rc 0 "six S3 GETs, three in flight, two truncated"
bad=0
while read -r idx size sum; do
	want=$(sha256sum <"$T/o$idx" | cut -d' ' -f1)
	[ "$sum" = "$want" ] || bad=$((bad + 1))
done <"$T/out"
check_eq "$(wc -l <"$T/out")/$bad" "6/0" "every object arrives whole"
