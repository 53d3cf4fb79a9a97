#include "invocation_formats.h"

#include "bodypath.h"

#include <stdbool.h>
#include <string.h>

/*
 * Sources for the shapes: bedrock-runtime.service-2.json (Converse), the
 * providers' InvokeModel request/response documentation as summarised in
 * bedrock-facts.md 3.4 and 8.2, and the streamed chunk shapes those
 * providers document.  Where a provider has two dialects (Mistral's
 * completion and chat, Cohere's Command and Command R) one row lists both
 * sets of paths: a path that is absent simply yields nothing.
 */
const bq_body_format bq_body_formats[] = {
	{
		.name = "converse",
		.operations = "Converse ConverseStream",
		.probe_in = { "inferenceConfig", "messages[].content[].text" },
		.probe_out = { "output.message", "contentBlockDelta",
			       "messageStart", "metrics.latencyMs" },
		.prompt = { "messages[role=user].content[].text" },
		.system = { "system[].text" },
		.answer = { "output.message.content[].text" },
		/* ConverseStream events, wrapped by event name or bare. */
		.delta = { "contentBlockDelta.delta.text", "delta.text" },
		.stop = { "stopReason", "messageStop.stopReason" },
		.input_tokens = { "usage.inputTokens",
				  "metadata.usage.inputTokens" },
		.output_tokens = { "usage.outputTokens",
				   "metadata.usage.outputTokens" },
		.cache_read_tokens = { "usage.cacheReadInputTokens",
				       "metadata.usage.cacheReadInputTokens",
				       "usage.cacheReadInputTokenCount" },
		.cache_write_tokens = { "usage.cacheWriteInputTokens",
					"metadata.usage.cacheWriteInputTokens",
					"usage.cacheWriteInputTokenCount" },
		.latency_ms = { "metrics.latencyMs",
				"metadata.metrics.latencyMs" },
	},
	{
		/* Text completions API (Claude 1/2): "\n\nHuman: ...". */
		.name = "anthropic-completion",
		.models = "anthropic.",
		.probe_in = { "max_tokens_to_sample" },
		.probe_out = { "completion" },
		.prompt = { "prompt" },
		.answer = { "completion" },
		.delta = { "completion" },
		.stop = { "stop_reason" },
		.templated = 1,
	},
	{
		.name = "anthropic-messages",
		.models = "anthropic.",
		.probe_in = { "anthropic_version", "messages" },
		.probe_out = { "content[].type", "message.usage",
			       "delta.stop_reason" },
		/* content is a string or a list of blocks */
		.prompt = { "messages[role=user].content{.|[type=text].text}" },
		.system = { "system{.|[].text}" },
		.answer = { "content[type=text].text" },
		/* content_block_start may carry initial text, then
		 * content_block_delta {"type":"text_delta","text"}. */
		.delta = { "content_block.text", "delta.text" },
		.stop = { "stop_reason", "delta.stop_reason",
			  "message.stop_reason" },
		.input_tokens = { "usage.input_tokens",
				  "message.usage.input_tokens" },
		.output_tokens = { "usage.output_tokens",
				   "message.usage.output_tokens" },
		.cache_read_tokens = { "usage.cache_read_input_tokens",
				       "message.usage.cache_read_input_tokens" },
		.cache_write_tokens = { "usage.cache_creation_input_tokens",
					"message.usage.cache_creation_input_tokens" },
	},
	{
		.name = "titan-text",
		.models = "amazon.titan-text amazon.titan-tg1 amazon.titan-embed",
		.probe_in = { "inputText", "textGenerationConfig" },
		.probe_out = { "results[].outputText", "outputText",
			       "inputTextTokenCount" },
		.prompt = { "inputText" },
		.answer = { "results[].outputText" },
		.delta = { "outputText" },
		.stop = { "results[].completionReason", "completionReason" },
		.input_tokens = { "inputTextTokenCount" },
		.output_tokens = { "results[].tokenCount",
				   "totalOutputTextTokenCount" },
	},
	{
		.name = "nova",
		.models = "amazon.nova",
		.probe_in = { "schemaVersion" },
		.probe_out = { "output.message", "contentBlockDelta",
			       "messageStart" },
		.prompt = { "messages[role=user].content[].text" },
		.system = { "system[].text" },
		.answer = { "output.message.content[].text" },
		.delta = { "contentBlockDelta.delta.text" },
		.stop = { "stopReason", "messageStop.stopReason" },
		.input_tokens = { "usage.inputTokens",
				  "metadata.usage.inputTokens" },
		.output_tokens = { "usage.outputTokens",
				   "metadata.usage.outputTokens" },
		.cache_read_tokens = { "usage.cacheReadInputTokenCount",
				       "metadata.usage.cacheReadInputTokenCount",
				       "usage.cacheReadInputTokens" },
		.cache_write_tokens = { "usage.cacheWriteInputTokenCount",
					"metadata.usage.cacheWriteInputTokenCount",
					"usage.cacheWriteInputTokens" },
		.latency_ms = { "metrics.latencyMs",
				"metadata.metrics.latencyMs" },
	},
	{
		.name = "llama",
		.models = "meta.llama",
		.probe_in = { "max_gen_len" },
		.probe_out = { "generation", "generation_token_count" },
		.prompt = { "prompt" },
		.answer = { "generation" },
		.delta = { "generation" },
		.stop = { "stop_reason" },
		.input_tokens = { "prompt_token_count" },
		.output_tokens = { "generation_token_count" },
		.templated = 1,
	},
	{
		.name = "mistral",
		.models = "mistral.",
		.probe_out = { "outputs[].text" },
		.prompt = { "prompt", "messages[role=user].content{.|[].text}" },
		.system = { "messages[role=system].content{.|[].text}" },
		.answer = { "outputs[].text", "choices[].message.content" },
		.delta = { "outputs[].text", "choices[].delta.content",
			   "choices[].message.content" },
		.stop = { "outputs[].stop_reason", "choices[].stop_reason",
			  "choices[].finish_reason" },
		.input_tokens = { "usage.prompt_tokens" },
		.output_tokens = { "usage.completion_tokens" },
		.templated = 1,
	},
	{
		.name = "cohere",
		.models = "cohere.",
		.probe_in = { "chat_history", "preamble", "message", "texts" },
		.probe_out = { "generations[].text", "generation_id",
			       "event_type", "is_finished" },
		/* Command R: message + chat_history; Command: prompt;
		 * Embed: texts. */
		.prompt = { "chat_history[role=USER].message", "message",
			    "prompt", "texts[]" },
		.system = { "preamble" },
		.answer = { "text", "generations[].text" },
		.delta = { "text", "generations[].text" },
		.stop = { "finish_reason", "generations[].finish_reason" },
		.input_tokens = { "meta.billed_units.input_tokens" },
		.output_tokens = { "meta.billed_units.output_tokens" },
	},
	{
		/* OpenAI-compatible chat (gpt-oss, DeepSeek, Qwen). */
		.name = "openai-chat",
		.models = "openai. deepseek. qwen.",
		.probe_out = { "choices" },
		.prompt = { "messages[role=user].content{.|[].text}",
			    "prompt" },
		.system = {
			"messages[role=system|developer].content{.|[].text}" },
		.answer = { "choices[].message.content", "choices[].text" },
		.delta = { "choices[].delta.content", "choices[].text" },
		.stop = { "choices[].finish_reason", "choices[].stop_reason" },
		.input_tokens = { "usage.prompt_tokens" },
		.output_tokens = { "usage.completion_tokens" },
		.templated = 1,
	},
	{ .name = NULL },
};

