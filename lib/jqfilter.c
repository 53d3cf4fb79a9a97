#include "jqfilter.h"
#include "buf.h"

#include <jq.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Present only in libjq >= 1.7; weak so 1.6 links (address is then 0). */
extern void jq_set_stderr_cb(jq_state *, jq_msg_cb, void *)
	__attribute__((weak));

struct bq_jq {
	jq_state *jq;
	bq_buf errors; /* compile messages collected by the error callback */
};

const char *bq_jq_version(void)
{
	return jq_set_stderr_cb ? "1.7+" : "1.6";
}

/* ---- conversions ---- */

jv bq_json_to_jv(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		jv o = jv_object();
		const char *key;
		size_t klen;
		json_t *x;

		json_object_keylen_foreach((json_t *)v, key, klen, x)
			o = jv_object_set(o, jv_string_sized(key, (int)klen),
					  bq_json_to_jv(x));
		return o;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		jv a = jv_array_sized((int)n);

		for (i = 0; i < n; i++)
			a = jv_array_append(a, bq_json_to_jv(json_array_get(v, i)));
		return a;
	}
	case JSON_STRING:
		return jv_string_sized(json_string_value(v),
				       (int)json_string_length(v));
	case JSON_INTEGER:
		/* libjq 1.6 holds doubles: exact up to 2^53 */
		return jv_number((double)json_integer_value(v));
	case JSON_REAL:
		return jv_number(json_real_value(v));
	case JSON_TRUE:
		return jv_true();
	case JSON_FALSE:
		return jv_false();
	default:
		return jv_null();
	}
}

json_t *bq_jv_to_json(jv j)
{
	json_t *out = NULL;

	switch (jv_get_kind(j)) {
	case JV_KIND_NULL:
		out = json_null();
		break;
	case JV_KIND_TRUE:
		out = json_true();
		break;
	case JV_KIND_FALSE:
		out = json_false();
		break;
	case JV_KIND_NUMBER: {
		double d = jv_number_value(j);

		/* json_real(NaN) fails and JSON has no infinities */
		if (!isfinite(d))
			out = json_null();
		else if (d == floor(d) && fabs(d) <= 9007199254740992.0)
			out = json_integer((json_int_t)d);
		else
			out = json_real(d);
		break;
	}
	case JV_KIND_STRING:
		/* jq strings are valid UTF-8 (bad bytes became U+FFFD) */
		out = json_stringn_nocheck(jv_string_value(j),
					   (size_t)jv_string_length_bytes(jv_copy(j)));
		break;
	case JV_KIND_ARRAY:
		out = json_array();
		jv_array_foreach(j, i, x) {
			json_t *c = bq_jv_to_json(x);

			if (!out || !c || json_array_append_new(out, c) < 0) {
				json_decref(out);
				out = NULL;
			}
		}
		break;
	case JV_KIND_OBJECT:
		out = json_object();
		jv_object_foreach(j, k, x) {
			json_t *c = bq_jv_to_json(x);

			if (!out || !c ||
			    json_object_setn_new_nocheck(out, jv_string_value(k),
					(size_t)jv_string_length_bytes(jv_copy(k)), c) < 0) {
				json_decref(out);
				out = NULL;
			}
			jv_free(k);
		}
		break;
	default:
		break;
	}
	jv_free(j);
	return out;
}

/* ---- messages ---- */

/* The text of a jq message value (consumed): strings as they are,
 * invalids by their message, anything else as compact JSON. */
static jv message_text(jv msg)
{
	if (jv_get_kind(msg) == JV_KIND_INVALID) {
		if (!jv_invalid_has_msg(jv_copy(msg))) {
			jv_free(msg);
			return jv_string("unknown error");
		}
		msg = jv_invalid_get_msg(msg);
	}
	if (jv_get_kind(msg) == JV_KIND_STRING)
		return msg;
	return jv_dump_string(msg, 0);
}

static void error_cb(void *data, jv msg)
{
	struct bq_jq *q = data;
	jv s = message_text(msg);
	const char *t = jv_string_value(s);

	/* jq's trailer adds nothing to what came before */
	if (strstr(t, "compile error") && strncmp(t, "jq: ", 4) == 0 &&
	    strchr(t, ':') == t + 2 && strstr(t, "error:") == NULL) {
		jv_free(s);
		return;
	}
	if (strncmp(t, "jq: error: ", 11) == 0)
		t += 11;
	if (q->errors.len)
		bq_buf_puts(&q->errors, "; ");
	/* first line only: the rest repeats the filter text */
	bq_buf_append(&q->errors, t, strcspn(t, "\n"));
	while (q->errors.len && (q->errors.data[q->errors.len - 1] == ':' ||
				 q->errors.data[q->errors.len - 1] == ' '))
		q->errors.data[--q->errors.len] = '\0';
	jv_free(s);
}

