#!/bin/sh
# Writes the seed files of fuzz_config: a config file, then optionally a
# "====" line and a credentials file.
cd "$(dirname "$0")" || exit 1
cat >seed-profiles <<'X'
[default]
region = us-east-1
output=json
[profile dev]
region: eu-west-1 ; not a comment
role_arn = arn:aws:iam::123456789012:role/dev  # a comment
source_profile = default
credential_process = /bin/echo  "hello world"
s3 =
  addressing_style = path
  endpoint_url = http://127.0.0.1:9000
services = x
====
[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
[dev]
aws_session_token = abc
  def
X
cat >seed-services <<'X'
# comment
[services x]
bedrock_runtime =
  endpoint_url = http://localhost:4566
s3 =
	endpoint_url = http://s3.local
[sso-session a]
sso_region = us-east-1
sso_start_url = https://example.awsapps.com/start
[profile a]
sso_session = a
[profile x y]
region = ap-south-1
[default]
region = us-west-2
[default]
region = eu-central-1
X
printf '[default\r\nregion\r\n  = x\r\n[profile]\r\n=\r\n' >seed-broken
