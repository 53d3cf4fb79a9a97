/*
 * prompt_template: unwraps the chat templates that InvokeModel prompt
 * strings carry, so a judge sees what the user and the system prompt said
 * rather than the model's control tokens.
 *
 * Known templates:
 *   Anthropic text completions  "[system]\n\nHuman: ...\n\nAssistant: ..."
 *   Llama 3                     "<|start_header_id|>user<|end_header_id|>\n\n...<|eot_id|>"
 *   Llama 2 / Mistral           "<s>[INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST] ... </s>"
 *
 * Ownership: borrows the input; appends to a caller-owned bq_buf.
 */
#ifndef BQ_PROMPT_TEMPLATE_H
#define BQ_PROMPT_TEMPLATE_H

#include <stddef.h>

#include "buf.h"

enum bq_turn_role {
	BQ_TURN_USER = 1,
	BQ_TURN_SYSTEM = 2,
	BQ_TURN_ASSISTANT = 3
};

/*
 * If s (n bytes) uses a known template, appends the text of every turn with
 * the role `want` to out, turns separated by sep (out gets sep before a turn
 * only when it is not empty), each turn trimmed of surrounding white space,
 * and returns 1.  Returns 0 (out unchanged) when s uses no known template,
 * -1 when out could not grow.
 */
int bq_prompt_template_turns(const char *s, size_t n, enum bq_turn_role want,
			     const char *sep, bq_buf *out);

#endif
