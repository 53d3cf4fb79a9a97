/*
 * trace: bq-trace's search, fetch and output (see the header).
 */
#include "trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "waterfall.h"
#include "xray_flatten.h"
#include "xray_summary.h"

/* ---- a set of trace ids (open addressing, grows by doubling) ---- */

struct bq_trace_set {
	char **slot;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void set_free(bq_trace_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	free(s);
}

/* 1 when added, 0 when already there, -1 when out of memory. */
static int set_add(bq_trace_set *s, const char *id)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **slot = calloc(cap, sizeof *slot);
		if (!slot)
			return -1;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t j = hash_str(s->slot[i]) & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	size_t j = hash_str(id) & (s->cap - 1);
	for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
		if (strcmp(s->slot[j], id) == 0)
			return 0;
	if (!(s->slot[j] = strdup(id)))
		return -1;
	s->n++;
	return 1;
}

/* ---- one trace: documents sorted, flattened, emitted or drawn ---- */

typedef struct doc_ref {
	json_t *doc;     /* parsed document */
	double start;
	const char *id;
} doc_ref;

static int cmp_doc(const void *pa, const void *pb)
{
	const doc_ref *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->id ? a->id : "", b->id ? b->id : "");
}

typedef struct span_sink {
	bq_trace_ctx *c;
	bool out_failed;     /* the callback's error, not the document's */
	json_t **keep;       /* --tree: spans kept for their strings */
	bq_wf_span *wf;
	char **labels;
	size_t n, cap;
} span_sink;

static char *make_label(const json_t *span)
{
	bq_buf b = BQ_BUF_INIT;
	const char *parts[] = {
		json_string_value(json_object_get(span, "name")),
		json_string_value(json_object_get(span, "aws_operation")),
		json_string_value(json_object_get(span, "model_id")),
	};
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (b.len)
			bq_buf_putc(&b, ' ');
		bq_buf_puts(&b, parts[i]);
	}
	return bq_buf_detach(&b);
}

