#!/usr/bin/env bash
# bq-judge against the front peer's deterministic judge: exact scores for a
# seeded set (expectation computed in tests/cli/judge_expect.py), input
# order under -j 8 with uneven latencies, deterministic sampling, --max,
# several rubrics, rubric files, invocation records of the sample world.
source "$(dirname "$0")/../lib.sh"
need_python "judge scores"
start_peers --world --records 60
export BQ_JUDGE_MODEL=anthropic.claude-3-5-sonnet-20241022-v2:0
X="python3 $TOP/tests/cli/judge_expect.py"

# A seeded set of plain records; some with a system prompt or a reference,
# the first ones slowed down so they finish last.
python3 - "$T/in.ndjson" <<'PY'
import json, random, sys
r = random.Random(7)
words = "alpha beta gamma delta refund order latency cache token model answer why how".split()
with open(sys.argv[1], "w") as f:
    for i in range(40):
        rec = {"id": "q%03d" % i,
               "prompt": " ".join(r.choice(words) for _ in range(r.randint(3, 30))),
               "response": " ".join(r.choice(words) for _ in range(r.randint(1, 40)))}
        if i % 3 == 0:
            rec["reference"] = "ref " + " ".join(r.choice(words) for _ in range(5))
        if i % 4 == 1:
            rec["system"] = "Answer in one line."
        if i < 3:
            rec["prompt"] += " [[peer:slow=%d]]" % (400 - 100 * i)
        f.write(json.dumps(rec) + "\n")
PY

run bq bq-judge --rubric correctness -j 8 <"$T/in.ndjson"
check_rc 0 "judge 40 records with -j 8"
$X scores 1 5 <"$T/in.ndjson" >"$T/want"
$X got <"$T/out" >"$T/got"
check_file_eq "$T/got" "$T/want" "scores equal the peer formula, in input order"
check_eq "$(jq -c 'select(.id=="q001") | [.kind,.rubric,.scale,.judge_model,.request_id]' "$T/out")" \
	'["judgment","correctness",[1,5],"anthropic.claude-3-5-sonnet-20241022-v2:0","q001"]' \
	"record fields"
check_eq "$(jq -s 'map(select(.judge_input_tokens > 0 and .judge_output_tokens > 0 and (.reason|startswith("peer judge")))) | length' "$T/out")" \
	40 "tokens and reason from the judge's answer"
check_eq "$(jq -r 'select(.id=="q000") | .judge_latency_ms' "$T/out")" 400 "latency from the answer's metrics"
check_grep '^bq-judge: correctness: 40 judged, mean [0-9.]+, p10 [0-9.]+, p50 [0-9.]+, p90 [0-9.]+, 0 failed, judge tokens [1-9][0-9]* in, [1-9][0-9]* out$' "$T/err" \
	"summary on stderr"
mean=$(jq -s 'map(.score) | add / length' "$T/out")
python3 -c "import sys; m=float(sys.argv[1]); exit(0 if ('mean %.3f' % m) in open(sys.argv[2]).read() else 1)" "$mean" "$T/err" &&
	ok "summary mean is the mean of the scores" || not_ok "summary mean ($mean)"
conv=$(jq -s '[.[] | select(.operation=="Converse" and .served_by=="front")] | length' "$BQ_PEER_DIR/requests.ndjson")
check_eq "$conv" 40 "one Converse call per record"
check_eq "$(jq -r 'select(.operation=="Converse") | .path' "$BQ_PEER_DIR/requests.ndjson" | sort -u)" \
	"/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse" "model id percent-encoded in the path"

# -q: no summary.
run bq bq-judge -q --rubric correctness --max 2 <"$T/in.ndjson"
check_eq "$(wc -c <"$T/err")" 0 "-q is quiet"
check_eq "$(wc -l <"$T/out")" 2 "--max 2 judges two records"

# Sampling is by record id: two runs pick the same records, the ones the
# documented hash picks.
bq bq-judge -q --sample 0.4 --rubric coherence <"$T/in.ndjson" | jq -r .id >"$T/s1"
bq bq-judge -q --sample 0.4 --rubric coherence <"$T/in.ndjson" | jq -r .id >"$T/s2"
$X sample 0.4 <"$T/in.ndjson" >"$T/swant"
check_file_eq "$T/s1" "$T/s2" "sampling picks the same records twice"
check_file_eq "$T/s1" "$T/swant" "sampling follows the documented hash"
n=$(wc -l <"$T/s1")
[ "$n" -gt 5 ] && [ "$n" -lt 35 ] && ok "sampling keeps a fraction ($n of 40)" || not_ok "sample size $n"

