/*
 * libFuzzer target: any bytes as one Bedrock model invocation log record
 * (what bq-logs normalises and bq-judge / bq-cost read back).
 *
 * The input is decoded with jansson as the reader would (an object, or
 * anything else: normalisation must refuse it).  Then: the envelope, the
 * invocation record with bodies kept, dropped and redacted, the prompt,
 * system and answer texts of the raw and the normalised record, body
 * redaction, and the model-id parser on every string model id seen.
 *
 * Checks, besides the sanitizers:
 *   - envelope and normalisation accept and refuse the same records, and a
 *     refusal is an input error (status 5) with a reason;
 *   - a record is an object with "kind":"invocation" that serialises under
 *     the number policy (a record that cannot be written would vanish);
 *   - texts for the judge are valid UTF-8 (they go into a JSON request);
 *   - a redacted body still serialises, and --no-bodies drops the bodies;
 *   - the base model id fits and is consistent with bq_model_base_id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invocation.h"
#include "ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which check failed: inlining hides the line in the stack. */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

static int lookup(void *ud, const char *arn, char *base, size_t n)
{
	(void)ud;
	if (strlen(arn) % 2)
		return -1;
	return bq_strlcpy(base, "anthropic.claude-3-haiku-20240307-v1:0", n) < 0 ? -1 : 0;
}

static void must_dump(const json_t *v)
{
	bq_buf b = BQ_BUF_INIT;

	if (v && bq_json_dump_compact(v, &b) < 0)
		FAIL();
	bq_buf_release(&b);
}

static void check_text(char *s)
{
	if (s && !bq_utf8_valid(s, strlen(s), NULL))
		FAIL();
	free(s);
}

static void texts(const json_t *rec)
{
	const char *fmt;

	check_text(bq_invocation_prompt_text(rec));
	check_text(bq_invocation_system_text(rec));
	check_text(bq_invocation_answer_text(rec));
	fmt = bq_invocation_format_name(rec);
	if (fmt && !*fmt)
		FAIL();
}

static void model(const json_t *v)
{
	bq_model_ref ref;
	char small[8], base[256];
	const char *id;
	int rc;

	if (!json_is_string(v))
		return;
	id = json_string_value(v);
	bq_model_parse(id, &ref);
	if (ref.kind > BQ_MODEL_OTHER || !memchr(ref.geo, 0, sizeof(ref.geo)) ||
	    !memchr(ref.base, 0, sizeof(ref.base)))
		FAIL();
	rc = bq_model_base_id(id, base, sizeof(base));
	if ((rc == 0) != (ref.base[0] != '\0') ||
	    (rc == 0 && strcmp(base, ref.base) != 0) || (rc < 0 && base[0]))
		FAIL();
	bq_model_base_id(id, small, sizeof(small));
	if (!memchr(small, 0, sizeof(small)))
		FAIL();
}

static void normalize(const json_t *log, const bq_inv_opts *o, int env_rc)
{
	bq_err err;
	json_t *rec = bq_invocation_normalize(log, o, &err);

	if (!rec) {
		if (env_rc == 0 || err.exit_status != BQ_EXIT_INPUT || !err.message[0])
			FAIL();
		return;
	}
	if (env_rc != 0 || !json_is_object(rec) ||
	    !json_is_string(json_object_get(rec, "kind")) ||
	    strcmp(json_string_value(json_object_get(rec, "kind")), "invocation") != 0)
		FAIL();
	if (o && o->no_bodies &&
	    (json_object_get(rec, "input_body") || json_object_get(rec, "output_body")))
		FAIL();
	must_dump(rec);
	texts(rec);
	model(json_object_get(rec, "model_id"));
	model(json_object_get(rec, "base_model_id"));
	json_decref(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bq_inv_opts keep = { false, false, NULL, NULL };
	bq_inv_opts drop = { true, false, NULL, NULL };
	bq_inv_opts red = { false, true, lookup, NULL };
	bq_inv_envelope env;
	json_t *log, *v;
	bq_err err;
	int64_t ms;
	int erc;

	if (size > (1 << 20))
		return 0;
	log = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL,
			 NULL);
	if (!log)
		return 0;
	erc = bq_invocation_envelope(log, &env, &err);
	if (erc < 0 && (err.exit_status != BQ_EXIT_INPUT || !err.message[0]))
		FAIL();
	if (erc == 0 && env.timestamp && bq_invocation_parse_ts(env.timestamp, &ms) < 0)
		FAIL(); /* the envelope's own timestamp must parse */
	normalize(log, NULL, erc);
	normalize(log, &keep, erc);
	normalize(log, &drop, erc);
	normalize(log, &red, erc);
	texts(log);
	if (json_is_object(log)) {
		model(json_object_get(log, "modelId"));
		v = json_object_get(json_object_get(log, "input"), "inputBodyJson");
		if (v) {
			json_t *r = bq_body_redact(v);

			must_dump(r);
			json_decref(r);
		}
		v = json_object_get(json_object_get(log, "output"), "outputBodyJson");
		if (v) {
			json_t *r = bq_body_redact(v);

			must_dump(r);
			json_decref(r);
		}
	}
	{
		json_t *r = bq_body_redact(log);

		must_dump(r);
		json_decref(r);
	}
	json_decref(log);
	return 0;
}
