#!/usr/bin/env bash
# Fault suite (issue 12), bq-trail: paged LookupEvents through ~30%
# transient faults (tests/cli/faults_lib.sh) prints exactly what a
# fault-free run prints; 503 forever gives status 1 with the service's
# error code after exactly --max-attempts requests, and so does throttling
# forever (bq-trail(1): the client's retries are the only re-sends).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-trail

# the front keeps CloudTrail's 2/s limit (its default --trail-rps 2): bq-trail
# paces every attempt, the client's retries included, so it never meets it
peer_start --world --records 120 || { not_ok "peers start"; exit 1; }
M=$BQ_PEER_DIR/world/manifest.json
WS=$(jq -r .window_start "$M") WE=$(jq -r .window_end "$M")
fault_rules_transient "$T/rules"

# 7 pages of 20, paced at 2 LookupEvents a second
trail=(bq bq-trail --since "$WS" --until "$WE" --page-size 20 -q)
run "${trail[@]}"
check_rc 0 "LookupEvents without faults"
cp "$T/out" "$T/clean"
n=$(grep -c . "$T/clean")
[ "$n" -gt 100 ] && ok "$n events to compare" || not_ok "only $n events"
fault_proxy "$T/rules"
through_faults "LookupEvents, 7 pages" "$T/clean" 15 -- "${trail[@]}"
check_kinds "LookupEvents"

persistent "503 forever" "LookupEvents 503" ServiceUnavailable 3 LookupEvents -- "${trail[@]}"
persistent "throttled forever" "LookupEvents throttle" ThrottlingException 2 LookupEvents -- "${trail[@]}"
