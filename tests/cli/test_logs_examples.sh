#!/usr/bin/env bash
# Runs every EXAMPLES block of man/bq-logs.1, as written there, against the
# peers with the sample world, and checks each output against the world's
# ground truth (tests/cli/logs_expect.py).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-logs" ] || { skip "bq-logs not built"; exit 0; }
if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs examples: moto is not installed"
	exit 0
fi
peer_start --world --records 240 || { not_ok "peers start with the world"; exit 1; }
W=$BQ_PEER_DIR/world
X="python3 $TOP/tests/cli/logs_expect.py"
ALL_S=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["window_start"])' "$W/manifest.json")
ALL_E=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["window_end"])' "$W/manifest.json")
$X expect "$W" "$ALL_S" "$ALL_E" >"$T/all"

mkdir -p "$T/ex"
awk -v dir="$T/ex" '
	/^\.Sh EXAMPLES/ { e = 1; next }
	/^\.Sh / { e = 0 }
	e && /^\.Bd -literal/ { b = 1; n++; next }
	e && /^\.Ed/ { b = 0; next }
	e && b { gsub(/\\e/, "\\"); print > (dir "/" n ".sh") }
' "$TOP/man/bq-logs.1"
check_eq "$(ls "$T/ex"/*.sh | wc -l)" 8 "eight examples in the man page"
ex() { # [TIMEOUT]: runs example $N in $T/ex, status in rc
	if [ -n "${1:-}" ]; then
		(cd "$T/ex" && PATH="$BQ_BIN:$PATH" timeout "$1" bash -c "$(cat "$N.sh")" >"$N.out" 2>"$N.err"); rc=$?
	else
		(cd "$T/ex" && PATH="$BQ_BIN:$PATH" bash "$N.sh" >"$N.out" 2>"$N.err"); rc=$?
	fi
}
# the number of ground-truth records with ts >= now - SECONDS matching a jq filter
since_count() { # SECS FILTER
	jq -c --arg since "$(date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%SZ)" \
		"select(.ts >= \$since) | $2" "$T/all" | grep -c .
}
# checks that N lies between two counts taken before and after a run
between() { # GOT LO HI NAME
	if [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; then ok "$4 ($1)"
	else not_ok "$4 (got $1, want $2..$3)"; fi
}

# 1: zero configuration, last hour
hi=$(since_count 3600 .)
N=1 ex
lo=$(since_count 3600 .)
check_eq "$rc" 0 "example 1 runs"
between "$(grep -c . "$T/ex/1.out")" "$lo" "$hi" "example 1: the last hour's invocations"
check_grep "reading log group /aws/bedrock/modelinvocations" "$T/ex/1.err" "example 1: says where it reads"

# 2: S3, -j 16, tsv of model and tokens (3 hours cover the whole world)
N=2 ex
check_eq "$rc" 0 "example 2 runs"
jq -r '[.model_id, .input_tokens, .output_tokens] | @tsv' "$T/all" >"$T/want2"
check_file_eq "$T/ex/2.out" "$T/want2" "example 2: model and tokens of every invocation, in order"

# 3: errors
N=3 ex
check_eq "$rc" 0 "example 3 runs"
jq -r 'select(.error_code) | "\(.ts) \(.model_id) \(.error_code)"' "$T/all" >"$T/want3"
check_file_eq "$T/ex/3.out" "$T/want3" "example 3: every failed call with its error code"
[ -s "$T/want3" ] && ok "example 3: the world has errors to show" || not_ok "example 3: no errors in the world"

# 4: follow (stopped after a few seconds)
hi=$(since_count 3600 'select(.operation == "ConverseStream")')
N=4 ex 4
lo=$(since_count 3600 'select(.operation == "ConverseStream")')
check_eq "$rc" 124 "example 4 keeps following until stopped"
between "$(grep -c . "$T/ex/4.out")" "$lo" "$hi" "example 4: the last hour's ConverseStream calls"
check_eq "$(comm -23 <(sort "$T/ex/4.out") <(jq -r 'select(.operation=="ConverseStream") | .request_id' "$T/all" | sort) | grep -c .)" 0 \
	"example 4: only ConverseStream request ids"

# 5: Insights
N=5 ex
check_eq "$rc" 0 "example 5 runs"
n5=$(grep -c . "$T/ex/5.out")
[ "$n5" -gt 0 ] && ok "example 5: rows ($n5)" || not_ok "example 5: no rows"
check_eq "$(jq -r .kind "$T/ex/5.out" | sort -u)" insights_row "example 5: insights_row records"

# 6: priced by bq-cost
N=6 ex
if [ -x "$BQ_BIN/bq-cost" ]; then
	check_eq "$rc" 0 "example 6 runs"
	check_eq "$(jq -s 'map(.requests) | add' "$T/ex/6.out")" \
		"$(jq -c 'select(.base_model_id == "anthropic.claude-3-haiku-20240307-v1:0")' "$T/all" | grep -c .)" \
		"example 6: bq-cost counts every call of the model"
	check_eq "$(jq -s 'map(.input_tokens) | add' "$T/ex/6.out")" \
		"$(jq -s 'map(select(.base_model_id == "anthropic.claude-3-haiku-20240307-v1:0") | .input_tokens) | add' "$T/all")" \
		"example 6: with their input tokens"
	check_eq "$(jq -r '.group.identity' "$T/ex/6.out" | sort -u | grep -c .)" \
		"$(jq -r 'select(.base_model_id == "anthropic.claude-3-haiku-20240307-v1:0") | .identity' "$T/all" | sort -u | grep -c .)" \
		"example 6: one group per caller"
else
	skip "example 6: bq-cost not built"
fi

# 7: raw backup, then offline redacted query
N=7 ex
check_eq "$rc" 0 "example 7 runs"
check_eq "$(gzip -dc "$T/ex/backup.json.gz" | jq -r .requestId | tr '\n' ' ')" \
	"$(jq -r .requestId "$W/invocations.ndjson" | tr '\n' ' ')" "example 7: the backup holds every raw record"
jq -r 'select(.stop_reason == "max_tokens") | .request_id' "$T/all" >"$T/want7"
check_file_eq "$T/ex/7.out" "$T/want7" "example 7: the calls that ran out of tokens"
[ -s "$T/want7" ] && ok "example 7: there are some" || not_ok "example 7: none in the world"

# 8: config --enable, from no configuration at all
if command -v aws >/dev/null && aws bedrock delete-model-invocation-logging-configuration >/dev/null 2>&1; then
	check_eq "$(bq bq-logs config --jq .enabled 2>/dev/null)" false "example 8: starts with logging off"
else
	skip "example 8: cannot switch logging off first (no AWS CLI)"
fi
N=8 ex
check_eq "$rc" 0 "example 8 runs"
check_eq "$(jq -c '[.enabled, .s3, .log_group, .role_arn, .large_data_s3]' "$T/ex/8.out")" \
	'[true,"s3://bq-bedrock-logs-123456789012/bedrock","/aws/bedrock/modelinvocations","arn:aws:iam::123456789012:role/BedrockLoggingRole","s3://bq-bedrock-logs-123456789012/bedrock"]' \
	"example 8: logging set to S3 and the log group"
