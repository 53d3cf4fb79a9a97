#!/usr/bin/env bash
# bq-cost report against Cost Explorer of the local peers: the sample
# world's cost rows (grouping by usage type, tag and model, paging, the
# service filter) checked against tests/cli/cost_expect.py, then results
# seeded into moto (exact amounts, tag keys, scripted pages), the budget
# gate and usage errors.
source "$(dirname "$0")/../lib.sh"
need_python "cost report"
start_peers --world --records 200
X="python3 $TOP/tests/cli/cost_expect.py"
ws=$(jq -r .window_start "$W/manifest.json")
we=$(jq -r .window_end "$W/manifest.json")
S1="Amazon Bedrock"
S2="Claude 3.5 Haiku (Amazon Bedrock Edition)"
S3="Claude 3 Haiku (Amazon Bedrock Edition)"
ALL="$S1|$S2|$S3"
ce_calls() { jq -s '[.[] | select(.operation=="GetCostAndUsage")] | length' "$REQ"; }
day() { python3 -c "import sys;print(sys.argv[1][:10])" "$1"; }
# The days Cost Explorer is asked for: since's day to the day after until's.
end_day() { python3 -c "
import calendar,datetime,sys
t=calendar.timegm(datetime.datetime.strptime(sys.argv[1],'%Y-%m-%dT%H:%M:%SZ').timetuple())
e=(t+86399)//86400*86400
print(datetime.datetime.utcfromtimestamp(e).strftime('%Y-%m-%d'))" "$1"; }
d0=$(day "$ws")
d1=$(end_day "$we")

svc=(--service "$S1" --service "$S2" --service "$S3")

before=$(ce_calls)
run bq bq-cost "${svc[@]}" --since "$ws" --until "$we" --by usage-type
check_rc 0 "report by usage type"
check_eq "$($X report "$W/costs.json" "$ALL" daily usage-type "$d0" "$d1" <"$T/out" | head -3)" \
	"ok $(wc -l <"$T/out")" "rows by usage type equal the world's cost rows"
check_eq "$(jq -r '[.kind,.metric,.unit,(.estimated|type)] | join(" ")' "$T/out" | sort -u)" \
	"cost UnblendedCost USD boolean" "record fields"
n=$(( $(ce_calls) - before ))
check_grep "^bq-cost: $n Cost Explorer requests? made \(each is billed\)$" "$T/err" "stderr says how many requests ($n)"

run bq bq-cost "${svc[@]}" --since "$ws" --until "$we" --by tag:team --by model
check_rc 0 "report by tag and model"
check_eq "$($X report "$W/costs.json" "$ALL" daily tag:team,model "$d0" "$d1" <"$T/out" | head -3)" \
	"ok $(wc -l <"$T/out")" "rows by tag value and model equal the world's"
check_eq "$(jq -r '.group["tag:team"]' "$T/out" | sort -u | tr '\n' ' ')" " search support " \
	"tag values split from KEY\$value (untagged is \"\")"
check_grep '"model":"Claude3\.5Haiku"' "$T/out" "model derived from usage types"

# Hourly rows are many: Cost Explorer pages them; every page is read once.
before=$(ce_calls)
run bq bq-cost "${svc[@]}" --since "$ws" --until "$we" --granularity hourly --by usage-type
check_rc 0 "hourly report"
n=$(( $(ce_calls) - before ))
[ "$n" -gt 1 ] && ok "several pages ($n requests)" || not_ok "expected paging, got $n request(s)"
check_eq "$($X report "$W/costs.json" "$ALL" hourly usage-type "$ws" "$we" <"$T/out" | head -3)" \
	"ok $(wc -l <"$T/out")" "hourly rows across pages: none missing, none twice"
check_grep "^bq-cost: $n Cost Explorer requests made" "$T/err" "request count across pages"

# No --service: the services are listed first (GetDimensionValues over the
# window, SearchString "Bedrock"), the Marketplace-billed model services
# ("Claude ... (Amazon Bedrock Edition)") with the first-party one.
dv_calls() { jq -s '[.[] | select(.operation=="GetDimensionValues")] | length' "$REQ"; }
before=$(dv_calls)
run bq bq-cost --since "$ws" --until "$we"
check_rc 0 "report without --service"
check_nogrep "cannot list Bedrock's Cost Explorer services" "$T/err" "services listed, no warning"
check_eq "$(( $(dv_calls) - before ))" 1 "one GetDimensionValues request"
check_eq "$($X report "$W/costs.json" "$ALL" daily "" "$d0" "$d1" <"$T/out" | head -3)" \
	"ok $(wc -l <"$T/out")" "totals of every service named like Bedrock, Marketplace-billed ones included"
run bq bq-cost --since "$ws" --until "$we" --by usage-type
check_grep '"usage_type":"USE1-Claude3\.5Haiku-' "$T/out" "a Marketplace-billed model's usage types are in the report"

# The budget gate on the report's total.
run bq bq-cost -q --service "$S1" --since "$ws" --until "$we" --budget 1000000
check_rc 0 "total under --budget"
run bq bq-cost -q --service "$S1" --since "$ws" --until "$we" --budget 0.000001
check_rc 4 "total above --budget exits 4"
check_grep '^bq-cost: total [0-9.]+ USD is above --budget 0\.000001$' "$T/err" "budget message"

# Usage errors.
run bq bq-cost --by model --by region --by account
check_rc 2 "three --by keys"
check_grep "two keys at most" "$T/err" "says why"
run bq bq-cost --granularity weekly
check_rc 2 "bad granularity"
run bq bq-cost --by colour
check_rc 2 "bad --by"
run bq bq-cost --budget 12,50
check_rc 2 "bad --budget"
run bq bq-cost --since 1d --until 2d
check_rc 2 "empty window"

# Services listed over several pages (one value a page): all of them used.
# Through the fault proxy the listing fails: a warning, and the report
# keeps to "Amazon Bedrock".
echo "GetDimensionValues 500" >"$T/dvrules"
start_peers --world --records 60 --ce-page 1 --faults "$T/dvrules"
ws=$(jq -r .window_start "$W/manifest.json")
we=$(jq -r .window_end "$W/manifest.json")
nsvc=$(jq '[.rows[].service] | unique | length' "$W/costs.json")
run bq bq-cost --since "$ws" --until "$we"
check_rc 0 "report, services listed one a page"
check_eq "$(dv_calls)" "$nsvc" "GetDimensionValues followed to the last page ($nsvc services, $nsvc pages)"
check_eq "$($X report "$W/costs.json" "$ALL" daily "" "$(day "$ws")" "$(end_day "$we")" <"$T/out" | head -3)" \
	"ok $(wc -l <"$T/out")" "every service of every page in the filter"
AWS_ENDPOINT_URL=$BQ_FAULT_URL run bq bq-cost --max-attempts 1 --since "$ws" --until "$we"
check_rc 0 "services not listable: still a report"
check_grep "^bq-cost: warning: cannot list Bedrock's Cost Explorer services \(.*GetDimensionValues" "$T/err" \
	"services not listable: said on stderr"
check_eq "$($X report "$W/costs.json" "$S1" daily "" "$(day "$ws")" "$(end_day "$we")" <"$T/out" | head -3)" \
	"ok $(wc -l <"$T/out")" "services not listable: totals of Amazon Bedrock alone"

# Seeded results in moto: exact amounts, tag keys, a scripted second page.
start_peers
curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	"$BQ_MOTO_URL/moto-api/static/ce/cost-and-usage-results" -d '{"results":[
 {"ResultsByTime":[{"TimePeriod":{"Start":"2026-10-01","End":"2026-11-01"},"Total":{},"Estimated":false,"Groups":[
   {"Keys":["USE1-NovaPro-input-tokens","team$search"],"Metrics":{"UnblendedCost":{"Amount":"12.3400000000","Unit":"USD"}}},
   {"Keys":["USE1-NovaPro-output-tokens","team$search"],"Metrics":{"UnblendedCost":{"Amount":"0.1","Unit":"USD"}}}]}],
  "NextPageToken":"page-2"},
 {"ResultsByTime":[{"TimePeriod":{"Start":"2026-10-01","End":"2026-11-01"},"Total":{},"Estimated":true,"Groups":[
   {"Keys":["USE1-NovaPro-cache-read-input-token-count","team$"],"Metrics":{"UnblendedCost":{"Amount":"0.2","Unit":"USD"}}},
   {"Keys":["USE1-Claude3Haiku-input-tokens","team$support"],"Metrics":{"UnblendedCost":{"Amount":"1.5E-7","Unit":"USD"}}}]}]}]}' >"$T/code"