const bq_body_format bq_body_format_common = {
	.name = "common",
	.input_tokens = { "amazon-bedrock-invocationMetrics.inputTokenCount" },
	.output_tokens = { "amazon-bedrock-invocationMetrics.outputTokenCount" },
	.cache_read_tokens = {
		"amazon-bedrock-invocationMetrics.cacheReadInputTokenCount" },
	.cache_write_tokens = {
		"amazon-bedrock-invocationMetrics.cacheWriteInputTokenCount" },
	.latency_ms = { "amazon-bedrock-invocationMetrics.invocationLatency" },
};

/* True when word is one of the space-separated words of list. */
static bool word_in(const char *word, const char *list)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p && *p) {
		const char *sp = strchr(p, ' ');
		size_t l = sp ? (size_t)(sp - p) : strlen(p);

		if (l == n && memcmp(p, word, n) == 0)
			return true;
		p = sp ? sp + 1 : NULL;
	}
	return false;
}

static bool prefix_in(const char *model, const char *list)
{
	const char *p = list;

	while (p && *p) {
		const char *sp = strchr(p, ' ');
		size_t l = sp ? (size_t)(sp - p) : strlen(p);

		if (l && strncmp(model, p, l) == 0)
			return true;
		p = sp ? sp + 1 : NULL;
	}
	return false;
}

static bool any_path(const json_t *body, const char *const *paths)
{
	int i;

	if (!body)
		return false;
	for (i = 0; i < BQ_FMT_PATHS && paths[i]; i++) {
		if (json_is_array(body)) {
			size_t k;
			const json_t *chunk;

			/* a streamed output: any chunk may carry it */
			json_array_foreach(body, k, chunk)
				if (bq_bodypath_first(chunk, paths[i]))
					return true;
		} else if (bq_bodypath_first(body, paths[i])) {
			return true;
		}
	}
	return false;
}

static bool probes(const bq_body_format *f, const json_t *in,
		   const json_t *out)
{
	return any_path(in, f->probe_in) || any_path(out, f->probe_out);
}

const bq_body_format *bq_body_format_detect(const char *operation,
					    const char *model,
					    const json_t *input_body,
					    const json_t *output_body)
{
	const bq_body_format *f, *by_model = NULL;

	if (operation) {
		for (f = bq_body_formats; f->name; f++)
			if (f->operations && word_in(operation, f->operations))
				return f;
	}
	if (model && *model) {
		for (f = bq_body_formats; f->name; f++) {
			if (!f->models || !prefix_in(model, f->models))
				continue;
			if (probes(f, input_body, output_body))
				return f;
			if (!by_model)
				by_model = f;
		}
		if (by_model)
			return by_model;
	}
	/* Unknown model (an application inference profile, a custom or
	 * imported model): recognise the body by its shape, the response
	 * first since it differs most between providers.  Rows come in an
	 * order where the more specific probes are tried first. */
	for (f = bq_body_formats; f->name; f++)
		if (!f->operations && any_path(output_body, f->probe_out))
			return f;
	for (f = bq_body_formats; f->name; f++)
		if (!f->operations && any_path(input_body, f->probe_in))
			return f;
	return NULL;
}

const bq_body_format *bq_body_format_by_name(const char *name)
{
	const bq_body_format *f;

	for (f = bq_body_formats; name && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
