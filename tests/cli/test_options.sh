#!/usr/bin/env bash
# For every binary in $BQ_BIN (or, before any exists, the bq-ndjson-cat
# helper): --help lists exactly the options getopt accepts, for every verb;
# each listed option is accepted; an unknown option is status 2 with the
# hint; a missing value is status 2; --version names the libraries.
source "$(dirname "$0")/../lib.sh"

bins=()
for b in "$BQ_BIN"/bq-*; do [ -x "$b" ] && bins+=("$b"); done
if [ ${#bins[@]} -eq 0 ]; then
	if [ -x "$BQ_BUILD/tools/bq-ndjson-cat" ]; then
		bins=("$BQ_BUILD/tools/bq-ndjson-cat")
	else
		skip "no binaries and no bq-ndjson-cat (run make unit)"
		exit 0
	fi
fi

# x BIN ARGS...: runs with no input and a time limit (a binary that ignores
# BQ_DUMP_OPTIONS must not hang the suite).
x() { timeout 20 "$@" </dev/null; }

# Long options a --help text lists: "  -o, --output FORMAT" / "      --debug".
help_longs() { grep -oE '^  (-[[:alnum:]], |    )--[[:alnum:]][[:alnum:]-]*' | sed 's/.*--//' | sort; }

for b in "${bins[@]}"; do
	name=$(basename "$b")
	BQ_DUMP_OPTIONS=1 x "$b" >"$T/dump" 2>"$T/err"; rc=$?
	if [ "$rc" != 0 ] || ! grep -q $'^option\t--help\t' "$T/dump"; then
		not_ok "$name: does not use the shared option table (BQ_DUMP_OPTIONS gave status $rc)"
		continue
	fi
	verbs=$(awk -F'\t' '$1 == "verb" { print $2 }' "$T/dump")
	[ -n "$verbs" ] || verbs="-"
	for v in $verbs; do
		vw=(); [ "$v" = "-" ] || vw=("$v")
		label="$name${vw[*]:+ ${vw[*]}}"
		BQ_DUMP_OPTIONS=1 x "$b" "${vw[@]}" >"$T/dump" 2>/dev/null
		awk -F'\t' '$1 == "option" && $5 != "hidden" { sub(/^--/, "", $2); print $2 }' "$T/dump" | sort >"$T/accepted"
		x "$b" "${vw[@]}" --help >"$T/help" 2>"$T/err"; rc=$?
		check_rc 0 "$label --help: status 0"
		check_grep "^Usage: $name" "$T/help" "$label --help: usage on stdout"
		help_longs <"$T/help" >"$T/listed"
		if cmp -s "$T/accepted" "$T/listed"; then
			ok "$label: --help lists exactly the accepted options ($(wc -l <"$T/listed"))"
		else
			not_ok "$label: --help and getopt disagree"
			diff "$T/accepted" "$T/listed" | sed 's/^/#   /' | head -10
		fi
		# every accepted option really is accepted (--help after it
		# stops before values are checked or anything runs)
		bad=""
		while IFS=$'\t' read -r kind long short arg flags; do
			[ "$kind" = option ] || continue
			a=(); [ "$arg" = "-" ] || a=(x)
			x "$b" "${vw[@]}" "$long" "${a[@]}" --help >/dev/null 2>&1 || bad="$bad $long"
			if [ "$short" != "-" ]; then
				x "$b" "${vw[@]}" "$short" "${a[@]}" --help >/dev/null 2>&1 || bad="$bad $short"
			fi
			if [ "$arg" != "-" ]; then
				x "$b" "${vw[@]}" "$long" >/dev/null 2>"$T/err"; rc=$?
				if [ "$rc" != 2 ] || ! grep -q "option '$long' requires an argument" "$T/err"; then
					bad="$bad $long(missing-value:$rc)"
				fi
			fi
		done <"$T/dump"
		check_eq "${bad:-none}" none "$label: every listed option is accepted, missing values are status 2"
		x "$b" "${vw[@]}" --no-such-option-x >/dev/null 2>"$T/err"; rc=$?
		check_rc 2 "$label: unknown option is status 2"
		want="$name: unknown option '--no-such-option-x'"$'\n'"Try '$name${vw[*]:+ ${vw[*]}} --help'."
		check_eq "$(cat "$T/err")" "$want" "$label: unknown option gives the one-line hint"
	done
	x "$b" --version >"$T/out" 2>"$T/err"; rc=$?
	check_rc 0 "$name --version: status 0"
	check_grep "^$name [0-9]+\.[0-9]+" "$T/out" "$name --version: name and version"
	check_grep "libcurl/.* OpenSSL/.* jansson/.* jq/.* expat/" "$T/out" "$name --version: library versions"
	x "$b" -Z >/dev/null 2>"$T/err"; rc=$?
	check_rc 2 "$name: unknown short option is status 2"
	check_grep "^$name: unknown option '-Z'$" "$T/err" "$name: unknown short option named"
done
