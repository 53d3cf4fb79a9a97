#!/bin/sh
# Writes the seed inputs of fuzz_ndjson: a mode byte (bit 0: --strict),
# then NDJSON lines, good and bad.
cd "$(dirname "$0")" || exit 1
printf '\000{"kind":"invocation","input_tokens":12,"cost":0.1}\n{"a":[1,2.5,-0.0,1e300,"x\\u00e9"]}\n' >seed-good
printf '\000{"a":1}\r\n\r\n   \n[1]\n"s"\nnot json\n{"b":2}\n{"c":\n{"d":"\377"}\n{"e":9223372036854775808}\n{"f":"\\u0000"}\n{"g":1}' >seed-mixed
printf '\001{"a":1}\n{bad\n{"b":2}\n' >seed-strict
printf '\000\357\273\277{"bom":true}\n\t\n{"x":{"y":{"z":[[[]]]}}}' >seed-bom
