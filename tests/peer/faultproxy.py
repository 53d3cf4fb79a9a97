#!/usr/bin/env python3
"""Fault-injecting reverse proxy in front of the front peer.

  faultproxy.py --rules FILE [--seed N] (--upstream URL | --upstream-port-file F)
                [--port N] [--port-file F] [--log FILE]

Requests are forwarded byte for byte (Host kept, so signatures still verify)
unless a rule fires.  Rules file: one rule per line, '#' starts a comment:

    OPERATION KIND [TRIGGER] [key=value ...]

OPERATION  an operation name as sent (X-Amz-Target's last part, the query
           Action, or the REST operation: Converse, GetObject, ListObjectsV2,
           GetTraceSummaries, ...), optionally "service:Operation" with the
           signing service (s3:GetObject, bedrock:Converse, monitoring:*),
           or * for every request.
KIND       throttle   the service's throttling error in its own shape
                      (JSON 1.1 400 ThrottlingException, CloudWatch 400
                      Throttling, Bedrock 429 ThrottlingException, X-Ray 429
                      ThrottledException, S3 503 SlowDown, query 400 Throttling)
           500        500 InternalFailure (S3 InternalError, Bedrock
                      InternalServerException)
           503        503 ServiceUnavailable (Bedrock ServiceUnavailableException)
           reset      the connection is reset (RST) without a response
           slow       the request is held delay=S seconds (default 5) and
                      then forwarded: longer than a client's read timeout
           truncate   the upstream response is sent with its full
                      Content-Length but only half the body, then the
                      connection is closed
           skew       403 "Signature expired" in the service's shape
                      (InvalidSignatureException; S3 RequestTimeTooSkewed;
                      query SignatureDoesNotMatch) with a Date header
                      offset=S seconds (default 3600) ahead of the real time
TRIGGER    prob=P     fires with probability P, drawn from a PRNG seeded with
                      "<seed>:<rule line number>" (so deterministic per seed)
           seq=1,0,1  the rule's Nth matching request fires when the Nth
                      entry is 1; past the end of the list it never fires
                      (add repeat to cycle through it again)
           (none)     fires on every matching request
Options    delay=S (slow), offset=S (skew), code=NAME and status=N override
           the error code / HTTP status of throttle, 500, 503.

Every rule counts every request that matches its OPERATION (whether or not an
earlier rule fired); the first rule that fires is applied.  Each request
gets one line in --log (default: none):
  {"n": request number from 1, "service", "operation", "fault": KIND or null,
   "rule": line number or null, "counts": {line: matches so far},
   "method", "path" (with the query, as sent), "body_sha" (first 16 hex
   digits of the body's sha256: tells apart calls to the same path)}
GET /fault-api/counters (unsigned) answers {"rules":[{"line","text","seen","fired"}]}.
"""

import argparse
import hashlib
import json
import os
import random
import socket
import struct
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsshapes  # noqa: E402
import peerutil  # noqa: E402

KINDS = {"throttle", "500", "503", "reset", "slow", "truncate", "skew"}


class Rule:
    def __init__(self, line_no, text, seed):
        self.line, self.text = line_no, text
        parts = text.split()
        if len(parts) < 2:
            raise ValueError("line %d: want OPERATION KIND" % line_no)
        self.op, self.kind = parts[0], parts[1]
        if self.kind not in KINDS:
            raise ValueError("line %d: unknown fault kind '%s'" % (line_no, self.kind))
        self.service = None
        if ":" in self.op:
            self.service, self.op = self.op.split(":", 1)
        self.prob = None
        self.seq = None
        self.repeat = False
        self.opts = {}
        for p in parts[2:]:
            if p == "repeat":
                self.repeat = True
            elif p.startswith("prob="):
                self.prob = float(p[5:])
            elif p.startswith("seq="):
                self.seq = [int(x) for x in p[4:].replace(",", " ").split()] if "," in p[4:] else [int(c) for c in p[4:]]
            elif "=" in p:
                k, v = p.split("=", 1)
                self.opts[k] = v
            else:
                raise ValueError("line %d: unknown word '%s'" % (line_no, p))
        self.rng = random.Random("%s:%d" % (seed, line_no))
        self.seen = 0
        self.fired = 0

    def matches(self, service, op):
        if self.service not in (None, "*") and self.service != service:
            return False
        return self.op == "*" or self.op == op

    def decide(self):
        """Called once per matching request; True when the fault fires."""
        i = self.seen
        self.seen += 1
        if self.seq is not None:
            if self.repeat and self.seq:
                i %= len(self.seq)
            fire = i < len(self.seq) and self.seq[i] == 1
        elif self.prob is not None:
            fire = self.rng.random() < self.prob
        else:
            fire = True
        if fire:
            self.fired += 1
        return fire


def load_rules(path, seed):
    rules = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                rules.append(Rule(n, line, seed))
    return rules


class State:
    pass


S = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this every reused
    # connection waits ~40 ms for a delayed ACK (Nagle).
    disable_nagle_algorithm = True
    server_version = "bq-peer-fault"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def send_raw(self, status, headers, body, date=None):
        self.send_response_only(status)
        self.send_header("Server", self.server_version)
        self.send_header("Date", date or formatdate(usegmt=True))
        length = str(len(body))
        for k, v in headers:
            if k.lower() == "content-length" and self.command == "HEAD":
                length = v  # HEAD: what a GET would send
                continue
            if k.lower() in ("content-length", "transfer-encoding", "connection", "date", "server", "keep-alive"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def upstream(self, headers, body, chunked):
        return peerutil.forward(self, "127.0.0.1", S.upstream_port(), headers, body, chunked, timeout=300)

    def do_any(self):
        try:
            self.handle_req()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def handle_req(self):
        body, chunked = peerutil.read_body(self)
        if self.path.startswith("/fault-api/counters"):
            with S.lock:
                doc = {"rules": [{"line": r.line, "text": r.text, "seen": r.seen, "fired": r.fired} for r in S.rules]}
            self.send_raw(200, [("Content-Type", "application/json")], json.dumps(doc).encode())
            return
        headers = list(self.headers.items())
        sp = urlsplit(self.path)
        service = awsshapes.scope_service(headers, sp.query)
        op = awsshapes.operation_of(self.command, sp.path, sp.query, headers, body, service)
        proto = awsshapes.protocol_of(service, headers)
        fired = None
        with S.lock:
            S.n += 1
            n = S.n
            counts = {}
            for r in S.rules:
                if r.matches(service, op):
                    f = r.decide()
                    counts[str(r.line)] = r.seen
                    if f and fired is None:
                        fired = r
            if S.log:
                S.log.write(json.dumps({"n": n, "service": service, "operation": op,
                                        "fault": fired.kind if fired else None,
                                        "rule": fired.line if fired else None, "counts": counts,
                                        "method": self.command, "path": self.path,
                                        "body_sha": hashlib.sha256(body or b"").hexdigest()[:16]},
                                       separators=(",", ":")) + "\n")
                S.log.flush()
        if fired is None:
            st, hs, b = self.upstream(headers, body, chunked)
            self.send_raw(st, hs, b)
            return
        k = fired.kind
        if k == "reset":
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            return
        if k == "slow":
            time.sleep(float(fired.opts.get("delay", 5)))
            st, hs, b = self.upstream(headers, body, chunked)
            self.send_raw(st, hs, b)
            return
        if k == "truncate":
            st, hs, b = self.upstream(headers, body, chunked)
            self.send_response_only(st)
            self.send_header("Date", formatdate(usegmt=True))
            for hk, hv in hs:
                if hk.lower() in ("content-length", "transfer-encoding", "connection", "date", "server", "keep-alive"):
                    continue
                self.send_header(hk, hv)
            self.send_header("Content-Length", str(max(len(b), 2)))
            self.end_headers()
            self.wfile.write(b[:len(b) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        date = None
        extra = None
        if k == "throttle":
            code = awsshapes.throttle_code(proto, service)
            status = awsshapes.throttle_status(proto, service)
            msg = "Rate exceeded" if service != "bedrock" else "Too many requests, please wait before trying again."
            if service == "s3":
                msg = "Please reduce your request rate."
        elif k == "500":
            code = {"s3": "InternalError", "bedrock": "InternalServerException"}.get(service, "InternalFailure")
            status, msg = 500, "We encountered an internal error. Please try again."
        elif k == "503":
            code = {"bedrock": "ServiceUnavailableException", "s3": "ServiceUnavailable"}.get(service, "ServiceUnavailable")
            status, msg = 503, "Service is unavailable. Please try again later."
        else:  # skew
            off = float(fired.opts.get("offset", 3600))
            now = time.time() + off
            date = formatdate(now, usegmt=True)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            amz = self.headers.get("X-Amz-Date") or ""
            status = 403
            if service == "s3":
                code, msg = "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
                extra = {"RequestTime": amz, "ServerTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                         "MaxAllowedSkewMilliseconds": "900000"}
            else:
                code = "SignatureDoesNotMatch" if proto == "query" else "InvalidSignatureException"
                msg = "Signature expired: %s is now earlier than %s (%s - 15 min.)" % (
                    amz, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - 900)), stamp)
        code = fired.opts.get("code", code)
        status = int(fired.opts.get("status", status))
        st, hs, b = awsshapes.error_response(proto, code, msg, status, extra)
        self.send_raw(st, hs, b, date=date)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", required=True)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--upstream")
    ap.add_argument("--upstream-port-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    args = ap.parse_args(argv)
    S.rules = load_rules(args.rules, args.seed)
    S.lock = threading.Lock()
    S.n = 0
    S.log = open(args.log, "a") if args.log else None
    S._port = urlsplit(args.upstream).port if args.upstream else None

    def upstream_port():
        if not S._port:
            S._port = peerutil.wait_port(args.upstream_port_file, "no upstream")
        return S._port
    S.upstream_port = upstream_port
    srv = Server(("127.0.0.1", args.port), Handler)
    peerutil.publish_port(srv.server_address[1], args.port_file)
    import signal
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    srv.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