/* `debug` prints like jq's own CLI does, but through the redacting
 * logger like every other byte on stderr. */
static void debug_cb(void *data, jv msg)
{
	jv s = jv_dump_string(JV_ARRAY(jv_string("DEBUG:"), msg), 0);
	bq_buf b = BQ_BUF_INIT;

	(void)data;
	bq_buf_printf(&b, "%s\n", jv_string_value(s));
	bq_log_write(bq_buf_cstr(&b), b.len);
	bq_buf_release(&b);
	jv_free(s);
}

/* ---- compile / run ---- */

/* There is no input stream behind a record: say "end of input" the way
 * jq's own callback does, so `inputs` is simply empty. */
static jv no_input(jq_state *jq, void *data)
{
	(void)jq;
	(void)data;
	return jv_invalid(); /* end of input, as jq's own input callback says it */
}

int bq_jq_compile(struct bq_jq **out, const char *filter, bq_err *err)
{
	struct bq_jq *q;
	char *home;
	int ok;

	*out = NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	bq_buf_init(&q->errors, 8192);
	q->jq = jq_init();
	if (!q->jq) {
		free(q);
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot start libjq");
	}
	/* 1.6 leaves these uninitialised (read by `input` and `debug`) */
	jq_set_input_cb(q->jq, no_input, NULL);
	jq_set_debug_cb(q->jq, debug_cb, q);
	jq_set_error_cb(q->jq, error_cb, q);
	/* Unset, 1.6 aborts on any `import`; empty, it is a compile error. */
	jq_set_attr(q->jq, jv_string("JQ_LIBRARY_PATH"), jv_array());

	/* 1.6 binds $HOME/.jq into every program: hide HOME while compiling
	 * so a filter means the same for every user.  Single-threaded here
	 * (options are compiled before any worker starts). */
	home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	unsetenv("HOME");
	ok = jq_compile_args(q->jq, filter, jv_object());
	if (home) {
		setenv("HOME", home, 1);
		free(home);
	}
	if (!ok) {
		bq_fail(err, BQ_EXIT_USAGE, "bad --jq filter '%s': %s", filter,
			q->errors.len ? bq_buf_cstr(&q->errors) : "does not compile");
		bq_jq_free(q);
		return -1;
	}
	bq_buf_reset(&q->errors);
	*out = q;
	return 0;
}

void bq_jq_free(struct bq_jq *q)
{
	if (!q)
		return;
	if (q->jq)
		jq_teardown(&q->jq);
	bq_buf_release(&q->errors);
	free(q);
}

/* After `halt` / `halt_error`: report the message as jq's CLI would and
 * turn a non-zero exit code into a runtime failure. */
static int halted(struct bq_jq *q, bq_err *err)
{
	jv code = jq_get_exit_code(q->jq);
	jv msg = jq_get_error_message(q->jq);
	int status = 0;

	if (jv_is_valid(code))
		status = jv_get_kind(code) == JV_KIND_NUMBER ?
			(int)jv_number_value(code) : 5;
	jv_free(code);
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		bq_log_write(jv_string_value(msg),
			     (size_t)jv_string_length_bytes(jv_copy(msg)));
	} else if (jv_is_valid(msg) && jv_get_kind(msg) != JV_KIND_NULL) {
		jv s = jv_dump_string(jv_copy(msg), 0);
		bq_buf b = BQ_BUF_INIT;

		bq_buf_printf(&b, "%s\n", jv_string_value(s));
		bq_log_write(bq_buf_cstr(&b), b.len);
		bq_buf_release(&b);
		jv_free(s);
	}
	jv_free(msg);
	bq_err_clear(err);
	err->exit_status = status ? BQ_EXIT_RUNTIME : BQ_EXIT_OK;
	return BQ_JQ_HALTED;
}

int bq_jq_run(struct bq_jq *q, json_t *rec, bq_jq_result_fn fn, void *ctx,
	      bq_err *err)
{
	jv r;
	int rc;

	jq_start(q->jq, bq_json_to_jv(rec), 0);
	while (jv_is_valid(r = jq_next(q->jq))) {
		json_t *j = bq_jv_to_json(r);

		if (!j)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory in --jq");
		rc = fn(ctx, j, err);
		json_decref(j);
		if (rc)
			return rc;
	}
	if (jq_halted(q->jq)) {
		jv_free(r);
		return halted(q, err);
	}
	if (jv_invalid_has_msg(jv_copy(r))) {
		jv s = message_text(r);

		bq_fail(err, BQ_EXIT_RUNTIME, "jq: error: %s", jv_string_value(s));
		jv_free(s);
		return -1;
	}
	jv_free(r);
	return 0;
}
