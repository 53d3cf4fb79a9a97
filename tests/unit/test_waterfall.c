/* Golden tests for lib/waterfall: the picture of a fixed trace, byte for
 * byte, in plain and coloured form, and its independence of input order. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "waterfall.h"

#define FULL "\xe2\x96\x88"
#define OPEN "\xe2\x96\x91"

static const bq_wf_span SPANS[] = {
	{ "c1", "b1", "bedrock-runtime Converse [anthropic.claude]", 100.2, 100.8, true, false, true, false, 503 },
	{ "a1", NULL, "chat-api", 100.0, 101.0, true, false, false, false, 0 },
	{ "b1", "a1", "handler", 100.1, 100.9, true, false, false, false, 0 },
	{ "b2", "a1", "cache", 100.9, 100.95, true, true, false, true, 429 },
	{ "z9", "gone", "orphan", 100.5, 100.5, false, false, false, false, 0 },
};

/* 70 columns: label 40, " |", 14 bar cells, "| NNNNNN.N ms" */
static const char GOLDEN[] =
	"trace 1-abc  1000.0 ms  5 spans\n"
	"chat-api                                 |" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "|    1000.0 ms\n"
	"  handler                                | " FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL " |     800.0 ms\n"
	"    bedrock-runtime Converse [anthropic~ |  " FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "" FULL "  |     600.0 ms  fault 503\n"
	"  cache                                  |            " FULL "" FULL "|      50.0 ms  error throttle 429\n"
	"orphan                                   |       " OPEN "" OPEN "" OPEN "" OPEN "" OPEN "" OPEN "" OPEN "|   running\n";

static void test_plain(void)
{
	bq_buf out = BQ_BUF_INIT;
	bq_wf_opts o = { 70, false };
	T_OK(bq_waterfall_render("1-abc", SPANS, 5, &o, &out) == 0, "render ok");
	T_STREQ(bq_buf_cstr(&out), GOLDEN, "golden picture");

	/* Same spans in reverse order: same picture. */
	bq_wf_span rev[5];
	for (int i = 0; i < 5; i++)
		rev[i] = SPANS[4 - i];
	bq_buf out2 = BQ_BUF_INIT;
	bq_waterfall_render("1-abc", rev, 5, &o, &out2);
	T_STREQ(bq_buf_cstr(&out2), GOLDEN, "input order does not matter");
	T_OK(strstr(bq_buf_cstr(&out), "\033[") == NULL, "no escape codes without color");
	bq_buf_release(&out);
	bq_buf_release(&out2);
}

static void test_color(void)
{
	bq_buf out = BQ_BUF_INIT;
	bq_wf_opts o = { 64, true };
	bq_waterfall_render("1-abc", SPANS, 2, &o, &out);
	T_STREQ(bq_buf_cstr(&out),
		"\033[1mtrace 1-abc  1000.0 ms  2 spans\033[0m\n"
		"chat-api                                 |\033[36m" FULL FULL FULL FULL FULL FULL FULL FULL "\033[0m|    1000.0 ms\n"
		"bedrock-runtime Converse [anthropic.cla~ | \033[31m" FULL FULL FULL FULL FULL FULL "\033[0m |     600.0 ms\033[31m  fault 503\033[0m\n",
		"colour: cyan ok bar, red fault bar and flags; a span whose parent is absent is a root");
	bq_buf_release(&out);
}

static void test_edges(void)
{
	bq_buf out = BQ_BUF_INIT;
	T_OK(bq_waterfall_render("t", NULL, 0, NULL, &out) == 0 &&
	     strcmp(bq_buf_cstr(&out), "trace t  0.0 ms  0 spans\n") == 0, "empty trace: header only");

	/* A parent cycle still draws every span once. */
	bq_wf_span cyc[] = {
		{ "x", "y", "x", 1, 2, true, false, false, false, 0 },
		{ "y", "x", "y", 1.5, 2, true, false, false, false, 0 },
		{ "s", "s", "self", 1, 1, true, false, false, false, 0 },
	};
	bq_buf_reset(&out);
	bq_wf_opts o = { 0, false };
	bq_waterfall_render("c", cyc, 3, &o, &out);
	const char *s = bq_buf_cstr(&out);
	int lines = 0;
	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	T_OK(lines == 4 && strstr(s, "\ny ") && strstr(s, "\n  x ") && strstr(s, "\nself "), "cycle and self-parent drawn once each");

	/* Zero-length trace: bars still one cell wide; width 100 by default. */
	bq_wf_span one[] = { { "a", NULL, "only", 5, 5, true, false, false, false, 0 } };
	bq_buf_reset(&out);
	bq_waterfall_render("z", one, 1, NULL, &out);
	const char *row = strchr(bq_buf_cstr(&out), '\n') + 1;
	T_OK(strncmp(row + 42, FULL " ", 4) == 0 && strlen(row) == 40 + 2 + 3 + 43 + 14 + 1,
	     "zero-length span gets one cell; default width 100 (%zu bytes)", strlen(row));

	/* Found by fuzz_xray_flatten: an end before the start (and far from
	 * the rest) once overflowed the cell arithmetic. */
	bq_wf_span back[] = {
		{ "a", NULL, "a", 10, 0, true, false, false, false, 0 },
		{ "b", "a", "b", 10, 10.001, true, false, false, false, 0 },
	};
	bq_buf_reset(&out);
	T_OK(bq_waterfall_render("b", back, 2, NULL, &out) == 0, "end before start is drawn, not overflowed");
	bq_buf_release(&out);
}

int main(void)
{
	test_plain();
	test_color();
	test_edges();
	return T_DONE();
}
