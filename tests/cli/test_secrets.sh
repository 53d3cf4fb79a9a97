#!/usr/bin/env bash
# No secret ever reaches stdout or stderr, even with --debug (which prints
# the HTTP exchanges, canonical requests and strings to sign).
#
# Every built tool runs against the peers with --debug and known secrets:
#   static   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (every run succeeds)
#   env      AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
#   process  a profile's credential_process (key, secret, session token)
#   sts      a profile with role_arn + source_profile: the tool calls STS
#            AssumeRole (a scripted stub) and gets a session token
#   wrong    a wrong secret key: the peers answer 403 (status 3)
#   sts403   STS hands out a key the peers do not know (its secret and token
#            are in the STS answer --debug dumps): 403 (status 3)
# A recording pass-through (tests/cli/authtap.py) in front of the peers
# keeps every Authorization header, security token and answer body the
# peers sent; the STS stub logs the same.  For every run, none of the
# secret keys, session tokens or request signatures (nor their first 16
# characters) may appear in the tool's stdout or stderr.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "secrets: moto is not installed"
	exit 0
fi
command -v jq >/dev/null || { skip "secrets: jq missing"; exit 0; }
peer_start --world --records 20 || { not_ok "peer_start"; exit 1; }
PEER_AK=$AWS_ACCESS_KEY_ID PEER_SK=$AWS_SECRET_ACCESS_KEY PEER_URL=$AWS_ENDPOINT_URL
W=$BQ_PEER_DIR/world/manifest.json
mj() { jq -r ".$1" "$W"; }
BUCKET=$(mj bucket) PREFIX=$(mj prefix) GROUP=$(mj log_group)

# Session-token-like secrets: long, base64 alphabet, deterministic.
mktoken() {
	local i
	for i in 1 2 3 4 5 6; do printf '%s-%s' "$1" "$i" | sha256sum | cut -c1-64; done |
		tr -d '\n' | xxd -r -p | base64 -w0
}
ENV_TOKEN=$(mktoken env)
CP_TOKEN=$(mktoken process)
STS_TOKEN=$(mktoken sts)
STS403_TOKEN=$(mktoken sts403)
STS403_SECRET="sts-issued-secret/$(mktoken sts403-secret | cut -c1-30)"
WRONG_SECRET="wrong-secret-$(mktoken wrong | cut -c1-24)"

# The recording pass-through in front of the peers.
TAP_LOG=$T/tap.log
: >"$TAP_LOG"
python3 "$TOP/tests/cli/authtap.py" --upstream "$PEER_URL" --port-file "$T/tap.port" \
	--log "$TAP_LOG" </dev/null >"$T/tap.out" 2>&1 &
tap_pid=$!
at_exit "kill $tap_pid 2>/dev/null; wait $tap_pid 2>/dev/null"
for ((i = 0; i < 400; i++)); do [ -s "$T/tap.port" ] && break; sleep 0.025; done
[ -s "$T/tap.port" ] || { not_ok "authtap starts"; cat "$T/tap.out"; exit 1; }
TAP_URL=http://127.0.0.1:$(cat "$T/tap.port")

# The STS stub: role "ok" gets the peers' key with a session token of its
# own; role "bad" gets a key the peers do not know; GetCallerIdentity (how
# bq-logs --s3 finds the account) names the world's account.  The stub
# checks no signature: what it logs is collected like the tap's.
sts_answer() { # KEY SECRET TOKEN
	printf '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>{now+3600}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>' "$1" "$2" "$3"
}
ACCOUNT=$(mj account)
WHOAMI="<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::$ACCOUNT:user/peer</Arn><UserId>AIDAPEER</UserId><Account>$ACCOUNT</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>sts-2</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
jq -n --arg ok "$(sts_answer "$PEER_AK" "$PEER_SK" "$STS_TOKEN")" \
	--arg bad "$(sts_answer ASIAUNKNOWN000000001 "$STS403_SECRET" "$STS403_TOKEN")" \
	--arg who "$WHOAMI" '
	{routes: [
	  {method: "POST", path: "/", body_contains: "Action=GetCallerIdentity",
	   responses: [{status: 200, headers: {"Content-Type": "text/xml"}, body: $who}]},
	  {method: "POST", path: "/", body_contains: "role%2Fbad",
	   responses: [{status: 200, headers: {"Content-Type": "text/xml"}, body: $bad}]},
	  {method: "POST", path: "/", body_contains: "Action=AssumeRole",
	   responses: [{status: 200, headers: {"Content-Type": "text/xml"}, body: $ok}]}]}' >"$T/sts.json"
stub_start STS "$T/sts.json" || { not_ok "STS stub starts"; exit 1; }

cat >"$T/cred-process" <<EOF
#!/bin/sh
printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}\n' \
	"$PEER_AK" "$PEER_SK" "$CP_TOKEN"
EOF
chmod +x "$T/cred-process"
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/config" <<EOF
[profile process]
credential_process = $T/cred-process
[profile base]
aws_access_key_id = $PEER_AK
aws_secret_access_key = $PEER_SK
[profile sts]
role_arn = arn:aws:iam::123456789012:role/ok
source_profile = base
[profile sts403]
role_arn = arn:aws:iam::123456789012:role/bad
source_profile = base
EOF
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE=$HOME/.aws/config AWS_ENDPOINT_URL=$TAP_URL AWS_ENDPOINT_URL_STS=$STS
export BQ_JUDGE_MODEL=amazon.nova-pro-v1:0 AWS_MAX_ATTEMPTS=1

