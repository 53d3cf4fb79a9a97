#include "prompt_template.h"
#include "t.h"

static const char *turns(const char *s, enum bq_turn_role r, bq_buf *b)
{
	bq_buf_reset(b);
	if (bq_prompt_template_turns(s, strlen(s), r, "|", b) != 1)
		return "(no template)";
	return bq_buf_cstr(b);
}

int main(void)
{
	bq_buf b = BQ_BUF_INIT;
	const char *l3 =
		"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe kind.<|eot_id|>"
		"<|start_header_id|>user<|end_header_id|>\n\nHello llama<|eot_id|>"
		"<|start_header_id|>assistant<|end_header_id|>\n\nHi!<|eot_id|>"
		"<|start_header_id|>user<|end_header_id|>\n\nAgain<|eot_id|>"
		"<|start_header_id|>assistant<|end_header_id|>\n\n";
	const char *l2 = "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nName a colour [/INST] Blue </s>"
			 "<s>[INST] Another [/INST]";
	const char *an = "You are funny.\n\nHuman: Tell me a joke\n\nAssistant: No.\n\nHuman: Please\n\nAssistant:";

	T_STREQ(turns(l3, BQ_TURN_USER, &b), "Hello llama|Again", "llama3 user turns");
	T_STREQ(turns(l3, BQ_TURN_SYSTEM, &b), "Be kind.", "llama3 system turn");
	T_STREQ(turns(l3, BQ_TURN_ASSISTANT, &b), "Hi!", "llama3 assistant turns");
	T_STREQ(turns(l2, BQ_TURN_USER, &b), "Name a colour|Another", "[INST] user turns");
	T_STREQ(turns(l2, BQ_TURN_SYSTEM, &b), "You are terse.", "[INST] <<SYS>> system");
	T_STREQ(turns(l2, BQ_TURN_ASSISTANT, &b), "Blue", "[INST] assistant turns");
	T_STREQ(turns("<s>[INST] What is up? [/INST]", BQ_TURN_USER, &b), "What is up?",
		"mistral prompt without system");
	T_STREQ(turns(an, BQ_TURN_USER, &b), "Tell me a joke|Please", "Human: turns");
	T_STREQ(turns(an, BQ_TURN_SYSTEM, &b), "You are funny.", "text before Human: is the system prompt");
	T_STREQ(turns(an, BQ_TURN_ASSISTANT, &b), "No.", "Assistant: turns");
	T_STREQ(turns("\n\nHuman: Hi\n\nAssistant:", BQ_TURN_SYSTEM, &b), "",
		"no system paragraph");
	T_STREQ(turns("The Human: is a label here, Assistant: too", BQ_TURN_USER, &b),
		"(no template)", "prose mentioning Human: is not a template");
	T_STREQ(turns("plain prompt", BQ_TURN_USER, &b), "(no template)", "plain text");
	bq_buf_release(&b);
	return T_DONE();
}
