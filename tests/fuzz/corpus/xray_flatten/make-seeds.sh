#!/bin/sh
# Writes the seed documents for fuzz_xray_flatten into this directory.
cd "$(dirname "$0")" || exit 1
printf '%s' '{"name":"api","id":"70de5b6f19ff9a0a","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1478293361.271,"end_time":1478293361.449,"http":{"response":{"status":200}},"annotations":{"k":"v"},"subsegments":[{"name":"bedrock-runtime","id":"53995c3f42cd8ad8","namespace":"aws","start_time":1478293361.3,"end_time":1478293361.425,"fault":true,"http":{"request":{"url":"https://bedrock-runtime.us-east-1.amazonaws.com/model/a%3Ab/converse"},"response":{"status":503}},"aws":{"operation":"Converse","request_id":"r"},"subsegments":[{"name":"x","id":"1","start_time":1478293361.4,"in_progress":true}]}]}' > seed-segment.json
printf '%s' '{"type":"subsegment","name":"s","id":"a1","parent_id":"p0","trace_id":"1-0-0","start_time":10,"end_time":10.25,"metadata":{"default":{"gen_ai":{"request":{"model":"m"}}}}}' > seed-subsegment.json
printf '%s' '{"name":"s","id":"a1","start_time":1,"end_time":2,"subsegments":[{"name":"t","id":"a2","start_time":1,"end_time":2,"subsegments":[]}]}' > seed-nested.json
