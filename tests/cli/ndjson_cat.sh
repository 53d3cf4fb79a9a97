# Sourced by tests/cli/test_ndjson_*.sh after tests/lib.sh: locates the
# bq-ndjson-cat helper (built by `make unit` / `make check`) and runs it,
# under valgrind when BQ_VALGRIND=1 (status 99 = a valgrind error).
NDJSON_CAT=$BQ_BUILD/tools/bq-ndjson-cat
if [ ! -x "$NDJSON_CAT" ]; then
	skip "bq-ndjson-cat not built (run make unit)"
	exit 0
fi
nc() {
	if [ "${BQ_VALGRIND:-}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$NDJSON_CAT" "$@"
	else
		"$NDJSON_CAT" "$@"
	fi
}
