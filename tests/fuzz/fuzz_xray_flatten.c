/*
 * libFuzzer target: any bytes as an X-Ray segment document.  The document
 * must flatten or be rejected whole; the spans it yields are also drawn as
 * a waterfall, so both pure modules see hostile input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "waterfall.h"
#include "xray_flatten.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct acc {
	bq_wf_span spans[256];
	json_t *keep[256];
	size_t n;
} acc;

static int on_span(json_t *span, const bq_xray_span_info *info, void *ud, bq_err *err)
{
	acc *a = ud;
	if (a->n == 256)
		return 1;
	bq_wf_span *s = &a->spans[a->n];
	a->keep[a->n++] = json_incref(span);
	s->id = json_string_value(json_object_get(span, "id"));
	s->parent_id = json_string_value(json_object_get(span, "parent_id"));
	s->label = json_string_value(json_object_get(span, "name"));
	s->start = info->start;
	s->end = info->end;
	s->has_end = info->has_end;
	s->error = json_is_true(json_object_get(span, "error"));
	s->fault = json_is_true(json_object_get(span, "fault"));
	s->throttle = json_is_true(json_object_get(span, "throttle"));
	s->http_status = (int)json_integer_value(json_object_get(span, "http_status"));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	acc a;
	bq_err err;
	bq_buf out = BQ_BUF_INIT;

	a.n = 0;
	int rc = bq_xray_flatten_text((const char *)data, size, "1-fuzz-0", on_span, &a, &err);
	if (rc == -1 && a.n != 0)
		abort(); /* a rejected document must yield no span */
	bq_wf_opts o = { (int)(size % 200), size % 2 == 0 };
	bq_waterfall_render("1-fuzz-0", a.spans, a.n, &o, &out);
	bq_buf_release(&out);
	for (size_t i = 0; i < a.n; i++)
		json_decref(a.keep[i]);
	return 0;
}
