#!/usr/bin/env bash
# Fault suite (issue 12), bq-judge: Converse calls at -j 4 through ~30%
# transient faults (tests/cli/faults_lib.sh) print exactly what a
# fault-free run prints (judgments in input order, bq-judge(1)); a call
# failing with 503 forever gives status 1 with the service's error code
# after exactly --max-attempts requests, and so does a call throttled
# forever (bq-judge(1): the client's retries are the only re-sends).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-judge

peer_start || { not_ok "peers start"; exit 1; }
export BQ_JUDGE_MODEL=anthropic.claude-3-5-sonnet-20241022-v2:0
python3 - "$T/in.ndjson" <<'PY'
import json, random, sys
r = random.Random(12)
words = "alpha beta gamma delta refund order latency cache token model answer why how".split()
with open(sys.argv[1], "w") as f:
    for i in range(16):
        f.write(json.dumps({"id": "q%03d" % i,
                            "prompt": " ".join(r.choice(words) for _ in range(r.randint(3, 30))),
                            "response": " ".join(r.choice(words) for _ in range(r.randint(1, 40)))}) + "\n")
PY

# ts is when the judgment was made: the one field that differs between runs
judge=(bq bq-judge --rubric correctness -q --jq 'del(.ts)')
run "${judge[@]}" <"$T/in.ndjson"
check_rc 0 "16 judgments without faults"
cp "$T/out" "$T/clean"
check_eq "$(grep -c . "$T/clean")" 16 "one judgment per record"
fault_rules_transient "$T/rules"
fault_proxy "$T/rules"
through_faults "Converse -j 4" "$T/clean" 20 -- "${judge[@]}" <"$T/in.ndjson"
check_kinds "Converse"

head -1 "$T/in.ndjson" >"$T/one"
persistent "Converse 503 forever" "Converse 503" ServiceUnavailableException 3 Converse -- "${judge[@]}" <"$T/one"
persistent "Converse throttled forever" "Converse throttle" ThrottlingException 2 Converse -- "${judge[@]}" <"$T/one"
