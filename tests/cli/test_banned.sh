#!/usr/bin/env bash
# conventions.md bans these in our C: sprintf, vsprintf, strcpy, strcat,
# strncpy, gmtime, localtime (use bq_buf_printf / bq_snprintf /
# bq_strlcpy / gmtime_r).  Any hit fails.
source "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
dirs=()
for d in lib cmd tests/unit tests/tools; do [ -d "$d" ] && dirs+=("$d"); done
for fn in sprintf vsprintf strcpy strcat strncpy gmtime localtime; do
	hits=$(grep -rnE "(^|[^[:alnum:]_])$fn[[:space:]]*\(" "${dirs[@]}" \
		--include='*.c' --include='*.h' 2>/dev/null)
	if [ -z "$hits" ]; then
		ok "no $fn() in ${dirs[*]}"
	else
		not_ok "banned $fn() used"
		printf '%s\n' "$hits" | head -10 | sed 's/^/#   /'
	fi
done
