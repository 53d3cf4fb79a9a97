# shellcheck shell=bash
# tests/cli/trail_lib.sh: what the bq-trail and bq-trace tests share.
# Source it after tests/lib.sh: it sets X (runs tests/cli/trail_expect.py,
# the independent expectations) and defines
#   same NAME GOT WANT   ok when the two NDJSON files hold the same records,
#                        else not ok with the difference and the tool's stderr
X="python3 $TOP/tests/cli/trail_expect.py"

same() {
	local out
	if out=$($X same "$2" "$3"); then ok "$1"
	else not_ok "$1 (status ${rc:-?})"; echo "$out"; sed 's/^/#   stderr: /' "$T/err" 2>/dev/null | head -5; fi
}
