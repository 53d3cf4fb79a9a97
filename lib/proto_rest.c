#include "proto.h"
#include "aws.h"
#include "uri.h"

#include <stdlib.h>
#include <string.h>

int bq_proto_encode_segment(bq_buf *out, const char *s)
{
	return bq_uri_encode(out, s, strlen(s), false);
}

int bq_proto_encode_key(bq_buf *out, const char *key)
{
	return bq_uri_encode(out, key, strlen(key), true);
}

int bq_aws_path_add(bq_buf *path, const char *segment)
{
	if (bq_buf_putc(path, '/') < 0)
		return -1;
	return bq_proto_encode_segment(path, segment);
}

int bq_aws_query_add(bq_buf *query, const char *key, const char *value)
{
	if (query->len && bq_buf_putc(query, '&') < 0)
		return -1;
	if (bq_uri_encode(query, key, strlen(key), false) < 0 ||
	    bq_buf_putc(query, '=') < 0)
		return -1;
	return value ? bq_uri_encode(query, value, strlen(value), false) : 0;
}
