#!/usr/bin/env python3
"""Expected bq-judge results, computed independently of the C code.

  judge_expect.py scores LO HI [--worse] < plain.ndjson
      one line per input record: "<id> <raw> <score>" where raw is the
      peer judge's level (tests/peer/front.py: lo + h % (hi - lo + 1),
      h = first 8 hex digits of sha256 of the user message) and score the
      level normalised to 0..1 (flipped with --worse)
  judge_expect.py got < judgments.ndjson
      the same "<id> <raw> <score>" lines from bq-judge's output, for diffing
  judge_expect.py sample RATE < plain.ndjson
      the ids bq-judge --sample RATE keeps (bq-judge(1), SAMPLING)

The user message is bq-judge's documented template (bq-judge(1), THE JUDGE
CALL): optional <system_prompt>, <prompt>, <response>, optional <reference>
sections, each "<tag>\\n{text}\\n</tag>", joined with "\\n".
"""
import hashlib
import json
import sys

M64 = (1 << 64) - 1


def user_text(rec):
    parts = []
    if rec.get("system"):
        parts.append("<system_prompt>\n%s\n</system_prompt>" % rec["system"])
    parts.append("<prompt>\n%s\n</prompt>" % rec["prompt"])
    parts.append("<response>\n%s\n</response>" % rec.get("response", rec.get("answer")))
    if rec.get("reference"):
        parts.append("<reference>\n%s\n</reference>" % rec["reference"])
    return "\n".join(parts)


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & M64
    return h


def splitmix64(z):
    z = (z + 0x9e3779b97f4a7c15) & M64
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)


def sampled(key, rate):
    if rate >= 1:
        return True
    return (splitmix64(fnv1a64(key)) >> 11) < rate * 2.0 ** 53


def main():
    recs = [json.loads(l) for l in sys.stdin if l.strip()]
    if sys.argv[1] == "scores":
        lo, hi = int(sys.argv[2]), int(sys.argv[3])
        worse = "--worse" in sys.argv
        for r in recs:
            h = int(hashlib.sha256(user_text(r).encode("utf-8")).hexdigest()[:8], 16)
            raw = lo + h % (hi - lo + 1)
            score = (hi - raw) / (hi - lo) if worse else (raw - lo) / (hi - lo)
            print("%s %d %s" % (r["id"], raw, repr(round(score, 12))))
    elif sys.argv[1] == "got":
        for r in recs:
            print("%s %d %s" % (r.get("id", r.get("request_id")), r["raw_score"],
                                repr(round(float(r["score"]), 12))))
    elif sys.argv[1] == "sample":
        rate = float(sys.argv[2])
        for r in recs:
            key = r.get("request_id") or str(r.get("id"))
            if sampled(key, rate):
                print(key)
    else:
        sys.exit("unknown mode")


if __name__ == "__main__":
    main()
