#!/usr/bin/env bash
# The AWS client against the local peers: every wire protocol round-trips
# (JSON 1.0 CloudWatch, JSON 1.1 Logs, rest-json X-Ray / Bedrock / Bedrock
# Runtime with a model id containing ':', rest-xml S3 with paging, query
# STS), paging, error shapes and exit statuses, --debug redaction, proxies.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "client protocols: moto is not installed"
	exit 0
fi
peer_start || { not_ok "peers start"; exit 1; }
REQ=$BQ_PEER_DIR/requests.ndjson
count_ops() { grep -c "\"operation\": *\"$1\"" "$REQ"; }

# ---- query (STS) ----
run bq_call sts GetCallerIdentity
check_rc 0 "sts GetCallerIdentity succeeds"
check_grep '"Arn":"arn:aws:iam::123456789012:user/peer"' "$T/out" "query protocol result parsed"

# ---- JSON 1.1 (Logs) and the pager ----
for g in g1 g2 g3; do bq_call logs CreateLogGroup "{\"logGroupName\":\"/bq/$g\"}" >/dev/null; done
run bq_call --paginate logs DescribeLogGroups '{"logGroupNamePrefix":"/bq/","limit":1}'
check_rc 0 "logs DescribeLogGroups pages"
check_eq "$(grep -o '"logGroupName":"/bq/g[0-9]"' "$T/out" | tr '\n' ' ')" \
	'"logGroupName":"/bq/g1" "logGroupName":"/bq/g2" "logGroupName":"/bq/g3" ' \
	"three pages of one group each, nextToken followed"
n0=$(count_ops DescribeLogGroups)
run bq_call --paginate --stop-after 2 logs DescribeLogGroups '{"logGroupNamePrefix":"/bq/","limit":1}'
check_eq "$(wc -l <"$T/out")/$(( $(count_ops DescribeLogGroups) - n0 ))" "2/2" \
	"the page callback stops the pager (no extra request)"
run bq_call logs DescribeLogStreams '{"logGroupName":"/bq/none"}'
check_rc 1 "unknown log group: status 1"
check_grep 'ResourceNotFoundException' "$T/err" "the service's error code is reported"

# ---- JSON 1.0 (CloudWatch) ----
run bq_call cloudwatch PutMetricData '{"Namespace":"BQ/Test","MetricData":[{"MetricName":"M1","Value":1}]}'
check_rc 0 "cloudwatch PutMetricData (JSON 1.0)"
run bq_call cloudwatch ListMetrics '{"Namespace":"BQ/Test"}'
check_grep '"MetricName":"M1"' "$T/out" "cloudwatch ListMetrics sees the metric"
check_grep '"service": *"monitoring".*"sig": *"ok"' "$REQ" "CloudWatch requests verify (x-amzn-query-mode signed)"

# ---- rest-json (X-Ray, Bedrock, Bedrock Runtime) ----
run bq_call xray POST /TraceSummaries "{\"StartTime\":$(( $(date +%s) - 600 )),\"EndTime\":$(date +%s)}"
check_rc 0 "xray GetTraceSummaries (rest-json POST)"
check_grep '"TraceSummaries"' "$T/out" "xray answer parsed"
run bq_call bedrock GET '/foundation-models/anthropic.claude-3-haiku-20240307-v1%3A0'
check_rc 0 "bedrock GetFoundationModel with an encoded ':' in the path"
check_grep '"modelId":"anthropic.claude-3-haiku-20240307-v1:0"' "$T/out" "model id decoded by the service"
run bq_call bedrock-runtime POST '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse' \
	'{"messages":[{"role":"user","content":[{"text":"hello"}]}]}'
check_rc 0 "bedrock-runtime Converse (signs as bedrock)"
check_grep '"output"' "$T/out" "Converse answer parsed"
run bq_call bedrock GET '/foundation-models/no.such-model-v1%3A0'
check_rc 1 "unknown model: status 1"
check_grep 'ResourceNotFoundException|ValidationException' "$T/err" "rest-json error code from the answer"

