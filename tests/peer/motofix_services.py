"""Service-level patches for moto 5.2.1 (testing-peers.md section 6), and
the emulations that replace moto where it is too far from AWS.

CloudWatch (GetMetricData, GetMetricStatistics, ListMetrics)
  Defects: pNN statistics raise (500); periods start at StartTime instead of
  period boundaries; no NextToken paging; ListMetrics lists a metric without
  dimensions once per datapoint (and is O(n^2)).  Replacement: datapoints are
  bucketed at multiples of Period since the epoch (so 5-minute periods start
  at :00, :05, ...; this is where AWS puts them for aligned queries), over
  datums with StartTime (rounded down to the minute) <= ts < EndTime.
  Statistics: SampleCount, Sum, Average, Minimum, Maximum, pNN / pNN.N
  (nearest rank over the samples: the value at rank ceil(p/100 * n); statistic
  sets have no percentiles and are skipped for them), tmNN (mean of the lowest NN percent of
  the samples), IQM.  A query's dimensions must equal the
  metric's dimension set exactly, as in CloudWatch.  Default label: the metric
  name.  Paging: at most MaxDatapoints (default 100,800) datapoints per
  response over all queries, in query order; the rest comes with NextToken
  (tied to the request's other parameters) and the cut queries say
  StatusCode PartialData.  Metric math expressions still go to moto's own
  evaluator, fed with these results.  GetMetricStatistics gains
  ExtendedStatistics (pNN) and the 1,440-datapoint limit.  ListMetrics
  returns each (namespace, name, dimensions) once, 500 per page.

CloudWatch Logs
  PutLogEvents drops events older than 14 days: real AWS does too, but it
  makes fixed-date fixtures empty themselves, so old events are kept.
  FilterLogEvents pages also stop at 1 MB of messages, as AWS's do.

X-Ray
  GetTraceSummaries raises on any FilterExpression, fills no annotations,
  users, service ids or HTTP fields, and computes times in local time.
  Replacement over moto's stored segments: trace start = earliest segment
  start; a trace is in range when StartTime <= start < EndTime (for every
  TimeRangeType); newest first; 50 summaries per page with NextToken.
  FilterExpression supports the documented grammar's common part: ok, error,
  fault, throttle, partial; responsetime, duration, http.status with
  = != < <= > >=; http.url, http.method, http.useragent, http.clientip, user
  with = != CONTAINS BEGINSWITH ENDSWITH; annotation.KEY with any of those;
  service("name") and service("name") { filter } (approximation: the trace has
  a segment or subsegment with that name, and the filter holds for the whole
  trace); AND, OR, !, parentheses.  Other constructs (edge(), id(),
  rootcause, ...) are InvalidRequestException, never ignored silently.
  BatchGetTraces rejects more than 5 ids (AWS: 1-5) and empty lists.

Cost Explorer
  Seeded (moto-api) results are bound to the exact request body bytes, so the
  same request written differently gets another result or nothing.  They are
  now bound to the request's canonical JSON.  With a world loaded
  (worldload.py), GetCostAndUsage is computed from the world's cost rows
  instead (see ce_answer), so any request gets a consistent answer.
  GetDimensionValues (moto has none: a 500) is answered from the same rows
  (see ce_dimension_values): the distinct values of Dimension among the rows
  in TimePeriod that pass Filter, SearchString a case-insensitive substring
  match, sorted by value (or by a metric's sum with SortBy, where MaxResults
  applies and SearchString / NextPageToken are refused, as documented).
  Without a world the list is empty.  Both operations answer CE_PAGE (20)
  items a page with NextPageToken; moto_launch.py --ce-page N changes it.
"""

import base64
import calendar
import datetime
import hashlib
import json
import math
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerutil  # noqa: E402

WORLD = {"cost_rows": None}
_lock = threading.Lock()
_epoch = peerutil.epoch


def _dt(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)


def _token(doc, key):
    return base64.urlsafe_b64encode(json.dumps({"k": key, "o": doc}).encode()).decode()


def _untoken(tok, key):
    d = json.loads(base64.urlsafe_b64decode(tok.encode()).decode())
    if d["k"] != key:
        raise ValueError("token from another request")
    return d["o"]


def _offset(params, name="NextToken"):
    """The offset the paging token params[name] carries (0 without one).
    ValueError for a token that is not ours or belongs to another request."""
    tok = params.get(name)
    if not tok:
        return 0
    try:
        return int(_untoken(tok, _reqkey(params)))
    except Exception:
        raise ValueError("bad paging token")


def _paged(items, params, size, name="NextToken"):
    """(this page of items, the token of the next page or None)."""
    off = _offset(params, name)
    nxt = _token(off + size, _reqkey(params)) if off + size < len(items) else None
    return items[off:off + size], nxt


def _reqkey(params, drop=("NextToken", "NextPageToken")):
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if k not in drop}
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, datetime.datetime):
            return _epoch(v)
        return v
    return hashlib.sha256(json.dumps(clean(params), sort_keys=True, default=str).encode()).hexdigest()[:16]


# ================================================================ CloudWatch

