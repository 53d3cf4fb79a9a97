#!/usr/bin/env bash
# bq-judge when the judge misbehaves (prose, out-of-range scores,
# throttling, errors), the --fail-under gate and --rps pacing, against the
# front peer's judge markers (tests/peer/front.py).
source "$(dirname "$0")/../lib.sh"
need_python "judge errors"
start_peers
export BQ_JUDGE_MODEL=amazon.nova-pro-v1:0
X="python3 $TOP/tests/cli/judge_expect.py"
calls() { jq -s '[.[] | select(.operation=="Converse")] | length' "$REQ"; }
rec() { printf '{"id":"%s","prompt":"%s","response":"%s"}\n' "$1" "$2" "$3"; }

# A judge that answers in prose is asked once more, then the judgment fails.
{ rec a1 "what is 2+2" "4"; rec a2 "say hi [[peer:prose]]" "hi"; rec a3 "name a colour" "red"; } >"$T/prose"
before=$(calls)
run bq bq-judge --rubric correctness <"$T/prose"
check_rc 1 "a failed judgment ends with status 1"
check_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" "a1 a3 " "the other records are judged and emitted"
check_grep "^bq-judge: no judgment for record 'a2' \(rubric correctness\): no record_score tool call in the answer \(stop reason end_turn\) \(asked twice\)$" \
	"$T/err" "prose is not scraped: reported as a failed judgment"
check_grep '1 failed' "$T/err" "summary counts the failure"
check_eq "$(( $(calls) - before ))" 4 "the prose answer was asked twice (4 calls for 3 records)"

# Out-of-range score: retried once, then failed; an exact in-range score is fine.
{ rec b1 "x [[peer:out-of-range]]" "y"; rec b2 "x [[peer:score=2]]" "y"; } >"$T/range"
run bq bq-judge --rubric correctness <"$T/range"
check_rc 1 "out-of-range score fails"
check_grep "record 'b1' \(rubric correctness\): score 15 is outside the scale 1\.\.5 \(asked twice\)" "$T/err" \
	"out-of-range reported"
check_eq "$(jq -c '[.id,.raw_score,.score]' "$T/out")" '["b2",2,0.25]' "in-range marker score normalised"

# A score quoted as a string of digits and a missing reason are accepted.
{ rec c1 "x [[peer:string-score]]" "y"; rec c2 "x [[peer:no-reason]]" "y"; } >"$T/lenient"
run bq bq-judge -q --rubric correctness <"$T/lenient"
check_rc 0 "string score and missing reason"
check_eq "$(jq -r 'has("reason")' "$T/out" | tr '\n' ' ')" "true false " "reason omitted when the judge gave none"
$X scores 1 5 <"$T/lenient" | awk '{print $1, $2}' >"$T/want"
jq -r '"\(.id) \(.raw_score)"' "$T/out" >"$T/got"
check_file_eq "$T/got" "$T/want" "string score parsed to the same level"

# Throttling: throttled once then answered; always throttled fails with the
# service's error code; ModelNotReady likewise; a server error.
{ rec d1 "x [[peer:throttle-once]]" "y"; } >"$T/t1"
run bq bq-judge -q --rubric correctness <"$T/t1"
check_rc 0 "throttled once, then judged"
check_eq "$(jq -r .id "$T/out")" d1 "judgment after the throttle"
{ rec e1 "x [[peer:throttle]]" "y"; rec e2 "fine" "ok"; rec e3 "x [[peer:not-ready]]" "y"; rec e4 "x [[peer:error]]" "y"; } >"$T/t2"
before=$(calls)
run bq bq-judge --max-attempts 1 --rubric correctness <"$T/t2"
check_rc 1 "always throttled fails the run"
check_grep "record 'e1' \(rubric correctness\): ThrottlingException: " "$T/err" "throttling error code reported"
check_grep "record 'e3' \(rubric correctness\): ModelNotReadyException: " "$T/err" "model-not-ready reported"
check_grep "record 'e4' \(rubric correctness\): InternalServerException: " "$T/err" "server error reported"
check_eq "$(jq -r .id "$T/out")" e2 "the good record still comes out"
# --max-attempts 1: one call each; a throttled call is not sent again.
check_eq "$(( $(calls) - before ))" 4 "one call per record with --max-attempts 1, throttled or not"

