#!/usr/bin/env bash
# bq-trace over traces this test seeds with `aws xray put-trace-segments`
# (tests/cli/trace_seed.py): exactly the seeded spans with their parents and
# durations (an in-progress subsegment, a segment parented to another
# document's subsegment, models from the path and from metadata), fetching
# 14 traces in batches of at most 5, a malformed document reported and
# skipped, and the --tree picture against a golden written here.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"

start_peers
base=$(( $(date +%s) / 10 * 10 - 1200 ))
python3 "$TOP/tests/cli/trace_seed.py" "$T/seed" "$base" || not_ok "trace_seed.py"
aws xray put-trace-segments --cli-input-json "file://$T/seed/put.json" >"$T/put.out" 2>&1 ||
	{ not_ok "aws xray put-trace-segments"; cat "$T/put.out"; exit 1; }
check_grep '"UnprocessedTraceSegments": \[\]' "$T/put.out" "X-Ray took every seeded document"
A=$(awk '$1 == "A" {print $2}' "$T/seed/ids")
Z=$(awk '$1 == "Z" {print $2}' "$T/seed/ids")
ntraces=$(wc -l <"$T/seed/ids")

batches() {
	python3 - "$BQ_PEER_DIR/requests.ndjson" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"BatchGetTraces"' in l]
print(len(r), sum(1 for x in r if x["status"] != 200))
EOF
}

# --- every span, the malformed document skipped ---
run bq bq-trace --since 1h
check_rc 5 "a malformed document makes the status 5"
$X spans "$T/seed/good.ndjson" >"$T/want"
if out=$($X same "$T/out" "$T/want"); then ok "exactly the seeded spans, with parents and durations"
else not_ok "exactly the seeded spans"; echo "$out"; fi
check_grep "^bq-trace: trace '$Z': segment 'f000000000000002': subsegment 0 has no id\$" "$T/err" \
	"the malformed document is reported with its trace and segment"
check_grep '"id":"f000000000000001"' "$T/out" "the same trace's good document is kept"
check_nogrep '"f000000000000002"' "$T/out" "nothing of the malformed document is written"
check_nogrep "input lines? rejected" "$T/err" "documents are not called input lines"
read -r nb nbad < <(batches)
check_eq "$nb" $(( (ntraces + 4) / 5 )) "$ntraces traces fetched in $nb BatchGetTraces requests"
check_eq "$nbad" 0 "no BatchGetTraces carried more than 5 ids (the peer refuses those)"
check_grep "^bq-trace: $ntraces traces, $(wc -l <"$T/want") spans, 1 documents rejected, 0 traces missing, $nb BatchGetTraces requests\$" \
	"$T/err" "summary line"

# Spot checks, independent of the helper.
bq bq-trace -q --trace-id "$A" >"$T/a.out"
check_grep '"id":"a000000000000004","parent_id":"a000000000000003","name":"retry","start":"[^"]*\.850Z","in_progress":true,"error":false' \
	"$T/a.out" "in-progress subsegment: marked, parent kept, no end"
check_grep '"id":"a000000000000005","parent_id":"a000000000000002","name":"worker".*"duration_ms":40,.*"model_id":"amazon.nova-lite-v1:0"' \
	"$T/a.out" "separate segment parented to a subsegment; model from metadata"
check_grep '"id":"a000000000000003".*"duration_ms":700,.*"fault":true,.*"http_status":500,"aws_operation":"Converse","request_id":"req-a3","model_id":"anthropic.claude-3-haiku-20240307-v1:0"' \
	"$T/a.out" "Bedrock subsegment: model from the URL path, decoded; flags and status"

# --- the waterfall: a golden picture of trace A, 80 columns ---
F=$(printf '\342\226\210') L=$(printf '\342\226\221')
rep() { local i s=""; for ((i = 0; i < $2; i++)); do s+=$1; done; printf '%s' "$s"; }
{
	printf 'trace %s  1000.0 ms  5 spans\n' "$A"
	printf 'frontend                                 |%s|    1000.0 ms  502\n' "$(rep "$F" 24)"
	printf '  auth                                   | %s%s|     100.0 ms\n' "$(rep "$F" 3)" "$(rep ' ' 20)"
	printf '    worker amazon.nova-lite-v1:0         |  %s%s|      40.0 ms\n' "$(rep "$F" 2)" "$(rep ' ' 20)"
	printf '  bedrock-runtime Converse anthropic.cl~ |    %s  |     700.0 ms  fault 500\n' "$(rep "$F" 18)"
	printf '    retry                                |%s%s|   running\n' "$(rep ' ' 20)" "$(rep "$L" 4)"
} >"$T/golden"
run bq bq-trace -q --trace-id "$A" --tree --width 80
check_rc 0 "--tree succeeds"
check_file_eq "$T/out" "$T/golden" "--tree draws the golden picture"
run bq bq-trace -q --since 1h --tree --width 80
check_eq "$(grep -c '^trace ' "$T/out")" "$ntraces" "--tree draws every trace once"
check_grep "^trace $Z  500.0 ms  1 span\$" "$T/out" "the malformed document is left out of the picture"
check_nogrep $'\033' "$T/out" "no colour when the output is not a terminal"

# Colour on a terminal, and never with NO_COLOR (script(1) gives a terminal).
if command -v script >/dev/null 2>&1; then
	script -qec "$BQ_BIN/bq-trace -q --trace-id $A --tree --width 80" /dev/null >"$T/tty" 2>&1
	check_grep $'\033\\[31m' "$T/tty" "colour on a terminal: the fault in red"
	NO_COLOR=1 script -qec "$BQ_BIN/bq-trace -q --trace-id $A --tree --width 80" /dev/null >"$T/tty" 2>&1
	check_nogrep $'\033' "$T/tty" "NO_COLOR: no colour even on a terminal"
else
	skip "colour on a terminal: script(1) is not installed"
fi
