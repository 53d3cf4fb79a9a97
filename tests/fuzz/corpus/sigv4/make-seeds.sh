#!/bin/sh
# Writes the seed requests of fuzz_sigv4: an option byte, then
# "METHOD TARGET [HOST]", header lines, a blank line and the body.
cd "$(dirname "$0")" || exit 1
# option byte 0x00: bedrock, defaults; 0x21: +session token, presign
printf '\000POST /model/anthropic.claude-3-haiku-20240307-v1%%3A0/converse bedrock-runtime.us-east-1.amazonaws.com\nContent-Type: application/json\nX-Amz-Target: x\n\n{"messages":[]}' >seed-converse
printf '\041GET /?max-keys=2&list-type=2&prefix=a%%2Fb&continuation-token=x+y bucket.s3.us-east-1.amazonaws.com\n\n' >seed-s3-list
printf '\002POST / monitoring.us-east-1.amazonaws.com:8443\nX-Amz-Target: GraniteServiceVersion20100801.GetMetricData\nContent-Type: application/x-amz-json-1.0\nx-amzn-query-mode: true\nUser-Agent: bq\nMy-Header:  a   b  \nmy-header: c\n\n{}' >seed-headers
printf '\034GET /./a/../b//c/%%7e?b=2&a=&a=1&c&%%41=%%zz example.amazonaws.com\nX-Amz-Content-SHA256: UNSIGNED-PAYLOAD\n\n' >seed-normalize
printf '\101PUT /key%%20with%%20space.txt b.s3.amazonaws.com\nContent-Length: 3\nExpect: 100-continue\n\nabc' >seed-s3-put
