#!/usr/bin/env python3
"""Helpers for the bq-trail and bq-trace shell tests (not a test itself).

  trail_expect.py events WORLD_DIR [--source S] [--since EPOCH] [--until EPOCH]
        [--event N]... [--user U]... [--errors] [--raw] [--all-categories]
        [--exclude-id ID]...
      The records bq-trail should emit for the world's CloudTrail records,
      one per line, computed here independently from bq-trail(1)'s RECORDS
      section.  LookupEvents sees management events only; --all-categories
      is what trail files hold.

  trail_expect.py same GOT WANT
      Exit 0 when the two NDJSON files hold the same records (as parsed JSON,
      any key order, any line order); else print the first differences.

  trail_expect.py spans DOCS.ndjson [--trace T]...
      The span records bq-trace should emit for segment documents (one JSON
      document per line), flattened here independently from bq-trace(1).

  trail_expect.py order FILE FIELD (asc|desc)
      Exit 0 when FIELD is monotonic over the file's records.
"""

import calendar
import json
import re
import sys
import time
from urllib.parse import unquote


def parse_time(s):
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$", s)
    t = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    return t + (float(m.group(2)) if m.group(2) else 0.0)


# ---------------------------------------------------------------- trail

def user_of(rec):
    ui = rec.get("userIdentity") or {}
    if ui.get("userName"):
        return ui["userName"]
    if ui.get("type") == "AssumedRole" and "/" in (ui.get("arn") or ""):
        return ui["arn"].rsplit("/", 1)[1]
    if ui.get("type") == "Root":
        return "root"
    return ui.get("principalId")


def event_record(rec):
    ui = rec.get("userIdentity") or {}
    req = rec.get("requestParameters")
    out = {"kind": "event", "ts": rec["eventTime"], "event_id": rec["eventID"],
           "event_name": rec["eventName"], "event_source": rec["eventSource"]}

    def put(k, v):
        if v not in (None, ""):
            out[k] = v
    put("identity", ui.get("arn"))
    put("user", user_of(rec))
    put("account_id", rec.get("recipientAccountId") or ui.get("accountId"))
    put("region", rec.get("awsRegion"))
    put("source_ip", rec.get("sourceIPAddress"))
    put("user_agent", rec.get("userAgent"))
    put("request_id", rec.get("requestID"))
    if isinstance(req, dict):
        put("model_id", req.get("modelId") or req.get("modelIdentifier"))
    put("inference_region", (rec.get("additionalEventData") or {}).get("inferenceRegion"))
    put("error_code", rec.get("errorCode"))
    put("error_message", rec.get("errorMessage"))
    if "readOnly" in rec:
        out["read_only"] = bool(rec["readOnly"])
    res = []
    for r in rec.get("resources") or []:
        o = {}
        for k, src in (("type", "type"), ("name", "ARN"), ("account_id", "accountId")):
            if r.get(src):
                o[k] = r[src]
        res.append(o)
    out["resources"] = res
    if req is not None:
        out["request"] = req
    if rec.get("responseElements") is not None:
        out["response"] = rec["responseElements"]
    return out


def user_matches(want, rec):
    u = rec.get("user")
    ident = rec.get("identity") or ""
    return want == u or want == ident or ident.endswith("/" + want)


def cmd_events(args):
    world = args[0]
    opts = {"source": "bedrock.amazonaws.com", "since": None, "until": None, "event": [], "user": [],
            "errors": False, "raw": False, "all": False, "exclude": []}
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("--source", "--since", "--until"):
            opts[a[2:]] = args[i + 1]
            i += 2
        elif a in ("--event", "--user", "--exclude-id"):
            opts[{"--exclude-id": "exclude"}.get(a, a[2:])].append(args[i + 1])
            i += 2
        elif a == "--errors":
            opts["errors"] = True
            i += 1
        elif a == "--raw":
            opts["raw"] = True
            i += 1
        elif a == "--all-categories":
            opts["all"] = True
            i += 1
        else:
            raise SystemExit("trail_expect: unknown option " + a)
    with open(world + "/cloudtrail.ndjson") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    recs.sort(key=lambda r: (parse_time(r["eventTime"]), r["eventID"]), reverse=True)
    for rec in recs:
        if rec["eventSource"] != opts["source"]:
            continue
        if not opts["all"] and rec.get("eventCategory", "Management") != "Management":
            continue
        t = parse_time(rec["eventTime"])
        if opts["since"] is not None and t < float(opts["since"]):
            continue
        if opts["until"] is not None and t > float(opts["until"]):
            continue
        if rec["eventID"] in opts["exclude"]:
            continue
        ev = event_record(rec)
        if opts["event"] and ev["event_name"] not in opts["event"]:
            continue
        if opts["errors"] and "error_code" not in ev:
            continue
        if opts["user"] and not any(user_matches(u, ev) for u in opts["user"]):
            continue
        print(json.dumps(rec if opts["raw"] else ev, separators=(",", ":")))


