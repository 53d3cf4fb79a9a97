# tests/client/stub.sh: start scripted stub servers (stub_server.py) from a
# shell test.  Source after tests/lib.sh.
#   stub_start NAME SCRIPT.json   exports NAME=http://127.0.0.1:<port>;
#                                 requests are logged to $T/NAME.log
stub_start() {
	local name=$1 script=$2 dir=$T/stub.$1 i
	mkdir -p "$dir"
	: >"$T/$name.log"
	python3 "$TOP/tests/client/stub_server.py" --script "$script" \
		--port-file "$dir/port" --log "$T/$name.log" </dev/null >"$dir/out" 2>&1 &
	local pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for ((i = 0; i < 400; i++)); do
		[ -s "$dir/port" ] && break
		kill -0 $pid 2>/dev/null || { cat "$dir/out" >&2; return 1; }
		sleep 0.025
	done
	[ -s "$dir/port" ] || return 1
	export "$name=http://127.0.0.1:$(cat "$dir/port")"
}

# bq_call ARGS...: the generic client helper, under valgrind with BQ_VALGRIND=1.
bq_call() {
	if [ "${BQ_VALGRIND:-}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$BQ_BUILD/tools/bq-aws-call" "$@"
	else
		"$BQ_BUILD/tools/bq-aws-call" "$@"
	fi
}
