#!/usr/bin/env bash
# Bad input, interface.md sections 3 and 4, for every tool that is built.
#
# Record readers (bq-judge, bq-cost estimate, bq-metrics put, and bq-logs
# --file -) get one generated corpus each: invalid JSON, non-objects,
# invalid UTF-8, a raw NUL, CRLF endings, empty and blank lines, a 20 MB good
# record and a 20 MB bad one (2 MB under valgrind), an object that is no record, and a truncated
# last line, around six good records.  Each bad line must be reported as
# "<tool>: stdin:<line>: <reason>", blank lines must not be, every good
# record must come out, and the status must be 5; --strict must stop at the
# first bad line with status 5.  Then the usage errors of section 4 (bad
# options, time expressions, --jq filters, rubric and price files) must give
# a message naming the offending text and status 2, with nothing on stdout.
#
# bq-judge and bq-metrics put talk to the local peers; bq-cost estimate and
# bq-logs --file need no AWS.
source "$(dirname "$0")/../lib.sh"

# 20 MB; 2 MB under valgrind, which parses some 30 times slower (the same
# buffer-growth paths run either way).
MB20=20000000
[ "${BQ_VALGRIND:-}" = 1 ] && MB20=2000000
head -c "$MB20" /dev/zero | tr '\0' x >"$T/pad"

# The bad lines of the corpus and the good records' ids, as written below.
BAD_LINES="2 3 4 5 6 10 11 13 15 16 18 20"
GOOD_IDS="g1 g2 g3 g4 g5 g6"

# mk_corpus GEN OUT: GEN I prints good record I without its closing brace.
mk_corpus() {
	local g=$1
	{
		"$g" 1; printf '}\n'                           # 1
		printf '{"a":\n'                               # 2 invalid JSON
		printf '[1,2]\n'                               # 3 an array
		printf '"just a string"\n'                     # 4 a string
		printf '42\n'                                  # 5 a number
		printf 'null\n'                                # 6 null
		"$g" 2; printf '}\n'                           # 7
		printf '\n'                                    # 8 empty: skipped
		printf '  \t \n'                               # 9 blank: skipped
		printf '{"s":"\377\376"}\n'                    # 10 invalid UTF-8
		printf '{"s":"caf\303"}\n'                     # 11 cut UTF-8 sequence
		"$g" 3; printf '}\r\n'                         # 12 good, CRLF
		printf '[3]\r\n'                               # 13 bad, CRLF
		"$g" 4; printf ',"pad":"'; cat "$T/pad"; printf '"}\n'  # 14 good, 20 MB
		printf '{"pad":"'; cat "$T/pad"; printf '\n'   # 15 bad, 20 MB, unterminated
		printf '{"a":1}\0\n'                           # 16 a raw NUL
		"$g" 5; printf '}\n'                           # 17
		printf '{"unrelated":true}\n'                  # 18 an object, not a record
		"$g" 6; printf '}\n'                           # 19
		printf '{"truncated":'                         # 20 cut short, no newline
	} >"$2"
}
# A corpus of the good records alone, for the control run.
mk_good() {
	local i
	for i in 1 2 3 4 5 6; do "$1" "$i"; printf '}\n'; done >"$2"
}

good_cost() {
	printf '{"kind":"invocation","ts":"2026-11-26T10:00:0%sZ","request_id":"g%s","model_id":"anthropic.claude-3-haiku-20240307-v1:0","input_tokens":10,"output_tokens":5' "$1" "$1"
}
good_judge() {
	printf '{"id":"g%s","prompt":"what is %s + %s","response":"%s"' "$1" "$1" "$1" "$(($1 * 2))"
}
good_put() {
	printf '{"id":"g%s","v":%s' "$1" "$1"
}
good_logs() {
	printf '{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-26T10:00:0%sZ","accountId":"123456789012","region":"us-east-1","requestId":"g%s","operation":"Converse","modelId":"amazon.nova-pro-v1:0"' "$1" "$1"
}

