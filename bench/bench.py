#!/usr/bin/env python3
"""make bench: bq against the AWS CLI and jq, on the same local AWS, same run.

  bash bench/run            (make bench; BQ_BUILD names the build directory)
  BENCH_QUICK=1 bash bench/run      a tiny version: smoke-tests the harness

Builds nothing (make bench depends on all).  Generates data with
tests/data/gen_world.py, starts the local peers with tests/peer/peerctl,
runs every benchmark BENCH_RUNS times (default 5; 1 with BENCH_QUICK) after
one discarded warm-up run, the variants of a benchmark interleaved run by
run so that a change of background load hits them alike, and prints
Markdown tables of the medians (wall seconds, CPU seconds = user + sys of
the process and its children, peak RSS of the largest process) and of
bq's ratio to the alternative, then the machine it ran on.

Benchmarks
  (1) start-up plus one API call of every tool against the equivalent `aws`
      command (AWS CLI v1, which honours AWS_ENDPOINT_URL), same peer, same
      window, identical credentials and endpoint environment; the warm-up
      run also counts the requests each made (the front's request log) and
      the items each returned.
  (2) bq-logs --s3 over the gzip log objects on the S3 peer against
      `aws s3 cp --recursive` then `zcat | jq -c .`, against `zcat | jq -c .`
      and bq-logs --file on the same objects as local files, and `zcat`
      alone (the gunzip floor), at two sizes: one hour and all hours of a
      world of BENCH_RECORDS records (default 40000 over 10 hours).  MB/s
      count uncompressed bytes.
  (3) bq-cost estimate --by model against the same aggregation in jq
      (bench/cost.jq, priced with `bq-cost prices`) over 100k and 1M
      records made once from the world with bq-logs --file --no-bodies
      (repeated to length); the warm-up checks that both agree.
  (4) bq-judge -j 1/4/16 over BENCH_JUDGE_RECORDS records (default 32) with
      the peer's Converse latency fixed at 200 ms, against N x 0.2 s / j.
  (5) peak memory of everything above, and its growth with input size.

Environment
  BENCH_QUICK=1        tiny sizes, 1 run
  BENCH_RUNS=N         timed runs per variant (after the warm-up)
  BENCH_RECORDS=N      records of the big world (all of it = the large size)
  BENCH_HOURS=H        its hours (the small size is its first hour)
  BENCH_COST_RECORDS=N the large cost input (the small one is a tenth)
  BENCH_JUDGE_RECORDS=N
  BENCH_ONLY=1,3       run only these benchmarks (5 comes with what ran)
  BENCH_CACHE=DIR      where generated worlds and cost inputs are kept
                       between runs (default ${TMPDIR:-/tmp}/bq-bench-cache.UID;
                       keyed by gen_world.py's hash and the sizes)
  BENCH_FRESH=1        regenerate them
  BENCH_OUT=FILE       also write the results as JSON there
  BENCH_KEEP=1         keep the work directory (outputs of the warm-ups)
"""

import atexit
import calendar
import datetime
import gzip
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BQ_BUILD") or os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "bin")  # main() points this at a snapshot
GEN = os.path.join(TOP, "tests", "data", "gen_world.py")
PEERCTL = os.path.join(TOP, "tests", "peer", "peerctl")
COST_JQ = os.path.join(TOP, "bench", "cost.jq")

QUICK = os.environ.get("BENCH_QUICK") == "1"


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v else default


RUNS = env_int("BENCH_RUNS", 1 if QUICK else 5)
# QUICK is a smoke test of the harness: its one run is also the checked one
WARMUP = not QUICK
RECORDS = env_int("BENCH_RECORDS", 800 if QUICK else 40000)
HOURS = env_int("BENCH_HOURS", 2 if QUICK else 10)
COST_RECORDS = env_int("BENCH_COST_RECORDS", 20000 if QUICK else 1000000)
JUDGE_RECORDS = env_int("BENCH_JUDGE_RECORDS", 8 if QUICK else 32)
JUDGE_JOBS = (1, 4, 16)
JUDGE_LATENCY_MS = 200
ONLY = set((os.environ.get("BENCH_ONLY") or "1,2,3,4").replace(" ", "").split(","))
# fixed so that the big world is the same every run and can be cached
ANCHOR = "2026-11-01T00:00:00Z"
JUDGE_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"


