# tests/lib.sh: helpers for shell tests.  Source it; it sets BQ_BIN (the
# built binaries), a private temp dir T (removed on exit), a hermetic AWS
# environment and an empty HOME (libjq 1.6 reads ~/.jq).  Report results
# with ok/not_ok/skip, or the check helpers below; tests/run counts the lines.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BQ_BUILD=${BQ_BUILD:-$TOP/build}
BQ_BIN=$BQ_BUILD/bin
T=$(mktemp -d "${TMPDIR:-/tmp}/bqtest.XXXXXX")
trap 't_cleanup' EXIT
t_cleanups=""
t_cleanup() { eval "$t_cleanups"; rm -rf "$T"; }
at_exit() { t_cleanups="$1; $t_cleanups"; }

export HOME=$T/home LC_ALL=C TZ=UTC
mkdir -p "$HOME"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN \
      AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION \
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
      AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN NO_COLOR 2>/dev/null || true

ok()      { echo "ok - $*"; }
not_ok()  { echo "not ok - $*"; }
skip()    { echo "skip - $*"; }

# bq NAME ARGS...: run a bq binary, under valgrind when BQ_VALGRIND=1.
bq() {
	local tool=$1; shift
	if [ "${BQ_VALGRIND:-}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$BQ_BIN/$tool" "$@"
	else
		"$BQ_BIN/$tool" "$@"
	fi
}

# run NAME CMD...: runs CMD with stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }

# check_rc WANT NAME: compares $rc.
check_rc() {
	if [ "$rc" = "$1" ]; then ok "$2"
	else not_ok "$2 (status $rc, want $1)"; sed 's/^/#   /' "$T/err" | head -5; fi
}
# check_eq GOT WANT NAME
check_eq() {
	if [ "$1" = "$2" ]; then ok "$3"
	else not_ok "$3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -20; fi
}
# check_file_eq GOTFILE WANTFILE NAME
check_file_eq() {
	if cmp -s "$1" "$2"; then ok "$3"
	else not_ok "$3"; diff "$2" "$1" | head -20 | sed 's/^/#   /'; fi
}
# check_grep PATTERN FILE NAME
check_grep() {
	if grep -qE -- "$1" "$2"; then ok "$3"
	else not_ok "$3 (no /$1/ in $(basename "$2"))"; head -5 "$2" | sed 's/^/#   /'; fi
}
check_nogrep() {
	if ! grep -qE -- "$1" "$2"; then ok "$3"
	else not_ok "$3 (found /$1/)"; grep -E -- "$1" "$2" | head -3 | sed 's/^/#   /'; fi
}

# need_python WHAT: this test file needs python3; without it, one skip line
# naming WHAT and the end of the file (status 0).
need_python() {
	command -v python3 >/dev/null || { skip "$1: python3 missing"; exit 0; }
}

# world_get KEY: one top-level value of the seeded world's manifest.
world_get() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$BQ_PEER_DIR/world/manifest.json" "$1"
}

# start_peers ARGS...: peer_start ARGS (tests/peer/peer.sh, sourced on first
# use), or not ok and the end of the file; then W is the world's ground
# truth (with --world) and REQ the front's request log.
start_peers() {
	declare -F peer_start >/dev/null || source "$TOP/tests/peer/peer.sh"
	peer_start "$@" || { not_ok "peer_start $*"; exit 1; }
	W=$BQ_PEER_DIR/world
	REQ=$BQ_PEER_DIR/requests.ndjson
}

# man_examples PAGE N: the commands of PAGE's EXAMPLES section as a reader
# types them (the literal blocks, "\e" read as a backslash), one line each,
# into $T/examples; checks there are N (the ones the test checks) and puts
# the built binaries first on PATH so the commands run as written.
man_examples() {
	awk '/^\.Sh EXAMPLES/ { e = 1; next } /^\.Sh / { e = 0 }
	     e && /^\.Bd -literal/ { b = 1; next } e && /^\.Ed/ { b = 0; next }
	     e && b { gsub(/\\e/, "\\"); print }' "$1" >"$T/examples"
	check_eq "$(wc -l <"$T/examples")" "$2" "$(basename "$1") has the $2 examples this test checks"
	export PATH="$BQ_BIN:$PATH"
}
