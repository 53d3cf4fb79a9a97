#!/usr/bin/env bash
# The credential provider chain: environment, static profiles, role chains
# and web identity (STS), credential_process, container, IMDSv2, IAM
# Identity Center; expiry and refresh; "no credentials" says what was
# tried.  STS, SSO and the metadata services are scripted stub servers
# (tests/client/stub_server.py) that log every request, so the tests see
# exactly which keys signed what; signed calls then go to the peers.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "client credentials: moto is not installed"
	exit 0
fi
peer_start || { not_ok "peers start"; exit 1; }
PEER_AK=$AWS_ACCESS_KEY_ID PEER_SK=$AWS_SECRET_ACCESS_KEY
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
mkdir -p "$HOME/.aws"
export AWS_CONFIG_FILE=$HOME/.aws/config AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
# the n-th JSON line of a stub log, one field
logf() { sed -n "${2}p" "$T/$1.log" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$3"; }

# ---- nothing at all ----
run bq_call sts GetCallerIdentity
check_rc 3 "no credentials: status 3"
check_grep "no credentials found \(tried: environment, web identity, profile 'default' \(not in .*\), container credentials, instance metadata \(AWS_EC2_METADATA_DISABLED\)\)" \
	"$T/err" "the message lists every provider tried"

# ---- environment ----
AWS_ACCESS_KEY_ID=$PEER_AK AWS_SECRET_ACCESS_KEY=$PEER_SK run bq_call whoami
check_grep '"source":"environment"' "$T/out" "environment keys"
AWS_ACCESS_KEY_ID=$PEER_AK run bq_call sts GetCallerIdentity
check_rc 3 "half an environment pair is not credentials"
check_grep 'environment \(AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY\)' "$T/err" "... and says so"

# ---- static profiles ----
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = $PEER_AK
aws_secret_access_key = $PEER_SK
[half]
aws_access_key_id = $PEER_AK
EOF
cat >"$AWS_CONFIG_FILE" <<EOF
[profile cfgkeys]
aws_access_key_id = $PEER_AK
aws_secret_access_key = $PEER_SK
[profile half]
region = us-east-1
EOF
run bq_call sts GetCallerIdentity
check_rc 0 "[default] in the credentials file"
check_grep 'user/peer' "$T/out" "... signs as the peer user"
run bq_call --profile cfgkeys whoami
check_grep '"source":"profile"' "$T/out" "keys in the config file's [profile x]"
run bq_call --profile half sts GetCallerIdentity
check_rc 3 "half a key pair in a profile: status 3"
check_grep "profile 'half'.*no aws_secret_access_key" "$T/err" "... naming the profile"
AWS_PROFILE=cfgkeys run bq_call sts GetCallerIdentity
check_rc 0 "AWS_PROFILE selects the profile"

# ---- role chains and web identity against a scripted STS ----
sts_creds() { # NAME -> AssumeRole-style credentials XML
	echo "<Credentials><AccessKeyId>ASIA$1</AccessKeyId><SecretAccessKey>$1-secret-key</SecretAccessKey><SessionToken>$1-session-token</SessionToken><Expiration>{now+3600}</Expiration></Credentials>"
}
python3 - "$T/sts.json" "$(sts_creds R1)" "$(sts_creds R2)" "$(sts_creds WEB)" <<'EOF'
import json, sys
out, r1, r2, web = sys.argv[1:]
def ar(body, action="AssumeRole"):
    return [{"status": 200, "headers": {"Content-Type": "text/xml"},
             "body": "<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%sResponse>" % (action, action, body, action, action)}]
routes = [
  {"method": "POST", "path": "/", "body_contains": "role%2Fr1&", "responses": ar(r1)},
  {"method": "POST", "path": "/", "body_contains": "role%2Fr2&", "responses": ar(r2)},
  {"method": "POST", "path": "/", "body_contains": "Action=AssumeRoleWithWebIdentity", "responses": ar(web, "AssumeRoleWithWebIdentity")},
  {"method": "POST", "path": "/", "body_contains": "Action=GetCallerIdentity",
   "responses": ar("<Arn>arn:aws:sts::123456789012:assumed-role/x/y</Arn><UserId>U</UserId><Account>123456789012</Account>", "GetCallerIdentity")},
]
json.dump({"routes": routes}, open(out, "w"))
EOF
stub_start STS "$T/sts.json" || not_ok "stub STS starts"
cat >>"$AWS_CONFIG_FILE" <<EOF
[profile r1]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = default
[profile r2]
role_arn = arn:aws:iam::123456789012:role/r2
source_profile = r1
role_session_name = bq-chain
external_id = ext-42
[profile loop1]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = loop2
[profile loop2]
role_arn = arn:aws:iam::123456789012:role/r2
source_profile = loop1
[profile envsrc]
role_arn = arn:aws:iam::123456789012:role/r1
credential_source = Environment
[profile imdssrc]
role_arn = arn:aws:iam::123456789012:role/r1
credential_source = Ec2InstanceMetadata
[profile norole]
role_arn = arn:aws:iam::123456789012:role/r1
EOF
AWS_ENDPOINT_URL_STS=$STS run bq_call --profile r2 sts GetCallerIdentity
check_rc 0 "a chain of two roles"
check_eq "$(wc -l <"$T/STS.log")" 3 "AssumeRole r1, AssumeRole r2, then the call"
check_grep 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr1' \
	"$T/STS.log" "r1 assumed first"
check_grep "Credential=$PEER_AK/" <(logf STS 1 '["headers"]["authorization"]') \
	"r1 is assumed with the source profile's static keys"
check_eq "$(logf STS 1 '["headers"].get("x-amz-security-token","none")')" none \
	"... without a session token"
check_grep 'Credential=ASIAR1/' <(logf STS 2 '["headers"]["authorization"]') \
	"r2 is assumed with r1's temporary keys"
check_eq "$(logf STS 2 '["headers"]["x-amz-security-token"]')" R1-session-token \
	"... and r1's session token"
check_grep 'RoleSessionName=bq-chain&ExternalId=ext-42' <(logf STS 2 '["body"]') \
	"role_session_name and external_id are sent"
check_grep 'Credential=ASIAR2/' <(logf STS 3 '["headers"]["authorization"]') \
	"the call is signed with r2's keys"
AWS_ENDPOINT_URL_STS=$STS run bq_call --profile loop1 sts GetCallerIdentity
check_rc 3 "a source_profile loop is refused"
check_grep 'loop' "$T/err" "... and named"
AWS_ENDPOINT_URL_STS=$STS run bq_call --profile norole sts GetCallerIdentity
check_rc 3 "role_arn without a source: status 3"
: >"$T/STS.log"
AWS_ACCESS_KEY_ID=$PEER_AK AWS_SECRET_ACCESS_KEY=$PEER_SK AWS_ENDPOINT_URL_STS=$STS \
	run bq_call --profile envsrc whoami
check_grep '"source":"environment"' "$T/out" "environment keys come before a profile's role"
: >"$T/STS.log"
echo "header.payload.signature" >"$T/token"
(unset AWS_SHARED_CREDENTIALS_FILE; export AWS_SHARED_CREDENTIALS_FILE=/dev/null
 AWS_WEB_IDENTITY_TOKEN_FILE=$T/token AWS_ROLE_ARN=arn:aws:iam::123456789012:role/web \
	AWS_ROLE_SESSION_NAME=ci-run AWS_ENDPOINT_URL_STS=$STS run bq_call sts GetCallerIdentity
 check_rc 0 "web identity from the environment")
check_eq "$(logf STS 1 '["headers"].get("authorization","unsigned")')" unsigned \
	"AssumeRoleWithWebIdentity is sent unsigned"
check_grep 'RoleSessionName=ci-run&WebIdentityToken=header.payload.signature' <(logf STS 1 '["body"]') \
	"the token file's content and AWS_ROLE_SESSION_NAME are sent"
check_grep 'Credential=ASIAWEB/' <(logf STS 2 '["headers"]["authorization"]') \
	"the call is signed with the web identity keys"
AWS_WEB_IDENTITY_TOKEN_FILE=$T/token run bq_call sts GetCallerIdentity
check_rc 0 "a token file without AWS_ROLE_ARN is skipped (profile keys used)"

# ---- role chain and web identity against moto's STS ----
# The peers take moto-issued temporary keys (with their session tokens) as
# AWS does, and AssumeRoleWithWebIdentity unsigned.
python3 - >"$T/roles" 2>&1 <<'EOF'
import boto3, json, os
kw = dict(endpoint_url=os.environ["BQ_MOTO_URL"], region_name="us-east-1",
          aws_access_key_id="AKIAPEERTEST00000001", aws_secret_access_key="peer-secret-key")
iam = boto3.client("iam", **kw)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"],
         "Principal": {"AWS": ["arn:aws:iam::123456789012:user/peer", "arn:aws:iam::123456789012:role/m1"],
                       "Federated": "accounts.example.com"}}]}
allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
for r in ("m1", "m2", "mweb"):
    iam.create_role(RoleName=r, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=r, PolicyName="all", PolicyDocument=json.dumps(allow))
print("roles-ok")
EOF
check_grep roles-ok "$T/roles" "roles m1, m2, mweb created in moto"
cat >>"$AWS_CONFIG_FILE" <<EOF
[profile m1]
role_arn = arn:aws:iam::123456789012:role/m1
source_profile = default
[profile m2]
role_arn = arn:aws:iam::123456789012:role/m2
source_profile = m1
EOF
for via in moto front; do
	url=$BQ_MOTO_URL
	[ "$via" = front ] && url=$BQ_PEER_URL
	run bq_call --endpoint-url "$url" --profile m2 sts GetCallerIdentity
	check_rc 0 "role chain against moto's STS ($via)"
	check_grep 'assumed-role/m2/' "$T/out" "... the caller is the second role ($via)"
	run bq_call --endpoint-url "$url" --profile m2 logs DescribeLogGroups
	check_rc 0 "... and another service takes the chain's keys ($via)"
done
check_eq "$(jq -r 'select(.operation == "AssumeRole") | .access_key' "$BQ_PEER_DIR/requests.ndjson" | tail -2 | cut -c1-4 | tr '\n' ' ')" \
	"AKIA ASIA " "the front saw m1 assumed with the static key, m2 with m1's temporary key"
