#!/usr/bin/env bash
# Fault suite (issue 12), bq-logs: --s3 (ListObjectsV2 + GetObject at -j 8)
# and --log-group (FilterLogEvents) through ~30% transient faults
# (tests/cli/faults_lib.sh) print exactly what a fault-free run prints;
# faults that never end give status 1 with the service's error code after
# exactly --max-attempts requests.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-logs

peer_start --world --records 300 || { not_ok "peers start"; exit 1; }
M=$BQ_PEER_DIR/world/manifest.json
WS=$(jq -r .window_start "$M") WE=$(jq -r .window_end "$M")
S3="s3://$(jq -r .bucket "$M")/$(jq -r .prefix "$M")" GROUP=$(jq -r .log_group "$M")
fault_rules_transient "$T/rules"

s3=(bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" -q)
run "${s3[@]}"
check_rc 0 "s3 without faults"
cp "$T/out" "$T/clean.s3"
check_eq "$(grep -c . "$T/clean.s3")" 300 "s3: every record of the world"
fault_proxy "$T/rules"
through_faults "s3 -j 8" "$T/clean.s3" 20 -- "${s3[@]}"
check_kinds "s3"

grp=(bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" -q)
run "${grp[@]}"
check_rc 0 "log group without faults"
cp "$T/out" "$T/clean.grp"
check_file_eq "$T/clean.grp" "$T/clean.s3" "log group: the same records as s3"
fault_proxy "$T/rules"
through_faults "log group" "$T/clean.grp" 8 -- "${grp[@]}"

persistent "s3, 503 forever" "s3:ListObjectsV2 503" ServiceUnavailable 3 ListObjectsV2 -- "${s3[@]}"
persistent "log group, throttled forever" "FilterLogEvents throttle" ThrottlingException 2 FilterLogEvents -- "${grp[@]}"
