/*
 * invocation: Bedrock model invocation log records -> `invocation` records
 * (interface.md section 5, bq-logs), and the helpers other tools reuse on
 * those records: the prompt, system prompt and answer text (bq-judge), the
 * model id normalisation (bq-cost), body redaction.
 *
 * The invocation record, keys in this order, each present only when the
 * log has it (counts the source gives are emitted even when zero):
 *   {"kind":"invocation","ts","request_id","model_id","base_model_id",
 *    "operation","identity","account_id","region","inference_region",
 *    "input_tokens","output_tokens","cache_read_tokens","cache_write_tokens",
 *    "latency_ms","stop_reason","error_code","request_metadata":{},
 *    "input_body":{},"output_body":{}|[],
 *    "input_body_s3_path","output_body_s3_path"}
 *   ts           RFC 3339 UTC with Z; milliseconds when the source has them
 *   model_id     exactly as invoked (profile ids and ARNs included)
 *   base_model_id  the foundation model behind it where it can be told
 *                (see bq_model_parse)
 *   *_tokens     the envelope's counts (input.inputTokenCount, ...), else
 *                the body's (usage blocks, stream metrics)
 *   latency_ms, stop_reason  from the body (table-driven per format)
 *   output_body  an array of chunks for streamed InvokeModel responses
 *   *_s3_path    the offload reference, when the body was not inline
 *
 * Body formats are described as data in lib/invocation_formats.c; an
 * unknown format still gives a record with what the envelope has.
 *
 * Ownership: functions taking json_t * borrow it.  Functions returning
 * json_t * return a new reference.  Returned char * are malloc'd,
 * NUL-terminated, and the caller frees them.  No function here does I/O or
 * keeps state.
 */
#ifndef BQ_INVOCATION_H
#define BQ_INVOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

/* ---- model ids (bq-cost uses these) ---- */

enum bq_model_kind {
	BQ_MODEL_FOUNDATION = 0, /* "anthropic.claude-3-haiku-...-v1:0" or its ARN */
	BQ_MODEL_SYSTEM_PROFILE, /* "us.anthropic..." cross-region profile, id or ARN */
	BQ_MODEL_APP_PROFILE,    /* ...:application-inference-profile/ID */
	BQ_MODEL_CUSTOM,         /* custom-model, imported-model ARNs */
	BQ_MODEL_PROVISIONED,    /* provisioned-model ARN */
	BQ_MODEL_OTHER           /* prompt routers, anything else */
};

typedef struct bq_model_ref {
	enum bq_model_kind kind;
	char geo[16];   /* cross-region prefix without the dot ("us", "eu",
			 * "apac", "global", ...), "" when none */
	char base[256]; /* base (foundation) model id, "" when it cannot be
			 * told from the id alone (application profiles,
			 * custom and provisioned models) */
} bq_model_ref;

/*
 * Classifies a model id as invoked and finds the foundation model where the
 * id says it: a foundation-model ARN gives its id; a cross-region profile
 * ("us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca.")
 * gives the id without the prefix, also from an inference-profile ARN; a
 * plain id is its own base.  An application inference profile ARN gives
 * no base (ask GetInferenceProfile, see bq_inv_opts.lookup).
 */
void bq_model_parse(const char *model_id, bq_model_ref *out);

/* The base model id into out (size n): 0 when it could be told, -1 (out
 * set to "") when not. */
int bq_model_base_id(const char *model_id, char *out, size_t n);

/* ---- normalisation ---- */

/* Resolves an application inference profile ARN to its base model id
 * (e.g. through GetInferenceProfile, cached by the caller).  Return 0 with
 * base filled, -1 when unknown. */
typedef int (*bq_profile_lookup_fn)(void *ud, const char *arn, char *base,
				    size_t n);

typedef struct bq_inv_opts {
	bool no_bodies;   /* drop input_body / output_body */
	bool redact;      /* bodies through bq_body_redact */
	bq_profile_lookup_fn lookup; /* NULL: no lookups */
	void *lookup_ud;
} bq_inv_opts;

/* The envelope of a raw log record, for filtering before the (costlier)
 * normalisation.  Strings are borrowed from the record, NULL when absent. */
typedef struct bq_inv_envelope {
	int64_t ts_ms;
	const char *timestamp;   /* as logged */
	const char *request_id;
	const char *model_id;
	const char *operation;
	const char *identity;    /* identity.arn */
	const char *account_id;
	const char *region;
	const char *inference_region;
	const char *error_code;
} bq_inv_envelope;

/* Fills env from a raw log record.  -1 (BQ_EXIT_INPUT) with a reason when
 * the record is not an object or has no usable "timestamp" (every record
 * Bedrock writes has one; without it no window can be applied). */
int bq_invocation_envelope(const json_t *log, bq_inv_envelope *env,
			   bq_err *err);

/* Parses an RFC 3339 timestamp as logged ("2025-03-11T00:38:02Z", with
 * optional fractions and offset) into ms since the epoch.  0 or -1. */
int bq_invocation_parse_ts(const char *s, int64_t *ms);

/* The invocation record of a raw log record (NULL with err, as for
 * bq_invocation_envelope).  opts may be NULL (bodies kept, no lookups). */
json_t *bq_invocation_normalize(const json_t *log, const bq_inv_opts *opts,
				bq_err *err);

/* ---- text of prompt and answer (bq-judge uses these) ----
 *
 * Each takes an invocation record from bq_invocation_normalize (or a raw
 * log record: input.inputBodyJson / output.outputBodyJson are read then),
 * recognises the body format from operation, base_model_id / model_id and
 * the bodies' shape, and returns the text, or NULL when the record has
 * none (no body, --no-bodies, unknown format, a tool-use-only answer).
 * Several pieces (turns, content blocks) are joined with "\n"; streamed
 * answers are the concatenation of their text deltas.  Chat templates in
 * prompt strings (Anthropic "Human:", Llama 3 headers, [INST]) are
 * unwrapped (lib/prompt_template.h).
 *   prompt  the text of the user turns (tool results and images left out)
 *   system  the system prompt
 *   answer  the text of the model's answer (reasoning and tool calls left
 *           out)
 */
char *bq_invocation_prompt_text(const json_t *rec);
char *bq_invocation_system_text(const json_t *rec);
char *bq_invocation_answer_text(const json_t *rec);

/* The name of the body format row used for rec ("converse",
 * "anthropic-messages", ...), or NULL when unknown.  Borrowed. */
const char *bq_invocation_format_name(const json_t *rec);

/* ---- redaction ----
 *
 * A copy of body with the text inside replaced by "[redacted N chars]"
 * (N = Unicode characters): every string value, except under keys that
 * name structure rather than content (role, type, stop reasons, ids,
 * format names, tool names, schema versions); inside free-form JSON (tool
 * inputs, JSON schemas) every string is replaced.  Numbers, booleans and
 * keys are kept, so token counts and the shape survive.  This fails
 * closed: an unknown format loses its text too. */
json_t *bq_body_redact(const json_t *body);

#endif
