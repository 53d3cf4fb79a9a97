#!/usr/bin/env python3
"""The front peer (tests/peer/front.py) with some CloudTrailEvent strings
broken, for tests/cli/test_trail_bad.sh (not a test itself).

  BQ_TRAIL_BAD_IDS=id1,id2 trail_front_bad.py FRONT-ARGS...

Everything is the real front peer (SigV4 verified, LookupEvents paging and
rate limit); only the events whose eventID is listed get their
CloudTrailEvent cut in half, so it is no longer valid JSON.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peer"))
import front  # noqa: E402

BAD = set(filter(None, os.environ.get("BQ_TRAIL_BAD_IDS", "").split(",")))
_orig = front.trail_event


def trail_event(rec):
    ev = _orig(rec)
    if rec.get("eventID") in BAD:
        s = ev["CloudTrailEvent"]
        ev["CloudTrailEvent"] = s[:len(s) // 2]
    return ev


front.trail_event = trail_event

if __name__ == "__main__":
    front.main(sys.argv[1:])