python3 - >"$T/wrongtok" 2>&1 <<'EOF'
import boto3, os
kw = dict(endpoint_url=os.environ["BQ_PEER_URL"], region_name="us-east-1")
c = boto3.client("sts", aws_access_key_id="AKIAPEERTEST00000001",
                 aws_secret_access_key="peer-secret-key", **kw).assume_role(
    RoleArn="arn:aws:iam::123456789012:role/m1", RoleSessionName="tok")["Credentials"]
try:
    boto3.client("sts", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                 aws_session_token="not-the-token", **kw).get_caller_identity()
    print("accepted")
except Exception as e:
    print("refused", getattr(e, "response", {}).get("Error", {}).get("Code"))
EOF
check_eq "$(tail -1 "$T/wrongtok")" "refused InvalidClientTokenId" \
	"a temporary key with the wrong session token is refused"
echo "header.payload.signature" >"$T/token"
for via in moto front; do
	url=$BQ_MOTO_URL
	[ "$via" = front ] && url=$BQ_PEER_URL
	(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	 AWS_WEB_IDENTITY_TOKEN_FILE=$T/token AWS_ROLE_ARN=arn:aws:iam::123456789012:role/mweb \
		AWS_ROLE_SESSION_NAME=ci-moto run bq_call --endpoint-url "$url" sts GetCallerIdentity
	 check_rc 0 "web identity against moto's STS ($via)"
	 check_grep 'assumed-role/mweb/ci-moto' "$T/out" "... the caller is the web identity role ($via)")
done
check_eq "$(jq -r 'select(.operation == "AssumeRoleWithWebIdentity") | "\(.sig) \(.access_key) \(.status)"' \
	"$BQ_PEER_DIR/requests.ndjson" | tail -1)" "none null 200" "the front took AssumeRoleWithWebIdentity unsigned"