static int on_span(json_t *span, const bq_xray_span_info *info, void *ud, bq_err *err)
{
	span_sink *k = ud;
	bq_trace_ctx *c = k->c;

	c->spans++;
	if (!c->tree) {
		int rc = bq_out_emit(c->out, span, err);
		if (rc)
			k->out_failed = true;
		return rc;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 32;
		json_t **keep = realloc(k->keep, cap * sizeof *keep);
		if (keep)
			k->keep = keep;
		bq_wf_span *wf = realloc(k->wf, cap * sizeof *wf);
		if (wf)
			k->wf = wf;
		char **labels = realloc(k->labels, cap * sizeof *labels);
		if (labels)
			k->labels = labels;
		if (!keep || !wf || !labels) {
			k->out_failed = true;
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
		k->cap = cap;
	}
	bq_wf_span *w = &k->wf[k->n];
	k->keep[k->n] = json_incref(span);
	k->labels[k->n] = make_label(span);
	w->id = json_string_value(json_object_get(span, "id"));
	w->parent_id = json_string_value(json_object_get(span, "parent_id"));
	w->label = k->labels[k->n];
	w->start = info->start;
	w->end = info->end;
	w->has_end = info->has_end;
	w->error = json_is_true(json_object_get(span, "error"));
	w->fault = json_is_true(json_object_get(span, "fault"));
	w->throttle = json_is_true(json_object_get(span, "throttle"));
	w->http_status = (int)json_integer_value(json_object_get(span, "http_status"));
	k->n++;
	return 0;
}

static int draw_tree(bq_trace_ctx *c, const char *trace_id, span_sink *k, bq_err *err)
{
	bq_buf pic = BQ_BUF_INIT;
	bq_wf_opts o = { c->width, c->color };
	int rc;

	if (c->traces > 1 && bq_buf_putc(&pic, '\n') < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (bq_waterfall_render(trace_id, k->wf, k->n, &o, &pic) < 0) {
		bq_buf_release(&pic);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	rc = bq_out_text(c->out, pic.data, pic.len, err);
	bq_buf_release(&pic);
	return rc;
}

static const char *doc_trace_id(const json_t *trace)
{
	const char *id = json_string_value(json_object_get(trace, "Id"));
	return id && *id ? id : NULL;
}

/* Returns 0, BQ_OUT_CLOSED or -1. */
static int process_trace(bq_trace_ctx *c, const json_t *trace, const char *want_id,
			 bq_err *err)
{
	const json_t *segs = json_object_get(trace, "Segments");
	size_t nseg = json_array_size(segs), nd = 0;
	doc_ref *docs = nseg ? calloc(nseg, sizeof *docs) : NULL;
	const char *tid = doc_trace_id(trace);
	span_sink sink;
	int rc = 0;

	if (nseg && !docs)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (!tid)
		tid = want_id;
	memset(&sink, 0, sizeof sink);
	sink.c = c;
	c->traces++;

	for (size_t i = 0; i < nseg; i++) {
		const json_t *seg = json_array_get(segs, i);
		const json_t *text = json_object_get(seg, "Document");
		const char *sid = json_string_value(json_object_get(seg, "Id"));
		json_error_t jerr;
		json_t *doc = json_is_string(text)
			? json_loadb(json_string_value(text), json_string_length(text), 0, &jerr)
			: NULL;
		if (!doc) {
			bq_msg("trace '%s': segment '%s': segment document is not valid JSON: %s",
			       tid ? tid : "?", sid ? sid : "?",
			       json_is_string(text) ? jerr.text : "no Document");
			c->rejected++;
			continue;
		}
		const json_t *st = json_object_get(doc, "start_time");
		docs[nd].doc = doc;
		docs[nd].start = json_is_number(st) ? json_number_value(st) : 0;
		docs[nd].id = json_string_value(json_object_get(doc, "id"));
		nd++;
	}
	qsort(docs, nd, sizeof *docs, cmp_doc);

	for (size_t i = 0; i < nd && rc == 0; i++) {
		bq_err derr;
		bq_err_clear(&derr);
		int r = bq_xray_flatten(docs[i].doc, tid, on_span, &sink, &derr);
		if (r == 0)
			continue;
		if (sink.out_failed) {
			rc = r;
			*err = derr;
			break;
		}
		const char *doc_tid = json_string_value(json_object_get(docs[i].doc, "trace_id"));
		bq_msg("trace '%s': %s", doc_tid ? doc_tid : tid ? tid : "?", derr.message);
		c->rejected++;
	}
	if (rc == 0 && c->tree && sink.n)
		rc = draw_tree(c, tid ? tid : json_string_value(json_object_get(sink.keep[0], "trace_id")),
			       &sink, err);

	for (size_t i = 0; i < nd; i++)
		json_decref(docs[i].doc);
	free(docs);
	for (size_t i = 0; i < sink.n; i++) {
		json_decref(sink.keep[i]);
		free(sink.labels[i]);
	}
	free(sink.keep);
	free(sink.wf);
	free(sink.labels);
	return rc;
}

/* ---- BatchGetTraces ---- */

typedef struct batch_acc {
	json_t *traces;       /* every Trace of every page */
	json_t *unprocessed;  /* ids to ask again */
} batch_acc;

static int on_traces_page(json_t *page, void *ud, bq_err *err)
{
	batch_acc *acc = ud;
	size_t i;
	json_t *v;
	(void)err;
	json_array_foreach(json_object_get(page, "Traces"), i, v)
		json_array_append(acc->traces, v);
	json_array_foreach(json_object_get(page, "UnprocessedTraceIds"), i, v)
		if (json_is_string(v))
			json_array_append(acc->unprocessed, v);
	return 0;
}

/* The id a trace answers for: its Id, else (moto leaves Id null while a
 * trace is in progress) the trace_id of its first readable document. */
static const char *trace_key(const json_t *trace, json_t **holder)
{
	const char *id = doc_trace_id(trace);
	size_t i;
	const json_t *seg;

	*holder = NULL;
	if (id)
		return id;
	json_array_foreach(json_object_get(trace, "Segments"), i, seg) {
		const json_t *text = json_object_get(seg, "Document");
		if (!json_is_string(text))
			continue;
		json_t *doc = json_loadb(json_string_value(text), json_string_length(text), 0, NULL);
		const char *t = json_string_value(json_object_get(doc, "trace_id"));
		if (t) {
			*holder = doc;
			return t;
		}
		json_decref(doc);
	}
	return NULL;
}

int bq_trace_fetch(bq_trace_ctx *c, char *const *ids, size_t n, bq_err *err)
{
	batch_acc acc = { json_array(), json_array() };
	json_t *ask = json_array();
	int rc = 0;

	if (!acc.traces || !acc.unprocessed || !ask) {
		rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ask, json_string(ids[i]));

	for (int attempt = 0;; attempt++) {
		json_t *body = json_pack("{s:O}", "TraceIds", ask);
		c->batch_calls++;
		rc = bq_aws_rest_paginate(c->aws, BQ_SVC_XRAY, "POST", "/Traces", NULL, body,
					  "NextToken", "NextToken", on_traces_page, &acc, err);
		json_decref(body);
		if (rc < 0)
			goto done;
		if (json_array_size(acc.unprocessed) == 0 || attempt >= BQ_TRACE_RETRIES)
			break;
		/* X-Ray could not serve these now: ask again after a pause. */
		bq_clock_sleep(c->clock, 0.5 * (double)(1 << attempt));
		json_decref(ask);
		ask = acc.unprocessed;
		acc.unprocessed = json_array();
	}

	/* Output in the order the ids were asked for. */
	size_t ntr = json_array_size(acc.traces);
	bool *used = ntr ? calloc(ntr, sizeof *used) : NULL;
	if (ntr && !used) {
		rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto done;
	}
	for (size_t i = 0; i <= n && rc == 0; i++) {
		for (size_t j = 0; j < ntr && rc == 0; j++) {
			json_t *holder;
			const json_t *t = json_array_get(acc.traces, j);
			const char *key = trace_key(t, &holder);
			/* i == n: anything that matched no id, last */
			if (!used[j] && (i == n || (key && strcmp(key, ids[i]) == 0))) {
				used[j] = true;
				rc = process_trace(c, t, i < n ? ids[i] : key, err);
			}
			json_decref(holder);
		}
	}
	free(used);
	if (rc == 0) {
		size_t i;
		json_t *v;
		json_array_foreach(acc.unprocessed, i, v) {
			bq_msg("trace '%s': not returned by BatchGetTraces (unprocessed after %d tries)",
			       json_string_value(v), BQ_TRACE_RETRIES + 1);
			c->missing++;
		}
	}
done:
	json_decref(acc.traces);
	json_decref(acc.unprocessed);
	json_decref(ask);
	return rc;
}

static int flush_pending(bq_trace_ctx *c, bq_err *err)
{
	int rc = 0;
	if (c->npending)
		rc = bq_trace_fetch(c, c->pending, c->npending, err);
	for (size_t i = 0; i < c->npending; i++)
		free(c->pending[i]);
	c->npending = 0;
	return rc;
}

/* Queues one id; fetches when a group is full.  0, BQ_OUT_CLOSED or -1. */
static int want_trace(bq_trace_ctx *c, const char *id, bq_err *err)
{
	int added = set_add(c->seen, id);
	if (added < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (!added)
		return 0;
	if (!(c->pending[c->npending] = strdup(id)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (++c->npending == BQ_TRACE_BATCH)
		return flush_pending(c, err);
	return 0;
}

/* ---- GetTraceSummaries ---- */

static int on_summary_page(json_t *page, void *ud, bq_err *err)
{
	bq_trace_ctx *c = ud;
	size_t i;
	json_t *ts;

	c->summary_calls++;
	json_array_foreach(json_object_get(page, "TraceSummaries"), i, ts) {
		const char *id = json_string_value(json_object_get(ts, "Id"));
		int rc;
		if (!id || !*id)
			continue;
		if (c->summaries) {
			int added = set_add(c->seen, id);
			if (added < 0)
				return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			if (!added)
				continue;
			json_t *rec = bq_xray_summary_record(ts);
			if (!rec)
				return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			c->traces++;
			rc = bq_out_emit_new(c->out, rec, err);
		} else {
			rc = want_trace(c, id, err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int search(bq_trace_ctx *c, bq_err *err)
{
	time_t since = c->cli->since, until = c->cli->until;

	/* Newest window first, as each window's pages are newest first. */
	for (time_t end = until; end > since;) {
		time_t start = end - since > BQ_TRACE_WINDOW ? end - BQ_TRACE_WINDOW : since;
		json_t *body = json_pack("{s:I,s:I}", "StartTime", (json_int_t)start,
					 "EndTime", (json_int_t)end);
		if (!body)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		if (c->filter)
			json_object_set_new(body, "FilterExpression", json_string(c->filter));
		int rc = bq_aws_rest_paginate(c->aws, BQ_SVC_XRAY, "POST", "/TraceSummaries",
					      NULL, body, "NextToken", "NextToken",
					      on_summary_page, c, err);
		json_decref(body);
		if (rc)
			return rc;
		end = start;
	}
	return 0;
}

/* ---- run ---- */

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	return cols && atoi(cols) > 0 ? atoi(cols) : 100;
}

int bq_trace_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	bq_trace_ctx c;
	bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
	size_t nids = bq_cli_count(cli, BQ_XO_TRACE_ID);
	int rc = -1;

	memset(&c, 0, sizeof c);
	c.cli = cli;
	c.out = out;
	c.filter = bq_cli_get(cli, BQ_XO_FILTER);
	c.summaries = bq_cli_has(cli, BQ_XO_SUMMARIES);
	c.tree = bq_cli_has(cli, BQ_XO_TREE);
	bool tty = isatty(STDOUT_FILENO);
	const char *nc = getenv("NO_COLOR");
	c.color = tty && !(nc && *nc);
	c.width = tty ? term_width() : 100;
	if (bq_cli_has(cli, BQ_XO_WIDTH)) {
		long v;
		if (bq_cli_parse_int("--width", bq_cli_get(cli, BQ_XO_WIDTH), 60, 1000, &v, err) < 0)
			return -1;
		c.width = (int)v;
	}
	if (c.summaries && c.tree)
		return bq_fail(err, BQ_EXIT_USAGE, "--summaries and --tree do not go together");
	if (c.summaries && nids)
		return bq_fail(err, BQ_EXIT_USAGE, "--summaries needs a search, not --trace-id");
	if (c.filter && nids)
		return bq_fail(err, BQ_EXIT_USAGE, "--filter searches; --trace-id skips the search");
	if (c.filter && !*c.filter)
		return bq_fail(err, BQ_EXIT_USAGE, "--filter needs an expression");
	if (c.tree && (cli->jq || cli->format != BQ_FORMAT_NDJSON))
		return bq_fail(err, BQ_EXIT_USAGE, "--tree draws for people: it takes no --jq or -o");
	for (size_t i = 0; i < nids; i++) {
		const char *id = bq_cli_nth(cli, BQ_XO_TRACE_ID, i);
		if (!*id || strlen(id) > 35)
			return bq_fail(err, BQ_EXIT_USAGE, "bad trace id '%s' (1 to 35 characters)", id);
	}
	if (cli->since > cli->until)
		return bq_fail(err, BQ_EXIT_USAGE, "--since is after --until");
	if (!(c.seen = calloc(1, sizeof *c.seen)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");

	bq_aws_config_from_cli(&cfg, cli);
	if (bq_aws_open(&c.aws, &cfg, err) < 0)
		goto done;
	rc = 0;
	for (size_t i = 0; i < nids && rc == 0; i++)
		rc = want_trace(&c, bq_cli_nth(cli, BQ_XO_TRACE_ID, i), err);
	if (!nids && rc == 0)
		rc = search(&c, err);
	if (rc == 0)
		rc = flush_pending(&c, err);
	if (rc == BQ_OUT_CLOSED)
		rc = 0;
	if (!cli->quiet && rc == 0) {
		if (c.summaries)
			bq_msg("%lu trace summaries from %lu GetTraceSummaries pages", c.traces,
			       c.summary_calls);
		else
			bq_msg("%lu traces, %lu spans, %lu documents rejected, %lu traces missing, "
			       "%lu BatchGetTraces requests", c.traces, c.spans, c.rejected,
			       c.missing, c.batch_calls);
	}
	/* each rejected document was reported, the count is in the summary
	 * above: status 5 */
	cli->rejected_other += c.rejected;
	if (rc == 0 && c.missing && !bq_out_closed(out)) {
		/* each missing trace was reported already; it is graver than a
		 * rejected document: status 1, nothing more to print */
		bq_err_clear(err);
		err->exit_status = BQ_EXIT_RUNTIME;
		rc = -1;
	}
done:
	for (size_t i = 0; i < c.npending; i++)
		free(c.pending[i]);
	set_free(c.seen);
	bq_aws_close(c.aws);
	return rc;
}
