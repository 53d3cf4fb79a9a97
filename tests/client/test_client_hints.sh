#!/usr/bin/env bash
# Server retry hints and odd error answers from scripted services: Retry-After
# and x-amz-retry-after bound the backoff, a skew error is corrected once
# only, rest-json errors named only by x-amzn-ErrorType.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"

export AWS_ACCESS_KEY_ID=AKIDHINTSTEST AWS_SECRET_ACCESS_KEY=hints-secret AWS_REGION=us-east-1
cat >"$T/svc.json" <<'EOF'
{"routes":[
 {"method":"POST","path":"/","body_contains":"\"retry-after\"","responses":[
   {"status":503,"headers":{"Retry-After":"2"},"body":{"__type":"ServiceUnavailableException","message":"busy"}},
   {"status":200,"body":{}}]},
 {"method":"POST","path":"/","body_contains":"\"amz-retry-after\"","responses":[
   {"status":429,"headers":{"x-amz-retry-after":"3500"},"body":{"__type":"ThrottlingException","message":"slow"}},
   {"status":200,"body":{}}]},
 {"method":"POST","path":"/","body_contains":"\"skew\"","responses":[
   {"status":400,"body":{"__type":"InvalidSignatureException","message":"Signature expired: 20200101T000000Z is now earlier than ..."}}]},
 {"method":"GET","path":"/guardrails","responses":[
   {"status":400,"headers":{"x-amzn-ErrorType":"ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/","x-amzn-RequestId":"req-77"},
    "body":{"message":"1 validation error detected"}}]}
]}
EOF
stub_start SVC "$T/svc.json" || { not_ok "stub starts"; exit 1; }
export AWS_ENDPOINT_URL=$SVC

run bq_call --fake-clock 0.5 logs DescribeLogGroups '{"logGroupNamePrefix":"retry-after"}'
check_rc 0 "503 with Retry-After, then fine"
check_eq "$(grep '^slept' "$T/err")" "slept 2.000" "Retry-After: 2 s (within [delay, delay + 5 s])"
run bq_call --fake-clock 0.5 logs DescribeLogGroups '{"logGroupNamePrefix":"amz-retry-after"}'
check_rc 0 "429 with x-amz-retry-after, then fine"
check_eq "$(grep '^slept' "$T/err")" "slept 3.500" "x-amz-retry-after is milliseconds"
: >"$T/SVC.log"
run bq_call --fake-clock 0.5 logs DescribeLogGroups '{"logGroupNamePrefix":"skew"}'
check_rc 3 "a skew error that persists: status 3"
check_eq "$(wc -l <"$T/SVC.log")/$(grep -c '^slept' "$T/err")" "2/0" \
	"corrected from the Date header and retried once, without backoff"
check_grep 'InvalidSignatureException' "$T/err" "... with its code"
run bq_call bedrock GET /guardrails
check_rc 1 "rest-json error named by x-amzn-ErrorType: status 1"
check_grep 'bedrock GET /guardrails: 1 validation error detected \(ValidationException, HTTP 400, request id req-77\)' \
	"$T/err" "code from the header (suffix cut), message and request id"