# ---- credential_process ----
mkdir -p "$T/my tools"
cat >"$T/my tools/creds.sh" <<EOF
#!/bin/sh
# counts its runs, echoes its arguments' count, reads nothing from stdin
n=\$(( \$(cat "$T/runs" 2>/dev/null || echo 0) + 1 )); echo \$n >"$T/runs"
printf '%s\n' "\$@" >"$T/args"
case "\$1" in
fail) echo "first line" >&2; echo "token expired, run login" >&2; exit 7 ;;
badversion) echo '{"Version":2,"AccessKeyId":"$PEER_AK","SecretAccessKey":"$PEER_SK"}'; exit 0 ;;
notjson) echo 'hello'; exit 0 ;;
expiring) exp=\$(date -u -d "@\$(( \$(date +%s) + 900 ))" +%Y-%m-%dT%H:%M:%SZ)
   echo "{\"Version\":1,\"AccessKeyId\":\"$PEER_AK\",\"SecretAccessKey\":\"$PEER_SK\",\"Expiration\":\"\$exp\"}"; exit 0 ;;
rotating) exp=\$(date -u -d "@\$(( \$(date +%s) + 3600 ))" +%Y-%m-%dT%H:%M:%SZ)
   echo "{\"Version\":1,\"AccessKeyId\":\"AKIAROTATE00000000\$n\",\"SecretAccessKey\":\"rotating-secret-\$n\",\"Expiration\":\"\$exp\"}"; exit 0 ;;
esac
echo '{"Version":1,"AccessKeyId":"$PEER_AK","SecretAccessKey":"$PEER_SK"}'
EOF
chmod +x "$T/my tools/creds.sh"
proc_profile() { # NAME ARGS
	printf '[profile %s]\ncredential_process = "%s" %s\n' "$1" "$T/my tools/creds.sh" "$2" >>"$AWS_CONFIG_FILE"
}
proc_profile proc "ok 'two words' \"a \\\"q\\\"\""
proc_profile procfail fail
proc_profile procver badversion
proc_profile procjson notjson
proc_profile procexp expiring
proc_profile procrot rotating
echo "stdin must survive" | run bq_call --profile proc sts GetCallerIdentity
check_rc 0 "credential_process (path with a space, quoted arguments)"
check_eq "$(tr '\n' '|' <"$T/args")" 'ok|two words|a "q"|' "arguments split like shlex, no shell"
run bq_call --profile proc whoami
check_grep '"source":"process"' "$T/out" "source is process"
run bq_call --profile procfail sts GetCallerIdentity
check_rc 3 "a failing credential_process: status 3"
check_grep 'failed with status 7: token expired, run login' "$T/err" "its exit status and last stderr line are reported"
run bq_call --profile procver sts GetCallerIdentity
check_rc 3 "Version other than 1 is refused"
check_grep 'Version must be 1' "$T/err" "... with the reason"
run bq_call --profile procjson sts GetCallerIdentity
check_rc 3 "non-JSON output is refused"
check_nogrep "$PEER_SK" "$T/err" "the secret never reaches stderr"

# ---- expiry and refresh (fake clock: 0 s, +400 s, +800 s) ----
rm -f "$T/runs"
run bq_call --profile procexp --fake-clock 0.5 --repeat 3 --advance 400 sts GetCallerIdentity
check_rc 0 "three calls over 800 s with 15-minute credentials"
check_eq "$(cat "$T/runs")" 2 "refreshed once, 5 minutes before expiry (not at +400 s, at +800 s)"
rm -f "$T/runs"
run bq_call --profile procexp --repeat 2 sts GetCallerIdentity
check_eq "$(cat "$T/runs")" 1 "fresh credentials are cached across calls"
rm -f "$T/runs"
run bq_call --profile procexp --refresh --repeat 2 sts GetCallerIdentity
check_eq "$(cat "$T/runs")" 2 "a forced refresh resolves again"

# ---- an expired-token answer refreshes once and retries ----
cat >"$T/expired.json" <<'EOF'
{"routes":[{"method":"POST","path":"/","responses":[
 {"status":400,"headers":{"Content-Type":"application/x-amz-json-1.1","x-amzn-RequestId":"e1"},
  "body":{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}},
 {"status":200,"headers":{"Content-Type":"application/x-amz-json-1.1"},"body":{"logGroups":[]}}]}]}