def _cw_index(backend):
    """{(ns, name, dims_tuple): [(ts, datum)]} over every stored datum."""
    data = backend.get_all_metrics()
    idx = {}
    for md in data:
        dims = tuple(sorted((d.name, d.value) for d in md.dimensions))
        idx.setdefault((md.namespace, md.name, dims), []).append((_epoch(md.timestamp), md))
    return idx


_PCT = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")
_TM = re.compile(r"^tm(\d{1,2}(?:\.\d+)?)$")


def _stat_ok(stat):
    return stat in ("SampleCount", "Sum", "Average", "Minimum", "Maximum", "IQM") or \
        bool(_PCT.match(stat)) or bool(_TM.match(stat))


def _compute(stat, datums):
    """Value of stat over datums (MetricDatum or MetricAggregatedDatum), or None."""
    singles = [md.value for md in datums if hasattr(md, "value")]
    aggs = [md for md in datums if not hasattr(md, "value")]
    n = len(singles) + sum(a.sample_count for a in aggs)
    if n == 0:
        return None
    if stat == "SampleCount":
        return float(n)
    if stat == "Sum":
        return float(sum(singles) + sum(a.sum for a in aggs))
    if stat == "Average":
        return float(sum(singles) + sum(a.sum for a in aggs)) / n
    if stat == "Minimum":
        return float(min(singles + [a.min for a in aggs]))
    if stat == "Maximum":
        return float(max(singles + [a.max for a in aggs]))
    if not singles:
        return None
    vals = sorted(singles)
    m = _PCT.match(stat)
    if m:
        p = float(m.group(1))
        rank = max(1, int(math.ceil(p / 100.0 * len(vals))))
        return float(vals[rank - 1])
    m = _TM.match(stat)
    if m:
        keep = vals[:max(1, int(math.ceil(float(m.group(1)) / 100.0 * len(vals))))]
        return float(sum(keep)) / len(keep)
    if stat == "IQM":
        lo, hi = int(len(vals) * 0.25), int(math.ceil(len(vals) * 0.75))
        keep = vals[lo:hi] or vals
        return float(sum(keep)) / len(keep)
    return None


