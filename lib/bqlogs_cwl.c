/*
 * bq-logs over CloudWatch Logs: FilterLogEvents over one or more log
 * groups merged in time order (one page per group in memory), --follow
 * polling with an overlap window and event-id de-duplication, and Logs
 * Insights queries.
 */
#include "bqlogs.h"
#include "bqlogs_internal.h"

#include "buf.h"
#include "clock.h"
#include "ndjson.h"
#include "seenset.h"

#include <stdlib.h>
#include <string.h>

/* FilterLogEvents filters on the event's timestamp, which may differ a
 * little from the record's own "timestamp" (Bedrock logs seconds only):
 * ask for a slightly wider range and let the record timestamps cut the
 * window exactly. */
#define EVENT_SLACK_MS INT64_C(60000)

struct grp {
	const char *name;
	json_t *page;   /* the current FilterLogEvents response */
	size_t pos;     /* next event in page.events */
	char *token;
	bool done;
};

static int64_t event_ts(const json_t *ev)
{
	return (int64_t)json_integer_value(json_object_get(ev, "timestamp"));
}

static const json_t *grp_head(const struct grp *g)
{
	return json_array_get(json_object_get(g->page, "events"), g->pos);
}

/* The merge order: event timestamp, then the group's place among the
 * --log-group options, so equal timestamps never depend on how or when
 * pages arrive.  Within a group the service's order stands (the heads
 * compared are always of different groups).  a comes before b when < 0. */
static int head_cmp(const struct grp *a, size_t ai, const struct grp *b,
		    size_t bi)
{
	int64_t ta = event_ts(grp_head(a)), tb = event_ts(grp_head(b));

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return ai < bi ? -1 : ai > bi;
}

/* Makes g->page hold unread events, or sets g->done.  An empty page that
 * carries a token is not the end: keep asking. */
static int fill(bq_aws *aws, struct grp *g, int64_t start, int64_t end,
		bq_err *err)
{
	while (!g->done) {
		json_t *events = json_object_get(g->page, "events");
		json_t *in, *out = NULL;
		const char *tok;
		int r;

		if (g->page && g->pos < json_array_size(events))
			return 0;
		if (g->page && !g->token) {
			g->done = true;
			break;
		}
		in = json_pack("{s:s,s:I}", "logGroupName", g->name,
			       "startTime", (json_int_t)start);
		if (!in)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		if (end != INT64_MAX)
			json_object_set_new(in, "endTime", json_integer(end));
		if (g->token)
			json_object_set_new(in, "nextToken", json_string(g->token));
		r = bq_aws_json_call(aws, BQ_SVC_LOGS, "FilterLogEvents", in,
				     &out, err);
		json_decref(in);
		if (r < 0)
			return -1;
		tok = json_string_value(json_object_get(out, "nextToken"));
		if (tok && g->token && strcmp(tok, g->token) == 0)
			tok = NULL; /* a token that does not move is the end */
		free(g->token);
		g->token = tok ? strdup(tok) : NULL;
		json_decref(g->page);
		g->page = out;
		g->pos = 0;
	}
	return 0;
}

static void grp_release(struct grp *g)
{
	json_decref(g->page);
	free(g->token);
	memset(g, 0, sizeof(*g));
}

/*
 * Streams the events of every group with timestamps in [start, end] (end
 * INT64_MAX: up to now) through the record pipeline, merged in the order
 * of head_cmp (within a group, in the order the service gives).  With seen, events already in it are skipped and new ones are
 * added; *hw gets the highest event timestamp read.
 */