# ---------------------------------------------------------------- spans

def ms_time(t):
    ms = int(round(t * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


BEDROCK_OPS = {"InvokeModel", "InvokeModelWithResponseStream", "InvokeModelWithBidirectionalStream",
               "Converse", "ConverseStream", "StartAsyncInvoke", "ApplyGuardrail", "CountTokens"}


def find_genai(v, path):
    """gen_ai.request.model under v (path = the keys so far): the name may
    span keys, and must start at a key boundary or after a '.'."""
    if isinstance(v, str):
        if v and re.search(r"(?:^|\.)gen[._]ai[._]request[._]model$", ".".join(path)):
            return v
        return None
    if isinstance(v, dict):
        for k, c in v.items():
            r = find_genai(c, path + [k])
            if r:
                return r
    return None


def model_of(n):
    url = ((n.get("http") or {}).get("request") or {}).get("url")
    aws = n.get("aws") or {}
    if url:
        bedrock = "bedrock" in url.lower() or "bedrock" in (n.get("name") or "").lower() \
            or aws.get("operation") in BEDROCK_OPS
        path = re.sub(r"^[a-z]+://[^/]*", "", url)
        m = re.search(r"/model/([^/?#]+)", path)
        if bedrock and m:
            return unquote(m.group(1))
    if aws.get("model_id") or aws.get("modelId"):
        return aws.get("model_id") or aws.get("modelId")
    for where in ("annotations", "metadata"):
        r = find_genai(n.get(where) or {}, [])
        if r:
            return r
    return None


def dur(a, b):
    us = round((b - a) * 1e6)
    return us // 1000 if us % 1000 == 0 else us / 1000.0


def flatten(n, trace_id, parent, out):
    s = {"kind": "span", "trace_id": trace_id, "id": n["id"]}
    if parent:
        s["parent_id"] = parent
    s["name"] = n["name"]
    for k in ("namespace", "origin"):
        if n.get(k):
            s[k] = n[k]
    s["start"] = ms_time(n["start_time"])
    if "end_time" in n:
        s["end"] = ms_time(n["end_time"])
        s["duration_ms"] = dur(n["start_time"], n["end_time"])
    if n.get("in_progress") is True:
        s["in_progress"] = True
    for f in ("error", "fault", "throttle"):
        s[f] = n.get(f) is True
    st = ((n.get("http") or {}).get("response") or {}).get("status")
    if isinstance(st, int):
        s["http_status"] = st
    aws = n.get("aws") or {}
    if aws.get("operation"):
        s["aws_operation"] = aws["operation"]
    if aws.get("request_id"):
        s["request_id"] = aws["request_id"]
    m = model_of(n)
    if m:
        s["model_id"] = m
    if n.get("annotations"):
        s["annotations"] = n["annotations"]
    out.append(s)
    for c in n.get("subsegments") or []:
        flatten(c, trace_id, n["id"], out)


def cmd_spans(args):
    traces = set()
    i = 1
    while i < len(args):
        if args[i] == "--trace":
            traces.add(args[i + 1])
            i += 2
        else:
            raise SystemExit("trail_expect: unknown option " + args[i])
    with open(args[0]) as f:
        docs = [json.loads(line) for line in f if line.strip()]
    for d in docs:
        if traces and d["trace_id"] not in traces:
            continue
        out = []
        flatten(d, d["trace_id"], d.get("parent_id"), out)
        for s in out:
            print(json.dumps(s, separators=(",", ":")))


# ---------------------------------------------------------------- compare

def canon(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                out.append(json.dumps(json.loads(line), sort_keys=True))
    return sorted(out)


def cmd_same(args):
    got, want = canon(args[0]), canon(args[1])
    if got == want:
        return 0
    sg, sw = set(got), set(want)
    print("#   %d records, want %d" % (len(got), len(want)))
    for x in sorted(sg - sw)[:3]:
        print("#   unexpected: " + x[:400])
    for x in sorted(sw - sg)[:3]:
        print("#   missing:    " + x[:400])
    return 1


def cmd_order(args):
    path, field, way = args
    vals = []
    with open(path) as f:
        for line in f:
            if line.strip():
                vals.append(json.loads(line)[field])
    pairs = list(zip(vals, vals[1:]))
    ok = all(a <= b for a, b in pairs) if way == "asc" else all(a >= b for a, b in pairs)
    return 0 if ok else 1


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "events":
        cmd_events(args)
        return 0
    if cmd == "spans":
        cmd_spans(args)
        return 0
    if cmd == "same":
        return cmd_same(args)
    if cmd == "order":
        return cmd_order(args)
    raise SystemExit("trail_expect: unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main())