# ---- rest-xml (S3) ----
run bq_call s3 mb bq-proto
check_rc 0 "s3 CreateBucket"
run bq_call s3 mb bq-proto
check_rc 0 "CreateBucket on an owned bucket is success"
keys=("a.txt" "dir/b c.txt" "dir/d&e.txt" "dir/f+g.txt" "d$(printf '\xc3\xa9')j$(printf '\xc3\xa0').txt")
i=0
for k in "${keys[@]}"; do
	printf 'object %d\n' $i >"$T/obj"; i=$((i + 1))
	bq_call s3 put bq-proto "$k" "$T/obj" || not_ok "s3 put '$k'"
done
n0=$(count_ops ListObjectsV2)
run bq_call --max-keys 2 s3 ls bq-proto
check_rc 0 "s3 ListObjectsV2 with pages of 2"
check_eq "$(wc -l <"$T/out")" 5 "five keys listed across pages"
check_eq "$(( $(count_ops ListObjectsV2) - n0 ))" 3 "three ListObjectsV2 requests (continuation tokens)"
for k in "${keys[@]}"; do
	grep -qF "\"key\":\"$k\"" "$T/out" || not_ok "key '$k' listed and decoded"
done
ok "keys with spaces, '&', '+' and UTF-8 come back decoded"
run bq_call --max-keys 2 s3 ls bq-proto dir/
check_eq "$(wc -l <"$T/out")" 3 "prefix filter"
# delimiter: common prefixes ("folders"), paged, decoded
for k in "L/AWSLogs/111111111111/x" "L/AWSLogs/222222222222/BedrockModelInvocationLogs/us-east-1/y" \
	"L/AWSLogs/222222222222/BedrockModelInvocationLogs/eu-west-1/z" "L/AWSLogs/333 a+b/w" "L/AWSLogs/top.txt"; do
	bq_call s3 put bq-proto "$k" "$T/obj" || not_ok "s3 put '$k'"
done
run bq_call s3 prefixes bq-proto L/AWSLogs/
check_rc 0 "s3 ListObjectsV2 with a delimiter"
check_eq "$(jq -r .prefix "$T/out" | tr '\n' ' ')" "L/AWSLogs/111111111111/ L/AWSLogs/222222222222/ L/AWSLogs/333 a+b/ " \
	"common prefixes one level down, decoded, the object beside them skipped"
check_grep 'delimiter=%2F' <(tail -1 "$REQ") "the delimiter is sent, encoded"
run bq_call s3 prefixes bq-proto L/AWSLogs/222222222222/BedrockModelInvocationLogs/
check_eq "$(jq -r .prefix "$T/out" | sed 's#.*/\([^/]*\)/$#\1#' | tr '\n' ' ')" "eu-west-1 us-east-1 " "regions under an account"
run bq_call --delimiter / --max-keys 2 s3 ls bq-proto L/AWSLogs/
check_eq "$(jq -r '.key // .prefix' "$T/out" | sort | tr '\n' ' ')" \
	"L/AWSLogs/111111111111/ L/AWSLogs/222222222222/ L/AWSLogs/333 a+b/ L/AWSLogs/top.txt " \
	"s3 ls with a delimiter and pages of 2: the key beside and the prefixes, each once"
run bq_call --stop-after 1 s3 prefixes bq-proto L/AWSLogs/
check_eq "$(grep -c . "$T/out")/$rc" "1/0" "the prefix callback stops the listing quietly"
run bq_call s3 prefixes bq-proto nothing/here/
check_eq "$(grep -c . "$T/out")/$rc" "0/0" "no common prefixes: nothing, status 0"
run bq_call --max-keys 2 --stop-after 3 s3 ls bq-proto
check_eq "$(wc -l <"$T/out")/$rc" "3/0" "the key callback stops the listing quietly"
run bq_call s3 get bq-proto "dir/b c.txt"
check_eq "$(cat "$T/out")" "object 1" "s3 GetObject streams the body"
head -c 200000 /dev/urandom >"$T/big"
gzip -c "$T/big" >"$T/big.gz"
bq_call s3 put bq-proto logs/x.json.gz "$T/big.gz" gzip
run bq_call s3 get bq-proto logs/x.json.gz
check_file_eq "$T/out" "$T/big.gz" "a gzip object arrives as stored (not decoded)"
run bq_call s3 get bq-proto nope
check_rc 1 "missing key: status 1"
check_grep 'NoSuchKey' "$T/err" "S3 <Error> code reported"
run bq_call s3 ls no-such-bucket
check_grep 'NoSuchBucket' "$T/err" "S3 error while listing"

