"""Load a world written by tests/data/gen_world.py straight into moto's
backends (in process, before the server listens): S3 objects (log objects,
offloaded bodies, the permission-check marker, CloudTrail trail files),
the invocation log group and stream, CloudWatch datapoints (Values/Counts as
published), X-Ray segments, and the Cost Explorer rows (served by
motofix_services.ce_answer).  In-process seeding keeps peer start-up fast;
the data then goes out only through the signed HTTP front.
"""

import datetime
import json
import os

import motofix_services


def wait_for(world_dir, timeout=120):
    """The generator may still be writing: its manifest.json comes last."""
    import time
    deadline = time.time() + timeout
    path = os.path.join(world_dir, "manifest.json")
    while not os.path.exists(path):
        if time.time() > deadline:
            raise SystemExit("worldload: no %s" % path)
        time.sleep(0.02)


def load(world_dir):
    wait_for(world_dir)
    with open(os.path.join(world_dir, "manifest.json")) as f:
        man = json.load(f)
    account, region = man["account"], man["region"]
    _load_s3(world_dir, account, region)
    _load_logs(world_dir, man, account, region)
    _load_metrics(world_dir, account, region)
    _load_traces(world_dir, account, region)
    with open(os.path.join(world_dir, "costs.json")) as f:
        motofix_services.WORLD["cost_rows"] = json.load(f)["rows"]


def _load_s3(world_dir, account, region):
    from moto.s3.models import s3_backends
    s3 = s3_backends[account]["aws"]
    root = os.path.join(world_dir, "s3")
    if not os.path.isdir(root):
        return
    for bucket in sorted(os.listdir(root)):
        if bucket not in s3.buckets:
            s3.create_bucket(bucket, region)
        base = os.path.join(root, bucket)
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                p = os.path.join(dirpath, name)
                key = os.path.relpath(p, base).replace(os.sep, "/")
                with open(p, "rb") as f:
                    data = f.read()
                k = s3.put_object(bucket, key, data)
                if name.endswith(".gz"):
                    k.set_metadata({"Content-Type": "application/x-gzip"}) if hasattr(k, "set_metadata") else None


def _load_logs(world_dir, man, account, region):
    from moto.logs.models import logs_backends
    logs = logs_backends[account][region]
    group, stream = man["log_group"], man["log_stream"]
    if group not in logs.groups:
        logs.create_log_group(group, {})
    if stream not in logs.groups[group].streams:
        logs.create_log_stream(group, stream)
    batch = []
    with open(os.path.join(world_dir, "invocations.ndjson")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            ts = json.loads(line)["timestamp"]
            ms = int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)
            batch.append({"timestamp": ms, "message": line})
            if len(batch) >= 5000:
                logs.put_log_events(group, stream, batch)
                batch = []
    if batch:
        logs.put_log_events(group, stream, batch)


def _load_metrics(world_dir, account, region):
    from moto.cloudwatch.models import MetricDatum, cloudwatch_backends
    cw = cloudwatch_backends[account][region]
    with open(os.path.join(world_dir, "metrics.ndjson")) as f:
        for line in f:
            if not line.strip():
                continue
            m = json.loads(line)
            ts = datetime.datetime.fromisoformat(m["ts"].replace("Z", "+00:00"))
            dims = [{"Name": k, "Value": v} for k, v in sorted(m["dimensions"].items())]
            for v, c in zip(m["values"], m["counts"]):
                for _ in range(c):
                    cw.metric_data.append(MetricDatum(m["namespace"], m["metric"], float(v), dims, ts, m["unit"]))


def _load_traces(world_dir, account, region):
    from moto.xray.models import xray_backends
    xr = xray_backends[account][region]
    p = os.path.join(world_dir, "traces.ndjson")
    if not os.path.exists(p):
        return
    with open(p) as f:
        for line in f:
            line = line.strip()
            if line:
                xr.process_segment(line)
