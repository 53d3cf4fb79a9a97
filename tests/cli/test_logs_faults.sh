#!/usr/bin/env bash
# bq-logs under faults (tests/peer/faultproxy.py): S3 transfers that are
# reset, cut short or answered with 500 are retried or resumed and the
# output is still exactly the fault-free output, in order, at -j 8; an
# object that fails every attempt is named, the rest is read, status 1;
# throttled FilterLogEvents calls are retried.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs faults: moto is not installed"
	exit 0
fi
cat >"$T/rules" <<'R'
s3:GetObject truncate seq=0,1,0,0,0,1
s3:GetObject reset seq=0,0,0,1
s3:GetObject 500 seq=0,0,1,0,0,0,0,1
logs:FilterLogEvents throttle seq=1,0,1
R
peer_start --world --records 300 --faults "$T/rules" || { not_ok "peers start"; exit 1; }
S3="s3://$(world_get bucket)/$(world_get prefix)" GROUP=$(world_get log_group) WS=$(world_get window_start) WE=$(world_get window_end)

# reference output straight from the front peer
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" -q
check_rc 0 "reference run without faults"
cp "$T/out" "$T/ref"
check_eq "$(grep -c . "$T/ref")" 300 "reference: every record"

run bq bq-logs --endpoint-url "$BQ_FAULT_URL" --s3 "$S3" --since "$WS" --until "$WE" -j 8 -q
check_rc 0 "s3 through resets, truncations and 500s"
check_file_eq "$T/out" "$T/ref" "s3 -j 8 under faults: identical output"
fired=$(curl -s "$BQ_FAULT_URL/fault-api/counters" | python3 -c '
import json,sys; print(sum(r["fired"] for r in json.load(sys.stdin)["rules"] if "GetObject" in r["text"]))')
if [ "${fired:-0}" -ge 3 ]; then ok "s3: faults did fire ($fired)"; else not_ok "s3: faults did fire (${fired:-0})"; fi

run bq bq-logs --endpoint-url "$BQ_FAULT_URL" --log-group "$GROUP" --since "$WS" --until "$WE" -q
check_rc 0 "log group through throttling"
check_file_eq "$T/out" "$T/ref" "log group under throttling: identical output"

# one object fails every attempt: -j 1 makes the request order fixed
cat >"$T/rules2" <<'R'
s3:GetObject 500 seq=0,0,1,1,1
R
peer_start --world --records 300 --faults "$T/rules2" || { not_ok "peers restart"; exit 1; }
run bq bq-logs --endpoint-url "$BQ_FAULT_URL" --s3 "$S3" --since "$(world_get window_start)" \
	--until "$(world_get window_end)" -j 1 --max-attempts 2
check_rc 1 "an object failing every attempt: status 1"
check_grep "^bq-logs: s3://$(world_get bucket)/$(world_get prefix)/AWSLogs/.*\\.json\\.gz: .*\\(InternalError" "$T/err" \
	"the failed object is named with the service's error"
n=$(grep -c . "$T/out")
if [ "$n" -gt 200 ] && [ "$n" -lt 300 ]; then ok "the other objects are still read ($n of 300 records)"
else not_ok "the other objects are still read ($n of 300 records)"; fi