def _series(idx, metric, period, stat, unit, start, end):
    ns = metric.get("Namespace")
    name = metric.get("MetricName")
    dims = tuple(sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions") or []))
    rows = idx.get((ns, name, dims), [])
    buckets = {}
    for ts, md in rows:
        if ts < start or ts >= end:
            continue
        if unit and md.unit != unit:
            continue
        b = int(ts // period * period)
        buckets.setdefault(b, []).append(md)
    out = []
    for b in sorted(buckets):
        v = _compute(stat, buckets[b])
        if v is not None:
            out.append((b, v))
    return out


def _patch_cloudwatch():
    from moto.cloudwatch import responses as cwr
    from moto.cloudwatch.exceptions import InvalidParameterCombination, InvalidParameterValue, ValidationError
    from moto.cloudwatch.metric_data_expression_parser import parse_expression
    from moto.core.responses import ActionResult

    R = cwr.CloudWatchResponse

    def get_metric_data(self):
        params = self._get_params()
        start = _epoch(params.get("StartTime"))
        end = _epoch(params.get("EndTime"))
        if start is None or end is None:
            raise ValidationError("The parameters StartTime and EndTime are required.")
        if start >= end:
            raise ValidationError("The parameter StartTime must be less than the parameter EndTime.")
        start = start // 60 * 60
        scan = params.get("ScanBy") or "TimestampDescending"
        maxdp = int(params.get("MaxDatapoints") or 100800)
        queries = params.get("MetricDataQueries") or []
        if not queries:
            raise ValidationError("The parameter MetricDataQueries is required.")
        if len(queries) > 500:
            raise ValidationError("The collection MetricDataQueries must not have a size greater than 500.")
        idx = _cw_index(self.cloudwatch_backend)
        computed = []
        moto_fmt = []
        for q in queries:
            if "MetricStat" not in q and "Expression" not in q:
                raise ValidationError("The parameter MetricDataQueries.member.1.MetricStat is required.\n")
            if "MetricStat" in q:
                ms = q["MetricStat"]
                stat = ms.get("Stat")
                period = int(ms.get("Period") or 0)
                if not stat or not _stat_ok(stat):
                    raise InvalidParameterValue("The value %s for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic." % stat)
                if period <= 0 or (period >= 60 and period % 60) or (period < 60 and period not in (1, 5, 10, 20, 30)):
                    raise InvalidParameterValue("The parameter MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60 (or 1, 5, 10, 20, 30 for high resolution).")
                pts = _series(idx, ms["Metric"], period, stat, ms.get("Unit"), start, end)
                label = q.get("Label") or ms["Metric"].get("MetricName")
                moto_fmt.append({"id": q["Id"], "label": label, "values": [v for _, v in pts],
                                 "timestamps": [_dt(t) for t, _ in pts], "status_code": "Complete"})
                if q.get("ReturnData", True) is False:
                    continue
                computed.append((q["Id"], label, pts))
        for q in queries:
            if "Expression" in q and "MetricStat" not in q:
                vals, tss = parse_expression(q["Expression"], moto_fmt)
                pts = sorted(zip([_epoch(t) for t in tss], [float(v) for v in vals]))
                if q.get("ReturnData", True) is False:
                    continue
                computed.append((q["Id"], q.get("Label") or q["Id"], pts))
        try:
            offset = _offset(params)
        except ValueError:
            raise InvalidParameterValue("The service cannot process the request because the NextToken is invalid.")
        results = []
        pos = 0
        more = False
        for qid, label, pts in computed:
            if scan == "TimestampDescending":
                pts = list(reversed(pts))
            lo = max(0, offset - pos)
            hi = max(0, min(len(pts), offset + maxdp - pos))
            part = pts[lo:hi] if lo < hi else []
            cut = hi < len(pts)
            more = more or cut
            results.append({"Id": qid, "Label": label, "Timestamps": [_dt(t) for t, _ in part],
                            "Values": [v for _, v in part], "StatusCode": "PartialData" if cut else "Complete"})
            pos += len(pts)
        out = {"MetricDataResults": results, "Messages": []}
        if more:
            out["NextToken"] = _token(offset + maxdp, _reqkey(params))
        return ActionResult(out)

    def get_metric_statistics(self):
        params = self._get_params()
        stats = params.get("Statistics") or []
        ext = params.get("ExtendedStatistics") or []
        if not stats and not ext:
            raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics")
        if stats and ext:
            raise InvalidParameterCombination("Cannot specify both Statistics and ExtendedStatistics")
        for s in ext:
            if not _PCT.match(s):
                raise InvalidParameterValue("The value %s for parameter ExtendedStatistics is not supported." % s)
        start = _epoch(params.get("StartTime")) // 60 * 60
        end = _epoch(params.get("EndTime"))
        period = int(params.get("Period") or 60)
        if (end - start) / period > 1440:
            raise InvalidParameterCombination("You have requested up to %d datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range." % int((end - start) / period))
        idx = _cw_index(self.cloudwatch_backend)
        metric = {"Namespace": params.get("Namespace"), "MetricName": params.get("MetricName"),
                  "Dimensions": params.get("Dimensions") or []}
        unit = params.get("Unit")
        per = {}
        for s in stats + ext:
            for t, v in _series(idx, metric, period, s, unit, start, end):
                per.setdefault(t, {})[s] = v
        dps = []
        units = {}
        for k, rows in idx.items():
            if k[0] == metric["Namespace"] and k[1] == metric["MetricName"]:
                for _, md in rows:
                    units[md.unit] = True
        u = unit or (list(units)[0] if len(units) == 1 and list(units)[0] else "None")
        for t in sorted(per):
            dp = {"Timestamp": _dt(t), "Unit": u}
            for s in stats:
                if s in per[t]:
                    dp[s] = per[t][s]
            if ext:
                dp["ExtendedStatistics"] = {s: per[t][s] for s in ext if s in per[t]}
            dps.append(dp)
        return ActionResult({"Label": params.get("MetricName"), "Datapoints": dps})

    def list_metrics(self):
        params = self._get_params()
        ns = params.get("Namespace")
        name = params.get("MetricName")
        want = params.get("Dimensions") or []
        idx = _cw_index(self.cloudwatch_backend)
        out = []
        for (kns, kname, kdims) in sorted(idx, key=lambda k: (k[0] or "", k[1] or "", k[2])):
            if ns and kns != ns:
                continue
            if name and kname != name:
                continue
            dd = dict(kdims)
            ok = True
            for d in want:
                if d.get("Name") not in dd or ("Value" in d and d["Value"] is not None and dd[d["Name"]] != d["Value"]):
                    ok = False
            if not ok:
                continue
            out.append({"Namespace": kns, "MetricName": kname,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in kdims]})
        try:
            page, nxt = _paged(out, params, 500)
        except ValueError:
            raise InvalidParameterValue("Request parameter NextToken is invalid")
        res = {"Metrics": page}
        if nxt:
            res["NextToken"] = nxt
        return ActionResult(res)

    R.get_metric_data = get_metric_data
    R.get_metric_statistics = get_metric_statistics
    R.list_metrics = list_metrics


# ====================================================================== Logs

def _patch_logs():
    from moto.logs import models as lm

    B = lm.LogsBackend

    def put_log_events(self, log_group_name, log_stream_name, log_events):
        if log_group_name not in self.groups:
            raise lm.ResourceNotFoundException()
        last = None
        for ev in log_events:
            if last is not None and last > ev["timestamp"]:
                raise lm.InvalidParameterException(
                    "Log events in a single PutLogEvents request must be in chronological order.")
            last = ev["timestamp"]
        token = self.groups[log_group_name].put_log_events(log_stream_name, log_events)
        return token, {}

    B.put_log_events = put_log_events

    G = lm.LogGroup
    orig_filter = G.filter_log_events

    def filter_log_events(self, log_group_name, log_stream_names, start_time, end_time, limit,
                          next_token, filter_pattern, interleaved):
        events, tok, searched = orig_filter(self, log_group_name, log_stream_names, start_time, end_time,
                                            limit, next_token, filter_pattern, interleaved)
        size = 0
        for i, e in enumerate(events):
            size += len(e.get("message", "")) + 26
            if size > 1048576 and i > 0:
                events = events[:i]
                last = events[-1]
                tok = "%s@%s@%s" % (log_group_name, last["logStreamName"], last["eventId"])
                break
        return events, tok, searched

    G.filter_log_events = filter_log_events


# ===================================================================== X-Ray

class FilterError(Exception):
    pass


_TOK = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|=|<|>|\(|\)|\{|\}|!|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.\-]*))')