# ---- credentials errors map to status 3 ----
AWS_SECRET_ACCESS_KEY=wrong-secret run bq_call logs DescribeLogGroups
check_rc 3 "a wrong secret is status 3"
check_grep 'SignatureDoesNotMatch|InvalidSignatureException' "$T/err" "signature error code"
AWS_ACCESS_KEY_ID=AKIANOSUCHKEY0000000 run bq_call sts GetCallerIdentity
check_rc 3 "an unknown key on STS is status 3"
check_grep 'InvalidClientTokenId' "$T/err" "query-protocol XML error parsed"
AWS_ACCESS_KEY_ID=AKIANOSUCHKEY0000000 run bq_call --endpoint-url "$BQ_MOTO_URL" logs DescribeLogGroups
check_rc 3 "moto's XML auth error on a JSON service is status 3"
check_grep 'InvalidClientTokenId|UnrecognizedClient' "$T/err" "XML error on a JSON service parsed"

# ---- region and profile ----
(unset AWS_REGION AWS_DEFAULT_REGION; run bq_call sts GetCallerIdentity; check_rc 2 "no region: status 2"; check_grep 'no region' "$T/err" "the message says what is missing")
run bq_call --profile nosuch sts GetCallerIdentity
check_rc 2 "an unknown --profile is a usage error"
run bq_call --region eu-west-3 endpoint logs
check_eq "$(cat "$T/out")" "$AWS_ENDPOINT_URL" "AWS_ENDPOINT_URL applies to every service"
(unset AWS_ENDPOINT_URL; run bq_call --region eu-west-3 endpoint "cloudwatch logs"
 check_eq "$(cat "$T/out")" "https://logs.eu-west-3.amazonaws.com" "real endpoint without overrides")
AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:1 run bq_call --max-attempts 1 logs DescribeLogGroups
check_rc 1 "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS wins for logs (closed port: status 1)"
check_grep 'cannot connect to http://127.0.0.1:1' "$T/err" "network failure message names the endpoint"
AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:1 run bq_call sts GetCallerIdentity
check_rc 0 "... and does not touch other services"

# ---- --debug is redacted ----
run bq_call --debug logs DescribeLogGroups
check_rc 0 "--debug run"
check_grep 'canonical request' "$T/err" "--debug shows the canonical request"
check_grep 'string to sign' "$T/err" "--debug shows the string to sign"
check_grep '^> POST / HTTP/1.1' "$T/err" "--debug shows the HTTP exchange"
check_grep 'Signature=\[redacted\]' "$T/err" "signatures are redacted"
check_nogrep 'peer-secret-key' "$T/err" "the secret key never appears"
check_nogrep '^> Expect:' "$T/err" "no Expect: 100-continue"

# ---- proxies ----
http_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 NO_PROXY=127.0.0.1 \
	run bq_call sts GetCallerIdentity
check_rc 0 "NO_PROXY bypasses the proxy"
http_proxy=http://127.0.0.1:1 run bq_call --max-attempts 1 sts GetCallerIdentity
check_rc 1 "http_proxy is used when NO_PROXY does not match"
check_grep 'cannot connect' "$T/err" "... and its failure is a network error"

# ---- TLS verification stays on ----
AWS_CA_BUNDLE=/nonexistent.pem run bq_call --max-attempts 1 --endpoint-url https://127.0.0.1:1 sts GetCallerIdentity
check_rc 1 "https to a closed port with a bad CA bundle fails cleanly"
