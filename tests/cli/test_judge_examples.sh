#!/usr/bin/env bash
# Runs every command of bq-judge(1)'s EXAMPLES against the local peers
# (the sample world) and checks what it printed.
source "$(dirname "$0")/../lib.sh"
need_python "judge examples"
start_peers --world --records 150
export BQ_JUDGE_MODEL=anthropic.claude-3-5-sonnet-20241022-v2:0
X="python3 $TOP/tests/cli/judge_expect.py"
man_examples "$TOP/man/bq-judge.1" 6

cd "$T" || exit 1
jq -r '.requestId' "$W/invocations.ndjson" | sort >"$T/world_ids"
for i in 1 2 3 4 5 6 7 8; do
	printf '{"id":"g%d","prompt":"What is %d + %d? [[peer:score=%d]]","response":"%d","reference":"%d"}\n' \
		"$i" "$i" "$i" $((i % 2 + 4)) $((2 * i)) $((2 * i))
done >golden.ndjson
for i in 1 2 3 4 5 6; do
	printf '{"id":"a%d","prompt":"Say something nice about day %d","response":"Day %d is lovely."}\n' "$i" "$i" "$i"
done >answers.ndjson
cat >tone.json <<'J'
{"name": "tone", "criteria": "Judge whether the answer is friendly and calm.",
 "scale": [{"value": 1, "label": "rude or cold"}, {"value": 2, "label": "neutral"},
           {"value": 3, "label": "friendly"}]}
J

n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	bash -c "$cmd" >"$T/out" 2>"$T/err" </dev/null; rc=$?
	case $n in
	1)
		{ [ "$rc" = 0 ] || [ "$rc" = 5 ]; } && ok "example 1 runs (status $rc)" || not_ok "example 1: status $rc"
		jq -r .request_id "$T/out" | sort >"$T/ids"
		[ -s "$T/ids" ] && ok "example 1: judgments of the last hour" || not_ok "example 1: no judgments"
		check_eq "$(comm -23 "$T/ids" "$T/world_ids" | wc -l)" 0 "example 1: every judged request is a world invocation"
		check_eq "$(jq -r .rubric "$T/out" | sort -u)" correctness "example 1: rubric correctness"
		;;
	2)
		{ [ "$rc" = 0 ] || [ "$rc" = 5 ]; } && ok "example 2 runs (status $rc)" || not_ok "example 2: status $rc"
		jq -c '{request_id}' "$T/out" | sort -u >"$T/picked"
		jq -c '{request_id: .requestId}' "$W/invocations.ndjson" | $X sample 0.1 | sort >"$T/may"
		check_eq "$(comm -23 <(jq -r .request_id "$T/picked" | sort) "$T/may" | wc -l)" 0 \
			"example 2: only records the sampling hash picks"
		check_eq "$(jq -r .rubric "$T/out" | paste -sd' ' | sed 's/helpfulness harmfulness//g' | tr -d ' ')" "" \
			"example 2: each record judged for helpfulness then harmfulness"
		;;
	3)
		check_eq "$rc" 0 "example 3: the golden set passes --fail-under 0.6"
		check_eq "$(jq -s 'map(.score) | add / length' "$T/out")" 0.875 "example 3: mean of the golden set"
		sed 's/score=[45]/score=1/' golden.ndjson >golden_bad.ndjson
		bash -c "${cmd/golden.ndjson/golden_bad.ndjson}" >/dev/null 2>"$T/err2"; rc2=$?
		check_eq "$rc2" 4 "example 3: a worse set fails the gate with status 4"
		;;
	4)
		{ [ "$rc" = 0 ] || [ "$rc" = 5 ]; } && ok "example 4 runs (status $rc)" || not_ok "example 4: status $rc"
		check_eq "$(jq -r .kind "$T/out" | sort -u)" judgment "example 4: judgments pass through bq-metrics put"
		bq-metrics list --namespace BQ/Judge >"$T/metrics" 2>/dev/null
		check_grep '"metric":"JudgeScore"' "$T/metrics" "example 4: JudgeScore published to CloudWatch"
		check_grep '"Rubric":"relevance"' "$T/metrics" "example 4: with the Rubric dimension"
		;;
	5)
		check_eq "$rc" 0 "example 5 runs"
		check_eq "$(head -1 "$T/out" | tr -s ' ')" "id raw_score score reason" "example 5: table header"
		$X scores 1 3 <answers.ndjson | awk '{print $1, $2}' >"$T/want"
		tail -n +2 "$T/out" | awk '{print $1, $2}' >"$T/got"
		check_file_eq "$T/got" "$T/want" "example 5: one row per answer, levels of the 1..3 scale"
		;;
	6)
		check_eq "$rc" 0 "example 6 runs"
		check_eq "$(paste -sd, "$T/out")" \
			"correctness [1,5],completeness [1,5],faithfulness [1,5],helpfulness [1,7],coherence [1,5],relevance [1,5],following-instructions [1,5],professional-style [1,5],harmfulness [0,3],refusal [0,2]" \
			"example 6: the built-in rubrics and scales"
		;;
	*)
		not_ok "example $n has no check: $cmd"
		;;
	esac
done <"$T/examples"
