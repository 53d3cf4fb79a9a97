/* proto: error shapes -> bq_err, streaming XML, query responses, request
 * bodies; creds helpers (command splitting, expirations, container URL
 * rules, SSO cache path, redaction on set). */
#include "creds.h"
#include "aws.h"
#include "proto.h"
#include "t.h"

#include <stdlib.h>
#include <strings.h>

struct hdrs {
	const char *const *kv;
};

static const char *hget(const void *ud, const char *name)
{
	const struct hdrs *h = ud;
	size_t i;

	for (i = 0; h->kv && h->kv[i]; i += 2)
		if (strcasecmp(h->kv[i], name) == 0)
			return h->kv[i + 1];
	return NULL;
}

static bq_err map(bq_service_id svc, int status, const char *body,
		  const char *const *kv)
{
	struct hdrs h = { kv };
	bq_err e;

	bq_proto_error(bq_service_get(svc), status, body, body ? strlen(body) : 0,
		       hget, &h, &e);
	return e;
}

/* XML collector: "path=text;" for every leaf */
static int collect(void *ud, const char *path, const char *text, size_t len,
		   bool truncated)
{
	bq_buf *b = ud;

	if (len || strstr(path, "Empty"))
		bq_buf_printf(b, "%s=%.*s%s;", path, (int)len, text, truncated ? "~" : "");
	return 0;
}

static int stop_at_b(void *ud, const char *path)
{
	(void)ud;
	return strcmp(path, "/r/b") == 0 ? 7 : 0;
}