def _lex(s):
    pos, out = 0, []
    s = s.strip()
    while pos < len(s):
        m = _TOK.match(s, pos)
        if not m or m.end() == pos:
            raise FilterError("unexpected character at %d" % pos)
        pos = m.end()
        for kind in ("str", "num", "op", "word"):
            if m.group(kind) is not None:
                v = m.group(kind)
                if kind == "str":
                    v = json.loads(v)
                elif kind == "num":
                    v = float(v)
                out.append((kind, v))
                break
    return out


class _Parser:
    BOOL = {"ok", "error", "fault", "throttle", "partial"}
    NUM = {"responsetime", "duration", "http.status"}
    STR = {"http.url", "http.method", "http.useragent", "http.clientip", "user"}
    STROPS = {"CONTAINS", "BEGINSWITH", "ENDSWITH"}

    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, v):
        k, x = self.take()
        if x != v:
            raise FilterError("expected %s" % v)

    def parse(self):
        e = self.or_()
        if self.i != len(self.t):
            raise FilterError("trailing input")
        return e

    def chain(self, word, operand):
        """operand (WORD operand)*, left-associative: ("word", left, right)."""
        e = operand()
        while self.peek() in (("word", word.upper()), ("word", word)):
            self.take()
            e = (word, e, operand())
        return e

    def or_(self):
        return self.chain("or", self.and_)

    def and_(self):
        return self.chain("and", self.not_)

    def not_(self):
        if self.peek() == ("op", "!"):
            self.take()
            return ("not", self.not_())
        return self.atom()

    def atom(self):
        k, v = self.take()
        if (k, v) == ("op", "("):
            e = self.or_()
            self.expect(")")
            return e
        if k != "word":
            raise FilterError("unexpected %r" % (v,))
        if v == "service":
            self.expect("(")
            k2, name = self.take()
            if k2 != "str":
                raise FilterError("service() takes a quoted name here")
            self.expect(")")
            inner = None
            if self.peek() == ("op", "{"):
                self.take()
                inner = self.or_() if self.peek() != ("op", "}") else None
                self.expect("}")
            return ("service", name, inner)
        if v in self.BOOL:
            return ("bool", v)
        if v in self.NUM or v in self.STR or v.startswith("annotation."):
            ok, op = self.take()
            if op in self.STROPS or (ok == "word" and op in self.STROPS):
                pass
            elif ok != "op" or op not in ("=", "!=", "<", "<=", ">", ">="):
                raise FilterError("expected a comparison after %s" % v)
            kv, val = self.take()
            if kv == "word" and val in ("true", "false"):
                val = val == "true"
            elif kv not in ("str", "num"):
                raise FilterError("expected a value after %s %s" % (v, op))
            return ("cmp", v, op, val)
        raise FilterError("unsupported filter keyword '%s'" % v)


def _walk(doc):
    yield doc
    for s in doc.get("subsegments") or []:
        yield from _walk(s)


