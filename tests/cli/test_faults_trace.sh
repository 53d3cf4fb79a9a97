#!/usr/bin/env bash
# Fault suite (issue 12), bq-trace: GetTraceSummaries + BatchGetTraces
# through ~30% transient faults (tests/cli/faults_lib.sh) print exactly
# what a fault-free run prints (bq-trace(1) fixes the order); faults that
# never end give status 1 with the service's error code after exactly
# --max-attempts requests.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-trace

peer_start --world --records 120 || { not_ok "peers start"; exit 1; }
M=$BQ_PEER_DIR/world/manifest.json
WS=$(jq -r .window_start "$M") WE=$(jq -r .window_end "$M")
fault_rules_transient "$T/rules"

trace=(bq bq-trace --since "$WS" --until "$WE" -q)
run "${trace[@]}"
check_rc 0 "spans without faults"
cp "$T/out" "$T/clean"
n=$(grep -c . "$T/clean")
[ "$n" -gt 50 ] && ok "$n spans to compare" || not_ok "only $n spans"
fault_proxy "$T/rules"
through_faults "spans" "$T/clean" 15 -- "${trace[@]}"
check_kinds "spans"

run "${trace[@]}" --summaries
cp "$T/out" "$T/clean.sum"
fault_proxy "$T/rules"
through_faults "--summaries" "$T/clean.sum" 6 -- "${trace[@]}" --summaries

persistent "GetTraceSummaries 503 forever" "GetTraceSummaries 503" ServiceUnavailable 2 GetTraceSummaries -- "${trace[@]}"
persistent "BatchGetTraces throttled forever" "BatchGetTraces throttle" ThrottledException 2 BatchGetTraces -- "${trace[@]}"
