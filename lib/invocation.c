#include "invocation.h"

#include "bodypath.h"
#include "buf.h"
#include "invocation_formats.h"
#include "output.h"
#include "prompt_template.h"
#include "timeexpr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- model ids ---- */

/* Cross-region inference profile prefixes (bedrock-facts.md 6.3). */
static const char *const geo_prefixes[] = {
	"us", "us-gov", "eu", "apac", "global", "jp", "au", "ca", NULL
};

/* Strips a geo prefix from id into ref; true when there was one. */
static bool strip_geo(const char *id, bq_model_ref *ref)
{
	const char *dot = strchr(id, '.');
	size_t l;
	int i;

	if (!dot || !strchr(dot + 1, '.'))
		return false; /* "provider.model" must remain */
	l = (size_t)(dot - id);
	for (i = 0; geo_prefixes[i]; i++) {
		if (strlen(geo_prefixes[i]) == l &&
		    memcmp(geo_prefixes[i], id, l) == 0) {
			memcpy(ref->geo, id, l);
			ref->geo[l] = '\0';
			bq_strlcpy(ref->base, dot + 1, sizeof(ref->base));
			return true;
		}
	}
	return false;
}

void bq_model_parse(const char *model_id, bq_model_ref *ref)
{
	const char *res, *slash;
	size_t tl;
	int colons = 0;

	memset(ref, 0, sizeof(*ref));
	ref->kind = BQ_MODEL_OTHER;
	if (!model_id || !*model_id)
		return;
	if (strncmp(model_id, "arn:", 4) != 0) {
		if (strip_geo(model_id, ref)) {
			ref->kind = BQ_MODEL_SYSTEM_PROFILE;
		} else {
			ref->kind = BQ_MODEL_FOUNDATION;
			bq_strlcpy(ref->base, model_id, sizeof(ref->base));
		}
		return;
	}
	/* arn:PARTITION:bedrock:REGION:ACCOUNT:TYPE/ID, where ID may hold
	 * ':' (model versions) and '/' (custom models). */
	for (res = model_id; *res && colons < 5; res++)
		if (*res == ':')
			colons++;
	slash = strchr(res, '/');
	if (colons < 5 || !slash)
		return;
	tl = (size_t)(slash - res);
#define TYPE_IS(lit) (tl == sizeof(lit) - 1 && memcmp(res, lit, tl) == 0)
	if (TYPE_IS("foundation-model")) {
		ref->kind = BQ_MODEL_FOUNDATION;
		bq_strlcpy(ref->base, slash + 1, sizeof(ref->base));
	} else if (TYPE_IS("inference-profile")) {
		ref->kind = BQ_MODEL_SYSTEM_PROFILE;
		if (!strip_geo(slash + 1, ref))
			bq_strlcpy(ref->base, slash + 1, sizeof(ref->base));
	} else if (TYPE_IS("application-inference-profile")) {
		ref->kind = BQ_MODEL_APP_PROFILE;
	} else if (TYPE_IS("custom-model") || TYPE_IS("imported-model")) {
		ref->kind = BQ_MODEL_CUSTOM;
	} else if (TYPE_IS("provisioned-model")) {
		ref->kind = BQ_MODEL_PROVISIONED;
	}
#undef TYPE_IS
}

