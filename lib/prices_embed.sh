#!/bin/sh
# Writes lib/prices_data.c (the built-in price table as a C string) from
# lib/prices.tsv.  Run it after editing the table:
#     sh lib/prices_embed.sh lib/prices.tsv > lib/prices_data.c
# tests/cli/test_cost_prices.sh checks the two are in step.
set -eu
in=${1:-lib/prices.tsv}
if LC_ALL=C grep -q '[^ -~	]' "$in"; then
	echo "prices_embed.sh: $in: only printable ASCII and tabs, please" >&2
	exit 1
fi
printf '/* Generated from %s by lib/prices_embed.sh: do not edit. */\n' "$(basename "$in")"
printf '#include "prices.h"\n\n'
printf 'const char bq_prices_builtin_tsv[] =\n'
# Backslash and quote escaped, tabs as \t, '?' escaped so no trigraph forms.
LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/	/\\t/g' \
	-e 's/^/\t"/' -e 's/$/\\n"/' "$in"
printf '\t"";\n'
printf 'const size_t bq_prices_builtin_len = sizeof(bq_prices_builtin_tsv) - 1;\n'
