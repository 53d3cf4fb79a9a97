#!/usr/bin/env bash
# bq-logs --follow: prints the window's history, then picks up events
# appended while it runs (aws logs put-log-events), also one ingested late
# with an older timestamp, and never prints an event twice although every
# poll re-reads the overlap window.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! command -v aws >/dev/null; then
	skip "bq-logs follow: the AWS CLI (aws) seeds this test and is not installed"
	exit 0
fi
if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs follow: moto is not installed"
	exit 0
fi
peer_start --world --records 150 || { not_ok "peers start"; exit 1; }
W=$BQ_PEER_DIR/world
GROUP=$(world_get log_group) STREAM=$(world_get log_stream) WS=$(world_get window_start)

# waits until FILE has at least N lines (10 s at most)
wait_lines() {
	local i n
	for ((i = 0; i < 200; i++)); do
		n=$(grep -c . "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# appends events: put_events ID:OFFSET_MS... (timestamps relative to now)
put_events() {
	python3 - "$W/invocations.ndjson" "$@" >"$T/ev.json" <<'EOF'
import json, sys, time
first = json.loads(open(sys.argv[1]).readline())
now = int(time.time() * 1000)
ev = []
for spec in sys.argv[2:]:
    rid, off = spec.split(":")
    t = now + int(off)
    r = dict(first, requestId=rid,
             timestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1000)))
    ev.append({"timestamp": t, "message": json.dumps(r, separators=(",", ":"))})
ev.sort(key=lambda e: e["timestamp"])
print(json.dumps(ev))
EOF
	aws logs put-log-events --log-group-name "$GROUP" --log-stream-name "$STREAM" \
		--log-events "file://$T/ev.json" >/dev/null 2>"$T/aws.err" ||
		{ not_ok "aws logs put-log-events"; sed 's/^/#   /' "$T/aws.err"; }
}

hist=$(grep -c . "$W/invocations.ndjson")
"$BQ_BIN/bq-logs" --follow --log-group "$GROUP" --since "$WS" --interval 0.2 \
	--no-bodies >"$T/follow" 2>"$T/follow.err" &
fpid=$!
at_exit "kill $fpid 2>/dev/null; wait $fpid 2>/dev/null"

if wait_lines "$T/follow" "$hist"; then ok "follow: prints the window's history first ($hist records)"
else not_ok "follow: history ($(grep -c . "$T/follow") of $hist)"; fi

put_events live-1:0 live-2:5 live-3:10
if wait_lines "$T/follow" $((hist + 3)); then ok "follow: picks up events appended while it runs"
else not_ok "follow: appended events ($(grep -c . "$T/follow") of $((hist + 3)))"; fi

# late ingestion: a new event stamped 20 s ago arrives after newer ones
put_events live-4:0
wait_lines "$T/follow" $((hist + 4)) >/dev/null
put_events late-1:-20000
if wait_lines "$T/follow" $((hist + 5)); then ok "follow: an event ingested late (20 s old) inside the overlap is printed"
else not_ok "follow: late event ($(grep -c . "$T/follow") of $((hist + 5)))"; fi

sleep 1 # several more polls over the same overlap window
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null

check_eq "$(jq -r .request_id "$T/follow" | sort | uniq -d | grep -c .)" 0 "follow: no event printed twice"
check_eq "$(grep -c . "$T/follow")" $((hist + 5)) "follow: history plus the five appended events, nothing else"
check_eq "$(jq -r .request_id "$T/follow" | grep -E '^(live|late)-' | tr '\n' ' ')" \
	"live-1 live-2 live-3 live-4 late-1 " "follow: appended events in arrival order"
check_nogrep . "$T/follow.err" "follow: nothing on stderr"
polls=$(grep -c '"FilterLogEvents"' "$BQ_PEER_DIR/requests.ndjson")
if [ "$polls" -ge 5 ]; then ok "follow: kept polling ($polls FilterLogEvents calls)"
else not_ok "follow: kept polling ($polls FilterLogEvents calls)"; fi