def _summary_of(tid, segs):
    """X-Ray trace summary from the raw segment documents of one trace."""
    docs = [json.loads(s.raw) if isinstance(s.raw, str) else s.raw for s in segs]
    starts = [d.get("start_time") for d in docs if d.get("start_time") is not None]
    ends = [d.get("end_time") for d in docs if d.get("end_time") is not None]
    start = min(starts) if starts else 0
    end = max(ends) if ends else start
    roots = [d for d in docs if not d.get("parent_id")] or docs
    root = min(roots, key=lambda d: d.get("start_time", 0))
    allnodes = [n for d in docs for n in _walk(d)]
    flags = {f: any(n.get(f) for n in allnodes) for f in ("error", "fault", "throttle")}
    ann = {}
    for d in docs:
        for k, v in (d.get("annotations") or {}).items():
            if isinstance(v, bool):
                av = {"BooleanValue": v}
            elif isinstance(v, (int, float)):
                av = {"NumberValue": float(v)}
            else:
                av = {"StringValue": str(v)}
            ann.setdefault(k, []).append({"AnnotationValue": av,
                                          "ServiceIds": [{"Name": d.get("name"), "Names": [d.get("name")],
                                                          "AccountId": (d.get("aws") or {}).get("account_id"),
                                                          "Type": d.get("origin")}]})
    http = {}
    rh = root.get("http") or {}
    req = rh.get("request") or {}
    resp = rh.get("response") or {}
    if req.get("url"):
        http["HttpURL"] = req["url"]
    if resp.get("status") is not None:
        http["HttpStatus"] = resp["status"]
    if req.get("method"):
        http["HttpMethod"] = req["method"]
    if req.get("user_agent"):
        http["UserAgent"] = req["user_agent"]
    if req.get("client_ip"):
        http["ClientIp"] = req["client_ip"]
    users = sorted({d["user"] for d in docs if d.get("user")})
    services = []
    seen = set()
    for d in docs:
        key = (d.get("name"), d.get("origin"))
        if key not in seen:
            seen.add(key)
            services.append({"Name": d.get("name"), "Names": [d.get("name")], "Type": d.get("origin"),
                             "AccountId": (d.get("aws") or {}).get("account_id")})
        for n in _walk(d):
            if n is d or n.get("namespace") not in ("aws", "remote"):
                continue
            key = (n.get("name"), "remote")
            if key not in seen:
                seen.add(key)
                services.append({"Name": n.get("name"), "Names": [n.get("name")],
                                 "Type": "AWS::" + n["name"] if n.get("namespace") == "aws" else "remote"})
    s = {"Id": tid, "StartTime": start, "Duration": round(end - start, 3),
         "ResponseTime": round((root.get("end_time") or end) - root.get("start_time", start), 3),
         "HasFault": flags["fault"], "HasError": flags["error"], "HasThrottle": flags["throttle"],
         "IsPartial": any(d.get("in_progress") for d in docs),
         "Http": http, "Annotations": ann,
         "Users": [{"UserName": u, "ServiceIds": []} for u in users],
         "ServiceIds": services,
         "EntryPoint": {"Name": root.get("name"), "Names": [root.get("name")], "Type": root.get("origin")},
         "Revision": 1, "MatchedEventTime": start}
    return s, docs, allnodes, root


def _eval(e, s, docs, allnodes, root):
    kind = e[0]
    if kind == "and":
        return _eval(e[1], s, docs, allnodes, root) and _eval(e[2], s, docs, allnodes, root)
    if kind == "or":
        return _eval(e[1], s, docs, allnodes, root) or _eval(e[2], s, docs, allnodes, root)
    if kind == "not":
        return not _eval(e[1], s, docs, allnodes, root)
    if kind == "service":
        if not any(n.get("name") == e[1] for n in allnodes):
            return False
        return e[2] is None or _eval(e[2], s, docs, allnodes, root)
    if kind == "bool":
        w = e[1]
        if w == "ok":
            st = s["Http"].get("HttpStatus")
            return not (s["HasError"] or s["HasFault"] or s["HasThrottle"]) and (st is None or 200 <= st < 300)
        if w == "partial":
            return s["IsPartial"]
        return s["Has" + w.capitalize()]
    if kind == "cmp":
        _, key, op, val = e
        if key == "responsetime":
            got = s["ResponseTime"]
        elif key == "duration":
            got = s["Duration"]
        elif key == "http.status":
            got = s["Http"].get("HttpStatus")
        elif key == "http.url":
            got = s["Http"].get("HttpURL")
        elif key == "http.method":
            got = s["Http"].get("HttpMethod")
        elif key == "http.useragent":
            got = s["Http"].get("UserAgent")
        elif key == "http.clientip":
            got = s["Http"].get("ClientIp")
        elif key == "user":
            us = [u["UserName"] for u in s["Users"]]
            return any(_cmp(u, op, val) for u in us)
        else:
            name = key[len("annotation."):]
            vals = []
            for d in docs:
                a = d.get("annotations") or {}
                if name in a:
                    vals.append(a[name])
            return any(_cmp(v, op, val) for v in vals)
        if got is None:
            return False
        return _cmp(got, op, val)
    raise FilterError("bad node")


def _cmp(got, op, val):
    try:
        if op in ("CONTAINS", "BEGINSWITH", "ENDSWITH"):
            g, v = str(got), str(val)
            return {"CONTAINS": v in g, "BEGINSWITH": g.startswith(v), "ENDSWITH": g.endswith(v)}[op]
        if isinstance(val, float) and not isinstance(got, bool):
            got = float(got)
        return {"=": got == val, "!=": got != val, "<": got < val, "<=": got <= val,
                ">": got > val, ">=": got >= val}[op]
    except (TypeError, ValueError):
        return False


XRAY_PAGE = 50


