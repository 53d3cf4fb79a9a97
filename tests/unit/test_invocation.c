/*
 * Normalisation, text extraction and redaction for every body format.
 * Fixtures are built here: one raw log record per format and per response
 * shape (whole object, streamed chunks), JSON written with ' for " to stay
 * readable.  Every text in a fixture holds a marker word (ALPHA, BRAVO...)
 * so the redaction checks can prove no text survives.
 */
#include "bodypath.h"
#include "buf.h"
#include "invocation.h"
#include "invocation_formats.h"
#include "output.h"
#include "t.h"

#include <stdlib.h>

#define NONE (-1)

struct fcase {
	const char *name, *op, *model, *in, *out;
	const char *fmt, *prompt, *system, *answer, *stop;
	long long in_tok, out_tok, cr, cw, lat;
	const char *secrets; /* space-separated words redaction must remove */
	const char *redacted_path; /* an input-body path ... */
	const char *redacted_want; /* ... and its value after redaction */
};

#define CHUNK_METRICS(i, o, l) \
	"'amazon-bedrock-invocationMetrics':{'inputTokenCount':" #i \
	",'outputTokenCount':" #o ",'invocationLatency':" #l ",'firstByteLatency':5}"

static const struct fcase cases[] = {
	{ "converse", "Converse", "us.anthropic.claude-3-5-haiku-20241022-v1:0",
	  "{'messages':[{'role':'user','content':[{'text':'ALPHA ticket'}]},"
	  "{'role':'assistant','content':[{'text':'BRAVO sure'}]},"
	  "{'role':'user','content':[{'text':'CHARLIE shorter'},{'image':{'format':'png','source':{'bytes':'DELTAaGVsbG8='}}},"
	  "{'toolResult':{'toolUseId':'t1','content':[{'text':'ECHO tool out'}],'status':'success'}}]}],"
	  "'system':[{'text':'FOXTROT support'}],'inferenceConfig':{'maxTokens':512,'temperature':0.2,'stopSequences':['GOLF']},"
	  "'toolConfig':{'tools':[{'toolSpec':{'name':'lookup','description':'HOTEL desc','inputSchema':{'json':{'type':'object','properties':{'q':{'type':'string','description':'INDIA'}}}}}}]}}",
	  "{'output':{'message':{'role':'assistant','content':[{'reasoningContent':{'reasoningText':{'text':'JULIET thinking'}}},"
	  "{'text':'KILO billing'},{'toolUse':{'toolUseId':'t2','name':'lookup','input':{'type':'LIMA'}}}]}},"
	  "'stopReason':'end_turn','metrics':{'latencyMs':1432},"
	  "'usage':{'inputTokens':812,'outputTokens':96,'totalTokens':908,'cacheReadInputTokens':5,'cacheWriteInputTokens':7}}",
	  "converse", "ALPHA ticket\nCHARLIE shorter", "FOXTROT support", "KILO billing", "end_turn",
	  812, 96, 5, 7, 1432,
	  "ALPHA BRAVO CHARLIE DELTA ECHO FOXTROT GOLF HOTEL INDIA JULIET KILO LIMA",
	  "system[].text", "[redacted 15 chars]" },
	{ "converse-stream", "ConverseStream", "anthropic.claude-3-haiku-20240307-v1:0",
	  "{'messages':[{'role':'user','content':[{'text':'ALPHA hi'}]}]}",
	  "[{'messageStart':{'role':'assistant'}},"
	  "{'contentBlockDelta':{'delta':{'text':'BRAVO '},'contentBlockIndex':0}},"
	  "{'contentBlockDelta':{'delta':{'text':'CHARLIE'},'contentBlockIndex':0}},"
	  "{'contentBlockStop':{'contentBlockIndex':0}},{'messageStop':{'stopReason':'max_tokens'}},"
	  "{'metadata':{'usage':{'inputTokens':10,'outputTokens':2,'totalTokens':12},'metrics':{'latencyMs':321}}}]",
	  "converse", "ALPHA hi", NULL, "BRAVO CHARLIE", "max_tokens",
	  10, 2, NONE, NONE, 321, "ALPHA BRAVO CHARLIE",
	  "messages[].content[].text", "[redacted 8 chars]" },
	{ "anthropic-messages", "InvokeModel", "anthropic.claude-3-haiku-20240307-v1:0",
	  "{'anthropic_version':'bedrock-2023-05-31','max_tokens':100,'system':'ALPHA terse',"
	  "'messages':[{'role':'user','content':'BRAVO 2+2'},{'role':'assistant','content':[{'type':'text','text':'CHARLIE 4'}]},"
	  "{'role':'user','content':[{'type':'text','text':'DELTA 3+3'},{'type':'tool_result','tool_use_id':'t1','content':'ECHO out'},"
	  "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'FOXTROTiVBOR'}}]}]}",
	  "{'id':'msg_1','type':'message','role':'assistant','model':'claude-3-haiku-20240307',"
	  "'content':[{'type':'thinking','thinking':'GOLF hmm'},{'type':'text','text':'HOTEL 6'},"
	  "{'type':'tool_use','id':'tu1','name':'calc','input':{'expr':'INDIA'}}],"
	  "'stop_reason':'end_turn','usage':{'input_tokens':20,'output_tokens':3,'cache_creation_input_tokens':4,'cache_read_input_tokens':8}}",
	  "anthropic-messages", "BRAVO 2+2\nDELTA 3+3", "ALPHA terse", "HOTEL 6", "end_turn",
	  20, 3, 8, 4, NONE, "ALPHA BRAVO CHARLIE DELTA ECHO FOXTROT GOLF HOTEL INDIA",
	  "system", "[redacted 11 chars]" },
	{ "anthropic-messages-stream", "InvokeModelWithResponseStream", "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
	  "{'anthropic_version':'bedrock-2023-05-31','max_tokens':100,'system':[{'type':'text','text':'ALPHA sys'}],"
	  "'messages':[{'role':'user','content':[{'type':'text','text':'BRAVO q'}]}]}",
	  "[{'type':'message_start','message':{'id':'m','type':'message','role':'assistant','content':[],"
	  "'usage':{'input_tokens':25,'output_tokens':1,'cache_read_input_tokens':0,'cache_creation_input_tokens':0}}},"
	  "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}},"
	  "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'CHARLIE'}},"
	  "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':' DELTA'}},"
	  "{'type':'content_block_stop','index':0},"
	  "{'type':'message_delta','delta':{'stop_reason':'end_turn','stop_sequence':null},'usage':{'output_tokens':7}},"
	  "{'type':'message_stop'," CHUNK_METRICS(25, 7, 812) "}]",
	  "anthropic-messages", "BRAVO q", "ALPHA sys", "CHARLIE DELTA", "end_turn",
	  25, 7, 0, 0, 812, "ALPHA BRAVO CHARLIE DELTA",
	  "messages[].content[].text", "[redacted 7 chars]" },
	{ "anthropic-completion", "InvokeModel", "anthropic.claude-v2:1",
	  "{'prompt':'ALPHA system words\\n\\nHuman: BRAVO joke\\n\\nAssistant:','max_tokens_to_sample':300}",
	  "{'completion':' CHARLIE punchline','stop_reason':'stop_sequence','stop':'\\n\\nHuman:'}",
	  "anthropic-completion", "BRAVO joke", "ALPHA system words", " CHARLIE punchline", "stop_sequence",
	  NONE, NONE, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE Human",
	  "prompt", "[redacted 49 chars]" },
	{ "anthropic-completion-stream", "InvokeModelWithResponseStream", "anthropic.claude-instant-v1",
	  "{'prompt':'\\n\\nHuman: ALPHA\\n\\nAssistant:','max_tokens_to_sample':30}",
	  "[{'completion':'BRAVO','stop_reason':null},{'completion':' CHARLIE','stop_reason':'stop_sequence',"
	  CHUNK_METRICS(12, 4, 99) "}]",
	  "anthropic-completion", "ALPHA", NULL, "BRAVO CHARLIE", "stop_sequence",
	  12, 4, NONE, NONE, 99, "ALPHA BRAVO CHARLIE", "prompt", "[redacted 26 chars]" },
	{ "titan-text", "InvokeModel", "amazon.titan-text-express-v1",
	  "{'inputText':'ALPHA haiku','textGenerationConfig':{'maxTokenCount':100,'stopSequences':['BRAVO']}}",
	  "{'inputTextTokenCount':5,'results':[{'tokenCount':17,'outputText':'CHARLIE leaves','completionReason':'FINISH'}]}",
	  "titan-text", "ALPHA haiku", NULL, "CHARLIE leaves", "FINISH",
	  5, 17, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE", "inputText", "[redacted 11 chars]" },
	{ "titan-text-stream", "InvokeModelWithResponseStream", "amazon.titan-text-premier-v1:0",
	  "{'inputText':'ALPHA'}",
	  "[{'outputText':'BRAVO','index':0,'totalOutputTextTokenCount':2,'completionReason':null,'inputTextTokenCount':5},"
	  "{'outputText':' CHARLIE','index':0,'totalOutputTextTokenCount':4,'completionReason':'FINISH','inputTextTokenCount':null,"
	  CHUNK_METRICS(5, 4, 250) "}]",
	  "titan-text", "ALPHA", NULL, "BRAVO CHARLIE", "FINISH",
	  5, 4, NONE, NONE, 250, "ALPHA BRAVO CHARLIE", "inputText", "[redacted 5 chars]" },
	{ "nova", "InvokeModel", "us.amazon.nova-lite-v1:0",
	  "{'schemaVersion':'messages-v1','system':[{'text':'ALPHA brief'}],"
	  "'messages':[{'role':'user','content':[{'text':'BRAVO capital'}]}],'inferenceConfig':{'maxTokens':50}}",
	  "{'output':{'message':{'role':'assistant','content':[{'text':'CHARLIE Paris'}]}},'stopReason':'end_turn',"
	  "'usage':{'inputTokens':9,'outputTokens':2,'totalTokens':11,'cacheReadInputTokenCount':0,'cacheWriteInputTokenCount':0}}",
	  "nova", "BRAVO capital", "ALPHA brief", "CHARLIE Paris", "end_turn",
	  9, 2, 0, 0, NONE, "ALPHA BRAVO CHARLIE", "system[].text", "[redacted 11 chars]" },
	{ "nova-stream", "InvokeModelWithResponseStream", "amazon.nova-pro-v1:0",
	  "{'schemaVersion':'messages-v1','messages':[{'role':'user','content':[{'text':'ALPHA'}]}]}",
	  "[{'messageStart':{'role':'assistant'}},{'contentBlockDelta':{'delta':{'text':'BRAVO'},'contentBlockIndex':0}},"
	  "{'contentBlockDelta':{'delta':{'text':' CHARLIE'},'contentBlockIndex':0}},{'contentBlockStop':{'contentBlockIndex':0}},"
	  "{'messageStop':{'stopReason':'end_turn'}},{'metadata':{'usage':{'inputTokens':9,'outputTokens':2}},"
	  CHUNK_METRICS(9, 2, 400) "}]",
	  "nova", "ALPHA", NULL, "BRAVO CHARLIE", "end_turn",
	  9, 2, NONE, NONE, 400, "ALPHA BRAVO CHARLIE", "messages[].content[].text", "[redacted 5 chars]" },
	{ "llama", "InvokeModel", "meta.llama3-8b-instruct-v1:0",
	  "{'prompt':'<|begin_of_text|><|start_header_id|>system<|end_header_id|>\\n\\nALPHA kind<|eot_id|>"
	  "<|start_header_id|>user<|end_header_id|>\\n\\nBRAVO llama<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n',"
	  "'max_gen_len':128}",
	  "{'generation':'CHARLIE human','prompt_token_count':30,'generation_token_count':3,'stop_reason':'stop'}",
	  "llama", "BRAVO llama", "ALPHA kind", "CHARLIE human", "stop",
	  30, 3, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE", NULL, NULL },
	{ "llama-stream", "InvokeModelWithResponseStream", "us.meta.llama3-2-3b-instruct-v1:0",
	  "{'prompt':'ALPHA plain','max_gen_len':64}",
	  "[{'generation':'BRAVO','prompt_token_count':30,'generation_token_count':1,'stop_reason':null},"
	  "{'generation':' CHARLIE','prompt_token_count':null,'generation_token_count':3,'stop_reason':'length',"
	  CHUNK_METRICS(30, 3, 77) "}]",
	  "llama", "ALPHA plain", NULL, "BRAVO CHARLIE", "length",
	  30, 3, NONE, NONE, 77, "ALPHA BRAVO CHARLIE", "prompt", "[redacted 11 chars]" },
	{ "mistral", "InvokeModel", "mistral.mistral-7b-instruct-v0:2",
	  "{'prompt':'<s>[INST] ALPHA colour [/INST]','max_tokens':50}",
	  "{'outputs':[{'text':'BRAVO blue','stop_reason':'stop'}]}",
	  "mistral", "ALPHA colour", NULL, "BRAVO blue", "stop",
	  NONE, NONE, NONE, NONE, NONE, "ALPHA BRAVO", "prompt", "[redacted 30 chars]" },
	{ "mistral-chat", "InvokeModel", "mistral.mistral-large-2407-v1:0",
	  "{'messages':[{'role':'system','content':'ALPHA formal'},{'role':'user','content':'BRAVO greet'}],'max_tokens':50}",
	  "{'choices':[{'index':0,'message':{'role':'assistant','content':'CHARLIE day'},'stop_reason':'stop'}]}",
	  "mistral", "BRAVO greet", "ALPHA formal", "CHARLIE day", "stop",
	  NONE, NONE, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE", NULL, NULL },
	{ "mistral-stream", "InvokeModelWithResponseStream", "mistral.mixtral-8x7b-instruct-v0:1",
	  "{'prompt':'<s>[INST] ALPHA [/INST]'}",
	  "[{'outputs':[{'text':'BRAVO','stop_reason':null}]},{'outputs':[{'text':' CHARLIE','stop_reason':'stop'}],"
	  CHUNK_METRICS(8, 2, 60) "}]",
	  "mistral", "ALPHA", NULL, "BRAVO CHARLIE", "stop",
	  8, 2, NONE, NONE, 60, "ALPHA BRAVO CHARLIE", NULL, NULL },
	{ "cohere-command-r", "InvokeModel", "cohere.command-r-v1:0",
	  "{'message':'ALPHA what','chat_history':[{'role':'USER','message':'BRAVO hi'},{'role':'CHATBOT','message':'CHARLIE hello'}],"
	  "'preamble':'DELTA expert','documents':[{'title':'ECHO','snippet':'FOXTROT'}]}",
	  "{'response_id':'r','text':'GOLF is','generation_id':'g','finish_reason':'COMPLETE',"
	  "'chat_history':[{'role':'USER','message':'ALPHA what'},{'role':'CHATBOT','message':'GOLF is'}],"
	  "'meta':{'billed_units':{'input_tokens':12,'output_tokens':4}}}",
	  "cohere", "BRAVO hi\nALPHA what", "DELTA expert", "GOLF is", "COMPLETE",
	  12, 4, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE DELTA ECHO FOXTROT GOLF", "preamble", "[redacted 12 chars]" },
	{ "cohere-command-r-stream", "InvokeModelWithResponseStream", "cohere.command-r-plus-v1:0",
	  "{'message':'ALPHA'}",
	  "[{'is_finished':false,'event_type':'stream-start','generation_id':'g'},"
	  "{'is_finished':false,'event_type':'text-generation','text':'BRAVO'},"
	  "{'is_finished':false,'event_type':'text-generation','text':' CHARLIE'},"
	  "{'is_finished':true,'event_type':'stream-end','response':{'text':'BRAVO CHARLIE'},'finish_reason':'COMPLETE',"
	  CHUNK_METRICS(6, 2, 120) "}]",
	  "cohere", "ALPHA", NULL, "BRAVO CHARLIE", "COMPLETE",
	  6, 2, NONE, NONE, 120, "ALPHA BRAVO CHARLIE", "message", "[redacted 5 chars]" },
	{ "cohere-command", "InvokeModel", "cohere.command-text-v14",
	  "{'prompt':'ALPHA story','max_tokens':40}",
	  "{'generations':[{'id':'x','text':'BRAVO once','finish_reason':'COMPLETE'}],'id':'y','prompt':'ALPHA story'}",
	  "cohere", "ALPHA story", NULL, "BRAVO once", "COMPLETE",
	  NONE, NONE, NONE, NONE, NONE, "ALPHA BRAVO", "prompt", "[redacted 11 chars]" },
	{ "openai-chat", "InvokeModel", "openai.gpt-oss-120b-1:0",
	  "{'messages':[{'role':'developer','content':'ALPHA french'},{'role':'user','content':[{'type':'text','text':'BRAVO hello'}]}]}",
	  "{'choices':[{'index':0,'message':{'role':'assistant','content':'CHARLIE bonjour'},'finish_reason':'stop'}],"
	  "'usage':{'prompt_tokens':11,'completion_tokens':2}}",
	  "openai-chat", "BRAVO hello", "ALPHA french", "CHARLIE bonjour", "stop",
	  11, 2, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE", NULL, NULL },
	{ "sniffed-app-profile", "InvokeModel",
	  "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123",
	  "{'anthropic_version':'bedrock-2023-05-31','max_tokens':10,'messages':[{'role':'user','content':'ALPHA'}]}",
	  "{'type':'message','role':'assistant','content':[{'type':'text','text':'BRAVO'}],'stop_reason':'end_turn',"
	  "'usage':{'input_tokens':3,'output_tokens':1}}",
	  "anthropic-messages", "ALPHA", NULL, "BRAVO", "end_turn",
	  3, 1, NONE, NONE, NONE, "ALPHA BRAVO", NULL, NULL },
	{ "unknown-format", "InvokeModel", "acme.mystery-v1",
	  "{'foo':'ALPHA','nested':{'list':['BRAVO',3]}}", "{'bar':'CHARLIE'}",
	  NULL, NULL, NULL, NULL, NULL,
	  NONE, NONE, NONE, NONE, NONE, "ALPHA BRAVO CHARLIE", "foo", "[redacted 5 chars]" },
	{ NULL }
};

/* ' -> " so fixtures read like JSON; \' is not needed by any fixture. */
static json_t *j(const char *s)
{
	char *t = strdup(s), *p;
	json_error_t je;
	json_t *v;

	for (p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(t, 0, &je);
	if (!v)
		printf("# bad fixture: %s: %s\n", je.text, t);
	free(t);
	return v;
}

static json_t *mklog(const char *op, const char *model, json_t *in, json_t *out)
{
	json_t *log = j("{'schemaType':'ModelInvocationLog','schemaVersion':'1.0',"
			"'timestamp':'2025-06-30T12:00:05Z','accountId':'111122223333',"
			"'identity':{'arn':'arn:aws:sts::111122223333:assumed-role/chat-api/i-0abc'},"
			"'region':'us-east-1','requestId':'7d3c2a50-1f7e-4c1b-9a43-0c5f3c7a9e11'}");

	json_object_set_new(log, "operation", json_string(op));
	json_object_set_new(log, "modelId", json_string(model));
	json_object_set_new(log, "input", json_pack("{s:s,s:o}", "inputContentType",
		"application/json", "inputBodyJson", in));
	json_object_set_new(log, "output", json_pack("{s:s,s:o}", "outputContentType",
		"application/json", "outputBodyJson", out));
	return log;
}

static long long ival(const json_t *rec, const char *k)
{
	const json_t *v = json_object_get(rec, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : NONE;
}

static const char *sval(const json_t *rec, const char *k)
{
	const json_t *v = json_object_get(rec, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int streq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void check_text(const char *got, const char *want, const char *what,
		       const char *name)
{
	if (!streq_null(got, want))
		printf("# %s %s:\n#   got:  [%s]\n#   want: [%s]\n", name, what,
		       got ? got : "(none)", want ? want : "(none)");
	T_OK(streq_null(got, want), "%s: %s text", name, what);
}

static void check_case(const struct fcase *c)
{
	json_t *log = mklog(c->op, c->model, j(c->in), j(c->out));
	bq_inv_opts ro = { .redact = true };
	bq_err err;
	json_t *rec = bq_invocation_normalize(log, NULL, &err);
	json_t *red = bq_invocation_normalize(log, &ro, &err);
	char *s;

	T_OK(rec && red, "%s: normalises", c->name);
	if (!rec || !red)
		goto out;
	T_OK(streq_null(bq_invocation_format_name(rec), c->fmt), "%s: format %s",
	     c->name, c->fmt ? c->fmt : "(unknown)");
	T_OK(ival(rec, "input_tokens") == c->in_tok &&
	     ival(rec, "output_tokens") == c->out_tok &&
	     ival(rec, "cache_read_tokens") == c->cr &&
	     ival(rec, "cache_write_tokens") == c->cw,
	     "%s: tokens %lld/%lld/%lld/%lld (got %lld/%lld/%lld/%lld)", c->name,
	     c->in_tok, c->out_tok, c->cr, c->cw, ival(rec, "input_tokens"),
	     ival(rec, "output_tokens"), ival(rec, "cache_read_tokens"),
	     ival(rec, "cache_write_tokens"));
	T_OK(ival(rec, "latency_ms") == c->lat, "%s: latency %lld", c->name, c->lat);
	T_OK(streq_null(sval(rec, "stop_reason"), c->stop), "%s: stop reason %s",
	     c->name, c->stop ? c->stop : "(none)");
	check_text(s = bq_invocation_prompt_text(rec), c->prompt, "prompt", c->name);
	free(s);
	check_text(s = bq_invocation_system_text(rec), c->system, "system", c->name);
	free(s);
	check_text(s = bq_invocation_answer_text(rec), c->answer, "answer", c->name);
	free(s);
	/* the same from the raw log record */
	check_text(s = bq_invocation_answer_text(log), c->answer, "raw-record answer", c->name);
	free(s);

	/* redaction: facts kept, no marker word left in either body */
	T_OK(ival(red, "input_tokens") == c->in_tok && ival(red, "output_tokens") == c->out_tok &&
	     streq_null(sval(red, "stop_reason"), c->stop) && ival(red, "latency_ms") == c->lat,
	     "%s: redacted record keeps tokens, stop reason, latency", c->name);
	{
		char *in = json_dumps(json_object_get(red, "input_body"), JSON_COMPACT);
		char *outb = json_dumps(json_object_get(red, "output_body"), JSON_COMPACT);
		char words[256], *w, *save = NULL;
		int leaked = 0;

		bq_strlcpy(words, c->secrets, sizeof(words));
		for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			if (strstr(in, w) || strstr(outb, w)) {
				printf("# %s: '%s' survived redaction\n", c->name, w);
				leaked++;
			}
		T_OK(leaked == 0 && strstr(in, "[redacted "), "%s: redaction leaves no text", c->name);
		free(in);
		free(outb);
	}
	if (c->redacted_path) {
		const char *got = NULL;
		const json_t *v = NULL;

		/* first string reached by the path, empty strings included */
		v = json_object_get(red, "input_body");
		v = bq_bodypath_first(v, c->redacted_path);
		got = json_is_string(v) ? json_string_value(v) : NULL;
		T_STREQ(got, c->redacted_want, "%s: %s redacted with its length", c->name,
			c->redacted_path);
	}
	/* the redacted stream still says what the model answered, in outline */
	s = bq_invocation_answer_text(red);
	T_OK(c->answer == NULL || (s && strncmp(s, "[redacted ", 10) == 0),
	     "%s: redacted answer text is redaction markers", c->name);
	free(s);
out:
	json_decref(rec);
	json_decref(red);
	json_decref(log);
}

static void check_model(const char *id, enum bq_model_kind kind, const char *geo,
			const char *base)
{
	bq_model_ref r;

	bq_model_parse(id, &r);
	T_OK(r.kind == kind && strcmp(r.geo, geo) == 0 && strcmp(r.base, base) == 0,
	     "model %s -> kind %d geo '%s' base '%s' (got %d '%s' '%s')", id, kind, geo,
	     base, r.kind, r.geo, r.base);
}

static int fake_lookup(void *ud, const char *arn, char *base, size_t n)
{
	int *calls = ud;

	(*calls)++;
	if (strstr(arn, "/known"))
		return bq_strlcpy(base, "anthropic.claude-3-haiku-20240307-v1:0", n);
	return -1;
}

static void check_envelope(void)
{
	json_t *log = mklog("Converse", "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/known",
			    j("{'messages':[]}"), j("{}"));
	json_t *rec;
	bq_err err;
	int calls = 0;
	bq_inv_opts o = { .lookup = fake_lookup, .lookup_ud = &calls };
	bq_inv_opts nb = { .no_bodies = true };
	char *dump;

	json_object_set_new(log, "inferenceRegion", json_string("us-west-2"));
	json_object_set_new(log, "errorCode", json_string("ThrottlingException"));
	json_object_set_new(log, "requestMetadata", j("{'team':'search'}"));
	json_object_set_new(json_object_get(log, "input"), "inputTokenCount", json_integer(0));
	json_object_set_new(json_object_get(log, "input"), "cacheReadInputTokenCount", json_integer(0));
	json_object_set_new(json_object_get(log, "output"), "outputTokenCount", json_integer(42));
	rec = bq_invocation_normalize(log, &o, &err);
	dump = json_dumps(rec, JSON_COMPACT);
	T_STREQ(dump,
		"{\"kind\":\"invocation\",\"ts\":\"2025-06-30T12:00:05Z\","
		"\"request_id\":\"7d3c2a50-1f7e-4c1b-9a43-0c5f3c7a9e11\","
		"\"model_id\":\"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/known\","
		"\"base_model_id\":\"anthropic.claude-3-haiku-20240307-v1:0\",\"operation\":\"Converse\","
		"\"identity\":\"arn:aws:sts::111122223333:assumed-role/chat-api/i-0abc\","
		"\"account_id\":\"111122223333\",\"region\":\"us-east-1\",\"inference_region\":\"us-west-2\","
		"\"input_tokens\":0,\"output_tokens\":42,\"cache_read_tokens\":0,"
		"\"error_code\":\"ThrottlingException\",\"request_metadata\":{\"team\":\"search\"},"
		"\"input_body\":{\"messages\":[]},\"output_body\":{}}",
		"whole record: key order, zero counts kept, looked-up base model");
	T_OK(calls == 1, "lookup called once for an application profile");
	free(dump);
	json_decref(rec);

	/* envelope counts win over the body's */
	json_object_set_new(json_object_get(log, "output"), "outputBodyJson",
			    j("{'usage':{'inputTokens':5,'outputTokens':6}}"));
	rec = bq_invocation_normalize(log, &nb, &err);
	T_OK(ival(rec, "input_tokens") == 0 && ival(rec, "output_tokens") == 42,
	     "envelope token counts win over the body's");
	T_OK(!json_object_get(rec, "input_body") && !json_object_get(rec, "output_body"),
	     "--no-bodies drops both bodies");
	T_OK(!json_object_get(rec, "base_model_id"), "application profile without lookup: no base model");
	json_decref(rec);

	/* offloaded bodies */
	json_object_del(json_object_get(log, "input"), "inputBodyJson");
	json_object_set_new(json_object_get(log, "input"), "inputBodyS3Path",
			    json_string("s3://b/p/data/x_input.json.gz"));
	json_object_set_new(log, "timestamp", json_string("2025-06-30T14:00:05.25+02:00"));
	rec = bq_invocation_normalize(log, NULL, &err);
	T_STREQ(sval(rec, "input_body_s3_path"), "s3://b/p/data/x_input.json.gz",
		"offloaded input body: the S3 path is kept");
	T_STREQ(sval(rec, "ts"), "2025-06-30T12:00:05.250Z", "offset and fraction normalised to UTC ms");
	json_decref(rec);

	json_object_set_new(log, "timestamp", json_string("yesterday"));
	T_OK(bq_invocation_normalize(log, NULL, &err) == NULL && err.exit_status == BQ_EXIT_INPUT &&
	     strstr(err.message, "bad timestamp"), "bad timestamp is a rejected record");
	json_object_del(log, "timestamp");
	T_OK(bq_invocation_normalize(log, NULL, &err) == NULL && strstr(err.message, "timestamp"),
	     "record without timestamp is rejected");
	{
		json_t *a = json_array();

		T_OK(bq_invocation_normalize(a, NULL, &err) == NULL &&
		     strstr(err.message, "not a JSON object"), "non-object is rejected");
		json_decref(a);
	}
	json_decref(log);
}

int main(void)
{
	const struct fcase *c;
	char buf[64];

	for (c = cases; c->name; c++)
		check_case(c);
	check_envelope();

	check_model("us.anthropic.claude-3-5-haiku-20241022-v1:0", BQ_MODEL_SYSTEM_PROFILE, "us",
		    "anthropic.claude-3-5-haiku-20241022-v1:0");
	check_model("global.anthropic.claude-sonnet-4-20250514-v1:0", BQ_MODEL_SYSTEM_PROFILE,
		    "global", "anthropic.claude-sonnet-4-20250514-v1:0");
	check_model("apac.amazon.nova-micro-v1:0", BQ_MODEL_SYSTEM_PROFILE, "apac", "amazon.nova-micro-v1:0");
	check_model("eu.meta.llama3-2-3b-instruct-v1:0", BQ_MODEL_SYSTEM_PROFILE, "eu",
		    "meta.llama3-2-3b-instruct-v1:0");
	check_model("anthropic.claude-v2", BQ_MODEL_FOUNDATION, "", "anthropic.claude-v2");
	check_model("us.weird", BQ_MODEL_FOUNDATION, "", "us.weird");
	check_model("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1",
		    BQ_MODEL_FOUNDATION, "", "anthropic.claude-v2:1");
	check_model("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.meta.llama3-2-3b-instruct-v1:0",
		    BQ_MODEL_SYSTEM_PROFILE, "eu", "meta.llama3-2-3b-instruct-v1:0");
	check_model("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-3-haiku-20240307-v1:0",
		    BQ_MODEL_SYSTEM_PROFILE, "us-gov", "anthropic.claude-3-haiku-20240307-v1:0");
	check_model("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3",
		    BQ_MODEL_APP_PROFILE, "", "");
	check_model("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", BQ_MODEL_PROVISIONED, "", "");
	check_model("arn:aws:bedrock:us-east-1:123456789012:custom-model/anthropic.claude-instant-v1:2:100k/x1",
		    BQ_MODEL_CUSTOM, "", "");
	check_model("", BQ_MODEL_OTHER, "", "");
	T_OK(bq_model_base_id("us.amazon.nova-pro-v1:0", buf, sizeof(buf)) == 0 &&
	     strcmp(buf, "amazon.nova-pro-v1:0") == 0, "bq_model_base_id strips the geo prefix");
	T_OK(bq_model_base_id("arn:aws:bedrock:us-east-1:1:application-inference-profile/x", buf,
			      sizeof(buf)) == -1 && buf[0] == '\0', "bq_model_base_id: unknown is -1 and empty");
	T_OK(bq_utf8_width("h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80", 17) == 13,
	     "utf-8 characters are counted, not bytes");
	{
		json_t *b = j("{'text':'h\xc3\xa9llo','role':'user','n':3,'ok':true,'e':''}");
		json_t *r = bq_body_redact(b);
		char *d = json_dumps(r, JSON_COMPACT);

		T_STREQ(d, "{\"text\":\"[redacted 5 chars]\",\"role\":\"user\",\"n\":3,\"ok\":true,\"e\":\"\"}",
			"redaction counts characters and keeps structure, numbers and empty strings");
		free(d);
		json_decref(b);
		json_decref(r);
	}
	T_OK(bq_body_format_by_name("nova") != NULL && bq_body_format_by_name("nope") == NULL,
	     "format rows by name");
	return T_DONE();
}
