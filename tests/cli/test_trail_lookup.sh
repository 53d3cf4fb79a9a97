#!/usr/bin/env bash
# bq-trail over LookupEvents (served by the front peer from the seeded
# world): every field of every event across pages, the client-side filters,
# --raw, --source, the time window, and usage errors.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"

start_peers --world --records 120

lookups() { grep -c '"operation":"LookupEvents"' "$REQ"; }

# --- everything, across pages ---
n0=$(lookups)
run bq bq-trail
check_rc 0 "default run succeeds"
$X events "$W" >"$T/want"
same "every seeded Bedrock management event comes back with every field" "$T/out" "$T/want"
nwant=$(wc -l <"$T/want")
pages=$(( (nwant + 49) / 50 ))
[ "$pages" -ge 3 ] && ok "the world has several pages ($nwant events)" || not_ok "world too small: $nwant events"
check_eq "$(wc -l <"$T/out")" "$nwant" "every event once"
check_eq "$(( $(lookups) - n0 ))" "$pages" "one LookupEvents request per page of 50"
check_grep "^bq-trail: $nwant events, $pages pages, $pages LookupEvents requests, 0 throttled, 0 rejected\$" "$T/err" \
	"summary line on stderr"
if $X order "$T/out" ts desc; then ok "newest first, as the API returns them"; else not_ok "newest first"; fi
check_nogrep '"status":[^2]' "$REQ" "every request answered 200 (no throttling, no errors)"

# Later runs read the newest ~100 events only (2-3 pages, not the whole
# world), to keep the pacing waits short.
since=$(python3 - "$W" <<'EOF'
import json, sys, calendar, time
ts = sorted(calendar.timegm(time.strptime(json.loads(l)["eventTime"], "%Y-%m-%dT%H:%M:%SZ"))
            for l in open(sys.argv[1] + "/cloudtrail.ndjson"))
print(ts[-100])
EOF
)
BQ_S="@$since"

# Spot checks of fields a shape error would lose.
run bq bq-trail --since "$BQ_S" --jq 'select(.inference_region) | .inference_region'
want_x=$(python3 -c '
import calendar, json, sys, time
r = [json.loads(l) for l in open(sys.argv[1])]
r = [x.get("additionalEventData", {}).get("inferenceRegion") for x in r if x["eventSource"] == "bedrock.amazonaws.com"
     and x.get("eventCategory") == "Management" and calendar.timegm(time.strptime(x["eventTime"], "%Y-%m-%dT%H:%M:%SZ")) >= int(sys.argv[2])]
r = [x for x in r if x]
print(len(r), " ".join(sorted(set(r))))' "$W/cloudtrail.ndjson" "$since")
check_eq "$(wc -l <"$T/out") $(sort -u "$T/out" | tr '\n' ' ' | sed 's/ $//')" "$want_x" \
	"inference_region from additionalEventData, on every cross-Region event"

run bq bq-trail --since "$BQ_S" --event InvokeModel
$X events "$W" --since "$since" --event InvokeModel >"$T/want"
same "--event InvokeModel" "$T/out" "$T/want"
run bq bq-trail --since "$BQ_S" --event Converse --event ConverseStream -q
$X events "$W" --since "$since" --event Converse --event ConverseStream >"$T/want"
same "--event repeated: any of the names" "$T/out" "$T/want"
check_eq "$(wc -c <"$T/err")" 0 "-q: nothing on stderr"
run bq bq-trail --since "$BQ_S" --user alice
$X events "$W" --since "$since" --user alice >"$T/want"
same "--user alice (IAM user name)" "$T/out" "$T/want"
check_grep '"user":"alice"' "$T/out" "--user alice found alice's events"
run bq bq-trail --since "$BQ_S" --user job-42
$X events "$W" --since "$since" --user job-42 >"$T/want"
same "--user job-42 (assumed-role session name)" "$T/out" "$T/want"
run bq bq-trail --since "$BQ_S" --user arn:aws:sts::123456789012:assumed-role/chat-api/i-0a1b2c3d4e5f60718
$X events "$W" --since "$since" --user i-0a1b2c3d4e5f60718 >"$T/want"
same "--user with the whole principal ARN" "$T/out" "$T/want"
run bq bq-trail --since "$BQ_S" --errors
$X events "$W" --since "$since" --errors >"$T/want"
same "--errors" "$T/out" "$T/want"
check_nogrep '^\{' <(grep -v '"error_code"' "$T/out") "--errors: every record has error_code"
run bq bq-trail --since "$BQ_S" --errors --event InvokeModel --user bob
$X events "$W" --since "$since" --errors --event InvokeModel --user bob >"$T/want"
same "--errors --event --user combined" "$T/out" "$T/want"
run bq bq-trail --since "$BQ_S" --event NoSuchEvent
check_rc 0 "nothing matched: status 0"
check_eq "$(wc -c <"$T/out")" 0 "nothing matched: no output"

# --- --raw ---
run bq bq-trail --raw --since "$BQ_S" --event InvokeModel --event Converse
$X events "$W" --raw --since "$since" --event InvokeModel --event Converse >"$T/want"
same "--raw: the CloudTrail records exactly as seeded" "$T/out" "$T/want"

# --- --source ---
run bq bq-trail --source sts.amazonaws.com
$X events "$W" --source sts.amazonaws.com >"$T/want"
same "--source sts.amazonaws.com" "$T/out" "$T/want"
check_eq "$(wc -l <"$T/out")" "$(wc -l <"$T/want")" "as many AssumeRole events as seeded"
run bq bq-trail --source bedrock-mantle.amazonaws.com
check_rc 0 "--source with no events: status 0"

# --- window: both ends inclusive, as LookupEvents ---
read -r since until < <(python3 - "$W" <<'EOF'
import json, sys, calendar, time
ts = sorted(calendar.timegm(time.strptime(json.loads(l)["eventTime"], "%Y-%m-%dT%H:%M:%SZ"))
            for l in open(sys.argv[1] + "/cloudtrail.ndjson"))
print(ts[60], ts[-40])
EOF
)
run bq bq-trail --since "@$since" --until "@$until"
$X events "$W" --since "$since" --until "$until" >"$T/want"
same "--since/--until select the window" "$T/out" "$T/want"

# --- usage ---
run bq bq-trail --page-size 51
check_rc 2 "--page-size above 50 is a usage error"
run bq bq-trail -j 4
check_rc 2 "-j without --s3 is a usage error"
run bq bq-trail --since 2h --until 3h
check_rc 2 "--since after --until is a usage error"