printf '{"id":"s1","prompt":"what is 2+2","response":"4"}\n' >"$T/judge.in"
printf '{"id":"s1","v":1}\n' >"$T/put.in"

# "name|stdin file|args|who serves it (front or moto)": one signed call or
# more each.
RUNS=(
	"bq-metrics|/dev/null|list|moto"
	"bq-metrics|$T/put.in|put --namespace Test/Secrets --value v --name M|moto"
	"bq-logs|/dev/null|--log-group $GROUP --since 3h|moto"
	"bq-logs|/dev/null|--s3 s3://$BUCKET/$PREFIX --since 3h|moto"
	"bq-logs|/dev/null|config|front"
	"bq-trail|/dev/null|--since 3h|front"
	"bq-trace|/dev/null|--summaries --since 1h|moto"
	"bq-judge|$T/judge.in|--rubric correctness|front"
	"bq-cost|/dev/null|report --since 7d|moto"
)

# The secrets of one run: the case's own, and every signature, token and
# STS secret the tap and the STS stub saw since the run started.
collect() { # TAP_FROM STS_FROM CASE_SECRETS...
	local tf=$1 sf=$2; shift 2
	{
		printf '%s\n' "$@"
		tail -n +"$tf" "$TAP_LOG" | jq -r '.authorization // empty' | grep -oE 'Signature=[0-9a-f]{64}' | cut -d= -f2
		tail -n +"$tf" "$TAP_LOG" | jq -r '.query // empty' | grep -oE 'X-Amz-Signature=[0-9a-f]{64}' | cut -d= -f2
		tail -n +"$tf" "$TAP_LOG" | jq -r '.token // empty'
		tail -n +"$sf" "$T/STS.log" | jq -r '.headers.authorization // empty' | grep -oE 'Signature=[0-9a-f]{64}' | cut -d= -f2
	} | sort -u | grep -v '^$' >"$T/secrets"
	# a cut-off secret leaks too: look for the first 16 characters as well
	cut -c1-16 "$T/secrets" | sort -u >>"$T/secrets"
}

# one CASE WANT_RC CASE_SECRETS...: every run, with its environment set.
# WANT_RC "token": a session token the peers' moto did not issue is refused
# by the services moto serves (InvalidClientTokenId, status 3), and taken
# by those the front serves (CloudTrail, Converse, Bedrock control plane):
# status 0 there, 0 or 3 elsewhere.
one_case() {
	local case=$1 want=$2; shift 2
	local r tool input args who w tf sf sigs
	for r in "${RUNS[@]}"; do
		IFS='|' read -r tool input args who <<<"$r"
		w=$want
		if [ "$want" = token ]; then
			if [ "$who" = front ]; then w=0; else w="0|3"; fi
		fi
		if [ ! -x "$BQ_BIN/$tool" ]; then
			skip "$case: $tool $args: not built"
			continue
		fi
		tf=$(($(wc -l <"$TAP_LOG") + 1)); sf=$(($(wc -l <"$T/STS.log") + 1))
		# shellcheck disable=SC2086
		run bq "$tool" $args --debug <"$input"
		collect "$tf" "$sf" "$@"
		sigs=$(grep -cE '^[0-9a-f]{64}$' "$T/secrets")
		case "|$w|" in
		*"|$rc|"*) ok "$case: $tool $args: status $rc" ;;
		*) not_ok "$case: $tool $args: status $rc, want $w"
		   grep -a "^$tool: " "$T/err" | head -3 | sed 's/^/#   /' ;;
		esac
		if [ "$sigs" -eq 0 ]; then
			not_ok "$case: $tool $args: no signed request reached the peers or STS"
		fi
		check_grep 'AWS4-HMAC-SHA256' "$T/err" "$case: $tool $args: --debug shows the signing"
		if grep -aqF -f "$T/secrets" "$T/out" "$T/err"; then
			not_ok "$case: $tool $args: no secret, token or signature ($sigs signatures) in the output"
			grep -aoF -f "$T/secrets" "$T/out" "$T/err" | sort -u | head -5 | sed 's/^/#   found: /'
		else
			ok "$case: $tool $args: no secret, token or signature ($sigs signatures) in the output"
		fi
	done
}

AWS_ACCESS_KEY_ID=$PEER_AK AWS_SECRET_ACCESS_KEY=$PEER_SK one_case static 0 "$PEER_SK"
AWS_ACCESS_KEY_ID=$PEER_AK AWS_SECRET_ACCESS_KEY=$PEER_SK AWS_SESSION_TOKEN=$ENV_TOKEN \
	one_case env token "$PEER_SK" "$ENV_TOKEN"
AWS_PROFILE=process one_case process token "$PEER_SK" "$CP_TOKEN"
AWS_PROFILE=sts one_case sts token "$PEER_SK" "$STS_TOKEN"
AWS_ACCESS_KEY_ID=$PEER_AK AWS_SECRET_ACCESS_KEY=$WRONG_SECRET AWS_SESSION_TOKEN=$ENV_TOKEN \
	one_case wrong 3 "$WRONG_SECRET" "$ENV_TOKEN"
AWS_PROFILE=sts403 one_case sts403 3 "$PEER_SK" "$STS403_SECRET" "$STS403_TOKEN"

# S3 answers a bad signature with the StringToSign and CanonicalRequest it
# expected (the token is in the latter): they must not come back out.
if grep -q 'CanonicalRequest' "$TAP_LOG"; then
	ok "S3's 403 body (with the canonical request) was sent to a tool"
else
	skip "S3 403 body: no S3 SignatureDoesNotMatch answer was seen"
fi