# reported TOOL: the stdin line numbers reported in $T/err, sorted, on one
# line.  Unique: bq-logs reads a JSON array line as records, one report each.
reported() {
	grep -aoE "^$1: stdin:[0-9]+: ." "$T/err" | sed -E 's/.*stdin:([0-9]+):.*/\1/' |
		sort -nu | tr '\n' ' ' | sed 's/ $//'
}

# corpus_checks TOOL NAME IDS_CMD ARGS...: runs the tool on the corpus and
# on the good records; IDS_CMD prints the good ids found in $T/out.
corpus_checks() {
	local tool=$1 name=$2 ids=$3 gen=$4; shift 4
	mk_corpus "$gen" "$T/corpus"
	mk_good "$gen" "$T/good"

	run bq "$tool" "$@" <"$T/good"
	check_rc 0 "$name: good records alone: status 0"
	check_eq "$($ids)" "$GOOD_IDS" "$name: good records alone all come out"

	run bq "$tool" "$@" <"$T/corpus"
	check_rc 5 "$name: bad lines: status 5"
	check_eq "$(reported "$tool")" "$BAD_LINES" \
		"$name: each bad line reported once as '$tool: stdin:LINE: reason', blank lines not"
	check_eq "$($ids)" "$GOOD_IDS" "$name: the good records around the bad ones all come out"
	check_grep "^$tool: stdin:10: .*(UTF-8|utf-8|decode)" "$T/err" "$name: invalid UTF-8 named as such"
	check_grep "^$tool: stdin:20: ." "$T/err" "$name: a truncated last line is reported"
	if [ "$(wc -c <"$T/err")" -lt 65536 ]; then
		ok "$name: a $((MB20 / 1000000)) MB bad line is not copied to stderr"
	else
		not_ok "$name: a $((MB20 / 1000000)) MB bad line is not copied to stderr ($(wc -c <"$T/err") bytes)"
	fi
	check_nogrep 'stdin:(8|9):' "$T/err" "$name: empty and blank lines are not errors"
}

# strict_checks TOOL NAME IDS_CMD WANT ARGS...: WANT is the ids expected
# before the first bad line, or "-" when the tool does not say.
strict_checks() {
	local tool=$1 name=$2 ids=$3 want=$4; shift 4
	run bq "$tool" "$@" --strict <"$T/corpus"
	check_rc 5 "$name --strict: status 5"
	check_grep "^$tool: stdin:2: ." "$T/err" "$name --strict: the first bad line is reported"
	check_nogrep "^$tool: stdin:(3|4|5|6|10): " "$T/err" "$name --strict: nothing after it is read"
	check_grep "stdin:2 \(--strict\), 1 line done" "$T/err" "$name --strict: says where it stopped and how many lines were done"
	if [ "$want" = - ]; then
		skip "$name --strict: whether the lines done before the bad one are written is not specified"
	else
		check_eq "$($ids)" "$want" "$name --strict: the records before the bad line come out, no others"
	fi
}

ids_field() { jq -r ".$1" "$T/out" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
ids_id() { ids_field id; }
ids_request() { ids_field request_id; }
# bq-cost estimate aggregates: the good records are counted, not echoed.
ids_cost() {
	local n
	n=$(jq -r '.requests' "$T/out" 2>/dev/null | head -1)
	case $n in ''|null) echo "" ;; *) seq -f 'g%g' 1 "$n" | tr '\n' ' ' | sed 's/ $//' ;; esac
}

# usage TOOL NAME NEEDLE ARGS...: status 2, a message naming NEEDLE, no stdout.
usage() {
	local tool=$1 name=$2 needle=$3; shift 3
	run bq "$tool" "$@" </dev/null
	check_rc 2 "$tool: $name: status 2"
	if grep -qF -- "$needle" "$T/err" && grep -q "^$tool: " "$T/err"; then
		ok "$tool: $name: the message names '$needle'"
	else
		not_ok "$tool: $name: the message names '$needle'"
		head -3 "$T/err" | sed 's/^/#   /'
	fi
	check_eq "$(wc -c <"$T/out" | tr -d ' ')" 0 "$tool: $name: nothing on stdout"
}

have() { [ -x "$BQ_BIN/$1" ]; }
command -v jq >/dev/null || { skip "bad input: jq missing"; exit 0; }