EOF
stub_start LOGS "$T/expired.json"
rm -f "$T/runs"
AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=$LOGS run bq_call --profile procrot logs DescribeLogGroups
check_rc 0 "ExpiredTokenException: refresh and retry"
check_eq "$(cat "$T/runs")" 2 "credentials resolved twice"
check_grep 'Credential=AKIAROTATE000000001/' <(logf LOGS 1 '["headers"]["authorization"]') "first try with the old keys"
check_grep 'Credential=AKIAROTATE000000002/' <(logf LOGS 2 '["headers"]["authorization"]') "retry with the new keys"

# ---- container credentials ----
cat >"$T/container.json" <<EOF
{"routes":[{"method":"GET","path":"/creds","require":{"Authorization":"container-token-1"},
 "responses":[{"status":200,"body":{"AccessKeyId":"$PEER_AK","SecretAccessKey":"$PEER_SK","Expiration":"{now+3600}"}}]}]}
EOF
stub_start CONT "$T/container.json"
printf 'container-token-1\n' >"$T/ctoken"
(export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
 AWS_CONTAINER_CREDENTIALS_FULL_URI=$CONT/creds AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/ctoken \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong run bq_call sts GetCallerIdentity
 check_rc 0 "container credentials (full URI, token file wins over the variable)"
 AWS_CONTAINER_CREDENTIALS_FULL_URI=$CONT/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong \
	run bq_call sts GetCallerIdentity
 check_rc 3 "a refused authorization token: status 3"
 check_grep 'HTTP 401' "$T/err" "... with the endpoint's answer"
 AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds run bq_call sts GetCallerIdentity
 check_rc 3 "a plain-http full URI to a non-local host is refused"
 AWS_CONTAINER_CREDENTIALS_FULL_URI=$CONT/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=container-token-1 \
	run bq_call whoami
 check_grep '"source":"container"' "$T/out" "source is container")
check_eq "$(logf CONT 1 '["headers"]["authorization"]')" container-token-1 "the token is sent as Authorization"

# ---- EC2 instance metadata ----
cat >"$T/imds.json" <<EOF
{"routes":[
 {"method":"PUT","path":"/latest/api/token","require":{"X-aws-ec2-metadata-token-ttl-seconds":"21600"},
  "responses":[{"status":200,"body":"imds-token-xyz"}]},
 {"method":"GET","path":"/latest/meta-data/iam/security-credentials/","require":{"X-aws-ec2-metadata-token":"imds-token-xyz"},
  "responses":[{"status":200,"body":"my-role\n"}]},
 {"method":"GET","path":"/latest/meta-data/iam/security-credentials/my-role","require":{"X-aws-ec2-metadata-token":"imds-token-xyz"},
  "responses":[{"status":200,"body":{"Code":"Success","AccessKeyId":"$PEER_AK","SecretAccessKey":"$PEER_SK","Expiration":"{now+21600}"}}]}]}
EOF
stub_start IMDS "$T/imds.json"
cat >"$T/imds1.json" <<EOF
{"routes":[
 {"method":"PUT","path":"/latest/api/token","responses":[{"status":403,"body":"forbidden"}]},
 {"method":"GET","path":"/latest/meta-data/iam/security-credentials/","responses":[{"status":200,"body":"v1-role"}]},
 {"method":"GET","path":"/latest/meta-data/iam/security-credentials/v1-role",
  "responses":[{"status":200,"body":{"Code":"Success","AccessKeyId":"$PEER_AK","SecretAccessKey":"$PEER_SK"}}]}]}
EOF
stub_start IMDS1 "$T/imds1.json"
(export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
 unset AWS_EC2_METADATA_DISABLED
 AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS run bq_call sts GetCallerIdentity
 check_rc 0 "IMDSv2 credentials"
 AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS run bq_call whoami
 check_grep '"source":"imds"' "$T/out" "source is imds"
 AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS1 run bq_call sts GetCallerIdentity
 check_rc 0 "IMDSv1 fallback after a refused token request"
 AWS_EC2_METADATA_V1_DISABLED=true AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS1 run bq_call sts GetCallerIdentity
 check_rc 3 "no v1 fallback with AWS_EC2_METADATA_V1_DISABLED"
 : >"$T/STS.log"
 AWS_CONFIG_FILE=$HOME/.aws/config AWS_EC2_METADATA_SERVICE_ENDPOINT=$IMDS AWS_ENDPOINT_URL_STS=$STS \
	run bq_call --profile imdssrc whoami
 check_grep '"source":"assume-role"' "$T/out" "credential_source = Ec2InstanceMetadata assumes the role"
 check_grep "Credential=$PEER_AK/" <(logf STS 1 '["headers"]["authorization"]') \
	"... signing AssumeRole with the instance's keys"
 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1 run bq_call sts GetCallerIdentity
 check_rc 3 "no metadata service: status 3"
 check_grep 'instance metadata \(no answer from http://127.0.0.1:1\)' "$T/err" "... listed as tried")
