#!/usr/bin/env python3
"""A recording pass-through in front of the peers, for tests/cli/test_secrets.sh.

  authtap.py --upstream URL --port-file F --log F

Forwards every request unchanged (method, path, query, headers with Host
kept so signatures still verify, body) to the upstream peer and relays the
answer.  Logs one JSON line per request with what a secrets test must look
for in the tool's output:
  {"authorization": header or null, "token": x-amz-security-token or null,
   "query": the raw query (presigned URLs carry X-Amz-Signature there),
   "status": upstream status, "body": the answer body when it is short text}
The answer body is kept because it may carry secrets the tool must not
echo (STS credentials, S3's StringToSign / CanonicalRequest on a 403).
"""

import argparse
import http.client
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
HOP = {"connection", "keep-alive", "expect", "transfer-encoding", "te", "trailer",
       "upgrade", "proxy-authenticate", "proxy-authorization"}


class Tap(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this every reused
    # connection waits ~40 ms for a delayed ACK (Nagle).
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        body = self.read_body()
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=300)
        headers = {}
        for k, v in self.headers.items():
            if k.lower() in HOP or k.lower() == "content-length":
                continue
            headers[k] = v
        if body or self.command in ("POST", "PUT"):
            headers["Content-Length"] = str(len(body))
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        rbody = resp.read()
        conn.close()
        text = None
        if len(rbody) < 65536:
            text = rbody.decode("utf-8", "replace")
        entry = {"authorization": self.headers.get("Authorization"),
                 "token": self.headers.get("X-Amz-Security-Token"),
                 "query": urlsplit(self.path).query, "status": resp.status,
                 "body": text}
        with LOCK:
            with open(self.server.log, "a") as f:
                f.write(json.dumps(entry) + "\n")
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() in HOP or k.lower() == "content-length":
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(rbody)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(rbody)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Tap)
    srv.daemon_threads = True
    srv.upstream = urlsplit(a.upstream)
    srv.log = a.log
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