def _patch_xray():
    from moto.xray import responses as xr

    R = xr.XRayResponse

    def err(code, msg, status=400):
        return json.dumps({"__type": code, "message": msg}), {"status": status, "x-amzn-ErrorType": code}

    def trace_summaries(self):
        p = self.request_params
        if p.get("StartTime") is None or p.get("EndTime") is None:
            return err("InvalidRequestException", "StartTime and EndTime are required")
        try:
            start, end = _epoch(p["StartTime"]), _epoch(p["EndTime"])
        except (TypeError, ValueError):
            return err("InvalidRequestException", "StartTime and EndTime must be timestamps")
        if start >= end:
            return err("InvalidRequestException", "StartTime must be before EndTime")
        if end - start > 24 * 3600:
            return err("InvalidRequestException", "Time range must not exceed 24 hours")
        expr = None
        if p.get("FilterExpression"):
            try:
                expr = _Parser(_lex(p["FilterExpression"])).parse()
            except FilterError as e:
                return err("InvalidRequestException", "Invalid filter expression: %s" % e)
        col = self.xray_backend._segment_collection
        out = []
        for tid, tr in list(col._traces.items()):
            if not tr["segments"]:
                continue
            s, docs, allnodes, root = _summary_of(tid, tr["segments"])
            if not (start <= s["StartTime"] < end):
                continue
            if expr is not None and not _eval(expr, s, docs, allnodes, root):
                continue
            out.append(s)
        out.sort(key=lambda s: (-s["StartTime"], s["Id"]))
        try:
            page, nxt = _paged(out, p, XRAY_PAGE)
        except ValueError:
            return err("InvalidRequestException", "Invalid NextToken")
        res = {"TraceSummaries": page, "ApproximateTime": int(end), "TracesProcessedCount": len(out)}
        if nxt:
            res["NextToken"] = nxt
        return json.dumps(res)

    def traces(self):
        ids = self.request_params.get("TraceIds")
        if not ids:
            return err("InvalidRequestException", "TraceIds must contain between 1 and 5 trace ids")
        if len(ids) > 5:
            return err("InvalidRequestException",
                       "1 validation error detected: Value at 'traceIds' failed to satisfy constraint: Member must have length less than or equal to 5")
        col = self.xray_backend._segment_collection
        res = {"Traces": [], "UnprocessedTraceIds": []}
        for tid in ids:
            tr = col._traces.get(tid) if tid in col._traces else None
            if not tr or not tr["segments"]:
                res["UnprocessedTraceIds"].append(tid)
                continue
            s, docs, _, _ = _summary_of(tid, tr["segments"])
            res["Traces"].append({"Id": tid, "Duration": s["Duration"], "LimitExceeded": False,
                                  "Segments": [{"Id": seg.id, "Document": seg.raw if isinstance(seg.raw, str) else json.dumps(seg.raw)}
                                               for seg in tr["segments"]]})
        return json.dumps(res)

    R.trace_summaries = trace_summaries
    R.traces = traces


# ============================================================= Cost Explorer

def _fmt_amount(x):
    s = ("%.10f" % x).rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def _parse_day(s):
    s = s.strip()
    if "T" in s:
        return _epoch(s)
    return float(calendar.timegm(datetime.datetime.strptime(s, "%Y-%m-%d").timetuple()))


