/*
 * bq-logs config: Get/PutModelInvocationLoggingConfiguration
 * (bedrock-facts.md 3.1), shown as one {"kind":"logging_config"} record.
 */
#include "bqlogs.h"
#include "bqlogs_internal.h"

#include "buf.h"
#include "invlog_keys.h"
#include "ndjson.h"

#include <stdlib.h>
#include <string.h>

int bqlogs_get_config(bqlogs *L, json_t **cfg, bq_err *err)
{
	bq_aws *aws;
	json_t *out = NULL, *lc;

	*cfg = NULL;
	if (bqlogs_aws(L, &aws, err) < 0 ||
	    bq_aws_rest_call(aws, BQ_SVC_BEDROCK, "GET", "/logging/modelinvocations",
			     NULL, NULL, &out, err) < 0)
		return -1;
	lc = json_object_get(out, "loggingConfig");
	if (json_is_object(lc) && json_object_size(lc))
		*cfg = json_incref(lc);
	json_decref(out);
	return 0;
}

/* "s3://bucket/prefix" of an S3Config, or NULL. */
static json_t *s3_url(const json_t *s3c)
{
	const char *b = json_string_value(json_object_get(s3c, "bucketName"));
	const char *p = json_string_value(json_object_get(s3c, "keyPrefix"));
	bq_buf u = BQ_BUF_INIT;
	json_t *v;

	if (!b)
		return NULL;
	bq_buf_printf(&u, "s3://%s/%s", b, p ? p : "");
	v = json_string(bq_buf_cstr(&u));
	bq_buf_release(&u);
	return v;
}

static void set_bool(json_t *rec, const char *k, const json_t *lc,
		     const char *member)
{
	json_t *v = json_object_get(lc, member);

	if (json_is_boolean(v))
		json_object_set(rec, k, v);
}

static json_t *config_record(const json_t *lc, const char *region)
{
	json_t *rec = json_pack("{s:s}", "kind", "logging_config");
	const json_t *cw = json_object_get(lc, "cloudWatchConfig");
	json_t *v;

	if (!rec)
		return NULL;
	if (region)
		json_object_set_new(rec, "region", json_string(region));
	json_object_set_new(rec, "enabled", json_boolean(lc != NULL));
	if ((v = json_object_get(cw, "logGroupName")))
		json_object_set(rec, "log_group", v);
	if ((v = json_object_get(cw, "roleArn")))
		json_object_set(rec, "role_arn", v);
	if ((v = s3_url(json_object_get(cw, "largeDataDeliveryS3Config"))))
		json_object_set_new(rec, "large_data_s3", v);
	if ((v = s3_url(json_object_get(lc, "s3Config"))))
		json_object_set_new(rec, "s3", v);
	set_bool(rec, "text_data_delivery", lc, "textDataDeliveryEnabled");
	set_bool(rec, "image_data_delivery", lc, "imageDataDeliveryEnabled");
	set_bool(rec, "embedding_data_delivery", lc, "embeddingDataDeliveryEnabled");
	set_bool(rec, "video_data_delivery", lc, "videoDataDeliveryEnabled");
	set_bool(rec, "audio_data_delivery", lc, "audioDataDeliveryEnabled");
	return rec;
}

/* {"bucketName","keyPrefix"} from --s3 (the prefix without its slash:
 * Bedrock adds "/AWSLogs/..." itself). */
static json_t *s3_config(const char *url, bq_err *err)
{
	bq_invlog_loc loc;
	json_t *c;
	size_t l;

	if (bq_invlog_parse_s3(url, &loc, err) < 0)
		return NULL;
	if (loc.account) {
		bq_invlog_loc_release(&loc);
		bq_fail(err, BQ_EXIT_USAGE,
			"--enable takes the bucket and key prefix, not '%s'", url);
		return NULL;
	}
	l = strlen(loc.prefix);
	if (l && loc.prefix[l - 1] == '/')
		loc.prefix[l - 1] = '\0';
	c = json_pack("{s:s}", "bucketName", loc.bucket);
	if (c && loc.prefix[0])
		json_object_set_new(c, "keyPrefix", json_string(loc.prefix));
	bq_invlog_loc_release(&loc);
	if (!c)
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return c;
}

static int enable(bqlogs *L, bq_aws *aws, bq_err *err)
{
	struct bq_cli *cli = L->cli;
	const char *s3 = bq_cli_get(cli, BQ_LO_S3);
	const char *role = bq_cli_get(cli, BQ_LO_ROLE_ARN);
	size_t ng = bq_cli_count(cli, BQ_LO_LOG_GROUP);
	json_t *lc, *body, *s3c = NULL, *out = NULL;
	int r;

	if (!s3 && !ng)
		return bq_fail(err, BQ_EXIT_USAGE, "--enable needs --s3 and/or --log-group");
	if (ng > 1)
		return bq_fail(err, BQ_EXIT_USAGE, "--enable takes one --log-group");
	if (ng && !role)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "--log-group needs --role-arn (a role Bedrock may assume to write logs)");
	if (s3 && !(s3c = s3_config(s3, err)))
		return -1;
	lc = json_pack("{s:b,s:b,s:b}", "textDataDeliveryEnabled", 1,
		       "imageDataDeliveryEnabled", 1, "embeddingDataDeliveryEnabled", 1);
	if (!lc) {
		json_decref(s3c);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	if (ng) {
		json_t *cw = json_pack("{s:s,s:s}", "logGroupName",
				       bq_cli_get(cli, BQ_LO_LOG_GROUP), "roleArn", role);

		/* bodies over 100 KB go to the bucket when there is one */
		if (cw && s3c)
			json_object_set(cw, "largeDataDeliveryS3Config", s3c);
		json_object_set_new(lc, "cloudWatchConfig", cw);
	}
	if (s3c)
		json_object_set_new(lc, "s3Config", s3c);
	body = json_pack("{s:o}", "loggingConfig", lc);
	r = bq_aws_rest_call(aws, BQ_SVC_BEDROCK, "PUT", "/logging/modelinvocations",
			     NULL, body, &out, err);
	json_decref(body);
	json_decref(out);
	if (r == 0 && !L->quiet)
		bq_msg("model invocation logging set in %s", bq_aws_region(aws));
	return r;
}

int bqlogs_config(bqlogs *L, bq_err *err)
{
	bq_aws *aws;
	json_t *lc = NULL, *rec;
	int r;

	if (!bq_cli_has(L->cli, BQ_LO_ENABLE) &&
	    (bq_cli_has(L->cli, BQ_LO_S3) || bq_cli_has(L->cli, BQ_LO_LOG_GROUP) ||
	     bq_cli_has(L->cli, BQ_LO_ROLE_ARN)))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "--s3, --log-group and --role-arn set the configuration only with --enable");
	if (bqlogs_aws(L, &aws, err) < 0)
		return -1;
	if (bq_cli_has(L->cli, BQ_LO_ENABLE) && enable(L, aws, err) < 0)
		return -1;
	if (bqlogs_get_config(L, &lc, err) < 0)
		return -1;
	rec = config_record(lc, bq_aws_region(aws));
	json_decref(lc);
	if (!rec)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	r = bq_out_emit_new(L->out, rec, err);
	if (r == BQ_OUT_CLOSED)
		L->closed = true;
	return r;
}
