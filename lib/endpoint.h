/*
 * endpoint: region and endpoint resolution per service
 * (interface.md section 2, bedrock-facts.md sections 1 and 9.1).
 *
 * Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region;
 * none is a usage error (status 2).
 *
 * Endpoint of a service, first that is set:
 *   --endpoint-url (opt_url), AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 *   the profile's "services" section ([services x] <key> = / endpoint_url),
 *   the profile's endpoint_url; all but opt_url are skipped when
 *   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
 *   ignore_configured_endpoint_urls) is true.  Otherwise the AWS endpoint
 *   https://<prefix>.<region>.amazonaws.com (.amazonaws.com.cn in China);
 *   Cost Explorer and Pricing live in us-east-1 whatever the region (Pricing
 *   also in ap-south-1 and eu-central-1), and sign with that region too.
 *
 * Ownership: bq_endpoint owns its strings; release with bq_endpoint_free.
 * bq_region_resolve gives a malloc'd string.
 */
#ifndef BQ_ENDPOINT_H
#define BQ_ENDPOINT_H

#include <stdbool.h>

#include "config.h"
#include "err.h"
#include "service.h"

typedef struct bq_endpoint {
	char *url;            /* scheme://host[:port][/base], no trailing '/' */
	char *scheme;         /* "https" / "http" */
	char *host;           /* as sent in Host: with :port when not default */
	char *base_path;      /* "" or "/base" of a custom endpoint URL */
	char *signing_region;
	const char *signing_name; /* borrowed from the service table */
	bool custom;          /* from options, environment or config */
	const char *origin;   /* "--endpoint-url", "AWS_ENDPOINT_URL_S3", ... */
} bq_endpoint;

int bq_region_resolve(const char *opt_region, const bq_config *cfg,
		      const char *profile, char **out, bq_err *err);

int bq_endpoint_resolve(bq_service_id svc, const char *region,
			const char *opt_url, const bq_config *cfg,
			const char *profile, bq_endpoint *out, bq_err *err);
void bq_endpoint_free(bq_endpoint *e);

/* Splits an http(s) URL into scheme, Host-header form and path (without
 * a trailing '/'; "" when none).  Query or fragment: usage error. */
int bq_url_split(const char *url, char **scheme, char **host, char **path,
		 bq_err *err);

/* S3 addressing: the Host and the encoded path for bucket and an already
 * encoded key path ("" for the bucket itself, else "/a%20b/c").  Virtual
 * hosted ("bkt.s3.us-east-1.amazonaws.com", path "/key") on AWS for
 * DNS-compatible names without dots; path style ("/bkt/key") on custom
 * endpoints, for other names, or when the profile says
 * s3 = addressing_style = path.  Both outputs malloc'd. */
int bq_endpoint_s3_target(const bq_endpoint *e, const char *bucket,
			  const char *key_path, bool force_path_style,
			  char **host, char **path, bq_err *err);

#endif
