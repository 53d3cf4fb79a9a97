/*
 * creds.c: the credentials value, the chain, and the environment provider.
 */
#include "creds.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "timeexpr.h"

void bq_creds_clear(bq_creds *c)
{
	if (!c)
		return;
	bq_free_secret(c->access_key_id);
	bq_free_secret(c->secret_access_key);
	bq_free_secret(c->session_token);
	memset(c, 0, sizeof(*c));
}

int bq_creds_set(bq_creds *c, const char *ak, const char *sk,
		 const char *token, double expiration, const char *source,
		 bq_err *err)
{
	bq_creds n = BQ_CREDS_INIT;

	/* registered first: nothing below may print them unredacted */
	bq_redact_add(sk);
	bq_redact_add(token);
	n.access_key_id = strdup(ak);
	n.secret_access_key = strdup(sk);
	n.session_token = token && *token ? strdup(token) : NULL;
	n.expiration = expiration;
	n.source = source;
	if (!n.access_key_id || !n.secret_access_key ||
	    (token && *token && !n.session_token)) {
		bq_creds_clear(&n);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	bq_creds_clear(c);
	*c = n;
	return 0;
}

void bq_creds_move(bq_creds *dst, bq_creds *src)
{
	bq_creds_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

bool bq_creds_fresh(const bq_creds *c, double now, double margin)
{
	if (!c->access_key_id)
		return false;
	return c->expiration == 0 || now < c->expiration - margin;
}

int bq_creds_parse_expiration(json_t *v, double *out)
{
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v) / 1000.0;
		return 0;
	}
	if (json_is_real(v)) {
		*out = json_real_value(v) / 1000.0;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char buf[64];
		size_t n = strlen(s);
		int64_t ms;
		bq_err e;

		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n + 1);
		/* the AWS CLI's SSO cache once wrote "...UTC" */
		if (n > 3 && strcmp(buf + n - 3, "UTC") == 0) {
			buf[n - 3] = 'Z';
			buf[n - 2] = '\0';
		}
		if (bq_time_parse_ms(buf, 0, &ms, &e) < 0 || buf[0] == '@' ||
		    strchr(buf, '-') == NULL)
			return -1;
		*out = (double)ms / 1000.0;
		return 0;
	}
	return -1;
}

int bq_creds_from_json(bq_creds *c, json_t *o, const char *ak,
		       const char *sk, const char *token, const char *exp,
		       const char *source, const char *what, bq_err *err)
{
	json_t *jak = json_object_get(o, ak), *jsk = json_object_get(o, sk);
	json_t *jtok = token ? json_object_get(o, token) : NULL;
	json_t *jexp = exp ? json_object_get(o, exp) : NULL;
	double expiration = 0;

	/* register before any message could mention them */
	if (json_is_string(jsk))
		bq_redact_add(json_string_value(jsk));
	if (json_is_string(jtok))
		bq_redact_add(json_string_value(jtok));
	if (!json_is_string(jak) || !*json_string_value(jak))
		return bq_fail(err, BQ_EXIT_CREDS, "%s: no %s in the answer", what, ak);
	if (!json_is_string(jsk) || !*json_string_value(jsk))
		return bq_fail(err, BQ_EXIT_CREDS, "%s: no %s in the answer", what, sk);
	if (jtok && !json_is_null(jtok) && !json_is_string(jtok))
		return bq_fail(err, BQ_EXIT_CREDS, "%s: %s is not a string", what, token);
	if (jexp && !json_is_null(jexp) &&
	    bq_creds_parse_expiration(jexp, &expiration) < 0)
		return bq_fail(err, BQ_EXIT_CREDS, "%s: bad %s", what, exp);
	return bq_creds_set(c, json_string_value(jak), json_string_value(jsk),
			    json_is_string(jtok) ? json_string_value(jtok) : NULL,
			    expiration, source, err);
}

int bq_creds_from_answer(bq_creds *c, const char *body, size_t len,
			 const char *member, const char *ak, const char *sk,
			 const char *token, const char *exp, const char *source,
			 const char *what, bq_err *err)
{
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	json_t *o = member ? json_object_get(j, member) : j;
	const char *code = json_string_value(json_object_get(o, "Code"));
	int rc;

	if (!json_is_object(o))
		rc = bq_fail(err, BQ_EXIT_CREDS, "%s: no JSON object%s%s in the answer",
			     what, member ? " " : "", member ? member : "");
	else if (code && strcmp(code, "Success") != 0)
		rc = bq_fail(err, BQ_EXIT_CREDS, "%s: %s", what, code);
	else
		rc = bq_creds_from_json(c, o, ak, sk, token, exp, source, what, err);
	bq_json_decref_secret(j);
	return rc;
}

static void wipe_strings(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		/* jansson owns the bytes; wiping them in place is safe because
		 * nothing reads the value again */
		bq_wipe((char *)json_string_value(j), json_string_length(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			wipe_strings(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			wipe_strings(v);
	}
}

void bq_json_decref_secret(json_t *j)
{
	if (!j)
		return;
	if (j->refcount == 1)
		wipe_strings(j);
	json_decref(j);
}

void bq_creds_tried(const bq_creds_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->tried)
		return;
	if (ctx->tried->len)
		bq_buf_puts(ctx->tried, ", ");
	va_start(ap, fmt);
	bq_buf_vprintf(ctx->tried, fmt, ap);
	va_end(ap);
}

int bq_creds_env(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID");
	const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");
	const char *exp = getenv("AWS_CREDENTIAL_EXPIRATION");
	double expiration = 0;

	bq_redact_add(sk);
	bq_redact_add(tok);
	if (!ak || !*ak || !sk || !*sk) {
		if ((ak && *ak) != (sk && *sk))
			bq_creds_tried(ctx, "environment (%s without %s)",
				       ak && *ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
				       ak && *ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		else
			bq_creds_tried(ctx, "environment");
		return 0;
	}
	if (exp && *exp) {
		json_t *j = json_string(exp);
		int rc = j ? bq_creds_parse_expiration(j, &expiration) : -1;

		json_decref(j);
		if (rc < 0)
			return bq_fail(err, BQ_EXIT_CREDS,
				       "bad AWS_CREDENTIAL_EXPIRATION '%s'", exp);
	}
	if (bq_creds_set(out, ak, sk, tok, expiration, "environment", err) < 0)
		return -1;
	return 1;
}

int bq_creds_resolve(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err)
{
	int rc;

	bq_err_clear(err);
	if ((rc = bq_creds_env(ctx, out, err)) != 0 ||
	    (rc = bq_creds_web_identity_env(ctx, out, err)) != 0 ||
	    (rc = bq_creds_profile(ctx, ctx->profile, out, err)) != 0 ||
	    (rc = bq_creds_container(ctx, out, err)) != 0 ||
	    (rc = bq_creds_imds(ctx, out, err)) != 0)
		return rc > 0 ? 0 : -1;
	return bq_fail(err, BQ_EXIT_CREDS, "no credentials found (tried: %s)",
		       ctx->tried && ctx->tried->len ? bq_buf_cstr(ctx->tried) :
		       "nothing");
}