# Two rubrics: per record, in command-line order; harmfulness is flipped.
head -5 "$T/in.ndjson" >"$T/in5"
run bq bq-judge -q --rubric relevance --rubric harmfulness -j 3 <"$T/in5"
check_rc 0 "two rubrics"
check_eq "$(jq -r '"\(.id) \(.rubric)"' "$T/out" | tr '\n' ' ')" \
	"q000 relevance q000 harmfulness q001 relevance q001 harmfulness q002 relevance q002 harmfulness q003 relevance q003 harmfulness q004 relevance q004 harmfulness " \
	"judgments in input order, rubrics in command-line order"
jq -c 'select(.rubric=="harmfulness")' "$T/out" >"$T/harm"
$X scores 0 3 --worse <"$T/in5" >"$T/want"
$X got <"$T/harm" >"$T/got"
check_file_eq "$T/got" "$T/want" "harmfulness scale 0..3, higher raw is worse"

# A rubric file with a 0..10 scale.
python3 - "$T/tone.json" <<'PY'
import json, sys
json.dump({"name": "tone", "criteria": "Is the answer friendly?",
           "scale": [{"value": v, "label": "level %d" % v} for v in range(0, 11)]},
          open(sys.argv[1], "w"))
PY
run bq bq-judge -q --rubric-file "$T/tone.json" <"$T/in5"
check_rc 0 "rubric file"
$X scores 0 10 <"$T/in5" >"$T/want"
$X got <"$T/out" >"$T/got"
check_file_eq "$T/got" "$T/want" "rubric file scale sent to the judge and used"
check_eq "$(jq -r .rubric "$T/out" | sort -u)" tone "rubric name from the file"
echo '{"name":"tone","criteria":"x","scale":[{"value":1,"label":"a"},{"value":3,"label":"b"}]}' >"$T/bad.json"
run bq bq-judge --rubric-file "$T/bad.json" <"$T/in5"
check_rc 2 "bad rubric file is a usage error"
check_grep "rubric file '.*bad.json': scale\[1\]\.value: want 2" "$T/err" "message names the file and the problem"
run bq bq-judge --rubric nonsense <"$T/in5"
check_rc 2 "unknown rubric is a usage error"

# Invocation records: the world's raw log records and bq-logs' records.
head -30 "$BQ_PEER_DIR/world/invocations.ndjson" >"$T/inv"
run bq bq-judge -q --rubric relevance -j 4 <"$T/inv"
want_ids=$(jq -r 'select(.output.outputBodyJson != null and .errorCode == null) | .requestId' "$T/inv")
got_ids=$(jq -r .request_id "$T/out")
[ -n "$got_ids" ] && check_eq "$got_ids" "$want_ids" "raw log records with an answer are judged, in order" ||
	not_ok "no judgments of log records"
check_eq "$(jq -r 'select(.model_id == null)' "$T/out" | wc -l)" 0 "judged model id carried over"
# Records with nothing to judge (errors) are reported and make status 5.
nothing=$(jq -r 'select(.output.outputBodyJson == null or .errorCode != null) | .requestId' "$T/inv" | wc -l)
if [ "$nothing" -gt 0 ]; then
	check_rc 5 "records with nothing to judge give status 5"
	check_grep '^bq-judge: stdin:[0-9]+: nothing to judge: no answer text' "$T/err" "nothing to judge reported with its line"
else
	skip "no error records in the first 30 world records"
fi

# A slow writer (bq-logs --follow): a judgment comes out while the input is
# still open, before the next record is written.
mkfifo "$T/fifo"
bq bq-judge -q --rubric correctness <"$T/fifo" >"$T/live" 2>"$T/live.err" &
jpid=$!
exec 7>"$T/fifo"
head -1 "$T/in5" >&7
for _ in $(seq 1 300); do [ -s "$T/live" ] && break; sleep 0.1; done
check_eq "$(jq -r .id "$T/live" 2>/dev/null)" q000 "first judgment written while the input is still open"
sed -n 2p "$T/in5" >&7
exec 7>&-
wait "$jpid"
check_eq "$(jq -r .id "$T/live" | tr '\n' ' ')" "q000 q001 " "the rest follows when input ends"
