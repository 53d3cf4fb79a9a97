#!/usr/bin/env bash
# bq-trail and a LookupEvents event whose CloudTrailEvent is not valid JSON:
# reported with its event id, skipped, the rest emitted, status 5.  The
# front peer is started through tests/cli/trail_front_bad.py, which breaks
# the CloudTrailEvent of the chosen events and changes nothing else.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"

start_peers --world --records 120

# Two management events to break: one on the first page, one further on.
read -r bad1 bad2 < <($X events "$W" |
	python3 -c 'import json,sys; ids=[json.loads(l)["event_id"] for l in sys.stdin]; print(ids[3], ids[77])')
mkdir -p "$T/front"
BQ_TRAIL_BAD_IDS="$bad1,$bad2" python3 "$TOP/tests/cli/trail_front_bad.py" --dir "$T/front" \
	--port-file "$T/front/port" --moto-port-file "$BQ_PEER_DIR/moto.port" --world "$W" \
	</dev/null >"$T/front/log" 2>&1 &
fpid=$!
at_exit "kill $fpid 2>/dev/null; wait $fpid 2>/dev/null"
for _ in $(seq 200); do [ -s "$T/front/port" ] && break; sleep 0.05; done
[ -s "$T/front/port" ] || { not_ok "patched front peer did not start"; cat "$T/front/log"; exit 1; }
export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$T/front/port")

run bq bq-trail
check_rc 5 "status 5 when records were skipped"
$X events "$W" --exclude-id "$bad1" --exclude-id "$bad2" >"$T/want"
if out=$($X same "$T/out" "$T/want"); then ok "every other event emitted"; else not_ok "every other event emitted"; echo "$out"; fi
check_grep "^bq-trail: event '$bad1': CloudTrailEvent is not valid JSON: " "$T/err" "first bad event reported with its id"
check_grep "^bq-trail: event '$bad2': CloudTrailEvent is not valid JSON: " "$T/err" "second bad event reported with its id"
check_grep ", 0 throttled, 2 rejected$" "$T/err" "summary counts 2 rejected"
check_nogrep "input lines? rejected" "$T/err" "events are not called input lines"
check_eq "$(grep -c '"operation":"LookupEvents"' "$T/front/requests.ndjson")" \
	"$(( ($(wc -l <"$T/want") + 2 + 49) / 50 ))" "all pages still read"
grep -q '"sig":"ok"' "$T/front/requests.ndjson" && ok "requests were signed and verified" ||
	not_ok "no verified request"

run bq bq-trail --event NoSuchEvent
check_rc 5 "a skipped record counts even when no record matched the filter"
run bq bq-trail --raw
check_rc 5 "--raw: status 5 too"
check_eq "$(wc -l <"$T/out")" "$(wc -l <"$T/want")" "--raw: the other records emitted"