# An unknown judge model (the service answers ResourceNotFoundException):
# every call would fail the same way, so the run stops with status 1 and the
# service's error code, without judging (or sending) the rest.
{ rec n1 "x [[peer:not-found]]" "y"; for i in 2 3 4 5 6 7 8 9; do rec "n$i" "question $i" "answer $i"; done; } >"$T/nf"
before=$(calls)
run bq bq-judge -j 1 --rubric correctness <"$T/nf"
check_rc 1 "unknown judge model: status 1"
check_grep "^bq-judge: .*ResourceNotFoundException" "$T/err" "unknown judge model: the service's error code is said"
check_eq "$(grep -c ResourceNotFoundException "$T/err")" 1 "unknown judge model: said once, not per record"
check_eq "$(wc -l <"$T/out")" 0 "unknown judge model: no judgment written"
check_eq "$(( $(calls) - before ))" 1 "unknown judge model: the run stops after the first call (-j 1), not one call a record"

# The gate: pass, fail (status 4), nothing judged.
for i in 1 2 3 4 5 6; do rec "g$i" "question $i" "answer $i"; done >"$T/gate"
mean=$(bq bq-judge -q --rubric correctness <"$T/gate" | jq -s 'map(.score) | add / length')
low=$(python3 -c "print(max(0.0, $mean - 0.05))")
high=$(python3 -c "print(min(1.0, $mean + 0.05))")
run bq bq-judge --rubric correctness --fail-under "$low" <"$T/gate"
check_rc 0 "gate passes when the mean ($mean) reaches --fail-under $low"
run bq bq-judge --rubric correctness --fail-under "$high" <"$T/gate"
check_rc 4 "gate fails with status 4 below --fail-under $high"
check_grep "^bq-judge: mean correctness score [0-9.]+ is below --fail-under " "$T/err" "gate failure says which rubric and the mean"
check_eq "$(wc -l <"$T/out")" 6 "judgments still emitted when the gate fails"
run bq bq-judge --rubric correctness --fail-under 0.9 </dev/null
check_rc 0 "no records: the gate is not applied (status 0)"
check_grep "nothing was judged: --fail-under 0.9 not checked" "$T/err" "no records: said on stderr"
run bq bq-judge --fail-under 1.5 </dev/null
check_rc 2 "--fail-under out of 0..1 is a usage error"

# --rps: the peer's request log never shows more calls in one calendar
# second than allowed (a tolerance of one: a second's window need not start
# with a call), and the calls are spread over at least (N-1)/R seconds (minus
# the same tolerance).  Log times are RFC 3339 with milliseconds.
for i in $(seq 1 7); do rec "r$i" "paced $i" "answer $i"; done >"$T/rps"
start=$(wc -l <"$REQ")
run bq bq-judge -q --rps 2 -j 4 --rubric correctness <"$T/rps"
check_rc 0 "--rps 2"
tail -n +$((start + 1)) "$REQ" | jq -r 'select(.operation=="Converse") | .ts' >"$T/ts"
check_eq "$(wc -l <"$T/ts")" 7 "seven paced calls"
max_per_sec=$(cut -c1-19 "$T/ts" | sort | uniq -c | awk '{print $1}' | sort -n | tail -1)
[ "$max_per_sec" -le 3 ] && ok "at most 2 (+1) calls in any logged second ($max_per_sec)" ||
	not_ok "rps exceeded: $max_per_sec calls in one second"
span=$(python3 - "$T/ts" <<'PY'
import calendar, sys, time
ts = [calendar.timegm(time.strptime(l[:19], "%Y-%m-%dT%H:%M:%S")) + int(l[20:23]) / 1000
      for l in open(sys.argv[1])]
print("%.3f" % (max(ts) - min(ts)))
PY
)
[ "${span%.*}" -ge 2 ] && ok "calls spread over ${span}s (>= 3s - 1s tolerance)" || not_ok "calls too close: ${span}s"
run bq bq-judge --rps 0 </dev/null
check_rc 2 "--rps 0 is a usage error"

# Usage: no judge model.
run env -u BQ_JUDGE_MODEL "$BQ_BIN/bq-judge" </dev/null
check_rc 2 "no judge model is a usage error"
check_grep "no judge model: give --judge-model ID" "$T/err" "says how to name the judge"
# Wrong credentials: status 3, stops early.
{ rec k1 "a" "b"; rec k2 "c" "d"; } >"$T/k"
run env AWS_SECRET_ACCESS_KEY=wrong "$BQ_BIN/bq-judge" --rubric correctness <"$T/k"
check_rc 3 "signature rejected: status 3"
check_grep "SignatureDoesNotMatch|InvalidSignature" "$T/err" "credentials error names the service's code"
