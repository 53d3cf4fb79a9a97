/*
 * service: the static table of AWS services bq talks to, taken from the
 * metadata blocks of shared/aws-models/<x>.service-2.json (and
 * bedrock-facts.md section 1).
 *
 * Ownership: descriptors are static and read-only; every pointer returned
 * here is borrowed for the life of the process.
 */
#ifndef BQ_SERVICE_H
#define BQ_SERVICE_H

#include <stdbool.h>

typedef enum bq_service_id {
	BQ_SVC_CLOUDWATCH = 0,  /* monitoring, awsJson 1.0 */
	BQ_SVC_LOGS,            /* CloudWatch Logs, awsJson 1.1 */
	BQ_SVC_CLOUDTRAIL,      /* awsJson 1.1 */
	BQ_SVC_XRAY,            /* rest-json */
	BQ_SVC_BEDROCK,         /* control plane, rest-json */
	BQ_SVC_BEDROCK_RUNTIME, /* rest-json, signs as "bedrock" */
	BQ_SVC_CE,              /* Cost Explorer, awsJson 1.1, us-east-1 */
	BQ_SVC_PRICING,         /* awsJson 1.1, us-east-1 */
	BQ_SVC_TAGGING,         /* Resource Groups Tagging API, awsJson 1.1 */
	BQ_SVC_ATHENA,          /* awsJson 1.1 */
	BQ_SVC_S3,              /* rest-xml */
	BQ_SVC_STS,             /* query */
	BQ_SVC_SSO,             /* portal.sso, rest-json (GetRoleCredentials) */
	BQ_SVC_COUNT
} bq_service_id;

typedef enum bq_protocol {
	BQ_PROTO_JSON,      /* awsJson 1.0 / 1.1 with X-Amz-Target */
	BQ_PROTO_REST_JSON,
	BQ_PROTO_REST_XML,
	BQ_PROTO_QUERY
} bq_protocol;

typedef struct bq_service {
	bq_service_id id;
	const char *service_id;      /* model serviceId: "CloudWatch Logs" */
	const char *endpoint_prefix; /* "logs", "api.pricing", "portal.sso" */
	const char *signing_name;    /* SigV4 scope service: "bedrock" for runtime */
	bq_protocol protocol;
	const char *json_version;    /* "1.0" / "1.1" or NULL */
	const char *target_prefix;   /* X-Amz-Target prefix or NULL */
	const char *api_version;     /* "2011-06-15" (query Version=) */
	const char *env_suffix;      /* AWS_ENDPOINT_URL_<env_suffix> */
	const char *config_key;      /* key inside a [services x] section */
	const char *fixed_region;    /* region the service lives in, or NULL */
	bool query_mode_header;      /* sign x-amzn-query-mode: true (CloudWatch) */
} bq_service;

/* Borrowed; NULL for an out-of-range id. */
const bq_service *bq_service_get(bq_service_id id);
/* Looks a service up by serviceId ("CloudWatch Logs"), endpoint prefix
 * ("logs"), signing name or model file stem ("bedrock-runtime", "ce",
 * "cloudwatch"), case-insensitively.  NULL when unknown. */
const bq_service *bq_service_find(const char *name);

#endif
