#!/usr/bin/env bash
# bq-logs config: shows GetModelInvocationLoggingConfiguration as a
# logging_config record; --enable sets it with PutModelInvocationLogging-
# Configuration; usage errors; no configuration at all.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs config: moto is not installed"
	exit 0
fi
peer_start --world --records 10 || { not_ok "peers start"; exit 1; }

run bq bq-logs config
check_rc 0 "config: shows the configuration"
check_eq "$(cat "$T/out")" '{"kind":"logging_config","region":"us-east-1","enabled":true,"log_group":"/aws/bedrock/modelinvocations","role_arn":"arn:aws:iam::123456789012:role/BedrockLoggingRole","large_data_s3":"s3://bq-bedrock-logs-123456789012/bedrock","s3":"s3://bq-bedrock-logs-123456789012/bedrock","text_data_delivery":true,"image_data_delivery":true,"embedding_data_delivery":true,"video_data_delivery":false}' \
	"config: the world's configuration as one record"

run bq bq-logs config --enable --s3 s3://other-bucket/team/ --log-group /team/bedrock \
	--role-arn arn:aws:iam::123456789012:role/TeamLogs
check_rc 0 "config --enable: sets S3 and CloudWatch delivery"
check_eq "$(jq -c '[.log_group,.role_arn,.s3,.large_data_s3,.text_data_delivery]' "$T/out")" \
	'["/team/bedrock","arn:aws:iam::123456789012:role/TeamLogs","s3://other-bucket/team","s3://other-bucket/team",true]' \
	"config --enable: the new configuration is read back"
python3 - "$BQ_PEER_DIR/requests.ndjson" >"$T/ops" <<'PY'
import json, sys
print(" ".join(json.loads(l)["operation"] for l in open(sys.argv[1]) if "Logging" in json.loads(l)["operation"]))
PY
check_eq "$(cat "$T/ops")" "GetModelInvocationLoggingConfiguration PutModelInvocationLoggingConfiguration GetModelInvocationLoggingConfiguration" \
	"config --enable: PUT then GET"
run bq bq-logs config --enable --s3 s3://only-s3
check_rc 0 "config --enable: S3 only"
check_eq "$(jq -c '[.s3, .log_group]' "$T/out")" '["s3://only-s3/",null]' "config --enable: S3 only, no prefix"

run bq bq-logs config --enable --log-group /g
check_rc 2 "config --enable: a log group needs --role-arn"
check_grep "needs --role-arn" "$T/err" "config --enable: says what is missing"
run bq bq-logs config --enable
check_rc 2 "config --enable: needs a destination"
run bq bq-logs config --s3 s3://x
check_rc 2 "config: --s3 without --enable is a usage error"
run bq bq-logs config --enable --s3 https://x
check_rc 2 "config --enable: a bad S3 URL is a usage error"
check_grep "'https://x'" "$T/err" "config --enable: names the bad URL"
run bq bq-logs config --follow
check_rc 2 "config: read options are not accepted"

# no configuration at all
if ! command -v aws >/dev/null; then
	skip "config: the AWS CLI is needed to delete the configuration"
	exit 0
fi
aws bedrock delete-model-invocation-logging-configuration >/dev/null 2>&1
run bq bq-logs config
check_eq "$(cat "$T/out")" '{"kind":"logging_config","region":"us-east-1","enabled":false}' \
	"config: logging not configured"
run bq bq-logs --since 1h
check_rc 1 "no source and no configuration: an error"
check_grep "not configured in us-east-1" "$T/err" "no source and no configuration: says so"
