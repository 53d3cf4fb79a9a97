/* bq-logs helpers that need no AWS: Insights rows and query states. */
#include "bqlogs_internal.h"
#include "t.h"

#include <stdlib.h>

int main(void)
{
	json_error_t je;
	json_t *row = json_loads("[{\"field\":\"@timestamp\",\"value\":\"2026-11-26 10:00:00.000\"},"
				 "{\"field\":\"principal\",\"value\":\"arn:aws:iam::1:user/a\"},"
				 "{\"field\":\"totalInput\",\"value\":\"1234\"},"
				 "{\"field\":\"@ptr\",\"value\":\"CmAKJwoj...\"},"
				 "{\"field\":\"kind\",\"value\":\"x\"}]", 0, &je);
	json_t *rec = bqlogs_insights_row(row);
	char *d = json_dumps(rec, JSON_COMPACT);

	T_STREQ(d, "{\"kind\":\"insights_row\",\"@timestamp\":\"2026-11-26 10:00:00.000\","
		"\"principal\":\"arn:aws:iam::1:user/a\",\"totalInput\":\"1234\"}",
		"insights row: fields in order, values as the service gives them, @ptr and a clashing kind left out");
	free(d);
	json_decref(rec);
	json_decref(row);
	row = json_array();
	rec = bqlogs_insights_row(row);
	T_OK(rec && json_object_size(rec) == 1, "an empty row is just its kind");
	json_decref(rec);
	json_decref(row);

	T_OK(bqlogs_query_status("Complete") == 0, "Complete: read the results");
	T_OK(bqlogs_query_status("Running") == 1 && bqlogs_query_status("Scheduled") == 1,
	     "Scheduled and Running: keep polling");
	T_OK(bqlogs_query_status("Failed") == -1 && bqlogs_query_status("Cancelled") == -1 &&
	     bqlogs_query_status("Timeout") == -1 && bqlogs_query_status("Unknown") == -1 &&
	     bqlogs_query_status(NULL) == -1, "Failed, Cancelled, Timeout, Unknown, none: errors");
	return T_DONE();
}
