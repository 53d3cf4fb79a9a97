/* Unit tests for lib/xray_flatten and lib/xray_summary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"
#include "xray_flatten.h"
#include "xray_summary.h"

typedef struct collect {
	bq_buf lines;
	int n;
	int depths[64];
	int stop_after;
} collect;

static int on_span(json_t *span, const bq_xray_span_info *info, void *ud, bq_err *err)
{
	collect *c = ud;
	char *s = json_dumps(span, JSON_COMPACT);
	bq_buf_puts(&c->lines, s);
	bq_buf_putc(&c->lines, '\n');
	free(s);
	if (c->n < 64)
		c->depths[c->n] = info->depth;
	c->n++;
	return c->stop_after && c->n >= c->stop_after ? 1 : 0;
}

static const char DOC[] =
	"{\"name\":\"chat-api\",\"id\":\"70de5b6f19ff9a0a\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\","
	"\"start_time\":1478293361.271,\"end_time\":1478293361.449,\"origin\":\"AWS::ECS::Container\","
	"\"http\":{\"request\":{\"method\":\"POST\",\"url\":\"https://api.example.com/chat\"},\"response\":{\"status\":200}},"
	"\"annotations\":{\"tenant\":\"acme\"},"
	"\"subsegments\":[{\"name\":\"bedrock-runtime\",\"id\":\"53995c3f42cd8ad8\",\"namespace\":\"aws\","
	"\"start_time\":1478293361.300,\"end_time\":1478293361.425,\"fault\":true,"
	"\"http\":{\"request\":{\"url\":\"https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse\"},"
	"\"response\":{\"status\":503}},"
	"\"aws\":{\"operation\":\"Converse\",\"region\":\"us-east-1\",\"request_id\":\"req-9\"},"
	"\"subsegments\":[{\"name\":\"retry\",\"id\":\"0000000000000001\",\"start_time\":1478293361.4,"
	"\"in_progress\":true}]}]}";

static void test_flatten(void)
{
	collect c = { BQ_BUF_INIT, 0, { 0 }, 0 };
	bq_err err;
	bq_err_clear(&err);
	int rc = bq_xray_flatten_text(DOC, strlen(DOC), NULL, on_span, &c, &err);
	T_OK(rc == 0 && c.n == 3, "three spans from a segment with nested subsegments (rc %d, n %d)", rc, c.n);
	T_STREQ(bq_buf_cstr(&c.lines),
		"{\"kind\":\"span\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"id\":\"70de5b6f19ff9a0a\","
		"\"name\":\"chat-api\",\"origin\":\"AWS::ECS::Container\",\"start\":\"2016-11-04T21:02:41.271Z\","
		"\"end\":\"2016-11-04T21:02:41.449Z\",\"duration_ms\":178,\"error\":false,\"fault\":false,"
		"\"throttle\":false,\"http_status\":200,\"annotations\":{\"tenant\":\"acme\"}}\n"
		"{\"kind\":\"span\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"id\":\"53995c3f42cd8ad8\","
		"\"parent_id\":\"70de5b6f19ff9a0a\",\"name\":\"bedrock-runtime\",\"namespace\":\"aws\","
		"\"start\":\"2016-11-04T21:02:41.300Z\",\"end\":\"2016-11-04T21:02:41.425Z\",\"duration_ms\":125,"
		"\"error\":false,\"fault\":true,\"throttle\":false,\"http_status\":503,\"aws_operation\":\"Converse\","
		"\"request_id\":\"req-9\",\"model_id\":\"anthropic.claude-3-haiku-20240307-v1:0\"}\n"
		"{\"kind\":\"span\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"id\":\"0000000000000001\","
		"\"parent_id\":\"53995c3f42cd8ad8\",\"name\":\"retry\",\"start\":\"2016-11-04T21:02:41.400Z\","
		"\"in_progress\":true,\"error\":false,\"fault\":false,\"throttle\":false}\n",
		"span records: parents, durations, flags, model from the path");
	T_OK(c.depths[0] == 0 && c.depths[1] == 1 && c.depths[2] == 2, "depths 0, 1, 2");
	bq_buf_release(&c.lines);

	/* A subsegment sent on its own keeps its parent_id; trace id hint. */
	const char *sub = "{\"type\":\"subsegment\",\"name\":\"x\",\"id\":\"a1\",\"parent_id\":\"p0\","
			  "\"start_time\":10.0005,\"end_time\":10.25}";
	collect d = { BQ_BUF_INIT, 0, { 0 }, 0 };
	rc = bq_xray_flatten_text(sub, strlen(sub), "1-00000000-000000000000000000000001", on_span, &d, &err);
	T_STREQ(bq_buf_cstr(&d.lines),
		"{\"kind\":\"span\",\"trace_id\":\"1-00000000-000000000000000000000001\",\"id\":\"a1\","
		"\"parent_id\":\"p0\",\"name\":\"x\",\"start\":\"1970-01-01T00:00:10.001Z\","
		"\"end\":\"1970-01-01T00:00:10.250Z\",\"duration_ms\":249.5,\"error\":false,"
		"\"fault\":false,\"throttle\":false}\n",
		"independent subsegment: parent kept, trace id from the hint, fractional duration");
	bq_buf_release(&d.lines);

	collect e = { BQ_BUF_INIT, 0, { 0 }, 2 };
	rc = bq_xray_flatten_text(DOC, strlen(DOC), NULL, on_span, &e, &err);
	T_OK(rc == 1 && e.n == 2, "callback stop ends the walk with 1");
	bq_buf_release(&e.lines);
}

