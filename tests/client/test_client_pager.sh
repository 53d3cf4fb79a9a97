#!/usr/bin/env bash
# The pager against scripted services: tokens of every spelling the
# paginators use, empty pages in the middle, GetLogEvents' repeated
# forward token, rest-json GET paging through the query string.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"

export AWS_ACCESS_KEY_ID=AKIDPAGERTEST AWS_SECRET_ACCESS_KEY=pager-secret AWS_REGION=us-east-1
page() { printf '{"status":200,"headers":{"Content-Type":"application/x-amz-json-1.1"},"body":%s}' "$1"; }
cat >"$T/svc.json" <<EOF
{"routes":[
 {"method":"POST","path":"/","body_contains":"\"logGroupName\":\"empty\"","responses":[
   $(page '{"events":[],"nextToken":"t1"}'), $(page '{"events":[],"nextToken":"t2"}'),
   $(page '{"events":[{"message":"last"}]}')]},
 {"method":"POST","path":"/","body_contains":"\"logStreamName\":\"fwd\"","responses":[
   $(page '{"events":[{"message":"a"}],"nextForwardToken":"f/1"}'),
   $(page '{"events":[],"nextForwardToken":"f/2"}'),
   $(page '{"events":[],"nextForwardToken":"f/2"}')]},
 {"method":"POST","path":"/","body_contains":"\"Granularity\"","responses":[
   $(page '{"ResultsByTime":[1],"NextPageToken":"p1"}'), $(page '{"ResultsByTime":[2]}')]},
 {"method":"POST","path":"/","body_contains":"\"ResourcesPerPage\"","responses":[
   $(page '{"ResourceTagMappingList":[1],"PaginationToken":"x1"}'),
   $(page '{"ResourceTagMappingList":[2],"PaginationToken":""}')]},
 {"method":"POST","path":"/","body_contains":"\"zipped\"","responses":[
   {"status":200,"gzip":true,"headers":{"Content-Type":"application/x-amz-json-1.1"},"body":{"logGroups":[{"logGroupName":"zipped"}]}}]},
 {"method":"GET","path":"/custom-models","responses":[
   $(page '{"modelSummaries":[1],"nextToken":"n/1+"}'), $(page '{"modelSummaries":[2]}')]}
]}
EOF
stub_start SVC "$T/svc.json" || { not_ok "stub starts"; exit 1; }
export AWS_ENDPOINT_URL=$SVC
body() { sed -n "${1}p" "$T/SVC.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"])'; }

run bq_call --paginate logs FilterLogEvents '{"logGroupName":"empty"}'
check_rc 0 "FilterLogEvents pages"
check_eq "$(wc -l <"$T/out")" 3 "empty pages with a token do not end the listing"
check_eq "$(body 2)|$(body 3)" '{"logGroupName":"empty","nextToken":"t1"}|{"logGroupName":"empty","nextToken":"t2"}' \
	"nextToken copied into the next input, the caller's input kept"
: >"$T/SVC.log"
run bq_call --paginate logs GetLogEvents '{"logGroupName":"g","logStreamName":"fwd"}'
check_eq "$(wc -l <"$T/out")/$(wc -l <"$T/SVC.log")" "3/3" "GetLogEvents stops when the forward token repeats"
check_grep '"nextToken":"f/1"' <(body 2) "nextForwardToken is sent back as nextToken"
: >"$T/SVC.log"
run bq_call --paginate ce GetCostAndUsage '{"Granularity":"DAILY"}'
check_eq "$(wc -l <"$T/out")" 2 "Cost Explorer NextPageToken"
check_grep '"NextPageToken":"p1"' <(body 2) "NextPageToken sent back"
check_grep 'AWSInsightsIndexService.GetCostAndUsage' <(sed -n 1p "$T/SVC.log") "Cost Explorer target prefix"
: >"$T/SVC.log"
run bq_call --paginate resourcegroupstaggingapi GetResources '{"ResourcesPerPage":1}'
check_eq "$(wc -l <"$T/out")" 2 "PaginationToken, and an empty token ends the listing"
: >"$T/SVC.log"
run bq_call --paginate bedrock GET /custom-models
check_eq "$(wc -l <"$T/out")" 2 "rest-json GET paging"
check_eq "$(sed -n 2p "$T/SVC.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["query"])')" \
	"nextToken=n%2F1%2B" "the token goes into the query string, encoded"

: >"$T/SVC.log"
run bq_call logs DescribeLogGroups '{"logGroupNamePrefix":"zipped"}'
check_eq "$(cat "$T/out")" '{"logGroups":[{"logGroupName":"zipped"}]}' "a gzip-encoded answer is decoded"
check_grep 'gzip' <(sed -n 1p "$T/SVC.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["headers"].get("accept-encoding",""))') \
	"Accept-Encoding offers gzip"
run bq_call --debug --repeat 3 logs DescribeLogGroups '{"logGroupNamePrefix":"zipped"}'
check_eq "$(grep -c 'Re-using existing connection' "$T/err")" 2 "one connection kept alive across three calls"
