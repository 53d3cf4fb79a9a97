#!/usr/bin/env bash
# --jq through libjq 1.6 in bq-ndjson-cat: raw strings, compile errors,
# runtime errors, import, ~/.jq, debug, halt.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/ndjson_cat.sh"

printf '{"s":"a\\tb","n":1,"o":{"k":[1,2]}}\n{"s":"c","n":2.5,"o":null}\n' >"$T/in"

run nc --jq '.s' <"$T/in"
check_rc 0 "--jq .s: status 0"
check_eq "$(cat "$T/out")" "$(printf 'a\tb\nc')" "--jq: strings print raw"
run nc --jq '.o, .n' <"$T/in"
check_eq "$(cat "$T/out")" "$(printf '{"k":[1,2]}\n1\nnull\n2.5')" "--jq: other results compact JSON"
run nc --jq 'select(.n > 1) | {n, twice: (.n * 2)}' <"$T/in"
check_eq "$(cat "$T/out")" '{"n":2.5,"twice":5}' "--jq: select and construct"
run nc --jq 'empty' <"$T/in"
check_eq "$rc/$(wc -c <"$T/out")" "0/0" "--jq empty: nothing, status 0"

run nc --jq '.[[' <"$T/in"
check_rc 2 "bad filter: status 2"
check_grep "^bq-ndjson-cat: bad --jq filter '\.\[\[': syntax error" "$T/err" "bad filter: jq's message"
check_eq "$(wc -c <"$T/out")" 0 "bad filter: no output"
run nc --jq 'nosuch(1)' </dev/null
check_rc 2 "undefined function: status 2"
check_grep "nosuch/1 is not defined" "$T/err" "undefined function named"

run nc --jq 'import "mylib" as m; .' <"$T/in"
check_rc 2 "import: a compile error (libjq 1.6 would abort without JQ_LIBRARY_PATH)"
check_grep "module not found: mylib" "$T/err" "import: says which module"
run nc --jq 'include "x"; .' <"$T/in"
check_rc 2 "include: a compile error"

mkdir -p "$HOME"
printf 'def twice: . * 2;\n' >"$HOME/.jq"
run nc --jq '.n | twice' <"$T/in"
check_rc 2 "~/.jq is not read: its definitions are not visible"
printf 'this is not jq (((\n' >"$HOME/.jq"
run nc --jq '.n' <"$T/in"
check_rc 0 "a broken ~/.jq does not break filters"
check_eq "$(cat "$T/out")" "$(printf '1\n2.5')" "a broken ~/.jq: output right"
check_eq "$(env | grep -c '^HOME=')" 1 "HOME still set for the test itself"
rm -f "$HOME/.jq"

run nc --jq '.n | debug | . + 1' <"$T/in"
check_rc 0 "debug: status 0"
check_eq "$(cat "$T/out")" "$(printf '2\n3.5')" "debug: passes the value on"
check_grep '^\["DEBUG:",1\]$' "$T/err" "debug: message on stderr like jq's"
run nc --jq 'input' <"$T/in"
check_rc 1 "input without inputs: runtime error, status 1"
run nc --jq '[inputs] | length' <"$T/in"
check_eq "$rc/$(cat "$T/out")" "0/$(printf '0\n0')" "inputs: empty"

run nc --jq 'if .n == 1 then error("boom") else .n end' <"$T/in"
check_rc 1 "runtime error: status 1"
check_eq "$(cat "$T/out")" "2.5" "runtime error: other records still processed"
check_grep "jq: error: boom" "$T/err" "runtime error: message"
check_grep "--jq failed on 1 of 2 records" "$T/err" "runtime error: summary"

run nc --jq 'halt' <"$T/in"
check_eq "$rc/$(wc -c <"$T/out")/$(wc -c <"$T/err")" "0/0/0" "halt: stops quietly with status 0"
run nc --jq '"bye\n" | halt_error(3)' <"$T/in"
check_rc 1 "halt_error: status 1"
check_eq "$(cat "$T/err")" "bye" "halt_error: its message on stderr"

run nc -o csv --jq '{n, s}' <"$T/in"
check_eq "$(tr -d '\r' <"$T/out")" "$(printf 'n,s\n1,a\tb\n2.5,c')" "--jq then -o csv"
run nc --jq '.n' --jq '.s' <"$T/in"
check_eq "$(cat "$T/out")" "$(printf 'a\tb\nc')" "the last --jq wins"