static const char listing[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>b</Name><Contents><Key>a&amp;b.txt</Key><Size>12</Size></Contents>"
	"<Contents><Key>d\xc3\xa9j\xc3\xa0/x y</Key><Size>3</Size></Contents>"
	"<Empty></Empty><IsTruncated>false</IsTruncated></ListBucketResult>";

int main(void)
{
	bq_err e;
	bq_buf b = BQ_BUF_INIT, want = BQ_BUF_INIT;
	bq_xml *x;
	json_t *j;
	char **argv;
	double d;
	static const size_t chunks[] = { 1, 7, 4096 };
	size_t ci;

	/* ---- JSON error shapes ---- */
	e = map(BQ_SVC_LOGS, 400,
		"{\"__type\":\"com.amazonaws.logs#ThrottlingException\",\"message\":\"Rate exceeded\"}",
		(const char *const[]){ "x-amzn-RequestId", "rid-1", NULL });
	T_STREQ(e.code, "ThrottlingException", "__type with a prefix# is cut");
	T_STREQ(e.message, "Rate exceeded", "message");
	T_STREQ(e.request_id, "rid-1", "request id from x-amzn-requestid");
	T_OK(e.retryable && e.throttling && e.exit_status == BQ_EXIT_RUNTIME,
	     "throttling: retryable, status 1");
	T_STREQ(e.service, "logs", "service named");
	e = map(BQ_SVC_CLOUDWATCH, 400,
		"{\"__type\":\"InvalidParameterValue\",\"Message\":\"bad period\"}", NULL);
	T_OK(!strcmp(e.code, "InvalidParameterValue") && !strcmp(e.message, "bad period") &&
	     !e.retryable && e.exit_status == BQ_EXIT_RUNTIME,
	     "Message (capital M), not retryable, status 1");
	e = map(BQ_SVC_BEDROCK_RUNTIME, 403, "{\"message\":\"no access\"}",
		(const char *const[]){ "x-amzn-ErrorType",
			"AccessDeniedException:http://internal.amazon.com/coral/", NULL });
	T_OK(!strcmp(e.code, "AccessDeniedException") && e.exit_status == BQ_EXIT_CREDS,
	     "rest-json: code from x-amzn-errortype with ':...' cut; status 3");
	e = map(BQ_SVC_XRAY, 429, "{\"message\":\"slow down\"}",
		(const char *const[]){ "x-amzn-ErrorType", "ThrottledException", NULL });
	T_OK(!strcmp(e.code, "ThrottledException") && e.throttling, "X-Ray ThrottledException");
	e = map(BQ_SVC_LOGS, 400,
		"{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token included in the request is expired\"}",
		NULL);
	T_OK(e.expired_token && e.exit_status == BQ_EXIT_CREDS, "expired token flagged, status 3");
	e = map(BQ_SVC_LOGS, 400,
		"{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired: 20150830T123600Z is now earlier than ...\"}",
		NULL);
	T_OK(e.clock_skew, "Signature expired is a clock-skew error");
	e = map(BQ_SVC_CE, 503, "", NULL);
	T_OK(!strcmp(e.code, "") && !strcmp(e.message, "service unavailable") && e.retryable,
	     "an empty 503 body: described by its status, retryable");
	e = map(BQ_SVC_CE, 502, "<html>bad gateway</html", NULL);
	T_OK(e.retryable && e.http_status == 502, "a broken HTML body on 502");

	/* ---- XML error shapes ---- */
	e = map(BQ_SVC_S3, 404,
		"<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
		"<Key>x</Key><RequestId>S3RID</RequestId><HostId>h</HostId></Error>", NULL);
	T_OK(!strcmp(e.code, "NoSuchKey") && !strcmp(e.request_id, "S3RID") &&
	     !strcmp(e.message, "The specified key does not exist.") &&
	     e.exit_status == BQ_EXIT_RUNTIME, "S3 <Error>");
	e = map(BQ_SVC_S3, 503, "<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>",
		(const char *const[]){ "x-amz-request-id", "HDRRID", NULL });
	T_OK(e.throttling && !strcmp(e.request_id, "HDRRID"),
	     "S3 SlowDown throttles; request id from x-amz-request-id");
	e = map(BQ_SVC_STS, 403,
		"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
		"<Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>QRID</RequestId></ErrorResponse>",
		NULL);
	T_OK(!strcmp(e.code, "AccessDenied") && !strcmp(e.request_id, "QRID") &&
	     e.exit_status == BQ_EXIT_CREDS, "query <ErrorResponse><Error>");
	e = map(BQ_SVC_LOGS, 403,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>"
		"<Message><![CDATA[The security token included in the request is invalid.]]></Message></Error></Errors>"
		"<RequestId>MOTO</RequestId></ErrorResponse>", NULL);
	T_OK(!strcmp(e.code, "InvalidClientTokenId") &&
	     !strcmp(e.message, "The security token included in the request is invalid.") &&
	     !strcmp(e.request_id, "MOTO") && e.exit_status == BQ_EXIT_CREDS,
	     "moto's <ErrorResponse><Errors><Error> on a JSON service");
	e = map(BQ_SVC_STS, 400,
		"<Response><Errors><Error><Code>Throttling</Code><Message>x</Message></Error></Errors><RequestID>EC2</RequestID></Response>",
		NULL);
	T_OK(!strcmp(e.code, "Throttling") && !strcmp(e.request_id, "EC2") && e.throttling,
	     "EC2 style <Response><Errors> with RequestID");
	e = map(BQ_SVC_S3, 403,
		"<!DOCTYPE x [<!ENTITY a \"b\">]><Error><Code>&a;</Code></Error>", NULL);
	T_OK(strcmp(e.code, "b") != 0 && e.exit_status == BQ_EXIT_CREDS,
	     "a DOCTYPE in an error body is refused (no entity expansion)");

	/* ---- streaming XML ---- */
	bq_buf_printf(&want, "/ListBucketResult/Name=b;/ListBucketResult/Contents/Key=a&b.txt;"
		      "/ListBucketResult/Contents/Size=12;"
		      "/ListBucketResult/Contents/Key=d\xc3\xa9j\xc3\xa0/x y;"
		      "/ListBucketResult/Contents/Size=3;/ListBucketResult/Empty=;"
		      "/ListBucketResult/IsTruncated=false;");
	for (ci = 0; ci < 3; ci++) {
		size_t off = 0, n = strlen(listing);
		int rc = 0;

		bq_buf_reset(&b);
		x = bq_xml_new(NULL, collect, &b, 0);
		while (off < n && rc == 0) {
			size_t c = n - off < chunks[ci] ? n - off : chunks[ci];

			rc = bq_xml_feed(x, listing + off, c, false, "test", &e);
			off += c;
		}
		if (rc == 0)
			rc = bq_xml_feed(x, NULL, 0, true, "test", &e);
		T_OK(rc == 0, "chunks of %zu parse", chunks[ci]);
		T_STREQ(bq_buf_cstr(&b), bq_buf_cstr(&want),
			"chunks of %zu: entities, UTF-8 and split text arrive whole", chunks[ci]);
		bq_xml_free(x);
	}
	bq_buf_reset(&b);
	x = bq_xml_new(NULL, collect, &b, 4);
	bq_xml_feed(x, "<r><k>123456789</k></r>", 23, true, "t", &e);
	T_STREQ(bq_buf_cstr(&b), "/r/k=1234~;", "text is capped and marked truncated");
	bq_xml_free(x);
	x = bq_xml_new(NULL, collect, &b, 0);
	T_OK(bq_xml_feed(x, "<!DOCTYPE r><r/>", 16, true, "peer", &e) < 0 &&
	     strstr(e.message, "DOCTYPE"), "DOCTYPE refused by the streaming parser");
	bq_xml_free(x);
	x = bq_xml_new(NULL, collect, &b, 0);
	T_OK(bq_xml_feed(x, "<r><a></r>", 10, true, "peer", &e) < 0 &&
	     strstr(e.message, "mismatched tag") && strstr(e.message, "peer"),
	     "malformed XML names the source and expat's reason");
	bq_xml_free(x);
	x = bq_xml_new(NULL, collect, &b, 0);
	T_OK(bq_xml_feed(x, "<r><a>1</a>", 11, true, "peer", &e) < 0,
	     "a truncated document fails at the end");
	bq_xml_free(x);
	x = bq_xml_new(stop_at_b, collect, &b, 0);
	T_OK(bq_xml_feed(x, "<r><a/><b/><c/></r>", 19, true, "t", &e) < 0 &&
	     bq_xml_stopped(x) == 7, "a callback can stop the parser with a value");
	bq_xml_free(x);
	T_OK(bq_proto_looks_xml("  \n<x/>", 7) && !bq_proto_looks_xml("{}", 2),
	     "XML sniffing");

	/* ---- query protocol ---- */
	bq_buf_reset(&b);
	T_OK(bq_proto_query_body(bq_service_get(BQ_SVC_STS), "AssumeRole",
				 (const char *const[]){ "RoleArn", "arn:aws:iam::1:role/a b",
					 "RoleSessionName", "s=1&2", NULL }, &b, &e) == 0,
	     "query body builds");
	T_STREQ(bq_buf_cstr(&b),
		"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b"
		"&RoleSessionName=s%3D1%262", "query body is form-encoded with the API version");
	{
		const char *xml =
			"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
			"<AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
			"<SecretAccessKey>sk</SecretAccessKey><SessionToken>tok</SessionToken>"
			"<Expiration>2026-11-26T10:00:00Z</Expiration></Credentials>"
			"<AssumedRoleUser><Arn>arn:x</Arn></AssumedRoleUser></AssumeRoleResult>"
			"<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
			"</AssumeRoleResponse>";

		T_OK(bq_proto_query_parse(bq_service_get(BQ_SVC_STS), "AssumeRole", xml,
					  strlen(xml), &j, &e) == 0, "query response parses");
		T_STREQ(json_string_value(json_object_get(json_object_get(j, "Credentials"),
							  "AccessKeyId")),
			"ASIA1", "nested result element");
		T_STREQ(json_string_value(json_object_get(json_object_get(j, "ResponseMetadata"),
							  "RequestId")),
			"r1", "response metadata kept");
		json_decref(j);
		T_OK(bq_proto_query_parse(bq_service_get(BQ_SVC_STS), "AssumeRole",
					  "<Other/>", 8, &j, &e) < 0,
		     "a response for another action is an error");
	}

	/* ---- awsJson request parts ---- */
	{
		bq_proto_json_req r;

		bq_buf_reset(&b);
		j = json_pack("{s:s}", "logGroupName", "g");
		T_OK(bq_proto_json_prepare(bq_service_get(BQ_SVC_CLOUDWATCH), "ListMetrics",
					   NULL, &b, &r, &e) == 0 &&
		     !strcmp(bq_buf_cstr(&b), "{}") &&
		     !strcmp(r.content_type, "application/x-amz-json-1.0") &&
		     !strcmp(r.headers[0], "X-Amz-Target: GraniteServiceVersion20100801.ListMetrics") &&
		     r.headers[1] && !strcmp(r.headers[1], "x-amzn-query-mode: true"),
		     "CloudWatch JSON 1.0 request parts with query mode");
		T_OK(bq_proto_json_prepare(bq_service_get(BQ_SVC_LOGS), "DescribeLogStreams",
					   j, &b, &r, &e) == 0 &&
		     !strcmp(bq_buf_cstr(&b), "{\"logGroupName\":\"g\"}") &&
		     !strcmp(r.content_type, "application/x-amz-json-1.1") &&
		     !strcmp(r.headers[0], "X-Amz-Target: Logs_20140328.DescribeLogStreams") &&
		     r.headers[1] == NULL, "Logs JSON 1.1 request parts");
		json_decref(j);
		T_OK(bq_proto_json_parse(bq_service_get(BQ_SVC_LOGS), " \n", 2, &j, &e) == 0 &&
		     json_object_size(j) == 0, "an empty body is {}");
		json_decref(j);
		T_OK(bq_proto_json_parse(bq_service_get(BQ_SVC_LOGS), "[1]", 3, &j, &e) < 0,
		     "a non-object answer is an error");
	}
	bq_buf_reset(&b);
	bq_buf_puts(&b, "/model");
	bq_aws_path_add(&b, "anthropic.claude-3-haiku-20240307-v1:0");
	bq_aws_path_add(&b, "arn:aws:bedrock:us-east-1:1:inference-profile/x y");
	T_STREQ(bq_buf_cstr(&b),
		"/model/anthropic.claude-3-haiku-20240307-v1%3A0"
		"/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx%20y",
		"path segments: ':' and '/' encoded");
	bq_buf_reset(&b);
	bq_aws_query_add(&b, "nextToken", "a+b/c=");
	bq_aws_query_add(&b, "maxResults", "5");
	T_STREQ(bq_buf_cstr(&b), "nextToken=a%2Bb%2Fc%3D&maxResults=5", "query building");

	/* ---- credential_process command lines ---- */
	T_OK(bq_split_command("/bin/x  --a 'b c' \"d \\\"e\\\" $f\" g\\ h ''", &argv, &e) == 0 &&
	     argv[0] && !strcmp(argv[0], "/bin/x") && !strcmp(argv[1], "--a") &&
	     !strcmp(argv[2], "b c") && !strcmp(argv[3], "d \"e\" $f") &&
	     !strcmp(argv[4], "g h") && !strcmp(argv[5], "") && !argv[6],
	     "shlex-style splitting");
	bq_argv_free(argv);
	T_OK(bq_split_command("x 'open", &argv, &e) < 0 && e.exit_status == BQ_EXIT_CREDS,
	     "unterminated quote refused");
	T_OK(bq_split_command("   ", &argv, &e) < 0, "empty command refused");

	/* ---- expirations ---- */
	j = json_string("2026-11-26T10:00:00Z");
	T_OK(bq_creds_parse_expiration(j, &d) == 0 && d == 1795687200.0, "RFC 3339 expiration");
	json_decref(j);
	j = json_string("2026-11-26T10:00:00UTC");
	T_OK(bq_creds_parse_expiration(j, &d) == 0 && d == 1795687200.0, "'UTC' suffix");
	json_decref(j);
	j = json_integer(1795687200000LL);
	T_OK(bq_creds_parse_expiration(j, &d) == 0 && d == 1795687200.0, "epoch milliseconds");
	json_decref(j);
	j = json_string("5m");
	T_OK(bq_creds_parse_expiration(j, &d) < 0, "a duration is not an expiration");
	json_decref(j);
	{
		bq_creds c = BQ_CREDS_INIT;
		char *r;

		T_OK(bq_creds_set(&c, "AKIDX", "s3cr3t-value", "tok3n-value", 100, "test", &e) == 0,
		     "creds set");
		r = bq_redact_dup("s3cr3t-value and tok3n-value", 28);
		T_STREQ(r, "[redacted] and [redacted]", "secrets are registered for redaction");
		free(r);
		T_OK(bq_creds_fresh(&c, 0, 60) && !bq_creds_fresh(&c, 50, 60) &&
		     !bq_creds_fresh(&c, 101, 0), "freshness margin");
		bq_creds_clear(&c);
		T_OK(c.access_key_id == NULL, "cleared");
	}

	/* ---- container URL rules ---- */
	{
		char *u;

		unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
		setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
		T_OK(bq_creds_container_url(&u, &e) == 0 && u &&
		     !strcmp(u, "http://169.254.170.2/v2/credentials/abc"),
		     "relative URI goes to 169.254.170.2");
		free(u);
		unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds?x=1", 1);
		T_OK(bq_creds_container_url(&u, &e) == 0 && u, "loopback full URI allowed");
		free(u);
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
		T_OK(bq_creds_container_url(&u, &e) == 0 && u, "EKS pod identity address allowed");
		free(u);
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds", 1);
		T_OK(bq_creds_container_url(&u, &e) < 0 && e.exit_status == BQ_EXIT_CREDS,
		     "plain http to another host refused");
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://192.0.2.1/creds", 1);
		T_OK(bq_creds_container_url(&u, &e) == 0 && u, "https to any host allowed");
		free(u);
		unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
		T_OK(bq_creds_container_url(&u, &e) == 0 && !u, "neither variable: not applicable");
	}
	setenv("HOME", "/h", 1);
	{
		char *p = bq_creds_sso_cache_path("my-sso");

		/* sha1("my-sso") */
		T_STREQ(p, "/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
			"SSO cache file name is sha1 of the session name");
		free(p);
	}
	bq_buf_release(&b);
	bq_buf_release(&want);
	return T_DONE();
}
