#!/usr/bin/env bash
# The record writer through bq-ndjson-cat: closed pipes, write errors,
# -o table / csv, the number policy.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/ndjson_cat.sh"

python3 -c '
for i in range(200000):
    print("{\"i\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}" % i)' >"$T/many"

nc <"$T/many" 2>"$T/err" | head -1 >"$T/out"
st=${PIPESTATUS[0]}
check_eq "$st" 0 "| head -1: status 0"
check_eq "$(wc -c <"$T/err")" 0 "| head -1: no message"
check_eq "$(cat "$T/out")" '{"i":0,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' "| head -1: first record"

if command -v jq >/dev/null; then
	nc <"$T/many" 2>"$T/err" | jq -cn 'first(inputs)|.i' >"$T/out"
	st=${PIPESTATUS[0]}
	check_eq "$st/$(cat "$T/out")/$(wc -c <"$T/err")" "0/0/0" "| jq -n 'first(inputs)': quiet status 0"
else
	skip "jq CLI not installed"
fi

nc --jq .i <"$T/many" 2>"$T/err" | head -2 >"$T/out"
check_eq "${PIPESTATUS[0]}/$(wc -c <"$T/err")" "0/0" "--jq | head: quiet status 0"
nc -o table <"$T/many" 2>"$T/err" | head -2 >"$T/out"
check_eq "${PIPESTATUS[0]}/$(wc -c <"$T/err")" "0/0" "-o table | head: quiet status 0"

if [ -w /dev/full ]; then
	run nc <"$T/many"
	printf '{"a":1}\n' | nc >/dev/full 2>"$T/err"; rc=$?
	check_rc 1 ">/dev/full: status 1"
	check_grep "^bq-ndjson-cat: cannot write to 'stdout': No space left on device$" "$T/err" ">/dev/full: says why"
	nc <"$T/many" >/dev/full 2>"$T/err"; rc=$?
	check_rc 1 ">/dev/full with much output: status 1"
	check_eq "$(grep -c . "$T/err")" 1 ">/dev/full: one message only"
	nc --help >/dev/full 2>"$T/err"; rc=$?
	check_rc 1 "--help >/dev/full: status 1"
else
	skip "/dev/full not writable"
fi
printf '{"a":1}\n' | nc >&- 2>"$T/err"; rc=$?
check_rc 1 "closed stdout: status 1"
check_grep "cannot write to 'stdout'" "$T/err" "closed stdout: says so"

printf '{"kind":"dp","value":1.5,"model_id":"m1"}\n{"kind":"dp","value":12,"model_id":"a-much-longer-model-identifier-that-goes-on-and-on-and-on"}\n' >"$T/t"
run nc -o table <"$T/t"
check_rc 0 "-o table: status 0"
printf 'kind  value  model_id\ndp      1.5  m1\ndp       12  a-much-longer-model-identifier-that-goes-on-and\xe2\x80\xa6\n' >"$T/want"
check_file_eq "$T/out" "$T/want" "-o table: aligned, numbers right, long value cut with an ellipsis"

printf '{"a":"x,y","b":1}\n{"b":2,"c":3}\n{"a":"say \\"hi\\"","b":null}\n' >"$T/c"
run nc -o csv <"$T/c"
check_rc 0 "-o csv: status 0"
printf 'a,b\r\n"x,y",1\r\n,2\r\n"say ""hi""",\r\n' >"$T/want"
check_file_eq "$T/out" "$T/want" "-o csv: RFC 4180 with the first record's header"

printf '{"r":0.1,"t":3.0,"i":42,"e":1.5e-7,"u":"h\xc3\xa9"}\n' >"$T/n"
run nc <"$T/n"
check_eq "$(cat "$T/out")" "$(printf '{"r":0.1,"t":3.0,"i":42,"e":1.5e-7,"u":"h\xc3\xa9"}')" "number policy and raw UTF-8"

run nc -o yaml </dev/null
check_rc 2 "-o yaml: usage error"
check_grep "bad output format 'yaml'" "$T/err" "-o yaml: says why"

run nc --window --since 2h --until @2000000000 </dev/null
check_rc 0 "--since/--until: status 0"
check_grep '"until_ms":2000000000000' "$T/out" "--until @EPOCH reaches the tool in ms"
run nc --since 3x </dev/null
check_rc 2 "bad --since: status 2"
check_grep "bad time expression '3x'" "$T/err" "bad --since names the text"

run nc count <"$T/many"
check_eq "$(cat "$T/out")" '{"kind":"count","records":200000}' "verb count reads everything"
