#!/usr/bin/env bash
# Fault suite (issue 12), bq-cost: report (Cost Explorer GetCostAndUsage)
# through ~30% transient faults (tests/cli/faults_lib.sh) prints exactly
# what a fault-free run prints; estimate makes no request at all; faults
# that never end give status 1 with the service's error code after exactly
# --max-attempts requests.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-cost

peer_start --world --records 120 || { not_ok "peers start"; exit 1; }
M=$BQ_PEER_DIR/world/manifest.json
WS=$(jq -r .window_start "$M") WE=$(jq -r .window_end "$M")
fault_rules_transient "$T/rules"

# The services named (no GetDimensionValues): one GetCostAndUsage each.
report=(bq bq-cost report --since "$WS" --until "$WE" --granularity hourly --by model -q
	--service "Amazon Bedrock" --service "Claude 3.5 Haiku (Amazon Bedrock Edition)"
	--service "Claude 3 Haiku (Amazon Bedrock Edition)")
run "${report[@]}"
check_rc 0 "report without faults"
cp "$T/out" "$T/clean"
n=$(grep -c . "$T/clean")
[ "$n" -gt 5 ] && ok "report: $n cost rows to compare" || not_ok "report: only $n cost rows"
fault_proxy "$T/rules"
through_faults "report" "$T/clean" 15 -- "${report[@]}"
check_kinds "report"

# estimate prices stdin with the built-in table: no network, so faults
# cannot touch it (the proxy sees nothing).
est=(bq bq-cost estimate --by model -q)
run "${est[@]}" <"$BQ_PEER_DIR/world/invocations.ndjson"
check_rc 0 "estimate"
cp "$T/out" "$T/clean.est"
fault_proxy "$T/rules"
through_faults "estimate (no network)" "$T/clean.est" 0 -- "${est[@]}" <"$BQ_PEER_DIR/world/invocations.ndjson"
check_eq "$(fault_count)" 0 "estimate: no request reached the proxy"

persistent "report, 503 forever" "GetCostAndUsage 503" ServiceUnavailable 2 GetCostAndUsage -- "${report[@]}"
persistent "report, throttled forever" "GetCostAndUsage throttle" ThrottlingException 2 GetCostAndUsage -- "${report[@]}"