check_eq "$(cat "$T/code")" 201 "results seeded"
run bq bq-cost --service "$S1" --since 2026-10-01 --until 2026-11-01 --granularity monthly --by model --by tag:team
check_rc 0 "seeded report"
cat >"$T/want" <<'J'
{"kind":"cost","start":"2026-10-01","end":"2026-11-01","group":{"model":"NovaPro","tag:team":"search"},"metric":"UnblendedCost","amount":"12.44","unit":"USD","estimated":false}
{"kind":"cost","start":"2026-10-01","end":"2026-11-01","group":{"model":"NovaPro","tag:team":""},"metric":"UnblendedCost","amount":"0.2","unit":"USD","estimated":true}
{"kind":"cost","start":"2026-10-01","end":"2026-11-01","group":{"model":"Claude3Haiku","tag:team":"support"},"metric":"UnblendedCost","amount":"0.00000015","unit":"USD","estimated":true}
J
check_file_eq "$T/out" "$T/want" "exact decimal sums across pages (12.34 + 0.1 = 12.44), tags split, exponents expanded, shortest form"
check_eq "$(ce_calls)" 2 "two pages, two requests, nothing fetched twice"
check_grep '^bq-cost: 2 Cost Explorer requests made' "$T/err" "request count"
run bq bq-cost -q --service "$S1" --since 2026-10-01 --until 2026-11-01 --granularity monthly --by model --by tag:team --budget 12.64000015
check_rc 0 "budget equal to the exact total passes"
run bq bq-cost -q --service "$S1" --since 2026-10-01 --until 2026-11-01 --granularity monthly --by model --by tag:team --budget 12.64000014
check_rc 4 "budget one hundred-millionth below the total fails"