# ---- tools that need no AWS ----

if have bq-cost; then
	corpus_checks bq-cost "bq-cost estimate" ids_cost good_cost estimate
	strict_checks bq-cost "bq-cost estimate" ids_cost - estimate
else
	skip "bq-cost estimate: bq-cost is not built"
fi

if have bq-logs; then
	corpus_checks bq-logs "bq-logs --file -" ids_request good_logs --file -
	skip "bq-logs --file - --strict: bq-logs has no --strict (a log reader, not a record reader of interface.md section 3)"
	# A reader that goes away early: quiet stop, status 0 (section 3).
	for i in $(seq 1 5000); do good_logs 1; printf '}\n'; done >"$T/many"
	bq bq-logs --file - <"$T/many" 2>"$T/err" | head -n 1 >"$T/out"
	st=("${PIPESTATUS[@]}")
	check_eq "${st[0]}" 0 "bq-logs --file -: a closed output pipe ends the run with status 0"
	check_eq "$(grep -cv '^bq-logs: [0-9]* records\? of [0-9]* read$' "$T/err")" 0 \
		"bq-logs --file -: a closed output pipe gives no message"
else
	skip "bq-logs --file -: bq-logs is not built"
fi

# ---- tools that need AWS: the local peers ----

if have bq-judge || have bq-metrics; then
	if command -v python3 >/dev/null && source "$TOP/tests/peer/peer.sh" && peer_start; then
		peers=1
	else
		peers=0
		not_ok "peer_start"
	fi
fi

if have bq-judge && [ "${peers:-0}" = 1 ]; then
	export BQ_JUDGE_MODEL=amazon.nova-pro-v1:0
	corpus_checks bq-judge "bq-judge" ids_id good_judge --rubric correctness
	strict_checks bq-judge "bq-judge" ids_id g1 --rubric correctness
	unset BQ_JUDGE_MODEL
elif ! have bq-judge; then
	skip "bq-judge: not built"
fi

if have bq-metrics && [ "${peers:-0}" = 1 ]; then
	corpus_checks bq-metrics "bq-metrics put" ids_id good_put put --namespace Test/BadInput --value v --name M
	strict_checks bq-metrics "bq-metrics put" ids_id g1 put --namespace Test/BadInput --value v --name M
	for i in $(seq 1 2500); do good_put "$i"; printf '}\n'; done >"$T/many"
	bq bq-metrics put --namespace Test/BadInput --value v --name M <"$T/many" 2>"$T/err" | head -n 1 >"$T/out"
	st=("${PIPESTATUS[@]}")
	check_eq "${st[0]}" 0 "bq-metrics put: a closed output pipe ends the run with status 0"
	check_nogrep 'rror|Broken pipe|cannot write' "$T/err" "bq-metrics put: a closed output pipe gives no error"
elif ! have bq-metrics; then
	skip "bq-metrics put: not built"
fi

# ---- usage errors (status 2) ----

# Any call that got past option checking would fail with status 1 here (a
# closed port), never 2.
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDBADINPUT AWS_SECRET_ACCESS_KEY=badinput-secret
export AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 BQ_JUDGE_MODEL=amazon.nova-pro-v1:0

for tool in bq-metrics bq-logs bq-trail bq-trace bq-judge bq-cost; do
	if ! have "$tool"; then
		skip "$tool: usage errors: not built"
		continue
	fi
	usage "$tool" "unknown option" "--no-such-option" --no-such-option
	usage "$tool" "option without its value" "--since" --since
	usage "$tool" "bad --since" "3x" --since 3x
	usage "$tool" "bad --until" "2026-13-01" --until 2026-13-01
	usage "$tool" "bad --since (trailing blank)" "1h " --since "1h "
	usage "$tool" "bad --jq filter" ".[" --jq '.['
	usage "$tool" "--jq calling an unknown function" "nosuchfn" --jq 'nosuchfn(1)'
	usage "$tool" "bad --output" "xml" -o xml
	usage "$tool" "bad --max-attempts" "abc" --max-attempts abc
	usage "$tool" "bad --connect-timeout" "-1" --connect-timeout -1
	(unset AWS_REGION AWS_DEFAULT_REGION; usage "$tool" "no region" "region")
