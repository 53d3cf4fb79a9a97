# shellcheck shell=bash
# tests/peer/peer.sh: start and stop the local AWS peers from a shell test.
#
#   source tests/lib.sh            # first: provides at_exit and $T
#   source tests/peer/peer.sh
#   peer_start [--world] [--seed N] [--records N] [--faults FILE]
#              [--latency MS] [--max-skew S] [--trail-rps R] [--world-dir DIR]
#              [--ce-page N]
#
# Starts moto (tests/peer/moto_launch.py, SigV4 checked, defects patched) and
# the front peer (tests/peer/front.py) on free loopback ports, plus the fault
# proxy (tests/peer/faultproxy.py) with --faults, waits until they answer,
# registers peer_stop with at_exit, and exports:
#   AWS_ENDPOINT_URL=http://127.0.0.1:<front port>   (every service)
#   BQ_PEER_URL (same), BQ_MOTO_URL (moto directly), BQ_FAULT_URL (with --faults)
#   AWS_ACCESS_KEY_ID=AKIAPEERTEST00000001 AWS_SECRET_ACCESS_KEY=peer-secret-key
#   AWS_REGION=us-east-1 (and AWS_DEFAULT_REGION, which the AWS CLI v1 reads)
#   BQ_PEER_DIR: state dir with requests.ndjson (one line per request the
#     front saw), faults.ndjson (fault proxy), *.log, and world/ (--world).
# --world seeds the sample world of tests/data/gen_world.py (--seed, default 1;
# --records, default 300) over the 3 hours ending at the end of the current
# hour.  --latency MS delays every Converse answer; --max-skew S turns the
# clock-skew check on; --trail-rps R sets CloudTrail LookupEvents' rate limit
# (default 2 per second, 0 = none).  --world-dir DIR serves a world that
# gen_world.py --out DIR wrote earlier (e.g. a big one for bench/).  --ce-page N
# sets the items per Cost Explorer page (default 20).  Calling peer_start again stops the
# previous peers first.  Without tests/lib.sh, peer_stop runs from an EXIT trap.

BQ_PEER_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BQ_PEER_PIDS=""  # the running peers' pids, for tests that want them
export BQ_PEER_PIDS

_peer_wait_file() { # FILE PID... : wait until FILE exists while PIDs live
	local f=$1 i p; shift
	for ((i = 0; i < 600; i++)); do
		[ -s "$f" ] && return 0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null || { echo "peer: process $p died (see $(dirname "$f")/*.log)" >&2; return 1; }
		done
		sleep 0.025
	done
	echo "peer: timed out waiting for $f" >&2
	return 1
}

