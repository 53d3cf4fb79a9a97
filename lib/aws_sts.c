/*
 * aws_sts.c: STS for tools (GetCallerIdentity).  AssumeRole and
 * AssumeRoleWithWebIdentity live with the credentials providers that use
 * them (creds_profile.c, creds_web_identity.c).
 */
#include "aws_internal.h"

int bq_sts_get_caller_identity(bq_aws *a, json_t **out, bq_err *err)
{
	json_t *res = NULL;

	*out = NULL;
	if (bq_aws_query_call(a, BQ_SVC_STS, "GetCallerIdentity", NULL, NULL,
			      &res, err) < 0)
		return -1;
	json_object_del(res, "ResponseMetadata");
	*out = res;
	return 0;
}
