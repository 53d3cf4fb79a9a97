/* endpoint: region and endpoint resolution, S3 addressing, the service
 * table (checked against shared/aws-models when it is there). */
#include "config.h"
#include "endpoint.h"
#include "service.h"
#include "t.h"

#include <jansson.h>
#include <stdlib.h>

static void clear_env(void)
{
	static const char *const vars[] = {
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
		"AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL
	};
	int i;

	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
}

static char *ep_url(bq_service_id svc, const char *region, const char *opt,
		    const bq_config *c, const char *profile)
{
	bq_endpoint e;
	bq_err err;
	char *u;

	if (bq_endpoint_resolve(svc, region, opt, c, profile, &e, &err) < 0)
		return strdup(err.message);
	u = strdup(e.url);
	bq_endpoint_free(&e);
	return u;
}

#define URL_IS(svc, region, opt, c, prof, want, ...) do { \
	char *u_ = ep_url(svc, region, opt, c, prof); \
	T_STREQ(u_, want, __VA_ARGS__); free(u_); } while (0)

static void models_check(void)
{
	const char *top = getenv("BQ_TOP");
	static const char *const stems[] = { "cloudwatch", "logs", "cloudtrail",
		"xray", "bedrock", "bedrock-runtime", "ce", "pricing",
		"resourcegroupstaggingapi", "athena", "s3", "sts", "sso", NULL };
	char path[4096];
	int i, checked = 0;

	if (!top) {
		T_SKIP("service table vs models: BQ_TOP not set");
		return;
	}
	for (i = 0; stems[i]; i++) {
		json_t *m, *md;
		const bq_service *s = bq_service_find(stems[i]);
		const char *sn;

		snprintf(path, sizeof(path), "%s/../shared/aws-models/%s.service-2.json",
			 top, stems[i]);
		m = json_load_file(path, 0, NULL);
		if (!m) {
			T_SKIP("service table vs models: no %s (shared/ not next to the repo)",
			       path);
			return;
		}
		md = json_object_get(m, "metadata");
		sn = json_string_value(json_object_get(md, "signingName"));
		if (!sn)
			sn = json_string_value(json_object_get(md, "endpointPrefix"));
		T_OK(s && strcmp(s->service_id,
				 json_string_value(json_object_get(md, "serviceId"))) == 0 &&
		     strcmp(s->endpoint_prefix,
			    json_string_value(json_object_get(md, "endpointPrefix"))) == 0 &&
		     strcmp(s->signing_name, sn) == 0 &&
		     strcmp(s->api_version,
			    json_string_value(json_object_get(md, "apiVersion"))) == 0,
		     "service table matches %s metadata", stems[i]);
		if (s && s->target_prefix)
			T_OK(json_is_string(json_object_get(md, "targetPrefix")) &&
			     strcmp(s->target_prefix,
				    json_string_value(json_object_get(md, "targetPrefix"))) == 0 &&
			     strcmp(s->json_version,
				    json_string_value(json_object_get(md, "jsonVersion"))) == 0,
			     "%s target prefix and JSON version", stems[i]);
		json_decref(m);
		checked++;
	}
	T_OK(checked == 13, "all service models checked");
}

