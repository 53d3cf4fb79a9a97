#include "service.h"

#include <stddef.h>
#include <strings.h>

/* From the metadata blocks of shared/aws-models/<stem>.service-2.json.
 * CloudWatch lists smithy-rpc-v2-cbor first; we speak its awsJson 1.0 form
 * as botocore does, which also signs x-amzn-query-mode. */
static const struct svc_row {
	bq_service s;
	const char *stem; /* model file stem */
} services[BQ_SVC_COUNT] = {
	{ { BQ_SVC_CLOUDWATCH, "CloudWatch", "monitoring", "monitoring",
	    BQ_PROTO_JSON, "1.0", "GraniteServiceVersion20100801", "2010-08-01",
	    "CLOUDWATCH", "cloudwatch", NULL, true }, "cloudwatch" },
	{ { BQ_SVC_LOGS, "CloudWatch Logs", "logs", "logs", BQ_PROTO_JSON, "1.1",
	    "Logs_20140328", "2014-03-28", "CLOUDWATCH_LOGS", "cloudwatch_logs",
	    NULL, false }, "logs" },
	{ { BQ_SVC_CLOUDTRAIL, "CloudTrail", "cloudtrail", "cloudtrail",
	    BQ_PROTO_JSON, "1.1",
	    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
	    "2013-11-01", "CLOUDTRAIL", "cloudtrail", NULL, false }, "cloudtrail" },
	{ { BQ_SVC_XRAY, "XRay", "xray", "xray", BQ_PROTO_REST_JSON, NULL, NULL,
	    "2016-04-12", "XRAY", "xray", NULL, false }, "xray" },
	{ { BQ_SVC_BEDROCK, "Bedrock", "bedrock", "bedrock", BQ_PROTO_REST_JSON,
	    NULL, NULL, "2023-04-20", "BEDROCK", "bedrock", NULL, false },
	  "bedrock" },
	{ { BQ_SVC_BEDROCK_RUNTIME, "Bedrock Runtime", "bedrock-runtime",
	    "bedrock", BQ_PROTO_REST_JSON, NULL, NULL, "2023-09-30",
	    "BEDROCK_RUNTIME", "bedrock_runtime", NULL, false },
	  "bedrock-runtime" },
	{ { BQ_SVC_CE, "Cost Explorer", "ce", "ce", BQ_PROTO_JSON, "1.1",
	    "AWSInsightsIndexService", "2017-10-25", "COST_EXPLORER",
	    "cost_explorer", "us-east-1", false }, "ce" },
	{ { BQ_SVC_PRICING, "Pricing", "api.pricing", "pricing", BQ_PROTO_JSON,
	    "1.1", "AWSPriceListService", "2017-10-15", "PRICING", "pricing",
	    "us-east-1", false }, "pricing" },
	{ { BQ_SVC_TAGGING, "Resource Groups Tagging API", "tagging", "tagging",
	    BQ_PROTO_JSON, "1.1", "ResourceGroupsTaggingAPI_20170126",
	    "2017-01-26", "RESOURCE_GROUPS_TAGGING_API",
	    "resource_groups_tagging_api", NULL, false },
	  "resourcegroupstaggingapi" },
	{ { BQ_SVC_ATHENA, "Athena", "athena", "athena", BQ_PROTO_JSON, "1.1",
	    "AmazonAthena", "2017-05-18", "ATHENA", "athena", NULL, false },
	  "athena" },
	{ { BQ_SVC_S3, "S3", "s3", "s3", BQ_PROTO_REST_XML, NULL, NULL,
	    "2006-03-01", "S3", "s3", NULL, false }, "s3" },
	{ { BQ_SVC_STS, "STS", "sts", "sts", BQ_PROTO_QUERY, NULL, NULL,
	    "2011-06-15", "STS", "sts", NULL, false }, "sts" },
	{ { BQ_SVC_SSO, "SSO", "portal.sso", "awsssoportal", BQ_PROTO_REST_JSON,
	    NULL, NULL, "2019-06-10", "SSO", "sso", NULL, false }, "sso" },
};

const bq_service *bq_service_get(bq_service_id id)
{
	if ((int)id < 0 || id >= BQ_SVC_COUNT)
		return NULL;
	return &services[id].s;
}

const bq_service *bq_service_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < BQ_SVC_COUNT; i++) {
		const struct svc_row *r = &services[i];

		if (strcasecmp(name, r->s.service_id) == 0 ||
		    strcasecmp(name, r->s.endpoint_prefix) == 0 ||
		    strcasecmp(name, r->stem) == 0 ||
		    strcasecmp(name, r->s.env_suffix) == 0 ||
		    strcasecmp(name, r->s.config_key) == 0)
			return &r->s;
	}
	/* signing names are ambiguous ("bedrock"), so only as a last resort */
	for (i = 0; i < BQ_SVC_COUNT; i++)
		if (strcasecmp(name, services[i].s.signing_name) == 0)
			return &services[i].s;
	return NULL;
}
