#!/usr/bin/env bash
# bq-logs usage errors (status 2, naming the offending text) and the --file
# path, which needs no AWS at all.
source "$(dirname "$0")/../lib.sh"

usage() { # NAME ARGS...: expects status 2 and a message
	local name=$1; shift
	run bq bq-logs "$@"
	check_rc 2 "usage: $name"
}
usage "two kinds of source" --s3 s3://b/p --log-group g
usage "--file with --log-group" --file x.json --log-group g
usage "--follow with --s3" --follow --s3 s3://b/p
usage "--follow with --file" --follow --file x.json
usage "--follow with --until" --follow --log-group g --until now
usage "--insights with --s3" --insights 'fields @message' --s3 s3://b/p
usage "--insights with --raw" --insights 'fields @message' --log-group g --raw
usage "-j 0" -j 0 --log-group g
usage "-j 65" -j 65 --log-group g
usage "bad --s3 URL" --s3 bucket/prefix
check_grep "'bucket/prefix'" "$T/err" "usage: the bad URL is named"
usage "bad --interval" --follow --log-group g --interval soon
usage "bad --since" --since yesterday --log-group g
check_grep "'yesterday'" "$T/err" "usage: the bad time expression is named"
usage "config takes no --file" config --file x.json
usage "--enable is for config" --enable --log-group g

# --file needs no credentials and no region
python3 - "$T" <<'PY'
import gzip, json, sys
t = sys.argv[1]
def rec(i, fmt):
    r = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
         "timestamp": "2026-01-02T03:04:%02dZ" % i, "accountId": "111122223333",
         "identity": {"arn": "arn:aws:iam::111122223333:user/u%d" % (i % 2)},
         "region": "eu-west-1", "requestId": "r%d" % i, "operation": "Converse",
         "modelId": "eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
         "input": {"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "secret prompt %d" % i}]}]},
                   "inputTokenCount": 10 + i},
         "output": {"outputBodyJson": {"output": {"message": {"role": "assistant", "content": [{"text": "secret answer"}]}},
                                       "stopReason": "end_turn", "metrics": {"latencyMs": 100 + i},
                                       "usage": {"inputTokens": 10 + i, "outputTokens": 3}},
                    "outputTokenCount": 3}}
    return json.dumps(r)
lines = [rec(i, "c") for i in range(6)]
open(t + "/six.json", "w").write("\n".join(lines) + "\n")
open(t + "/six.json.gz", "wb").write(gzip.compress(("\n".join(lines) + "\n").encode()))
open(t + "/arr.json", "w").write("[" + ",".join(lines[:3]) + "]\n")
PY
run bq bq-logs --file "$T/six.json" -q
check_rc 0 "file: plain JSON lines"
check_eq "$(jq -r '[.ts, .base_model_id, .input_tokens, .latency_ms, .stop_reason] | @tsv' "$T/out" | head -1)" \
	"$(printf '2026-01-02T03:04:00Z\tanthropic.claude-3-7-sonnet-20250219-v1:0\t10\t100\tend_turn')" \
	"file: record normalised, geo prefix stripped, old records not windowed out by default"
cp "$T/out" "$T/plain"
run bq bq-logs --file "$T/six.json.gz" -q
check_file_eq "$T/out" "$T/plain" "file: gzip reads the same"
bq bq-logs --file - -q <"$T/six.json.gz" >"$T/out" 2>"$T/err"
check_file_eq "$T/out" "$T/plain" "file: stdin, gzip detected"
run bq bq-logs --file "$T/arr.json" -q
check_eq "$(grep -c . "$T/out")" 3 "file: a JSON array per line"
run bq bq-logs --file "$T/six.json" --since 2026-01-02T03:04:02Z --until 2026-01-02T03:04:04Z -q
check_eq "$(jq -r .request_id "$T/out" | tr '\n' ' ')" "r2 r3 " "file: an explicit window applies, since in, until out"
run bq bq-logs --file "$T/six.json" --identity u1 --model 'eu.*' -q
check_eq "$(jq -r .request_id "$T/out" | tr '\n' ' ')" "r1 r3 r5 " "file: filters"
run bq bq-logs --file "$T/six.json" --redact -q
check_nogrep 'secret' "$T/out" "file: --redact"
check_grep '"text":"\[redacted 15 chars\]"' "$T/out" "file: redaction says how many characters"
run bq bq-logs --file "$T/six.json" --raw --no-bodies -q
check_eq "$(jq -c 'select(.requestId=="r0") | [.input.inputTokenCount, .input.inputBodyJson, .output.outputBodyJson]' "$T/out")" \
	'[10,null,null]' "file: --raw --no-bodies keeps the envelope only"
run bq bq-logs --file "$T/six.json" -o table -q
check_grep '^kind +ts +request_id' "$T/out" "file: -o table"
python3 -c 'import sys; d = open(sys.argv[1]).read(); open(sys.argv[2], "w").write(d * 5000)' "$T/six.json" "$T/many.json"
bq bq-logs --file "$T/many.json" 2>"$T/err" | head -1 >"$T/out"
check_eq "${PIPESTATUS[0]}" 0 "file: a closed pipe ends with status 0"
check_eq "$(wc -c <"$T/err")" 0 "file: and quietly"