int main(void)
{
	bq_config *c = bq_config_new();
	bq_err err;
	char *r = NULL, *host, *path;
	bq_endpoint e;
	const char cfg[] =
		"[default]\nregion = eu-west-1\n"
		"[profile svc]\nregion = us-west-2\nservices = loc\nendpoint_url = http://global:1\n"
		"[profile ign]\nendpoint_url = http://global:1\nignore_configured_endpoint_urls = true\n"
		"[services loc]\ncloudwatch_logs =\n  endpoint_url = http://logs-svc:2/\n";

	clear_env();
	bq_config_parse(c, BQ_CONFIG_FILE, "cfg", cfg, sizeof(cfg) - 1, &err);

	/* region */
	T_OK(bq_region_resolve(NULL, c, "default", &r, &err) == 0 && !strcmp(r, "eu-west-1"),
	     "region from the profile");
	free(r);
	setenv("AWS_DEFAULT_REGION", "us-east-2", 1);
	T_OK(bq_region_resolve(NULL, c, "default", &r, &err) == 0 && !strcmp(r, "us-east-2"),
	     "AWS_DEFAULT_REGION over the profile");
	free(r);
	setenv("AWS_REGION", "ca-central-1", 1);
	T_OK(bq_region_resolve(NULL, c, "default", &r, &err) == 0 && !strcmp(r, "ca-central-1"),
	     "AWS_REGION over AWS_DEFAULT_REGION");
	free(r);
	T_OK(bq_region_resolve("ap-northeast-1", c, "default", &r, &err) == 0 &&
	     !strcmp(r, "ap-northeast-1"), "--region wins");
	free(r);
	clear_env();
	T_OK(bq_region_resolve(NULL, c, "nosuch", &r, &err) < 0 &&
	     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, "no region"),
	     "no region is a usage error");
	T_OK(bq_region_resolve("us east", c, "default", &r, &err) < 0 &&
	     err.exit_status == BQ_EXIT_USAGE, "a bad region is a usage error");

	/* AWS endpoints */
	URL_IS(BQ_SVC_LOGS, "eu-west-1", NULL, NULL, NULL,
	       "https://logs.eu-west-1.amazonaws.com", "logs AWS endpoint");
	URL_IS(BQ_SVC_CLOUDWATCH, "eu-west-1", NULL, NULL, NULL,
	       "https://monitoring.eu-west-1.amazonaws.com", "CloudWatch is monitoring");
	URL_IS(BQ_SVC_BEDROCK_RUNTIME, "us-west-2", NULL, NULL, NULL,
	       "https://bedrock-runtime.us-west-2.amazonaws.com", "bedrock runtime endpoint");
	URL_IS(BQ_SVC_CE, "eu-west-1", NULL, NULL, NULL,
	       "https://ce.us-east-1.amazonaws.com", "Cost Explorer is in us-east-1");
	URL_IS(BQ_SVC_PRICING, "eu-west-1", NULL, NULL, NULL,
	       "https://api.pricing.us-east-1.amazonaws.com", "Pricing defaults to us-east-1");
	URL_IS(BQ_SVC_PRICING, "ap-south-1", NULL, NULL, NULL,
	       "https://api.pricing.ap-south-1.amazonaws.com", "Pricing in ap-south-1");
	URL_IS(BQ_SVC_STS, "cn-north-1", NULL, NULL, NULL,
	       "https://sts.cn-north-1.amazonaws.com.cn", "China partition DNS suffix");
	URL_IS(BQ_SVC_SSO, "eu-central-1", NULL, NULL, NULL,
	       "https://portal.sso.eu-central-1.amazonaws.com", "SSO portal endpoint");
	bq_endpoint_resolve(BQ_SVC_BEDROCK_RUNTIME, "us-west-2", NULL, NULL, NULL, &e, &err);
	T_STREQ(e.signing_name, "bedrock", "Bedrock Runtime signs as bedrock");
	T_STREQ(e.signing_region, "us-west-2", "signing region is the region");
	bq_endpoint_free(&e);
	bq_endpoint_resolve(BQ_SVC_CE, "eu-west-1", "http://127.0.0.1:9", NULL, NULL, &e, &err);
	T_STREQ(e.signing_region, "us-east-1", "Cost Explorer signs for us-east-1 on any endpoint");
	bq_endpoint_free(&e);

	/* configured endpoints, in order */
	URL_IS(BQ_SVC_LOGS, "us-west-2", NULL, c, "svc", "http://logs-svc:2",
	       "services section endpoint (trailing slash dropped)");
	URL_IS(BQ_SVC_XRAY, "us-west-2", NULL, c, "svc", "http://global:1",
	       "profile endpoint_url for services without a services entry");
	setenv("AWS_ENDPOINT_URL", "http://env-global:3", 1);
	URL_IS(BQ_SVC_LOGS, "us-west-2", NULL, c, "svc", "http://env-global:3",
	       "AWS_ENDPOINT_URL over the config file");
	setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env-logs:4", 1);
	URL_IS(BQ_SVC_LOGS, "us-west-2", NULL, c, "svc", "http://env-logs:4",
	       "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS over AWS_ENDPOINT_URL");
	URL_IS(BQ_SVC_XRAY, "us-west-2", NULL, c, "svc", "http://env-global:3",
	       "a service variable does not affect other services");
	setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://env-rt:5", 1);
	URL_IS(BQ_SVC_BEDROCK_RUNTIME, "us-west-2", NULL, c, "svc", "http://env-rt:5",
	       "service id with a space: AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	URL_IS(BQ_SVC_LOGS, "us-west-2", "https://opt.example:8443/base/", c, "svc",
	       "https://opt.example:8443/base", "--endpoint-url wins over everything");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	URL_IS(BQ_SVC_LOGS, "us-west-2", NULL, c, "svc",
	       "https://logs.us-west-2.amazonaws.com",
	       "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores env and config");
	URL_IS(BQ_SVC_LOGS, "us-west-2", "http://opt:1", c, "svc", "http://opt:1",
	       "... but not --endpoint-url");
	clear_env();
	URL_IS(BQ_SVC_LOGS, "us-west-2", NULL, c, "ign",
	       "https://logs.us-west-2.amazonaws.com",
	       "ignore_configured_endpoint_urls in the profile");
	URL_IS(BQ_SVC_LOGS, "us-west-2", "ftp://x", NULL, NULL,
	       "endpoint 'ftp://x' is not an http:// or https:// URL",
	       "a non-http endpoint is refused");

	/* host forms */
	bq_endpoint_resolve(BQ_SVC_LOGS, "us-east-1", "http://LocalHost:80/", NULL, NULL, &e, &err);
	T_STREQ(e.host, "localhost", "default port dropped, host lower-cased");
	bq_endpoint_free(&e);
	bq_endpoint_resolve(BQ_SVC_LOGS, "us-east-1", "http://[::1]:4566", NULL, NULL, &e, &err);
	T_STREQ(e.host, "[::1]:4566", "IPv6 literal with a port");
	bq_endpoint_free(&e);

	/* S3 addressing */
	bq_endpoint_resolve(BQ_SVC_S3, "eu-west-1", NULL, NULL, NULL, &e, &err);
	bq_endpoint_s3_target(&e, "my-bucket", "/a%20b/c", false, &host, &path, &err);
	T_STREQ(host, "my-bucket.s3.eu-west-1.amazonaws.com", "virtual-hosted on AWS");
	T_STREQ(path, "/a%20b/c", "key path under a virtual host");
	free(host);
	free(path);
	bq_endpoint_s3_target(&e, "my.dotted.bucket", "", false, &host, &path, &err);
	T_OK(!strcmp(host, "s3.eu-west-1.amazonaws.com") && !strcmp(path, "/my.dotted.bucket"),
	     "dotted bucket names use path style (certificate)");
	free(host);
	free(path);
	bq_endpoint_s3_target(&e, "my-bucket", "/k", true, &host, &path, &err);
	T_OK(!strcmp(host, "s3.eu-west-1.amazonaws.com") && !strcmp(path, "/my-bucket/k"),
	     "addressing_style = path forces path style");
	free(host);
	free(path);
	bq_endpoint_free(&e);
	bq_endpoint_resolve(BQ_SVC_S3, "eu-west-1", "http://127.0.0.1:5000/pre", NULL, NULL, &e, &err);
	bq_endpoint_s3_target(&e, "my-bucket", "/k", false, &host, &path, &err);
	T_OK(!strcmp(host, "127.0.0.1:5000") && !strcmp(path, "/pre/my-bucket/k"),
	     "path style on a custom endpoint, base path kept");
	free(host);
	free(path);
	bq_endpoint_free(&e);

	/* the service table */
	T_OK(bq_service_find("CloudWatch Logs") == bq_service_get(BQ_SVC_LOGS),
	     "find by serviceId");
	T_OK(bq_service_find("bedrock-runtime") == bq_service_get(BQ_SVC_BEDROCK_RUNTIME),
	     "find by endpoint prefix");
	T_OK(bq_service_find("COST_EXPLORER") == bq_service_get(BQ_SVC_CE),
	     "find by environment suffix");
	T_OK(bq_service_get(BQ_SVC_CLOUDWATCH)->query_mode_header &&
	     !strcmp(bq_service_get(BQ_SVC_CLOUDWATCH)->json_version, "1.0"),
	     "CloudWatch: JSON 1.0 with x-amzn-query-mode");
	T_OK(bq_service_find("nope") == NULL, "unknown service");
	models_check();
	bq_config_free(c);
	return T_DONE();
}
