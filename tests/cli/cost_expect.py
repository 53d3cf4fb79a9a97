#!/usr/bin/env python3
"""Independent expectations for bq-cost tests.

  cost_expect.py report COSTS.json SERVICES GRAN BY[,BY] START END < bq-cost.out
      Sums the world's Cost Explorer rows (tests/data/gen_world.py
      costs.json) for the given services ("|"-separated) per period
      (daily/hourly) and group, and compares them with bq-cost report's
      records on stdin: the same (start, group) set, each amount within
      1e-9 of the expectation.  Prints "ok N" or the differences.
  cost_expect.py estimate PRICES.tsv BY [MANIFEST] < invocations.ndjson
      Prices raw invocation log records with the price table the way
      bq-cost(1) documents it and prints one JSON line per group, sorted by
      group: {"group":{},"requests","input_tokens",...,"usd","unpriced"}.
      With the world's MANIFEST, application inference profiles are priced
      as their base model (what bq-logs finds with GetInferenceProfile).
"""
import calendar
import datetime
import json
import sys
from decimal import Decimal

GEO = {"us", "us-gov", "eu", "apac", "jp", "au", "ca"}


def epoch(s):
    s = s.replace("Z", "")
    fmt = "%Y-%m-%dT%H:%M:%S" if "T" in s else "%Y-%m-%d"
    return calendar.timegm(datetime.datetime.strptime(s, fmt).timetuple())


def model_of(usage_type):
    rest = usage_type.split("-", 1)[1]
    cut = len(rest)
    for m in ("-cache-read-", "-cache-write-", "-mantle-input-", "-mantle-output-",
              "-batch-input-", "-batch-output-", "-input-token", "-output-token"):
        i = rest.find(m)
        if i > 0:
            cut = min(cut, i)
    return rest[:cut]


def group_value(row, by):
    if by.startswith("tag:"):
        return row["tags"].get(by[4:], "")
    return {"usage-type": row["usage_type"], "model": model_of(row["usage_type"]),
            "account": row["linked_account"], "region": row["region"],
            "operation": row["operation"]}[by]


def report(argv):
    costs, services, gran, bys, start, end = argv
    services = set(services.split("|"))
    bys = [b for b in bys.split(",") if b]
    step = 3600 if gran == "hourly" else 86400
    s0, e0 = epoch(start), epoch(end)
    want = {}
    for row in json.load(open(costs))["rows"]:
        t = epoch(row["start"])
        if row["service"] not in services or t < s0 or t >= e0:
            continue
        b = s0 + (t - s0) // step * step
        g = tuple((("usage_type" if k == "usage-type" else k), group_value(row, k)) for k in bys)
        want[(b, g)] = want.get((b, g), 0.0) + row["unblended_cost"]
    got = {}
    for line in sys.stdin:
        r = json.loads(line)
        b = epoch(r["start"])
        g = tuple((k, r["group"][k]) for k in r["group"])
        if (b, g) in got:
            print("duplicate row %s %s" % (r["start"], g))
        got[(b, g)] = Decimal(r["amount"])
    bad = 0
    # Cost Explorer also reports periods with nothing for ungrouped queries.
    for k in set(want) | set(got):
        w, h = want.get(k), got.get(k)
        if w is None and not bys and h == 0:
            continue
        if w is None or h is None or abs(Decimal(repr(w)) - h) > Decimal("1e-9"):
            bad += 1
            print("mismatch %s: want %s got %s" % (k, w, h))
    if not bad:
        print("ok %d" % len(got))


def load_prices(path):
    prices, header = {}, False
    for line in open(path):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if not header:
            header = True
            continue
        f = line.split("\t", 7)
        prices[(f[0], f[1])] = [None if x == "-" else Decimal(x) for x in f[2:6]]
    return prices


def price_key(model_id):
    if model_id.startswith("arn:"):
        res = model_id.split(":", 5)[5]
        kind, _, ident = res.partition("/")
        if kind == "foundation-model":
            return ident, "in-region"
        if kind != "inference-profile":
            return None, None
        model_id = ident
    head, _, rest = model_id.partition(".")
    if "." in rest and head == "global":
        return rest, "global"
    if "." in rest and head in GEO:
        return rest, "geo"
    return model_id, "in-region"


def estimate(argv):
    prices = load_prices(argv[0])
    bys = [b for b in argv[1].split(",") if b]
    bases = {}
    if len(argv) > 2:
        for ap in json.load(open(argv[2])).get("application_profiles", []):
            bases[ap["arn"]] = ap["base_model_id"]
    groups = {}
    for line in sys.stdin:
        r = json.loads(line)
        inp, out = r.get("input") or {}, r.get("output") or {}
        tok = [inp.get("inputTokenCount", 0), out.get("outputTokenCount", 0),
               inp.get("cacheReadInputTokenCount", 0), inp.get("cacheWriteInputTokenCount", 0)]
        key, routing = price_key(r["modelId"])
        if key is None and r["modelId"] in bases:
            key, routing = price_key(bases[r["modelId"]])
            routing = "any" if routing == "in-region" else routing
        vals = []
        for b in bys:
            if b == "model":
                vals.append(("model", key if key else r["modelId"]))
            elif b == "identity":
                vals.append(("identity", r["identity"]["arn"]))
            elif b.startswith("request_metadata."):
                v = (r.get("requestMetadata") or {}).get(b.split(".", 1)[1])
                if v is not None:
                    vals.append((b, v))
        g = groups.setdefault(tuple(vals), {"requests": 0, "tok": [0, 0, 0, 0],
                                             "usd": Decimal(0), "unpriced": 0})
        g["requests"] += 1
        g["tok"] = [a + b for a, b in zip(g["tok"], tok)]
        p = prices.get((key, routing)) or prices.get((key, "any")) if key else None
        if p is None or any(t and p[i] is None for i, t in enumerate(tok)):
            g["unpriced"] += 1
            continue
        g["usd"] += sum((Decimal(t) * p[i] for i, t in enumerate(tok) if t), Decimal(0)) / Decimal(10**6)
    for k in sorted(groups):
        g = groups[k]
        print(json.dumps({"group": dict(k), "requests": g["requests"], "input_tokens": g["tok"][0],
                          "output_tokens": g["tok"][1], "cache_read_tokens": g["tok"][2],
                          "cache_write_tokens": g["tok"][3], "usd": str(g["usd"].normalize()),
                          "unpriced": g["unpriced"]}, sort_keys=True))


if __name__ == "__main__":
    {"report": report, "estimate": estimate}[sys.argv[1]](sys.argv[2:])
