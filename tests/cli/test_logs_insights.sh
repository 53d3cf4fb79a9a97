#!/usr/bin/env bash
# bq-logs --insights: StartQuery over the window, GetQueryResults polled
# until Complete, one insights_row per result row.  (moto runs the query
# protocol but not the query language: rows are the group's events.)
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs insights: moto is not installed"
	exit 0
fi
peer_start --world --records 60 || { not_ok "peers start"; exit 1; }
GROUP=$(world_get log_group) WS=$(world_get window_start) WE=$(world_get window_end)
Q='fields @timestamp, @message | sort @timestamp desc'

run bq bq-logs --insights "$Q" --log-group "$GROUP" --since "$WS" --until "$WE"
check_rc 0 "insights: runs"
check_eq "$(grep -c . "$T/out")" 60 "insights: one row per matching event"
check_eq "$(jq -r .kind "$T/out" | sort -u)" insights_row "insights: every record is an insights_row"
check_eq "$(jq -r '.["@message"] | fromjson | .requestId' "$T/out" | sort)" \
	"$(jq -r .requestId "$BQ_PEER_DIR/world/invocations.ndjson" | sort)" "insights: the rows carry the group's events"
check_nogrep '"@ptr"' "$T/out" "insights: @ptr is left out"
check_grep "^bq-logs: query [0-9a-f-]+: 60 rows" "$T/err" "insights: summary on stderr"
python3 - "$BQ_PEER_DIR/requests.ndjson" "$WS" "$WE" >"$T/q" <<'PY'
import json, sys, calendar, time
ops = [json.loads(l)["operation"] for l in open(sys.argv[1])]
print("start", ops.count("StartQuery"), "results", ops.count("GetQueryResults"))
PY
check_grep '^start 1 results [1-9]' "$T/q" "insights: one StartQuery, then GetQueryResults"
run bq bq-logs --insights "$Q" --limit 5 --log-group "$GROUP" --since "$WS" -q
check_eq "$(grep -c . "$T/out")" 5 "insights: --limit"
run bq bq-logs --insights "$Q" --since "$WS" -q
check_eq "$(grep -c . "$T/out")" 60 "insights: the log group of the logging configuration by default"
run bq bq-logs --insights "$Q" --jq '."@timestamp"' --log-group "$GROUP" --since "$WS" -q
check_eq "$(grep -cE '^[0-9]+$' "$T/out")" 60 "insights: --jq applies to rows"
run bq bq-logs --insights "$Q" --s3 s3://b/p
check_rc 2 "insights: with --s3 is a usage error"
run bq bq-logs --insights "$Q" --log-group /no/such/group --since "$WS"
check_rc 1 "insights: an unknown log group is an AWS error"
check_grep "ResourceNotFoundException" "$T/err" "insights: the service's error code is shown"
