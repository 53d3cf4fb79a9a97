#!/usr/bin/env bash
# Every man page passes `mandoc -T lint -W warning` without a message.
source "$(dirname "$0")/../lib.sh"
if ! command -v mandoc >/dev/null; then
	skip "mandoc not installed"
	exit 0
fi
n=0
for m in "$TOP"/man/*.1 "$TOP"/man/*.7; do
	[ -f "$m" ] || continue
	n=$((n + 1))
	mandoc -T lint -W warning "$m" >"$T/lint" 2>&1; rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$T/lint" ]; then
		ok "mandoc lint: ${m#"$TOP"/}"
	else
		not_ok "mandoc lint: ${m#"$TOP"/} (status $rc)"
		sed 's/^/#   /' "$T/lint" | head -10
	fi
done
[ "$n" -gt 0 ] || skip "no man pages yet"
