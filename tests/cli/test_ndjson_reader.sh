#!/usr/bin/env bash
# The NDJSON reader through bq-ndjson-cat: long lines, CRLF, blank lines,
# bad lines (reported, skipped, status 5), --strict, truncated last line.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/ndjson_cat.sh"

# 20 MB line between two small ones
python3 -c '
import sys
sys.stdout.write("{\"a\":1}\n{\"big\":\"" + "x" * (20 * 1024 * 1024) + "\"}\n{\"b\":2}\n")' >"$T/big"
run nc <"$T/big"
check_rc 0 "20 MB line: status 0"
check_eq "$(wc -l <"$T/out")" 3 "20 MB line: three records out"
check_eq "$(cmp "$T/big" "$T/out" && echo same)" same "20 MB line: copied byte for byte"

printf '{"a":1}\r\n{"b":"c\\r"}\r\n' >"$T/crlf"
run nc <"$T/crlf"
check_rc 0 "CRLF: status 0"
check_eq "$(cat "$T/out")" "$(printf '{"a":1}\n{"b":"c\\r"}')" "CRLF: stripped, escaped \\r kept"

printf '\n{"a":1}\n\n   \n\t\n{"b":2}\n\n' >"$T/blank"
run nc <"$T/blank"
check_rc 0 "empty and blank lines: status 0, not rejects"
check_eq "$(wc -l <"$T/out")" 2 "empty and blank lines ignored"
check_eq "$(wc -c <"$T/err")" 0 "empty lines: nothing on stderr"

printf '{"a":1}\n{"b":"\xff\xfe"}\n{"c":3}\n' >"$T/utf8"
run nc <"$T/utf8"
check_rc 5 "invalid UTF-8: status 5"
check_eq "$(cat "$T/out")" "$(printf '{"a":1}\n{"c":3}')" "invalid UTF-8: rest processed"
check_grep "^bq-ndjson-cat: stdin:2: invalid UTF-8 at byte 7$" "$T/err" "invalid UTF-8: reported as tool: input:line: reason"

printf '{"a":1}\n[1,2]\n"str"\n42\nnull\n{"x":\n{"ok":true}\n' >"$T/nonobj"
run nc <"$T/nonobj"
check_rc 5 "non-objects: status 5"
check_eq "$(cat "$T/out")" "$(printf '{"a":1}\n{"ok":true}')" "non-objects skipped, objects kept"
check_grep "stdin:2: not a JSON object \(an array\)" "$T/err" "array reported with its line"
check_grep "stdin:3: not a JSON object \(a string\)" "$T/err" "string reported"
check_grep "stdin:5: not a JSON object \(null\)" "$T/err" "null reported"
check_grep "stdin:6: invalid JSON at column" "$T/err" "broken JSON reported"
check_grep "5 input lines rejected" "$T/err" "summary counts the rejects"

run nc -q <"$T/nonobj"
check_rc 5 "-q: still status 5"
check_nogrep "input lines rejected" "$T/err" "-q: no summary"

# A tool that rejects things other than input lines counts them in its own
# words: status 5, and no "input lines" line from the CLI layer.
run nc --reject-other 2 <"$T/blank"
check_rc 5 "other rejects: status 5"
check_eq "$(cat "$T/err")" "bq-ndjson-cat: 2 widgets rejected" "other rejects: the tool's wording alone"
run nc --reject-other 1 <"$T/nonobj"
check_rc 5 "lines and other rejects: status 5"
check_eq "$(grep -c 'rejected$' "$T/err")" 2 "lines and other rejects: each counted in its own words"
check_grep "^bq-ndjson-cat: 5 input lines rejected$" "$T/err" "lines and other rejects: input lines not mixed with the others"

printf '{"a":1}\n{"b":2}' >"$T/trunc"
run nc <"$T/trunc"
check_rc 0 "truncated last line: status 0"
check_eq "$(cat "$T/out")" "$(printf '{"a":1}\n{"b":2}')" "truncated last line still processed"
printf '{"a":1}\n{"b":' >"$T/trunc2"
run nc <"$T/trunc2"
check_rc 5 "cut-off last record: status 5"
check_grep "stdin:2: invalid JSON" "$T/err" "cut-off last record reported"

printf '{"a":1}\n{"b":2}\nbad\n{"c":3}\n' >"$T/strict"
run nc --strict <"$T/strict"
check_rc 5 "--strict: status 5"
check_eq "$(cat "$T/out")" "$(printf '{"a":1}\n{"b":2}')" "--strict: stops at the first bad line, keeps what was done"
check_grep "stdin:3: invalid JSON" "$T/err" "--strict: bad line reported"
check_grep "stopped at stdin:3 \(--strict\), 2 lines done" "$T/err" "--strict: says how many lines were done"

# files and '-' name the input in messages
printf 'nope\n' >"$T/f1.ndjson"
run nc "$T/f1.ndjson" - <"$T/trunc"
check_rc 5 "files: status 5"
check_grep "$T/f1.ndjson:1: invalid JSON" "$T/err" "file name in the message"
check_eq "$(cat "$T/out")" "$(printf '{"a":1}\n{"b":2}')" "then stdin via '-'"

# lines are handled as they arrive (read(2), not a full stdio block), and
# --follow flushes each record: a coprocess answers before its input ends
coproc NC { "$NDJSON_CAT" -f; }
nc_pid=$NC_PID
echo '{"live":1}' >&"${NC[1]}"
line=""
read -r -t 20 line <&"${NC[0]}" || true
check_eq "$line" '{"live":1}' "--follow: record out before input ends"
exec {NC[1]}>&-
wait "$nc_pid" 2>/dev/null
