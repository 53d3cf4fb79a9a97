/* Unit tests for lib/trail_event: CloudTrail records into event records. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "trail_event.h"

static const char RECORD[] =
	"{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\","
	"\"principalId\":\"AROAEXAMPLE:alice\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/Dev/alice\","
	"\"accountId\":\"111122223333\",\"accessKeyId\":\"ASIAEXAMPLE\"},"
	"\"eventTime\":\"2026-11-26T21:00:05Z\",\"eventSource\":\"bedrock.amazonaws.com\","
	"\"eventName\":\"InvokeModel\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\","
	"\"userAgent\":\"Boto3/1.43\",\"requestParameters\":{\"modelId\":\"us.anthropic.claude-3-haiku-20240307-v1:0\"},"
	"\"responseElements\":null,\"additionalEventData\":{\"inferenceRegion\":\"us-west-2\"},"
	"\"requestID\":\"req-1\",\"eventID\":\"ev-1\",\"readOnly\":true,"
	"\"resources\":[{\"accountId\":\"111122223333\",\"type\":\"AWS::Bedrock::Model\",\"ARN\":\"arn:aws:bedrock:us-east-1::foundation-model/x\"}],"
	"\"eventType\":\"AwsApiCall\",\"recipientAccountId\":\"111122223333\"}";

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

static void test_record(void)
{
	json_t *raw = json_loads(RECORD, 0, NULL);
	json_t *rec = bq_trail_event_record(raw, NULL);
	char *s = dump(rec);
	T_STREQ(s,
		"{\"kind\":\"event\",\"ts\":\"2026-11-26T21:00:05Z\",\"event_id\":\"ev-1\","
		"\"event_name\":\"InvokeModel\",\"event_source\":\"bedrock.amazonaws.com\","
		"\"identity\":\"arn:aws:sts::111122223333:assumed-role/Dev/alice\",\"user\":\"alice\","
		"\"account_id\":\"111122223333\",\"region\":\"us-east-1\",\"source_ip\":\"198.51.100.7\","
		"\"user_agent\":\"Boto3/1.43\",\"request_id\":\"req-1\","
		"\"model_id\":\"us.anthropic.claude-3-haiku-20240307-v1:0\",\"inference_region\":\"us-west-2\","
		"\"read_only\":true,\"resources\":[{\"type\":\"AWS::Bedrock::Model\","
		"\"name\":\"arn:aws:bedrock:us-east-1::foundation-model/x\",\"account_id\":\"111122223333\"}],"
		"\"request\":{\"modelId\":\"us.anthropic.claude-3-haiku-20240307-v1:0\"}}",
		"trail record: every field, null response omitted, session name as user");
	free(s);
	json_decref(rec);
	json_decref(raw);
}

static void test_lookup(void)
{
	json_t *env = json_pack("{s:s,s:s,s:s,s:f,s:s,s:s,s:[{s:s,s:s}],s:s}",
				"EventId", "ev-2", "EventName", "CreateGuardrail",
				"ReadOnly", "false", "EventTime", 1795726800.25,
				"EventSource", "bedrock.amazonaws.com", "Username", "bob",
				"Resources", "ResourceType", "AWS::Bedrock::Guardrail",
				"ResourceName", "gr-1",
				"CloudTrailEvent",
				"{\"eventID\":\"ev-2\",\"eventName\":\"CreateGuardrail\","
				"\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\",\"arn\":\"arn:aws:iam::1:user/bob\",\"accountId\":\"1\"},"
				"\"errorCode\":\"AccessDenied\",\"errorMessage\":\"no\","
				"\"requestParameters\":{\"name\":\"g\"},\"responseElements\":{\"guardrailId\":\"gr-1\"}}");
	json_t *raw = NULL;
	bq_err err;
	bq_err_clear(&err);
	T_OK(bq_trail_parse_lookup(env, &raw, &err) == 0 && json_is_object(raw),
	     "lookup: CloudTrailEvent parsed");
	json_t *rec = bq_trail_event_record(raw, env);
	char *s = dump(rec);
	T_STREQ(s,
		"{\"kind\":\"event\",\"ts\":\"2026-11-26T21:00:00.250Z\",\"event_id\":\"ev-2\","
		"\"event_name\":\"CreateGuardrail\",\"event_source\":\"bedrock.amazonaws.com\","
		"\"identity\":\"arn:aws:iam::1:user/bob\",\"user\":\"bob\",\"account_id\":\"1\","
		"\"error_code\":\"AccessDenied\",\"error_message\":\"no\",\"read_only\":false,"
		"\"resources\":[{\"type\":\"AWS::Bedrock::Guardrail\",\"name\":\"gr-1\"}],"
		"\"request\":{\"name\":\"g\"},\"response\":{\"guardrailId\":\"gr-1\"}}",
		"lookup: envelope fills time, source, read_only and resources");
	free(s);

	bq_trail_filter f = BQ_TRAIL_FILTER_INIT;
	const char *events[] = { "InvokeModel", "CreateGuardrail" };
	const char *users[] = { "nobody", "bob" };
	T_OK(bq_trail_filter_match(&f, rec), "filter: empty filter passes");
	f.events = events;
	f.nevents = 1;
	T_OK(!bq_trail_filter_match(&f, rec), "filter: --event other name rejects");
	f.nevents = 2;
	T_OK(bq_trail_filter_match(&f, rec), "filter: any --event may match");
	f.users = users;
	f.nusers = 1;
	T_OK(!bq_trail_filter_match(&f, rec), "filter: --user other rejects");
	f.nusers = 2;
	f.errors_only = true;
	T_OK(bq_trail_filter_match(&f, rec), "filter: --user and --errors pass");
	f.source = "bedrock-mantle.amazonaws.com";
	T_OK(!bq_trail_filter_match(&f, rec), "filter: other source rejects");
	json_decref(rec);
	json_decref(raw);

	/* --user matches the identity's last part and the identity itself. */
	json_t *r2 = json_pack("{s:s,s:s}", "identity", "arn:aws:sts::1:assumed-role/Ops/carol",
			       "user", "AROAX:carol-session");
	bq_trail_filter g = BQ_TRAIL_FILTER_INIT;
	const char *u2[] = { "carol" };
	const char *u3[] = { "arn:aws:sts::1:assumed-role/Ops/carol" };
	const char *u4[] = { "rol" };
	g.users = u2;
	g.nusers = 1;
	T_OK(bq_trail_filter_match(&g, r2), "filter: --user matches ARN tail");
	g.users = u3;
	T_OK(bq_trail_filter_match(&g, r2), "filter: --user matches whole ARN");
	g.users = u4;
	T_OK(!bq_trail_filter_match(&g, r2), "filter: --user is not a substring match");
	g.users = NULL;
	g.nusers = 0;
	g.errors_only = true;
	T_OK(!bq_trail_filter_match(&g, r2), "filter: --errors rejects success");
	json_decref(r2);
	json_decref(env);
}