# _peer_launch DIR DETACH ARGS...: starts the peers with their state in DIR.
_peer_launch() {
	local dir=$1 detach=$2; shift 2
	local world=0 wdir="" seed=1 records=300 faults="" latency="" skew="" trps="" cepage=""
	while [ $# -gt 0 ]; do
		case $1 in
		--world) world=1 ;;
		--world-dir) wdir=$2; shift ;;
		--seed) seed=$2; shift ;;
		--records) records=$2; shift ;;
		--faults) faults=$2; shift ;;
		--latency) latency=$2; shift ;;
		--max-skew) skew=$2; shift ;;
		--trail-rps) trps=$2; shift ;;
		--ce-page) cepage=$2; shift ;;
		*) echo "peer_start: unknown option '$1'" >&2; return 2 ;;
		esac
		shift
	done
	mkdir -p "$dir" || return 1
	# the pyenv shim costs ~80 ms a start: resolve the interpreter once
	[ -n "${_BQ_PY:-}" ] || _BQ_PY=$(${BQ_PYTHON:-python3} -c 'import sys; print(sys.executable)') || return 1
	local py=$_BQ_PY run=""
	[ "$detach" = 1 ] && run="setsid"
	local wargs=() fargs=() margs=() gpid=""
	if [ "$world" = 1 ]; then
		# generated while moto imports; the peers wait for its manifest.json
		"$py" "$BQ_PEER_HOME/../data/gen_world.py" --seed "$seed" --records "$records" \
			--out "$dir/world" </dev/null >"$dir/gen.log" 2>&1 &
		gpid=$!
		wargs=(--world "$dir/world")
	elif [ -n "$wdir" ]; then
		[ -f "$wdir/manifest.json" ] || { echo "peer_start: no world in '$wdir'" >&2; return 1; }
		wargs=(--world "$(cd "$wdir" && pwd)")
	fi
	[ -n "$latency" ] && fargs+=(--latency "$latency")
	[ -n "$skew" ] && fargs+=(--max-skew "$skew")
	[ -n "$trps" ] && fargs+=(--trail-rps "$trps")
	[ -n "$cepage" ] && margs+=(--ce-page "$cepage")
	$run "$py" "$BQ_PEER_HOME/moto_launch.py" --port-file "$dir/moto.port" "${wargs[@]}" "${margs[@]}" \
		</dev/null >"$dir/moto.log" 2>&1 &
	local mpid=$!
	$run "$py" "$BQ_PEER_HOME/front.py" --dir "$dir" --port-file "$dir/front.port" \
		--moto-port-file "$dir/moto.port" "${wargs[@]}" "${fargs[@]}" \
		</dev/null >"$dir/front.log" 2>&1 &
	local fpid=$!
	local xpid=""
	echo "$mpid $fpid" >"$dir/pids"
	BQ_PEER_PIDS="$mpid $fpid"
	if [ -n "$faults" ]; then
		$run "$py" "$BQ_PEER_HOME/faultproxy.py" --rules "$faults" --seed "$seed" \
			--upstream-port-file "$dir/front.port" --port-file "$dir/fault.port" \
			--log "$dir/faults.ndjson" </dev/null >"$dir/fault.log" 2>&1 &
		xpid=$!
		echo "$mpid $fpid $xpid" >"$dir/pids"
		BQ_PEER_PIDS="$mpid $fpid $xpid"
	fi
	if [ -n "$gpid" ] && ! wait "$gpid"; then
		cat "$dir/gen.log" >&2
		return 1
	fi
	_peer_wait_file "$dir/front.port" $fpid || return 1
	_peer_wait_file "$dir/moto.port" $mpid || return 1
	[ -z "$xpid" ] || _peer_wait_file "$dir/fault.port" $xpid || return 1
	local fport mport
	fport=$(cat "$dir/front.port"); mport=$(cat "$dir/moto.port")
	{
		echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$fport"
		echo "export BQ_PEER_URL=http://127.0.0.1:$fport"
		echo "export BQ_MOTO_URL=http://127.0.0.1:$mport"
		[ -n "$xpid" ] && echo "export BQ_FAULT_URL=http://127.0.0.1:$(cat "$dir/fault.port")"
		echo "export AWS_ACCESS_KEY_ID=AKIAPEERTEST00000001"
		echo "export AWS_SECRET_ACCESS_KEY=peer-secret-key"
		echo "export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1"
		echo "export BQ_PEER_DIR=$dir"
	} >"$dir/env"
}

# _peer_alive PID: true while PID runs (a zombie nobody reaps counts as gone:
# detached peers are reparented to a PID 1 that may never reap them).
_peer_alive() {
	local line
	{ read -r line </proc/"$1"/stat; } 2>/dev/null || return 1
	line=${line##*) }
	[ "${line%% *}" != Z ]
}

# _peer_kill DIR: stops the processes listed in DIR/pids (TERM, then KILL).
_peer_kill() {
	local dir=$1 pids p i
	[ -f "$dir/pids" ] || return 0
	pids=$(cat "$dir/pids")
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for ((i = 0; i < 100; i++)); do
		local alive=0
		for p in $pids; do _peer_alive "$p" && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.02
	done
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -f "$dir/pids"
	return 0
}

peer_stop() {
	[ -n "${_BQ_PEER_CUR:-}" ] && _peer_kill "$_BQ_PEER_CUR"
	_BQ_PEER_CUR=""
	BQ_PEER_PIDS=""
	return 0
}

peer_start() {
	peer_stop
	local base=${T:-}
	if [ -z "$base" ]; then
		base=$(mktemp -d "${TMPDIR:-/tmp}/bqpeer.XXXXXX") || return 1
	fi
	_BQ_PEER_N=$(( ${_BQ_PEER_N:-0} + 1 ))
	local dir="$base/peer.$_BQ_PEER_N"
	_BQ_PEER_CUR=$dir
	if [ -z "${_BQ_PEER_TRAPPED:-}" ]; then
		if declare -F at_exit >/dev/null; then at_exit peer_stop
		else trap peer_stop EXIT; fi
		_BQ_PEER_TRAPPED=1
	fi
	if ! _peer_launch "$dir" 0 "$@"; then
		peer_stop
		return 1
	fi
	unset BQ_FAULT_URL
	# shellcheck disable=SC1091
	. "$dir/env"
	return 0
}
