#!/usr/bin/env bash
# bq-trail --s3: the trail's log files in S3 (moto behind the front peer):
# the world's files with the data events LookupEvents never shows, prefix
# forms, order, -j; and files this test seeds with tests/cli/trail_seed.py
# and `aws s3 cp`: gzip, plain, multi-member gzip, records outside the
# window, and two unreadable files that are reported and skipped.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"


start_peers --world
B=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trail_bucket"])' "$W/manifest.json")

# --- the world's trail files ---
run bq bq-trail --s3 "s3://$B"
check_rc 0 "world trail files read"
$X events "$W" --all-categories >"$T/want"
same "every Bedrock record of the trail files, data events included" "$T/out" "$T/want"
ndata=$($X events "$W" --all-categories | grep -cE '"event_name":"(InvokeAgent|Retrieve|ApplyGuardrail)"')
[ "$ndata" -gt 0 ] && ok "the world has $ndata data events" || not_ok "the world has no data events"
# The order bq-trail(1) promises: files in key order, records in file order.
python3 - "$W/s3/$B" >"$T/want.ids" <<'EOF'
import glob, gzip, json, os, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.json.gz"), recursive=True)):
    for r in json.loads(gzip.open(f).read())["Records"]:
        if r["eventSource"] == "bedrock.amazonaws.com":
            print(r["eventID"])
EOF
bq bq-trail --s3 "s3://$B" -q --jq .event_id >"$T/got.ids"
check_file_eq "$T/got.ids" "$T/want.ids" "files in key order, records in file order"
nfiles=$(find "$W/s3/$B" -name '*.json.gz' | wc -l)
check_grep "^bq-trail: $(wc -l <"$T/want") events from $nfiles trail files, 0 rejected\$" "$T/err" "summary line"
cp "$T/out" "$T/world.out"

run bq bq-trail --s3 "s3://$B" --event InvokeAgent --event Retrieve --event ApplyGuardrail
$X events "$W" --all-categories --event InvokeAgent --event Retrieve --event ApplyGuardrail >"$T/want"
same "data events that LookupEvents never returns" "$T/out" "$T/want"
run bq bq-trail --event InvokeAgent --event Retrieve --event ApplyGuardrail
check_eq "$(wc -c <"$T/out")" 0 "...and indeed LookupEvents returns none of them"

run bq bq-trail --s3 "s3://$B/AWSLogs/123456789012/CloudTrail/us-east-1/" -j 1
check_file_eq "$T/out" "$T/world.out" "prefix naming the Region folder, -j 1: same records, same order"
run bq bq-trail --s3 "s3://$B/AWSLogs/123456789012" -j 3
check_file_eq "$T/out" "$T/world.out" "prefix naming the account folder, -j 3: same output"
run bq bq-trail --s3 "s3://$B" --account 123456789012 --raw
$X events "$W" --all-categories --raw >"$T/want"
same "--account and --raw: the records as CloudTrail wrote them" "$T/out" "$T/want"
run bq bq-trail --s3 "s3://$B" --account 999999999999
check_rc 0 "an account with no files: status 0"
check_eq "$(wc -c <"$T/out")" 0 "an account with no files: no records"

# --- files seeded here ---
now=$(date +%s)
python3 "$TOP/tests/cli/trail_seed.py" "$T/seed" "$now" >"$T/want" || not_ok "trail_seed.py"
aws s3 mb s3://bq-trail-seeded >/dev/null 2>"$T/aws.err" || { not_ok "aws s3 mb"; cat "$T/aws.err"; }
aws s3 cp --recursive --quiet "$T/seed" s3://bq-trail-seeded/org >/dev/null 2>"$T/aws.err" ||
	{ not_ok "aws s3 cp"; cat "$T/aws.err"; }
run bq bq-trail --s3 s3://bq-trail-seeded/org --account 111122223333 --since 1h
check_rc 5 "unreadable trail files: status 5"
same "gzip, plain and multi-member files read; other source and old record left out" "$T/out" "$T/want"
if $X order "$T/out" ts asc; then ok "seeded files in time order"; else not_ok "seeded order"; fi
check_grep '^bq-trail: s3://bq-trail-seeded/org/AWSLogs/111122223333/CloudTrail/us-east-1/.*_corrupt\.json\.gz: bad gzip data' \
	"$T/err" "corrupt gzip reported with its key"
check_grep '^bq-trail: s3://bq-trail-seeded/org/AWSLogs/111122223333/CloudTrail/us-east-1/.*_badjson\.json\.gz: ' \
	"$T/err" "truncated JSON reported with its key"
check_grep '^bq-trail: 4 events from 4 trail files, 2 rejected$' "$T/err" "summary counts the rejected files"
check_nogrep 'notes' "$T/err" "files that are not trail files are not read"
run bq bq-trail --s3 s3://bq-trail-seeded/org --account 111122223333 --since 1h --event ApplyGuardrail -q
check_eq "$(grep -c '"event_id":"ev-guard"' "$T/out")" 1 "a document split over two gzip members is read whole"
run bq bq-trail --s3 s3://bq-trail-seeded/org --account 111122223333 --since 1h --source sts.amazonaws.com -q
check_eq "$(grep -o '"event_id":"[^"]*"' "$T/out")" '"event_id":"ev-sts"' "--source applies to trail files"

# --- usage ---
run bq bq-trail --s3 http://bucket/x
check_rc 2 "--s3 needs an s3:// URL"
run bq bq-trail --s3 "s3://$B" --page-size 5
check_rc 2 "--page-size is for LookupEvents only"