check_eq "$(logf IMDS 1 '["method"]') $(logf IMDS 1 '["path"]')" "PUT /latest/api/token" "the token is asked for first"
check_eq "$(logf IMDS 3 '["headers"]["x-aws-ec2-metadata-token"]')" imds-token-xyz "credentials fetched with the token"
check_eq "$(logf IMDS1 2 '["headers"].get("x-aws-ec2-metadata-token","none")')" none "v1 requests carry no token"

# ---- IAM Identity Center ----
python3 - "$T/sso.json" "$PEER_AK" "$PEER_SK" <<'EOF'
import json, sys
out, ak, sk = sys.argv[1:]
# a string body: the stub expands {now_ms+N} after serialising
body = '{"roleCredentials":{"accessKeyId":"%s","secretAccessKey":"%s","expiration":{now_ms+3600}}}' % (ak, sk)
json.dump({"routes": [{"method": "GET", "path": "/federation/credentials",
                       "require": {"x-amz-sso_bearer_token": "sso-access-token"},
                       "responses": [{"status": 200, "headers": {"Content-Type": "application/json"},
                                      "body": body}]}]}, open(out, "w"))
EOF
stub_start SSO "$T/sso.json"
mkdir -p "$HOME/.aws/sso/cache"
key=$(printf '%s' corp | sha1sum | cut -d' ' -f1)
exp=$(date -u -d "@$(( $(date +%s) + 3600 ))" +%Y-%m-%dT%H:%M:%SZ)
printf '{"accessToken":"sso-access-token","expiresAt":"%s","region":"us-east-1","startUrl":"https://corp.awsapps.com/start"}' \
	"$exp" >"$HOME/.aws/sso/cache/$key.json"
cat >>"$AWS_CONFIG_FILE" <<EOF
[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Observer
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile ssoold]
sso_session = old
sso_account_id = 123456789012
sso_role_name = Observer
[sso-session old]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
EOF
old=$(printf '%s' old | sha1sum | cut -d' ' -f1)
printf '{"accessToken":"sso-access-token","expiresAt":"2020-01-01T00:00:00Z"}' >"$HOME/.aws/sso/cache/$old.json"
AWS_ENDPOINT_URL_SSO=$SSO run bq_call --profile sso sts GetCallerIdentity
check_rc 0 "IAM Identity Center credentials from the SSO token cache"
check_eq "$(logf SSO 1 '["query"]')" "role_name=Observer&account_id=123456789012" "GetRoleCredentials asks for the profile's role"
check_eq "$(logf SSO 1 '["headers"].get("authorization","unsigned")')" unsigned "GetRoleCredentials is unsigned (bearer token)"
AWS_ENDPOINT_URL_SSO=$SSO run bq_call --profile sso whoami
check_grep '"source":"sso"' "$T/out" "source is sso"
AWS_ENDPOINT_URL_SSO=$SSO run bq_call --profile ssoold sts GetCallerIdentity
check_rc 3 "an expired SSO session: status 3"
check_grep "aws sso login" "$T/err" "... telling the user to log in"

# ---- secrets stay out of --debug ----
run bq_call --debug --profile procrot sts GetCallerIdentity
check_nogrep 'rotating-secret-' "$T/err" "process secrets are redacted in --debug"
AWS_ENDPOINT_URL_STS=$STS run bq_call --debug --profile r1 sts GetCallerIdentity
check_nogrep 'R1-session-token|R1-secret-key' "$T/err" "assumed-role secrets are redacted in --debug"
check_grep 'x-amz-security-token:\[redacted\]' "$T/err" "the session token header is redacted"