int bq_model_base_id(const char *model_id, char *out, size_t n)
{
	bq_model_ref ref;

	bq_model_parse(model_id, &ref);
	if (n)
		out[0] = '\0';
	if (!ref.base[0] || bq_strlcpy(out, ref.base, n) < 0) {
		if (n)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

/* ---- envelope ---- */

static const char *str_member(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int bq_invocation_parse_ts(const char *s, int64_t *ms)
{
	bq_err e;

	/* Only dates: the time-expression parser would also take "5m". */
	if (!s || !isdigit((unsigned char)s[0]) || strlen(s) < 10 ||
	    s[4] != '-')
		return -1;
	return bq_time_parse_ms(s, 0, ms, &e);
}

int bq_invocation_envelope(const json_t *log, bq_inv_envelope *env,
			   bq_err *err)
{
	memset(env, 0, sizeof(*env));
	if (!json_is_object(log))
		return bq_fail(err, BQ_EXIT_INPUT, "not a JSON object");
	env->timestamp = str_member(log, "timestamp");
	if (!env->timestamp)
		return bq_fail(err, BQ_EXIT_INPUT,
			       "no \"timestamp\" (not a model invocation log record)");
	if (bq_invocation_parse_ts(env->timestamp, &env->ts_ms) < 0)
		return bq_fail(err, BQ_EXIT_INPUT, "bad timestamp '%.64s'",
			       env->timestamp);
	env->request_id = str_member(log, "requestId");
	env->model_id = str_member(log, "modelId");
	env->operation = str_member(log, "operation");
	env->identity = str_member(json_object_get(log, "identity"), "arn");
	env->account_id = str_member(log, "accountId");
	env->region = str_member(log, "region");
	env->inference_region = str_member(log, "inferenceRegion");
	env->error_code = str_member(log, "errorCode");
	return 0;
}

/* ---- body facts (tokens, stop reason, latency) ---- */

struct facts {
	bool has_in, has_out, has_cr, has_cw, has_lat;
	long long in, out, cr, cw, lat;
	const char *stop; /* borrowed from the body */
};

static bool first_int(const json_t *body, const char *const *paths,
		      long long *v)
{
	int i;

	for (i = 0; i < BQ_FMT_PATHS && paths[i]; i++)
		if (bq_bodypath_int(body, paths[i], v))
			return true;
	return false;
}

static const char *first_str(const json_t *body, const char *const *paths)
{
	const char *s;
	int i;

	for (i = 0; i < BQ_FMT_PATHS && paths[i]; i++)
		if ((s = bq_bodypath_str(body, paths[i])) != NULL)
			return s;
	return NULL;
}

/* One response object or one chunk: what it says overrides what earlier
 * chunks said (streams report cumulative counts last). */
static void facts_from(const bq_body_format *f, const json_t *obj,
		       struct facts *x)
{
	const bq_body_format *c = &bq_body_format_common;
	const char *s;

#define FACT(field, has, val) \
	if ((f && first_int(obj, f->field, &x->val)) || \
	    first_int(obj, c->field, &x->val)) \
		x->has = true
	FACT(input_tokens, has_in, in);
	FACT(output_tokens, has_out, out);
	FACT(cache_read_tokens, has_cr, cr);
	FACT(cache_write_tokens, has_cw, cw);
	FACT(latency_ms, has_lat, lat);
#undef FACT
	if (f && (s = first_str(obj, f->stop)) != NULL)
		x->stop = s;
}

static void body_facts(const bq_body_format *f, const json_t *out,
		       struct facts *x)
{
	memset(x, 0, sizeof(*x));
	if (json_is_array(out)) {
		size_t i;
		const json_t *chunk;

		json_array_foreach(out, i, chunk)
			facts_from(f, chunk, x);
	} else if (json_is_object(out)) {
		facts_from(f, out, x);
	}
}

/* ---- normalisation ---- */

static int set_str(json_t *o, const char *k, const char *v)
{
	if (!v)
		return 0;
	return json_object_set_new(o, k, json_string(v));
}

static int set_int(json_t *o, const char *k, bool has, long long v)
{
	if (!has)
		return 0;
	return json_object_set_new(o, k, json_integer((json_int_t)v));
}

/* The count at env_path in the envelope, else from the body. */
static void envelope_count(const json_t *log, const char *sect,
			   const char *key, bool *has, long long *v)
{
	const json_t *n = json_object_get(json_object_get(log, sect), key);

	if (json_is_integer(n)) {
		*has = true;
		*v = (long long)json_integer_value(n);
	}
}

static int add_body(json_t *rec, const char *k, const json_t *body,
		    const bq_inv_opts *o)
{
	json_t *v;

	if (!body || json_is_null(body))
		return 0;
	v = o->redact ? bq_body_redact(body) : json_incref((json_t *)body);
	if (!v)
		return -1;
	return json_object_set_new(rec, k, v);
}

json_t *bq_invocation_normalize(const json_t *log, const bq_inv_opts *opts,
				bq_err *err)
{
	static const bq_inv_opts defaults;
	const bq_inv_opts *o = opts ? opts : &defaults;
	bq_inv_envelope env;
	bq_model_ref ref;
	const json_t *input, *output, *in_body, *out_body, *md;
	const bq_body_format *f;
	struct facts x;
	char ts[BQ_TIME_BUFSZ];
	json_t *rec;
	int rc = 0;

	if (bq_invocation_envelope(log, &env, err) < 0)
		return NULL;
	input = json_object_get(log, "input");
	output = json_object_get(log, "output");
	in_body = json_object_get(input, "inputBodyJson");
	out_body = json_object_get(output, "outputBodyJson");

	bq_model_parse(env.model_id, &ref);
	if (!ref.base[0] && ref.kind == BQ_MODEL_APP_PROFILE && o->lookup &&
	    o->lookup(o->lookup_ud, env.model_id, ref.base,
		      sizeof(ref.base)) < 0)
		ref.base[0] = '\0';
	f = bq_body_format_detect(env.operation,
				  ref.base[0] ? ref.base : env.model_id,
				  in_body, out_body);
	body_facts(f, out_body, &x);
	/* The envelope's counts are what Bedrock bills: they win. */
	envelope_count(log, "input", "inputTokenCount", &x.has_in, &x.in);
	envelope_count(log, "output", "outputTokenCount", &x.has_out, &x.out);
	envelope_count(log, "input", "cacheReadInputTokenCount", &x.has_cr,
		       &x.cr);
	envelope_count(log, "input", "cacheWriteInputTokenCount", &x.has_cw,
		       &x.cw);

	rec = json_object();
	if (!rec)
		goto oom;
	if (strchr(env.timestamp, '.'))
		bq_time_format_ms(env.ts_ms, ts, sizeof(ts));
	else
		bq_time_format((time_t)(env.ts_ms / 1000), ts, sizeof(ts));
	rc |= set_str(rec, "kind", "invocation");
	rc |= set_str(rec, "ts", ts);
	rc |= set_str(rec, "request_id", env.request_id);
	rc |= set_str(rec, "model_id", env.model_id);
	rc |= set_str(rec, "base_model_id", ref.base[0] ? ref.base : NULL);
	rc |= set_str(rec, "operation", env.operation);
	rc |= set_str(rec, "identity", env.identity);
	rc |= set_str(rec, "account_id", env.account_id);
	rc |= set_str(rec, "region", env.region);
	rc |= set_str(rec, "inference_region", env.inference_region);
	rc |= set_int(rec, "input_tokens", x.has_in, x.in);
	rc |= set_int(rec, "output_tokens", x.has_out, x.out);
	rc |= set_int(rec, "cache_read_tokens", x.has_cr, x.cr);
	rc |= set_int(rec, "cache_write_tokens", x.has_cw, x.cw);
	rc |= set_int(rec, "latency_ms", x.has_lat, x.lat);
	rc |= set_str(rec, "stop_reason", x.stop);
	rc |= set_str(rec, "error_code", env.error_code);
	md = json_object_get(log, "requestMetadata");
	if (json_is_object(md))
		rc |= json_object_set(rec, "request_metadata", (json_t *)md);
	if (!o->no_bodies) {
		rc |= add_body(rec, "input_body", in_body, o);
		rc |= add_body(rec, "output_body", out_body, o);
		if (!in_body)
			rc |= set_str(rec, "input_body_s3_path",
				      str_member(input, "inputBodyS3Path"));
		if (!out_body)
			rc |= set_str(rec, "output_body_s3_path",
				      str_member(output, "outputBodyS3Path"));
	}
	if (rc == 0)
		return rec;
	json_decref(rec);
oom:
	bq_fail(err, BQ_EXIT_RUNTIME, "out of memory normalising a record");
	return NULL;
}

/* ---- text ---- */

struct view {
	const char *operation;
	const char *model;
	const json_t *in, *out;
	char base[256];
};

/* Reads either an invocation record or a raw log record. */
static const bq_body_format *view_of(const json_t *rec, struct view *v)
{
	const char *model_id;

	memset(v, 0, sizeof(*v));
	if (!json_is_object(rec))
		return NULL;
	if (json_object_get(rec, "input_body") ||
	    json_object_get(rec, "output_body") ||
	    json_object_get(rec, "kind")) {
		v->operation = str_member(rec, "operation");
		v->in = json_object_get(rec, "input_body");
		v->out = json_object_get(rec, "output_body");
		model_id = str_member(rec, "model_id");
		v->model = str_member(rec, "base_model_id");
	} else {
		v->operation = str_member(rec, "operation");
		v->in = json_object_get(json_object_get(rec, "input"),
					"inputBodyJson");
		v->out = json_object_get(json_object_get(rec, "output"),
					 "outputBodyJson");
		model_id = str_member(rec, "modelId");
	}
	if (!v->model && model_id &&
	    bq_model_base_id(model_id, v->base, sizeof(v->base)) == 0)
		v->model = v->base;
	if (!v->model)
		v->model = model_id;
	if (!v->in && !v->out)
		return NULL;
	return bq_body_format_detect(v->operation, v->model, v->in, v->out);
}

struct collect {
	bq_buf *b;
	const char *sep;
	enum bq_turn_role tpl; /* unwrap templates for this role, or 0 */
	bool failed;
};

static int collect_cb(const json_t *v, void *ud)
{
	struct collect *c = ud;
	const char *s;
	size_t n;
	int r;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	s = json_string_value(v);
	n = json_string_length(v);
	if (c->tpl) {
		r = bq_prompt_template_turns(s, n, c->tpl, c->sep, c->b);
		if (r != 0) {
			c->failed |= r < 0;
			return 0;
		}
	}
	if ((c->b->len && bq_buf_puts(c->b, c->sep) < 0) ||
	    bq_buf_append(c->b, s, n) < 0)
		c->failed = true;
	return 0;
}

static void collect_paths(const json_t *body, const char *const *paths,
			  struct collect *c)
{
	int i;

	for (i = 0; i < BQ_FMT_PATHS && paths[i]; i++)
		bq_bodypath_each(body, paths[i], collect_cb, c);
}

static char *finish(bq_buf *b, bool failed)
{
	if (failed || b->len == 0) {
		bq_buf_release(b);
		return NULL;
	}
	return bq_buf_detach(b);
}

char *bq_invocation_prompt_text(const json_t *rec)
{
	struct view v;
	const bq_body_format *f = view_of(rec, &v);
	bq_buf b = BQ_BUF_INIT;
	struct collect c = { &b, "\n", 0, false };

	if (!f || !v.in)
		return NULL;
	c.tpl = f->templated ? BQ_TURN_USER : 0;
	collect_paths(v.in, f->prompt, &c);
	return finish(&b, c.failed);
}

/* Prompt strings whose template names a system turn. */
static int system_from_template(const json_t *v, void *ud)
{
	struct collect *c = ud;
	int r;

	if (!json_is_string(v))
		return 0;
	r = bq_prompt_template_turns(json_string_value(v),
				     json_string_length(v), BQ_TURN_SYSTEM,
				     c->sep, c->b);
	c->failed |= r < 0;
	return 0;
}

char *bq_invocation_system_text(const json_t *rec)
{
	struct view v;
	const bq_body_format *f = view_of(rec, &v);
	bq_buf b = BQ_BUF_INIT;
	struct collect c = { &b, "\n", 0, false };
	int i;

	if (!f || !v.in)
		return NULL;
	collect_paths(v.in, f->system, &c);
	if (b.len == 0 && f->templated)
		for (i = 0; i < BQ_FMT_PATHS && f->prompt[i]; i++)
			bq_bodypath_each(v.in, f->prompt[i],
					 system_from_template, &c);
	return finish(&b, c.failed);
}

char *bq_invocation_answer_text(const json_t *rec)
{
	struct view v;
	const bq_body_format *f = view_of(rec, &v);
	bq_buf b = BQ_BUF_INIT;
	struct collect c = { &b, "\n", 0, false };

	if (!f || !v.out)
		return NULL;
	if (json_is_array(v.out)) {
		size_t i;
		const json_t *chunk;

		c.sep = "";
		json_array_foreach(v.out, i, chunk)
			collect_paths(chunk, f->delta, &c);
	} else {
		collect_paths(v.out, f->answer, &c);
	}
	return finish(&b, c.failed);
}

const char *bq_invocation_format_name(const json_t *rec)
{
	struct view v;
	const bq_body_format *f = view_of(rec, &v);

	return f ? f->name : NULL;
}

/* ---- redaction ---- */

/* Keys whose string values name structure, not content. */
static const char *const keep_keys[] = {
	"role", "type", "id", "object", "model", "name", "status", "format",
	"media_type", "stop_reason", "stopReason", "finish_reason",
	"completionReason", "completion_reason", "anthropic_version",
	"schemaVersion", "toolUseId", "tool_use_id", "tool_call_id",
	"event_type", "generation_id", "response_id", "ttl", "latency",
	"guardrailIdentifier", "guardrailVersion", "input_type", "truncate",
	NULL
};

/* Members holding free-form JSON (tool inputs, schemas): every string
 * inside is content, whatever its key. */
static const char *const opaque_keys[] = {
	"input", "json", "input_schema", "inputSchema", "parameters",
	"arguments", "additionalModelRequestFields",
	"additionalModelResponseFields", "promptVariables", NULL
};

static bool key_in(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(k, *list) == 0)
			return true;
	return false;
}

static json_t *redacted_string(const json_t *s)
{
	char tmp[64];
	size_t n = json_string_length(s);

	if (n == 0)
		return json_string("");
	bq_snprintf(tmp, sizeof(tmp), "[redacted %zu chars]",
		    bq_utf8_width(json_string_value(s), n));
	return json_string(tmp);
}

static json_t *redact(const json_t *v, bool opaque)
{
	json_t *r;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return redacted_string(v);
	case JSON_OBJECT: {
		const char *k;
		json_t *m;

		if (!(r = json_object()))
			return NULL;
		json_object_foreach((json_t *)v, k, m) {
			json_t *c;

			if (!opaque && json_is_string(m) && key_in(k, keep_keys))
				c = json_incref(m);
			else
				c = redact(m, opaque || key_in(k, opaque_keys));
			if (!c || json_object_set_new(r, k, c) < 0) {
				json_decref(r);
				return NULL;
			}
		}
		return r;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;

		if (!(r = json_array()))
			return NULL;
		json_array_foreach((json_t *)v, i, m) {
			json_t *c = redact(m, opaque);

			if (!c || json_array_append_new(r, c) < 0) {
				json_decref(r);
				return NULL;
			}
		}
		return r;
	}
	default:
		return json_incref((json_t *)v);
	}
}

json_t *bq_body_redact(const json_t *body)
{
	if (!body)
		return NULL;
	return redact(body, false);
}
