#!/usr/bin/env python3
"""Reads a bq --debug log on stdin and checks that no request was signed
with credentials past their expiration.

  sigexp_check.py < ERR   prints "ok N M" (N signed requests, M credential
                          resolutions) or "bad <first offending pair>"

The client logs "* credentials from SOURCE, access key K, expiring T"
each time it resolves credentials, and the canonical request of every
signed request (its "x-amz-date:" line).  Each request is checked against
the credentials resolved last before it.  Used by test_faults_creds.sh.
"""
import re
import sys
import time
import calendar


def epoch(s, fmt):
    return calendar.timegm(time.strptime(s, fmt))


def main():
    exp = None
    nsig = nres = 0
    for line in sys.stdin:
        m = re.match(r"\* credentials from \S+, access key \S+, expiring (\S+)", line)
        if m:
            nres += 1
            exp = None if m.group(1) == "never" else epoch(m.group(1), "%Y-%m-%dT%H:%M:%SZ")
            continue
        m = re.match(r"x-amz-date:(\d{8}T\d{6}Z)$", line.strip())
        if m:
            nsig += 1
            t = epoch(m.group(1), "%Y%m%dT%H%M%SZ")
            if nres == 0:
                print("bad request signed at %s before any credentials were logged" % m.group(1))
                return 1
            if exp is not None and t >= exp:
                print("bad request signed at %s with credentials expiring %s" %
                      (m.group(1), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))))
                return 1
    print("ok %d %d" % (nsig, nres))
    return 0


if __name__ == "__main__":
    sys.exit(main())
