#!/usr/bin/env bash
# bq-cost estimate: the sample world's invocation records priced with the
# built-in table and compared with an independent computation
# (tests/cli/cost_expect.py); every model of the world priced; unpriced
# models (with a table that lacks some); money formatting; --prices;
# the budget gate; bad input; bounded memory; the embedded table in step
# with lib/prices.tsv.
source "$(dirname "$0")/../lib.sh"
need_python "cost estimate"
X="python3 $TOP/tests/cli/cost_expect.py"
PRICES=$TOP/lib/prices.tsv

# Normalises bq-cost estimate output to cost_expect.py's shape.
shape() {
	jq -c '{group, requests, input_tokens, output_tokens, cache_read_tokens,
		cache_write_tokens, usd, unpriced: .unpriced_requests}' | python3 -c '
import json, sys
from decimal import Decimal
rows = [json.loads(l) for l in sys.stdin]
for r in rows:
    r["usd"] = str(Decimal(r["usd"]).normalize())
for r in sorted(rows, key=lambda r: sorted(r["group"].items())):
    print(json.dumps(r, sort_keys=True))'
}
sorted_expect() { python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
for r in sorted(rows, key=lambda r: sorted(r["group"].items())):
    print(json.dumps(r, sort_keys=True))'; }

# The embedded table is lib/prices.tsv.
sh "$TOP/lib/prices_embed.sh" "$PRICES" >"$T/prices_data.c"
check_file_eq "$T/prices_data.c" "$TOP/lib/prices_data.c" "lib/prices_data.c is generated from lib/prices.tsv"
bq bq-cost prices | jq -r '[.model,.routing,.input,.output,(.cache_read//"-"),(.cache_write//"-"),.date,.source] | @tsv' |
	sort >"$T/p_got"
grep -v '^#' "$PRICES" | tail -n +2 | python3 -c '
import sys
from decimal import Decimal
for l in sys.stdin:
    f = l.rstrip("\n").split("\t", 7)
    for i in range(2, 6):
        if f[i] != "-":
            f[i] = "{:f}".format(Decimal(f[i]).normalize())
    print("\t".join(f))' | sort >"$T/p_want"
check_file_eq "$T/p_got" "$T/p_want" "bq-cost prices lists the built-in table"

start_peers --world --records 300

# Raw log records, grouped by model.
run bq bq-cost estimate --by model <"$W/invocations.ndjson"
check_rc 0 "estimate of the world's raw records"
shape <"$T/out" >"$T/got"
$X estimate "$PRICES" model <"$W/invocations.ndjson" | sorted_expect >"$T/want"
check_file_eq "$T/got" "$T/want" "per-model counts and usd equal the independent computation"
check_eq "$(jq -s 'map(.requests) | add' "$T/out")" "$(wc -l <"$W/invocations.ndjson")" "every record counted"
check_nogrep "no (cache-read |cache-write )?price for model" "$T/err" "the built-in table prices every model of the world"
check_eq "$(jq -s '[.[] | select(.group.model | startswith("arn:") | not) | .unpriced_requests] | add' "$T/out")" 0 \
	"no request of a known model left unpriced"
check_grep "cannot tell the foundation model behind 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/" \
	"$T/err" "application profile without base model: said once"
check_grep '^bq-cost: 300 requests in [0-9]+ groups: [0-9.]+ USD estimated, [0-9]+ unpriced$' "$T/err" "summary"

# Unpriced models: a table without Titan Text Express and Command R+, and
# without Nova Lite's cache prices.
awk -F '\t' 'BEGIN { OFS = FS }
	$1 == "amazon.titan-text-express-v1" || $1 == "cohere.command-r-plus-v1:0" { next }
	$1 == "amazon.nova-lite-v1:0" { $5 = "-"; $6 = "-" } { print }' "$PRICES" >"$T/partial.tsv"
run bq bq-cost estimate --by model --prices "$T/partial.tsv" <"$W/invocations.ndjson"
check_rc 0 "estimate with a table lacking some models"
shape <"$T/out" >"$T/got"
$X estimate "$T/partial.tsv" model <"$W/invocations.ndjson" | sorted_expect >"$T/want"
check_file_eq "$T/got" "$T/want" "unpriced requests counted as the independent computation does"
for m in amazon.titan-text-express-v1 cohere.command-r-plus-v1:0; do
	check_eq "$(grep -c "no price for model '$m'" "$T/err")" 1 "unpriced model $m named once"
	check_eq "$(jq -r --arg m "$m" 'select(.group.model==$m) | .requests == .unpriced_requests and .usd == "0"' "$T/out")" \
		true "records of $m stay in their group as unpriced, usd 0"
done
check_eq "$(grep -cE "no cache-(read|write) price for model 'amazon.nova-lite-v1:0'" "$T/err")" 1 \
	"a model without cache prices named once"
check_eq "$(jq -r 'select(.group.model=="amazon.nova-lite-v1:0") | (.unpriced_requests > 0 and .unpriced_requests < .requests)' "$T/out")" \
	true "only its requests that used the cache are unpriced"
# usd of each group is exact, unpriced ones too: the same rule for zero.
check_eq "$(jq -r '.usd' "$T/out" | grep -vcE '^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$')" 0 \
	"usd written as exact decimals in the shortest form, zero included"

# Through bq-logs, application profiles get their base model and are priced.
bq bq-logs --file "$W/invocations.ndjson" --since 1d --no-bodies 2>/dev/null |
	bq bq-cost estimate --by model --by identity >"$T/out" 2>"$T/err"
rc=$?
check_rc 0 "bq-logs | bq-cost estimate"
shape <"$T/out" >"$T/got"
$X estimate "$PRICES" model,identity "$W/manifest.json" <"$W/invocations.ndjson" | sorted_expect >"$T/want"
check_file_eq "$T/got" "$T/want" "profiles priced as the model behind them (base_model_id)"
check_nogrep "cannot tell the foundation model" "$T/err" "no application profile left unpriced"

# Grouping by request metadata.
run bq bq-cost estimate -q --by request_metadata.team <"$W/invocations.ndjson"
shape <"$T/out" >"$T/got"
$X estimate "$PRICES" request_metadata.team <"$W/invocations.ndjson" | sorted_expect >"$T/want"
check_file_eq "$T/got" "$T/want" "grouped by request_metadata.team (records without it in group {})"

# The budget gate.
run bq bq-cost estimate --budget 1000 <"$W/invocations.ndjson"
check_rc 0 "total under --budget"
run bq bq-cost estimate --budget 0.01 <"$W/invocations.ndjson"
check_rc 4 "total above --budget exits 4"
check_grep '^bq-cost: total [0-9.]+ USD is above --budget 0\.01$' "$T/err" "budget message"

# Money formatting and exactness.
cat >"$T/money" <<'J'
{"kind":"invocation","model_id":"amazon.nova-micro-v1:0","input_tokens":1}
{"kind":"invocation","model_id":"amazon.nova-micro-v1:0","input_tokens":2,"output_tokens":3}
{"kind":"invocation","model_id":"global.anthropic.claude-haiku-4-5-20251001-v1:0","input_tokens":1000000000,"output_tokens":1000000000}
{"kind":"invocation","model_id":"eu.anthropic.claude-haiku-4-5-20251001-v1:0","input_tokens":1000,"cache_read_tokens":1000,"cache_write_tokens":1000}
J
run bq bq-cost estimate -q --by model_id <"$T/money"
check_eq "$(jq -r '"\(.group.model_id) \(.usd)"' "$T/out")" \
"global.anthropic.claude-haiku-4-5-20251001-v1:0 6000
eu.anthropic.claude-haiku-4-5-20251001-v1:0 0.002585
amazon.nova-micro-v1:0 0.000000525" "usd exact: 1e9 tokens, geo price, fractions of a micro-dollar"
check_eq "$(jq -r 'select(.group.model_id=="eu.anthropic.claude-haiku-4-5-20251001-v1:0") | .usd' "$T/out")" \
	"0.002585" "geo routing row used (1000 x (1.10 + 0.11 + 1.375) per 1M)"

# --prices: a table of your own; a broken one is a usage error naming it.
printf 'model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\nx.model-v1\tany\t1\t1\t-\t-\t2026-11-01\ttest\n' >"$T/p.tsv"
echo '{"kind":"invocation","model_id":"us.x.model-v1","input_tokens":500000,"output_tokens":250000}' |
	bq bq-cost estimate -q --prices "$T/p.tsv" >"$T/out"
check_eq "$(jq -r .usd "$T/out")" "0.75" "--prices replaces the built-in table"
printf 'model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\nx.model-v1\tany\tcheap\t1\t-\t-\t2026-11-01\ttest\n' >"$T/bad.tsv"
run bq bq-cost estimate --prices "$T/bad.tsv" </dev/null
check_rc 2 "broken price table is a usage error"
check_grep "prices file '.*bad.tsv': line 2: bad input price 'cheap'" "$T/err" "names the file, line and value"
run bq bq-cost prices --prices "$T/p.tsv"
check_eq "$(jq -c '[.model,.input,.output,.date,.source]' "$T/out")" '["x.model-v1","1","1","2026-11-01","test"]' \
	"bq-cost prices shows the table in use"

# Bad lines are reported with their line and make status 5.
printf '%s\n' '{"kind":"invocation","model_id":"amazon.nova-lite-v1:0","input_tokens":10}' 'not json' \
	'{"kind":"something"}' >"$T/mixed"
run bq bq-cost estimate <"$T/mixed"
check_rc 5 "bad lines: status 5"
check_grep '^bq-cost: stdin:2: ' "$T/err" "line that is not JSON reported"
check_grep '^bq-cost: stdin:3: no model_id' "$T/err" "record without a model reported"
check_eq "$(jq -r .requests "$T/out")" 1 "the good record still counted"

# Memory grows with groups, not records: 200000 records in 4 groups.
if [ "${BQ_VALGRIND:-}" = 1 ] || ldd "$BQ_BIN/bq-cost" 2>/dev/null | grep -q libasan; then
	skip "memory: not measurable under valgrind or ASan"
elif [ -x /usr/bin/time ]; then
	python3 -c '
import sys
ms = ["amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0", "us.amazon.nova-micro-v1:0", "x.unknown"]
w = sys.stdout.write
for i in range(200000):
    w("{\"kind\":\"invocation\",\"request_id\":\"r%08d\",\"model_id\":\"%s\",\"input_tokens\":%d,\"output_tokens\":7}\n" % (i, ms[i % 4], i % 100))
' | /usr/bin/time -f '%M' "$BQ_BIN/bq-cost" estimate -q --by model >"$T/out" 2>"$T/rss"
	rss=$(tail -1 "$T/rss")
	check_eq "$(jq -s 'map(.requests) | add' "$T/out")" 200000 "200000 records counted"
	[ "$rss" -lt 30000 ] && ok "max RSS ${rss} KiB for 200000 records" || not_ok "max RSS ${rss} KiB"
else
	skip "memory: /usr/bin/time missing"
fi