static int merge(bqlogs *L, bq_aws *aws, int64_t start, int64_t end,
		 bq_seen *seen, int64_t *hw, bq_err *err)
{
	size_t n = bqlogs_ngroups(L), i;
	struct grp *g = calloc(n ? n : 1, sizeof(*g));
	bq_buf src = BQ_BUF_INIT;
	int r = 0;

	if (!g)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (i = 0; i < n && r == 0; i++) {
		g[i].name = bqlogs_group(L, i);
		r = fill(aws, &g[i], start, end, err);
	}
	while (r == 0) {
		struct grp *best = NULL;
		size_t best_i = 0;
		int64_t best_ts;
		json_t *ev;
		const char *msg, *id;

		for (i = 0; i < n; i++) {
			if (g[i].done)
				continue;
			if (!best || head_cmp(&g[i], i, best, best_i) < 0) {
				best = &g[i];
				best_i = i;
			}
		}
		if (!best)
			break;
		ev = json_array_get(json_object_get(best->page, "events"), best->pos);
		best_ts = event_ts(ev);
		best->pos++;
		if (hw && best_ts > *hw)
			*hw = best_ts;
		id = json_string_value(json_object_get(ev, "eventId"));
		msg = json_string_value(json_object_get(ev, "message"));
		if (seen && id) {
			int a = bq_seen_add(seen, id, best_ts);

			if (a < 0) {
				r = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
				break;
			}
			if (a == 0)
				goto next;
		}
		bq_buf_reset(&src);
		bq_buf_printf(&src, "%s (event %s)", best->name, id ? id : "?");
		if (!msg)
			bqlogs_reject(L, bq_buf_cstr(&src), 0, "event without a message");
		else
			r = bqlogs_line(L, msg, json_string_length(json_object_get(ev, "message")),
					bq_buf_cstr(&src), 0, err);
		if (r)
			break;
next:
		r = fill(aws, best, start, end, err);
	}
	for (i = 0; i < n; i++) {
		if (g[i].page)
			L->objects++;
		grp_release(&g[i]);
	}
	free(g);
	bq_buf_release(&src);
	return r;
}

int bqlogs_read_groups(bqlogs *L, bq_err *err)
{
	bq_aws *aws;

	if (bqlogs_aws(L, &aws, err) < 0)
		return -1;
	return merge(L, aws, L->since_ms - EVENT_SLACK_MS,
		     L->until_ms + EVENT_SLACK_MS, NULL, NULL, err);
}

/*
 * --follow: like tail -f.  Each poll re-reads from (highest timestamp seen
 * - overlap) so events ingested late are still found, and skips the event
 * ids it has printed; ids older than the next poll's start are forgotten,
 * so memory holds one overlap window of ids however long it runs.
 */
int bqlogs_follow(bqlogs *L, bq_err *err)
{
	bq_aws *aws;
	bq_seen *seen;
	int64_t hw = INT64_MIN, start;
	double backoff = 0;
	int r = 0;

	if (bqlogs_aws(L, &aws, err) < 0)
		return -1;
	if (!(seen = bq_seen_new()))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (;;) {
		bq_err e;

		start = L->since_ms - EVENT_SLACK_MS;
		if (hw != INT64_MIN && hw - L->overlap_ms > start)
			start = hw - L->overlap_ms;
		r = merge(L, aws, start, INT64_MAX, seen, &hw, &e);
		if (r == BQ_OUT_CLOSED || L->closed) {
			r = 0;
			break;
		}
		if (r < 0) {
			/* keep following through throttling and outages */
			if (!e.retryable && !e.throttling) {
				*err = e;
				break;
			}
			if (!L->quiet)
				bq_warn("%s (retrying)", e.message);
			backoff = backoff ? backoff * 2 : 1;
			if (backoff > 60)
				backoff = 60;
			bq_clock_sleep(L->cfg.clock, backoff);
			r = 0;
			continue;
		}
		backoff = 0;
		if (bq_out_flush(L->out, err) != 0) {
			r = L->closed || bq_out_closed(L->out) ? 0 : -1;
			break;
		}
		if (hw != INT64_MIN)
			bq_seen_expire(seen, hw - L->overlap_ms);
		bq_clock_sleep(L->cfg.clock, (double)L->interval_ms / 1000.0);
	}
	bq_seen_free(seen);
	return r;
}

/* ---- Logs Insights ---- */

json_t *bqlogs_insights_row(const json_t *fields)
{
	json_t *rec = json_pack("{s:s}", "kind", "insights_row"), *f;
	size_t j;

	if (!rec)
		return NULL;
	json_array_foreach(fields, j, f) {
		const char *k = json_string_value(json_object_get(f, "field"));
		json_t *v = json_object_get(f, "value");

		/* @ptr is a handle for GetLogRecord, not data */
		if (!k || strcmp(k, "@ptr") == 0 || strcmp(k, "kind") == 0)
			continue;
		if (json_object_set(rec, k, v ? v : json_null()) < 0) {
			json_decref(rec);
			return NULL;
		}
	}
	return rec;
}

