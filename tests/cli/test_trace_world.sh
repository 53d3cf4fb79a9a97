#!/usr/bin/env bash
# bq-trace over the seeded world's X-Ray traces (moto behind the front peer,
# with the peer's X-Ray fixes): every span with its parent and duration,
# BatchGetTraces in groups of at most 5, --summaries, --filter, --trace-id,
# window splitting, and errors.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"

ops() { # ops OPERATION: "count non-200" of that operation in the request log
	python3 - "$BQ_PEER_DIR/requests.ndjson" "$1" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
r = [x for x in r if x.get("operation") == sys.argv[2]]
print(len(r), sum(1 for x in r if x["status"] != 200))
EOF
}

start_peers --world
ntraces=$(python3 -c 'import json,sys; print(len({json.loads(l)["trace_id"] for l in open(sys.argv[1])}))' "$W/traces.ndjson")

# --- every span ---
run bq bq-trace --since 3h
check_rc 0 "spans of the world's traces"
$X spans "$W/traces.ndjson" >"$T/want"
same "exactly the seeded spans: parents, durations, flags, model ids" "$T/out" "$T/want"
[ "$ntraces" -gt 5 ] && ok "$ntraces traces (more than one batch)" || not_ok "only $ntraces traces"
read -r nbatch nbad < <(ops BatchGetTraces)
check_eq "$nbatch" $(( (ntraces + 4) / 5 )) "BatchGetTraces in groups of 5: $nbatch requests"
check_eq "$nbad" 0 "no BatchGetTraces refused (the peer rejects more than 5 ids)"
check_grep "^bq-trace: $ntraces traces, $(wc -l <"$T/want") spans, 0 documents rejected, 0 traces missing, $nbatch BatchGetTraces requests\$" \
	"$T/err" "summary line"
# Every model call has its model, from the URL path.
run bq bq-trace --since 3h --jq 'select(.name == "bedrock-runtime") | .model_id // "none"'
check_nogrep '^none$' "$T/out" "every bedrock-runtime span has a model_id"
# The root segments that carry gen_ai.request.model (annotation or metadata) have it too.
nroot=$(python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if (d.get("annotations") or {}).get("gen_ai_request_model") or (d.get("metadata") or {}).get("otel", {}).get("gen_ai.request.model"):
        n += 1
print(n)' "$W/traces.ndjson")
run bq bq-trace --since 3h --jq 'select(.parent_id == null and .model_id) | .id'
check_eq "$(wc -l <"$T/out")" "$nroot" "root segments with gen_ai.request.model get model_id ($nroot)"

# --- summaries ---
n0=$(ops BatchGetTraces | cut -d' ' -f1)
run bq bq-trace --since 3h --summaries --jq .trace_id
n1=$(ops BatchGetTraces | cut -d' ' -f1)
python3 -c 'import json,sys; print("\n".join(sorted({json.loads(l)["trace_id"] for l in open(sys.argv[1])})))' \
	"$W/traces.ndjson" >"$T/want.ids"
sort "$T/out" >"$T/got.ids"
check_file_eq "$T/got.ids" "$T/want.ids" "--summaries: one trace record per seeded trace"
check_eq "$((n1 - n0))" 0 "--summaries makes no BatchGetTraces call"

# --- flags in summaries, and --filter on them ---
flagged=0
for flag in error fault; do
	python3 - "$W/traces.ndjson" "$flag" >"$T/want.$flag" <<'EOF'
import json, sys
def walk(n):
    yield n
    for s in n.get("subsegments") or []:
        yield from walk(s)
f = {json.loads(l)["trace_id"] for l in open(sys.argv[1]) if any(x.get(sys.argv[2]) for x in walk(json.loads(l)))}
for t in sorted(f):
    print(t)
EOF
	[ -s "$T/want.$flag" ] && flagged=$((flagged + 1))
	run bq bq-trace --since 3h --summaries --jq "select(.$flag) | .trace_id"
	sort "$T/out" >"$T/got"
	check_file_eq "$T/got" "$T/want.$flag" "summaries carry the $flag flag ($(wc -l <"$T/want.$flag") traces)"
	run bq bq-trace --since 3h --filter "$flag" --jq 'select(.parent_id == null) | .trace_id'
	sort -u "$T/out" >"$T/got"
	check_file_eq "$T/got" "$T/want.$flag" "--filter $flag: exactly the traces with that flag"
done
[ "$flagged" -gt 0 ] && ok "the world has flagged traces" || not_ok "no error or fault trace in the world"
run bq bq-trace --since 3h --filter 'annotation.tenant = "acme"' --summaries --jq '.annotations.tenant'
check_eq "$(sort -u "$T/out")" "acme" "--filter on an annotation"
run bq bq-trace --since 3h --filter 'this is ( not a filter'
check_rc 1 "an invalid filter expression: status 1"
check_grep 'InvalidRequestException' "$T/err" "the service's error code is shown"

# --- --trace-id ---
read -r t1 t2 < <(python3 -c '
import json, sys
ids = sorted({json.loads(l)["trace_id"] for l in open(sys.argv[1])})
print(ids[0], ids[-1])' "$W/traces.ndjson")
run bq bq-trace --trace-id "$t2" --trace-id "$t1"
$X spans "$W/traces.ndjson" --trace "$t1" --trace "$t2" >"$T/want"
same "--trace-id: exactly those traces" "$T/out" "$T/want"
check_eq "$(bq bq-trace -q --trace-id "$t2" --trace-id "$t1" --jq .trace_id | uniq | tr '\n' ' ')" "$t2 $t1 " \
	"--trace-id: in the order given"
run bq bq-trace --trace-id 1-00000000-000000000000000000000000 --trace-id "$t1"
check_rc 1 "a trace that does not exist: status 1"
check_grep "^bq-trace: trace '1-00000000-000000000000000000000000': not returned by BatchGetTraces" "$T/err" \
	"the missing trace is named"
check_grep "\"trace_id\":\"$t1\"" "$T/out" "the other trace is still written"

# --- windows ---
n0=$(ops GetTraceSummaries | cut -d' ' -f1)
run bq bq-trace --since 13h -q
$X spans "$W/traces.ndjson" >"$T/want"
same "13 hours split into windows: same spans" "$T/out" "$T/want"
n1=$(ops GetTraceSummaries | cut -d' ' -f1)
[ $((n1 - n0)) -ge 3 ] && ok "13 hours: at least 3 GetTraceSummaries windows ($((n1 - n0)) requests)" ||
	not_ok "13 hours took $((n1 - n0)) GetTraceSummaries requests"
read -r _ nbad < <(ops GetTraceSummaries)
check_eq "$nbad" 1 "no window refused (the one failure is the bad filter above)"

# --- usage ---
run bq bq-trace --summaries --tree
check_rc 2 "--summaries with --tree is a usage error"
run bq bq-trace --tree --jq .id
check_rc 2 "--tree with --jq is a usage error"
run bq bq-trace --trace-id 1-toolongtoolongtoolongtoolongtoolong
check_rc 2 "a trace id over 35 characters is a usage error"
