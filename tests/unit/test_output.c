/* output: table and CSV renderers, cells, sparklines. */
#include "t.h"
#include "tjson.h"
#include "output.h"

#include <math.h>

static void add(struct bq_table *t, const char *s)
{
	json_t *v = J(s);

	bq_table_add(t, v);
	json_decref(v);
}

static void csv(struct bq_csv *c, bq_buf *out, const char *s)
{
	json_t *v = J(s);

	bq_csv_add(c, v, out);
	json_decref(v);
}

int main(void)
{
	struct bq_table *t = bq_table_new(10);
	struct bq_csv *c;
	bq_buf b = BQ_BUF_INIT;
	double v[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	double w[] = { 5, NAN, 5 };
	json_t *x;

	/* table */
	add(t, "{\"kind\":\"datapoint\",\"value\":1.5,\"n\":7}");
	add(t, "{\"kind\":\"dp\",\"value\":12,\"model_id\":\"m\"}");
	add(t, "{\"kind\":\"x\",\"value\":null,\"dims\":{\"a\":[1]}}");
	T_OK(bq_table_rows(t) == 3, "rows buffered");
	T_OK(bq_table_flush(t, &b) == 0, "flush");
	T_STREQ(bq_buf_cstr(&b),
		"kind       value  n  model_id  dims\n"
		"datapoint    1.5  7\n"
		"dp            12     m\n"
		"x                              {\"a\":[1]}\n",
		"columns: union of keys, numbers right-aligned, null empty, no trailing blanks");
	T_OK(bq_table_rows(t) == 0, "flush forgets the rows");
	bq_buf_reset(&b);
	T_OK(bq_table_flush(t, &b) == 0 && b.len == 0, "empty table prints nothing");

	add(t, "{\"s\":\"abcdefghijklmnop\",\"u\":\"h\\u00e9llo w\\u00f6rld!\"}");
	add(t, "{\"s\":\"0123456789\",\"u\":\"t\\tb\\nc\"}");
	bq_table_flush(t, &b);
	T_STREQ(bq_buf_cstr(&b),
		"s           u\n"
		"abcdefghi\xe2\x80\xa6  h\xc3\xa9llo w\xc3\xb6r\xe2\x80\xa6\n"
		"0123456789  t?b?c\n",
		"long values cut with an ellipsis at 10 code points; control characters shown as '?'");
	bq_buf_reset(&b);
	add(t, "\"just a string\"");
	add(t, "42");
	bq_table_flush(t, &b);
	T_STREQ(bq_buf_cstr(&b), "value\njust a st\xe2\x80\xa6\n42\n",
		"non-objects become a 'value' column (mixed column is left-aligned)");
	bq_table_free(t);
	bq_table_free(NULL);

	/* csv */
	bq_buf_reset(&b);
	c = bq_csv_new();
	csv(c, &b, "{\"a\":1,\"b\":\"x,y\",\"c\":\"say \\\"hi\\\"\",\"d\":null}");
	csv(c, &b, "{\"b\":\"line1\\nline2\",\"a\":2.5,\"e\":\"dropped\"}");
	csv(c, &b, "{\"a\":true,\"b\":{\"k\":[1]},\"c\":false}");
	T_STREQ(bq_buf_cstr(&b),
		"a,b,c,d\r\n"
		"1,\"x,y\",\"say \"\"hi\"\"\",\r\n"
		"2.5,\"line1\nline2\",,\r\n"
		"true,\"{\"\"k\"\":[1]}\",false,\r\n",
		"RFC 4180: header from the first record, quoting, CRLF, missing/extra keys");
	bq_csv_free(c);
	bq_buf_reset(&b);
	c = bq_csv_new();
	csv(c, &b, "\"plain\"");
	csv(c, &b, "7");
	T_STREQ(bq_buf_cstr(&b), "value\r\nplain\r\n7\r\n", "csv of non-objects");
	bq_csv_free(c);
	bq_csv_free(NULL);

	/* cells */
	bq_buf_reset(&b);
	x = json_real(0.1);
	bq_cell_text(x, &b);
	json_decref(x);
	T_STREQ(bq_buf_cstr(&b), "0.1", "real cell under the number policy");
	bq_buf_reset(&b);
	x = json_real(3.0);
	bq_cell_text(x, &b);
	json_decref(x);
	T_STREQ(bq_buf_cstr(&b), "3.0", "integral real keeps .0");
	bq_buf_reset(&b);
	x = json_integer(-9007199254740993LL);
	bq_cell_text(x, &b);
	json_decref(x);
	T_STREQ(bq_buf_cstr(&b), "-9007199254740993", "integers exact");

	/* sparkline */
	bq_buf_reset(&b);
	bq_sparkline(v, 8, &b);
	T_STREQ(bq_buf_cstr(&b),
		"\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88",
		"sparkline spans the eight levels");
	bq_buf_reset(&b);
	bq_sparkline(w, 3, &b);
	T_STREQ(bq_buf_cstr(&b), "\xe2\x96\x81 \xe2\x96\x81", "constant series and NaN gap");
	bq_buf_reset(&b);
	T_OK(bq_sparkline(v, 0, &b) == 0 && b.len == 0, "empty sparkline");
	T_OK(bq_utf8_width("h\xc3\xa9", 3) == 2, "utf8 width counts code points");

	bq_buf_release(&b);
	return T_DONE();
}