def _buckets(start, end, gran):
    out = []
    t = start
    while t < end:
        d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        if gran == "HOURLY":
            n = t + 3600
        elif gran == "DAILY":
            n = t + 86400
        else:
            y, m = d.year + (d.month // 12), d.month % 12 + 1
            n = float(calendar.timegm(datetime.datetime(y, m, 1).timetuple()))
        n = min(n, end)
        out.append((t, n))
        t = n
    return out


def _fmt_period(t, gran):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ") if gran == "HOURLY" else d.strftime("%Y-%m-%d")


DIMS = {"SERVICE": "service", "USAGE_TYPE": "usage_type", "OPERATION": "operation",
        "REGION": "region", "LINKED_ACCOUNT": "linked_account"}


def _dim_value(row, key):
    if key in DIMS:
        return row[DIMS[key]]
    if key == "RECORD_TYPE":
        return "Usage"
    return "No" + key.title().replace("_", "")


class CeError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code, self.msg = code, msg


def _match(values, got, opts):
    opts = opts or ["EQUALS"]
    if "ABSENT" in opts:
        return got in (None, "")
    ci = "CASE_INSENSITIVE" in opts
    g = (got or "").lower() if ci else (got or "")
    for v in values or []:
        vv = v.lower() if ci else v
        if "STARTS_WITH" in opts and g.startswith(vv):
            return True
        if "ENDS_WITH" in opts and g.endswith(vv):
            return True
        if "CONTAINS" in opts and vv in g:
            return True
        if ("EQUALS" in opts or not set(opts) & {"STARTS_WITH", "ENDS_WITH", "CONTAINS"}) and g == vv:
            return True
    return False


def _filter(expr, row):
    if not expr:
        return True
    if "And" in expr:
        return all(_filter(e, row) for e in expr["And"])
    if "Or" in expr:
        return any(_filter(e, row) for e in expr["Or"])
    if "Not" in expr:
        return not _filter(expr["Not"], row)
    if "Dimensions" in expr:
        d = expr["Dimensions"]
        return _match(d.get("Values"), _dim_value(row, d.get("Key")), d.get("MatchOptions"))
    if "Tags" in expr:
        d = expr["Tags"]
        return _match(d.get("Values"), row["tags"].get(d.get("Key"), ""), d.get("MatchOptions"))
    if "CostCategories" in expr:
        raise CeError("ValidationException", "cost categories are not known to this peer")
    raise CeError("ValidationException", "invalid filter expression")


CE_PAGE = 20


def _ce_period(req):
    """(start, end) epoch seconds of the request's TimePeriod (dates, or
    times for HOURLY; end exclusive), or the ValidationException."""
    tp = req.get("TimePeriod") or {}
    if not tp.get("Start") or not tp.get("End"):
        raise CeError("ValidationException", "TimePeriod Start and End are required")
    try:
        start, end = _parse_day(tp["Start"]), _parse_day(tp["End"])
    except ValueError:
        raise CeError("ValidationException", "Start date and End date must be in YYYY-MM-DD format")
    if start >= end:
        raise CeError("ValidationException", "Start date (and hour) should be before end date (and hour)")
    return start, end


def ce_answer(req, rows):
    """GetCostAndUsage computed from cost rows (see gen_world.py costs.json)."""
    start, end = _ce_period(req)
    gran = req.get("Granularity")
    metrics = req.get("Metrics") or []
    groups = req.get("GroupBy") or []
    if gran not in ("DAILY", "MONTHLY", "HOURLY"):
        raise CeError("ValidationException", "Granularity must be DAILY, MONTHLY or HOURLY")
    if not metrics:
        raise CeError("ValidationException", "Metrics is required")
    known = {"AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost",
             "NormalizedUsageAmount", "UnblendedCost", "UsageQuantity"}
    for m in metrics:
        if m not in known:
            raise CeError("ValidationException", "Invalid metric %s" % m)
    if len(groups) > 2:
        raise CeError("ValidationException", "GroupBy may contain at most 2 entries")
    for g in groups:
        if g.get("Type") not in ("DIMENSION", "TAG"):
            raise CeError("ValidationException", "GroupBy Type must be DIMENSION or TAG here")
    flt = req.get("Filter")
    bks = _buckets(start, end, gran)
    agg = [dict() for _ in bks]
    for row in rows:
        t = _epoch(row["start"])
        if t < start or t >= end:
            continue
        if not _filter(flt, row):
            continue
        bi = None
        for i, (a, b) in enumerate(bks):
            if a <= t < b:
                bi = i
                break
        if bi is None:
            continue
        keys = []
        for g in groups:
            if g["Type"] == "DIMENSION":
                keys.append(_dim_value(row, g["Key"]))
            else:
                keys.append("%s$%s" % (g["Key"], row["tags"].get(g["Key"], "")))
        k = tuple(keys)
        acc = agg[bi].setdefault(k, [0.0, 0.0])
        acc[0] += row["unblended_cost"]
        acc[1] += row["usage_quantity"]

    def mvals(acc):
        out = {}
        for m in metrics:
            if m == "UsageQuantity":
                out[m] = {"Amount": _fmt_amount(acc[1]), "Unit": "N/A"}
            elif m == "NormalizedUsageAmount":
                out[m] = {"Amount": "0", "Unit": "N/A"}
            else:
                out[m] = {"Amount": _fmt_amount(acc[0]), "Unit": "USD"}
        return out

    items = []  # (bucket index, group key or None)
    for i in range(len(bks)):
        if groups:
            for k in sorted(agg[i]):
                items.append((i, k))
            if not agg[i]:
                items.append((i, None))
        else:
            items.append((i, None))
    page, nxt = _ce_paged(items, req)
    now = __import__("time").time()
    results = []
    for i, k in page:
        a, b = bks[i]
        if not results or results[-1]["_i"] != i:
            r = {"_i": i, "TimePeriod": {"Start": _fmt_period(a, gran), "End": _fmt_period(b, gran)},
                 "Total": {}, "Groups": [], "Estimated": b > now - 86400}
            if not groups:
                total = [0.0, 0.0]
                for acc in agg[i].values():
                    total[0] += acc[0]
                    total[1] += acc[1]
                r["Total"] = mvals(total)
            results.append(r)
        if groups and k is not None:
            results[-1]["Groups"].append({"Keys": list(k), "Metrics": mvals(agg[i][k])})
    for r in results:
        del r["_i"]
    res = {"GroupDefinitions": [{"Type": g["Type"], "Key": g["Key"]} for g in groups],
           "ResultsByTime": results, "DimensionValueAttributes": []}
    if nxt:
        res["NextPageToken"] = nxt
    return res


def _ce_paged(items, req):
    try:
        return _paged(items, req, CE_PAGE, "NextPageToken")
    except ValueError:
        raise CeError("InvalidNextTokenException", "Invalid NextPageToken")


# The Dimension enum of the ce model, and which of those the cost rows carry.
CE_DIMENSIONS = {
    "AZ", "INSTANCE_TYPE", "LINKED_ACCOUNT", "PAYER_ACCOUNT", "LINKED_ACCOUNT_NAME", "OPERATION",
    "PURCHASE_TYPE", "REGION", "SERVICE", "SERVICE_CODE", "USAGE_TYPE", "USAGE_TYPE_GROUP",
    "RECORD_TYPE", "OPERATING_SYSTEM", "TENANCY", "SCOPE", "PLATFORM", "SUBSCRIPTION_ID",
    "LEGAL_ENTITY_NAME", "DEPLOYMENT_OPTION", "DATABASE_ENGINE", "CACHE_ENGINE",
    "INSTANCE_TYPE_FAMILY", "BILLING_ENTITY", "RESERVATION_ID", "RESOURCE_ID", "RIGHTSIZING_TYPE",
    "SAVINGS_PLANS_TYPE", "SAVINGS_PLAN_ARN", "PAYMENT_OPTION", "AGREEMENT_END_DATE_TIME_AFTER",
    "AGREEMENT_END_DATE_TIME_BEFORE", "INVOICING_ENTITY", "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
    "ANOMALY_TOTAL_IMPACT_PERCENTAGE"}
CE_METRICS = {"AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost",
              "NormalizedUsageAmount", "UnblendedCost", "UsageQuantity"}


def ce_dimension_values(req, rows):
    """GetDimensionValues computed from cost rows (see the module docstring)."""
    start, end = _ce_period(req)
    dim = req.get("Dimension")
    if dim not in CE_DIMENSIONS:
        raise CeError("ValidationException", "Dimension must be one of the Cost Explorer dimensions")
    ctx = req.get("Context") or "COST_AND_USAGE"
    if ctx != "COST_AND_USAGE":
        raise CeError("ValidationException", "only Context COST_AND_USAGE is known to this peer")
    sort = req.get("SortBy") or []
    search = req.get("SearchString")
    if sort and (search is not None or req.get("NextPageToken")):
        raise CeError("ValidationException", "SortBy cannot be used with SearchString or NextPageToken")
    for s in sort:
        if s.get("Key") not in CE_METRICS or s.get("SortOrder", "ASCENDING") not in ("ASCENDING", "DESCENDING"):
            raise CeError("ValidationException", "invalid SortBy")
    mx = req.get("MaxResults")
    if mx is not None and (not isinstance(mx, int) or mx < 1 or mx > 1000):
        raise CeError("ValidationException", "MaxResults must be between 1 and 1000")
    flt = req.get("Filter")
    sums = {}  # value -> [cost, quantity]
    carried = dim in DIMS or dim == "RECORD_TYPE"
    for row in rows if carried else []:
        t = _epoch(row["start"])
        if t < start or t >= end or not _filter(flt, row):
            continue
        v = _dim_value(row, dim)
        if search is not None and search.lower() not in v.lower():
            continue
        acc = sums.setdefault(v, [0.0, 0.0])
        acc[0] += row["unblended_cost"]
        acc[1] += row["usage_quantity"]
    values = sorted(sums)
    if sort:
        # the first key decides; later keys break ties (stable sorts, last key first)
        for s in reversed(sort):
            # NormalizedUsageAmount is "0" everywhere here (see ce_answer)
            idx = {"UsageQuantity": 1, "NormalizedUsageAmount": None}.get(s["Key"], 0)
            values.sort(key=lambda v, idx=idx: 0 if idx is None else sums[v][idx],
                        reverse=s.get("SortOrder") == "DESCENDING")
        values = values[:mx or 1000]
        return {"DimensionValues": [{"Value": v, "Attributes": {}} for v in values],
                "ReturnSize": len(values), "TotalSize": len(values)}
    page, nxt = _ce_paged(values, req)
    res = {"DimensionValues": [{"Value": v, "Attributes": {}} for v in page],
           "ReturnSize": len(page), "TotalSize": len(values)}
    if nxt:
        res["NextPageToken"] = nxt
    return res


def _ce_json(fn):
    """A moto response method answering fn(request, rows) as JSON, or the
    CeError in Cost Explorer's error shape."""
    def method(self):
        try:
            req = json.loads(self.body or "{}")
            return json.dumps(fn(req, WORLD.get("cost_rows") or []))
        except CeError as e:
            return json.dumps({"__type": e.code, "message": e.msg}), {"status": 400, "x-amzn-ErrorType": e.code}
    return method


def _patch_ce():
    from moto.ce import models as cm
    from moto.ce import responses as cr

    def get_cost_and_usage_backend(self, body):
        try:
            canon = json.dumps(json.loads(body), sort_keys=True)
        except ValueError:
            canon = body
        default = {"ResultsByTime": [], "DimensionValueAttributes": []}
        with _lock:
            if canon not in self.cost_usage_results and self.cost_usage_results_queue:
                self.cost_usage_results[canon] = self.cost_usage_results_queue.pop(0)
            return self.cost_usage_results.get(canon, default)

    cm.CostExplorerBackend.get_cost_and_usage = get_cost_and_usage_backend

    from_rows = _ce_json(ce_answer)

    def get_cost_and_usage(self):
        if WORLD.get("cost_rows") is None:
            return json.dumps(self.ce_backend.get_cost_and_usage(self.body))
        return from_rows(self)

    cr.CostExplorerResponse.get_cost_and_usage = get_cost_and_usage
    cr.CostExplorerResponse.get_dimension_values = _ce_json(ce_dimension_values)


def apply():
    _patch_cloudwatch()
    _patch_logs()
    _patch_xray()
    _patch_ce()