int bqlogs_query_status(const char *status)
{
	if (!status)
		return -1;
	if (strcmp(status, "Complete") == 0)
		return 0;
	if (strcmp(status, "Scheduled") == 0 || strcmp(status, "Running") == 0)
		return 1;
	return -1;
}

/* Emits rows until `left` reaches 0 (the --limit, enforced here as well in
 * case the service returns more). */
static int emit_rows(bqlogs *L, json_t *results, long *left, bq_err *err)
{
	size_t i;
	json_t *row;

	json_array_foreach(results, i, row) {
		json_t *rec;
		int r;

		if (*left == 0)
			return 0;
		if (!(rec = bqlogs_insights_row(row)))
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		r = bq_out_emit_new(L->out, rec, err);
		if (r == BQ_OUT_CLOSED)
			L->closed = true;
		if (r)
			return r;
		L->emitted++;
		if (*left > 0)
			(*left)--;
	}
	return 0;
}

int bqlogs_insights(bqlogs *L, const char *query, bq_err *err)
{
	bq_aws *aws;
	json_t *in, *names, *out = NULL;
	const char *qid, *status = NULL, *lim = bq_cli_get(L->cli, BQ_LO_LIMIT);
	char *id = NULL;
	double delay = 0.25;
	size_t i, n = bqlogs_ngroups(L);
	long left = lim ? strtol(lim, NULL, 10) : -1;
	int r = -1, st;

	if (bqlogs_aws(L, &aws, err) < 0)
		return -1;
	if (n == 0)
		return bq_fail(err, BQ_EXIT_USAGE, "--insights needs a log group");
	names = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(names, json_string(bqlogs_group(L, i)));
	/* epoch seconds, both ends inclusive */
	in = json_pack("{s:o,s:I,s:I,s:s}", "logGroupNames", names,
		       "startTime", (json_int_t)(L->since_ms / 1000),
		       "endTime", (json_int_t)((L->until_ms - 1) / 1000),
		       "queryString", query);
	if (!in)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (lim)
		json_object_set_new(in, "limit", json_integer(strtol(lim, NULL, 10)));
	r = bq_aws_json_call(aws, BQ_SVC_LOGS, "StartQuery", in, &out, err);
	json_decref(in);
	if (r < 0)
		return -1;
	qid = json_string_value(json_object_get(out, "queryId"));
	id = qid ? strdup(qid) : NULL;
	json_decref(out);
	out = NULL;
	if (!id)
		return bq_fail(err, BQ_EXIT_RUNTIME, "StartQuery returned no queryId");
	/* Poll with backoff until the query is done. */
	for (;;) {
		in = json_pack("{s:s}", "queryId", id);
		json_decref(out);
		out = NULL;
		r = bq_aws_json_call(aws, BQ_SVC_LOGS, "GetQueryResults", in, &out, err);
		json_decref(in);
		if (r < 0)
			goto done;
		status = json_string_value(json_object_get(out, "status"));
		st = bqlogs_query_status(status);
		if (st == 0)
			break;
		if (st < 0) {
			r = bq_fail(err, BQ_EXIT_RUNTIME, "query %s ended with status %s",
				    id, status ? status : "(none)");
			goto done;
		}
		bq_clock_sleep(L->cfg.clock, delay);
		delay = delay * 2 > 5 ? 5 : delay * 2;
	}
	/* Complete: the rows, following nextToken when results are paged. */
	for (;;) {
		const char *tok;

		r = emit_rows(L, json_object_get(out, "results"), &left, err);
		if (r)
			goto done;
		tok = json_string_value(json_object_get(out, "nextToken"));
		if (!tok || left == 0)
			break;
		in = json_pack("{s:s,s:s}", "queryId", id, "nextToken", tok);
		json_decref(out);
		out = NULL;
		r = bq_aws_json_call(aws, BQ_SVC_LOGS, "GetQueryResults", in, &out, err);
		json_decref(in);
		if (r < 0)
			goto done;
	}
	if (!L->quiet) {
		json_t *stats = json_object_get(out, "statistics");

		bq_msg("query %s: %zu row%s, %.0f records matched, %.0f scanned",
		       id, L->emitted, L->emitted == 1 ? "" : "s",
		       json_number_value(json_object_get(stats, "recordsMatched")),
		       json_number_value(json_object_get(stats, "recordsScanned")));
	}
	r = 0;
done:
	json_decref(out);
	free(id);
	return r;
}