done

if have bq-judge; then
	usage bq-judge "unknown rubric" "no-such-rubric" --rubric no-such-rubric
	usage bq-judge "missing rubric file" "$T/nope.json" --rubric-file "$T/nope.json"
	printf '{"name": "tone", "criteria": ' >"$T/rubric-trunc.json"
	usage bq-judge "rubric file that is not JSON" "rubric-trunc.json" --rubric-file "$T/rubric-trunc.json"
	printf '[1, 2]\n' >"$T/rubric-array.json"
	usage bq-judge "rubric file that is not an object" "rubric-array.json" --rubric-file "$T/rubric-array.json"
	printf '{"name": "tone", "criteria": "friendly?"}\n' >"$T/rubric-noscale.json"
	usage bq-judge "rubric file without a scale" "scale" --rubric-file "$T/rubric-noscale.json"
	printf '{"name": "Bad Name!", "criteria": "c", "scale": [{"value": 1, "label": "a"}, {"value": 2, "label": "b"}]}\n' >"$T/rubric-name.json"
	usage bq-judge "rubric file with a bad name" "Bad Name!" --rubric-file "$T/rubric-name.json"
	printf '{"name": "tone", "criteria": "c", "scale": [{"value": 1, "label": "a"}, {"value": "x", "label": "b"}]}\n' >"$T/rubric-level.json"
	usage bq-judge "rubric file with a non-numeric level" "rubric-level.json" --rubric-file "$T/rubric-level.json"
	usage bq-judge "--sample out of 0..1" "2" --sample 2
	usage bq-judge "--fail-under out of 0..1" "1.5" --fail-under 1.5
	usage bq-judge "--jobs 0" "0" --jobs 0
	(unset BQ_JUDGE_MODEL; usage bq-judge "no judge model" "judge model")
fi

if have bq-cost; then
	usage bq-cost "estimate: missing price file" "$T/nope.tsv" estimate --prices "$T/nope.tsv"
	printf 'this is not a price table\n' >"$T/prices-garbage.tsv"
	usage bq-cost "estimate: price file without its header" "prices-garbage.tsv" estimate --prices "$T/prices-garbage.tsv"
	printf 'model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\nm.x-v1:0\tany\tcheap\t1.0\t-\t-\t2026-01-01\tme\n' >"$T/prices-num.tsv"
	usage bq-cost "estimate: price file with a bad number" "cheap" estimate --prices "$T/prices-num.tsv"
	printf 'model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\nm.x-v1:0\tsometimes\t1.0\t1.0\t-\t-\t2026-01-01\tme\n' >"$T/prices-routing.tsv"
	usage bq-cost "estimate: price file with a bad routing" "sometimes" estimate --prices "$T/prices-routing.tsv"
	printf 'model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\nm.x-v1:0\tany\t1.0\t1.0\t-\t-\tyesterday\tme\n' >"$T/prices-date.tsv"
	usage bq-cost "estimate: price file with a bad date" "yesterday" estimate --prices "$T/prices-date.tsv"
	usage bq-cost "estimate: bad --budget" "lots" estimate --budget lots
	usage bq-cost "report: bad --granularity" "weekly" --granularity weekly
	usage bq-cost "unknown verb" "frobnicate" frobnicate
fi

if have bq-metrics; then
	usage bq-metrics "bad --assert" "p99(InvocationLatency) <" --assert 'p99(InvocationLatency) <'
	usage bq-metrics "bad --stat" "p1000" --stat p1000
	usage bq-metrics "bad --period" "5x" --period 5x
	usage bq-metrics "put without --namespace" "namespace" put
	usage bq-metrics "put with a bad --dimension" "Model" put --namespace Test/BadInput --value v --dimension Model
fi

if have bq-logs; then
	usage bq-logs "bad --s3 URL" "http://bucket" --s3 http://bucket
	usage bq-logs "bad --jobs" "-3" -j -3
fi

if have bq-trace; then
	usage bq-trace "bad --width" "wide" --tree --width wide
fi