static const char *model_of(const char *json)
{
	static char out[256];
	json_t *seg = json_loads(json, 0, NULL);
	bq_buf b = BQ_BUF_INIT;
	int rc = bq_xray_model_id(seg, &b);
	bq_strlcpy(out, rc == 1 ? bq_buf_cstr(&b) : rc == 0 ? "(none)" : "(error)", sizeof out);
	bq_buf_release(&b);
	json_decref(seg);
	return out;
}

static void test_model(void)
{
	T_STREQ(model_of("{\"name\":\"BedrockRuntime\",\"http\":{\"request\":{\"url\":"
			 "\"https://h/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/invoke\"}}}"),
		"arn:aws:bedrock:us-east-1:1:application-inference-profile/abc",
		"model: ARN with encoded slash decoded");
	T_STREQ(model_of("{\"name\":\"svc\",\"aws\":{\"operation\":\"InvokeModel\"},"
			 "\"http\":{\"request\":{\"url\":\"/model/amazon.titan-text-express-v1/invoke\"}}}"),
		"amazon.titan-text-express-v1", "model: bare path, Bedrock operation");
	T_STREQ(model_of("{\"name\":\"images\",\"http\":{\"request\":{\"url\":\"https://img.example.com/model/resnet/predict\"}}}"),
		"(none)", "model: a non-Bedrock /model/ path is ignored");
	T_STREQ(model_of("{\"name\":\"bedrock\",\"http\":{\"request\":{\"url\":\"https://model.bedrock.example/x\"}}}"),
		"(none)", "model: the host does not count as a path");
	T_STREQ(model_of("{\"name\":\"a\",\"aws\":{\"model_id\":\"m-aws\"}}"), "m-aws", "model: aws.model_id");
	T_STREQ(model_of("{\"name\":\"a\",\"annotations\":{\"gen_ai_request_model\":\"m-ann\"}}"),
		"m-ann", "model: annotation underscore form");
	T_STREQ(model_of("{\"name\":\"a\",\"metadata\":{\"default\":{\"gen_ai.request.model\":\"m-dot\"}}}"),
		"m-dot", "model: metadata dotted key under a namespace");
	T_STREQ(model_of("{\"name\":\"a\",\"metadata\":{\"otel\":{\"gen_ai\":{\"request\":{\"model\":\"m-nest\"}}}}}"),
		"m-nest", "model: metadata nested objects");
	T_STREQ(model_of("{\"name\":\"a\",\"metadata\":{\"x\":{\"gen_ai\":{\"request.model\":\"m-mix\"}}}}"),
		"m-mix", "model: mixed nesting");
	T_STREQ(model_of("{\"name\":\"a\",\"metadata\":{\"x\":{\"my_gen_ai.request.model\":\"no\"}}}"),
		"(none)", "model: suffix must start at a key boundary");
	T_STREQ(model_of("{\"name\":\"a\",\"annotations\":{\"gen_ai_request_model\":\"first\"},"
			 "\"metadata\":{\"gen_ai.request.model\":\"second\"}}"),
		"first", "model: annotations before metadata");
	T_STREQ(model_of("{\"name\":\"a\",\"metadata\":{\"gen_ai.request.model\":5}}"),
		"(none)", "model: non-string values ignored");
}

