#!/usr/bin/env bash
# Runs every command of bq-cost(1)'s EXAMPLES against the local peers (the
# sample world) and checks what it printed.
source "$(dirname "$0")/../lib.sh"
need_python "cost examples"
start_peers --world --records 200
X="python3 $TOP/tests/cli/cost_expect.py"
man_examples "$TOP/man/bq-cost.1" 7

sorted() { python3 -c '
import json, sys
from decimal import Decimal
rows = [json.loads(l) for l in sys.stdin]
for r in rows:
    if "unpriced_requests" in r:
        r = {"group": r["group"], "requests": r["requests"], "input_tokens": r["input_tokens"],
             "output_tokens": r["output_tokens"], "cache_read_tokens": r["cache_read_tokens"],
             "cache_write_tokens": r["cache_write_tokens"], "unpriced": r["unpriced_requests"],
             "usd": r["usd"]}
    r["usd"] = str(Decimal(r["usd"]).normalize())
    print(json.dumps(r, sort_keys=True))' | sort; }

cd "$T" || exit 1
cp "$W/invocations.ndjson" invocations.ndjson
# "copy the built-in table and edit it": Command R+ at a contract price
awk -F '\t' 'BEGIN { OFS = FS } $1 == "cohere.command-r-plus-v1:0" { $3 = "2.50"; $4 = "10.00"; $8 = "my own contract" }
	{ print }' "$TOP/lib/prices.tsv" >my-prices.tsv
# Without --service, Bedrock's services are listed from Cost Explorer,
# the Marketplace-billed model services included.
services="Amazon Bedrock|Claude 3.5 Haiku (Amazon Bedrock Edition)|Claude 3 Haiku (Amazon Bedrock Edition)"
day0=$(date -u -d "@$(( $(date -u +%s) - 7 * 86400 ))" +%Y-%m-%d)
day1=$(date -u -d "@$(( $(date -u +%s) + 86400 ))" +%Y-%m-%d)

n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	bash -c "$cmd" >"$T/out" 2>"$T/err" </dev/null; rc=$?
	case $n in
	1)
		check_eq "$rc" 0 "example 1 runs"
		check_nogrep "cannot list Bedrock's Cost Explorer services" "$T/err" "example 1: services listed"
		check_eq "$($X report "$W/costs.json" "$services" daily model "$day0" "$day1" <"$T/out" | head -3)" \
			"ok $(wc -l <"$T/out")" "example 1: daily costs per model equal the world's"
		check_grep '^bq-cost: [0-9]+ Cost Explorer requests? made' "$T/err" "example 1: request count on stderr"
		;;
	2)
		check_eq "$rc" 0 "example 2 runs"
		check_eq "$(head -1 "$T/out" | tr -s ' ')" "kind start end group metric amount unit estimated" "example 2: table header"
		rows=$(tail -n +2 "$T/out" | grep -c '^cost ')
		[ "$rows" -gt 0 ] && ok "example 2: $rows rows" || not_ok "example 2: no rows"
		check_grep '\{"tag:team":"(search|support)","usage_type":"USE1-' "$T/out" "example 2: grouped by tag and usage type"
		;;
	3)
		check_eq "$rc:$(cat "$T/out")" "0:" "example 3: under budget, nothing said"
		bash -c "${cmd/--budget 500/--budget 0.0001}" >"$T/out" 2>"$T/err"
		check_eq "$(cat "$T/out")" "Bedrock is over budget" "example 3: over budget is noticed"
		check_grep '^bq-cost: total [0-9.]+ USD is above --budget 0\.0001$' "$T/err" "example 3: total on stderr"
		;;
	4)
		check_eq "$rc" 0 "example 4 runs"
		# Every world record is within the last day.
		$X estimate "$TOP/lib/prices.tsv" identity "$W/manifest.json" <invocations.ndjson | sorted >"$T/want"
		sorted <"$T/out" >"$T/got"
		check_file_eq "$T/got" "$T/want" "example 4: spend per caller equals the computation"
		;;
	5)
		check_eq "$rc" 0 "example 5 runs (under the budget)"
		$X estimate "$TOP/lib/prices.tsv" request_metadata.team,model "$W/manifest.json" <invocations.ndjson | sorted >"$T/want"
		sorted <"$T/out" >"$T/got"
		check_file_eq "$T/got" "$T/want" "example 5: per team and model"
		;;
	6)
		check_eq "$rc" 0 "example 6 runs"
		$X estimate my-prices.tsv model <invocations.ndjson | sorted >"$T/want"
		sorted <"$T/out" >"$T/got"
		check_file_eq "$T/got" "$T/want" "example 6: priced with my own table"
		check_eq "$(jq -r 'select(.group.model=="cohere.command-r-plus-v1:0") |
			"\(.usd) \(.input_tokens) \(.output_tokens)"' "$T/out" | python3 -c '
import sys
from decimal import Decimal
usd, i, o = sys.stdin.read().split()
print(Decimal(usd) == (Decimal(i) * Decimal("2.50") + Decimal(o) * Decimal("10.00")) / 1000000)')" True \
			"example 6: the edited row prices Command R+ at the contract price (2.50 / 10.00)"
		;;
	7)
		check_eq "$rc" 0 "example 7 runs"
		check_eq "$(head -1 "$T/out" | tr -s ' ')" "model routing input output date" "example 7: table header"
		check_eq "$(tail -n +2 "$T/out" | wc -l)" "$(grep -v '^#' "$TOP/lib/prices.tsv" | tail -n +2 | wc -l)" \
			"example 7: one row per price"
		;;
	*)
		not_ok "example $n has no check: $cmd"
		;;
	esac
done <"$T/examples"
