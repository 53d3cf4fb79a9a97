#!/usr/bin/env python3
"""Scripted HTTP server for the client tests (metadata services, SSO, odd
answers the peers do not give).

  stub_server.py --script FILE --port-file F [--log F]

The script is JSON: {"routes": [{"method": "GET", "path": "/x",
"prefix": false, "body_contains": "Action=AssumeRole",
"require": {"header-name": "value"},
"responses": [{"status": 200, "headers": {...}, "body": "..." or {...}}, ...]}]}.
A route's responses are served in turn; the last one repeats.  A JSON body
is sent as compact JSON; "gzip": true compresses it (Content-Encoding: gzip).  A request whose "require" headers do not match
gets 401; an unknown route 404.  A body may contain "{now+N}" (RFC 3339 UTC,
N seconds from now) or "{now_ms+N}" (epoch milliseconds).  Every request is
logged as one JSON line: {"method","path","query","headers","body"}.
"""

import argparse
import gzip
import json
import re
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()


def expand(text):
    def rfc(m):
        t = time.time() + int(m.group(1))
        return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ms(m):
        return str(int((time.time() + int(m.group(1))) * 1000))

    text = re.sub(r"\{now\+(-?\d+)\}", rfc, text)
    return re.sub(r"\{now_ms\+(-?\d+)\}", ms, text)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this every reused
    # connection waits ~40 ms for a delayed ACK (Nagle).
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urlsplit(self.path)
        entry = {"method": self.command, "path": u.path, "query": u.query,
                 "headers": {k.lower(): v for k, v in self.headers.items()},
                 "body": body.decode("utf-8", "replace")}
        with LOCK:
            if self.server.log:
                with open(self.server.log, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            route = None
            for r in self.server.routes:
                if r.get("method", self.command) != self.command:
                    continue
                p = r["path"]
                if r.get("body_contains") and r["body_contains"] not in entry["body"]:
                    continue
                if (r.get("prefix") and u.path.startswith(p)) or u.path == p:
                    route = r
                    break
            if route is None:
                return self.reply(404, {}, "no route")
            for k, v in route.get("require", {}).items():
                if self.headers.get(k) != v:
                    return self.reply(401, {}, "missing or wrong %s" % k)
            i = route.setdefault("_i", 0)
            resp = route["responses"][min(i, len(route["responses"]) - 1)]
            route["_i"] = i + 1
        b = resp.get("body", "")
        if not isinstance(b, str):
            b = json.dumps(b, separators=(",", ":"))
        self.reply(resp.get("status", 200), resp.get("headers", {}), expand(b),
                   resp.get("gzip", False))

    def reply(self, status, headers, body, gz=False):
        data = body.encode()
        if gz:
            data = gzip.compress(data)
            headers = dict(headers, **{"Content-Encoding": "gzip"})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    with open(a.script) as f:
        routes = json.load(f)["routes"]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.routes, srv.log = routes, a.log
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