static void test_malformed(void)
{
	const char *bad[][2] = {
		{ "{not json", "segment document is not valid JSON" },
		{ "[1]", "segment document is not a JSON object" },
		{ "{\"name\":\"a\",\"start_time\":1,\"end_time\":2}", "segment document has no id" },
		{ "{\"id\":\"a\",\"start_time\":1,\"end_time\":2,\"trace_id\":\"t\"}", "segment 'a': no name" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"end_time\":2,\"trace_id\":\"t\"}", "segment 'a': no numeric start_time" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t\"}", "segment 'a': neither end_time nor in_progress" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1,\"end_time\":\"2\",\"trace_id\":\"t\"}", "segment 'a': end_time is not a number" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1e300,\"end_time\":2,\"trace_id\":\"t\"}", "segment 'a': start_time out of range" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1,\"end_time\":2,\"trace_id\":\"t\",\"subsegments\":{}}", "segment 'a': subsegments is not an array" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1,\"end_time\":2,\"trace_id\":\"t\",\"subsegments\":[{\"name\":\"s\",\"start_time\":1,\"end_time\":2}]}", "segment 'a': subsegment 0 has no id" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1,\"end_time\":2,\"trace_id\":\"t\",\"subsegments\":[3]}", "segment 'a': subsegment 0 is not an object" },
		{ "{\"id\":\"a\",\"name\":\"n\",\"start_time\":1,\"end_time\":2}", "segment 'a': no trace_id" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		collect c = { BQ_BUF_INIT, 0, { 0 }, 0 };
		bq_err err;
		bq_err_clear(&err);
		int rc = bq_xray_flatten_text(bad[i][0], strlen(bad[i][0]), NULL, on_span, &c, &err);
		T_OK(rc == -1 && c.n == 0 && err.exit_status == BQ_EXIT_INPUT &&
		     strncmp(err.message, bad[i][1], strlen(bad[i][1])) == 0,
		     "malformed %zu rejected whole: %s", i, err.message);
		bq_buf_release(&c.lines);
	}

	/* Nesting beyond the limit is refused, not recursed into. */
	bq_buf deep = BQ_BUF_INIT;
	bq_buf_puts(&deep, "{\"trace_id\":\"t\",");
	for (int i = 0; i < BQ_XRAY_MAX_DEPTH + 2; i++)
		bq_buf_printf(&deep, "\"id\":\"s%d\",\"name\":\"n\",\"start_time\":1,\"end_time\":2,\"subsegments\":[{", i);
	bq_buf_puts(&deep, "\"id\":\"leaf\",\"name\":\"n\",\"start_time\":1,\"end_time\":2");
	for (int i = 0; i < BQ_XRAY_MAX_DEPTH + 2; i++)
		bq_buf_puts(&deep, "}]");
	bq_buf_puts(&deep, "}");
	bq_err err;
	collect c = { BQ_BUF_INIT, 0, { 0 }, 0 };
	int rc = bq_xray_flatten_text(deep.data, deep.len, NULL, on_span, &c, &err);
	T_OK(rc == -1 && strstr(err.message, "nested deeper"), "too deep rejected: %s", err.message);
	bq_buf_release(&deep);
	bq_buf_release(&c.lines);
}

/* Deterministic mutation run: every byte flip / truncation of the sample
 * document must either flatten or be rejected, never crash (the sanitizer
 * build catches memory errors).  tests/fuzz/fuzz_xray_flatten.c does the
 * open-ended version. */
static void test_mutations(void)
{
	size_t n = strlen(DOC);
	char *buf = malloc(n + 1);
	uint32_t x = 2463534242u;
	int ok = 0, rejected = 0;

	for (int round = 0; round < 4000; round++) {
		memcpy(buf, DOC, n + 1);
		size_t len = n;
		for (int k = 0; k < 1 + round % 4; k++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			size_t pos = x % n;
			static const char alphabet[] = "{}[]\":,0123456789.e-tfnx \\";
			buf[pos] = alphabet[(x >> 8) % (sizeof alphabet - 1)];
		}
		if (round % 5 == 0)
			len = x % n;
		collect c = { BQ_BUF_INIT, 0, { 0 }, 0 };
		bq_err err;
		int rc = bq_xray_flatten_text(buf, len, "1-0-0", on_span, &c, &err);
		if (rc == 0)
			ok++;
		else if (rc == -1 && c.n == 0)
			rejected++;
		bq_buf_release(&c.lines);
	}
	free(buf);
	T_OK(ok + rejected == 4000, "4000 mutations: each flattened (%d) or rejected whole (%d)", ok, rejected);
}

static void test_summary(void)
{
	const char *ts =
		"{\"Id\":\"1-5759e988-bd862e3fe1be46a994272793\",\"StartTime\":1478293361.271,"
		"\"Duration\":0.178,\"ResponseTime\":0.17,\"HasFault\":true,\"HasError\":false,"
		"\"Http\":{\"HttpURL\":\"https://api/chat\",\"HttpStatus\":503,\"HttpMethod\":\"POST\"},"
		"\"Annotations\":{\"tenant\":[{\"AnnotationValue\":{\"StringValue\":\"acme\"}}],"
		"\"tokens\":[{\"AnnotationValue\":{\"NumberValue\":12}},{\"AnnotationValue\":{\"NumberValue\":30}}]},"
		"\"Users\":[{\"UserName\":\"alice\"}],"
		"\"ServiceIds\":[{\"Name\":\"chat-api\",\"Type\":\"AWS::ECS::Container\",\"AccountId\":\"1\"}],"
		"\"EntryPoint\":{\"Name\":\"chat-api\",\"Type\":\"AWS::ECS::Container\"},\"Revision\":3}";
	json_t *in = json_loads(ts, 0, NULL);
	json_t *rec = bq_xray_summary_record(in);
	char *s = json_dumps(rec, JSON_COMPACT);
	T_STREQ(s,
		"{\"kind\":\"trace\",\"trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\","
		"\"start\":\"2016-11-04T21:02:41.271Z\",\"duration_ms\":178,\"response_time_ms\":170,"
		"\"error\":false,\"fault\":true,\"throttle\":false,\"partial\":false,\"http_status\":503,"
		"\"http_method\":\"POST\",\"http_url\":\"https://api/chat\","
		"\"annotations\":{\"tenant\":\"acme\",\"tokens\":[12,30]},\"users\":[\"alice\"],"
		"\"services\":[{\"name\":\"chat-api\",\"type\":\"AWS::ECS::Container\",\"account_id\":\"1\"}],"
		"\"entry_point\":{\"name\":\"chat-api\",\"type\":\"AWS::ECS::Container\"},\"revision\":3}",
		"summary record");
	free(s);
	json_decref(rec);
	json_decref(in);

	/* moto's shapes: Users {} and no StartTime. */
	in = json_loads("{\"Id\":\"1-a-b\",\"Duration\":2,\"Users\":{},\"Annotations\":{},\"Http\":{}}", 0, NULL);
	rec = bq_xray_summary_record(in);
	s = json_dumps(rec, JSON_COMPACT);
	T_STREQ(s, "{\"kind\":\"trace\",\"trace_id\":\"1-a-b\",\"duration_ms\":2000,\"error\":false,"
		"\"fault\":false,\"throttle\":false,\"partial\":false}", "summary tolerates empty shapes");
	free(s);
	json_decref(rec);
	json_decref(in);
	in = json_loads("{\"Duration\":2}", 0, NULL);
	T_OK(bq_xray_summary_record(in) == NULL, "summary without Id gives NULL");
	json_decref(in);
}

int main(void)
{
	test_flatten();
	test_model();
	test_malformed();
	test_mutations();
	test_summary();
	return T_DONE();
}