static void test_bad(void)
{
	json_t *env = json_pack("{s:s,s:s}", "EventId", "ev-bad", "CloudTrailEvent", "{not json");
	json_t *raw = (json_t *)1;
	bq_err err;
	bq_err_clear(&err);
	T_OK(bq_trail_parse_lookup(env, &raw, &err) < 0 && raw == NULL &&
	     err.exit_status == BQ_EXIT_INPUT, "bad CloudTrailEvent fails with status 5");
	T_OK(strstr(err.message, "event 'ev-bad': CloudTrailEvent is not valid JSON") == err.message,
	     "bad CloudTrailEvent message names the event id: %s", err.message);
	json_decref(env);

	env = json_pack("{s:s,s:s}", "EventId", "ev-arr", "CloudTrailEvent", "[1,2]");
	T_OK(bq_trail_parse_lookup(env, &raw, &err) < 0, "CloudTrailEvent array rejected");
	json_decref(env);

	env = json_pack("{s:s,s:s}", "EventId", "ev-none", "EventName", "X");
	T_OK(bq_trail_parse_lookup(env, &raw, &err) == 0 && raw == NULL,
	     "missing CloudTrailEvent is not an error");
	json_t *rec = bq_trail_event_record(NULL, env);
	char *s = dump(rec);
	T_STREQ(s, "{\"kind\":\"event\",\"event_id\":\"ev-none\",\"event_name\":\"X\",\"resources\":[]}",
		"record from the envelope alone");
	free(s);
	json_decref(rec);
	json_decref(env);
}

static void test_user_fallbacks(void)
{
	const char *cases[][2] = {
		{ "{\"userIdentity\":{\"type\":\"Root\",\"arn\":\"arn:aws:iam::1:root\",\"principalId\":\"1\"}}", "root" },
		{ "{\"userIdentity\":{\"type\":\"AWSService\",\"principalId\":\"svc\"}}", "svc" },
		{ "{\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"dan\",\"arn\":\"arn:aws:iam::1:user/x/dan\"}}", "dan" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *raw = json_loads(cases[i][0], 0, NULL);
		json_t *rec = bq_trail_event_record(raw, NULL);
		T_STREQ(json_string_value(json_object_get(rec, "user")), cases[i][1],
			"user fallback %zu", i);
		json_decref(rec);
		json_decref(raw);
	}
	json_t *raw = json_loads("{\"requestParameters\":{\"modelIdentifier\":\"m-2\"}}", 0, NULL);
	json_t *rec = bq_trail_event_record(raw, NULL);
	T_STREQ(json_string_value(json_object_get(rec, "model_id")), "m-2",
		"model_id from modelIdentifier");
	json_decref(rec);
	json_decref(raw);
}

static void test_time(void)
{
	T_OK(bq_trail_time("1970-01-01T00:00:00Z") == 0, "time: epoch");
	T_OK(bq_trail_time("2026-11-26T21:00:05Z") == 1795726805.0, "time: Z form");
	T_OK(bq_trail_time("2026-11-26T22:00:05+01:00") == 1795726805.0, "time: offset");
	T_OK(bq_trail_time("2026-11-26T21:00:05.5Z") == 1795726805.5, "time: fraction");
	T_OK(bq_trail_time("2026-11-26") < 0, "time: date alone rejected");
	T_OK(bq_trail_time("2026-13-26T21:00:05Z") < 0, "time: month 13 rejected");
	T_OK(bq_trail_time(NULL) < 0, "time: NULL rejected");
}

int main(void)
{
	test_record();
	test_lookup();
	test_bad();
	test_user_fallbacks();
	test_time();
	return T_DONE();
}