class BenchError(Exception):
    pass


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- running

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def measure(argv, env, stdin=None, stdout=None, stderr=None, cwd=None, rusage_file=None):
    """Runs argv to completion: wall s, CPU s (user + sys, children
    included), peak RSS in KB (of the largest process of a pipeline), rc.

    CPU and RSS come from GNU time when there is one: a child forked from
    this Python inherits its ~20 MB until exec, and Linux keeps that in the
    child's max RSS; forked from time(1) the floor is ~2 MB."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    ferr = open(stderr, "wb") if stderr else subprocess.DEVNULL
    cmd = argv
    if GNU_TIME and rusage_file:
        cmd = [GNU_TIME, "-q", "-f", "%U %S %M", "-o", rusage_file] + argv
    try:
        t0 = time.perf_counter()
        # own process group: an interrupted bench kills the whole pipeline
        p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr, env=env, cwd=cwd,
                             start_new_session=True)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(p.pid, 0)
            p.returncode = -9
            raise
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for f in (fin, fout, ferr):
            if f is not subprocess.DEVNULL:
                f.close()
    # CPU from wait4 (microseconds; time(1)'s own share is ~1 ms), RSS
    # from time(1) when it ran
    cpu, rss = ru.ru_utime + ru.ru_stime, ru.ru_maxrss
    if cmd is not argv:
        with open(rusage_file) as f:
            rss = int(f.read().strip().splitlines()[-1].split()[2])
    return {"wall": wall, "cpu": cpu, "rss_kb": rss, "rc": p.returncode}


def sh(script):
    return ["bash", "-c", "set -o pipefail; " + script]


class Variant:
    """One command of a benchmark.  prep runs before every run, untimed;
    check(out_path, err_path) validates the warm-up run's output and may
    return facts (items, agreement) to report."""

    def __init__(self, label, argv, env, stdin=None, prep=None, check=None, peer=None):
        self.label, self.argv, self.env, self.stdin = label, argv, env, stdin
        self.prep, self.check, self.peer = prep, check, peer
        self.samples = []
        self.facts = {}

    def summary(self):
        s = self.samples
        return {"label": self.label,
                "wall": statistics.median(x["wall"] for x in s),
                "peer_cpu": statistics.median(x.get("peer_cpu", 0.0) for x in s),
                "cpu": statistics.median(x["cpu"] for x in s),
                "rss_kb": statistics.median(x["rss_kb"] for x in s),
                "walls": [round(x["wall"], 4) for x in s],
                "facts": self.facts,
                "cmd": self.argv if isinstance(self.argv, str) else shlex.join(self.argv)}


def run_group(title, variants, work, runs=None):
    """Warm-up (checked, outputs kept) then `runs` interleaved timed runs."""
    runs = RUNS if runs is None else runs
    slug = "".join(c if c.isalnum() else "_" for c in title)[:40]
    for r in range(runs + (1 if WARMUP else 0)):
        for i, v in enumerate(variants):
            if v.prep:
                v.prep()
            out = err = None
            if r == 0:
                out = os.path.join(work, "out", "%s.%d.out" % (slug, i))
                err = os.path.join(work, "out", "%s.%d.err" % (slug, i))
            else:
                err = os.path.join(work, "out", "last.err")
            before = v.peer.request_count() if (v.peer and r == 0) else None
            peer_cpu = v.peer.cpu() if v.peer else None
            res = measure(v.argv, v.env, stdin=v.stdin, stdout=out, stderr=err,
                          rusage_file=os.path.join(work, "out", "rusage"))
            if res["rc"] != 0:
                with open(err, "rb") as f:
                    tail = f.read()[-800:].decode("utf-8", "replace")
                raise BenchError("%s: %s: exit %d\n  %s\n%s" % (
                    title, v.label, res["rc"],
                    v.argv if isinstance(v.argv, str) else shlex.join(v.argv)[:400], tail))
            if peer_cpu is not None:
                res["peer_cpu"] = v.peer.cpu() - peer_cpu
            if r == 0:
                if before is not None:
                    v.facts["requests"] = v.peer.request_count() - before
                if v.check:
                    v.facts.update(v.check(out, err) or {})
            if r > 0 or not WARMUP:
                v.samples.append(res)
        log("%s: %s" % (title, "warm-up done" if r == 0 and WARMUP else
                               "run %d/%d" % (r + (0 if WARMUP else 1), runs)))
    return [v.summary() for v in variants]


# ---------------------------------------------------------------- peers

class Peer:
    def __init__(self, dirpath, args, base_env):
        self.dir = dirpath
        # registered first: an interrupt during the start must still stop
        # whatever DIR/pids lists by then
        PEERS.append(self)
        p = subprocess.run([PEERCTL, "start", "--dir", dirpath] + args, env=base_env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise BenchError("peerctl start %s failed:\n%s" % (" ".join(args), p.stderr[-2000:]))
        self.vars = {}
        for line in p.stdout.splitlines():
            words = shlex.split(line)
            if words and words[0] == "export":
                for w in words[1:]:
                    k, _, v = w.partition("=")
                    self.vars[k] = v
        self.env = dict(base_env)
        self.env.update(self.vars)
        self.requests = os.path.join(self.vars["BQ_PEER_DIR"], "requests.ndjson")

    def cpu(self):
        """CPU seconds the peer processes have used so far."""
        total = 0
        try:
            with open(os.path.join(self.vars["BQ_PEER_DIR"], "pids")) as f:
                pids = f.read().split()
        except OSError:
            return 0.0
        for pid in pids:
            try:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total / os.sysconf("SC_CLK_TCK")

    def request_count(self):
        try:
            with open(self.requests, "rb") as f:
                return sum(1 for _ in f)
        except FileNotFoundError:
            return 0

    def stop(self):
        if self in PEERS:
            PEERS.remove(self)
            subprocess.run([PEERCTL, "stop", "--dir", self.dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


PEERS = []


def stop_all_peers():
    for p in list(PEERS):
        p.stop()


# ---------------------------------------------------------------- helpers

def epoch(rfc3339):
    return calendar.timegm(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ"))


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def json_count(key):
    def check(out, err):
        with open(out) as f:
            return {"items": len(json.load(f).get(key) or [])}
    return check


def lines_check(want=None):
    def check(out, err):
        n = count_lines(out)
        if want is not None and n != want:
            raise BenchError("%s: %d lines, want %d" % (out, n, want))
        return {"items": n}
    return check


TOOLS = ("bq-metrics", "bq-logs", "bq-trail", "bq-trace", "bq-judge", "bq-cost")


def tool(name):
    return os.path.join(BIN, name)


def snapshot_tools(work):
    """Copies the binaries: the tree may be rebuilt while the bench runs."""
    global BIN
    dst = os.path.join(work, "bin")
    os.makedirs(dst)
    for b in TOOLS:
        src = os.path.join(BUILD, "bin", b)
        for attempt in range(20):
            if os.access(src, os.X_OK):
                try:
                    shutil.copy2(src, os.path.join(dst, b))
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        else:
            raise BenchError("%s is not built (make bench builds it first)" % src)
    BIN = dst


def find_aws():
    aws = shutil.which("aws")
    if not aws:
        raise BenchError("no `aws` on PATH (the AWS CLI v1 is the baseline; see testing-peers.md 5)")
    real = aws
    if "/shims/" in aws and shutil.which("pyenv"):
        # the pyenv shim costs ~80 ms a start: time the CLI, not the shim
        p = subprocess.run(["pyenv", "which", "aws"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        if p.returncode == 0 and p.stdout.strip():
            real = p.stdout.strip()
    v = version_of([real, "--version"])
    if not v.startswith("aws-cli/1."):
        raise BenchError("`aws` is '%s': the bench needs the AWS CLI v1, which honours "
                         "AWS_ENDPOINT_URL (v2.9 does not: testing-peers.md 5)" % v)
    return aws, real


def version_of(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        return p.stdout.strip().splitlines()[0] if p.stdout.strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not found"


def machine_info(aws_real):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "aws": version_of([aws_real, "--version"]),
        "jq": version_of(["jq", "--version"]),
        "python": platform.python_version(),
        "zcat": version_of(["gzip", "--version"]),
        "bq": version_of([tool("bq-logs"), "--version"]),
        "loadavg_start": os.getloadavg(),
    }


# ---------------------------------------------------------------- data

def cache_dir():
    d = os.environ.get("BENCH_CACHE") or os.path.join(
        tempfile.gettempdir(), "bq-bench-cache.%d" % os.getuid())
    os.makedirs(d, exist_ok=True)
    return d


def gen_key(*parts):
    h = hashlib.sha256()
    with open(GEN, "rb") as f:
        h.update(f.read())
    h.update(repr(parts).encode())
    return h.hexdigest()[:12]


def cached(name, make):
    """cache/NAME, made by make(tmp_path) unless there (BENCH_FRESH=1: again).
    Other entries with the same stem (NAME up to its last '-': "world",
    "world-quick", "cost", ...) are removed: one of each is kept."""
    c = cache_dir()
    path = os.path.join(c, name)
    stem = name.rsplit("-", 1)[0]
    if os.environ.get("BENCH_FRESH") == "1" or not os.path.exists(path):
        for old in os.listdir(c):
            if old.rsplit("-", 1)[0] == stem and old != name:
                p = os.path.join(c, old)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        tmp = path + ".tmp"
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
        elif os.path.exists(tmp):
            os.remove(tmp)
        t0 = time.time()
        make(tmp)
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(tmp, path)
        log("made %s in %.0f s" % (path, time.time() - t0))
        return path, time.time() - t0
    log("using cached %s (BENCH_FRESH=1 to remake)" % path)
    return path, 0.0


def gen_world(records, hours):
    key = gen_key(records, hours, ANCHOR, 1)

    def make(tmp):
        subprocess.run([sys.executable, GEN, "--out", tmp, "--seed", "1", "--records", str(records),
                        "--hours", str(hours), "--anchor", ANCHOR, "--quiet"], check=True)

    return cached("world%s-%s" % ("-quick" if QUICK else "", key), make)


def log_objects(world, man, hour_dirs):
    """The gzip log objects (not offloaded bodies) under the given hour
    folders, sorted: [(path, s3 key)]."""
    root = os.path.join(world, "s3", man["bucket"])
    out = []
    for hd in hour_dirs:
        d = os.path.join(root, man["s3_log_prefix"], hd)
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if name.endswith(".json.gz") and os.path.isfile(p):
                out.append(p)
    return out


def hour_dirs_of(man):
    start, end = epoch(man["window_start"]), epoch(man["window_end"])
    return [time.strftime("%Y/%m/%d/%H", time.gmtime(t)) for t in range(start, end, 3600)]


def measure_objects(paths):
    records = raw = comp = 0
    for p in paths:
        comp += os.path.getsize(p)
        with gzip.open(p, "rb") as f:
            data = f.read()
        raw += len(data)
        records += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return {"objects": len(paths), "records": records, "bytes": raw, "gz_bytes": comp}


# ---------------------------------------------------------------- benchmarks

def bench_startup(work, base_env, aws):
    peer = Peer(os.path.join(work, "peer-small"), ["--world", "--records", "300", "--trail-rps", "0"], base_env)
    try:
        man = json.load(open(os.path.join(peer.vars["BQ_PEER_DIR"], "world", "manifest.json")))
        e = epoch(man["data_end"])
        s = e - 3600
        env = peer.env
        group = man["log_group"]
        day1 = datetime.datetime.fromtimestamp(e, datetime.timezone.utc).date() + datetime.timedelta(days=1)
        day0 = day1 - datetime.timedelta(days=7)
        one = os.path.join(work, "one.ndjson")
        with open(one, "w") as f:
            f.write(json.dumps({"id": "q1", "prompt": "What is the capital of France?",
                                "response": "Paris is the capital of France."}) + "\n")
        conv = os.path.join(work, "converse.json")
        capture_converse(env, one, conv)
        pairs = [
            ("no call: --version", [tool("bq-metrics"), "--version"], [aws, "--version"], None),
            ("metrics list / cloudwatch list-metrics",
             [tool("bq-metrics"), "list"],
             [aws, "cloudwatch", "list-metrics", "--namespace", "AWS/Bedrock"], ("Metrics", None)),
            ("logs --log-group 1h / logs filter-log-events",
             [tool("bq-logs"), "--log-group", group, "--since", "@%d" % s, "--until", "@%d" % e,
              "--no-profile-lookup"],
             # bq-logs pads its FilterLogEvents window by 60 s each side
             # (late delivery): aws gets the same window, the same request
             [aws, "logs", "filter-log-events", "--log-group-name", group,
              "--start-time", str((s - 60) * 1000), "--end-time", str((e + 60) * 1000)], ("events", None)),
            ("trail 20m / cloudtrail lookup-events",
             [tool("bq-trail"), "--since", "@%d" % (e - 1200), "--until", "@%d" % e],
             [aws, "cloudtrail", "lookup-events", "--lookup-attributes",
              "AttributeKey=EventSource,AttributeValue=bedrock.amazonaws.com",
              "--start-time", str(e - 1200), "--end-time", str(e)], ("Events", None)),
            ("trace --summaries 1h / xray get-trace-summaries",
             [tool("bq-trace"), "--summaries", "--since", "@%d" % s, "--until", "@%d" % e],
             [aws, "xray", "get-trace-summaries", "--start-time", str(s), "--end-time", str(e)],
             ("TraceSummaries", None)),
            ("judge 1 record / bedrock-runtime converse",
             [tool("bq-judge"), "--judge-model", JUDGE_MODEL],
             [aws, "bedrock-runtime", "converse", "--cli-input-json", "file://" + conv], ("output", one)),
            ("cost report 7d / ce get-cost-and-usage",
             [tool("bq-cost"), "--service", "Amazon Bedrock", "--since", day0.isoformat(),
              "--until", day1.isoformat()],
             [aws, "ce", "get-cost-and-usage", "--time-period",
              "Start=%s,End=%s" % (day0.isoformat(), day1.isoformat()), "--granularity", "DAILY",
              "--metrics", "UnblendedCost", "--filter",
              json.dumps({"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock"]}})],
             ("ResultsByTime", None)),
        ]
        rows = []
        for title, bq_argv, aws_argv, spec in pairs:
            key, stdin = spec if spec else (None, None)
            if key == "output":
                aws_check = lambda out, err: {"items": 1 if json.load(open(out)).get("output") else 0}
            elif key:
                aws_check = json_count(key)
            else:
                aws_check = None
            vs = [Variant("bq", bq_argv, env, stdin=stdin, peer=peer,
                          check=lines_check() if key else None),
                  Variant("aws", aws_argv, env, peer=peer, check=aws_check)]
            res = run_group("(1) " + title, vs, work)
            rows.append({"bench": title, "bq": res[0], "alt": res[1]})
        return rows
    finally:
        peer.stop()


def capture_converse(env, one, path):
    """The exact Converse request bq-judge sends (from --debug), as aws
    --cli-input-json: both send the same body."""
    p = subprocess.run([tool("bq-judge"), "--judge-model", JUDGE_MODEL, "--debug"],
                       stdin=open(one), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, text=True)
    body = None
    for line in p.stderr.splitlines():
        if line.startswith("> {") and '"messages"' in line:
            body = json.loads(line[2:])
            break
    if p.returncode != 0 or body is None:
        raise BenchError("cannot capture bq-judge's Converse request (--debug):\n" + p.stderr[-1500:])
    body["modelId"] = JUDGE_MODEL
    with open(path, "w") as f:
        json.dump(body, f)


def bench_logs(work, peer, man, world, aws):
    env = peer.env
    hours = hour_dirs_of(man)
    sizes = [("1 hour", hours[:1]), ("%d hours" % len(hours), hours)]
    rows = []
    bucket = man["bucket"]
    for name, hds in sizes:
        objs = log_objects(world, man, hds)
        facts = measure_objects(objs)
        n = facts["records"]
        t0 = epoch(man["window_start"])
        since, until = t0, t0 + 3600 * len(hds)
        listfile = os.path.join(work, "objects-%d.list" % len(hds))
        with open(listfile, "wb") as f:
            f.write(b"\0".join(p.encode() for p in objs) + b"\0")
        if len(hds) == 1:
            src = "s3://%s/%s%s/" % (bucket, man["s3_log_prefix"], hds[0])
        else:
            src = "s3://%s/%s" % (bucket, man["s3_log_prefix"])
        dl = os.path.join(work, "dl")

        def clean(dl=dl):
            if os.path.isdir(dl):
                shutil.rmtree(dl)

        aws_cmd = ("%s s3 cp --recursive --quiet --exclude '*' --include '*.json.gz' "
                   "--exclude 'data/*' --exclude '*/data/*' %s %s && find %s -name '*.json.gz' "
                   "-not -path '*/data/*' -print0 | sort -z "
                   "| xargs -0 zcat | jq -c ." % (shlex.quote(aws), shlex.quote(src),
                                                    shlex.quote(dl), shlex.quote(dl)))
        file_args = []
        for p in objs:
            file_args += ["--file", p]
        vs = [
            Variant("bq-logs --s3", [tool("bq-logs"), "--s3", "s3://%s/%s" % (bucket, man["prefix"]),
                                     "--since", "@%d" % since, "--until", "@%d" % until],
                    env, peer=peer, check=lines_check(n)),
            Variant("aws s3 cp + zcat | jq -c .", sh(aws_cmd), env, prep=clean, peer=peer,
                    check=lines_check(n)),
            Variant("bq-logs --file (local objects)",
                    [tool("bq-logs"), "--since", "@%d" % since, "--until", "@%d" % until] + file_args,
                    env, check=lines_check(n)),
            Variant("zcat | jq -c . (local objects)",
                    sh("xargs -0 zcat < %s | jq -c ." % shlex.quote(listfile)), env,
                    check=lines_check(n)),
            Variant("zcat alone (local objects)",
                    sh("xargs -0 zcat < %s" % shlex.quote(listfile)), env, check=lines_check(n)),
        ]
        res = run_group("(2) logs %s" % name, vs, work)
        clean()
        rows.append({"size": name, "data": facts, "results": res})
    return rows


def make_cost_inputs(work, peer, man, world):
    """base: the world's records as bq-logs --no-bodies gives them (profile
    lookups through the peer, so application profiles get base_model_id);
    big: base repeated to COST_RECORDS lines; small: its first tenth."""
    key = gen_key(RECORDS, HOURS, ANCHOR, COST_RECORDS, "cost")
    s, e = epoch(man["window_start"]), epoch(man["window_end"])

    def make(tmp):
        base = tmp + ".base"
        with open(base, "wb") as out:
            subprocess.run([tool("bq-logs"), "-q", "--no-bodies", "--since", "@%d" % s,
                            "--until", "@%d" % e, "--file", os.path.join(world, "invocations.ndjson")],
                           stdout=out, env=peer.env, check=True)
        with open(base, "rb") as f:
            lines = f.readlines()
        os.remove(base)
        if not lines:
            raise BenchError("bq-logs --file gave no records for the cost input")
        with open(tmp, "wb") as out:
            left = COST_RECORDS
            while left > 0:
                chunk = lines[:left]
                out.writelines(chunk)
                left -= len(chunk)

    big, _ = cached("cost%s-%s.ndjson" % ("-quick" if QUICK else "", key), make)
    small = os.path.join(work, "cost-small.ndjson")
    with open(big, "rb") as f, open(small, "wb") as out:
        for i, line in enumerate(f):
            if i >= COST_RECORDS // 10:
                break
            out.write(line)
    return small, big


def cost_agree(bq_out, jq_out):
    bq = {json.dumps(r["group"], sort_keys=True): r for r in map(json.loads, open(bq_out))}
    jq = {json.dumps(r["group"], sort_keys=True): r for r in map(json.loads, open(jq_out))}
    if bq.keys() != jq.keys():
        return "groups differ: %s" % sorted(set(bq) ^ set(jq))
    for k, a in bq.items():
        b = jq[k]
        for f in ("requests", "input_tokens", "output_tokens", "cache_read_tokens",
                  "cache_write_tokens", "unpriced_requests"):
            if a.get(f) != b.get(f):
                return "%s %s: bq %s, jq %s" % (k, f, a.get(f), b.get(f))
        ua, ub = float(a["usd"]), float(b["usd"])
        if abs(ua - ub) > 1e-6 * max(1.0, abs(ua)):
            return "%s usd: bq %s, jq %s" % (k, a["usd"], b["usd"])
    return "yes (%d models)" % len(bq)


def bench_cost(work, base_env, small, big):
    prices = os.path.join(work, "prices.ndjson")
    with open(prices, "wb") as f:
        subprocess.run([tool("bq-cost"), "prices"], stdout=f, env=base_env, check=True)
    rows = []
    for name, path in (("%dk" % (COST_RECORDS // 10 // 1000), small), ("%dk" % (COST_RECORDS // 1000), big)):
        n = count_lines(path)
        size = os.path.getsize(path)
        outs = {}

        def keep(which):
            def check(out, err):
                outs[which] = out
                if which == "jq":
                    return {"agree": cost_agree(outs["bq"], out)}
                return {}
            return check

        vs = [Variant("bq-cost estimate --by model", [tool("bq-cost"), "estimate", "--by", "model"],
                      base_env, stdin=path, check=keep("bq")),
              Variant("jq -n -f bench/cost.jq", ["jq", "-n", "-c", "--slurpfile", "prices", prices,
                                                 "-f", COST_JQ], base_env, stdin=path, check=keep("jq"))]
        res = run_group("(3) cost %s" % name, vs, work)
        rows.append({"size": name, "records": n, "bytes": size, "results": res})
    return rows


def bench_judge(work, base_env):
    peer = Peer(os.path.join(work, "peer-judge"), ["--latency", str(JUDGE_LATENCY_MS)], base_env)
    try:
        recs = os.path.join(work, "judge.ndjson")
        with open(recs, "w") as f:
            for i in range(JUDGE_RECORDS):
                f.write(json.dumps({"id": "r%d" % i, "prompt": "Question %d: how do I reset my password?" % i,
                                    "response": "Answer %d: use the reset link on the sign-in page." % i}) + "\n")
        vs = [Variant("bq-judge -j %d" % j, [tool("bq-judge"), "--judge-model", JUDGE_MODEL, "-j", str(j)],
                      peer.env, stdin=recs, peer=peer, check=lines_check(JUDGE_RECORDS))
              for j in JUDGE_JOBS]
        res = run_group("(4) judge", vs, work)
        for j, r in zip(JUDGE_JOBS, res):
            r["ideal"] = JUDGE_RECORDS * JUDGE_LATENCY_MS / 1000.0 / j
        return res
    finally:
        peer.stop()


# ---------------------------------------------------------------- report

def ratio(bq, alt):
    if bq <= 0 or alt <= 0:
        return "-"
    r = alt / bq
    if r >= 1:
        return "bq %.1fx faster" % r if r < 10 else "bq %.0fx faster" % r
    return "bq %.1fx slower" % (1 / r)


def mb(kb):
    return "%.0f" % (kb / 1024.0) if kb >= 10240 else "%.1f" % (kb / 1024.0)


def secs(x):
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    return "%.3f" % x


def cell(label):
    return label.replace("|", "\\|")


def report(results, info):
    L = []
    w = L.append
    w("## Results")
    w("")
    w("Medians of %d runs%s; wall and CPU (user + sys, children"
      " included) in seconds; RSS = peak resident set of the largest process, MB." % (
        RUNS, " after a discarded warm-up" if WARMUP else " (BENCH_QUICK: no warm-up)"))
    if "startup" in results:
        w("")
        w("### (1) Start-up plus one API call, bq vs AWS CLI v1 (same peer, same env)")
        w("")
        w("| bq / aws | bq wall | aws wall | bq CPU | aws CPU | bq RSS | aws RSS | peer CPU bq/aws | requests bq/aws | items bq/aws | wall ratio |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in results["startup"]:
            b, a = r["bq"], r["alt"]
            w("| %s | %s | %s | %s | %s | %s | %s | %s/%s | %s/%s | %s/%s | %s |" % (
                r["bench"], secs(b["wall"]), secs(a["wall"]), secs(b["cpu"]), secs(a["cpu"]),
                mb(b["rss_kb"]), mb(a["rss_kb"]), "%.2f" % b["peer_cpu"], "%.2f" % a["peer_cpu"],
                b["facts"].get("requests", "-"),
                a["facts"].get("requests", "-"), b["facts"].get("items", "-"),
                a["facts"].get("items", "-"), ratio(b["wall"], a["wall"])))
    if "logs" in results:
        w("")
        w("### (2) Reading gzip invocation logs from S3 (MB/s of uncompressed JSON)")
        for sz in results["logs"]:
            d = sz["data"]
            w("")
            w("%s: %d objects, %d records, %.1f MB uncompressed (%.1f MB gzip)" % (
                sz["size"], d["objects"], d["records"], d["bytes"] / 1e6, d["gz_bytes"] / 1e6))
            w("")
            w("| command | wall | MB/s | records/s | CPU | peer CPU | RSS | ratio |")
            w("|---|---:|---:|---:|---:|---:|---:|---|")
            base = sz["results"][0]["wall"]
            for i, v in enumerate(sz["results"]):
                w("| %s | %s | %.1f | %.0f | %s | %s | %s | %s |" % (
                    cell(v["label"]), secs(v["wall"]), d["bytes"] / 1e6 / v["wall"], d["records"] / v["wall"],
                    secs(v["cpu"]), secs(v["peer_cpu"]) if v["peer_cpu"] else "-", mb(v["rss_kb"]),
                    "-" if i == 0 else ratio(base, v["wall"]) if v["label"].startswith("aws")
                    else "bq-logs --s3 takes %.1fx" % (base / v["wall"])))
    if "cost" in results:
        w("")
        w("### (3) Cost estimate by model, bq-cost vs jq")
        w("")
        w("| records | input MB | bq wall | jq wall | bq CPU | jq CPU | bq RSS | jq RSS | bq MB/s | agree | wall ratio |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for sz in results["cost"]:
            b, a = sz["results"]
            w("| %d | %.0f | %s | %s | %s | %s | %s | %s | %.0f | %s | %s |" % (
                sz["records"], sz["bytes"] / 1e6, secs(b["wall"]), secs(a["wall"]), secs(b["cpu"]),
                secs(a["cpu"]), mb(b["rss_kb"]), mb(a["rss_kb"]), sz["bytes"] / 1e6 / b["wall"],
                a["facts"].get("agree", "-"), ratio(b["wall"], a["wall"])))
    if "judge" in results:
        w("")
        w("### (4) bq-judge concurrency, %d records, Converse latency %d ms" % (JUDGE_RECORDS, JUDGE_LATENCY_MS))
        w("")
        w("| -j | wall | ideal N x 0.2 s / j | efficiency | CPU | RSS |")
        w("|---:|---:|---:|---:|---:|---:|")
        for j, r in zip(JUDGE_JOBS, results["judge"]):
            w("| %d | %s | %s | %.0f%% | %s | %s |" % (j, secs(r["wall"]), secs(r["ideal"]),
                                                      100.0 * r["ideal"] / r["wall"], secs(r["cpu"]),
                                                      mb(r["rss_kb"])))
    mem = []
    if "logs" in results and len(results["logs"]) == 2:
        s, b = results["logs"]
        for i, v in enumerate(s["results"]):
            mem.append((v["label"], "%d records" % s["data"]["records"], "%d records" % b["data"]["records"],
                        v["rss_kb"], b["results"][i]["rss_kb"]))
    if "cost" in results and len(results["cost"]) == 2:
        s, b = results["cost"]
        for i, v in enumerate(s["results"]):
            mem.append((v["label"], "%d records" % s["records"], "%d records" % b["records"],
                        v["rss_kb"], b["results"][i]["rss_kb"]))
    if "judge" in results:
        j = results["judge"]
        mem.append(("bq-judge", "-j %d" % JUDGE_JOBS[0], "-j %d" % JUDGE_JOBS[-1], j[0]["rss_kb"], j[-1]["rss_kb"]))
    if mem:
        w("")
        w("### (5) Peak memory as input grows (max RSS, MB)")
        w("")
        w("| command | small input | RSS | large input | RSS | growth |")
        w("|---|---|---:|---|---:|---:|")
        for label, sn, bn, sk, bk in mem:
            w("| %s | %s | %s | %s | %s | %.1fx |" % (cell(label), sn, mb(sk), bn, mb(bk), bk / max(sk, 1)))
    w("")
    w("### Machine")
    w("")
    w("- %s cores, %s, %s memory, Linux %s" % (info["nproc"], info["cpu"], info["memory"], info["kernel"]))
    w("- %s; %s; Python %s; %s" % (info["aws"], info["jq"], info["python"], info["zcat"]))
    w("- %s" % info["bq"])
    w("- load average (1/5/15 min) at start %s, at end %s" % (
        " ".join("%.1f" % x for x in info["loadavg_start"]),
        " ".join("%.1f" % x for x in info["loadavg_end"])))
    w("- aws timed as %s (the pyenv shim on PATH, %s, resolved once)" % (info["aws_real"], info["aws_path"])
      if info["aws_real"] != info["aws_path"] else "- aws: %s" % info["aws_path"])
    w("- sizes: world of %d records over %d hours (anchor %s, seed 1), cost input %d records,"
      " judge %d records; total bench time %.0f s" % (RECORDS, HOURS, ANCHOR, COST_RECORDS,
                                                       JUDGE_RECORDS, info["elapsed"]))
    return "\n".join(L) + "\n"


def main():
    t_start = time.time()
    if not shutil.which("jq"):
        raise BenchError("no jq on PATH")
    aws_path, aws = find_aws()
    work = tempfile.mkdtemp(prefix="bq-bench.")
    os.makedirs(os.path.join(work, "out"))
    os.makedirs(os.path.join(work, "home"))
    snapshot_tools(work)
    if os.environ.get("BENCH_KEEP") != "1":
        atexit.register(shutil.rmtree, work, True)
    else:
        log("work directory %s is kept" % work)
    atexit.register(stop_all_peers)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))

    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith("AWS_") and not k.startswith("BQ_PEER") and k not in ("BQ_MOTO_URL", "BQ_FAULT_URL")}
    base_env.update({"HOME": os.path.join(work, "home"), "LC_ALL": "C", "TZ": "UTC",
                     "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                     "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""})
    info = machine_info(aws)
    info["aws_path"], info["aws_real"] = aws_path, aws
    log("%s%d runs per variant, work in %s" % ("QUICK: " if QUICK else "", RUNS, work))

    results = {}
    if "1" in ONLY:
        results["startup"] = bench_startup(work, base_env, aws)
    if "4" in ONLY:
        results["judge"] = bench_judge(work, base_env)
    if "2" in ONLY or "3" in ONLY:
        world, gen_secs = gen_world(RECORDS, HOURS)
        info["gen_seconds"] = gen_secs
        man = json.load(open(os.path.join(world, "manifest.json")))
        t0 = time.time()
        peer = Peer(os.path.join(work, "peer-big"), ["--world-dir", world, "--trail-rps", "0"], base_env)
        log("peers loaded the world in %.0f s" % (time.time() - t0))
        try:
            if "3" in ONLY:
                small, big = make_cost_inputs(work, peer, man, world)
            if "2" in ONLY:
                results["logs"] = bench_logs(work, peer, man, world, aws)
        finally:
            peer.stop()
        if "3" in ONLY:
            results["cost"] = bench_cost(work, base_env, small, big)
    info["loadavg_end"] = os.getloadavg()
    info["elapsed"] = time.time() - t_start
    text = report(results, info)
    sys.stdout.write(text)
    if os.environ.get("BENCH_OUT"):
        with open(os.environ["BENCH_OUT"], "w") as f:
            json.dump({"results": results, "machine": info, "runs": RUNS, "quick": QUICK,
                       "work": work}, f, indent=1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log("error: %s" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
