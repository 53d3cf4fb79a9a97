#!/usr/bin/env bash
# bq-logs --s3 with a URL that names only the bucket and key prefix: the
# accounts and regions are discovered under AWSLogs/ (ListObjectsV2 with a
# delimiter) and every one found is read, hour by hour; STS GetCallerIdentity
# is asked only when the bucket shows no account.  A URL naming the account
# reads that account only, as before.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs account discovery: moto is not installed"
	exit 0
fi
peer_start --world --records 120 || { not_ok "peers start"; exit 1; }
REQ=$BQ_PEER_DIR/requests.ndjson
BUCKET=$(world_get bucket) PREFIX=$(world_get prefix) ACCOUNT=$(world_get account) REGION=$(world_get region)
WS=$(world_get window_start) WE=$(world_get window_end)
call() { "$BQ_BUILD/tools/bq-aws-call" "$@"; }
sts_calls() { grep -c '"operation": *"GetCallerIdentity"' "$REQ"; }

# a second account, in another region, delivering to the same bucket: one
# object of the first account's, its records rewritten
key=$(call s3 ls "$BUCKET" "$PREFIX/AWSLogs/$ACCOUNT/BedrockModelInvocationLogs/$REGION/" |
	jq -r .key | grep '\.json\.gz$' | grep -v /data/ | head -1)
call s3 get "$BUCKET" "$key" | gzip -dc | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        r = json.loads(line)
        r["accountId"], r["region"] = "210987654321", "eu-west-1"
        r["requestId"] = "other-" + r["requestId"]
        print(json.dumps(r))' | gzip -c >"$T/other.json.gz"
n_other=$(gzip -dc "$T/other.json.gz" | grep -c .)
other_key=$(echo "$key" | sed "s#/AWSLogs/$ACCOUNT/BedrockModelInvocationLogs/$REGION/#/AWSLogs/210987654321/BedrockModelInvocationLogs/eu-west-1/#")
call s3 put "$BUCKET" "$other_key" "$T/other.json.gz" || not_ok "seed the second account"

s0=$(sts_calls)
run bq bq-logs --s3 "s3://$BUCKET/$PREFIX" --since "$WS" --until "$WE" --no-bodies --debug
check_rc 0 "bucket/prefix only: accounts and regions discovered"
check_eq "$(jq -r .account_id "$T/out" | sort | uniq -c | awk '{print $2 ":" $1}' | tr '\n' ' ')" \
	"$ACCOUNT:120 210987654321:$n_other " "every record of both accounts is read"
check_eq "$(jq -r 'select(.account_id == "210987654321") | .region' "$T/out" | sort -u)" eu-west-1 \
	"... the second one from its own region's folder"
check_eq "$(( $(sts_calls) - s0 ))" 0 "no GetCallerIdentity when the bucket tells the accounts"
check_grep "^bq-logs: reading s3://$BUCKET/$PREFIX/AWSLogs/210987654321/BedrockModelInvocationLogs/eu-west-1/\$" \
	"$T/err" "--debug names each folder read"
check_grep "delimiter=%2F" <(jq -r 'select(.operation == "ListObjectsV2") | .query' "$REQ") \
	"the discovery lists with a delimiter"

run bq bq-logs --s3 "s3://$BUCKET/$PREFIX/AWSLogs/$ACCOUNT/" --since "$WS" --until "$WE" --no-bodies -q
check_eq "$(jq -r .account_id "$T/out" | sort -u | tr '\n' ' ')/$(grep -c . "$T/out")" "$ACCOUNT /120" \
	"a URL naming the account reads only that account"

# nothing under AWSLogs/: the caller's account from STS, as a fallback
call s3 mb bq-empty-logs >/dev/null
s0=$(sts_calls)
run bq bq-logs --s3 "s3://bq-empty-logs/nothing" --since "$WS" --until "$WE" --debug
check_rc 0 "an empty bucket: no records, status 0"
check_eq "$(( $(sts_calls) - s0 ))" 1 "... the account asked of STS"
check_grep "^bq-logs: reading s3://bq-empty-logs/nothing/AWSLogs/$ACCOUNT/BedrockModelInvocationLogs/$REGION/\$" \
	"$T/err" "... in the configured region"
