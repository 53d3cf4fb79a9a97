/*
 * invocation_formats: the table of request/response body formats found in
 * Bedrock model invocation logs, and how to tell which one a record uses.
 *
 * One row per format (Converse, Anthropic messages and legacy completion,
 * Amazon Titan text, Amazon Nova, Meta Llama, Mistral, Cohere, OpenAI-style
 * chat).  Each row is data: bodypath expressions (lib/bodypath.h) saying
 * where the prompt, system prompt, answer, stop reason, token counts and
 * latency live, for a whole response object and for streamed responses
 * (output logged as an array of chunks).  Adding a format is adding a row;
 * lib/invocation.c holds the one interpreter of the rows.
 *
 * Ownership: the table is static and read-only; everything returned is
 * borrowed from it.  Functions taking json_t* borrow.
 */
#ifndef BQ_INVOCATION_FORMATS_H
#define BQ_INVOCATION_FORMATS_H

#include <jansson.h>

#define BQ_FMT_PATHS 8 /* path slots per field; unused slots are NULL */

typedef struct bq_body_format {
	const char *name;       /* "converse", "anthropic-messages", ... */
	/* Space-separated operations that select this row whatever the
	 * model (Converse APIs share one body format for every model). */
	const char *operations;
	/* Space-separated prefixes of the base model id ("anthropic."). */
	const char *models;
	/* Paths whose presence in the input / output body (or any chunk of a
	 * streamed output) marks this format; used to choose between rows
	 * for one provider and to sniff bodies of unknown models. */
	const char *probe_in[BQ_FMT_PATHS];
	const char *probe_out[BQ_FMT_PATHS];
	/* Input-body text of the user turns, and of the system prompt. */
	const char *prompt[BQ_FMT_PATHS];
	const char *system[BQ_FMT_PATHS];
	/* Output-body text of the answer (whole response object). */
	const char *answer[BQ_FMT_PATHS];
	/* Per-chunk text of a streamed answer, concatenated in order. */
	const char *delta[BQ_FMT_PATHS];
	/* The rest apply to the response object, or to every chunk of a
	 * stream (the last chunk that has a value wins). */
	const char *stop[BQ_FMT_PATHS];
	const char *input_tokens[BQ_FMT_PATHS];
	const char *output_tokens[BQ_FMT_PATHS];
	const char *cache_read_tokens[BQ_FMT_PATHS];
	const char *cache_write_tokens[BQ_FMT_PATHS];
	const char *latency_ms[BQ_FMT_PATHS];
	/* Prompt strings use a chat template (Human:/Assistant:, Llama
	 * headers, [INST]) to unwrap into user and system text. */
	int templated;
} bq_body_format;

/* The rows, terminated by a row whose name is NULL. */
extern const bq_body_format bq_body_formats[];

/* Paths every streamed response may carry (Bedrock's
 * amazon-bedrock-invocationMetrics object in the last chunk); consulted
 * after a row's own paths, and alone for unknown formats.  Field order as
 * in bq_body_format: stop is unused. */
extern const bq_body_format bq_body_format_common;

/*
 * Chooses the row for a record: the Converse row for Converse operations;
 * else the rows whose model prefix matches base_model (or model_id when the
 * base is unknown), preferring one whose probe matches the bodies; else the
 * first row whose probe matches.  NULL when nothing fits (unknown format:
 * the caller still has the envelope).  Any argument may be NULL.
 */
const bq_body_format *bq_body_format_detect(const char *operation,
					    const char *model,
					    const json_t *input_body,
					    const json_t *output_body);

/* The row with this name, or NULL. */
const bq_body_format *bq_body_format_by_name(const char *name);

#endif
